"""Columnar results: a pandas DataFrame (when pandas is importable and wanted) or a dict of numpy arrays.

Every table follows one vocabulary (see the eval guide): the key is `id` (the DataFrame's index, or the dict's
"id" array), references are `<thing>_id`, times end in `_ns`, repeated labels (names, threads, codes) are
categories. Tables are built from the engine's arrays without per-row Python work: numeric columns are zero-copy
views where the engine's layout allows it, labels are pandas categoricals over a small table of distinct labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

Table = Any  # dict[str, np.ndarray] or pandas.DataFrame


def have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


@attrs.frozen
class Labels:
    """A column of repeated text stored as `codes` into `labels` (-1 = missing). Becomes a pandas categorical,
    or an object array of str in a dict table."""

    codes: np.ndarray
    labels: Sequence[str]

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, rows: np.ndarray | slice) -> Labels:
        return Labels(self.codes[rows], self.labels)

    def strings(self) -> np.ndarray:
        """Object array of the labels ("" where missing)."""
        table = np.asarray([*self.labels, ""], dtype=object)
        codes = np.asarray(self.codes, dtype=np.intp)
        return table[np.where(codes >= 0, codes, len(self.labels))]


def labels_of(codes: np.ndarray, labels: Sequence[str]) -> Labels:
    """`Labels` for codes into a label list that may repeat a label (e.g. several source locations sharing one
    name): repeated labels are merged, remapping the codes only when needed. Codes outside the list are missing."""
    labels = list(labels)
    n = len(labels)
    codes = np.asarray(codes)
    in_range = not len(codes) or (int(codes.max()) < n and (codes.dtype.kind == "u" or int(codes.min()) >= 0))
    if not in_range:
        codes = np.where((codes >= 0) & (codes < n), codes, -1)
    distinct = dict.fromkeys(labels)
    if len(distinct) == n:
        return Labels(_narrow(codes, n), labels)
    index = {label: i for i, label in enumerate(distinct)}
    lut = np.asarray([index[label] for label in labels], dtype=code_dtype(len(distinct)))
    return Labels(np.where(codes >= 0, lut[np.maximum(codes, 0)], -1).astype(lut.dtype), list(distinct))


def fixed_labels(codes: np.ndarray, names: dict[int, str], unknown: str = "unknown ({})") -> Labels:
    """`Labels` for small integer codes with fixed meanings (e.g. message severity); the categories are the
    labels of the codes present, and a code without a name shows as `unknown` formatted with the code."""
    codes = np.asarray(codes).astype(np.int64)
    seen = np.unique(codes)
    labels = [names.get(k, unknown.format(k)) for k in seen.tolist()]
    return labels_of(np.searchsorted(seen, codes), labels)


def code_dtype(n: int) -> type[np.signedinteger[Any]]:
    """The narrowest code type pandas keeps for a categorical of `n` categories."""
    if n < 2**7:
        return np.int8
    if n < 2**15:
        return np.int16
    return np.int32


def _narrow(codes: np.ndarray, n: int) -> np.ndarray:
    """Codes in the dtype pandas keeps for `n` categories, so building the categorical does not copy again."""
    want = code_dtype(n)
    return codes if codes.dtype == want else codes.astype(want)


def make_table(
    columns: dict[str, Any],
    as_frame: bool | None = None,
    *,
    ids: np.ndarray | slice | None = None,
    index: str = "id",
) -> Table:
    """A table from numpy arrays and `Labels`. `ids` is the key of each row (the DataFrame index named `index`, or
    the dict's first array): an array, a slice of row numbers, or None for 0..n-1. `as_frame` None: a DataFrame
    if pandas is importable, else a dict; True: require pandas; False: the dict."""
    n = len(next(iter(columns.values()))) if columns else 0
    span = range(ids.start or 0, ids.stop) if isinstance(ids, slice) else None
    if as_frame is False or (as_frame is None and not have_pandas()):
        if ids is None:
            key = np.arange(n, dtype=np.int64)
        else:
            key = np.arange(span.start, span.stop, dtype=np.int64) if span else np.asarray(ids, dtype=np.int64)
        out: dict[str, np.ndarray] = {index: key}
        for name, col in columns.items():
            out[name] = col.strings() if isinstance(col, Labels) else np.asarray(col)
        return out
    import pandas as pd  # raises ImportError with a clear message when as_frame=True and pandas is missing

    data: dict[str, Any] = {}
    for name, col in columns.items():
        if isinstance(col, Labels):
            dtype = pd.CategoricalDtype(pd.Index(list(col.labels), dtype=object))
            data[name] = pd.Categorical.from_codes(_narrow(col.codes, len(col.labels)), dtype=dtype, validate=False)
        else:
            data[name] = col
    if ids is None:
        idx = pd.RangeIndex(n, name=index)
    elif span is not None:
        idx = pd.RangeIndex(span.start, span.stop, name=index)
    else:
        idx = pd.Index(np.asarray(ids), name=index)
    return pd.DataFrame(data, index=idx, copy=False)


def expand_ranges(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [begin[i], end[i]): (owner i per element, element index), concatenated in order."""
    begin = begin.astype(np.int64)
    lens = np.maximum(end.astype(np.int64) - begin, 0)
    owner = np.repeat(np.arange(len(begin)), lens)
    if len(owner) == 0:
        return owner, owner.copy()
    starts = np.cumsum(lens) - lens
    idx = np.arange(len(owner)) - np.repeat(starts, lens) + np.repeat(begin, lens)
    return owner, idx


def percentile_columns(groups: list[np.ndarray], qs: tuple[float, ...], suffix: str = "") -> dict[str, np.ndarray]:
    """p<q><suffix> columns (float64, NaN for empty groups), one row per group of values; linear interpolation
    between closest ranks (numpy's default)."""
    out = {percentile_name(q, suffix): np.full(len(groups), np.nan) for q in qs}
    for i, g in enumerate(groups):
        if len(g) == 0:
            continue
        vals = np.percentile(g, qs)
        for q, v in zip(qs, np.atleast_1d(vals), strict=False):
            out[percentile_name(q, suffix)][i] = v
    return out


def percentile_name(q: float, suffix: str = "") -> str:
    """The column name of percentile q: p50<suffix>, p99_9<suffix>, ..."""
    return f"p{_qname(q)}{suffix}"


def _qname(q: float) -> str:
    return str(int(q)) if float(q).is_integer() else str(q).replace(".", "_")
