"""Lookups shared by several SQL tables: thread names per thread row, and OS thread ids to thread rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture


def thread_names(ctx: Capture) -> list[str]:
    """Name of each row of the engine's thread table (as get_thread_name reports it)."""

    def build() -> list[str]:
        return [ctx.get_thread_name(int(t)) for t in ctx._thread_tids().tolist()]

    return ctx._db.cached("sql_thread_names", build)


def thread_rows_of_tids(ctx: Capture, tids: np.ndarray) -> np.ndarray:
    """Thread row (int32) of each OS thread id; -1 for a thread the capture did not profile."""
    known = ctx._thread_tids()
    if len(known) == 0 or len(tids) == 0:
        return np.full(len(tids), -1, np.int32)
    order = np.argsort(known, kind="stable")
    sorted_tids = known[order]
    pos = np.minimum(np.searchsorted(sorted_tids, tids), len(sorted_tids) - 1)
    hit = sorted_tids[pos] == tids
    return np.where(hit, order[pos], -1).astype(np.int32)
