"""slow_frames: the gameplay frames over a budget (or over `factor` x the median frame), and what made them slow.

Start-up frames (before the profiler client's start, and the program's loading frames), tear-down frames and the
trailing partial frame are recognised structurally (frame_phases) and reported apart, never counted as hitches. For each
slow frame, the self time of every (thread, zone name) is compared with its median over the non-slow gameplay frames;
the zone that grew most on the frame's thread (the thread whose zones cover the typical frame) is that frame's culprit,
and the culprit of the report is the one that is top in the most slow frames. Zones that wait rather than work
(wait_zones: a frame pacer shrinks when work grows) are never culprits; they are named as waits.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.alternating_frames import alternating
from tracy_mcp.analysis.cpu_runs import thread_runs
from tracy_mcp.analysis.formatting import clause_before, clip_text, fmt_bytes, fmt_ms, fmt_ns, fmt_pct, pool_of
from tracy_mcp.analysis.frame_phases import (
    GAMEPLAY,
    KIND_NAMES,
    FramePhases,
    frame_phases,
    paired_marks,
    periodic,
    phase_rows,
    time_in_frames,
)
from tracy_mcp.analysis.frame_self_time import FrameSelfTime, frame_self_time, frame_thread
from tracy_mcp.analysis.frame_trend import FrameTrend, frame_time_plot, frame_trend
from tracy_mcp.analysis.gpu_load import gpu_cause
from tracy_mcp.analysis.locations import grown_location
from tracy_mcp.analysis.lock_contention import ChainLink, WindowWaits, chain_text, hold_chain, lock_waits_in_windows
from tracy_mcp.analysis.memory_report import bytes_allocated_during
from tracy_mcp.analysis.pacer_overshoot import AT_RATE, late_pacing
from tracy_mcp.analysis.program_messages import in_frames, most_logged, template
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.scope import frame_pair
from tracy_mcp.analysis.slow_together import together
from tracy_mcp.analysis.slow_units import slow_units
from tracy_mcp.analysis.throttle import throttled
from tracy_mcp.analysis.wait_zones import (
    IDLE,
    PACES,
    WaitZone,
    frame_waits,
    joined_work,
    top_work,
    wait_names,
    wait_zones,
    work_ended_before,
)
from tracy_mcp.analysis.zone_at import innermost
from tracy_mcp.analysis.zone_paths import zone_texts

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
DETAIL = 50  # at most this many of the slowest frames are analysed zone by zone ...
DETAIL_ROWS = 400_000  # ... and at most about this many zones in them (at least 10 frames)
TYPICAL_ROWS = 200_000  # about this many zones of typical frames give the typical values (15 to 100 frames)
TOP_ZONES = 5  # growing zones listed per analysed frame
SHOWN = 15  # frames listed in the summary
LONGEST_MANY = 10  # more slow frames than this: the LONGEST longest are named in the title, each with its cause
LONGEST = 3
LONGEST_GAP = 1.25  # ...when the last of them is this many times the next longest
ELSEWHERE_SHARE = 0.25  # the frame thread's top growth under this share of the frame's excess: another thread's
# work that grew by more than this share is the frame's cause...
ELSEWHERE_RATIO = 4.0  # ...when it grew this many times as much (a paced frame's excess is a whole interval)
SLOW = "the slow frames"  # how the default report names the frames it analyses
NOT_SLOWER = 1.05  # a chosen frame at most this x the median frame is not called slower
RUNS_AT_USUAL_COST = "more runs at their usual cost"
CATCH_UP_FRAMES = 4  # slow frames this close after a one-off, running a step more often, catch up after it
SECOND_CAUSE_TEXT = "; a second cause, in "
EARLY_SHARE = 0.4  # slow frames all ending within this share of the gameplay frames' span: only early on
RARE_MESSAGE = 3  # a message kind known by its first two words is logged at most this many times per slow frame
WORK_EXPLAINS = 0.5  # the work a wait joins must have grown by this share of the wait's growth to be its cause
UNZONED = 0.5  # this share of the frames' excess outside the frame thread's zones leads the title...
UNZONED_CULPRIT = 0.25  # ...before a culprit that grew by less than this share of it
GAP_SHARE = 0.5  # ...naming the two zones around its largest gap when the same two bracket it in this share of
# frames and it holds this share of that time
NEAR = 15  # with the frame time drifting, typical frames are this close to the ones explained
LOCK_NOTABLE = 0.25  # a lock wait adding this share of the frames' excess is named
LOCK_LEADS = 0.5  # ... and leads the title when it is this share of the culprit's growth, inside the culprit
FOLLOW_SHARE = 0.25  # the waited-for thread's top work must explain this share of the wait's growth
PERIOD_SPREAD = 1.15  # slow frames whose gaps in seconds stay within this ratio come on a timer
REGULAR_MAX = 8  # slow frames at a fixed step of at most this many frames...
REGULAR_SHARE = 0.8  # ...in this share of the gaps: a periodic pattern (every other frame)
POOL_BUSY = 0.6  # this share of the slow frames found the pool held (and half that share of typical frames at most)
HALF_POOL = 0.5  # the pool is held when this share of its threads run other work than the frame's jobs
BESIDE_SHARE, BESIDE_COVER, BESIDE_IN, BESIDE_MAX = 0.5, 0.8, 0.8, 4  # _grew_beside's thresholds
SECOND_EXPLAINS = 0.5  # ...whose growth is this share of each of its frames' excess over the median at least
SECOND_CAUSE = 0.25  # another zone growing most in this share of the slow frames (2 at least) is in the title
OTHER_CULPRITS = 3  # slow frames the culprit does not explain: this many other zones named
DEFAULT_FACTOR = 2.0  # slow = over this x the median frame...
OVERRUN = 1.05  # a paced frame whose work (the frame minus its pacing wait) is this x the median overran its period
PACED_FACTOR = 1.5  # ...or, when a wait paces the frames (vsync, a limiter) and none is over 2x, this x: such a
# frame missed its interval (with frames over 2x, those between are named beside them); also for a named set at a
# fixed period (frame_phases.periodic: an audio callback)
PACED_LATE = 1.2  # ...or, with none over PACED_FACTOR, this x (a few frames and LEVEL_MAX of them at most,
PACED_GAP = 1.1  # this x the longest of the others at least: _late_level)
ONE_INTERVAL = 2.1  # a paced frame up to this x the median missed one interval, like those over PACED_FACTOR
WAKE_NS = 1_000_000  # a wait that ends this soon after a job ends waited for it
POOLED_SHARE = 0.5  # ...and that job, summed over its pool's threads, grew by this share of the frame's excess
BIG_ALLOC = 8 * 2**20  # a culprit whose runs allocate this many bytes each: the allocation is part of the why
PREEMPTED = 0.3  # the frame thread's added wait for a core, this share of the slow frames' excess, is told...
PREEMPTED_LEADS = 0.5  # ...and in the title at this share
CHAIN_MAX = 3  # waits inside the job waited for, followed to the work at the end of the chain
CHAIN_SHARE = 0.7  # ...when this share of the inner wait's runs end right after other work
PASS_THROUGH = 0.95  # a zone whose one child holds this share of it, doing next to nothing itself, wraps it
WRAP_DEPTH = 6  # wrappers looked through at most
SHORT_LAST = 0.3  # the job ending last before an inner wait's end, this short against the wait, is not its cause
CLIMB = 0.8  # a culprit adding under this share of its parent zone's growth: the parent (its steps together) is it
MAX_CLIMB = 4
LOCKED_IDLE = 0.5  # an input wait whose time in its long frames is this share lock waits is no input wait
CHILD_EXPLAINS = 0.7  # a child of the waited-for job adding this share of its growth is named inside it
CHILD_SAMPLE = 200  # the job's other runs read for its children's typical time
LEVEL_FROM = 1.2  # two levels of frame time: the gap sought above this x the median...
LEVEL_GAP = 1.2  # ...at least this wide (the next frame time over the last)...
LEVEL_MIN, LEVEL_MIN_FRAMES = 0.02, 3  # ...with this share of the frames (and this many) above it...
LEVEL_GAP_FEW = 1.3  # ...or fewer than that share (this many still), above a gap this wide
LEVEL_MAX = 0.4  # ...and no more (half the frames at each level: alternating frames, not hitches)
POOL_ASLEEP = "A late wake-up"  # a pool asleep in a wait when the frame needed it (a missed notify)
RUNS_GREW = 1.5  # a culprit that ran this many times as often per slow frame: say so, with its time per run
SAME_PER_RUN = 0.25  # per-run times within this of each other: the runs cost what they usually do
LOOP_COUNT = 0.05  # a fixed-period set's loop zone runs once per frame (to within this share)...
LOOP_START = 0.1  # ...and starts within this share of the period after its frame does
LATE_WAKE = 0.5  # this share of a chosen frame's added time in the frame-pacing wait: it woke late, no work grew
WORK_MIN_NS = 5_000_000  # an event loop's frame whose work is this long at least can be slow by its work alone
NEAR_MISS = 0.8  # frames over this share of the threshold are checked for the culprit's growth
SHRANK = 0.1  # zones of the frame thread that shrank by at least this share of the added time are named


@attrs.define(repr=False)
class SlowFrames(Report):
    """Result of ``ctx.slow_frames()``. `table`: one row per slow frame: `excess_ns` = duration - median frame;
    `zone` / `thread` = the zone whose self time grew most on the frame's thread, with its `typical_ns` (median in
    other gameplay frames), `slow_ns` (in this frame) and `growth_ns` (slow - typical; zone "" and 0 ns when no zone
    grew); `share_of_added` = growth / all self time added on that thread; `share_of_excess` = growth / excess_ns,
    which exceeds 1 when a wait that paces the frame (vsync, a sleep) shrank and absorbed part of the growth.
    `tables`: "zones" (top-growing zones per analysed frame), "messages" (logged inside slow frames, or just
    before one that has none: `before`), "phases" (start-up / tear-down / partial frames)."""

    frame_set: str = ""
    median_ns: float = float("nan")
    threshold_ns: float = float("nan")
    gameplay: tuple[int, int] | None = None
    culprit: str | None = None
    culprit_thread: str | None = None
    culprit_where: str = ""  # the culprit's source location when several share its name (plain ZoneScoped)
    culprit_cause: str = ""  # why the culprit grew when a lock it waits for tells it ("it waits there for lock ...")
    typical_frames: int = 0  # how many frames the typical values are the median of
    overshoot: str = ""  # the frame-pacing wait, not the work, makes the frames long (pacer_overshoot)
    alternating: str = ""  # the frames alternate short and long: work on every second frame (alternating_frames)


FRAME_COLS = (
    "frame",
    "start_ns",
    "duration_ns",
    "x_median",
    "excess_ns",
    "zone",
    "thread",
    "typical_ns",
    "slow_ns",
    "growth_ns",
    "share_of_added",
    "share_of_excess",
    "messages",
)
ZONE_COLS = (
    "frame",
    "thread",
    "name",
    "typical_ns",
    "slow_ns",
    "growth_ns",
    "typical_count",
    "slow_count",
    "share_of_added",
    "wait",
)
MESSAGE_COLS = ("frame", "time_ns", "thread", "text", "before")


def _columns(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: np.asarray([r[k] for r in rows]) if rows else np.zeros(0) for k in keys}


def slow_frames(
    ctx: Capture,
    budget_ns: float | None = None,
    factor: float = DEFAULT_FACTOR,
    frame_set: str | None = None,
    frames: int | str | tuple[int, int] | None = None,
) -> SlowFrames:
    """The gameplay frames over `budget_ns` (or over `factor` x the median gameplay frame) and what made them
    slow: per slow frame its duration, x median, the zone whose self time grew most against typical frames on the
    frame's thread (typical vs slow), and the messages logged inside it; the culprit (top in the most slow frames)
    first. Start-up frames (before the profiler client's start, loading frames), tear-down and the trailing partial
    frame are reported apart. frame_set: a frame set name (default the base set "Frame"), or a zone name whose runs
    stand in for frames (a request, a write: `slow_units`). frames: a frame index, or
    (first, last), an inclusive range of them, to explain instead, whatever their duration ("what got slower in
    frame 812?": frames=812), against the typical gameplay frames outside the range."""
    if budget_ns is not None and not budget_ns > 0:
        raise ValueError("budget_ns must be a positive number of nanoseconds (16.67 ms = 16_666_667)")
    if not factor > 1:
        raise ValueError("factor must be above 1 (slow = factor x the median frame)")
    if frame_set is not None and ctx._frame_set(frame_set) is None and len(ctx._srclocs().rows_of(frame_set)):
        # not a frame set but a zone: its runs stand in for frames (a server's writes beside its reads)
        res = SlowFrames(title="", frame_set=f"runs of {frame_set}")
        if frames is None and slow_units(ctx, res, factor, budget_ns, unit=frame_set):
            return res
    pacing = _paced_phases(ctx, frame_set, factor, budget_ns)
    ph = pacing.ph
    res = SlowFrames(title="", frame_set=frame_set or "Frame")
    res.table = frame(_columns([], FRAME_COLS))
    res.tables = {"zones": frame(_columns([], ZONE_COLS)), "messages": frame(_columns([], MESSAGE_COLS))}
    if ph is None or len(ph.gameplay) == 0:
        if frames is None and frame_set is None and slow_units(ctx, res, pacing.factor, budget_ns):
            return res  # no frames: the program's unit of work (a request, a job) stands in for them
        what = "the capture has no frame marks" if ph is None else "only start-up and partial frames, no gameplay"
        res.title = f"slow_frames: none recorded ({what})."
        if ph is not None:
            res.tables["phases"] = frame(phase_rows(ph))
            res.lines = _phase_lines(ph)
        return res
    res.tables["phases"] = frame(phase_rows(ph))
    g = ph.gameplay
    res.frame_set, res.median_ns, res.threshold_ns = ph.set_name, ph.median_ns, ph.threshold_ns
    res.gameplay = (int(g[0]), int(g[-1]))
    if frames is not None:
        return _explain_frames(ctx, res, ph, frames, g[ph.dur[g] <= ph.threshold_ns])
    slow, typical, rule, trend = _slow_set(ctx, ph, pacing, frame_set, budget_ns)
    kind = "gameplay frames" if ph.set_name == "Frame" else "frames"  # a named set's are a callback's, a step's
    head = f"{len(slow)} slow frame(s) of {len(g)} {kind} ({g[0]}..{g[-1]} of set {ph.set_name!r}, {rule})"
    if len(slow) == 0:
        _none_slow(ctx, res, ph, head, rule, trend, frame_set, budget_ns)
        return res
    typical, near = _near_when_drifting(trend, slow, typical)
    _analyse(ctx, res, ph, slow, typical, head, base_ns=float(np.median(ph.dur[typical])) if near else None)
    _paced_clauses(ctx, res, ph, slow, pacing, frame_set, budget_ns)
    _gpu_culprit(ctx, res, ph, slow, typical, head)
    if near:
        res.lines.insert(0, near)
    paired = paired_marks(ctx, ph)
    if paired:
        res.lines.insert(0, paired)
    return res


@attrs.frozen
class _Pacing:
    """The frame phases at the factor that tells a hitch for this loop, and how its pacing decided that."""

    ph: FramePhases | None
    factor: float
    fixed: bool  # a fixed-period loop (an audio callback): a frame 1.5 periods long lost a period
    pacer: str  # the zone that paces the frames, when a frame over the factor missed its interval
    missed: str  # the line on paced frames between PACED_FACTOR and the factor: they missed an interval too
    missed_frames: np.ndarray


def _paced_phases(ctx: Capture, frame_set: str | None, factor: float, budget_ns: float | None) -> _Pacing:
    """The frame phases, with the factor lowered where the loop's pacing makes a shorter frame a hitch: a fixed
    period (1.5x), a paced loop whose frames never miss more than one interval (1.5x), a limiter that sleeps to a
    deadline (PACED_LATE)."""
    ph = frame_phases(ctx, frame_set, factor=factor, budget_ns=budget_ns)
    fixed = budget_ns is None and factor == DEFAULT_FACTOR and frame_set not in (None, "Frame") and periodic(ph)
    if fixed:  # a fixed-period loop (an audio callback): a frame 1.5 periods long lost a period
        factor = PACED_FACTOR
        ph = frame_phases(ctx, frame_set, factor=factor)
    pacer = _pacer(ctx, ph) if budget_ns is None and factor == DEFAULT_FACTOR else ""
    missed = ""  # paced frames between PACED_FACTOR and factor x the median: they missed an interval too
    missed_frames = np.zeros(0, np.int64)
    if pacer and ph is not None and len(ph.gameplay):
        d = ph.dur[ph.gameplay]
        over = ph.gameplay[(d > PACED_FACTOR * ph.median_ns) & (d <= factor * ph.median_ns)]
        if not (d > ONE_INTERVAL * ph.median_ns).any() and len(over):
            # no frame missed more than one interval, but a paced loop's frame at 1.5x already missed it: those are
            # the hitches (the ones a hair over 2x are the same kind, not worse)
            factor = PACED_FACTOR
            ph = frame_phases(ctx, frame_set, factor=factor)
        elif len(over):
            missed_frames = over
            shown = ", ".join(str(int(f)) for f in over[:8]) + (", …" if len(over) > 8 else "")
            missed = (
                f"{pacer} paces the frames: {len(over)} more frame(s) took over {PACED_FACTOR:g}x the median and so "
                f"missed an interval too: {shown} (slow_frames(factor={PACED_FACTOR:g}) explains them with these)."
            )
        elif not (d > PACED_FACTOR * ph.median_ns).any() and _late_level(d, ph.median_ns):
            # a limiter that sleeps to a deadline (no vsync to round up to): a late frame is late by what it
            # overran, a fifth of an interval already shows
            factor = PACED_LATE
            ph = frame_phases(ctx, frame_set, factor=factor)
        else:
            pacer = ""
    return _Pacing(ph, factor, fixed, pacer, missed, missed_frames)


def _slow_set(
    ctx: Capture, ph: FramePhases, pacing: _Pacing, frame_set: str | None, budget_ns: float | None
) -> tuple[np.ndarray, np.ndarray, str, FrameTrend]:
    """(slow frames, typical frames, the rule that told them apart, the frame trend): over the factor x the
    median, or each side of a step against its own median, or the upper of two levels of frame times; frames long
    only because the loop waited for input, or because the program was in the background, left out."""
    factor, pacer, fixed = pacing.factor, pacing.pacer, pacing.fixed
    g = ph.gameplay
    slow = g[ph.dur[g] > ph.threshold_ns]
    typical = g[ph.dur[g] <= ph.threshold_ns]
    rule = (
        f"over the {fmt_ns(ph.threshold_ns)} budget"
        if budget_ns is not None
        else f"over {factor:g}x the median {fmt_ns(ph.median_ns)} = {fmt_ns(ph.threshold_ns)}"
        + (
            f"; {pacer} paces the frames, so a frame that long missed its interval"
            if pacer and not pacing.missed
            else ""
        )
        + ("; the set runs at a fixed period, so a frame that long lost at least one period" if fixed else "")
    )
    trend = frame_trend(ctx, frame_set)  # once per call: the step, the drift and the neighbours all read it
    if budget_ns is None and trend.step_frame >= 0:  # two levels: a frame is slow against its own level's median
        k = int(np.searchsorted(g, trend.step_frame))
        lim = np.empty(len(g))
        lim[:k], lim[k:] = factor * np.median(ph.dur[g[:k]]), factor * np.median(ph.dur[g[k:]])
        slow, typical = g[ph.dur[g] > lim], g[ph.dur[g] <= lim]
        rule = (
            f"over {factor:g}x the median of their side of the step at frame {trend.step_frame}: "
            f"{fmt_ns(lim[0])} before, {fmt_ns(lim[-1])} from it on"
        )
    if budget_ns is None and factor == DEFAULT_FACTOR and not pacer and trend.step_frame < 0:
        upper = _upper_level(ph.dur[g], ph.median_ns, ph.threshold_ns)
        if upper is not None:  # the frame times sit at two levels: the upper one is the hitch the user sees
            cut, n, lo, hi = upper
            slow, typical = g[ph.dur[g] > cut], g[ph.dur[g] <= cut]
            rule = (
                f"over {fmt_ns(cut)}, the gap between the frame times' two levels: {n} frames at {fmt_ns(lo)}.."
                f"{fmt_ns(hi)} ({lo / ph.median_ns:.2f}x the median {fmt_ns(ph.median_ns)}), under {factor:g}x it"
            )
    idle_frames, idle_name, idle = _idle_frames(ctx, ph, slow, fixed)
    if len(idle_frames):  # long only because the loop waited for input: the user paused, nothing was slow
        slow = np.setdiff1d(slow, idle_frames)
        typical = np.setdiff1d(typical, idle_frames)
        rule += (
            f"; {len(idle_frames)} frame(s) that long only because the loop waited for input in {idle_name} left out"
        )
    if idle_name and budget_ns is None and len(slow) == 0:
        # an event loop's frame lasts as long as the user's pause: with no frame slow by its length, a keystroke
        # that took long shows in the frame's work (the frame minus the wait), hidden behind the pauses around it
        work = ph.dur - idle
        limit = factor * float(np.median(work[g]))
        heavy = g[(work[g] > limit) & (work[g] >= WORK_MIN_NS)]
        extra = np.setdiff1d(heavy, slow)
        if len(extra):
            slow = np.union1d(slow, extra)
            typical = np.setdiff1d(typical, extra)
            rule += (
                f"; or whose work (the frame minus that wait) is over {factor:g}x its median "
                f"{fmt_ns(float(np.median(work[g])))} = {fmt_ns(limit)}: {len(extra)} frame(s)"
            )
    asleep = throttled(ctx, ph, slow, typical) if budget_ns is None else None
    if asleep is not None:  # a window in the background, a pause: long by design, not hitches
        slow = np.setdiff1d(slow, asleep.frames)
        rule += asleep.clause(ph)
    return slow, typical, rule, trend


def _none_slow(
    ctx: Capture,
    res: SlowFrames,
    ph: FramePhases,
    head: str,
    rule: str,
    trend: FrameTrend,
    frame_set: str | None,
    budget_ns: float | None,
) -> None:
    """No frame is slow: the slowest one, the budgets, and what then is the answer (a step, a drift, a pacer that
    makes every frame long, frames that alternate)."""
    g = ph.gameplay
    worst = int(g[np.argmax(ph.dur[g])])
    res.title = head + "."
    res.lines = [
        f"No gameplay frame is {rule}; the slowest is frame {worst} ({fmt_ns(ph.dur[worst])}, "
        f"{ph.dur[worst] / ph.median_ns:.2f}x the median).",
        *_phase_lines(ph),
        _distribution(ph, g),
    ]
    if GAME_RATES[0] <= ph.median_ns <= GAME_RATES[1]:  # a 10 Hz housekeeping tick has no display budget
        res.lines.insert(1, _budgets(ph, g))
    if trend.step_frame >= 0:  # the frames changed level at once: that is the answer
        res.title = f"No frame stands out from its side of a step: {trend.title} (ctx.frame_trend())"
        res.lines.insert(0, head + ".")
    elif trend.drifting:  # a slowdown that builds up over the run: no frame stands out, the tenths do
        res.lines.insert(1, f"{trend.title} (ctx.frame_trend())")
    paired = paired_marks(ctx, ph)
    if paired:  # the frames are half-loops: their rate and medians mislead, say so first
        res.lines.insert(0, paired)
    over = late_pacing(ctx) if frame_set in (None, "Frame") and budget_ns is None else None
    if over is not None:  # none stands out because the pacer makes every frame long: that is the answer
        res.overshoot = over.line()
        res.title = f"{head}. {res.overshoot}"
    alt = alternating(ctx, frame_set) if budget_ns is None and trend.step_frame < 0 else None
    if alt is not None:  # none stands out because every second frame is long: that is the answer
        res.alternating = alt.line()
        res.title = f"{head}. {alt.title()}"
        res.lines.insert(0, res.alternating)


def _paced_clauses(
    ctx: Capture,
    res: SlowFrames,
    ph: FramePhases,
    slow: np.ndarray,
    pacing: _Pacing,
    frame_set: str | None,
    budget_ns: float | None,
) -> None:
    """What the loop's pacing adds: a pacer that overshoots the budget asked for, frames that missed an interval
    under the factor, a fixed tick that overran its period, a callback's own zone against its period."""
    over = late_pacing(ctx) if frame_set in (None, "Frame") and budget_ns is not None else None
    if over is not None and budget_ns is not None and abs(budget_ns - over.target_ns) <= AT_RATE * over.target_ns:
        # over a budget the work fits: the pacer, not the zones that grew, makes these frames miss it
        res.overshoot = over.line()
        res.title = f"{res.overshoot} {res.title}"
    if pacing.missed:
        res.lines.insert(0, pacing.missed)
    overran = (
        _overran(ctx, ph, pacing.pacer, slow, pacing.missed_frames) if pacing.pacer and budget_ns is None else None
    )
    if overran is not None:
        line, n = overran
        if n > 2 * len(slow):  # a fixed tick that overran its period far more often than by half a period
            res.title = res.title[:-1] + f". {line}"
        else:
            res.lines.insert(1 if pacing.missed else 0, line)
    if pacing.fixed:  # the loop's own zone against the period: the deadline a callback misses
        period = _over_the_period(ctx, ph, slow)
        if period:
            res.lines.insert(0, period)


def _gpu_culprit(
    ctx: Capture, res: SlowFrames, ph: FramePhases, slow: np.ndarray, typical: np.ndarray, head: str
) -> None:
    """When the frame loop waited for the GPU, what the GPU did then is the culprit (the CPU-side one grew less
    than that wait)."""
    cause = gpu_cause(ctx, ph, slow, typical)
    if cause is None:
        return
    cpu = res.culprit or ""  # what the CPU-side comparison named grew less than the wait: not the cause
    dropped = (f"{cpu} grew most", f"Call path: {cpu}") if cpu else ()
    res.lines = [
        x.replace("top-growing zone:", "top-growing CPU zone (the GPU wait aside):")
        for x in res.lines
        if not x.startswith(dropped)
    ]
    res.culprit, res.culprit_thread = cause.name, f"GPU '{cause.context}'"
    res.title = (
        f"{head}: culprit {cause.name} on the GPU ('{cause.context}'), {_span(np.asarray(cause.slow))} in "
        f"those frames vs a median {fmt_ns(cause.typical_ns)}; {cause.wait} waits for it there, "
        f"+{fmt_ns(cause.added_ns)} per slow frame ({fmt_pct(min(cause.share, 1.0))} of their excess over the "
        f"median frame)."
        + (
            f" Inside it: {cause.child} {_span(np.asarray(cause.child_slow))} vs a median "
            f"{fmt_ns(cause.child_typical_ns)}."
            if cause.child
            else ""
        )
    )


def _late_level(d: np.ndarray, median: float) -> bool:
    """Whether a paced loop's frames over PACED_LATE x the median form a level of their own: a few of them
    (LEVEL_MIN_FRAMES..LEVEL_MAX of the frames), PACED_GAP above the longest of the others (a task that overran
    the interval now and then; frames strung out up to them are a loaded machine's)."""
    late = d > PACED_LATE * median
    n = int(late.sum())
    if not LEVEL_MIN_FRAMES <= n <= LEVEL_MAX * len(d) or n == len(d):
        return False
    return float(d[late].min()) >= PACED_GAP * float(d[~late].max())


def _upper_level(d: np.ndarray, median: float, threshold: float) -> tuple[float, int, float, float] | None:
    """When the gameplay frames sit at two levels (a lost wake-up costs ~10 ms in one frame of eight; an area
    that renders twice as long), the cut between them: the widest gap (ratio) in the sorted frame times between
    LEVEL_FROM x the median and the slow threshold, if it is at least LEVEL_GAP wide and the level above it holds
    LEVEL_MIN..LEVEL_MAX of the frames (not counting those over the threshold, already slow). (cut, frames at the
    upper level, their lowest and highest time) or None."""
    s = np.sort(d.astype(np.float64))
    lo, hi = int(np.searchsorted(s, LEVEL_FROM * median)), int(np.searchsorted(s, threshold, "right"))
    if hi - lo < 1 or lo < 1:
        return None
    seg = s[lo - 1 : hi]
    ratio = seg[1:] / np.maximum(seg[:-1], 1.0)
    k = int(np.argmax(ratio))
    if ratio[k] < LEVEL_GAP:
        return None
    cut = float(np.sqrt(seg[k] * seg[k + 1]))
    n = int(((s > cut) & (s <= threshold)).sum())
    if n < LEVEL_MIN_FRAMES or n > LEVEL_MAX * len(s):
        return None
    if n < LEVEL_MIN * len(s) and ratio[k] < LEVEL_GAP_FEW:  # a few frames: a level only across a wider gap
        return None
    return cut, n, float(seg[k + 1]), float(s[hi - 1])


def _pool_busy(
    ctx: Capture, ph: FramePhases, frames: np.ndarray, ref: np.ndarray, home: int, wait: str, worker: str
) -> tuple[str, str]:
    """('When <wait> began in the slow frames, the <pool> threads were busy with: A x6, B x2 (8 of 8 ...; in typical
    frames 1 of 60)': a frame that waits for its jobs on a pool whose threads were all taken by other work when the
    wait began queued behind that work (blocking I/O, a long bake), whatever the jobs themselves cost; beside it,
    the work holding the pool when it held only part of it (the frame's jobs squeezed onto the rest), else ''."""
    labels = ctx._thread_labels()
    pool = pool_of(worker)
    threads = np.asarray([k for k, lab in enumerate(labels) if pool_of(lab) == pool and k != home], I64)
    if len(threads) < 2:
        return "", ""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = t.stat_rows(sl.rows_of(wait))
    rows = rows[t.valid[rows] & (t.owner[rows] == home)]
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1

    sleeps = set(wait_names(ctx))
    asleep: dict[bool, list[int]] = {True: [], False: []}  # per slow / typical thread-frame asleep: time slept on

    per_frame: dict[bool, list[list[str]]] = {True: [], False: []}  # the pool's top zones, frame by frame

    def busy(fr: np.ndarray, slow: bool) -> tuple[list[str], int]:
        names: list[str] = []
        n = 0
        for f in fr.tolist():
            mine = rows[fi == f]
            if not len(mine):
                continue
            at = int(t.start[mine[np.argmax(t.dur[mine])]])
            deepest = innermost(ctx, np.full(len(threads), at, I64), threads)
            here: list[str] = []
            for z in deepest.tolist():
                n += 1
                while z >= 0 and t.parent[z] >= 0:
                    z = int(t.parent[z])
                if z >= 0:
                    here.append(str(sl.name[int(t.srcloc[z])]))
                    if here[-1] in sleeps and t.end[z] >= at:
                        asleep[slow].append(int(t.end[z]) - at)
            names += here
            per_frame[slow].append(here)
        return names, n

    slow_all, n_slow = busy(frames, True)
    typ_all, n_typ = busy(ref, False)
    on_slow = asleep[True]
    if n_slow and len(on_slow) >= POOL_BUSY * n_slow and len(asleep[False]) <= 0.5 * POOL_BUSY * max(n_typ, 1):
        # the pool was asleep when the frame needed it, and slept on: its wake-up came late
        top_sleep = Counter(x for x in slow_all if x in sleeps).most_common(1)[0][0]
        slept = float(np.median(asleep[False])) if asleep[False] else 0.0
        return (
            f"{POOL_ASLEEP}: the {pool} threads were asleep in {top_sleep} (a wait) when {wait} began in "
            f"{len(on_slow)} of {n_slow} thread-frames of the slow frames, and slept on a median "
            f"{fmt_ns(float(np.median(on_slow)))} more (in typical frames {len(asleep[False])} of {n_typ} were "
            f"asleep then{f', for {fmt_ns(slept)}' if asleep[False] else ''}); the frame's jobs waited for a worker to "
            "wake: a wake-up that came late (a notify missed, the sleep ending on its timeout), not slow jobs.",
            "",
        )
    usual = {n for n, c in Counter(typ_all).items() if c >= 0.1 * max(n_typ, 1)}  # the frame's own jobs
    slow_names = [n for n in slow_all if n not in usual]
    typ_names = [n for n in typ_all if n not in usual]

    def held(frames_names: list[list[str]]) -> int:
        """Frames in which half the pool's threads or more ran other work than the frame's own jobs."""
        return sum(1 for here in frames_names if here and sum(n not in usual for n in here) >= HALF_POOL * len(here))

    nf_slow, nf_typ = len(per_frame[True]), len(per_frame[False])
    if (
        not n_slow
        or held(per_frame[True]) < POOL_BUSY * nf_slow
        or held(per_frame[False]) > 0.5 * POOL_BUSY * max(nf_typ, 1)
    ):
        return "", ""
    top = Counter(slow_names).most_common(4)
    return (
        f"When {wait} began in the slow frames, the {pool} threads were busy with: "
        + ", ".join(f"{n} x{c}" for n, c in top)
        + f" ({len(slow_names)} of {n_slow} thread-frames; in typical frames {len(typ_names)} of {n_typ} were, the "
        f"others running the frame's own {', '.join(sorted(usual)) or 'nothing'}): the frame's work waited for a free "
        "thread, queued behind that work, whatever it costs itself.",
        top[0][0] if len(slow_names) < n_slow else "",
    )


def _nth(k: int) -> str:
    return "single" if k == 1 else "other" if k == 2 else f"{k}th"


def _other_culprits(
    culprit_of: np.ndarray,
    mine: np.ndarray,
    detail: np.ndarray,
    self_ns: np.ndarray,
    typ: np.ndarray,
    names: Any,
    labels: list[str],
    nm_of: np.ndarray,
    th_of: np.ndarray,
) -> str:
    """'In the others: frame 949 AI::UpdateAgents (Main thread) 0.598 ms -> 34.09 ms; ...': the slow frames the
    culprit does not explain, by the zone that grew most in them (a one-off beside a recurring hitch)."""
    groups = _other_groups(culprit_of, mine)
    if not groups:
        return ""
    parts = [
        _group_text(k, sel, detail, self_ns, typ, names, labels, nm_of, th_of) for k, sel in groups[:OTHER_CULPRITS]
    ]
    more = len(groups) - OTHER_CULPRITS
    return (
        f"In the other {sum(len(sel) for _, sel in groups)}, the zone that grew most: "
        + "; ".join(parts)
        + (f"; {more} more zones" if more > 0 else "")
        + "."
    )


def _grew_beside(growth: np.ndarray, candidates: np.ndarray, culprit: int, names: Any, nm_of: np.ndarray) -> str:
    """'; with Render::CreateInstances +5.00 ms, Physics::AddBodies +4.99 ms, Audio::LoadVoices +4.00 ms in the same
    frames: together 99% of the self time added' when the culprit holds under BESIDE_SHARE of the self time added in
    its frames (`growth`: per frame and zone key) and a few other zones that grew in nearly all of them make up
    most of the rest (one event touching several systems); '' otherwise."""
    mean = growth.mean(axis=0)
    added = float(mean[candidates & (mean > 0)].sum())
    if added <= 0 or mean[culprit] >= BESIDE_SHARE * added:
        return ""
    grew_in = (growth > 0).mean(axis=0)
    others = [
        int(k) for k in np.argsort(-mean) if k != culprit and candidates[k] and mean[k] > 0 and grew_in[k] >= BESIDE_IN
    ]
    chosen: list[int] = []
    total = float(mean[culprit])
    for k in others[:BESIDE_MAX]:
        chosen.append(k)
        total += float(mean[k])
        if total >= BESIDE_COVER * added:
            break
    if total < BESIDE_COVER * added:
        return ""
    parts = ", ".join(f"{names[int(nm_of[k])]} +{fmt_ns(float(mean[k]))}" for k in chosen)
    return f"; with {parts} in the same frames: together {fmt_pct(total / added)} of the self time added"


def _other_groups(culprit_of: np.ndarray, mine: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The analysed slow frames the culprit does not explain, grouped by the zone that grew most in them, largest
    group first: (that zone's key, the frames' rows)."""
    rest = np.flatnonzero(~mine & (culprit_of >= 0))
    keys, counts = np.unique(culprit_of[rest], return_counts=True)
    return [(int(k), rest[culprit_of[rest] == k]) for k in keys[np.argsort(-counts, kind="stable")]]


def _group_text(
    k: int,
    sel: np.ndarray,
    detail: np.ndarray,
    self_ns: np.ndarray,
    typ: np.ndarray,
    names: Any,
    labels: list[str],
    nm_of: np.ndarray,
    th_of: np.ndarray,
) -> str:
    """'frames 94, 186, 281: Audio::DecodeMusicTrack (Main thread) 0 ns -> 32.51 ms..38.01 ms'."""
    shown = ", ".join(str(int(detail[i])) for i in sel[:4]) + (", …" if len(sel) > 4 else "")
    return (
        f"frame{'s' if len(sel) > 1 else ''} {shown}: {names[int(nm_of[k])]} ({labels[int(th_of[k])]}) "
        f"{fmt_ns(typ[k])} -> {_span(self_ns[sel, k])}"
    )


def _idle_frames(
    ctx: Capture, ph: FramePhases, slow: np.ndarray, fixed: bool = False
) -> tuple[np.ndarray, str, np.ndarray]:
    """(the frames of `slow` that are over the threshold only through an event loop's wait for input, its name, the
    time in that wait per frame of `ph`): without that wait they would not be slow. ("", zeros) without one, for a
    set at a fixed period (a timer drives it, not input), and when the loop waited there for a lock."""
    none = (np.zeros(0, I64), "", np.zeros(len(ph.dur)))
    win = ph.window() if len(ph.gameplay) else None
    if win is None or fixed:
        return none
    waits = [w for w in wait_zones(ctx, *win, ph) if w.kind == IDLE]
    if not waits:
        return none
    names = ctx._srclocs().names
    idle = np.sum([time_in_frames(ctx, ph, str(names[w.name_idx]), w.thread_row) for w in waits], axis=0)
    out = slow[ph.dur[slow] - idle[slow] <= ph.threshold_ns]
    if len(out):
        held = lock_waits_in_windows(ctx, waits[0].thread_row, ph.start[out], ph.end[out])
        if sum(float(w.wait_ns.sum()) for w in held) >= LOCKED_IDLE * float(idle[out].sum()):
            return none  # those long waits were for a lock another thread held: the frames are slow
    return out.astype(I64), str(names[waits[0].name_idx]), idle


def _overran(ctx: Capture, ph: FramePhases, pacer: str, slow: np.ndarray, told: np.ndarray) -> tuple[str, int] | None:
    """(line, count) for a paced loop's frames whose work, the frame minus its pacing wait, took longer than the
    period (OVERRUN x the median frame): a fixed tick that overran starts the next one late by less than half a
    period, under the slow threshold; None when no frame did beyond the slow ones and those `told` already."""
    g = ph.gameplay
    if len(g) == 0:
        return None
    work = ph.dur[g] - time_in_frames(ctx, ph, pacer)[g]
    late = work > OVERRUN * ph.median_ns
    over = g[late]
    if not len(np.setdiff1d(over, np.concatenate([slow, told]))):
        return None
    shown = ", ".join(str(int(f)) for f in over[:12]) + (", …" if len(over) > 12 else "")
    return (
        f"Work over the {fmt_ns(ph.median_ns)} period (the frame minus {pacer}, its pacing wait): {len(over)} of "
        f"{len(g)} frames overran their interval ({shown}; work p50 {fmt_ns(float(np.median(work[late])))}, max "
        f"{fmt_ns(float(work.max()))}); {int(np.isin(over, slow).sum())} of them are slow frames here.",
        len(over),
    )


def _over_the_period(ctx: Capture, ph: FramePhases, slow: np.ndarray) -> str:
    """For a set at a fixed period: the loop's own zone (a root zone run once per frame, starting at the frame's
    start) and how many of its runs took longer than the period, the deadline each run has ('' when none is
    found)."""
    t, sl = ctx._cpu(), ctx._srclocs()
    g = ph.gameplay
    period = ph.median_ns
    roots = np.flatnonzero((t.depth[: t.n] == 0) & t.valid)
    if len(roots) == 0 or len(g) == 0:
        return ""
    names = sl.name_idx[t.srcloc[roots]]
    counts = np.bincount(names)
    for k in np.flatnonzero((counts >= (1 - LOOP_COUNT) * len(g)) & (counts <= (1 + LOOP_COUNT) * len(g))):
        rows = roots[names == k]
        fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
        ok = fi >= 0
        if not ok.any() or np.median(t.start[rows][ok] - ph.start[fi[ok]]) > LOOP_START * period:
            continue
        d = t.dur[rows]
        long = np.flatnonzero(d > period)
        in_slow = int(np.isin(fi[long], slow).sum())
        shown = ", ".join(f"{t.start[rows[j]] / 1e9:.3f} s {fmt_ns(d[j])}" for j in long[np.argsort(-d[long])][:6])
        return (
            f"Runs of {sl.names[int(k)]} ({ctx._thread_labels()[int(t.owner[rows[0]])]}), the loop's own zone, over "
            f"the {fmt_ns(period)} period (each run's deadline): {len(long)} of {len(rows)} (p50 "
            f"{fmt_ns(float(np.median(d)))}, max {fmt_ns(float(d.max()))}); {in_slow} of them in the slow frames"
            + (f"; the longest: {shown}" if len(long) else "")
            + "."
        )
    return ""


def _late_from_pacer(
    growth: np.ndarray, on: np.ndarray, nm_of: np.ndarray, pacing: np.ndarray, names: list[str], home: str
) -> str:
    """'; but most of the time added ... is in <pacer>...' when the chosen frames' added time on the frame thread
    is mostly the frame-pacing wait (`pacing`: per key, a pacer): the loop came out of it late, it did no more work
    ('' otherwise)."""
    total = np.where(growth > 0, growth, 0).sum(axis=0)
    added, in_wait = float(total[on].sum()), float(total[on & pacing].sum())
    if added <= 0 or in_wait < LATE_WAKE * added:
        return ""
    k = int(np.flatnonzero(on & pacing)[np.argmax(total[on & pacing])])
    return (
        f"; but most of the time added on {home} is in {names[int(nm_of[k])]}, the frame-pacing wait "
        f"(+{fmt_ns(in_wait)} of +{fmt_ns(added)}): the loop came out of that wait late (the OS, a driver or the "
        "display's timing), it did not do more work."
    )


def _pacer(ctx: Capture, ph: FramePhases | None) -> str:
    """The zone that paces the frame loop over the gameplay frames (a vsync or frame-limiter wait), "" if none."""
    win = ph.window() if ph is not None and len(ph.gameplay) else None
    if win is None:
        return ""
    names = ctx._srclocs().names
    return next((names[w.name_idx] for w in wait_zones(ctx, *win, ph) if w.kind == PACES), "")


GAME_RATES = (2_000_000, 50_000_000)  # median frame times of a display loop (500 Hz .. 20 Hz)


def _budgets(ph: FramePhases, g: np.ndarray) -> str:
    """How many gameplay frames miss the common frame budgets: a frame rate below target shows here, not as
    frames over twice the median."""
    d = ph.dur[g]
    parts = [
        f"{fmt_ns(b)} ({hz} Hz) {int((d > b).sum())}"
        for hz, b in ((60, 16_666_667), (50, 20_000_000), (30, 33_333_334))
    ]
    return (
        f"Gameplay frames over a frame budget: {', '.join(parts)} of {len(g)}; slow_frames(budget_ns=...) explains "
        "the frames over one."
    )


def _near_when_drifting(trend: FrameTrend, chosen: np.ndarray, typical: np.ndarray) -> tuple[np.ndarray, str]:
    """When the frame time drifts over the run (`trend`, frame_trend's), the typical frames are the chosen frames'
    neighbours (NEAR gameplay frames either side), not the whole run's, with a line saying so."""
    if not trend.drifting or len(chosen) == 0 or len(typical) == 0:
        return typical, ""
    dist = np.min(np.abs(typical[:, None] - chosen[None, :]), axis=1)
    near = typical[dist <= NEAR]
    if len(near) < 5:
        return typical, ""
    return near, (
        f"The frame time drifts over the run ({trend.ratio:.2f}x from the first tenth to the last: ctx.frame_trend()), "
        f"so typical = the median over the {NEAR} gameplay frames either side of these frames, not the whole run."
    )


def _explain_frames(
    ctx: Capture, res: SlowFrames, ph: FramePhases, frames: int | str | tuple[int, int], typical: np.ndarray
) -> SlowFrames:
    """slow_frames(frames=...): the chosen frames, whatever their duration, against the typical gameplay frames
    outside them."""
    first, last = frame_pair(frames, "frames")
    nframes = len(ph.dur)
    if not 0 <= first <= last < nframes:
        raise ValueError(
            f"frames={first}-{last}: set {ph.set_name!r} has frames 0..{nframes - 1} (gameplay "
            f"{res.gameplay[0]}..{res.gameplay[1]})"
            if res.gameplay
            else f"frames={first}-{last}: set {ph.set_name!r} has frames 0..{nframes - 1}"
        )
    chosen = np.arange(first, last + 1, dtype=I64)
    ref = typical[(typical < first) | (typical > last)]
    if len(ref) == 0:
        ref = ph.gameplay[(ph.gameplay < first) | (ph.gameplay > last)]
    trend = frame_trend(ctx, res.frame_set if res.frame_set != "Frame" else None)
    ref, near = _near_when_drifting(trend, chosen, ref)
    what = f"frame {first}" if first == last else f"frames {first}-{last}"
    if first == last:
        kind = "" if ph.kind[first] == GAMEPLAY else f", a {KIND_NAMES[int(ph.kind[first])]} frame"
        head = (
            f"Frame {first} of set {ph.set_name!r}: {fmt_ns(ph.dur[first])}, {ph.dur[first] / ph.median_ns:.2f}x "
            f"the median gameplay frame {fmt_ns(ph.median_ns)}{kind}"
        )
    else:
        d = ph.dur[chosen]
        head = (
            f"Frames {first}-{last} of set {ph.set_name!r}: {len(chosen)} frames, {fmt_ns(float(d.min()))}.."
            f"{fmt_ns(float(d.max()))} ({float(d.max()) / ph.median_ns:.2f}x the median gameplay frame "
            f"{fmt_ns(ph.median_ns)} at most)"
        )
    if len(ref) == 0:
        res.title = head + ": no other gameplay frame to compare it with."
        return res
    _analyse(ctx, res, ph, chosen, ref, head, what=what, base_ns=float(np.median(ph.dur[ref])) if near else None)
    if near:
        res.lines = [line for line in res.lines if not line.startswith("Typical = the median over")]
        res.lines.insert(0, near)
    if float(ph.dur[chosen].max()) <= NOT_SLOWER * ph.median_ns:
        res.lines.insert(
            0,
            f"{what.capitalize()} {'is' if first == last else 'are'} within {NOT_SLOWER - 1:.0%} of the median "
            "gameplay frame: not slow; the changes below are the frame-to-frame variation (a slowdown of every "
            "frame shows only against another capture: compare_captures).",
        )
    return res


@attrs.define
class _Asked:
    """What _analyse() is asked: the result to fill, the title's head, the frames' name in the summary (SLOW, or
    frames the caller chose: "frame 812") and the typical frame when it is the neighbours' (else the median)."""

    res: SlowFrames
    head: str
    what: str
    base_ns: float | None

    @property
    def chosen(self) -> bool:
        """Frames the caller chose need not be slow: the zone that grew most, not a culprit."""
        return self.what != SLOW


@attrs.define
class _Growth(_Asked):
    """What _analyse() reads its answer from: the analysed slow frames (`detail`) and typical ones (`ref`), each
    (thread, zone name) column's self time per frame and growth over its typical value, the frame loop's thread
    (`home`) and the waits on it, and (after _pick_culprits) the zone that grew most in each analysed frame."""

    names: Any
    labels: list[str]
    detail: np.ndarray
    ref: np.ndarray
    fr: np.ndarray  # detail, then ref
    m: FrameSelfTime  # over fr
    typ: np.ndarray  # typical self time per column
    typ_cnt: np.ndarray
    growth: np.ndarray  # per analysed frame and column
    home: int
    waits: dict[tuple[int, int], WaitZone]
    is_wait: np.ndarray
    paces: np.ndarray  # pacing waits: a consequence of a missed interval, never the cause
    chains: np.ndarray  # waits for a thread other than the frame loop's: links of a chain
    lines: list[str] = attrs.field(factory=list)
    culprit_of: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))
    via: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))  # the frame thread's wait that led elsewhere
    share_of: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    zone_rows: list[dict[str, Any]] = attrs.field(factory=list)
    pooled_cols: dict[int, tuple[float, dict[int, float], list[int]]] = attrs.field(factory=dict)
    msgs: list[dict[str, Any]] = attrs.field(factory=list)

    @property
    def nd(self) -> int:
        return len(self.detail)

    @property
    def th_of(self) -> np.ndarray:
        return self.m.thread_of

    @property
    def nm_of(self) -> np.ndarray:
        return self.m.name_of

    @property
    def on(self) -> np.ndarray:
        """Columns on the frame loop's thread."""
        return self.th_of == self.home


