"""Which frames of a frame set are gameplay, start-up, tear-down or the trailing partial frame.

Judged from structure and timing, never from zone names:
- frame 0 of the base set "Frame" is the span before the profiler client started (Tracy marks a frame there);
- the frames after it are start-up while they are over the slow threshold AND either no zone starts in them (the
  program waits, e.g. for the profiler) or they hold a zone whose source location never runs again (one-off loading);
- tear-down mirrors that at the end (slow, and holding zones that never ran before);
- the last frame of a continuous set runs from the last mark to the capture's last event: partial.
Every other frame is gameplay; medians and thresholds are taken over gameplay frames only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64

GAMEPLAY, STARTUP, TEARDOWN, TRAILING = 0, 1, 2, 3
MARKLESS = 2  # a base frame set this short holds no frame mark of the program's
MARKLESS_LAST = 0.9  # ...nor one frame longer whose last frame spans this share of the capture
FRAMING = 0.5  # a discontinuous set whose frames cover this share of the capture can stand in for frames
PERIODIC = 0.03  # a set whose frames (10th to 90th percentile) last the median to within 3% runs at a fixed
PERIODIC_MIN = 20  # period, given at least this many frames
LOAD_AHEAD = 3  # a one-off load this many frames after the start-up frames makes the frames before it start-up...
LOAD_MIN_FRAMES = 20  # ...in the base frame set of this many frames (a set of 4 phases has no splash frame)
LOAD_FACTOR = 5.0  # ...when it is this many times the median frame (a load, not a hitch)
WAITING_BUSY = 0.25  # a long first frame whose busiest thread runs zones this share of it at most waits: start-up
KIND_NAMES = ("gameplay", "start-up", "tear-down", "trailing partial")


@attrs.frozen
class FramePhases:
    """Frames of one set with their kind; `median_ns` and `threshold_ns` are over gameplay frames."""

    set_name: str
    start: np.ndarray
    end: np.ndarray
    dur: np.ndarray
    kind: np.ndarray  # int8, GAMEPLAY..TRAILING
    reason: dict[int, str]  # why a frame is not gameplay
    median_ns: float  # NaN when there are no gameplay frames
    threshold_ns: float  # the slow threshold: the budget, or factor x median

    @property
    def gameplay(self) -> np.ndarray:
        return np.flatnonzero(self.kind == GAMEPLAY)

    def window(self) -> tuple[int, int] | None:
        """[start, end) from the first gameplay frame's start to the last one's end; None without gameplay frames."""
        g = self.gameplay
        if len(g) == 0:
            return None
        return int(self.start[g[0]]), int(self.end[g[-1]])


def frame_phases(
    ctx: Capture, frame_set: str | None = None, *, factor: float = 2.0, budget_ns: float | None = None
) -> FramePhases | None:
    """Classify the frames of a set (the base set by default); None when the capture has no such frames.
    Raises KeyError for an unknown set name."""
    if frame_set is None and not ctx._frame_sets():
        return None
    key = ("frame_phases", frame_set, float(factor), None if budget_ns is None else float(budget_ns))
    return ctx._db.cached(key, lambda: _build(ctx, frame_set, float(factor), budget_ns))


def periodic(ph: FramePhases | None) -> bool:
    """Most of the set's gameplay frames last the same to within PERIODIC (a callback at a fixed period, where a
    frame 1.5 periods long lost a period)."""
    if ph is None or len(ph.gameplay) < PERIODIC_MIN:
        return False
    lo, hi = np.percentile(ph.dur[ph.gameplay], [10, 90])
    return bool(lo >= (1 - PERIODIC) * ph.median_ns and hi <= (1 + PERIODIC) * ph.median_ns)


def markless(ctx: Capture) -> bool:
    """The program never marked a base frame: the base set holds only the spans before and after the client started
    (MARKLESS frames; a 0.13 client adds one more, short, at its start, and the last then spans nearly all of the
    capture)."""
    sets = ctx._frame_sets()
    if not sets:
        return True
    n = sets[0]["end"] - sets[0]["begin"]
    if n <= MARKLESS:
        return True
    if n > MARKLESS + 1:
        return False
    start, end, _ = ctx._frame_bounds(sets[0])
    # the capture's own span: the first frame can open long before the first event (the client's start-up)
    span = int(ctx.get_last_time()) - max(int(start[0]), int(ctx.get_first_time()))
    return span > 0 and (int(ctx.get_last_time()) - int(start[-1])) >= MARKLESS_LAST * span


def default_frame_set(ctx: Capture) -> str | None:
    """The frame set the analyses use by default: the base set "Frame", unless the program never marked it (only
    the spans before and after the client started: at most MARKLESS frames) and marked a named set instead (the
    one with the most frames); None for the base set."""
    sets = ctx._frame_sets()
    if not sets or not markless(ctx):
        return None
    # a discontinuous set marks one activity's spans (a flush, a request batch): a frame only when its spans
    # cover most of the run
    framing = [f for f in sets[1:] if f["continuous"] or _coverage(ctx, f) >= FRAMING]
    named = max(framing, key=lambda f: f["end"] - f["begin"], default=None)
    if named is None or named["end"] - named["begin"] <= MARKLESS:
        return None
    return str(named["name"])


def _coverage(ctx: Capture, fs: dict[str, Any]) -> float:
    """The share of the capture's time inside the frames of set `fs` (those with an end)."""
    db = ctx._db
    start = db.col("frames", "start")[fs["begin"] : fs["end"]].astype(np.int64)
    end = db.col("frames", "end")[fs["begin"] : fs["end"]].astype(np.int64)
    span = int(ctx.get_last_time()) - int(ctx.get_first_time())
    ok = end >= start
    return float((end[ok] - start[ok]).sum()) / max(span, 1)


