"""Fibers and the OS threads that run them: Tracy records a fiber's zones on the fiber (a thread row of its own),
and each stretch a fiber ran on an OS thread as a context switch of the fiber naming that OS thread. A job system
on fibers shows its jobs on the fibers' rows; the workers' own rows hold only what they do between fibers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
FIBER_REASON = 99  # the context-switch reason of a fiber's run


@attrs.frozen
class FiberRuns:
    """The fibers' runs on one OS thread, in time order."""

    start: np.ndarray
    end: np.ndarray  # -1: still running at the end of the capture
    fiber: np.ndarray  # thread row of the fiber

    def covered(self, lo: int, hi: int) -> int:
        """Time (ns) within [lo, hi) during which the thread ran a fiber."""
        e = np.where(self.end >= 0, self.end, hi)
        return int(np.maximum(np.minimum(e, hi) - np.maximum(self.start, lo), 0).sum())


def fiber_runs(ctx: Capture) -> dict[int, FiberRuns]:
    """Per OS thread row that ran fibers: their runs on it; {} for a capture without fibers. Once per capture."""

    def build() -> dict[int, FiberRuns]:
        db = ctx._db
        if not db.has("ctx_switches", "other_tid") or db.rows("ctx_switches") == 0:
            return {}
        reason = db.col("ctx_switches", "reason")
        rows = np.flatnonzero(reason == FIBER_REASON)
        if len(rows) == 0:
            return {}
        owner = db.col("ctx_switches", "owner").astype(I64)[rows]
        fiber = ctx._thread_id_of_tids(db.col("ctx_switch_threads", "tid")[owner]).astype(I64)
        host = ctx._thread_id_of_tids(db.col("ctx_switches", "other_tid")[rows]).astype(I64)
        start = db.col("ctx_switches", "start").astype(I64)[rows]
        end = db.col("ctx_switches", "end").astype(I64)[rows]
        out: dict[int, FiberRuns] = {}
        for h in np.unique(host[host >= 0]).tolist():
            mine = np.flatnonzero(host == h)
            mine = mine[np.argsort(start[mine], kind="stable")]
            out[int(h)] = FiberRuns(start[mine], np.where(end[mine] >= 0, end[mine], -1), fiber[mine])
        return out

    return ctx._db.cached("fiber_runs", build)
