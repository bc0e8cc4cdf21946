"""frame_trend: whether the frames get slower (or the work in them grows) as the program runs, and what grows.

A slowdown that builds up over a run (a list that is never trimmed, a cache that only grows) leaves no frame far
above the median, so slow_frames finds nothing. This analysis splits the gameplay frames into tenths of the run and
compares them: the median frame per tenth, and per (thread, zone name) the median self time per frame in a sample
of frames from each tenth. A zone grows steadily when its tenths rise in rank order with time (Spearman's rank
correlation). A frame pacer (vsync, a sleep to the frame budget) can hide growing work while the frame time holds:
the growing work is still named, with the wait that shrank to absorb it. The program's plots that rise or fall
with the run (an entity count, a queue length) are named as what the growth follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.backlog import backlog
from tracy_mcp.analysis.formatting import clip_text, fmt_ns, fmt_pct, name_list, pool_of
from tracy_mcp.analysis.frame_phases import FramePhases, frame_phases
from tracy_mcp.analysis.frame_self_time import frame_self_time, frame_thread
from tracy_mcp.analysis.machine_factor import MIN_CALLS, machine_factor, machine_words
from tracy_mcp.analysis.program_messages import in_frames, template
from tracy_mcp.analysis.rank_test import average_ranks
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.wait_zones import PACES, unit_of_work, wait_names, wait_zones

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
PARTS = 10  # tenths of the run
MIN_FRAMES = 30  # fewer gameplay frames than this: no trend to speak of
ROWS = 200_000  # about this many zones in the sampled frames (3 to 20 frames per tenth)
DRIFT = 1.2  # last tenth's median frame over the first's (or the reverse): the frame time drifts
STEADY = 0.6  # rank correlation of the tenths with time for a steady trend
GROWS = 0.05  # a zone's growth per frame worth naming, as a share of the first tenth's median frame
HIDDEN = 0.1  # with the frame time holding, growth per frame worth naming (frame loop's thread only)
CLIMBS = 0.9  # a user plot ranking this closely with time (and at least doubling) climbs all run
CLIMB_DIP = 0.05  # a plot that climbs after a flat start falls back by at most this share of its range...
HELD = 0.5  # a climbing plot's last tenth holds at least this share of its rise: it is still built up
CLIMB_TOP = 3  # ...and is highest in one of this many last tenths
LEVEL = 0.03  # a plot whose last LEVEL_TENTHS tenths stay within this share of its range has levelled off
LEVEL_TENTHS = 4
PLOT_RHO = 0.8  # a plot following the run this closely is named
SHOWN = 5
STEP_FIT = 0.6  # a single step at one frame explains at least this share of the frame times' variation...
STEP_OVER_LINE = 0.1  # ...and this much more than a straight line: the frame time stepped, it did not drift
MAX_STAIRS = 8  # a kind of message logged 2..this many times can mark the stairs of a frame time that climbs...
STAIR_MIN = 0.05  # ...each level this share above the one before...
STAIRS_FIT = 0.25  # ...the frames stray from the levels by at most this share of their spread...
STAIRS_OVER_LINE = 0.5  # ...and of how far they stray from a straight line
CALLS_MOVED = 1.5  # the growing zone's calls per frame moved this-fold: more calls, said beside its time
STEP_EDGE = 0.05  # the step is at least this far (share of the frames) from either end
PLOT_RANK = {"User": 2, "SysTime": 0}  # which plot a zone is said to follow, among those that follow it (others 1)
KNEE_OVER = 1.02  # a frame this far over the period it kept has left it...
KNEE_SHARE = 0.9  # ...and from the knee on, this share of the frames have
MIN_AFTER_KNEE = 5
ABSORBED_RHO = 0.9  # work per frame ranking this closely with time grew all run, whatever the frames did
SHIFTED = 0.5  # the other pool members' time in the leading zones shrank by this share of its gain: work moved
PLOT_STEP = 1.5  # a plot whose median after the step is this many times the one before (or less) stepped with it
PLOT_MOVED = 0.05  # ...and it started moving where it left its level before by this share of the step
STEP_LOG_BACK = 20  # messages are looked for from where that plot started moving, at most this many frames back


@attrs.define(repr=False)
class FrameTrend(Report):
    """Result of ``ctx.frame_trend()``. `table`: one row per tenth of the gameplay frames (part, first_frame,
    last_frame, start_ns, frames, median_ns, p90_ns). `tables["zones"]`: per (thread, zone name) its median self
    time per frame in the first and last tenth (first_ns, last_ns, growth_ns), calls per frame (first_calls,
    last_calls), `rho` (rank correlation of its tenths with time), `share_of_growth` (growth / the median frame's
    growth) and `wait`; largest growth first. `tables["plots"]`: the plots' median value in the first and last
    tenth and their rank correlation with time."""

    frame_set: str = ""
    ratio: float = float("nan")  # last tenth's median frame / first tenth's
    rho: float = float("nan")  # rank correlation of the gameplay frames' durations with time
    slope_ns: float = float("nan")  # frame time added per frame (least-squares fit over the gameplay frames)
    drifting: bool = False
    climbing: list[str] = attrs.field(factory=list)  # user plots that climb all run while the frame time holds
    step_frame: int = -1  # the frame where the frame time steps to another level (-1: no step)
    culprit: str | None = None
    culprit_thread: str | None = None


def frame_trend(ctx: Capture, frame_set: str | None = None) -> FrameTrend:
    """Whether frame time drifts over the run (the gameplay frames in tenths: median frame per tenth, first
    against last, and how steadily it rises), which zones' self time per frame grows with it (per thread, first
    and last tenth, calls per frame, share of the growth), a wait that shrank to absorb growing work (frame
    pacing), the plots that rise or fall with the run (those that climb while the frame time holds lead: a
    backlog), and what a growing zone's own number (ZoneValue) costs per unit. frame_set: a frame set name (default
    the base set, or the named set when the program marks no base frames; with no frames at all, the runs of the
    busiest thread's repeated unit of work stand in for them)."""
    ph = frame_phases(ctx, frame_set)
    res = FrameTrend(title="", frame_set=frame_set or "Frame")
    unit = ""
    if (ph is None or len(ph.gameplay) < MIN_FRAMES) and frame_set is None:
        found = _work_units(ctx)  # no frames: the program's repeated unit of work stands in for them
        if found is not None:
            ph, unit = found
    if ph is None or len(ph.gameplay) < MIN_FRAMES:
        n = 0 if ph is None else len(ph.gameplay)
        res.title = f"frame_trend: {n} gameplay frames; a trend needs at least {MIN_FRAMES}."
        return res
    _trend(ctx, res, ph)
    if unit:
        res.title, res.lines = _in_units(res.title, unit), [_in_units(x, unit) for x in res.lines]
    return res