@attrs.define
class _Culprit:
    """The culprit as the title tells it, built up by the steps of _tell_culprit()."""

    col: int  # its column in _Growth
    cname: str
    cthread: str
    mine: np.ndarray  # the analysed frames where it grew most
    vals: np.ndarray  # its time in those frames
    base_typ: float
    shares: np.ndarray
    usual: str
    shown: str
    where: Any
    path: str = ""
    waiter: str = ""  # title words: the frame loop waits for it (and why it waited so long)
    late_title: str = ""  # the frame's pool slept through its start: that leads, whatever zone grew
    lock: Any = None  # _lock_waits(): (line, waits, added wait, chain) for the lock the frame loop waited for
    held_by_culprit: bool = False  # the frame's thread waits for a lock the culprit's thread holds
    second: str = ""  # title words: a second recurring cause
    second_at: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))  # the second cause's frames
    second_who: tuple[str, str] = ("", "")  # its zone and thread
    clause: str = ""  # the title's words after "culprit ", before a second cause
    more_runs: bool = False  # the culprit ran more often in the slow frames, each run at its usual cost


def _analyse(
    ctx: Capture,
    res: SlowFrames,
    ph: FramePhases,
    slow: np.ndarray,
    typical: np.ndarray,
    head: str,
    what: str = SLOW,
    base_ns: float | None = None,
) -> SlowFrames:
    """The zones that grew in the frames `slow` against their median over `typical` frames; `what` names the
    frames in the summary (SLOW, or frames the caller chose: "frame 812")."""
    g = _growth(ctx, ph, slow, typical, _Asked(res, head, what, base_ns))
    _pick_culprits(ctx, ph, g)
    g.msgs = in_frames(ctx, ph, slow)
    res.table = frame(
        _frame_columns(ph, slow, g.detail, g.m, g.typ, g.growth, g.culprit_of, g.share_of, g.msgs, g.names, g.labels)
    )
    res.tables["zones"] = frame(_columns(g.zone_rows, ZONE_COLS))
    res.tables["messages"] = frame(_columns(g.msgs, MESSAGE_COLS))
    # chosen frames: the zone that added the most time over them; slow frames: the one top in the most of them
    culprit = _overall_culprit(g.culprit_of, g.growth, by_total=g.chosen)
    if culprit >= 0:
        _tell_culprit(ctx, ph, slow, typical, g, culprit)
    else:
        res.title = head + "."
    _unzoned_title(ctx, ph, g, culprit)
    starved = _starved_title(ctx, ph, g)
    if g.chosen:
        _chosen_lines(ph, g)
    _rhythm(ctx, ph, slow, g, starved)
    _closing_lines(ctx, ph, typical, g)
    res.lines = g.lines
    return res


