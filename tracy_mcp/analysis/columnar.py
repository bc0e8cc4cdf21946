"""Columnar results: a dict of numpy arrays, or a pandas DataFrame when pandas is installed and wanted."""

from __future__ import annotations

from typing import Any

import numpy as np

Table = Any  # dict[str, np.ndarray] or pandas.DataFrame


def have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def make_table(columns: dict[str, Any], as_frame: bool | None = None) -> Table:
    """`as_frame` None: a DataFrame if pandas is importable, else the dict; True: require pandas; False: dict."""
    cols = {k: (v if isinstance(v, np.ndarray) else np.asarray(v)) for k, v in columns.items()}
    if as_frame is False or (as_frame is None and not have_pandas()):
        return cols
    import pandas as pd  # raises ImportError with a clear message when as_frame=True and pandas is missing

    return pd.DataFrame(cols, copy=False)


def percentile_columns(groups: list[np.ndarray], qs: tuple[float, ...]) -> dict[str, np.ndarray]:
    """p<q> columns (float64, NaN for empty groups), one row per group of values; linear interpolation between
    closest ranks (numpy's default)."""
    out = {f"p{_qname(q)}": np.full(len(groups), np.nan) for q in qs}
    for i, g in enumerate(groups):
        if len(g) == 0:
            continue
        vals = np.percentile(g, qs)
        for q, v in zip(qs, np.atleast_1d(vals), strict=False):
            out[f"p{_qname(q)}"][i] = v
    return out


def _qname(q: float) -> str:
    return str(int(q)) if float(q).is_integer() else str(q).replace(".", "_")
