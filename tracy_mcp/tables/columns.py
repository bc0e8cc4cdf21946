"""Pieces every SQL table module uses: an engine column with a default, the `id` column of rows numbered 0..n-1,
and the `thread_id` + `thread` pair of a table whose rows belong to threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.tables.arrow import labels, present, row_ids, view
from tracy_mcp.tables.schema import Column

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64


def engine_col(ctx: Capture, table: str, column: str, dtype: type = I64) -> np.ndarray:
    """An engine column, or zeros of the table's length when this engine lacks it."""
    return ctx._db.col_or(table, column, np.zeros(ctx._db.rows(table), dtype))


def id_column(table: str, doc: str = "row number in this table (0..n-1)", *, lazy: bool = True) -> Column:
    """`id`: the row number in the engine's `table`."""
    return Column("id", "INTEGER", doc, make=lambda c: view(row_ids(c._db, c._db.rows(table))), lazy=lazy)


def thread_columns(
    thread_rows: Callable[[Capture], np.ndarray],
    doc: str,
    name_doc: str = "its name",
    *,
    prefix: str = "",
    lazy: bool = False,
) -> tuple[Column, Column]:
    """`<prefix>thread_id` (threads.id; NULL where a row's thread is -1) and `<prefix>thread` (that thread's
    name), from the thread row of each row."""
    return (
        Column(f"{prefix}thread_id", "INTEGER", doc, make=lambda c: present(thread_rows(c)), lazy=lazy),
        Column(
            f"{prefix}thread",
            "VARCHAR",
            name_doc,
            make=lambda c: labels(thread_rows(c), c._thread_labels()),
            lazy=lazy,
        ),
    )