def _growth(ctx: Capture, ph: FramePhases, slow: np.ndarray, typical: np.ndarray, asked: _Asked) -> _Growth:
    """The analysed frames (the slowest, up to a row budget) against typical ones spread over the run: each
    column's self time and growth, the frame loop's thread and its waits."""
    names = ctx._srclocs().names
    labels = ctx._thread_labels()
    per_frame = max(ctx._cpu().n / max(len(ph.dur), 1), 1.0)
    ndetail = int(np.clip(DETAIL_ROWS / per_frame, 10, DETAIL))
    detail = np.sort(slow[np.argsort(-ph.dur[slow], kind="stable")][:ndetail])
    ref = typical if len(typical) else ph.gameplay  # every gameplay frame slow: compare with their median
    nref = int(np.clip(TYPICAL_ROWS / per_frame, 15, 100))
    if len(ref) > nref:
        ref = ref[np.linspace(0, len(ref) - 1, nref).astype(I64)]
    asked.res.typical_frames = len(ref)
    fr = np.concatenate([detail, ref])
    m = frame_self_time(ctx, fr, ph.start[fr], ph.end[fr])
    nd = len(detail)
    typ = np.median(m.self_ns[nd:], axis=0)
    typ_cnt = np.median(m.count[nd:], axis=0)
    growth = m.self_ns[:nd] - typ
    th_of, nm_of = m.thread_of, m.name_of
    home = frame_thread(ctx, m, nd, ph.start[ref], ph.dur[ref])
    win = ph.window()
    waits: dict[tuple[int, int], WaitZone] = {}
    if win is not None:
        waits = {(w.thread_row, w.name_idx): w for w in frame_waits(ctx, *win, ph)}
    wait_kind = [
        waits[(a, b)].kind if (a, b) in waits else "" for a, b in zip(th_of.tolist(), nm_of.tolist(), strict=True)
    ]
    is_wait = np.asarray([bool(k) for k in wait_kind], bool)
    # a pacing wait grows when its frame missed the interval (it waits for the next one): a consequence, never the
    # zone that grew most for the frame's cause
    paces = np.asarray([k in (PACES, IDLE) for k in wait_kind], bool)
    row_of = {lab: k for k, lab in enumerate(labels)}
    # a wait for a thread other than the frame loop's: a link of a chain (the render thread waiting for a job that
    # waits for a read), not a pool asleep until the loop wakes it
    chains = np.asarray(
        [
            (a, b) in waits
            and waits[(a, b)].kind == "waits for other threads"
            and row_of.get(waits[(a, b)].waits_for, home) != home
            for a, b in zip(th_of.tolist(), nm_of.tolist(), strict=True)
        ],
        bool,
    )
    return _Growth(
        asked.res, asked.head, asked.what, asked.base_ns, names, labels, detail, ref, fr, m, typ, typ_cnt, growth,
        home, waits, is_wait, paces, chains,
    )  # fmt: skip


