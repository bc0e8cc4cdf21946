"""The result object every answer-shaped analysis returns: a table to compute with and a short text to quote.

An assistant reads `summary()` (plain text, the finding first, numbers with units as evidence); code reads `table`
(a pandas DataFrame when pandas is installed, else a dict of numpy arrays) and the named `tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

SUMMARY_MAX_LINES = 40


def frame(columns: Mapping[str, Any]) -> Any:
    """A table from named columns: a pandas DataFrame when pandas is importable, else a dict of numpy arrays. An
    empty `*_ns` column is int64 like a filled one (times are integer ns), whatever placeholder built it."""
    cols = {k: np.asarray(v) for k, v in columns.items()}
    for k, v in cols.items():
        if k.endswith("_ns") and v.size == 0 and v.dtype.kind == "f":
            cols[k] = v.astype(np.int64)
    try:
        import pandas as pd
    except ImportError:
        return cols
    return pd.DataFrame(cols)


@attrs.define(repr=False)
class Report:
    """Base of every analysis result: `title`, `lines` (the summary), `table` and further named `tables`."""

    title: str
    lines: list[str] = attrs.field(factory=list)
    table: Any = None
    tables: dict[str, Any] = attrs.field(factory=dict)

    def summary(self, max_lines: int = SUMMARY_MAX_LINES) -> str:
        """Plain text: the title, then the findings (at most `max_lines` lines)."""
        body = (
            self.lines
            if len(self.lines) <= max_lines
            else [
                *self.lines[: max_lines - 1],
                f"... {len(self.lines) - max_lines + 1} more lines (see .table / .tables)",
            ]
        )
        return "\n".join([self.title, *body])

    def __repr__(self) -> str:
        return self.summary()

    def __str__(self) -> str:
        return self.summary()

    def _repr_markdown_(self) -> str:
        return "```\n" + self.summary() + "\n```"
