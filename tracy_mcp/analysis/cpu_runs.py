"""When each thread ran on a CPU, from its context switches: the runs per thread, and how much of any interval a
thread spent running (a cumulative function over its runs, so millions of zones cost one binary search each).

A CPU runs one thread at a time, yet the records of a busy machine can book two of the program's threads on one
CPU at once: a switch-out the kernel trace lost leaves a run open until the thread's next one. Each run here
therefore ends no later than the next run on its CPU begins. (On clientapp-0.14.0 the runs so cut agree with the
CPU samples, one per 0.1 ms of running, within 4% per thread; uncut, the records add up to every cycle of the
machine.) ctx.context_switches() keeps the records as they are."""

from __future__ import annotations

import re
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
        return _covered_between(self.start, self.end - self.start, a, b)

    def asleep_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Time asleep inside [a, b) for each pair of bounds: off a CPU after a switch-out in a state that could
        not run (sleeping, blocked), until the next wakeup; a preemption's gap is a wait for a core, not sleep."""
        runnable = np.isin(self.state[:-1], RUNNABLE_STATES)
        s = self.end[:-1]
        e = np.where(runnable, s, np.clip(self.wakeup[1:], s, self.start[1:]))
        return _covered_between(s, e - s, a, b)


def _covered_between(starts: np.ndarray, lengths: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pair of bounds, the time inside [a, b) covered by the disjoint, sorted intervals [starts,
    starts + lengths): a cumulative function over them, so each pair costs two binary searches."""
    a, b = np.asarray(a), np.asarray(b)
    if len(starts) == 0:
        return np.zeros(len(a), np.int64)
    before = np.concatenate([[0], np.cumsum(lengths)])  # covered time before each interval

    def upto(t: np.ndarray) -> np.ndarray:
        j = np.searchsorted(starts, t, "right") - 1
        k = np.maximum(j, 0)
        return np.where(j >= 0, before[k] + np.clip(t - starts[k], 0, lengths[k]), 0)

    return np.maximum(upto(b) - upto(a), 0).astype(np.int64)


# states a thread is switched out in while it could still run (Linux R; Windows Ready, Running, Standby,
# DeferredReady): the gap that follows is time waiting for a core
RUNNABLE_STATES = (103, 1, 2, 3, 7)


def off_cpu_after(ctx: Capture, times: np.ndarray, threads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (time, thread row) at which a thread left a CPU: how long until it next ran (int64 ns; -1 for a
    thread without usable context switches; until the capture's end when it never ran again), and whether it left
    the CPU still runnable (preempted: the time off was a wait for a core)."""
    off = np.full(len(times), -1, np.int64)
    runnable = np.zeros(len(times), dtype=bool)
    runs = thread_runs(ctx)
    last = int(ctx.get_last_time())
    for th in np.unique(threads).tolist():
        r = runs.get(int(th))
        if r is None:
            continue
        sel = np.flatnonzero(threads == th)
        sel = sel[np.argsort(times[sel], kind="stable")]
        t = times[sel].astype(np.int64)
        k = np.searchsorted(r.start, t, "right")  # the next run; k - 1 is the one the switch ended
        nxt = np.where(k < len(r.start), r.start[np.minimum(k, len(r.start) - 1)], max(last, int(t.max())))
        # two switches in one gap between recorded runs (a run's record was lost): each counts until the next
        nxt[:-1] = np.minimum(nxt[:-1], t[1:])
        off[sel] = np.maximum(nxt - t, 0)
        runnable[sel] = (k > 0) & np.isin(r.state[np.maximum(k - 1, 0)], RUNNABLE_STATES)
    return off, runnable


def host_cores(ctx: Capture) -> int:
    """The recording machine's core count from the capture's host info ("CPU cores: N"); 0 when unknown."""
    m = re.search(r"CPU cores:\s*(\d+)", str(ctx.get_host_info() or ""))
    return int(m.group(1)) if m else 0


def thread_runs(ctx: Capture) -> dict[int, Runs]:
    """Per thread row (threads with usable context switches only): its runs; a run still going when the capture
    ended ends with it. Built once per capture generation (read-only arrays)."""
    return ctx._db.cached("thread_runs", lambda: _read_runs(ctx))


def double_booked_ns(ctx: Capture) -> int:
    """How much running time the raw records claim beyond the runs kept (time they book two of the program's
    threads on one CPU at once); 0 without context switches."""

    def build() -> int:
        db = ctx._db
        if db.rows("ctx_switches") == 0:
            return 0
        st = db.col("ctx_switches", "start").astype(np.int64)
        en = np.where(db.col("ctx_switches", "end") < 0, int(ctx.get_last_time()), db.col("ctx_switches", "end"))
        ok = (st >= 0) & (en >= st)
        recorded = int((en[ok] - st[ok]).sum())
        kept = sum(int((r.end - r.start).sum()) for r in thread_runs(ctx).values())
        return max(recorded - kept, 0)

    return ctx._db.cached("double_booked_ns", build)


def _read_runs(ctx: Capture) -> dict[int, Runs]:
    db = ctx._db
    if db.rows("ctx_switch_threads") == 0 or db.rows("ctx_switches") == 0:
        return {}
    last = int(ctx.get_last_time())
    row_of = {int(t): i for i, t in enumerate(ctx._thread_tids().tolist())}
    st = db.col("ctx_switches", "start")
    cpu = db.col("ctx_switches", "cpu") if db.has("ctx_switches", "cpu") else None
    en = _ends_within_cpu(st, db.col("ctx_switches", "end"), cpu, last, _on_os_threads(ctx, row_of))
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
        x = en[b:e]
        ok = (s >= 0) & (x >= s)
        if ok.any():  # no usable run: unknown, not "never ran"
            out[k] = Runs(s[ok].astype(np.int64), x[ok].astype(np.int64), wk[b:e][ok], state[b:e][ok])
    return out


def fiber_rows(ctx: Capture) -> np.ndarray:
    """Per thread row: whether it is a fiber (its context-switch records say when it ran on some worker thread,
    not on which CPU, so they overlap that worker's runs by nature)."""
    db = ctx._db
    if not db.has("threads", "is_fiber"):
        return np.zeros(db.rows("threads"), dtype=bool)
    return db.col("threads", "is_fiber").astype(bool)


def _on_os_threads(ctx: Capture, row_of: dict[int, int]) -> np.ndarray:
    """Per context-switch record: whether it belongs to an OS thread, not a fiber (`row_of`: thread row per tid)."""
    db = ctx._db
    if not db.has("ctx_switches", "owner"):
        return np.ones(db.rows("ctx_switches"), dtype=bool)
    fiber = fiber_rows(ctx)
    rows = [row_of.get(int(t), -1) for t in db.col("ctx_switch_threads", "tid")]
    owner_fiber = np.asarray([0 <= k < len(fiber) and bool(fiber[k]) for k in rows], dtype=bool)
    return ~owner_fiber[db.col("ctx_switches", "owner").astype(np.int64)]


def _ends_within_cpu(
    start: np.ndarray, end: np.ndarray, cpu: np.ndarray | None, last: int, os_thread: np.ndarray
) -> np.ndarray:
    """Each record's end (a run still going at the end of the capture ends with it), cut at the start of the next
    run on the same CPU (see the module doc); only OS threads' records take part."""
    end = np.where(end < 0, last, end).astype(np.int64)
    if cpu is None or len(start) < 2:
        return end
    usable = (start >= 0) & (end >= start) & os_thread
    rows = np.flatnonzero(usable)
    order = rows[np.lexsort((start[rows], cpu[rows]))]  # by CPU, then start
    same_cpu = cpu[order][1:] == cpu[order][:-1]
    nxt = np.where(same_cpu, start[order][1:], np.iinfo(np.int64).max)
    cut = end.copy()
    cut[order[:-1]] = np.minimum(end[order[:-1]], np.maximum(nxt, start[order[:-1]]))
    return cut


def time_split(ctx: Capture, rows: np.ndarray) -> tuple[float, float, float] | None:
    """(on a CPU, asleep, waiting for a core) summed over the zone rows' spans, from the context switches; None
    when a row's thread has none (no sys tracing, or a fiber)."""
    runs = thread_runs(ctx)
    if not runs or not len(rows):
        return None
    t = ctx._cpu()
    owner = t.owner[rows]
    on = asleep = wall = 0.0
    for th in np.unique(owner).tolist():
        r = runs.get(int(th))
        if r is None:
            return None
        sel = rows[owner == th]
        a, b = t.start[sel], t.end[sel]
        on += float(r.running_between(a, b).sum())
        asleep += float(r.asleep_between(a, b).sum())
        wall += float((b - a).sum())
    return on, asleep, max(wall - on - asleep, 0.0)


def who_ran(
    ctx: Capture, starts: np.ndarray, ends: np.ndarray, exclude: int, share: float = 0.05
) -> list[tuple[str, int]]:
    """(thread label, time on a CPU) of the threads that ran inside the spans [starts, ends) (disjoint), most first,
    each with at least `share` of the spans' total; `exclude` (a thread row) left out: who took the CPUs while a
    thread waited for one."""
    runs = thread_runs(ctx)
    total = float(np.sum(ends - starts))
    if not runs or total <= 0:
        return []
    ran = {k: int(r.running_between(starts, ends).sum()) for k, r in runs.items() if k != exclude}
    labels = ctx._thread_labels()
    top = sorted((k for k in ran if ran[k] > share * total), key=lambda k: -ran[k])
    return [(labels[k], ran[k]) for k in top]