def _pick_culprits(ctx: Capture, ph: FramePhases, g: _Growth) -> None:
    """The zone that grew most in each analysed frame: on the frame loop's thread, or when that is a wait, the
    work it waited for (on the thread it names, pool-wide for a job system's job), or work on another thread that
    explains the frame where the loop's own growth does not."""
    m, nd, growth, th_of, nm_of, on = g.m, g.nd, g.growth, g.th_of, g.nm_of, g.on
    names, labels, detail, ref, waits, is_wait, paces = g.names, g.labels, g.detail, g.ref, g.waits, g.is_wait, g.paces
    work_anywhere = ~is_wait if (~is_wait).any() else np.ones(len(m.keys), bool)
    row_of = {lab: k for k, lab in enumerate(labels)}
    pools = _pools(labels, g.home)
    pool_pick: dict[int, tuple[int, int, float, float]] = {}  # frame -> (name, pool, its time there, typical)
    culprit_of = np.full(nd, -1, I64)
    via = np.full(nd, -1, I64)
    share_of = np.full(nd, np.nan)
    for r in range(nd):
        gr = growth[r]
        if len(gr) == 0:
            continue
        # the zone that grew most on the frame loop's thread; when that is a wait (the loop waited for other
        # threads), the cause is the work that grew most anywhere
        mine = np.flatnonzero(on & ~paces)
        top = int(mine[np.argmax(gr[mine])]) if len(mine) else -1
        if top < 0 or is_wait[top]:
            # the work on the thread the wait waits for, when it names one; else the work anywhere
            waiting = waits.get((int(th_of[top]), int(nm_of[top]))) if top >= 0 else None
            target = row_of.get(waiting.waits_for, -1) if waiting is not None and waiting.waits_for else -1
            cand = np.flatnonzero(work_anywhere & (th_of == target))
            # that thread's work explains little of the wait because it waited in turn for another thread (a job,
            # a lock, a read): the work that grew most anywhere (a pool that slept on is told below instead)
            floor = FOLLOW_SHARE * float(gr[top]) if top >= 0 else 0.0
            in_turn = g.chains & (th_of == target) & (gr >= floor)
            if not len(cand) or gr[cand].max() <= 0 or (gr[cand].max() <= floor and in_turn.any()):
                cand = np.flatnonzero(work_anywhere)
            if top >= 0 and gr[top] > 0:
                via[r] = top
            top = int(cand[np.argmax(gr[cand])])
            pooled = None
            if target in pools and via[r] >= 0:  # the job the wait waited for (it ended last), pool-wide
                job = _waited_in_frame(ctx, ph, int(detail[r]), int(th_of[via[r]]), str(names[int(nm_of[via[r]])]))
                if job >= 0 and int(ctx._cpu().owner[job]) in pools[target]:
                    pooled = _pooled_top(m, nd, r, pools[target], work_anywhere & _in_subtree(ctx, job, nm_of))
                    excess = float(ph.dur[detail[r]]) - float(np.median(ph.dur[ref]))
                    if pooled is not None and pooled[1][2] - pooled[1][3] < POOLED_SHARE * excess:
                        pooled = None  # the job took its usual time pool-wide: it queued (told below), not grew
            if pooled is not None:  # a job system's jobs land on any of its threads: a job's growth, pool-wide
                top, pool_pick[r] = pooled
        elif not g.chosen:
            # the frame thread's own growth explains little of the frame (it waited in its pacer for another
            # thread, the render thread compiling a shader): the work that grew most on another thread, when it did
            excess = float(ph.dur[detail[r]]) - float(np.median(ph.dur[ref]))
            off = np.flatnonzero(work_anywhere & ~on)
            # ...when it waited longer than a whole frame more than usual: a pacer that only waited for the next
            # interval (a missed vsync) waited for the clock, not for another thread
            held_up = float(gr[on & (paces | is_wait) & (gr > 0)].sum())
            if len(off) and gr[top] < ELSEWHERE_SHARE * excess and held_up >= ph.median_ns:
                k2 = int(off[np.argmax(gr[off])])
                if gr[k2] >= ELSEWHERE_SHARE * excess and gr[k2] > ELSEWHERE_RATIO * max(float(gr[top]), 0.0):
                    top = k2
        k = top
        if gr[k] <= 0:  # nothing grew: no top-growing zone for this frame
            continue
        culprit_of[r] = k
        added = gr[on & (gr > 0)].sum()
        share_of[r] = gr[k] / added if added > 0 and on[k] else np.nan
        for j in np.argsort(-gr)[:TOP_ZONES].tolist():
            if gr[j] <= 0:
                break
            g.zone_rows.append(
                {
                    "frame": int(detail[r]),
                    "thread": labels[int(th_of[j])],
                    "name": names[int(nm_of[j])],
                    "typical_ns": round(float(g.typ[j])),
                    "slow_ns": int(m.self_ns[r, j]),
                    "growth_ns": round(float(gr[j])),
                    "typical_count": float(g.typ_cnt[j]),
                    "slow_count": int(m.count[r, j]),
                    "share_of_added": float(gr[j] / added) if added > 0 and on[j] else float("nan"),
                    "wait": bool(is_wait[j]),
                }
            )
    # a pooled job's frames name one column per (job, pool): the first thread it was seen on stands for the pool
    canon: dict[tuple[int, int], int] = {}
    for r, (nm, pool_id, here, usual_ns) in pool_pick.items():
        col = canon.setdefault((nm, pool_id), int(culprit_of[r]))
        entry = g.pooled_cols.setdefault(col, (usual_ns, {}, []))
        entry[1][r] = here
        if int(th_of[culprit_of[r]]) not in entry[2]:
            entry[2].append(int(th_of[culprit_of[r]]))
        growth[r, col] = max(float(growth[r, col]), here - usual_ns)
        m.self_ns[r, col], g.typ[col] = here, usual_ns  # the frame table reads the job's time wherever it ran
        culprit_of[r] = col
    g.culprit_of, g.via, g.share_of = culprit_of, via, share_of


def _tell_culprit(
    ctx: Capture, ph: FramePhases, slow: np.ndarray, typical: np.ndarray, g: _Growth, culprit: int
) -> None:
    """The title and lines of the culprit: its time in the slow frames against typical ones, who waits for it
    and why, a second recurring cause, then what explains it (a lock, work it waited for, the zone it runs in,
    a task that comes with it)."""
    c = _culprit(ctx, ph, g, culprit)
    _waiters(ctx, ph, g, c)
    _culprit_title(ctx, ph, slow, g, c)
    if c.path:
        g.lines.append(f"Call path: {c.path}")
    if not g.chosen:
        near = _near_misses(ctx, ph, typical, (int(g.th_of[culprit]), int(g.nm_of[culprit])), c.vals, g.typ[culprit])
        if near:
            g.lines.append(near)
    _culprit_cause(ctx, ph, typical, g, c)
    if c.late_title:
        g.res.title = c.late_title
    _catch_up(g, c)


def _catch_up(g: _Growth, c: _Culprit) -> None:
    """A one-off on the frame loop's thread (a section streamed in) and, in the frames after it, a fixed-step loop
    running its step more times at its usual cost to catch up: the one-off is the cause, the steps its echo. The
    title leads with the one-off, when it still reads as built (culprit, then the second cause)."""
    if not (c.second and c.more_runs and len(c.second_at)):
        return
    after = g.detail[c.mine]
    gap = after[:, None] - c.second_at[None, :]
    if np.isin(after, c.second_at).any() or not ((gap >= 1) & (gap <= CATCH_UP_FRAMES)).any(axis=1).all():
        return
    if g.res.title != f"{g.head}: culprit {c.clause}{c.second}.":
        return
    frames, cause = c.second[len(SECOND_CAUSE_TEXT) :].split(": ", 1)
    g.res.title = f"{g.head}: culprit {cause}, in {frames}; the frames after each catch up: {c.clause}."
    g.res.culprit, g.res.culprit_thread = c.second_who


def _culprit(ctx: Capture, ph: FramePhases, g: _Growth, culprit: int) -> _Culprit:
    """The culprit's name, thread and times in the frames it leads (pool-wide for a pooled job; the source
    location that grew where several share its name)."""
    names, labels, th_of, nm_of = g.names, g.labels, g.th_of, g.nm_of
    cname, cthread = names[int(nm_of[culprit])], labels[int(th_of[culprit])]
    mine = g.culprit_of == culprit
    vals = g.m.self_ns[: g.nd, culprit][mine]
    base_typ = float(g.typ[culprit])
    pool_wide = culprit in g.pooled_cols  # its runs on any of the pool's threads
    if pool_wide:  # a job that ran on several of a pool's threads: its time wherever it ran
        base_typ, times, ran_on = g.pooled_cols[culprit]
        vals = np.asarray([times.get(r, float(g.m.self_ns[r, culprit])) for r in np.flatnonzero(mine).tolist()])
        pool_label = pool_of(labels[int(th_of[culprit])])
        cthread = ", ".join(labels[x] for x in ran_on) + f"; times summed over the {pool_label} threads"
    g.res.culprit, g.res.culprit_thread = cname, cthread
    shares = g.share_of[mine]
    shares = shares[~np.isnan(shares)]
    usual = f"typical {fmt_ns(base_typ)} per frame" if base_typ > 0 else "absent from typical frames"
    shown = cname
    slow_windows = (ph.start[g.detail[mine]], ph.end[g.detail[mine]])
    where = grown_location(
        ctx, cname, None if pool_wide else int(th_of[culprit]), slow_windows, (ph.start[g.ref], ph.end[g.ref])
    )
    if where is not None:  # several source locations share the name (plain ZoneScoped): the one that grew
        shown, base_typ, vals = f"{cname} ({where[0]})", where[1], where[2]
        g.res.culprit_where = str(where[0])
        usual = f"typical {fmt_ns(base_typ)} per frame" if base_typ > 0 else "absent from typical frames"
    return _Culprit(culprit, cname, cthread, mine, vals, base_typ, shares, usual, shown, where)


def _waiters(ctx: Capture, ph: FramePhases, g: _Growth, c: _Culprit) -> None:
    """Who waits for a culprit on another thread: the frame loop in a wait zone of its own (and whether the pool
    was busy or asleep then), or the frame's thread waiting for a lock the culprit's thread holds."""
    names, labels, th_of, nm_of, on = g.names, g.labels, g.th_of, g.nm_of, g.on
    led = g.via[c.mine][g.via[c.mine] >= 0]
    if len(led) and not on[c.col]:  # the frame loop waited for it in a wait zone of its own
        k = int(np.bincount(led).argmax())
        c.waiter = f"; {names[int(nm_of[k])]} ({labels[int(th_of[k])]}) waits for it there"
        worker = labels[int(th_of[c.col])]  # one of the pool's threads (cthread may list several)
        queued, held_by = _pool_busy(ctx, ph, g.detail[c.mine], g.ref, int(th_of[k]), str(names[int(nm_of[k])]), worker)
        if queued.startswith(POOL_ASLEEP):  # the pool slept through the frame's start: no job was slow
            g.lines.append(queued)
            woke = queued.split(": ", 1)[1].split(";", 1)[0]
            c.late_title = (
                f"{g.head}: {POOL_ASLEEP.lower()}: {woke}; {names[int(nm_of[k])]} ({labels[int(th_of[k])]}) "
                "waits for them there, and the jobs took their usual time."
            )
        elif queued:
            g.lines.append(queued)
            pool_name = pool_of(worker)
            if not held_by:
                c.waiter += f"; the {pool_name} threads were all busy with other work then (below)"
            else:  # part of the pool held: the frame's jobs squeezed onto the rest
                c.waiter += f"; most {pool_name} threads were busy in {held_by} then: the frame's jobs queued behind it"
    c.lock = _lock_waits(ctx, ph, g.fr, g.nd, g.home, g.what)
    if c.lock is not None and not on[c.col]:
        _, w, added, chain = c.lock
        if w.holder == c.cthread and added >= LOCK_LEADS * float(np.mean(g.growth[c.mine, c.col])):
            c.held_by_culprit = True
            held = (
                f"for lock {w.lock}, held meanwhile by {w.holder}"
                + (f" in {w.holder_zone}" if w.holder_zone else "")
                + chain_text(chain)
            )
            g.res.culprit_cause = f"{labels[g.home]} waits for it in {w.zone}, {held}"
            c.waiter = f"{c.waiter}, {held}" if c.waiter else f"; {g.res.culprit_cause}"


