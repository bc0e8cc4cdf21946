"""How a SQL table is described and built: its documented columns, each made from the capture's engine columns.

A table is registered with DuckDB as a raw Arrow table (zero-copy views of the engine's columns where possible)
and a view over it that gives every column its documented name and SQL type (``expr`` computes a column from raw
columns, e.g. a duration from start and end). Columns marked ``lazy`` cost memory to build (a copy, a
computation); they are built only for a query that can refer to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
import pyarrow as pa

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

Make = Callable[["Capture"], pa.Array]


@attrs.frozen
class Column:
    name: str
    type: str  # DuckDB type of the column in the view
    doc: str
    make: Make | None = None  # builds the raw column of the same name; None when `expr` uses other raw columns
    expr: str | None = None  # SQL over the raw columns; default: the raw column itself
    lazy: bool = False  # built only when a query can refer to it


@attrs.frozen
class TableSpec:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: str = "id"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def included(self, wanted: frozenset[str] | None) -> list[Column]:
        """The columns a query needs: every eager column, and the lazy ones it can refer to (None: all)."""
        return [c for c in self.columns if not c.lazy or wanted is None or c.name in wanted]

    def select_list(self, columns: list[Column]) -> str:
        # TRY_CAST: a value that does not fit (only in a damaged capture) reads as NULL instead of failing the query
        return ", ".join(f"TRY_CAST({c.expr or quote(c.name)} AS {c.type}) AS {quote(c.name)}" for c in columns)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def markdown(tables: list[TableSpec]) -> str:
    """The schema as Markdown: one section per table, one line per column."""
    out = []
    for t in tables:
        out.append(f"### {t.name}\n\n{t.doc}\n")
        out.append("| column | type | meaning |\n|---|---|---|")
        out.extend(f"| `{c.name}` | {c.type} | {c.doc} |" for c in t.columns)
        out.append("")
    return "\n".join(out)