def _build(ctx: Capture, frame_set: str | None, factor: float, budget_ns: float | None) -> FramePhases | None:
    fs = ctx._named_frame_set(frame_set if frame_set is not None else default_frame_set(ctx))
    base = ctx._frame_sets()[0]["row"] == fs["row"]
    if frame_set is None and base and markless(ctx):
        return None  # the program never marked a frame: there are no frames to speak of
    start, end, dur = ctx._frame_bounds(fs)
    n = len(start)
    if n == 0:
        return None
    kind = np.zeros(n, np.int8)
    reason: dict[int, str] = {}
    lo, hi = 0, n
    if base and fs["continuous"]:
        kind[0] = STARTUP
        reason[0] = "before the profiler client started: Tracy marks a frame there"
        lo = 1
    if fs["continuous"] and n - lo >= 2:
        kind[n - 1] = TRAILING
        reason[n - 1] = "after the last frame mark"
        hi = n - 1
    elif not fs["continuous"] and int(ctx._db.col("frames", "end")[fs["end"] - 1]) < 0:
        kind[n - 1] = TRAILING
        reason[n - 1] = "never ended"
        hi = n - 1
    if hi > lo:
        med = float(np.median(dur[lo:hi]))
        # start-up / tear-down frames must be slow by the plain factor rule even when a budget is given
        loose = factor * med if budget_ns is None else max(float(budget_ns), factor * med)
        t = ctx._cpu()
        i = lo
        while i < hi - 1 and dur[i] > loose:
            why = _one_off(ctx, t, int(start[i]), int(end[i]), leading=True)
            if why is None:
                break
            kind[i], reason[i] = STARTUP, why
            i += 1
        # a level load a frame or two later (a splash frame first): the frames up to it are start-up as well
        for k in range(i, min(i + LOAD_AHEAD, hi - 1) if base and hi - lo >= LOAD_MIN_FRAMES else i):
            if dur[k] <= LOAD_FACTOR * med:
                continue
            why = _one_off(ctx, t, int(start[k]), int(end[k]), leading=True)
            if why is None or not why.startswith("holds zones that never run again"):
                break
            for m in range(i, k):
                kind[m], reason[m] = STARTUP, f"before the one-off load in frame {k}"
            kind[k], reason[k] = STARTUP, why
            i = k + 1
            break
        j = hi - 1
        while j > i and dur[j] > loose:
            why = _one_off(ctx, t, int(start[j]), int(end[j]), leading=False)
            if why is None:
                break
            kind[j], reason[j] = TEARDOWN, why
            j -= 1
    g = kind == GAMEPLAY
    med = float(np.median(dur[g])) if g.any() else float("nan")
    thr = float(budget_ns) if budget_ns is not None else factor * med
    return FramePhases(str(fs["name"]), start, end, dur, kind, reason, med, thr)


def _one_off(ctx: Capture, t: ZoneTree, s: int, e: int, *, leading: bool) -> str | None:
    """Why [s, e) looks like start-up (leading) / tear-down work, or None when it looks like a regular frame.
    A zone kind "never runs again" when all its zones start before `e` (before the end of this and the earlier
    start-up frames); it "never ran before" when all start at or after `s`."""
    rows = ctx._zone_rows_starting_in(s, e)
    rows = rows[t.valid[rows] & (t.dur[rows] > 0) & t.known_srcloc[rows]]
    if len(rows) == 0:
        return "no zone starts in it: the program waits"
    total = t.srcloc_stats().count
    side = ctx._zone_rows_starting_in(-(2**62), e) if leading else ctx._zone_rows_starting_in(s, 2**62)
    side = side[t.valid[side] & (t.dur[side] > 0) & t.known_srcloc[side]]
    seen = np.bincount(t.srcloc[side], minlength=len(total))
    u = np.unique(t.srcloc[rows])
    once = u[seen[u] == total[u]]
    if len(once) == 0:
        return _mostly_waiting(ctx, t, rows, s, e) if leading else None
    mask = np.isin(t.srcloc[rows], once)
    r = int(rows[mask][int(np.argmax(t.dur[rows[mask]]))])
    name = ctx._srclocs().name[int(t.srcloc[r])]
    what = "never run again" if leading else "never ran before"
    return f"holds zones that {what} ({len(once)} kinds), e.g. {name} {t.dur[r] / 1e6:.1f} ms"