def _culprit_title(ctx: Capture, ph: FramePhases, slow: np.ndarray, g: _Growth, c: _Culprit) -> None:
    """The title naming the culprit, and the lines on the frames it leads and the other frames' culprits; a
    second recurring cause joins the title."""
    res, th, nd = g.res, int(g.th_of[c.col]), g.nd
    if not g.chosen:
        more = "" if c.where is not None else _runs_clause(ctx, ph, g.detail[c.mine], g.ref, th, c.cname)
        c.more_runs = RUNS_AT_USUAL_COST in more
        more += _big_allocation(ctx, ph, g.detail[c.mine], th, c.cname)
        c.clause = f"{c.shown} ({c.cthread}), {c.usual} vs {_span(c.vals)} in the slow frames{c.waiter}{more}"
        res.title = f"{g.head}: culprit {c.clause}."
    else:
        res.title = f"{g.head}: {c.shown} ({c.cthread}) grew most, {c.usual} vs {_span(c.vals)} in {g.what}."
    share_txt = (
        f"; it explains {_share_span(c.shares)} of the self time added on {g.labels[g.home]}" if len(c.shares) else ""
    )
    c.path = _path_of(ctx, ph, g.detail[c.mine], th, c.cname)
    if not g.chosen:
        of = f"{nd} analysed slow frames" if nd == len(slow) else f"the {nd} slowest frames (analysed)"
        g.lines.append(f"{c.shown} grew most in {int(c.mine.sum())} of {of}{share_txt}.")
        others = _other_culprits(
            g.culprit_of, c.mine, g.detail, g.m.self_ns[:nd], g.typ, g.names, g.labels, g.nm_of, g.th_of
        )
        if others:
            g.lines.append(others)
        c.second = _second_cause(ctx, ph, g, c)
        if c.second:
            res.title = res.title[:-1] + f"{c.second}."
    elif len(slow) == 1:
        g.lines.append(f"{c.shown}: +{fmt_ns(float(c.vals[0] - c.base_typ))}{share_txt}.")
    else:
        of = f"the {nd} frames analysed" if nd == len(slow) else f"the {nd} slowest of {g.what} (analysed)"
        total = float(g.growth[c.mine, c.col].sum())
        g.lines.append(f"{c.shown} grew most in {int(c.mine.sum())} of {of} (+{fmt_ns(total)} in them){share_txt}.")


def _second_cause(ctx: Capture, ph: FramePhases, g: _Growth, c: _Culprit) -> str:
    """Title words for a second recurring cause that makes its frames slow by itself and is no part of the
    culprit (climbed to its enclosing zone when its growth is shared by that zone's steps); ''."""
    second = _other_groups(g.culprit_of, c.mine)
    if not second or len(second[0][1]) < max(2, SECOND_CAUSE * g.nd):
        return ""
    nd, detail, labels, th_of = g.nd, g.detail, g.labels, g.th_of
    k2, sel2 = second[0]
    name2 = str(g.names[int(g.nm_of[k2])])
    # it makes its frames slow by itself (most of each one's excess), and is no part of the culprit
    excess = ph.dur[detail[sel2]] - ph.median_ns
    alone = bool(np.all(g.m.self_ns[sel2, k2] - g.typ[k2] >= SECOND_EXPLAINS * excess))
    path2 = _path_of(ctx, ph, detail[sel2], int(th_of[k2]), name2).split(" > ")
    apart = name2 not in g.res.title and c.cname not in path2 and name2 not in c.path.split(" > ")
    up2 = None if paired_marks(ctx, ph) else _enclosing_culprit(ctx, ph, detail[sel2], g.ref, int(th_of[k2]), name2)
    who = name2
    if up2 is not None and up2[0] not in c.path.split(" > ") and up2[0] != c.cname:
        # its growth is shared by the steps of one zone (a full collection's mark and sweep): that zone
        who = up2[0]
        alone = bool(np.all(up2[1] - up2[2] >= SECOND_EXPLAINS * excess))
        shown2 = ", ".join(str(int(detail[i])) for i in sel2[:4]) + (", …" if len(sel2) > 4 else "")
        text = (
            f"frame{'s' if len(sel2) > 1 else ''} {shown2}: {up2[0]} ({labels[int(th_of[k2])]}) "
            f"{fmt_ns(up2[2])} -> {_span(up2[1])} (inside it: {up2[3]})"
        )
    elif alone and apart:
        text = _group_text(k2, sel2, detail, g.m.self_ns[:nd], g.typ, g.names, labels, g.nm_of, th_of)
    if not (alone and apart):
        return ""
    c.second_at = detail[sel2]
    c.second_who = (who, labels[int(th_of[k2])])
    return f"{SECOND_CAUSE_TEXT}{text}"


def _culprit_cause(ctx: Capture, ph: FramePhases, typical: np.ndarray, g: _Growth, c: _Culprit) -> None:
    """What explains the culprit: a lock it waits on; the other threads' work it only waited for; the zone it
    runs in, when the growth is shared by that zone's children; another occasional task in the same frames, or the
    zones that grew beside it."""
    res, names, labels, th_of, detail, lines = g.res, g.names, g.labels, g.th_of, g.detail, g.lines
    culprit, cname, mine = c.col, c.cname, c.mine
    explained = c.held_by_culprit  # the lock tells why the frame's thread waited
    if c.lock is not None:
        line, w, added, chain = c.lock
        lines.append(line)
        if w.zone == cname and added >= LOCK_LEADS * float(np.mean(g.growth[mine, culprit])):
            res.culprit_cause = (
                f"it waits there for lock {w.lock}"
                + (f", held meanwhile by {w.holder}" if w.holder else "")
                + (f" in {w.holder_zone}" if w.holder and w.holder_zone else "")
                + chain_text(chain)
            )
            res.title = clause_before(res.title, f"; {res.culprit_cause}", SECOND_CAUSE_TEXT)
            explained = True  # the lock tells why it waits
    waited = None
    if not explained and th_of[culprit] == g.home:
        waited = _waited_work(ctx, ph, detail[mine], int(th_of[culprit]), cname)
    up = None
    if waited is not None:  # the zone only waited: the cause is the other threads' work it waited for
        line, work, work_thread, span, work_rows = waited
        lines.append(line)
        lines.extend(_inside_runs(ctx, work_rows, work, g.msgs))
        res.culprit, res.culprit_thread = work, work_thread
        # the work waited for holds a lock the frame waits for, and itself waits for another: the chain's root
        chain = c.lock[3] if c.lock is not None else []
        root = (
            f" {work} itself waits for {chain[0].lock}, held by {chain[-1].holder}"
            + (f" in {chain[-1].holder_zone}" if chain[-1].holder_zone else "")
            + ";"
            if chain and c.lock is not None and (c.lock[1].holder, c.lock[1].holder_zone) == (work_thread, work)
            else ""
        )
        res.title = (
            f"{g.head}: culprit {work} ({work_thread}), {span};{root} {c.shown} ({c.cthread}) waits for it "
            f"there, {c.usual} vs {_span(c.vals)} in {g.what}."
        )
    elif not explained:
        up = _climbed(ctx, ph, g, c)
        if up is not None:  # the enclosing zone is the culprit now
            cname = up[0]
    if not explained and waited is None and not g.chosen:
        row = int(th_of[culprit])
        met = together(ctx, ph, detail[mine], typical, row, cname)
        if met:  # another occasional task runs in the same slow frames: the two together make them slow
            res.title = res.title[:-1] + met + "."
            res.culprit_cause = met[2:]
        elif g.on[culprit] and up is None:
            beside = _grew_beside(g.growth[mine], g.on & ~g.is_wait, culprit, names, g.nm_of)
            if beside:  # the culprit is a small part of the added time: the others that grew with it
                res.title = res.title[:-1] + f"{beside} on {labels[g.home]}."
        runs = _longest_runs(ctx, ph, detail[mine], int(th_of[culprit]), cname)
        lines.extend(_inside_runs(ctx, runs, cname, g.msgs))


def _climbed(ctx: Capture, ph: FramePhases, g: _Growth, c: _Culprit) -> Any:
    """When the culprit's growth is shared by the children of one zone, that zone becomes the culprit (the title
    and call path say so, a second cause kept beside it); the climb (_enclosing_culprit), or None."""
    res, row = g.res, int(g.th_of[c.col])
    row_waits = {str(g.names[n]) for (th, n) in g.waits if th == row}
    # frames that are half-loops (two marks per pass) cut the loop's zones in two: no climbing into them
    if paired_marks(ctx, ph):
        return None
    up = _enclosing_culprit(ctx, ph, g.detail[c.mine], g.ref, row, c.cname, row_waits)
    if up is None:
        return None
    pname, slow_incl, typ_incl, parts = up
    res.culprit = pname
    usual = f"typical {fmt_ns(typ_incl)} per frame" if typ_incl > 0 else "absent from typical frames"
    if g.chosen:
        res.title = (
            f"{g.head}: {pname} ({c.cthread}) grew most, {usual} vs {_span(slow_incl)} in {g.what} "
            f"(inside it: {parts.replace(' per slow frame', '' if g.nd == 1 else ' per frame')})."
        )
    else:
        more = _runs_clause(ctx, ph, g.detail[c.mine], g.ref, row, pname)
        c.more_runs = RUNS_AT_USUAL_COST in more
        c.clause = f"{pname} ({c.cthread}), {usual} vs {_span(slow_incl)} in the slow frames (inside it: {parts}){more}"
        res.title = f"{g.head}: culprit {c.clause}{c.second}."
    g.lines[:] = [x for x in g.lines if not x.startswith("Call path: ")]
    path = _path_of(ctx, ph, g.detail[c.mine], row, pname)
    if path:
        g.lines.append(f"Call path: {path}")
    return up


def _unzoned_title(ctx: Capture, ph: FramePhases, g: _Growth, culprit: int) -> None:
    """When the zones do not hold most of the extra time on the frame loop's thread, that leads (or follows a
    culprit big enough to stand beside it)."""
    res, head, nd, growth, on = g.res, g.head, g.nd, g.growth, g.on
    if g.home < 0 or not nd:
        return
    excess, _, _, rest = _split(ph, g.detail, growth, on, g.base_ns)
    if not (excess > 0 and rest >= UNZONED * excess):  # the zones hold most of the extra time
        return
    per = "" if nd == 1 else " per frame on average"
    why = (
        "context switches tell which: ctx.thread_report()"
        if ctx._db.rows("ctx_switches")
        else "no context switches recorded to tell which"
    )
    over = "the median frame" if g.base_ns is None else "the typical (neighbouring) frame"
    outside = (
        f"most of the extra time is outside every zone on {g.labels[g.home]}: +{fmt_ns(rest)} of "
        f"+{fmt_ns(excess)}{per} over {over} (code without zones, or the thread not running; {why})"
        + _unzoned_gap(ctx, ph, g.detail, g.home, rest)
    )
    lead = f"{head}: culprit "
    small = culprit < 0 or float(np.mean(growth[:, culprit])) < UNZONED_CULPRIT * excess
    unwaited = False  # work on another thread explains the frame only through a wait that grew with it
    if culprit >= 0 and not on[culprit]:
        held = np.clip(growth[:, on & (g.is_wait | g.paces)], 0, None).sum(axis=1)
        unwaited = float(np.mean(held)) < UNZONED_CULPRIT * excess
    if (small or unwaited) and res.title.startswith(lead):  # no culprit beside the gap
        rest_title = res.title[len(lead) :]
        if unwaited:  # the frame thread's wait did not grow with it: it did not wait for it there
            rest_title = re.sub(r"; [^;]*? waits for it there", "", rest_title)
        res.title = f"{head}: {outside}; the zone that grew most: {rest_title}"
    else:
        res.title = res.title[:-1] + f". {outside[0].upper()}{outside[1:]}."


def _starved_title(ctx: Capture, ph: FramePhases, g: _Growth) -> bool:
    """Whether the frame thread lost its CPU to other load in the slow frames (context switches tell), said
    first in the lines, and in the title when it leads."""
    if g.home < 0 or not g.nd or g.chosen:
        return False
    ready = _waited_for_a_core(ctx, ph, g.detail, g.ref, g.home)
    if not ready:
        return False
    line, leads = ready  # no zone's own work grew
    g.lines.insert(0, line + ".")
    if leads and g.res.title:
        g.res.title = g.res.title[:-1] + f". {line}."
    return bool(leads)


def _chosen_lines(ph: FramePhases, g: _Growth) -> None:
    """For frames the caller chose: where their time went on the frame loop's thread, and what typical means."""
    if g.home >= 0:
        g.lines.append(_balance(ph, g.detail, g.growth, g.on, g.labels[g.home], g.what, g.base_ns))
        late = _late_from_pacer(g.growth, g.on, g.nm_of, g.paces, g.names, g.labels[g.home])
        if late and g.res.title:
            g.res.title = g.res.title[:-1] + late
    g.lines.append(
        f"Typical = the median over {len(g.ref)} gameplay frames spread over the whole capture "
        f"({int(g.ref[0])}..{int(g.ref[-1])}, outside {g.what}), not only its neighbours."
    )


def _rhythm(ctx: Capture, ph: FramePhases, slow: np.ndarray, g: _Growth, starved: bool) -> None:
    """The longest of many slow frames, the frames' lines, and when the slow frames come: every n-th frame, on a
    timer, with a message each, or only early in the run (the user's "every few seconds")."""
    res = g.res
    longest = _longest(ph, slow, res.table) if not g.chosen and len(slow) > LONGEST_MANY else ""
    if longest:  # many slow frames, a few far longer: what a player feels as "the hitches"
        res.title = res.title[:-1] + f"; {longest}."
    g.lines.extend(_frame_lines(ph, slow, res.table, g.detail))
    if g.chosen or len(slow) < 3:
        return
    order = np.sort(slow)
    gaps = np.diff(ph.start[order]) / 1e9
    steps, step_counts = np.unique(np.diff(order), return_counts=True)
    every = int(steps[np.argmax(step_counts)])
    # back-to-back slow frames are one stretch, not a rhythm
    regular = 2 <= every <= REGULAR_MAX and step_counts.max() >= REGULAR_SHARE * (len(order) - 1)
    g.lines.append(
        (
            f"Slow frames come every {_nth(every)} frame "
            f"({fmt_pct(step_counts.max() / (len(order) - 1))} of the gaps; "
            f"{len(order)} of {len(ph.gameplay)} frames): something runs on those frames only, and the average "
            f"frame time ({fmt_ns(float(np.mean(ph.dur[ph.gameplay])))}) hides the unevenness"
            if regular
            else f"Slow frames come every {gaps.min():.2f}-{gaps.max():.2f} s (median {np.median(gaps):.2f} s)"
        )
        + f" over {(ph.end[slow].max() - ph.start[slow].min()) / 1e9:.2f} s."
    )
    if regular and res.title:
        res.title = res.title[:-1] + f"; the slow frames come every {_nth(every)} frame."
    elif res.title and gaps.max() <= PERIOD_SPREAD * gaps.min():  # on a timer: "every couple of seconds"
        event, numbered = _common_message(ctx, ph, slow)
        res.title = res.title[:-1] + (
            # a numbered message ("wave 3 incoming", "batch 3") may be a timer's log line or a scripted event
            f"; they come every {np.median(gaps):.2f} s ({gaps.min():.2f}-{gaps.max():.2f} s apart), each with "
            f"the message {event}."
            if event and numbered
            else f"; each comes with the message {event}, {np.median(gaps):.2f} s apart: an event, not a timer."
            if event
            else f"; they come every {np.median(gaps):.2f} s ({gaps.min():.2f}-{gaps.max():.2f} s apart): "
            "something on a timer."
        )
    elif res.title:  # at irregular times: the message each one comes with tells what sets it off
        event, _ = _common_message(ctx, ph, slow)
        if event:
            res.title = res.title[:-1] + f"; each comes with the message {event}, at irregular times."
    settles = "" if starved else _only_early(ph, order)
    if settles and res.title:  # the stutter stops: first-time work (compiles, caches warming), not a rhythm
        res.title = res.title[:-1] + f"; {settles}."