def _machine_step(ctx: Capture, ph: FramePhases, g: np.ndarray, k: int) -> str:
    """When every zone's own time per call changed by about one factor at the step (machine_factor): 'from then on
    every zone is about 1.39x slower per call (...): the machine ..., not one system'; '' otherwise."""
    t, sl = ctx._cpu(), ctx._srclocs()
    cut = int(ph.start[g[k]])
    lo, hi = int(ph.start[g[0]]), int(ph.start[g[-1]] + ph.dur[g[-1]])
    rows = np.flatnonzero(t.valid & (t.start >= lo) & (t.start < hi))
    if len(rows) == 0:
        return ""
    own = t.self_time()[rows].astype(np.float64)
    # one sort: by zone name and side of the step (before 0, after 1), then own time, for each group's median
    group = sl.name_idx[t.srcloc[rows]] * 2 + (t.start[rows] >= cut)
    order = np.lexsort((own, group))
    group, own = group[order], own[order]
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    count = np.diff(np.r_[first, len(group)])
    last = first + count - 1
    median = (own[first + (count - 1) // 2] + own[last - (count - 1) // 2]) / 2
    total = np.add.reduceat(own, first)
    side = {int(gk): i for i, gk in enumerate(group[first].tolist())}
    waits = set(wait_names(ctx))
    ratios, weights = [], []
    for n in np.unique(group // 2).tolist():
        a, b = side.get(2 * n), side.get(2 * n + 1)
        if a is None or b is None or str(sl.names[n]) in waits:
            continue
        if min(count[a], count[b]) < MIN_CALLS or median[a] <= 0:
            continue
        ratios.append(float(median[b] / median[a]))
        weights.append(float(total[a]))
    found = machine_factor(np.asarray(ratios), np.asarray(weights))
    if found is None:
        return ""
    return "from then on " + machine_words(found[0], int(found[1].sum()), len(ratios))


@attrs.define
class _Run:
    """What _trend() reads while it writes: the gameplay frames in tenths and their medians, the direction of the
    drift, the zones and plots by tenth, the zone that moves with the frame time (`lead`) and a step."""

    ph: FramePhases
    parts: list[np.ndarray]
    med: np.ndarray  # median frame per tenth
    up: bool
    down: bool
    zones: list[dict[str, Any]] = attrs.field(factory=list)
    plots: list[dict[str, Any]] = attrs.field(factory=list)
    of_growth: str = "of the growth"
    span: str = ""  # the frame times' move in words
    waits: list[dict[str, Any]] = attrs.field(factory=list)
    movers: list[dict[str, Any]] = attrs.field(factory=list)
    lead: dict[str, Any] | None = None
    follows: str = ""  # what the lead follows (a plot, its zone text's number)
    by_text: str = ""
    stepped: tuple[int, float, float] | None = None  # (index into the gameplay frames, R² of the step, of a line)
    moved_from: int | None = None  # where a plot that stepped with it began to move
    absorbed: str = ""  # the work grew all along; a step is only where the pacer's slack ran out

    @property
    def g(self) -> np.ndarray:
        return self.ph.gameplay


def _trend(ctx: Capture, res: FrameTrend, ph: FramePhases) -> None:
    """Fills `res`: the tenths, the drift (or a step, stairs, a hold), the zone that moves with it, plots that
    climb while the frame time holds, and what was logged as it stepped."""
    run = _tenths(res, ph)
    _zones_and_plots(ctx, res, run)
    _movers(ctx, run)
    _level_title(ctx, res, run)
    _lead_clause(res, run)
    _climbing_title(ctx, res, run)
    res.lines = _lines(run.med, run.movers, run.waits, run.plots)
    if run.stepped is not None:
        _step_words(ctx, res, run, run.stepped[0])
    if run.lead is not None and run.by_text and run.by_text != run.follows:
        res.lines.append(f"{run.lead['name']}: {run.by_text}.")


def _tenths(res: FrameTrend, ph: FramePhases) -> _Run:
    """The gameplay frames in tenths (the table), the ratio of the last tenth's median to the first's, the rank
    correlation and slope over the run, and whether the frame time drifts."""
    res.frame_set = ph.set_name
    g = ph.gameplay
    parts = [p for p in np.array_split(g, PARTS) if len(p)]
    med = np.asarray([np.median(ph.dur[p]) for p in parts])
    res.table = frame(
        {
            "part": np.arange(len(parts)),
            "first_frame": np.asarray([p[0] for p in parts], I64),
            "last_frame": np.asarray([p[-1] for p in parts], I64),
            "start_ns": np.asarray([ph.start[p[0]] for p in parts], I64),
            "frames": np.asarray([len(p) for p in parts], I64),
            "median_ns": med,
            "p90_ns": np.asarray([np.percentile(ph.dur[p], 90) for p in parts]),
        }
    )
    res.ratio = float(med[-1] / max(med[0], 1.0))
    res.rho = spearman(np.arange(len(g)), ph.dur[g].astype(np.float64))
    res.slope_ns = float(np.polyfit(np.arange(len(g), dtype=np.float64), ph.dur[g].astype(np.float64), 1)[0])
    up = res.ratio >= DRIFT and res.rho >= STEADY
    down = res.ratio <= 1 / DRIFT and res.rho <= -STEADY
    res.drifting = up or down
    return _Run(ph, parts, med, up, down)


def _zones_and_plots(ctx: Capture, res: FrameTrend, run: _Run) -> None:
    """The zones' and plots' tables by tenth, the zones' shares of the growth, and the span in words."""
    ph, parts, med, g = run.ph, run.parts, run.med, run.g
    run.zones = zones = _zone_growth(ctx, ph, parts)
    # a wait on the frame loop's thread takes up what the work leaves of a paced frame: shares of the growth in
    # work (the frame minus those waits), not of the frame's
    absorbed = sum(z["growth_ns"] for z in zones if z["wait"] and z["frame_thread"])
    if absorbed and abs(med[-1] - med[0] - absorbed) > 0.01 * med[0]:
        for z in zones:
            z["share_of_growth"] = z["growth_ns"] / (med[-1] - med[0] - absorbed)
        run.of_growth = "of the growth in work (the frame minus its waits)"
    res.tables["zones"] = frame(_columns(zones))
    run.plots = _plot_trends(ctx, ph, parts)
    res.tables["plots"] = frame(_columns(run.plots))
    first, last = parts[0], parts[-1]
    run.span = (
        f"median {fmt_ns(med[0])} in the first tenth of the gameplay frames ({first[0]}..{first[-1]}) -> "
        f"{fmt_ns(med[-1])} in the last ({last[0]}..{last[-1]}), {res.ratio:.2f}x; rank correlation with time "
        f"{res.rho:.2f}"
    )
    if run.up or run.down:
        run.span += (
            f"; by a linear fit {'+' if res.slope_ns >= 0 else '-'}{fmt_ns(abs(res.slope_ns))} per frame, "
            f"{'+' if res.slope_ns >= 0 else '-'}{fmt_ns(abs(res.slope_ns) * (len(g) - 1))} over the {len(g)} frames"
        )


def _movers(ctx: Capture, run: _Run) -> None:
    """The zones that move with the frame time (growing or shrinking with it; with it holding, only clear growth
    on the frame's own thread), the waits that moved, and the lead with what it follows."""
    med, zones = run.med, run.zones
    # work off the frame loop's thread that runs at its own pace gets more calls into a longer frame: it moves
    # only if its share of the frame moves too
    work = [z for z in zones if not z["wait"] and (z["frame_thread"] or z["share_rho"] * z["rho"] >= STEADY**2)]
    growers = [z for z in work if z["growth_ns"] >= GROWS * med[0] and z["rho"] >= STEADY]
    shrinkers = [z for z in work if -z["growth_ns"] >= GROWS * med[0] and z["rho"] <= -STEADY]
    run.waits = [z for z in zones if z["wait"] and abs(z["growth_ns"]) >= GROWS * med[0]]
    run.movers = shrinkers if run.down else growers
    if not run.up and not run.down:  # frame time held: only clearly growing work on the frame's own thread (a pacer
        # absorbed it); elsewhere, and in small steps, it is the machine's load varying over the run
        run.movers = [z for z in growers if z["frame_thread"] and z["growth_ns"] >= HIDDEN * med[0] and z["rho"] >= 0.8]
    run.lead = lead = run.movers[0] if run.movers else None
    if lead is not None:
        run.by_text = follows_text(ctx, lead["name"], lead["thread"])
        run.follows = _follows(lead, run.plots, med) or run.by_text


def _level_title(ctx: Capture, res: FrameTrend, run: _Run) -> None:
    """The title's first words: a step at one frame (or the knee where growing work passes the period), stairs
    marked by messages, a drift up or down, or a hold."""
    ph, g, med, up, down = run.ph, run.g, run.med, run.up, run.down
    if run.lead is not None:
        res.culprit, res.culprit_thread = run.lead["name"], run.lead["thread"]
    run.stepped = _step(ph.dur[g].astype(np.float64)) if up or down else None
    if run.stepped is not None:
        k, r2_step, r2_line = run.stepped
        run.absorbed = _absorbed(ctx, ph, g, k, med, [w for w in run.waits if w["frame_thread"]])
        # absorbed: the work, and its plot, grew all run
        plot_step = None if run.absorbed else _plot_step(ctx, ph, g, k)
        if plot_step is not None:  # a plot of the program's that stepped too says more than a rank correlation
            run.follows, run.moved_from = plot_step
        before = float(np.median(ph.dur[g[:k]]))
        knee = _knee(ph.dur[g].astype(np.float64), before) if run.absorbed and up else None
        if knee is not None:  # no step: the frames leave the period where the work passes it, then follow the work
            k = knee
            run.stepped = (k, r2_step, r2_line)
        res.step_frame = int(g[k])
        after = float(np.median(ph.dur[g[k:]]))
        if knee is not None:
            run.span = (
                f"median {fmt_ns(before)} in frames {g[0]}..{g[k - 1]}, then rising with the work to "
                f"{fmt_ns(float(med[-1]))} in the last tenth"
            )
            run.absorbed = run.absorbed.replace(
                ": the step below is where the slack ran out, not where the work changed.", "."
            )
            res.title = (
                f"Frame time leaves its {fmt_ns(before)} period at frame {g[k]} ({ph.start[g[k]] / 1e9:.3f} s), where "
                f"the work passes it: {run.span}."
            )
        else:
            run.span = (
                f"median {fmt_ns(before)} in frames {g[0]}..{g[k - 1]} -> {fmt_ns(after)} in frames {g[k]}..{g[-1]} "
                f"({after / max(before, 1.0):.2f}x), at once: one step at that frame explains {r2_step:.0%} of the "
                f"frame times' variation, a straight line {r2_line:.0%}"
            )
            res.title = (
                f"Frame time steps {'up' if up else 'down'} at frame {g[k]} ({ph.start[g[k]] / 1e9:.3f} s): {run.span}."
            )
        machine = _machine_step(ctx, ph, g, k)
        if machine:  # every zone stepped together: no system to name
            res.title = res.title[:-1] + f"; {machine}."
            run.lead = None
            res.culprit = res.culprit_thread = None
    elif up and (stairs := _message_steps(ctx, ph, g)):
        res.title = f"Frame time steps up {stairs}."
    elif up:
        res.title = f"Frame time grows over the run: {run.span}."
    elif down:
        res.title = f"Frame time falls over the run: {run.span}."
    else:
        res.title = f"Frame time holds over the run: {run.span}."


def _lead_clause(res: FrameTrend, run: _Run) -> None:
    """The zone that grows (or shrinks) with the frame time, by how much and what it follows; with the frame time
    holding, the wait that shrank to leave it room."""
    lead, up, down = run.lead, run.up, run.down
    if lead is None:
        if not up and not down:
            res.title = res.title[:-1] + "; no zone's time per frame grows steadily."
        return
    shifted = _shifted(run.zones, lead) if up else ""
    res.title = res.title[:-1] + (
        f"; {'growing' if lead['growth_ns'] > 0 else 'shrinking'} with it: {lead['name']} ({lead['thread']}) "
        f"{fmt_ns(lead['first_ns'])} -> {fmt_ns(lead['last_ns'])} per frame (medians of the first and last tenth)"
        + (f", {fmt_pct(lead['share_of_growth'])} {run.of_growth}" if up or down else "")
        + (
            f", {lead['first_calls']:g} -> {lead['last_calls']:g} calls per frame"
            if lead["first_calls"] > 0 and not 1 / CALLS_MOVED < lead["last_calls"] / lead["first_calls"] < CALLS_MOVED
            else ""
        )
        + (f"; {run.follows}" if run.follows else "")
        + "."
        + shifted
    )
    if not up and not down:
        shrank = [w for w in run.waits if w["growth_ns"] < 0]
        res.title = res.title[:-1] + (
            f" The frame held because {shrank[0]['name']} ({shrank[0]['thread']}) shrank "
            f"{fmt_ns(shrank[0]['first_ns'])} -> {fmt_ns(shrank[0]['last_ns'])} per frame: the slack left."
            if shrank
            else " The frame time did not follow."
        )


def _climbing_title(ctx: Capture, res: FrameTrend, run: _Run) -> None:
    """The frames hold, yet the program's plots climb all run: a backlog builds up, and that leads."""
    climbing = [
        p
        for p in run.plots
        # a plot that never goes down is a running count (progress, totals); one that climbs although it goes
        # down at times (a queue, a latency) is a backlog building up
        if p["type"] == "User"
        and not p["running_total"]
        and (abs(p["rho"]) >= CLIMBS or _climbs_after_a_while(p["tenths"]))
        and not levelled_off(p["tenths"])
        and abs(p["last"]) >= 2 * max(abs(p["first"]), 1e-9)
        and _still_high(p["tenths"])
    ]
    if not climbing or run.up or run.down:
        return
    res.climbing = [p["plot"] for p in climbing]
    res.title = (
        "Frame time holds over the run, but the program's plots climb all of it: "
        + ", ".join(f"{p['plot']} {_value(p['first'])} -> {_value(p['last'])}" for p in climbing[:3])
        + " (medians of the first and last tenth): something builds up that the frame time does not show "
        "(work offered faster than it is done, or never released). "
        + res.title.split(": ", 1)[1][0].upper()
        + res.title.split(": ", 1)[1][1:]
    )
    found = backlog(ctx, [p["id"] for p in climbing])
    if found is not None:
        res.title += " " + found.line()


def _step_words(ctx: Capture, res: FrameTrend, run: _Run, k: int) -> None:
    """Around the step at gameplay frame index `k`: a pacer that rounds the frames up to whole intervals, growing
    work the pacer absorbed until the step (that leads), and what was logged as it stepped."""
    ph, g = run.ph, run.g
    paced = "" if run.absorbed else _paced_step(ph, g, k, [w for w in run.waits if w["frame_thread"]])
    if paced:
        res.title += " " + paced
    if run.absorbed:  # the work grew all along; the step is only where the pacer's slack ran out
        res.title = f"{run.absorbed} {res.title}"
    back = k - 2 if run.moved_from is None else max(min(run.moved_from, k - 2), k - STEP_LOG_BACK)
    logged = [m for m in in_frames(ctx, ph, g[max(back, 0) : k + 1]) if not m["before"]]
    if logged:
        res.lines.insert(
            0,
            "Logged as it stepped: "
            + "; ".join(f'"{m["text"]}" ({m["time_ns"] / 1e9:.3f} s, {m["thread"]})' for m in logged[:3]),
        )


def _message_steps(ctx: Capture, ph: FramePhases, g: np.ndarray) -> str:
    """ "at each 'Window resized to 1920x1080' (3 times: 1.559 s, 3.057 s, 4.567 s): median 7.93 ms -> 9.41 ms ->
    10.89 ms -> 12.33 ms between them, holding in between (...)": a frame time that climbs in stairs, each at a
    message of one kind (an event that adds work that stays), told far better by levels between those messages than
    by a line (median deviations, so a few hitches do not hide the stairs); '' when no kind of message does."""
    if not ctx._db.rows("messages"):
        return ""
    d = ph.dur[g].astype(np.float64)
    spread = float(np.median(np.abs(d - np.median(d))))
    if spread <= 0:
        return ""
    x = np.arange(len(d), dtype=np.float64)
    lo, hi = np.percentile(d, [2, 98])
    keep = (d >= lo) & (d <= hi)
    off_line = float(np.median(np.abs(d - np.polyval(np.polyfit(x[keep], d[keep], 1), x))))
    m = ctx.messages(as_frame=False)
    times: dict[str, list[int]] = {}
    first_text: dict[str, str] = {}
    for i, src in enumerate(m["source"]):
        if src != "tracy":
            kind = template(str(m["text"][i]))
            times.setdefault(kind, []).append(int(m["time_ns"][i]))
            first_text.setdefault(kind, str(m["text"][i]))
    best: tuple[float, str] | None = None
    for kind, at in times.items():
        if not 2 <= len(at) <= MAX_STAIRS:
            continue
        cuts = np.searchsorted(ph.start[g], np.asarray(sorted(at), I64))
        if cuts[0] < MIN_FRAMES or len(d) - cuts[-1] < MIN_FRAMES or (np.diff(cuts) < MIN_FRAMES).any():
            continue  # each level needs frames of its own
        parts = np.split(d, cuts)
        levels = [float(np.median(p)) for p in parts]
        if any(b < a * (1 + STAIR_MIN) for a, b in zip(levels[:-1], levels[1:], strict=True)):
            continue  # each message raised the frame time
        off_levels = float(
            np.median(np.abs(d - np.concatenate([np.full(len(p), v) for p, v in zip(parts, levels, strict=True)])))
        )
        if off_levels > STAIRS_FIT * spread or off_levels > STAIRS_OVER_LINE * off_line:
            continue
        if best is None or off_levels < best[0]:
            first = int(ctx.get_first_time())
            when = ", ".join(f"{(t - first) / 1e9:.3f} s" for t in sorted(at))
            best = (
                off_levels,
                f"at each '{clip_text(first_text[kind], 60)}' ({len(at)} times: {when}): median "
                + " -> ".join(fmt_ns(v) for v in levels)
                + f" between them, holding in between (frames stray a median {fmt_ns(off_levels)} from those levels, "
                f"{fmt_ns(off_line)} from a straight line)",
            )
    return best[1] if best is not None else ""


def _step(d: np.ndarray) -> tuple[int, float, float] | None:
    """(k, share of the variation one step explains, share a straight line explains) when the frame times `d` are
    better told as two levels, d[:k] and d[k:], than as a line (STEP_FIT, STEP_OVER_LINE); None otherwise."""
    n = len(d)
    total = float(((d - d.mean()) ** 2).sum())
    if n < 2 * MIN_FRAMES or total <= 0:
        return None
    c1, c2 = np.cumsum(d), np.cumsum(d * d)
    k = np.arange(1, n)
    left = c2[:-1] - c1[:-1] ** 2 / k  # squared deviations of d[:k] from its mean, for every k at once
    right = (c2[-1] - c2[:-1]) - (c1[-1] - c1[:-1]) ** 2 / (n - k)
    sse = left + right
    edge = max(int(STEP_EDGE * n), 1)
    sse[: edge - 1] = sse[n - 1 - edge :] = np.inf
    best = int(np.argmin(sse))
    r2_step = 1.0 - float(sse[best]) / total
    x = np.arange(n, dtype=np.float64)
    fit = np.polyval(np.polyfit(x, d, 1), x)
    r2_line = 1.0 - float(((d - fit) ** 2).sum()) / total
    if r2_step < STEP_FIT or r2_step < r2_line + STEP_OVER_LINE:
        return None
    return best + 1, r2_step, r2_line


def _absorbed(
    ctx: Capture, ph: FramePhases, g: np.ndarray, k: int, med: np.ndarray, waits: list[dict[str, Any]]
) -> str:
    """When the frames stepped only because the work per frame (the frame minus its pacing wait), growing steadily
    all run, passed the period the pacer held them at: that, before the step ('' otherwise)."""
    kinds = wait_names(ctx)
    pacer = next((w for w in waits if kinds.get(w["name"]) == PACES), None)
    if pacer is None:
        return ""
    work = med - np.asarray(pacer["tenths_ns"], np.float64)
    rho = spearman(np.arange(len(work), dtype=np.float64), work)
    period = float(np.median(ph.dur[g[:k]]))
    if rho < ABSORBED_RHO or work[-1] < DRIFT * work[0] or work[0] >= period:
        return ""
    return (
        f"The work per frame (the frame minus {pacer['name']}, its pacing wait) grew all run: {fmt_ns(work[0])} in "
        f"the first tenth -> {fmt_ns(work[-1])} in the last (rank correlation {rho:.2f}). The frames held at the "
        f"{fmt_ns(period)} period while the wait absorbed it ({fmt_ns(pacer['first_ns'])} -> "
        f"{fmt_ns(pacer['last_ns'])} per frame) and lengthened once the work passed the period: the step below is "
        "where the slack ran out, not where the work changed."
    )


def _knee(d: np.ndarray, period: float) -> int | None:
    """The first frame from which nearly every frame (KNEE_SHARE) runs over the period the frames kept before (by
    KNEE_OVER): where growing work passed the period; None when there is no such frame past the first."""
    over = d > KNEE_OVER * period
    after = np.cumsum(over[::-1])[::-1] / np.arange(len(d), 0, -1)
    hits = np.flatnonzero(over & (after >= KNEE_SHARE))
    return int(hits[0]) if len(hits) and 0 < hits[0] < len(d) - MIN_AFTER_KNEE else None


def _paced_step(ph: FramePhases, g: np.ndarray, k: int, waits: list[dict[str, Any]]) -> str:
    """When a pacing wait on the frame loop's thread took up the step: the work per frame (frame minus the wait)
    before and after, against the interval the pacer kept before, and how many intervals a frame takes after."""
    if not waits:
        return ""
    w = waits[0]
    before, after = float(np.median(ph.dur[g[:k]])), float(np.median(ph.dur[g[k:]]))
    work0, work1 = before - w["first_ns"], after - w["last_ns"]
    intervals = after / max(before, 1.0)
    if not (work0 < before < work1) or abs(intervals - round(intervals)) > 0.1 or round(intervals) < 2:
        return ""
    n = round(intervals)
    return (
        f"The work per frame (the frame minus the wait {w['name']}) went {fmt_ns(work0)} -> {fmt_ns(work1)}, over "
        f"the {fmt_ns(before)} interval the frames kept before: a frame that misses it waits for the next one, so "
        f"each now takes {n} intervals ({1e9 / before:.0f} -> {1e9 / after:.0f} frames a second)."
    )


def _work_units(ctx: Capture) -> tuple[FramePhases, str] | None:
    """Without frames: the runs of the zone that is the busiest thread's repeated unit of work (the name with at
    least MIN_FRAMES runs holding the most time there, outside zones that wrap the thread), as stand-in frames, and
    how to call them ("run of Pipeline.Chunk")."""
    t = ctx._cpu()
    if t.n == 0:
        return None
    busiest = int(np.argmax(np.bincount(t.owner[t.depth == 0], weights=t.dur[t.depth == 0])))
    found = unit_of_work(ctx, [busiest], min_runs=MIN_FRAMES)
    if found is None or len(found[1]) < MIN_FRAMES:
        return None
    best, sel = found
    start, end = t.start[sel].astype(I64), t.end[sel].astype(I64)
    dur = end - start
    name = str(ctx._srclocs().names[best])
    med = float(np.median(dur))
    ph = FramePhases(f"runs of {name}", start, end, dur, np.zeros(len(sel), np.int8), {}, med, 2 * med)
    return ph, f"run of {name}"


def _in_units(text: str, unit: str) -> str:
    """A frame_trend text about frames, about the runs of a unit of work instead."""
    short = unit.split(" of ", 1)[0]
    for a, b in (
        ("Frame time", f"Time per {unit}"),
        ("the gameplay frames", f"the {short}s"),
        ("gameplay frames", f"{short}s"),
        ("Median frame", f"Median {short}"),
        ("per frame", f"per {short}"),
        ("the frame's growth", f"the {short}'s growth"),
        (" frames", f" {short}s"),
    ):
        text = text.replace(a, b)
    return text


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); 0 when either side is constant."""
    if len(x) < 3:
        return 0.0
    rx, ry = average_ranks(x)[0], average_ranks(y)[0]
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return 0.0
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy))


def _zone_growth(ctx: Capture, ph: FramePhases, parts: list[np.ndarray]) -> list[dict[str, Any]]:
    """Per (thread, zone name): median self time and calls per frame in each tenth (from a sample of its frames),
    first against last, largest growth first."""
    per_frame = max(ctx._cpu().n / max(len(ph.dur), 1), 1.0)
    k = int(np.clip(ROWS / per_frame / len(parts), 3, 20))
    picked = [p[np.unique(np.linspace(0, len(p) - 1, min(k, len(p))).astype(I64))] for p in parts]
    fr = np.concatenate(picked)
    m = frame_self_time(ctx, fr, ph.start[fr], ph.end[fr])
    if len(m.keys) == 0:
        return []
    bounds = np.cumsum([0, *[len(p) for p in picked]])
    tenth = np.stack([np.median(m.self_ns[a:b], axis=0) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    share = m.self_ns / np.maximum(ph.dur[fr], 1)[:, None]  # of each frame's wall time
    share_tenth = np.stack([np.median(share[a:b], axis=0) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    calls = np.stack([np.median(m.count[a:b], axis=0) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    growth = tenth[-1] - tenth[0]
    med0 = float(np.median(ph.dur[parts[0]]))
    frame_growth = float(np.median(ph.dur[parts[-1]])) - med0
    win = ph.window()
    waits = {(w.thread_row, w.name_idx) for w in wait_zones(ctx, win[0], win[1], ph)} if win is not None else set()
    home = frame_thread(ctx, m, 0, ph.start[fr], ph.dur[fr])
    names, labels = ctx._srclocs().names, ctx._thread_labels()
    steps = np.arange(len(parts))
    out: list[dict[str, Any]] = []
    for j in np.argsort(-np.abs(growth), kind="stable")[:50].tolist():
        th, nm = int(m.thread_of[j]), int(m.name_of[j])
        out.append(
            {
                "thread": labels[th],
                "name": names[nm],
                "first_ns": float(tenth[0, j]),
                "last_ns": float(tenth[-1, j]),
                "growth_ns": float(growth[j]),
                "first_calls": float(calls[0, j]),
                "last_calls": float(calls[-1, j]),
                "rho": spearman(steps, tenth[:, j]),
                "share_rho": spearman(steps, share_tenth[:, j]),
                "tenths_ns": tenth[:, j].tolist(),
                "share_of_growth": float(growth[j] / frame_growth) if abs(frame_growth) > 0.01 * med0 else np.nan,
                "wait": (th, nm) in waits,
                "frame_thread": th == home,
            }
        )
    # the frame loop's own thread first among equals: its zones are what the frame time is made of
    out.sort(key=lambda z: -abs(z["growth_ns"]) * (1.0 if z["frame_thread"] else 0.5))
    return out


def value_at(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A plot's value at each of `at` (its last point at or before it; NaN before its first point)."""
    j = np.searchsorted(times, at, "right") - 1
    return np.where(j >= 0, values[np.maximum(j, 0)], np.nan)


def plot_columns(ctx: Capture) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(the plots table, each plot's first and end point row, all points' times and values); None without points."""
    db = ctx._db
    if not db.rows("plots") or not db.rows("plot_points"):
        return None
    return (
        ctx.plots(as_frame=True),
        db.col("plots", "point_begin").astype(I64),
        db.col("plots", "point_end").astype(I64),
        db.col("plot_points", "time").astype(I64),
        db.col("plot_points", "value").astype(np.float64),
    )


def _plot_trends(ctx: Capture, ph: FramePhases, parts: list[np.ndarray]) -> list[dict[str, Any]]:
    """Per plot with points over the gameplay frames: its median value in the first and last tenth, and the rank
    correlation of its value at each frame's end with time."""
    cols = plot_columns(ctx)
    if cols is None:
        return []
    p, b, e, times, values = cols
    g = ph.gameplay
    ends = ph.end[g]
    step = max(len(g) // 400, 1)  # a few hundred frames say how a plot moves
    at = ends[::step]
    part_of = np.repeat(np.arange(len(parts)), [len(q) for q in parts])[::step]
    out: list[dict[str, Any]] = []
    for i in range(len(p)):
        t, v = times[b[i] : e[i]], values[b[i] : e[i]]
        if len(t) < 3:
            continue
        sampled = value_at(t, v, at)
        ok = np.isfinite(sampled)
        if ok.mean() < 0.5:
            continue
        val = sampled[ok]
        tenth = part_of[ok]
        first, last = val[tenth == tenth.min()], val[tenth == tenth.max()]
        per = [float(np.median(val[tenth == q])) if (tenth == q).any() else float("nan") for q in range(len(parts))]
        out.append(
            {
                "id": int(p.index[i]),
                "plot": str(p["name"].iloc[i])
                + ("" if p["type"].iloc[i] == "User" else f" (Tracy's {p['type'].iloc[i]} plot)"),
                "type": str(p["type"].iloc[i]),
                "first": float(np.median(first)),
                "last": float(np.median(last)),
                "rho": spearman(np.arange(len(val)), val),
                "tenths": per,
                "running_total": bool(np.all(np.diff(v) >= 0)),  # never goes down: a count of what happened
            }
        )
    out.sort(key=lambda r: -abs(r["rho"]))
    return out


def _shifted(zones: list[dict[str, Any]], lead: dict[str, Any]) -> str:
    """' The work moved onto <thread>: ...' when the leading zone's thread is one of a pool whose other members' time
    in the same zones shrank by most of what it gained: the pool's work held, one member got more of it (an
    imbalance, not more work)."""
    pool = pool_of(lead["thread"])
    members = {z["thread"] for z in zones if not z["wait"] and pool_of(z["thread"]) == pool}
    if len(members) < 2 or pool == lead["thread"]:
        return ""
    names = {z["name"] for z in zones if z["thread"] == lead["thread"] and not z["wait"] and z["growth_ns"] > 0}
    gain = sum(z["growth_ns"] for z in zones if z["thread"] == lead["thread"] and z["name"] in names)
    others = [z for z in zones if z["thread"] in members - {lead["thread"]} and z["name"] in names]
    loss = -sum(z["growth_ns"] for z in others)
    if gain <= 0 or loss < SHIFTED * gain:
        return ""
    return (
        f" The work moved onto {lead['thread']}: its {name_list(sorted(names))} grew {fmt_ns(gain)} per frame while "
        f"the other {len(members) - 1} {pool} threads' shrank {fmt_ns(loss)} together: the pool's work held "
        f"({fmt_pct((gain - loss) / gain)} of the gain is new), one thread got more of it and the frame waits for it."
    )


def _plot_step(ctx: Capture, ph: FramePhases, g: np.ndarray, k: int) -> tuple[str, int] | None:
    """('the program's plot P stepped with it: a -> b ...', the gameplay frame index where it started moving) for the
    plot (not the machine's CPU usage) whose median over the frames after the step differs most from the one
    before, by PLOT_STEP or more; None when none did."""
    cols = plot_columns(ctx)
    if cols is None:
        return None
    p, b, e, times, values = cols
    ends = ph.end[g]
    best: tuple[tuple[bool, float], str, int] | None = None
    for i in range(len(p)):
        if p["type"].iloc[i] == "SysTime":
            continue
        t, v = times[b[i] : e[i]], values[b[i] : e[i]]
        if len(t) < 3:
            continue
        val = value_at(t, v, ends)
        if np.isfinite(val).mean() < 0.5:
            continue
        before, after = np.nanmedian(val[:k]), np.nanmedian(val[k:])
        if not (np.isfinite(before) and np.isfinite(after)) or before == after:
            continue
        lo, hi = sorted((abs(before), abs(after)))
        if lo > 0 and hi / lo < PLOT_STEP:
            continue
        # the program's own plot before Tracy's (a pool's memory moves with any change of load)
        score = (p["type"].iloc[i] == "User", float(np.log(hi / lo)) if lo > 0 else float("inf"))
        moved = np.flatnonzero(np.abs(val[:k] - before) > PLOT_MOVED * abs(after - before))
        start = int(moved[-1]) if len(moved) else k  # the last frame before the step still off its old level...
        gap = np.flatnonzero(np.abs(val[:start] - before) <= PLOT_MOVED * abs(after - before))
        start = int(gap[-1]) + 1 if len(gap) else 0  # ...back to where it left it
        if best is None or score > best[0]:
            name = str(p["name"].iloc[i]) + (
                "" if p["type"].iloc[i] == "User" else f" (Tracy's {p['type'].iloc[i]} plot)"
            )
            best = (
                score,
                f"plot {name} stepped with it: {_value(before)} -> {_value(after)} (medians before and after), "
                f"leaving its level at frame {g[start]} ({ph.start[g[start]] / 1e9:.3f} s)",
                start,
            )
    return None if best is None else (best[1], best[2])


def _follows(zone: dict[str, Any], plots: list[dict[str, Any]], med: np.ndarray) -> str:
    """'it follows plot P (a -> b): about X per unit' for the moving plot whose tenths rank most like the zone's
    (ties: the one that follows the run more closely; plots of the frame time itself are left out; '' when none
    follows it closely)."""
    best, key = None, (0, PLOT_RHO, 0.0)
    for p in plots:
        if abs(p["rho"]) < PLOT_RHO or p["first"] == p["last"]:
            continue
        per = np.asarray(p["tenths"], np.float64)
        ok = np.isfinite(per)
        if ok.sum() < 3 or frame_time_plot(per[ok], med[ok]):
            continue
        r = round(abs(spearman(per[ok], np.asarray(zone["tenths_ns"], np.float64)[ok])), 2)
        # the program's own plots first, then its memory; the machine's CPU usage moves with any change of work
        cand = (PLOT_RANK.get(p["type"], 1), r, abs(p["rho"]))
        if r >= PLOT_RHO and cand >= key:
            best, key = p, cand
    best_rho = key[1]
    if best is None:
        return ""
    per_unit = zone["growth_ns"] / (best["last"] - best["first"])
    # a plot of bytes moves by millions: per unit its cost reads "0 ns"; per a round number of units it reads
    scale = next((x for x in (1, 1_000, 1_000_000, 1_000_000_000) if abs(per_unit) * x >= 1_000), 1_000_000_000)
    unit = "each unit of it" if scale == 1 else f"each {scale:,} units of it"
    return (
        f"it follows plot {best['plot']} (tenths' median {_value(best['first'])} -> {_value(best['last'])}; rank "
        "correlation "
        f"{best_rho:.2f}): about {fmt_ns(abs(per_unit) * scale)} per frame for {unit}"
    )


def follows_text(ctx: Capture, name: str, thread: str | int | None = None) -> str:
    """'its zone text value rises with it (a -> b): about X per unit' when most of a zone's runs carry a number
    (ZoneValue: a count, a depth) that ranks with their duration ('' otherwise): what the zone's cost grows with."""
    z = ctx.zones(name=name, thread=thread, as_frame=True)
    if len(z) < MIN_FRAMES:
        return ""
    num = z["text"].astype(str).str.extract(r"^\s*(-?\d+(?:\.\d+)?)", expand=False).astype(float)
    ok = num.notna().to_numpy()
    if ok.mean() < 0.8:
        return ""
    v, d = num.to_numpy()[ok], z["duration_ns"].to_numpy()[ok].astype(np.float64)
    if np.ptp(v) == 0 or spearman(v, d) < PLOT_RHO:
        return ""
    slope = float(np.polyfit(v, d, 1)[0])
    return (
        f"its zone text value rises with it ({_value(float(v.min()))} -> {_value(float(v.max()))}; rank correlation "
        f"{spearman(v, d):.2f}): about {fmt_ns(slope)} per unit"
    )


def frame_time_plot(values: np.ndarray, frame_ns: np.ndarray, share: float = 1.0) -> bool:
    """True when a plot's values are the frame time itself (in s, ms, µs or ns; within 10% for at least `share` of
    them): it says nothing about why."""
    for unit in (1e9, 1e6, 1e3, 1.0):
        ratio = values * unit / np.maximum(frame_ns, 1.0)
        if float(((ratio > 0.9) & (ratio < 1.1)).mean()) >= share:
            return True
    return False


def _columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(rows[0]) if rows else []
    out: dict[str, Any] = {}
    for k in keys:
        vals = [r[k] for r in rows]
        if isinstance(vals[0], list):  # per-tenth values: one list per row
            col = np.empty(len(vals), object)
            col[:] = vals
            out[k] = col
        else:
            out[k] = vals
    return out


def levelled_off(values: list[float] | np.ndarray) -> bool:
    """Values (a plot's medians per tenth of the run) that rose and then stayed within LEVEL of their range over
    the last LEVEL_TENTHS: a cache at its cap, not a backlog."""
    v = np.asarray(values, np.float64)
    if len(v) < 2 * LEVEL_TENTHS or np.isnan(v).any() or v.max() <= v.min():
        return False
    tail = v[-LEVEL_TENTHS:]
    return bool(tail.max() - tail.min() <= LEVEL * (v.max() - v.min()) and tail.min() > v[0])


def _still_high(tenths: list[float]) -> bool:
    """The last tenth still holds at least HELD of the rise from the first tenth to the highest: a backlog that
    built up (even as it drains at the end), not a count that rose and was emptied again (files compacted)."""
    v = np.asarray(tenths, np.float64)
    v = v[~np.isnan(v)]
    if len(v) < 2 or v.max() <= v[0]:
        return True
    return bool(v[-1] - v[0] >= HELD * (v.max() - v[0]))


def _climbs_after_a_while(tenths: list[float]) -> bool:
    """A plot flat for a while, then rising to its highest in one of the last CLIMB_TOP tenths (a queue drains
    once the input ends), never falling back by more than CLIMB_DIP of its range on the way (a queue after the
    load stepped up)."""
    v = np.asarray(tenths, np.float64)
    if len(v) < 4 or np.isnan(v).any() or v.max() <= v.min():
        return False
    top = int(np.argmax(v))
    return top >= len(v) - CLIMB_TOP and bool(np.diff(v[: top + 1]).min() >= -CLIMB_DIP * (v.max() - v.min()))


def _value(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _lines(
    med: np.ndarray,
    movers: list[dict[str, Any]],
    waits: list[dict[str, Any]],
    plots: list[dict[str, Any]],
) -> list[str]:
    lines = ["Median frame per tenth of the run: " + ", ".join(f"{x / 1e6:.2f}" for x in med) + " ms."]
    if movers:
        lines.append("Zones whose self time per frame moves steadily with the run (first tenth -> last):")
        for z in movers[:SHOWN]:
            calls = (
                f"{z['first_calls']:g} -> {z['last_calls']:g} calls per frame"
                if z["first_calls"] != z["last_calls"]
                else f"{z['first_calls']:g} call(s) per frame throughout"
            )
            share = (
                f", {fmt_pct(z['share_of_growth'])} of the frame's growth" if np.isfinite(z["share_of_growth"]) else ""
            )
            lines.append(
                f"  {z['name']} ({z['thread']}): {fmt_ns(z['first_ns'])} -> {fmt_ns(z['last_ns'])} "
                f"({'+' if z['growth_ns'] >= 0 else '-'}{fmt_ns(abs(z['growth_ns']))}{share}); {calls}; rank "
                f"correlation {z['rho']:.2f}"
            )
    else:
        lines.append("No zone's self time per frame moves steadily with the run.")
    for w in waits[:2]:
        lines.append(
            f"Wait {w['name']} ({w['thread']}): {fmt_ns(w['first_ns'])} -> {fmt_ns(w['last_ns'])} per frame "
            "(a wait takes up what the work leaves of the frame)."
        )
    moving = [p for p in plots if abs(p["rho"]) >= PLOT_RHO and p["first"] != p["last"]]
    if moving:
        lines.append(
            "Plots that move with the run (median in the first tenth -> the last): "
            + "; ".join(
                f"{p['plot']} {_value(p['first'])} -> {_value(p['last'])} (rank correlation {p['rho']:.2f})"
                for p in moving[:3]
            )
            + "."
        )
    return lines
