"""Which of the program's own plots (counters: draw calls, shadow casters, agents) the frame time follows.

A frame time that swings with the scene is explained by the counter that moves with it. Each program plot is read
once per gameplay frame (its last value by the frame's end); the one whose Pearson correlation with the frame time is
DRIVES or more explains it, with the frame time's slope per unit of it (least squares). The zone whose own time per
frame follows that counter most closely is what the counter costs (its slope: the cost per unit); the other plots'
correlations are given beside it, since a counter that does not move with the frame time is ruled out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import FramePhases, frame_phases
from tracy_mcp.analysis.frame_self_time import frame_self_time
from tracy_mcp.analysis.frame_trend import frame_time_plot, plot_columns, value_at
from tracy_mcp.analysis.wait_zones import frame_waits

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

DRIVES = 0.7  # a plot correlated this well with the frame time explains it
SWING = 1.3  # the frame time swings: p90 / p10 of the gameplay frames at least this
MIN_FRAMES = 30
SAMPLE = 600  # frames read for the zones' own time
ZONE_SHARE = 0.3  # the zone's slope is at least this share of the frame's: it carries the counter's cost
SHOWN = 3


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    sx, sy = float(np.std(x)), float(np.std(y))
    if sx == 0 or sy == 0:
        return 0.0
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def plot_drivers_line(ctx: Capture) -> str:
    """'Frame time follows the plot 'Shadow casters' (r = 0.97 over 395 gameplay frames; frame +39.7 µs per unit,
    7.55 ms..23.25 ms as it goes 36..400): Shadows::Render (Main thread) costs 40.1 µs per unit (r = 0.99); not the
    others: Draw calls r = 0.15, Particles r = 0.02' or '' when no plot explains a frame time that swings."""
    db = ctx._db
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) < MIN_FRAMES or not db.rows("plot_points"):
        return ""
    g = ph.gameplay
    dur = ph.dur[g].astype(np.float64)
    p10, p90 = np.percentile(dur, [10, 90])
    if p90 < SWING * max(p10, 1.0):
        return ""
    cols = plot_columns(ctx)
    if cols is None:
        return ""
    p, b, e, times, values = cols
    ends = ph.end[g]
    found: list[tuple[float, str, np.ndarray]] = []
    for i in range(len(p)):
        if p["type"].iloc[i] != "User" or e[i] - b[i] < MIN_FRAMES:
            continue
        v = value_at(times[b[i] : e[i]], values[b[i] : e[i]], ends)
        keep = ~np.isnan(v)
        if keep.mean() < 0.5:
            continue
        # a plot of the frame time itself (this frame's or the one before's) follows it by construction
        if frame_time_plot(v[keep], dur[keep], 0.5) or frame_time_plot(v[1:][keep[1:]], dur[:-1][keep[1:]], 0.5):
            continue
        found.append((_pearson(v[keep], dur[keep]), str(p["name"].iloc[i]), v))
    if not found:
        return ""
    found.sort(key=lambda f: -f[0])
    r, name, v = found[0]
    if r < DRIVES:
        return ""
    keep = ~np.isnan(v)
    slope = float(np.polyfit(v[keep], dur[keep], 1)[0])
    out = (
        f"Frame time follows the plot '{name}' (r = {r:.2f} over {int(keep.sum())} gameplay frames; "
        f"+{fmt_ns(slope)} of frame per unit, as it goes {_num(float(np.nanmin(v)))}..{_num(float(np.nanmax(v)))})"
    )
    out += _zone_cost(ctx, ph, g, v, slope)
    rest = [f"{n} r = {x:.2f}" for x, n, _ in found[1 : 1 + SHOWN]]
    return out + (f"; not the other plots: {', '.join(rest)}" if rest else "") + "."


def _zone_cost(ctx: Capture, ph: FramePhases, g: np.ndarray, v: np.ndarray, slope: float) -> str:
    """': Shadows::DrawCascade (Main thread) costs 40.1 µs of its own time per unit (r = 0.99)': the zone whose own
    time per frame grows most with the plot, when it carries a good part of the frame's slope; never a wait (a
    thread waiting for another's work grows with it too)."""
    pick = np.unique(np.linspace(0, len(g) - 1, min(len(g), SAMPLE)).astype(np.int64))
    fr = g[pick]
    vv = v[pick]
    keep = ~np.isnan(vv)
    if keep.sum() < MIN_FRAMES:
        return ""
    m = frame_self_time(ctx, fr[keep], ph.start[fr[keep]], ph.end[fr[keep]])
    if len(m.keys) == 0:
        return ""
    x = vv[keep]
    win = ph.window()
    waits = {(w.thread_row, w.name_idx) for w in frame_waits(ctx, *win, ph)} if win is not None else set()
    best: tuple[float, int, float] | None = None
    for j in range(len(m.keys)):
        if (int(m.thread_of[j]), int(m.name_of[j])) in waits:
            continue
        y = m.self_ns[:, j]
        r = _pearson(x, y)
        if r < DRIVES:
            continue
        s = float(np.polyfit(x, y, 1)[0])
        if s >= ZONE_SHARE * slope and (best is None or s > best[2]):
            best = (r, j, s)
    if best is None:
        return ""
    r, j, s = best
    names, labels = ctx._srclocs().names, ctx._thread_labels()
    th = int(m.thread_of[j])
    where = labels[th] if 0 <= th < len(labels) else f"thread {th}"
    return f": {names[int(m.name_of[j])]} ({where}) costs {fmt_ns(s)} of its own time per unit (r = {r:.2f})"