def _closing_lines(ctx: Capture, ph: FramePhases, typical: np.ndarray, g: _Growth) -> None:
    """What shrank, other threads' growth, plots that moved, the messages in the frames, the phases and the
    distribution of frame times."""
    res, nd, what, lines = g.res, g.nd, g.what, g.lines
    lines.extend(_shrinkers(g.growth, g.typ, g.on, g.th_of, g.nm_of, g.waits, g.names, what))
    counts = (g.m.count[:nd].mean(axis=0), g.typ_cnt, g.typ)
    others = _other_threads(g.growth, g.on, g.th_of, g.nm_of, g.names, g.labels, what, counts)
    # said as the culprit, or part of the work the frame waited for (its thread's): not "beside the frame loop"
    told = res.culprit and (
        others.startswith(f"Other threads: {res.culprit} (")
        or (res.culprit_thread and f" ({res.culprit_thread}) grew most" in others)
    )
    if others and not told:
        lines.append(others)
    moves = _plot_moves(ctx, ph, g.detail, g.ref)
    if moves:
        lines.append(moves)
    msgs = g.msgs
    if msgs:
        early = any(mr["before"] for mr in msgs)
        lines.append(f"Messages logged in {what}{' (or just before one)' if early else ''} ({len(msgs)}):")
        lines.extend(
            f"  frame {mr['frame']}{' (just before it)' if mr['before'] else ''}, {mr['thread']}: "
            f"{clip_text(mr['text'])}"
            for mr in msgs[:8]
        )
        if len(msgs) > 8:
            lines.append(f"  ... {len(msgs) - 8} more in .tables['messages']")
    else:
        lines.append(f"No message was logged in {what}.")
    lines.extend(_phase_lines(ph))
    lines.append(_distribution(ph, typical if len(typical) else ph.gameplay, other=True))


def _lock_waits(
    ctx: Capture, ph: FramePhases, fr: np.ndarray, nd: int, home: int, what: str
) -> tuple[str, WindowWaits, float, list[ChainLink]] | None:
    """(line, waits, mean added wait per frame) for the lock the frame loop's thread waited for most in the
    analysed frames (fr[:nd]) beyond its typical wait (fr[nd:]), when that is a notable share of their excess; when
    the frame loop's thread did not, the other thread that did most (the loop may be waiting for it)."""
    if home < 0 or not ctx._db.rows("lock_events"):
        return None
    excess = float(np.mean(np.maximum(ph.dur[fr[:nd]] - ph.median_ns, 0)))
    if excess <= 0:
        return None
    others = sorted({int(x) for x in ctx._db.col("lock_threads", "thread").tolist()} - {home})
    best: tuple[float, int, WindowWaits] | None = None
    for th in [home, *others]:
        for w in lock_waits_in_windows(ctx, th, ph.start[fr], ph.end[fr])[:1]:
            added = float(np.mean(w.wait_ns[:nd])) - float(np.median(w.wait_ns[nd:]))
            if added >= LOCK_NOTABLE * excess and (best is None or added > best[0]):
                best = (added, th, w)
        if th == home and best is not None:
            break  # the frame loop's own wait explains it first
    if best is None:
        return None
    added, th, w = best
    slow, typical = float(np.mean(w.wait_ns[:nd])), float(np.median(w.wait_ns[nd:]))
    links = hold_chain(ctx, w.holder_row, w.held_starts, w.held_ends) if w.holder else []
    held = (
        f"; held meanwhile by {w.holder}" + (f" in {w.holder_zone}" if w.holder_zone else "") + chain_text(links)
        if w.holder
        else ""
    )
    share = (
        f"{fmt_pct(added / excess)} of their excess over the median frame"
        if added <= excess
        else "more than their excess over the median frame (idle time in the frame took up the rest)"
    )
    beside = "" if th == home else " (beside the frame loop)"
    # Slow frames of other causes dilute the mean: name the frames the wait explains (a quarter of their excess)
    hit = w.wait_ns[:nd] >= 0.25 * np.maximum(ph.dur[fr[:nd]] - ph.median_ns, 1)
    amount = f"{fmt_ns(slow)} per frame in {what} (typical {fmt_ns(typical)})"
    if 0 < hit.sum() < nd:
        ids = ", ".join(str(int(i)) for i in fr[:nd][hit][:6]) + (", ..." if hit.sum() > 6 else "")
        amount = (
            f"{fmt_ns(float(np.mean(w.wait_ns[:nd][hit])))} per frame in {int(hit.sum())} of {what} (frames {ids}; "
            f"typical {fmt_ns(typical)}; {fmt_ns(slow)} averaged over all {nd})"
        )
    line = (
        f"Lock wait: {ctx._thread_labels()[th]}{beside} waits for {w.lock} {amount}, {share}, "
        f"inside {w.zone or 'no zone'}{held} (ctx.lock_contention({w.lock!r}))."
    )
    return line, w, added if th == home else 0.0, links


def _plot_moves(ctx: Capture, ph: FramePhases, frames: np.ndarray, ref: np.ndarray) -> str:
    """The program's plots whose value moves across nearly every one of `frames` (at least 80% of them) while it
    stays put across most typical frames (`ref`): what else happens at a hitch (a pool that steps up, a queue)."""
    db = ctx._db
    if not db.rows("plots") or not db.rows("plot_points") or len(frames) == 0 or len(ref) == 0:
        return ""
    table = ctx.plots()
    b = db.col("plots", "point_begin").astype(I64)
    e = db.col("plots", "point_end").astype(I64)
    times = db.col("plot_points", "time").astype(I64)
    values = db.col("plot_points", "value").astype(np.float64)
    found = []
    for k, (kind, label) in enumerate(zip(table["type"].astype(str), table["label"].astype(str), strict=True)):
        if kind != "User" or e[k] - b[k] < 3:
            continue
        t, v = times[b[k] : e[k]], values[b[k] : e[k]]

        def change(fr: np.ndarray, t: np.ndarray = t, v: np.ndarray = v) -> np.ndarray:
            at = np.searchsorted(t, ph.start[fr], "right") - 1
            to = np.searchsorted(t, ph.end[fr], "right") - 1
            return np.where(to >= 0, v[np.maximum(to, 0)], 0.0) - np.where(at >= 0, v[np.maximum(at, 0)], 0.0)

        if _frame_time_values(t, v, ph, ref):
            continue  # the program's own frame-time plot: it moves with every slow frame and says nothing new
        slow, usual = change(frames), change(ref)
        moved = np.abs(slow) > 0
        still = float((np.abs(usual) <= 0.1 * float(np.median(np.abs(slow)))).mean()) if moved.any() else 0.0
        if moved.mean() >= 0.8 and still >= 0.8:
            found.append(f"{label} {'+' if np.median(slow) >= 0 else ''}{np.median(slow):.4g} in each (median)")
    if not found:
        return ""
    return f"Plots that move in these frames and hold still in typical ones: {'; '.join(found[:3])}."


def _frame_time_values(t: np.ndarray, v: np.ndarray, ph: FramePhases, frames: np.ndarray) -> bool:
    """Whether a plot's points are frame times: the first point in most frames is that frame's or the one
    before's duration, in s, ms, µs or ns (within 10%)."""
    k = np.searchsorted(t, ph.start[frames], "left")
    ok = (k < len(t)) & (frames > 0)
    if ok.sum() < 5:
        return False
    k, fr = k[ok], frames[ok]
    inside = t[k] < ph.end[fr]
    k, fr = k[inside], fr[inside]
    if len(k) < 5:
        return False
    return any(frame_time_plot(v[k], d, share=0.8) for d in (ph.dur[fr], ph.dur[fr - 1]))


def _near_misses(
    ctx: Capture, ph: FramePhases, typical: np.ndarray, key: tuple[int, int], vals: np.ndarray, usual: float
) -> str:
    """Frames just under the threshold (NEAR_MISS of it or more) where the culprit grew as in the slow frames (at
    least half its least growth there): the same hitch, only a little shorter."""
    cand = typical[ph.dur[typical] >= NEAR_MISS * ph.threshold_ns]
    if len(cand) == 0 or len(vals) == 0:
        return ""
    cand = cand[np.argsort(-ph.dur[cand], kind="stable")][:10]
    m = frame_self_time(ctx, cand, ph.start[cand], ph.end[cand])
    col = np.flatnonzero((m.thread_of == key[0]) & (m.name_of == key[1]))
    if len(col) == 0:
        return ""
    own = m.self_ns[:, int(col[0])]
    hit = own - usual >= 0.5 * (float(vals.min()) - usual)
    if not hit.any():
        return ""
    name = ctx._srclocs().names[key[1]]
    return (
        "Just under the threshold, the same cause: "
        + "; ".join(
            f"frame {int(f)} ({fmt_ns(ph.dur[f])}, {ph.dur[f] / ph.median_ns:.2f}x): {name} {fmt_ns(float(v))}"
            for f, v in zip(cand[hit].tolist(), own[hit].tolist(), strict=True)
        )
        + f" (typical {fmt_ns(usual)})."
    )


def _waited_work(
    ctx: Capture, ph: FramePhases, frames: np.ndarray, thread_row: int, name: str
) -> tuple[str, str, str, str, np.ndarray] | None:
    """When the zone `name` on the frame loop's thread only waits in `frames` (its longest run in each ends right
    after another thread's unit of work, unlikely by chance: wait_zones.joined_work): (line, the work waited for,
    its thread(s), its durations there, its zone rows); None otherwise."""
    t = ctx._cpu()
    sl = ctx._srclocs()
    run = _longest_runs(ctx, ph, frames, thread_row, name)
    if len(run) == 0 or ctx.self_time_array()[run].sum() < 0.8 * t.dur[run].sum():
        return None
    joined = joined_work(ctx, thread_row, t.start[run], t.end[run])
    if joined is None:
        return None
    units = joined.rows[joined.rows >= 0]
    work, mine = _most_common(ctx, units)
    grew = _grew_during(ctx, run) if np.median(t.dur[mine]) < SHORT_LAST * np.median(t.dur[run]) else None
    if grew is not None:  # the job that ended last was short: the wait was for what ran long before it
        work, mine = grew[0], _longest_in(ctx, grew[1], run)
    chain = ""
    for _ in range(CHAIN_MAX):  # the job waited for may itself only wait, inside, for another job
        further = _waits_inside(ctx, mine)
        if further is None:
            break
        child, units, waits = further
        nxt, nxt_rows = _most_common(ctx, units)
        grew = _grew_during(ctx, waits)
        if grew is not None and np.median(t.dur[nxt_rows]) < SHORT_LAST * np.median(t.dur[waits]):
            # the job that ended last was short: the wait was for what ran long before it
            nxt, nxt_rows = grew
            chain += f"; {work} itself only waits there, in {child}, while {nxt} runs far longer than usual"
        else:
            chain += f"; {work} itself only waits there, in {child}, for {nxt}"
        work, mine = nxt, nxt_rows
    work, mine = _unwrapped(ctx, work, mine)
    labels = ctx._thread_labels()
    threads = sorted({labels[int(k)] for k in t.owner[mine].tolist()})
    durs = t.dur[mine].astype(float)
    all_runs = t.stat_rows(sl.rows_of(work))
    typical = float(np.median(t.dur[all_runs[t.valid[all_runs]]])) if len(all_runs) else float("nan")
    own = t.stat_rows(sl.rows_of(name))
    own = own[t.valid[own] & (t.owner[own] == thread_row)]
    waited_more = float(np.median(t.dur[run])) - float(np.median(t.dur[own]))
    if waited_more > 0 and not float(np.median(durs)) - typical >= WORK_EXPLAINS * waited_more:
        return None  # the work took its usual time: the wait grew for another reason (it started late, no core)
    span = _span(durs)
    grown = _grown_child(ctx, mine, all_runs[t.valid[all_runs]])
    inside = f" (inside it: {grown})" if grown else ""
    line = (
        f"{name} only waits there: {joined.evidence}{chain}. The work it waits for: {work} on {', '.join(threads)}, "
        f"{span} in those frames (median {fmt_ns(typical)} over all its runs){inside}."
    )
    return line, work, ", ".join(threads), f"{span} in those frames vs a median {fmt_ns(typical)}{inside}", mine


def _grown_child(ctx: Capture, runs: np.ndarray, every: np.ndarray) -> str:
    """'Terrain::GenerateChunk 26.15 ms..34.22 ms in those runs, absent from its other runs': the child zone of
    `runs` (slow runs of one zone) whose time grew by CHILD_EXPLAINS of the runs' growth over the zone's other runs
    (`every`: all its runs), '' when none did: what the waited-for job did differently."""
    t, sl = ctx._cpu(), ctx._srclocs()
    others = np.setdiff1d(every, runs)
    if len(runs) == 0 or len(others) == 0:
        return ""
    if len(others) > CHILD_SAMPLE:
        others = others[np.linspace(0, len(others) - 1, CHILD_SAMPLE).astype(I64)]

    def per_run(rows: np.ndarray) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        for j, r in enumerate(rows.tolist()):
            kids = t.children(r)
            kids = kids[t.valid[kids]]
            for k, d in zip(sl.name_idx[t.srcloc[kids]].tolist(), t.dur[kids].tolist(), strict=True):
                out.setdefault(k, np.zeros(len(rows)))[j] += d
        return out

    slow, usual = per_run(runs), per_run(others)
    growth = float(np.mean(t.dur[runs])) - float(np.median(t.dur[others]))
    if growth <= 0 or not slow:
        return ""
    typ = {k: float(np.median(usual[k])) if k in usual else 0.0 for k in slow}
    k = max(slow, key=lambda n: float(np.mean(slow[n])) - typ[n])
    if float(np.mean(slow[k])) - typ[k] < CHILD_EXPLAINS * growth:
        return ""
    was = "absent from its other runs" if typ[k] == 0 else f"typical {fmt_ns(typ[k])}"
    return f"{sl.names[k]} {_span(slow[k])} in those runs, {was}"


def _waited_for_a_core(
    ctx: Capture, ph: FramePhases, frames: np.ndarray, ref: np.ndarray, home: int
) -> tuple[str, bool] | None:
    """With context switches: how much longer the frame thread waited for a core (runnable but not running:
    preempted, or woken and not yet on a CPU) in `frames` than in the typical frames `ref`, when that is a notable
    part of their excess; (line, whether it is most of the excess) or None."""
    runs = thread_runs(ctx).get(home)
    if runs is None or len(runs.start) < 2 or len(ref) == 0:
        return None

    def ready(fr: np.ndarray) -> np.ndarray:
        a, b = ph.start[fr], ph.end[fr]
        return (b - a) - runs.running_between(a, b) - runs.asleep_between(a, b)

    slow_ready, typ_ready = ready(frames).astype(float), float(np.median(ready(ref)))
    excess = float(np.sum(ph.dur[frames] - np.median(ph.dur[ref])))
    added = float(np.sum(slow_ready - typ_ready))
    if excess <= 0 or added < PREEMPTED * excess:
        return None
    label = ctx._thread_labels()[home]
    return (
        f"{label} waited for a core (runnable, not running: context switches) {fmt_ns(float(np.mean(slow_ready)))} "
        f"per slow frame vs {fmt_ns(typ_ready)} in typical ones: {fmt_pct(min(added / excess, 1.0))} of their excess "
        "is other load taking its CPU, not its own work growing",
        added >= PREEMPTED_LEADS * excess,
    )


def _longest_in(ctx: Capture, rows: np.ndarray, waits: np.ndarray) -> np.ndarray:
    """Per wait run, the longest of `rows` that ended inside it (the job it waited for, among short ones)."""
    t = ctx._cpu()
    out = []
    for w in waits.tolist():
        inside = rows[(t.end[rows] >= t.start[w]) & (t.end[rows] <= t.end[w])]
        if len(inside):
            out.append(int(inside[int(np.argmax(t.dur[inside]))]))
    return np.asarray(out, np.int64) if out else rows


def _unwrapped(ctx: Capture, name: str, rows: np.ndarray) -> tuple[str, np.ndarray]:
    """Runs of a job seen through generic wrappers (Task::Run > Job::Execute > Work::Invoke > Cloth::Solve): while
    one child holds PASS_THROUGH of every run and the run itself does next to nothing, the child stands for it;
    (name, rows) of the innermost such zones, or the ones given."""
    t, sl = ctx._cpu(), ctx._srclocs()
    selft = ctx.self_time_array()
    for _ in range(WRAP_DEPTH):
        inner = []
        for r in rows.tolist():
            kids = t.children(r)
            dur = float(t.dur[r])
            if len(kids) == 0 or dur <= 0 or selft[r] > (1 - PASS_THROUGH) * dur:
                return name, rows
            top = int(kids[int(np.argmax(t.dur[kids]))])
            if float(t.dur[top]) < PASS_THROUGH * dur:
                return name, rows
            inner.append(top)
        names = {str(sl.name[int(c)]) for c in t.srcloc[np.asarray(inner, np.int64)].tolist()}
        if len(names) != 1:  # the wrappers hold different work in different runs: no one job to name
            return name, rows
        name, rows = names.pop(), np.asarray(inner, np.int64)
    return name, rows


