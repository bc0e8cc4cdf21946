"""pacer_overshoot: a paced loop whose frames are long because its pacing wait ends late, not because of its work.

Or because the loop sleeps a fixed time rather than to a deadline (fixed_sleep): a sleep as long as the interval
itself (50 ms for 20 Hz), whatever the work before it took, makes each frame the work plus the interval.

A frame limiter that sleeps to a deadline makes every frame the interval it aims at, whatever the work before it
took. When the frames sit clearly above a common display interval (19.3 ms: above 60 Hz's 16.67 ms, short of 50
Hz's 20 ms) while the work before the wait fits well inside it, the wait is what makes the frames long: a limiter
that oversleeps (rounds its sleep up, adds a margin) or aims at an odd rate. No zone of work explains such frames,
so neither slow_frames' culprits nor the hot paths do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases, paired_marks, time_in_frames
from tracy_mcp.analysis.wait_zones import PACES, wait_names, wait_zones

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

RATES_HZ = (240, 165, 144, 120, 100, 90, 75, 60, 50, 48, 30, 25, 24, 20, 15)  # what a frame loop aims at
AT_RATE = 0.02  # a median frame within this share of an interval runs at it (a limiter's wake-up aside)
ABOVE = 0.05  # ...and one this far above the interval below it missed that one
WORK_FITS = 0.8  # the work before the wait (median) takes at most this share of the interval
FITTING = 0.8  # ...and fits the interval in this share of the frames at least
LATE = 0.8  # of which this share still ends past the interval
MIN_FRAMES = 30


@attrs.frozen
class Overshoot:
    """The pacing wait `name` on `thread` ends the frames at `median_ns` while the work before it takes `work_ns`
    (medians); `late` of the `fitting` frames whose work fits `target_ns` end past it, by `by_ns` (median)."""

    name: str
    thread: str
    median_ns: float
    work_ns: float
    target_ns: float
    late: int
    fitting: int
    by_ns: float

    def line(self) -> str:
        fps, target = 1e9 / self.median_ns, 1e9 / self.target_ns
        return (
            f"The frame-pacing wait, not the work, sets the frame time: {self.name} ({self.thread}) ends the frames "
            f"at a median {fmt_ns(self.median_ns)} ({fps:.1f} fps) while the work before it takes a median "
            f"{fmt_ns(self.work_ns)}; {self.late} of the {self.fitting} frames whose work fits "
            f"{fmt_ns(self.target_ns)} ({target:.0f} fps) still end past it, by a median {fmt_ns(self.by_ns)}: the "
            f"wait oversleeps a {target:.0f} fps deadline (a sleep rounded up, a margin added), or it aims at "
            f"{fps:.1f} fps."
        )


def _loop(ctx: Capture) -> tuple[FramePhases, np.ndarray, float] | None:
    """(the main frames' phases, the gameplay frames' durations, their median), or None with too few of them or
    two marks per loop."""
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) < MIN_FRAMES or paired_marks(ctx, ph):
        return None
    frame = ph.dur[ph.gameplay].astype(np.float64)
    return ph, frame, float(np.median(frame))


def pacer_overshoot(ctx: Capture) -> Overshoot | None:
    """The Overshoot of the main frames' pacing wait, or None (no pacer, frames at a common rate, or work that
    reaches the interval itself)."""
    loop = _loop(ctx)
    if loop is None:
        return None
    ph, frame, median = loop
    g = ph.gameplay
    intervals = [1e9 / hz for hz in RATES_HZ]
    if any(abs(median - x) <= AT_RATE * x for x in intervals):
        return None  # the loop runs at a common rate: paced as meant
    below = [x for x in intervals if x * (1 + ABOVE) <= median]
    win = ph.window()
    if not below or win is None:
        return None
    target = max(below)
    pacer = next((w for w in wait_zones(ctx, *win, ph) if w.kind == PACES), None)
    if pacer is None:
        return None
    name = str(ctx._srclocs().names[pacer.name_idx])
    work = frame - time_in_frames(ctx, ph, name, pacer.thread_row)[g]
    fits = work <= target
    if float(np.median(work)) > WORK_FITS * target or fits.mean() < FITTING:
        return None  # the work itself reaches the interval: the frames are long because of it
    if any(
        abs(median - k * x) <= AT_RATE * k * x and float(np.median(work)) > (k - 1) * x
        for x in intervals
        for k in (2, 3, 4)
    ):
        return None  # work past one vsync interval waits for the next: 90 Hz's 22.2 ms is no 48 fps overshoot
    late = fits & (frame > target * (1 + AT_RATE))
    if late.sum() < LATE * fits.sum():
        return None
    labels = ctx._thread_labels()
    where = labels[pacer.thread_row] if 0 <= pacer.thread_row < len(labels) else f"thread {pacer.thread_row}"
    return Overshoot(
        name,
        where,
        median,
        float(np.median(work)),
        target,
        int(late.sum()),
        int(fits.sum()),
        float(np.median(frame[late] - target)),
    )


SLEEP_SELF = 0.95  # a fixed sleep is this share its own time (no zones inside)
ONCE = 0.1  # ...runs once per gameplay frame, to within this share
SLEEP_HOLDS = 0.8  # ...holds this share of the median frame at least
SLEEP_STEADY = 0.05  # ...lasts the same to within this share of its median (p10 to p90)
ABSORBS = -0.5  # ...and does not shrink as the work before it grows (a deadline sleep's correlation is near -1)


@attrs.frozen
class FixedSleep:
    """The zone `name` on `thread` sleeps a median `sleep_ns`, about the interval `target_ns`, in every frame,
    whatever the work (correlation `corr`): the frames take a median `median_ns`, the work plus the sleep."""

    name: str
    thread: str
    sleep_ns: float
    target_ns: float
    median_ns: float
    corr: float

    def line(self) -> str:
        hz = 1e9 / self.target_ns
        return (
            f"The loop sleeps a fixed time, not to a deadline: {self.name} ({self.thread}) lasts a median "
            f"{fmt_ns(self.sleep_ns)} (about {hz:.0f} Hz's {fmt_ns(self.target_ns)}) in every frame whatever the work "
            f"before it took (correlation with that work {self.corr:+.2f}), so each frame is the work plus the "
            f"sleep: a median {fmt_ns(self.median_ns)} ({1e9 / self.median_ns:.1f} Hz) instead of "
            f"{fmt_ns(self.target_ns)}; sleep until the next deadline (the frame's start plus the interval) instead."
        )


def fixed_sleep(ctx: Capture) -> FixedSleep | None:
    """The FixedSleep of the main frames' loop, or None."""
    loop = _loop(ctx)
    if loop is None:
        return None
    ph, frame, median = loop
    g = ph.gameplay
    t, sl = ctx._cpu(), ctx._srclocs()
    lo, hi = int(ph.start[g[0]]), int(ph.end[g[-1]])
    selft = ctx.self_time_array()
    waits = wait_names(ctx)
    for name in sl.names:
        rows = t.stat_rows(sl.rows_of(str(name)))
        rows = rows[t.valid[rows] & (t.start[rows] >= lo) & (t.end[rows] <= hi)]
        if abs(len(rows) - len(g)) > ONCE * len(g):
            continue
        owners, counts = np.unique(t.owner[rows], return_counts=True)
        owner = int(owners[np.argmax(counts)])
        mine = rows[t.owner[rows] == owner]
        total = float(t.dur[mine].sum())
        if abs(len(mine) - len(g)) > ONCE * len(g) or total <= 0 or selft[mine].sum() < SLEEP_SELF * total:
            continue
        sleep = time_in_frames(ctx, ph, str(name), owner)[g]
        mid = float(np.median(sleep))
        p10, p90 = np.percentile(sleep, [10, 90])
        if mid < SLEEP_HOLDS * median or p90 - p10 > SLEEP_STEADY * mid or str(name) in waits:
            continue  # a short part of the frame, one that varies, or a wait for other threads (judged elsewhere)
        target = next((1e9 / hz for hz in RATES_HZ if abs(mid - 1e9 / hz) <= AT_RATE * 1e9 / hz), None)
        if target is None or median < target * (1 + AT_RATE):
            continue
        work = frame - sleep
        corr = float(np.corrcoef(sleep, work)[0, 1]) if np.std(sleep) > 0 and np.std(work) > 0 else 0.0
        if corr <= ABSORBS:
            continue  # it shortens as the work grows: a sleep to a deadline (pacer_overshoot tells a late one)
        labels = ctx._thread_labels()
        where = labels[owner] if 0 <= owner < len(labels) else f"thread {owner}"
        return FixedSleep(str(name), where, mid, target, median, corr)
    return None


def late_pacing(ctx: Capture) -> Overshoot | FixedSleep | None:
    """Why a paced loop's frames are all longer than its interval, when the loop's waiting is why: a pacing wait
    that oversleeps (pacer_overshoot), or a fixed sleep (fixed_sleep); None otherwise."""
    return pacer_overshoot(ctx) or fixed_sleep(ctx)
