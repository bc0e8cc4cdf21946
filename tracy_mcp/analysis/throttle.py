"""Frames a loop slept through on purpose: a stretch of long frames, each almost all one zone that only sleeps (no
zones inside it) and that typical frames never run, while the loop's usual work stops (a window in the background
throttled to 10 fps, a game paused behind a menu that sleeps). They are long by design, not hitches: slow_frames
leaves them out and says why, so the hitches in the active part stand out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.program_messages import in_frames

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

I64 = np.int64
COVER = 0.7  # the sleeping zone covers this share of each such frame at least...
OWN = 0.95  # ...and this share of it is its own time (it sleeps: nothing inside it)
MIN_STRETCH = 3  # consecutive frames of it at least
ABSENT = 0.02  # typical frames run it this rarely at most (per frame)
KEYS_TRIED = 4  # (zone, thread) pairs tried, the most frequent first
FEWER = 0.5  # the thread runs at most this share of its typical zones per frame in them: its work stopped


@attrs.frozen
class Throttle:
    frames: np.ndarray  # frame indices of the stretches
    name: str
    thread: str
    sleep_ns: np.ndarray  # the sleeping zone's duration in each frame
    zones_then: float  # the thread's other zones per frame, median, in the stretches...
    zones_typical: float  # ...and in typical frames
    stretches: list[tuple[int, int]]  # (first, last) frame of each stretch
    said: str  # the program's message as the first stretch began, "" for none

    def clause(self, ph: FramePhases) -> str:
        """'; 20 frame(s) 2.976-4.976 s left out: the loop slept in Platform::ThrottleBackground (Main thread,
        99.44 ms..99.93 ms a frame) instead of working (1 other zone a frame vs 31 typically), slowed down on purpose
        (as the program logged 'Window lost focus: throttling to 10 fps')'"""
        first = ph.start[self.stretches[0][0]] - ph.start[0]
        last = ph.end[self.stretches[-1][1]] - ph.start[0]
        where = (
            f"{first / 1e9:.3f}-{last / 1e9:.3f} s"
            if len(self.stretches) == 1
            else f"in {len(self.stretches)} stretches from {first / 1e9:.3f} s to {last / 1e9:.3f} s"
        )
        lo, hi = float(self.sleep_ns.min()), float(self.sleep_ns.max())
        span = fmt_ns(float(np.median(self.sleep_ns))) if hi - lo < 0.01 * hi else f"{fmt_ns(lo)}..{fmt_ns(hi)}"
        return (
            f"; {len(self.frames)} frame(s) {where} left out: the loop slept in {self.name} ({self.thread}, {span} a "
            f"frame) instead of working ({self.zones_then:g} other zone(s) a frame vs {self.zones_typical:g} "
            "typically), slowed down on purpose" + (f" (as the program logged '{self.said}')" if self.said else "")
        )


def throttled(ctx: Capture, ph: FramePhases, slow: np.ndarray, typical: np.ndarray) -> Throttle | None:
    """The frames of `slow` the loop slept through on purpose (see the module doc); None when there are none."""
    if len(slow) < MIN_STRETCH or len(typical) == 0:
        return None
    t, sl = ctx._cpu(), ctx._srclocs()
    floor = COVER * float(ph.dur[slow].min())
    long = np.flatnonzero(t.valid & (t.dur >= floor))
    long = long[ctx.self_time_array()[long] >= OWN * t.dur[long]]
    if len(long) == 0:
        return None
    fi = np.searchsorted(ph.start, t.start[long], "right") - 1
    ok = (fi >= 0) & np.isin(fi, slow)
    long, fi = long[ok], fi[ok]
    covers = t.dur[long] >= COVER * ph.dur[fi]
    long, fi = long[covers], fi[covers]
    if len(long) < MIN_STRETCH:
        return None
    name_of = sl.name_idx[np.clip(t.srcloc[long], 0, len(sl) - 1)].astype(I64)
    owner = t.owner[long].astype(I64)
    key = name_of * (int(owner.max()) + 1) + owner
    counts = np.bincount(key)
    for top in np.argsort(-counts, kind="stable")[:KEYS_TRIED].tolist():
        if counts[top] < MIN_STRETCH:
            break
        mine = key == top
        found = _check(ctx, ph, typical, long[mine], fi[mine], int(name_of[mine][0]), int(owner[mine][0]))
        if found is not None:
            return found
    return None


def _check(
    ctx: Capture, ph: FramePhases, typical: np.ndarray, rows: np.ndarray, frames: np.ndarray, name_idx: int, thread: int
) -> Throttle | None:
    """One zone's long runs (`rows`, in `frames`) as a throttled stretch, or None: in consecutive frames, never in
    typical ones, and the thread's usual work stopped (a thread that waits through the stretch for the loop, like a
    render thread, runs its wait in typical frames too)."""
    t, sl = ctx._cpu(), ctx._srclocs()
    frames, first = np.unique(frames, return_index=True)
    rows = rows[first]
    stretches = _stretches(frames)
    if not stretches:
        return None
    keep = np.concatenate([np.arange(a, b + 1) for a, b in stretches])
    sel = np.isin(frames, keep)
    frames, rows = frames[sel], rows[sel]
    on = np.flatnonzero(t.owner == thread)
    at = np.searchsorted(ph.start, t.start[on], "right") - 1
    okf = at >= 0
    per_frame = np.bincount(at[okf], minlength=len(ph.start))
    same = sl.name_idx[np.clip(t.srcloc[on[okf]], 0, len(sl) - 1)] == name_idx
    its = np.bincount(at[okf][same], minlength=len(ph.start))
    if its[typical].sum() > ABSENT * len(typical):
        return None
    then = float(np.median(per_frame[frames] - its[frames]))
    usual = float(np.median(per_frame[typical]))
    if then > FEWER * usual:
        return None  # the loop did its usual work and slept on top of it: a sleep that costs, not a pause
    return Throttle(
        frames.astype(I64),
        str(sl.names[name_idx]),
        ctx._thread_labels()[thread],
        t.dur[rows].astype(I64),
        then,
        usual,
        stretches,
        _said(ctx, ph, stretches[0][0], thread),
    )


def _stretches(frames: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) of each run of at least MIN_STRETCH consecutive frame indices."""
    if len(frames) == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(frames) - 1]])
    return [(int(frames[a]), int(frames[b])) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= MIN_STRETCH]


def _said(ctx: Capture, ph: FramePhases, first: int, thread: int) -> str:
    """The program's message as the stretch began: logged in its first frame or the one before, on its thread when
    there is one there."""
    labels = ctx._thread_labels()
    msgs = in_frames(ctx, ph, np.asarray([max(first - 1, 0), first], I64))
    own = [m for m in msgs if m["thread"] == labels[thread]]
    pick = (own or msgs)[-1:] if msgs else []
    return str(pick[0]["text"]) if pick else ""
