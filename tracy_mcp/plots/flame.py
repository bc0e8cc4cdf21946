"""Flame graph of the call tree: one box per call path, as wide as its total time, children stacked above their
parent (widest first); with threads kept apart, the bottom row holds one box per thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.plots.figure import ms_label, name_color, new_figure

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

ROW_PX = 20
MIN_SHARE = 0.001  # boxes narrower than this share of the width are left out (under 1.2 px)


def plot_flame(ctx: Capture, **tree_args: Any) -> Any:
    """A matplotlib Figure of the call tree (arguments as for ctx.call_tree)."""
    from tracy_mcp.analysis.call_tree import tree_columns

    tree = ctx.call_tree(**tree_args)
    cols = tree_columns(tree)
    per_thread = tree_args.get("per_thread") is not False
    n = len(cols["id"])
    parent = cols["parent_id"].tolist()
    total = cols["total_ns"].astype(np.float64)
    depth = cols["depth"].astype(np.int64) + (1 if per_thread else 0)
    x = np.zeros(n)
    # lay out depth first (the table's order): each child starts where its previous sibling ended
    next_free: dict[int, float] = {}
    thread_box: dict[str, tuple[float, float]] = {}
    cursor = 0.0
    for i in range(n):
        p = parent[i]
        if p < 0:
            th = str(cols["thread"][i]) if per_thread else ""
            if per_thread and th not in thread_box:
                thread_box[th] = (cursor, 0.0)
            x[i] = cursor
            cursor += total[i]
            if per_thread:
                lo, w = thread_box[th]
                thread_box[th] = (lo, w + total[i])
        else:
            x[i] = next_free.get(p, x[p])
            next_free[p] = x[i] + total[i]
    width = max(cursor, 1.0)
    rows = int(depth.max()) + 1 if n else 1
    fig = new_figure(min(max(ROW_PX * rows + 150, 320), 1600))
    ax = fig.add_subplot()
    boxes: list[tuple[float, float, int, str, Any]] = []
    for th, (lo, w) in thread_box.items():
        boxes.append((lo, w, 0, f"{th} ({ms_label(w)})", (0.78, 0.78, 0.80)))
    for i in range(n):
        boxes.append((x[i], total[i], int(depth[i]), str(cols["name"][i]), name_color(str(cols["name"][i]), warm=True)))
    px_per_unit = 1100.0 / width
    for lo, w, d, label, color in boxes:
        if w < MIN_SHARE * width:
            continue
        ax.add_patch(_rect(lo, d, w, color))
        chars = int(w * px_per_unit / 6.5)
        if chars >= 3:
            text = label if len(label) <= chars else label[: max(chars - 1, 1)] + "…"
            ax.text(lo + w * 0.003, d + 0.5, text, va="center", ha="left", fontsize=8, clip_on=True)
    ax.set_xlim(0, width)
    ax.set_ylim(0, rows)
    ax.set_yticks([])
    ticks = np.linspace(0, width, 6)
    ax.set_xticks(ticks, [f"{t / width * 100:.0f}%" for t in ticks])
    ax.set_xlabel(f"share of the time in zones ({ms_label(width)} in all)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        f"Flame graph: {ctx.get_capture_name()} ({tree.scope}); box width = total time of the call path",
        fontsize=11,
        loc="left",
    )
    return fig


def _rect(x: float, y: float, w: float, color: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, 0.95, facecolor=color, edgecolor="white", linewidth=0.4)
