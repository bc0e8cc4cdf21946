"""How an `eval` result is shown to an assistant: compact, whole-width, bounded text.

An assistant pays for every character it reads, so a result is rendered within a character budget
(`max_chars`, 20 000 by default): tables (pandas DataFrames, dicts of equal-length arrays, 2-D arrays) as
compact text tables with every column and a row cap plus "N more rows"; long lists, dicts and arrays with an
item cap plus "N more items"; numpy scalars as plain numbers. Rendering only ever looks at what it shows, so
a huge value costs no more than a small one. It runs in the eval's own thread, so a slow `__repr__` is stopped
by the eval time limit like any other code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

DEFAULT_MAX_CHARS = 20_000
TABLE_ROWS = 30  # rows of a table shown before "N more rows"
ITEMS = 100  # items of a list, dict or array shown before "N more items"
CELL_CHARS = 80  # longest text cell before it is cut
LINE = 120  # a container fitting in this many characters is printed on one line


def configure() -> None:
    """Process-wide display settings for what eval code prints itself (print(df), print(arr), print(dict)):
    every column, a bounded number of rows, and numpy scalars printed as plain numbers."""
    np.set_printoptions(threshold=ITEMS * 2, edgeitems=5, linewidth=LINE, legacy="1.25")
    try:
        import pandas as pd
    except ImportError:
        return
    pd.set_option("display.max_columns", None)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", TABLE_ROWS * 2)
    pd.set_option("display.min_rows", TABLE_ROWS)
    pd.set_option("display.max_colwidth", CELL_CHARS)


def cut(text: str, max_chars: int) -> str:
    """`text` within `max_chars`, with a note saying how much was left out and how to get less."""
    if len(text) <= max_chars:
        return text
    keep = max(0, max_chars - 160)
    return (
        text[:keep]
        + f"\n... [output cut at {keep:,} of {len(text):,} characters: return a smaller result, e.g. the top rows, "
        "or pass max_chars]"
    )


def render(value: Any, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The text an assistant sees for an eval's final value (already within `max_chars`)."""
    return cut(_render(value, max_chars), max_chars)


def _render(value: Any, budget: int) -> str:
    if isinstance(value, str):
        return value
    table = _as_table(value)
    if table is not None:
        return _table_text(table)
    if type(value).__module__.startswith("pandas"):
        return _pandas_other(value)
    if isinstance(value, np.ndarray):
        return _array_text(value)
    if isinstance(value, (dict, list, tuple, set, frozenset)) or isinstance(value, np.generic):
        out: list[str] = []
        _Pretty(budget).emit(value, 0, out)
        return "".join(out)
    return repr(value)


# -- tables -------------------------------------------------------------------------------------------------------


def _as_table(value: Any) -> Any:
    """A pandas DataFrame for anything shown as a table, else None (pandas is imported only for those)."""
    tabular = (
        type(value).__module__.startswith("pandas")
        or (isinstance(value, np.ndarray) and value.ndim == 2)
        or (isinstance(value, Mapping) and any(isinstance(v, np.ndarray) for v in value.values()))
    )
    if not tabular:
        return None
    try:
        import pandas as pd
    except ImportError:
        return None
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 2 and value.size > 0:
        return pd.DataFrame(value)
    if (
        isinstance(value, Mapping)
        and len(value) > 1
        and all(isinstance(k, str) for k in value)
        and all(isinstance(v, np.ndarray) and v.ndim == 1 for v in value.values())
        and len({len(v) for v in value.values()}) == 1
    ):
        return pd.DataFrame(dict(value), copy=False)
    return None


def _table_text(df: Any) -> str:
    import pandas as pd

    n, ncols = df.shape
    shown = df.head(TABLE_ROWS) if n > TABLE_ROWS else df
    show_index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
    body = shown.to_string(
        index=show_index,
        max_colwidth=CELL_CHARS,
        float_format=_float,
        max_cols=None,
        line_width=None,
    )
    head = f"{type(df).__name__}: {n:,} rows x {ncols} columns"
    if n > len(shown):
        return f"{head} (first {len(shown)} shown)\n{body}\n... {n - len(shown):,} more rows"
    return f"{head}\n{body}"


def _pandas_other(value: Any) -> str:
    """Series and Index: bounded, every value shown as text."""
    import pandas as pd

    if isinstance(value, pd.Index):
        value = value.to_series(index=None)
    if isinstance(value, pd.Series):
        n = len(value)
        shown = value.head(TABLE_ROWS * 2) if n > TABLE_ROWS * 2 else value
        body = shown.to_string(float_format=_float, max_rows=None)
        name = f" {value.name!r}" if value.name is not None else ""
        head = f"Series{name}: {n:,} values, dtype {value.dtype}"
        more = f"\n... {n - len(shown):,} more values" if n > len(shown) else ""
        return f"{head}\n{body}{more}"
    return repr(value)


def _float(x: float) -> str:
    if isinstance(x, float) and abs(x) < 1e15 and (x.is_integer() or abs(x) >= 1e5):
        # Whole numbers, and large means of integer columns (ns, bytes): digits, never 1.38351e+06.
        return str(round(x))
    return f"{x:.6g}"


# -- arrays ----------------------------------------------------------------------------------------------------