def _most_common(ctx: Capture, rows: np.ndarray) -> tuple[str, np.ndarray]:
    """The zone name most of `rows` have, and those rows."""
    t, sl = ctx._cpu(), ctx._srclocs()
    names = np.asarray([sl.name[int(x)] for x in t.srcloc[rows].tolist()], object)
    vals, cnt = np.unique(names, return_counts=True)
    top = str(vals[int(np.argmax(cnt))])
    return top, rows[names == top]


def _waits_inside(ctx: Capture, rows: np.ndarray) -> tuple[str, np.ndarray, np.ndarray] | None:
    """When runs of a job spend most of their time in one child zone that ends right after other work ends (a
    fiber's wait on a counter, a task's join): (that child's name, the units of work its runs waited for, the
    child's runs)."""
    t = ctx._cpu()
    if len(rows) == 0 or ctx.self_time_array()[rows].sum() >= 0.5 * t.dur[rows].sum():
        return None
    kids = []
    for r in rows.tolist():
        inside = t.children(r)
        inside = inside[t.valid[inside]]
        if len(inside):
            kids.append(int(inside[np.argmax(t.dur[inside])]))
    if not kids:
        return None
    child, kid_rows = _most_common(ctx, np.asarray(kids, np.int64))
    if t.dur[kid_rows].sum() < 0.5 * t.dur[rows].sum():
        return None
    units: list[np.ndarray] = []
    for k in np.unique(t.owner[kid_rows]).tolist():  # per thread (a fiber): its runs tested together
        mine = kid_rows[t.owner[kid_rows] == k]
        joined = joined_work(ctx, int(k), t.start[mine], t.end[mine])
        if joined is not None:
            units.append(joined.rows[joined.rows >= 0])
    found = np.concatenate(units) if units else np.zeros(0, np.int64)
    # most runs, not all: a lone run on a thread of its own cannot beat chance by itself
    return (child, found, kid_rows) if len(found) >= CHAIN_SHARE * len(kid_rows) else None


def _grew_during(ctx: Capture, waits: np.ndarray) -> tuple[str, np.ndarray] | None:
    """The units of work (other threads') ending inside the wait runs `waits` that exceed their own median the
    most in all: (name, those rows); None when none ran longer than usual."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows: list[int] = []
    for _st, en, units in top_work(ctx):
        if len(units) == 0:
            continue
        for w in waits.tolist():
            lo = int(np.searchsorted(en, t.start[w], "left"))
            hi = int(np.searchsorted(en, t.end[w], "right"))
            inside = units[lo:hi]
            rows.extend(inside[t.owner[inside] != t.owner[w]].tolist())  # ended while it waited
    if not rows:
        return None
    cand = np.unique(np.asarray(rows, np.int64))
    waiting = set(wait_names(ctx))  # a worker's wait for work grows with the stall too: not work
    cand = cand[[str(sl.name[int(c)]) not in waiting for c in t.srcloc[cand].tolist()]]
    if len(cand) == 0:
        return None
    codes = t.srcloc[cand]
    median = {int(c): float(np.median(t.dur[t.stat_rows(np.asarray([c]))])) for c in np.unique(codes).tolist()}
    over = t.dur[cand] - np.asarray([median[int(c)] for c in codes.tolist()])
    by: dict[int, float] = {}
    for c, o in zip(codes.tolist(), over.tolist(), strict=True):
        by[int(c)] = by.get(int(c), 0.0) + o
    best = max(by, key=lambda c: by[c])
    if by[best] <= 0:
        return None
    return str(sl.name[best]), cand[codes == best]


def _longest_runs(ctx: Capture, ph: FramePhases, frames: np.ndarray, thread_row: int, name: str) -> np.ndarray:
    """Per frame of `frames`, the longest run of zone `name` on `thread_row` that starts in it (frames without one
    are skipped)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[(t.owner[rows] == thread_row) & t.valid[rows]]
    runs = []
    for f in frames.tolist():
        inside = rows[(t.start[rows] >= ph.start[f]) & (t.start[rows] < ph.end[f])]
        if len(inside):
            runs.append(int(inside[np.argmax(t.dur[inside])]))
    return np.asarray(runs, np.int64)


def _inside_runs(ctx: Capture, runs: np.ndarray, name: str, msgs: list[dict[str, Any]]) -> list[str]:
    """What a capture says of the culprit's slow runs: their zone texts against the same texts' other runs (a
    slowdown tied to its input, or not), and, when they have no child zones and no CPU samples or context switches
    were recorded and no message was logged in the frames, that what they did is not in the capture."""
    t = ctx._cpu()
    out: list[str] = []
    if len(runs) == 0:
        return out
    texts = zone_texts(ctx, runs, plain=True)
    every = t.stat_rows(ctx._srclocs().rows_of(name))
    every = every[t.valid[every]]
    all_texts = np.asarray(zone_texts(ctx, every, plain=True), object) if any(texts) else np.asarray([])
    if len(set(all_texts.tolist())) > 1:  # one text on every run (a constant value) tells no run apart
        usual = float(np.median(t.dur[every]))
        slow_min = float(t.dur[runs].min())
        # typical: nearer the usual run than the slowest-but-one; half the slow length alone calls a 9.6 ms run of a
        # zone whose slow runs take 17 ms "as long"
        cut = max(0.5 * slow_min, usual + 0.5 * (slow_min - usual))
        only: list[str] = []
        always: list[str] = []
        sometimes: list[str] = []
        for x in sorted(set(texts)):
            other = every[(all_texts == x) & ~np.isin(every, runs)]
            fast = int((t.dur[other] < cut).sum())
            if len(other) == 0:
                only.append(x)
            elif fast:
                sometimes.append(f"{x} ({fast} of its {len(other)} other runs typical)")
            else:
                always.append(f"{x!r} (all {len(other)} other runs with it over {fmt_ns(cut)})")
        if only:
            out.append(
                f"Its slow runs carry zone texts no other run has ({len(only)}): {', '.join(only[:8])}"
                + (", …" if len(only) > 8 else "")
                + "."
            )
        if always:
            out.append(
                f"Tied to its input: every run with the slow runs' zone text is this long: {', '.join(always[:4])}."
            )
        if sometimes and not always and not only:
            out.append(
                f"Not tied to its input: each slow run's zone text also runs at a typical duration (median "
                f"{fmt_ns(usual)}) elsewhere: {', '.join(sometimes[:4])}."
            )
    leaf = bool(np.all(t.subtree_end[runs] == runs + 1))
    if leaf and not msgs and not ctx._db.rows("samples") and not ctx._db.rows("ctx_switches"):
        out.append(
            f"{name} has no child zones in those runs and the capture has no CPU samples or context switches: what "
            "it did there (work, I/O, a wait) is not recorded; zones inside it, or sampling, would tell."
        )
    return out


def _pools(labels: list[str], home: int) -> dict[int, np.ndarray]:
    """Thread row -> the rows of its pool (threads named "<name> <n>", two or more, the frame loop's aside)."""
    groups: dict[str, list[int]] = {}
    for k, lab in enumerate(labels):
        if k != home and pool_of(lab) != lab:
            groups.setdefault(pool_of(lab), []).append(k)
    return {k: np.asarray(v, I64) for v in groups.values() if len(v) > 1 for k in v}


def _only_early(ph: FramePhases, slow: np.ndarray) -> str:
    """'all 8 within the first 2.38 s of the 6.71 s of gameplay, none after' when the slow frames (sorted) all end
    within EARLY_SHARE of the gameplay frames' span (first-time work: compiles, caches warming); ''."""
    g = ph.gameplay
    lo, hi = int(ph.start[g[0]]), int(ph.end[g[-1]])
    until = int(ph.end[slow[-1]]) - lo
    if hi <= lo or until > EARLY_SHARE * (hi - lo):
        return ""
    return f"all {len(slow)} within the first {fmt_ns(until)} of the {fmt_ns(hi - lo)} of gameplay, none after"


def _common_message(ctx: Capture, ph: FramePhases, slow: np.ndarray) -> tuple[str, bool]:
    """('"Player placed tower ..." (4 of 4 slow frames)', whether its texts differ by a number) when every slow
    frame holds, or follows within two median frames, a message starting with the same three words (numbers
    blanked): the event behind a regular-looking rhythm (a player's action); ('', False)."""
    if len(slow) < 2:
        return "", False
    # logged the frame before, too; the first words: the names in a player's action differ from one to the next
    # ("player placed Barracks", "player placed War Factory"), so two words do when three do not, if the kind is
    # logged about as often as the slow frames come (not every frame)
    found = None
    for n in (3, 2):
        key = functools.partial(_first_words, n=n)
        hit = most_logged(ctx, ph.start[slow] - 2 * ph.median_ns, ph.end[slow], key=key)
        if hit is not None and hit[1] >= len(slow) and len(hit[0].split()) >= n:
            if n == 3 or _logged(ctx, key, hit[0]) <= RARE_MESSAGE * len(slow):
                found = hit
                break
    if found is None:
        return "", False
    first = " ".join(found[2].split()[: len(found[0].split())])
    return f'"{clip_text(first, 60)} ..." ({found[1]} of {len(slow)} slow frames)', "#" in found[0]


def _first_words(text: str, n: int = 3) -> str:
    """The first `n` words, numbers blanked ("wave # incoming"): the kind of event, whatever it names."""
    return " ".join(template(text).split()[:n])


def _logged(ctx: Capture, key: Callable[[str], str], kind: str) -> int:
    """How many of the capture's messages are of `kind` (by `key`)."""
    db = ctx._db
    return sum(key(ctx._str(x)) == kind for x in db.col("messages", "text").tolist()) if db.rows("messages") else 0


