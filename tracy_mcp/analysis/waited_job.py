"""The job a wait waits for, and when in the frame it runs: a wait that grew between two runs while no zone got
slower is often an overlap lost (the job it waits for takes as long as before but starts later in the frame: it was
kicked after the work it used to run beside). Named by the unit of work on another thread that ends right before
the wait's runs end (wait_zones.work_ended_before), placed by its start within its gameplay frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.wait_zones import work_ended_before

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
WAKE_NS = 1_000_000  # a wait's run ends this soon after the job's end at most, to count as waiting for it
JOB_SHARE = 0.6  # ...in this share of its runs, one job name: the job it waits for
MIN_RUNS = 10  # runs in gameplay frames, of the wait and of the job, to say anything
LATER_EXPLAINS = 0.5  # the job starts later by this share of the wait's growth per call at least...
SAME_LENGTH = 0.25  # ...while its length moved by less than this share of that growth


@attrs.frozen
class WaitedJob:
    name: str
    thread: str


def waited_job(ctx: Capture, wait: str) -> WaitedJob | None:
    """The job (zone name, thread) whose end the runs of zone `wait` follow in gameplay frames, on the thread where
    `wait` spends most time; None when no one job is followed by JOB_SHARE of the runs."""
    ph = frame_phases(ctx)
    win = ph.window() if ph is not None else None
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = t.stat_rows(sl.rows_of(wait))
    if win is None or len(rows) == 0:
        return None
    rows = np.sort(rows[t.valid[rows] & (t.start[rows] >= win[0]) & (t.end[rows] <= win[1])])
    if len(rows) < MIN_RUNS:
        return None
    busiest = int(np.argmax(np.bincount(t.owner[rows], weights=t.dur[rows].astype(np.float64))))
    rows = rows[t.owner[rows] == busiest]
    ended = work_ended_before(ctx, busiest, t.end[rows], WAKE_NS)
    jobs = ended[ended >= 0]
    if len(rows) < MIN_RUNS or len(jobs) < JOB_SHARE * len(rows):
        return None
    names = sl.name_idx[t.srcloc[jobs]]
    vals, cnt = np.unique(names, return_counts=True)
    top = int(np.argmax(cnt))
    if cnt[top] < JOB_SHARE * len(rows):
        return None
    same = jobs[names == vals[top]]
    owners, n_owner = np.unique(t.owner[same], return_counts=True)
    return WaitedJob(str(sl.names[int(vals[top])]), ctx._thread_labels()[int(owners[int(np.argmax(n_owner))])])


def place_in_frame(ctx: Capture, name: str) -> tuple[float, float] | None:
    """(median start after its gameplay frame's start, median length) of zone `name`'s runs that start inside a
    gameplay frame; None when fewer than MIN_RUNS do."""
    ph = frame_phases(ctx)
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    if ph is None or len(rows) == 0:
        return None
    g = ph.gameplay
    gs, ge = ph.start[g], ph.end[g]
    rows = rows[t.valid[rows]]
    k = np.searchsorted(gs, t.start[rows], "right") - 1
    inside = (k >= 0) & (t.start[rows] < ge[np.maximum(k, 0)])
    if int(inside.sum()) < MIN_RUNS:
        return None
    rows, k = rows[inside], k[inside]
    return float(np.median(t.start[rows] - gs[k])), float(np.median(t.dur[rows]))


def started_later(a: Capture, b: Capture, wait: str, growth_ns: float) -> str:
    """'; it waits for Physics::Step (Worker), 8.05 ms -> 8.05 ms per call, which starts later in the frame in B:
    0.47 ms -> 8.37 ms after the frame begins (an overlap lost: start it earlier)' when the wait `wait` grew by
    `growth_ns` per call because the job it waits for starts later while taking as long; '' otherwise."""
    job = waited_job(b, wait)
    if job is None or growth_ns <= 0:
        return ""
    pa, pb = place_in_frame(a, job.name), place_in_frame(b, job.name)
    if pa is None or pb is None:
        return ""
    (off_a, len_a), (off_b, len_b) = pa, pb
    if off_b - off_a < LATER_EXPLAINS * growth_ns or abs(len_b - len_a) > SAME_LENGTH * growth_ns:
        return ""
    return (
        f"; it waits for {job.name} ({job.thread}), {fmt_ns(len_a)} -> {fmt_ns(len_b)} per call, which starts later "
        f"in the frame in B: {fmt_ns(off_a)} -> {fmt_ns(off_b)} after the frame begins (an overlap lost: the work "
        "it ran beside no longer hides it; start it earlier)"
    )