def _array_text(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _scalar(a.item())
    if a.ndim == 1 and a.dtype != object and len(a) <= ITEMS:
        return _one_line([_scalar(x) for x in a.tolist()], "[", "]")
    text = np.array2string(a, threshold=ITEMS, edgeitems=5, max_line_width=LINE, separator=", ")
    return f"array of {a.size:,} {a.dtype} {'x'.join(map(str, a.shape))}:\n{text}" if a.size > ITEMS else text


# -- containers --------------------------------------------------------------------------------------------------


class _Full(Exception):
    """The budget is spent: stop walking the value."""


class _Pretty:
    """A pprint-like printer that walks only what it shows (item caps) and stops once the budget is spent."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def emit(self, value: Any, indent: int, out: list[str]) -> None:
        try:
            self._emit(value, indent, out)
        except _Full:
            out.append(" ...")

    def _put(self, out: list[str], s: str) -> None:
        self.left -= len(s)
        out.append(s)
        if self.left < 0:
            raise _Full

    def _emit(self, value: Any, indent: int, out: list[str]) -> None:
        flat = self._flat(value, LINE - indent)
        if flat is not None:
            self._put(out, flat)
            return
        if not isinstance(value, (Mapping, list, tuple, set, frozenset)):
            self._put(out, _array_text(value) if isinstance(value, np.ndarray) else repr(value))
            return
        opener, closer, items, more = self._items(value)
        pad = " " * (indent + 1)
        if items and all(key is None and _is_scalar(item) for key, item in items):
            self._put(out, opener + self._packed([_scalar(item) for _, item in items], pad, more) + closer)
            return
        self._put(out, opener)
        for i, (key, item) in enumerate(items):
            if i:
                self._put(out, ",\n" + pad)
            if key is not None:
                k = self._flat(key, LINE) or repr(key)
                self._put(out, f"{k}: ")
                self._emit(item, indent + 1 + len(k) + 2, out)
            else:
                self._emit(item, indent + 1, out)
        if more:
            self._put(out, f",\n{pad}... {more:,} more items")
        self._put(out, closer)

    @staticmethod
    def _packed(parts: list[str], pad: str, more: int) -> str:
        """Scalars filled into lines of at most LINE characters."""
        lines: list[str] = []
        line = ""
        for p in parts:
            if line and len(pad) + len(line) + len(p) + 2 > LINE:
                lines.append(line + ",")
                line = ""
            line = f"{line}, {p}" if line else p
        if more:
            line += f", ... {more:,} more items"
        lines.append(line)
        return ("\n" + pad).join(lines)

    @staticmethod
    def _items(value: Any) -> tuple[str, str, list[tuple[Any, Any]], int]:
        if isinstance(value, Mapping):
            keys = []
            for i, k in enumerate(value):
                if i >= ITEMS:
                    break
                keys.append(k)
            return "{", "}", [(k, value[k]) for k in keys], len(value) - len(keys)
        if isinstance(value, (list, tuple)):
            shown = list(value[:ITEMS])
            opener, closer = ("[", "]") if isinstance(value, list) else ("(", ")")
            return opener, closer, [(None, v) for v in shown], len(value) - len(shown)
        if isinstance(value, (set, frozenset)):
            shown = []
            for i, v in enumerate(value):
                if i >= ITEMS:
                    break
                shown.append(v)
            return "{", "}", [(None, v) for v in shown], len(value) - len(shown)
        return "", "", [], 0

    def _flat(self, value: Any, width: int) -> str | None:
        """One-line text of `value` if it fits in `width` characters (None otherwise)."""
        if isinstance(value, (np.generic, int, float, bool, complex)) or value is None:
            return _scalar(value.item() if isinstance(value, np.generic) else value)
        if isinstance(value, str):
            s = repr(value)
            return s if len(s) <= max(width, 40) else None
        if isinstance(value, (Mapping, list, tuple, set, frozenset)):
            if len(value) > 30:
                return None
            opener, closer, items, more = self._items(value)
            parts: list[str] = []
            used = 2
            for key, item in items:
                v = self._flat(item, width - used)
                if v is None:
                    return None
                if key is not None:
                    k = self._flat(key, width - used)
                    if k is None:
                        return None
                    v = f"{k}: {v}"
                used += len(v) + 2
                if used > width:
                    return None
                parts.append(v)
            if more:
                return None
            if isinstance(value, tuple) and len(parts) == 1:
                return f"({parts[0]},)"
            if isinstance(value, (set, frozenset)) and not parts:
                return "set()"
            return opener + ", ".join(parts) + closer
        if isinstance(value, np.ndarray):
            s = _array_text(value)
            return s if "\n" not in s and len(s) <= width else None
        s = repr(value)
        return s if len(s) <= width and "\n" not in s else None


def _is_scalar(x: Any) -> bool:
    return x is None or isinstance(x, (int, float, bool, complex, np.generic))


def _scalar(x: Any) -> str:
    """A Python or numpy scalar as a plain literal (24435, not np.uint64(24435))."""
    if isinstance(x, np.generic):
        x = x.item()
    return repr(x)


def _one_line(parts: list[str], opener: str, closer: str) -> str:
    return opener + ", ".join(parts) + closer