def _mostly_waiting(ctx: Capture, t: ZoneTree, rows: np.ndarray, s: int, e: int) -> str | None:
    """Why a long leading frame is start-up although its zones run again: no thread runs zones through more than
    WAITING_BUSY of it (a sleep before the loop, then one regular frame's work); None otherwise."""
    top = rows[t.depth[rows] == 0]
    if len(top) == 0:
        return None
    busy = np.bincount(t.owner[top].astype(np.int64), weights=np.minimum(t.end[top], e) - t.start[top])
    th = int(np.argmax(busy))
    if busy[th] > WAITING_BUSY * (e - s):
        return None
    most = f"{busy[th] / (e - s):.0%} of it at most ({ctx._thread_labels()[th]})"
    return f"its threads run zones through {most}: it waits"


def time_in_frames(ctx: Capture, ph: FramePhases, name: str, thread_row: int | None = None) -> np.ndarray:
    """Per frame of `ph`: the time in runs of zone `name` (on `thread_row`, or any thread) that start in it."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows] & ((t.owner[rows] == thread_row) if thread_row is not None else True)]
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
    ok = fi >= 0
    return np.bincount(fi[ok], weights=t.dur[rows][ok].astype(np.float64), minlength=len(ph.start))


def phase_rows(ph: FramePhases) -> dict[str, Any]:
    """The frames that are not gameplay as table columns: frame, kind, start_ns, duration_ns, reason."""
    idx = np.flatnonzero(ph.kind != GAMEPLAY)
    return {
        "frame": idx.astype(I64),
        "kind": np.asarray([KIND_NAMES[int(ph.kind[i])] for i in idx], dtype=object),
        "start_ns": ph.start[idx],
        "duration_ns": ph.dur[idx],
        "reason": np.asarray([ph.reason.get(int(i), "") for i in idx], dtype=object),
    }


PAIRED_MIN = 40  # gameplay frames needed to call frame marks paired
PAIRED_COUNT = 0.1  # a loop zone's runs within this of half the frames
PAIRED_INSIDE = 0.8  # ...with a frame mark inside this share of its runs
PAIRED_SPLIT = 1.5  # ...and the two halves of a pair this far apart (medians)


def paired_marks(ctx: Capture, ph: FramePhases | None) -> str:
    """When the program marks two frames per pass of its loop (FrameMark in two places), a line saying so with the
    loop zone as evidence; "" otherwise. Computed once per frame set."""
    if ph is None:
        return ""
    out: str = ctx._db.cached(("paired_marks", ph.set_name), lambda: _paired_marks(ctx, ph))
    return out


def _paired_marks(ctx: Capture, ph: FramePhases | None) -> str:
    """The evidence: a top-level zone that runs once per two frames with a frame mark inside most of its runs,
    while the frames alternate long and short."""
    if ph is None or len(ph.gameplay) < PAIRED_MIN:
        return ""
    g = ph.gameplay
    d = ph.dur[g].astype(np.float64)
    m = len(d) // 2
    even, odd = np.median(d[0 : 2 * m : 2]), np.median(d[1 : 2 * m : 2])
    if min(even, odd) <= 0 or max(even, odd) < PAIRED_SPLIT * min(even, odd):
        return ""
    lo, hi = int(ph.start[g[0]]), int(ph.end[g[-1]])
    t = ctx._cpu()
    rows = ctx._zone_rows_starting_in(lo, hi)
    rows = rows[(t.depth[rows] == 0) & t.valid[rows]]
    if len(rows) == 0:
        return ""
    loc, count = np.unique(t.srcloc[rows], return_counts=True)
    best: tuple[float, int, np.ndarray, float] | None = None  # the longest such zone: the loop itself
    for k in np.flatnonzero(np.abs(count - len(g) / 2) <= PAIRED_COUNT * len(g) / 2).tolist():
        runs = rows[t.srcloc[rows] == loc[k]]
        after = np.searchsorted(ph.start, t.start[runs], "right")
        ok = after < len(ph.start)
        inside = np.zeros(len(runs), bool)
        inside[ok] = ph.start[after[ok]] < t.end[runs][ok]
        typical = float(np.median(t.dur[runs]))
        if inside.mean() >= PAIRED_INSIDE and (best is None or typical > best[0]):
            best = (typical, int(loc[k]), runs, float(inside.mean()))
    if best is None:
        return ""
    _, k, runs, share = best
    name = ctx._srclocs().name[k]
    thread = ctx._thread_labels()[int(np.bincount(t.owner[runs].astype(np.int64)).argmax())]
    pair = float(np.median(d[0 : 2 * m : 2] + d[1 : 2 * m : 2]))
    return (
        f"Two frame marks per loop: {name} ({thread}) runs once per two frames ({len(runs)} runs in {len(g)} "
        f"gameplay frames) with a frame mark inside {share:.0%} of its runs, and the frames alternate "
        f"{even / 1e6:.2f} / {odd / 1e6:.2f} ms (medians), {pair / 1e6:.2f} ms a pair = {1e9 / pair:.1f} loops a "
        f"second: the program marks a frame twice per pass (FrameMark in two places), so the real rate is half "
        f"the frames' ({1e9 / np.median(d):.1f} fps by the marks)."
    )