def _waited_in_frame(ctx: Capture, ph: FramePhases, f: int, thread: int, wait: str) -> int:
    """The zone row of the unit of work another thread finished last before the longest run of `wait` on `thread`
    in frame `f` ended (within WAKE_NS): the job that wait waited for; -1 when none."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(wait))
    rows = rows[t.valid[rows] & (t.owner[rows] == thread) & (t.start[rows] < ph.end[f]) & (t.end[rows] > ph.start[f])]
    if len(rows) == 0:
        return -1
    end = int(t.end[rows[np.argmax(t.dur[rows])]])
    return int(work_ended_before(ctx, thread, np.asarray([end], I64), WAKE_NS)[0])


def _in_subtree(ctx: Capture, row: int, nm_of: np.ndarray) -> np.ndarray:
    """Per matrix column: its zone name is that of `row` or of a zone inside it."""
    t = ctx._cpu()
    sl = ctx._srclocs()
    wanted = {str(sl.name[int(k)]) for k in np.unique(t.srcloc[row : int(t.subtree_end[row])]).tolist()}
    return np.asarray([str(sl.names[int(k)]) in wanted for k in nm_of.tolist()], bool)


def _pooled_top(
    m: FrameSelfTime, nd: int, r: int, pool: np.ndarray, work: np.ndarray
) -> tuple[int, tuple[int, int, float, float]] | None:
    """The job (zone name) that grew most in slow frame `r` summed over a pool's threads against its typical sum:
    (the column of the thread that ran most of it there, (name, pool id, its time there, typical)), or None. Per
    thread, a job that lands on a different worker each frame is 'absent from typical frames' everywhere."""
    th_of, nm_of = m.thread_of, m.name_of
    cols = np.flatnonzero(np.isin(th_of, pool) & work)
    if len(cols) == 0:
        return None
    best: tuple[float, int, float, float] | None = None
    for nm in np.unique(nm_of[cols]).tolist():
        cs = cols[nm_of[cols] == nm]
        here = float(m.self_ns[r, cs].sum())
        usual = float(np.median(m.self_ns[nd:, cs].sum(axis=1))) if len(m.self_ns) > nd else 0.0
        if best is None or here - usual > best[0]:
            best = (here - usual, int(nm), here, usual)
    if best is None or best[0] <= 0:
        return None
    _, nm, here, usual = best
    cs = cols[nm_of[cols] == nm]
    return int(cs[np.argmax(m.self_ns[r, cs])]), (nm, int(pool.min()), here, usual)


def _overall_culprit(culprit_of: np.ndarray, growth: np.ndarray, by_total: bool = False) -> int:
    """The key that grew most in the most slow frames (ties: the larger total growth); `by_total`: the key whose
    growth summed over the frames where it grew most is largest."""
    keys, votes = np.unique(culprit_of[culprit_of >= 0], return_counts=True)
    if len(keys) == 0:
        return -1
    tot = np.asarray([growth[culprit_of == k, k].sum() for k in keys.tolist()])
    order = np.lexsort((-votes, -tot)) if by_total else np.lexsort((-tot, -votes))
    return int(keys[order[0]])


def _frame_columns(
    ph: FramePhases,
    slow: np.ndarray,
    detail: np.ndarray,
    m: FrameSelfTime,
    typ: np.ndarray,
    growth: np.ndarray,
    culprit_of: np.ndarray,
    share_of: np.ndarray,
    msgs: list[dict[str, Any]],
    names: list[str],
    labels: list[str],
) -> dict[str, Any]:
    n = len(slow)
    zone = np.full(n, "", object)
    thread = np.full(n, "", object)
    t_ns, s_ns, g_ns = (np.zeros(n, I64) for _ in range(3))  # 0 ns (zone "") when no zone grew
    sh = np.full(n, np.nan)
    at = {int(f): r for r, f in enumerate(detail.tolist())}
    for i, f in enumerate(slow.tolist()):
        r = at.get(int(f))
        if r is None or culprit_of[r] < 0:
            continue
        k = int(culprit_of[r])
        zone[i], thread[i] = names[int(m.name_of[k])], labels[int(m.thread_of[k])]
        t_ns[i], s_ns[i], g_ns[i] = round(float(typ[k])), int(m.self_ns[r, k]), round(float(growth[r, k]))
        sh[i] = share_of[r]
    per = np.bincount(np.searchsorted(slow, [mr["frame"] for mr in msgs]), minlength=n) if msgs else np.zeros(n)
    return {
        "frame": slow.astype(I64),
        "start_ns": ph.start[slow],
        "duration_ns": ph.dur[slow],
        "x_median": ph.dur[slow] / ph.median_ns,
        "excess_ns": np.rint(ph.dur[slow] - ph.median_ns).astype(I64),
        "zone": zone,
        "thread": thread,
        "typical_ns": t_ns,
        "slow_ns": s_ns,
        "growth_ns": g_ns,
        "share_of_added": sh,
        "share_of_excess": g_ns / np.maximum(ph.dur[slow] - ph.median_ns, 1),
        "messages": per.astype(I64),
    }


def _longest(ph: FramePhases, slow: np.ndarray, table: Any) -> str:
    """'the longest: frame 10866 75.49 ms (Net::Reconnect +72.0 ms), ...; the next 38.21 ms' for the LONGEST frames
    of many slow ones, each with the zone that grew most in it: a few hitches a player feels among many frames just
    over the threshold, each its own cause."""
    top = slow[np.argsort(-ph.dur[slow], kind="stable")][: LONGEST + 1]
    if len(top) <= LONGEST or ph.dur[top[LONGEST - 1]] < LONGEST_GAP * ph.dur[top[LONGEST]]:
        return ""  # the longest do not stand apart from the rest: no few hitches to name
    fcol = np.asarray(table["frame"])
    parts = []
    for i in top[:LONGEST].tolist():
        j = int(np.searchsorted(fcol, i))
        z = str(table["zone"][j]) if j < len(fcol) and fcol[j] == i else ""
        grew = f" ({z} +{fmt_ns(float(table['growth_ns'][j]))})" if z else ""
        parts.append(f"frame {i} {fmt_ns(ph.dur[i])}{grew}")
    return "the longest: " + ", ".join(parts) + f"; the next {fmt_ns(ph.dur[int(top[-1])])}"


def _frame_lines(ph: FramePhases, slow: np.ndarray, table: Any, detail: np.ndarray) -> list[str]:
    shown = slow if len(slow) <= SHOWN else np.sort(slow[np.argsort(-ph.dur[slow], kind="stable")][:SHOWN])
    lines = [f"{'frame':>6} {'start ms':>9} {'frame ms':>9} {'x med':>6}  top-growing zone: typical -> in frame (ms)"]
    if len(shown) < len(slow):
        lines[0] += f"  [the {len(shown)} slowest of {len(slow)}; all in .table]"
    fcol = np.asarray(table["frame"])
    analysed = set(detail.tolist())
    for i in shown.tolist():
        j = int(np.searchsorted(fcol, i))
        z = str(table["zone"][j])
        if z:
            what = f"{z} {fmt_ms(table['typical_ns'][j], 3)} -> {fmt_ms(table['slow_ns'][j])}"
        else:
            what = "(no zone grew)" if i in analysed else "(not analysed)"
        lines.append(
            f"{i:>6} {fmt_ms(ph.start[i], 1):>9} {fmt_ms(ph.dur[i]):>9} {ph.dur[i] / ph.median_ns:>5.2f}x  {what}"
        )
    return lines


def _unzoned_gap(ctx: Capture, ph: FramePhases, frames: np.ndarray, home: int, rest: float) -> str:
    """'; it is one gap between Game::Update and Render::Submit in 8 of 8 frames (a median 25.10 ms)' when the
    largest stretch outside every zone on the frame thread falls between the same two zones in most of `frames`
    and holds most of the `rest` (the time outside zones per frame); '' otherwise: where the missing zone goes."""
    t, sl = ctx._cpu(), ctx._srclocs()
    top = np.flatnonzero((t.owner[: t.n] == home) & (t.depth[: t.n] == 0) & t.valid)
    top = top[np.argsort(t.start[top], kind="stable")]
    pairs: dict[tuple[str, str], list[float]] = {}
    for f in frames.tolist():
        lo, hi = int(ph.start[f]), int(ph.end[f])
        rows = top[(t.end[top] > lo) & (t.start[top] < hi)]
        if len(rows) < 2:
            continue
        ends = np.maximum.accumulate(t.end[rows])
        gaps = t.start[rows[1:]] - ends[:-1]
        k = int(np.argmax(gaps))
        if gaps[k] <= 0:
            continue
        before = int(rows[: k + 1][np.argmax(t.end[rows[: k + 1]])])
        key = (
            str(sl.names[int(sl.name_idx[t.srcloc[before]])]),
            str(sl.names[int(sl.name_idx[t.srcloc[rows[k + 1]]])]),
        )
        pairs.setdefault(key, []).append(float(gaps[k]))
    if not pairs:
        return ""
    (a, b), gaps_ns = max(pairs.items(), key=lambda kv: len(kv[1]))
    if len(gaps_ns) < GAP_SHARE * len(frames) or float(np.median(gaps_ns)) < GAP_SHARE * rest:
        return ""
    return (
        f"; it is one gap between {a} and {b} in {len(gaps_ns)} of {len(frames)} frames (a median "
        f"{fmt_ns(float(np.median(gaps_ns)))}): code there runs without a zone"
    )


def _split(
    ph: FramePhases, frames: np.ndarray, growth: np.ndarray, on: np.ndarray, base_ns: float | None = None
) -> tuple[float, ...]:
    """(excess, added, shrunk, rest) per frame on average: the frames' time over the median (or `base_ns`, the
    typical frame), the self time added and shrunk on the frame loop's thread, and the rest (time on it outside its
    zones, or off it)."""
    excess = float(np.mean(ph.dur[frames] - (ph.median_ns if base_ns is None else base_ns)))
    g = growth[:, on] if on.any() else np.zeros((len(frames), 0))
    added = float(np.where(g > 0, g, 0).sum(axis=1).mean()) if g.size else 0.0
    shrunk = float(np.where(g < 0, g, 0).sum(axis=1).mean()) if g.size else 0.0
    return excess, added, shrunk, excess - added - shrunk


def _balance(
    ph: FramePhases,
    frames: np.ndarray,
    growth: np.ndarray,
    on: np.ndarray,
    thread: str,
    what: str,
    base_ns: float | None = None,
) -> str:
    """How the frames' time over the median splits into self time added and shrunk on the frame loop's thread (a
    wait that shrank absorbed part of the added work)."""
    one = len(frames) == 1
    excess, added, shrunk, rest = _split(ph, frames, growth, on, base_ns)
    sign = "+" if excess >= 0 else "-"
    per = "" if one else " per frame on average"
    tail = f", -{fmt_ns(abs(shrunk))} shrunk there" if shrunk < 0 else ""
    if abs(rest) > max(0.05 * abs(excess), 50_000):
        tail += f", {'+' if rest >= 0 else '-'}{fmt_ns(abs(rest))} outside its zones"
    return (
        f"{what.capitalize()}: {sign}{fmt_ns(abs(excess))}{per} against the median frame = +{fmt_ns(added)} of self "
        f"time added on {thread}{tail}."
    )


def _shrinkers(
    growth: np.ndarray,
    typ: np.ndarray,
    on: np.ndarray,
    th_of: np.ndarray,
    nm_of: np.ndarray,
    waits: dict[tuple[int, int], WaitZone],
    names: list[str],
    what: str,
) -> list[str]:
    """Zones of the frame thread that shrank in the analysed frames by at least SHRANK of the added time."""
    mean_g = growth.mean(axis=0)
    added = float(np.where(on & (mean_g > 0), mean_g, 0).sum())
    out = []
    mean = "" if len(growth) == 1 else "mean "  # one frame: its own time
    for k in np.argsort(mean_g)[:3].tolist():
        if not on[k] or mean_g[k] >= 0 or -mean_g[k] < SHRANK * added:
            continue
        w = waits.get((int(th_of[k]), int(nm_of[k])))
        why = f"{w.label}, which absorbs the extra work; not a cause (evidence: {w.evidence})" if w else "it shrank"
        out.append(
            f"Shrank in {what}: {names[int(nm_of[k])]} typical {fmt_ns(typ[k])} -> {mean}"
            f"{fmt_ns(typ[k] + mean_g[k])}: {why}."
        )
    return out


def _other_threads(
    growth: np.ndarray,
    on: np.ndarray,
    th_of: np.ndarray,
    nm_of: np.ndarray,
    names: list[str],
    labels: list[str],
    what: str,
    counts: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> str:
    """The zone of another thread that grew most in the analysed frames (context: it runs beside the frame loop),
    and whether it ran more often at its usual time per call (`counts`: its mean count in those frames, its typical
    count and typical self time per frame)."""
    mean_g = growth.mean(axis=0)
    off = np.flatnonzero(~on & (mean_g > 0))
    if len(off) == 0:
        return ""
    k = int(off[np.argmax(mean_g[off])])
    avg = "" if len(growth) == 1 else " on average"  # one frame: its own growth
    cnt, typ_cnt, typ_ns = float(counts[0][k]), float(counts[1][k]), float(counts[2][k])
    calls = ""
    if typ_cnt > 0 and cnt > 1.2 * typ_cnt and typ_ns > 0:
        per_call, usual = (typ_ns + float(mean_g[k])) / cnt, typ_ns / typ_cnt
        same = " at its usual time per call" if abs(per_call / usual - 1) <= SAME_PER_RUN else ""
        calls = (
            f" ({cnt:.3g} calls vs typically {typ_cnt:.3g}, {fmt_ns(per_call)} per call vs {fmt_ns(usual)}: it ran "
            f"more often{same})"
        )
    return (
        f"Other threads: {names[int(nm_of[k])]} ({labels[int(th_of[k])]}) grew most, +{fmt_ns(mean_g[k])}{avg} "
        f"in {what}{calls}; it runs beside the frame loop, not in it."
    )


def _runs_clause(ctx: Capture, ph: FramePhases, frames: np.ndarray, ref: np.ndarray, thread_row: int, name: str) -> str:
    """When the zone ran more often in `frames` than in typical frames (`ref`): how often and at what time per run
    (a fixed-step loop catching up runs its step more times; a layout pass re-measures more widgets), "" when its
    run count held."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows] & (t.owner[rows] == thread_row)]
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
    ok = fi >= 0
    n = len(ph.start)
    count = np.bincount(fi[ok], minlength=n)[:n].astype(np.float64)
    incl = np.bincount(fi[ok], weights=t.dur[rows][ok].astype(np.float64), minlength=n)[:n]
    slow_n, typ_n = float(count[frames].mean()), float(np.median(count[ref])) if len(ref) else 0.0
    if typ_n <= 0 or slow_n < RUNS_GREW * typ_n or not count[frames].sum() or not count[ref].sum():
        return ""
    per_slow = float(incl[frames].sum() / count[frames].sum())
    per_typ = float(incl[ref].sum() / count[ref].sum())
    same = abs(per_slow / per_typ - 1) <= SAME_PER_RUN if per_typ > 0 else False
    return (
        f"; it ran {slow_n:.3g}x per slow frame vs {typ_n:.3g}x typically, {fmt_ns(per_slow)} per run vs "
        f"{fmt_ns(per_typ)}" + (f": {RUNS_AT_USUAL_COST}, not slower ones" if same else "")
    )


def _big_allocation(ctx: Capture, ph: FramePhases, frames: np.ndarray, thread_row: int, name: str) -> str:
    """'; each of its runs there allocates 96.00 MiB ...' when the culprit's runs in the slow frames allocate
    BIG_ALLOC bytes or more each (the median): fresh memory costs page faults as it is first written, in the zone
    that writes it, and no child zone shows that time; '' otherwise."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows] & (t.owner[rows] == thread_row)]
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
    rows = rows[(fi >= 0) & np.isin(fi, frames)]
    if not len(rows):
        return ""
    per_run = float(np.median(bytes_allocated_during(ctx, rows)))
    if per_run < BIG_ALLOC:
        return ""
    return (
        f"; each of its runs there allocates {fmt_bytes(per_run)} (median): a large fresh allocation is paged in as "
        "it is first written, time spent inside the zone that no child zone shows (keep and reuse the buffer)"
    )


def _outermost(ctx: Capture, rows: np.ndarray) -> np.ndarray:
    """The rows not inside a zone of their own name (a recursion's outermost runs; every row elsewhere)."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = np.asarray(rows, I64)
    mine = sl.name_idx[t.srcloc[rows]]
    keep = np.ones(len(rows), bool)
    cur = t.parent[rows].astype(I64)
    while True:
        live = cur >= 0
        if not live.any():
            break
        same = np.zeros(len(rows), bool)
        same[live] = sl.name_idx[t.srcloc[cur[live]]] == mine[live]
        keep &= ~same
        cur = np.where(live & ~same, t.parent[np.maximum(cur, 0)], -1).astype(I64)
    return rows[keep]


def _inclusive_per_frame(ctx: Capture, ph: FramePhases, thread_row: int, name: str) -> np.ndarray:
    """Per frame of the set, the time in zone `name` on the thread (its runs, by the frame they start in; a run
    inside another run of the same name is counted in that one's time already)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = _outermost(ctx, rows[t.valid[rows] & (t.owner[rows] == thread_row)])
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
    ok = fi >= 0
    return np.bincount(fi[ok], weights=t.dur[rows][ok].astype(np.float64), minlength=len(ph.start))[: len(ph.start)]


def _enclosing_culprit(
    ctx: Capture,
    ph: FramePhases,
    frames: np.ndarray,
    ref: np.ndarray,
    thread_row: int,
    name: str,
    waits: AbstractSet[str] = frozenset(),
) -> tuple[str, np.ndarray, float, str] | None:
    """When the culprit is one of several children of a zone that grew as a whole (a full collection's mark and
    sweep), the enclosing zone: climbing while the zone's own growth is under CLIMB of its parent's. (name, its
    time in each of `frames`, its typical time per frame, its grown children as text); None when the culprit
    itself holds the growth. A parent's growth leaves out its children that are `waits` (a frame's vsync wait
    grows when the frame misses the interval: that is no work of the parent's)."""
    t, sl = ctx._cpu(), ctx._srclocs()
    cur, climbed = name, False
    cur_incl = _inclusive_per_frame(ctx, ph, thread_row, cur)
    for _ in range(MAX_CLIMB):
        rows = t.stat_rows(sl.rows_of(cur))
        rows = rows[t.valid[rows] & (t.owner[rows] == thread_row)]
        fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
        par = t.parent[rows[np.isin(fi, frames)]]
        par = par[par >= 0]
        if len(par) == 0:
            break
        idx, cnt = np.unique(sl.name_idx[t.srcloc[par]], return_counts=True)
        pidx = int(idx[np.argmax(cnt)])
        pname = str(sl.names[pidx])
        p_incl = _inclusive_per_frame(ctx, ph, thread_row, pname)
        for w in waits - {pname}:  # a wait among the parent's children: not the parent's work
            w_rows = t.stat_rows(sl.rows_of(w))
            w_rows = w_rows[t.valid[w_rows] & (t.owner[w_rows] == thread_row)]
            w_par = t.parent[w_rows]
            w_par = w_par[w_par >= 0]
            if len(w_par) and float(np.mean(sl.name_idx[t.srcloc[w_par]] == pidx)) >= 0.5:
                p_incl = p_incl - _inclusive_per_frame(ctx, ph, thread_row, w)
        grow_cur = float(cur_incl[frames].mean() - np.median(cur_incl[ref]))
        grow_par = float(p_incl[frames].mean() - np.median(p_incl[ref]))
        if grow_par <= 0 or grow_cur >= CLIMB * grow_par:
            break
        cur, cur_incl, climbed = pname, p_incl, True
    if not climbed:
        return None
    kids = t.stat_rows(sl.rows_of(cur))
    kids = kids[t.valid[kids] & (t.owner[kids] == thread_row)]
    kids = kids[np.isin(np.searchsorted(ph.start, t.start[kids], "right") - 1, frames)]  # its runs in those frames
    # their children: the rows under each run whose parent it is (a subtree is contiguous)
    child = np.concatenate(
        [np.zeros(0, I64)] + [k + 1 + np.flatnonzero(t.parent[k + 1 : t.subtree_end[k]] == k) for k in kids.tolist()]
    )
    child = child[t.valid[child]].astype(I64)
    child = child[sl.name_idx[t.srcloc[child]] != sl.name_idx[t.srcloc[kids[0]]]] if len(kids) else child
    names = sl.name_idx[t.srcloc[child]]
    per = np.bincount(names, weights=t.dur[child].astype(np.float64)) / max(len(frames), 1)
    shown = [f"{sl.names[int(k)]} {fmt_ns(per[k])}" for k in np.argsort(-per)[:3] if per[k] > 0]
    return cur, cur_incl[frames], float(np.median(cur_incl[ref])), ", ".join(shown) + " per slow frame"


def _path_of(ctx: Capture, ph: FramePhases, frames: np.ndarray, thread_row: int, name: str) -> str:
    """Call path of the culprit's longest zone in the slowest of `frames`."""
    t = ctx._cpu()
    sl = ctx._srclocs()
    worst = int(frames[np.argmax(ph.dur[frames])])
    rows = ctx._zone_rows_starting_in(int(ph.start[worst]), int(ph.end[worst]))
    rows = rows[(t.owner[rows] == thread_row) & np.isin(t.srcloc[rows], sl.rows_of(name))]
    if len(rows) == 0:
        return ""
    r = int(rows[np.argmax(t.dur[rows])])
    chain = []
    while r >= 0:
        s = int(t.srcloc[r])
        chain.append(sl.name[s] if 0 <= s < len(sl) else "?")
        r = int(t.parent[r])
    return " > ".join(reversed(chain))


def _phase_lines(ph: FramePhases) -> list[str]:
    idx = np.flatnonzero(ph.kind != GAMEPLAY)
    if len(idx) == 0:
        return []
    parts = [f"frame {i} {KIND_NAMES[int(ph.kind[i])]} {fmt_ns(ph.dur[i])} ({ph.reason.get(int(i))})" for i in idx[:6]]
    more = f"; ... {len(idx) - 6} more in .tables['phases']" if len(idx) > 6 else ""
    return ["Not gameplay, reported apart: " + "; ".join(parts) + more + "."]


def _distribution(ph: FramePhases, frames: np.ndarray, other: bool = False) -> str:
    d = ph.dur[frames]
    p90, p99 = np.percentile(d, [90, 99])
    what = "Other gameplay frames" if other else "Gameplay frames"
    return (
        f"{what}: median {fmt_ns(float(np.median(d)))}, p90 {fmt_ns(float(p90))}, p99 {fmt_ns(float(p99))}, "
        f"max {fmt_ns(float(d.max()))} (frame {int(frames[int(np.argmax(d))])})."
    )


def _span(v: np.ndarray) -> str:
    if len(v) == 0:
        return "-"
    return fmt_ns(float(v.min())) if len(v) == 1 else f"{fmt_ns(float(v.min()))}..{fmt_ns(float(v.max()))}"


def _share_span(s: np.ndarray) -> str:
    a, b = float(s.min()), float(s.max())
    return fmt_pct(a) if b - a < 0.0005 else f"{fmt_pct(a)}-{fmt_pct(b)}"
