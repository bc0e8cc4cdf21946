"""Timeline of a time window: one lane per thread, zones as boxes stacked by depth (coloured by name), frame
boundaries as vertical lines and messages as ticks; like Tracy's main view, as a picture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.plots.figure import ms_label, name_color, new_figure

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

ROW_PX = 16
PLOT_PX = 1050  # width of the drawing area
MAX_DEPTH = 12  # deeper zones are left out (a note says so)
MAX_FRAME_LINES = 300
MAX_MESSAGES = 400


def plot_timeline(
    ctx: Capture,
    start: int | None = None,
    end: int | None = None,
    *,
    thread: Any = None,
    frame_range: Any = None,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """A matplotlib Figure of the zones in [start, end) ns (default: the whole capture) or in frame_range; thread
    narrows it to one thread. Zones narrower than a pixel are left out."""
    from tracy_mcp.analysis.scope import resolve_scope, zone_rows

    scope = resolve_scope(ctx, thread=thread, start=start, end=end, frame_range=frame_range)
    t = ctx._cpu()
    last = int(ctx.get_last_time())
    ws = scope.start if scope.start is not None else 0
    we = scope.end if scope.end is not None else last
    rows = zone_rows(ctx, scope, include_unfinished=True)
    s = np.maximum(t.start[rows], ws)
    e = np.minimum(np.where(t.end[rows] >= 0, t.end[rows], last), we)
    depth = t.depth[rows].astype(np.int64)
    keep = ((e - s) * PLOT_PX >= (we - ws)) & (depth < max_depth)  # at least a pixel wide
    hidden_deep = int(((depth >= max_depth) & ((e - s) * PLOT_PX >= (we - ws))).sum())
    rows, s, e, depth = rows[keep], s[keep], e[keep], depth[keep]
    owner = t.owner[rows].astype(np.int64)
    threads = sorted(set(owner.tolist()))  # lanes in the capture's thread order (the same in every plot)
    lane_base: dict[int, int] = {}
    y = 0
    for th in threads:
        lane_base[th] = y
        sel = owner == th
        y += (int(depth[sel].max()) + 1 if sel.any() else 1) + 1  # a spacer row between threads
    nrows = max(y - 1, 1)
    fig = new_figure(min(max(ROW_PX * nrows + 170, 300), 1600))
    ax = fig.add_subplot()
    names = np.asarray(ctx._srclocs().name + ["?"], dtype=object)
    src = np.minimum(t.srcloc[rows].astype(np.int64), len(names) - 1)
    base = np.asarray([lane_base[o] for o in owner.tolist()], dtype=np.float64) if len(rows) else np.zeros(0)
    ytop = base + depth
    to_ms = 1e-6
    xs, xe = (s - ws) * to_ms, (e - ws) * to_ms
    _draw_boxes(ax, xs, xe, nrows - ytop - 1, [name_color(str(n)) for n in names[src].tolist()])
    span_ms = (we - ws) * to_ms
    px_per_ms = PLOT_PX / max(span_ms, 1e-9)
    for a, b, yy, nm in zip(xs.tolist(), xe.tolist(), (nrows - ytop - 1).tolist(), names[src].tolist(), strict=True):
        chars = int((b - a) * px_per_ms / 6.0)
        if chars >= 4:
            label = nm if len(nm) <= chars else nm[: chars - 1] + "…"
            ax.text(a + 0.5 / px_per_ms, yy + 0.45, label, fontsize=7, va="center", ha="left", clip_on=True)
    _frame_lines(ctx, ax, ws, we)
    _messages(ctx, ax, ws, we, threads, lane_base, nrows)
    ax.set_xlim(0, span_ms)
    ax.set_ylim(0, nrows)
    tnames = dict(enumerate(ctx._thread_labels()))
    ax.set_yticks(
        [nrows - lane_base[th] - 0.5 for th in threads], [tnames.get(th, str(th)) for th in threads], fontsize=9
    )
    ax.set_xlabel(f"ms since {ws / 1e9:.6f} s (window {ms_label(we - ws)})")
    note = f"; {hidden_deep} zones deeper than {max_depth} levels not drawn" if hidden_deep else ""
    ax.set_title(
        f"Timeline: {ctx.get_capture_name()} ({scope.label}), {len(rows)} zones{note}", fontsize=11, loc="left", pad=16
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _draw_boxes(ax: Any, xs: np.ndarray, xe: np.ndarray, y: np.ndarray, colors: list[Any]) -> None:
    from matplotlib.collections import PolyCollection

    verts = np.stack(
        [np.stack([xs, y], 1), np.stack([xe, y], 1), np.stack([xe, y + 0.9], 1), np.stack([xs, y + 0.9], 1)], 1
    )
    ax.add_collection(PolyCollection(list(verts), facecolors=colors, edgecolors="none"))


def _frame_lines(ctx: Capture, ax: Any, ws: int, we: int) -> None:
    bounds = np.asarray(ctx.get_frame_boundaries(), dtype=np.int64).reshape(-1, 2)
    if not len(bounds):
        return
    idx = np.flatnonzero((bounds[:, 0] >= ws) & (bounds[:, 0] < we))
    if not 0 < len(idx) <= MAX_FRAME_LINES:
        return
    for i in idx.tolist():
        x = (bounds[i, 0] - ws) * 1e-6
        ax.axvline(x, color="#888888", linewidth=0.6, linestyle=":")
        if len(idx) <= 40:
            ax.text(x, 1.0, f" {i}", transform=ax.get_xaxis_transform(), fontsize=7, color="#555555", va="bottom")


def _messages(
    ctx: Capture, ax: Any, ws: int, we: int, threads: list[int], lane_base: dict[int, int], nrows: int
) -> None:
    if not ctx._db.rows("messages"):
        return
    m = ctx._db
    time = m.col("messages", "time")
    thread = m.col_or("messages", "thread")
    sel = np.flatnonzero((time >= ws) & (time < we))
    if not 0 < len(sel) <= MAX_MESSAGES:
        return
    xs, ys = [], []
    for i in sel.tolist():
        th = int(thread[i]) if len(thread) else -1
        if th in lane_base:
            xs.append((int(time[i]) - ws) * 1e-6)
            ys.append(nrows - lane_base[th])
    if xs:
        ax.scatter(xs, ys, marker="v", s=18, color="#d62728", zorder=3, label="message")
        ax.legend(loc="upper right", fontsize=8)
