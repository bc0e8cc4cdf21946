"""When each thread ran on a CPU, from its context switches: the runs per thread, and how much of any interval a
thread spent running (a cumulative function over its runs, so millions of zones cost one binary search each)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture


@attrs.frozen
class Runs:
    """A thread's usable context-switch records in time order: it ran on a CPU from `start` to `end`; `wakeup` is
    when it was woken before that run; `state` the state it was switched out in at `end` (engine codes)."""

    start: np.ndarray
    end: np.ndarray
    wakeup: np.ndarray
    state: np.ndarray

    def running_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Time on a CPU inside [a, b) for each pair of bounds (int64 ns; 0 where b <= a)."""
        length = self.end - self.start
        before = np.concatenate([[0], np.cumsum(length)])  # running time before each run

        def upto(t: np.ndarray) -> np.ndarray:
            j = np.searchsorted(self.start, t, "right") - 1
            k = np.maximum(j, 0)
            return np.where(j >= 0, before[k] + np.clip(t - self.start[k], 0, length[k]), 0)

        return np.maximum(upto(np.asarray(b)) - upto(np.asarray(a)), 0).astype(np.int64)


def thread_runs(ctx: Capture) -> dict[int, Runs]:
    """Per thread row (threads with usable context switches only): its runs; a run still going when the capture
    ended ends with it. Built once per capture generation (read-only arrays)."""
    return ctx._db.cached("thread_runs", lambda: _read_runs(ctx))


def _read_runs(ctx: Capture) -> dict[int, Runs]:
    db = ctx._db
    if db.rows("ctx_switch_threads") == 0 or db.rows("ctx_switches") == 0:
        return {}
    last = int(ctx.get_last_time())
    row_of = {int(t): i for i, t in enumerate(ctx._thread_tids().tolist())}
    st = db.col("ctx_switches", "start")
    en = db.col("ctx_switches", "end")
    wk = db.col_or("ctx_switches", "wakeup", st)
    state = db.col_or("ctx_switches", "state", np.full(len(st), -1, np.int8))
    out = {}
    for tid, b, e in zip(
        db.col("ctx_switch_threads", "tid").tolist(),
        db.col("ctx_switch_threads", "switch_begin").tolist(),
        db.col("ctx_switch_threads", "switch_end").tolist(),
        strict=False,
    ):
        k = row_of.get(int(tid))
        if k is None or e <= b:
            continue
        s = st[b:e]
        x = en[b:e].copy()
        if x[-1] < 0:  # still running when the capture ended
            x[-1] = last
        ok = (s >= 0) & (x >= s)
        if ok.any():  # no usable run: unknown, not "never ran"
            out[k] = Runs(s[ok].astype(np.int64), x[ok].astype(np.int64), wk[b:e][ok], state[b:e][ok])
    return out
