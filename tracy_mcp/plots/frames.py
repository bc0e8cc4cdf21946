"""Frame times: each frame's duration over the capture (slow frames and start-up frames marked) beside the
distribution of frame times."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.plots.figure import new_figure

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

MAX_LABELS = 8  # slowest frames labelled with their index


def plot_frames(ctx: Capture, *, frame_set: str | None = None, budget_ns: int | None = None) -> Any:
    """A matplotlib Figure of the frame times of a frame set (base set by default)."""
    f = ctx.frames(frame_set, as_frame=False)
    start, dur = f["start_ns"].astype(np.float64), f["duration_ns"].astype(np.float64)
    idx = np.arange(len(start))
    kind = _frame_kinds(ctx, len(idx), dur, frame_set, budget_ns)
    fig = new_figure(620)
    grid = fig.add_gridspec(1, 4)
    ax = fig.add_subplot(grid[0, :3])
    hist = fig.add_subplot(grid[0, 3], sharey=ax)
    ms = dur / 1e6
    t = start / 1e9
    colors = {"normal": "#4a7fb5", "slow": "#d62728", "start-up": "#9a9a9a", "partial": "#c8c8c8"}
    labels = {"start-up": "start-up / tear-down", "partial": "trailing partial"}
    for k, c in colors.items():
        sel = kind == k
        if sel.any():
            ax.bar(
                t[sel],
                ms[sel],
                width=np.maximum(dur[sel] / 1e9, 1e-4),
                align="edge",
                color=c,
                label=f"{labels.get(k, k)} ({int(sel.sum())})",
                linewidth=0,
            )
    typical = (kind == "normal") | (kind == "slow")  # the gameplay frames
    gameplay = kind != "start-up"  # the y range: gameplay frames and the trailing partial one
    median = float(np.median(dur[typical])) if typical.any() else 0.0
    if median > 0:
        ax.axhline(median / 1e6, color="#333333", linewidth=0.8, linestyle="--", label=f"median {median / 1e6:.2f} ms")
    if budget_ns:
        ax.axhline(budget_ns / 1e6, color="#2ca02c", linewidth=0.8, label=f"budget {budget_ns / 1e6:.2f} ms")
    slow = np.flatnonzero(kind == "slow")
    for i in slow[np.argsort(-dur[slow])][:MAX_LABELS].tolist():
        ax.annotate(str(int(idx[i])), (t[i], ms[i]), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
    if len(ms):
        # the y range follows the gameplay frames; a taller start-up frame is cut and its time written on it
        shown = ms[gameplay] if gameplay.any() else ms
        top = float(shown.max()) * 1.15 or 1.0
        ax.set_ylim(0, top)
        for i in np.flatnonzero(ms > top).tolist():
            ax.annotate(f"{ms[i]:.0f} ms", (t[i], top), textcoords="offset points", xytext=(2, -12), fontsize=8)
    ax.set_xlabel("time since capture start (s); slowest frames labelled with their frame index")
    ax.set_ylabel("frame time (ms)")
    fig.legend(loc="outside lower center", ncol=6, fontsize=9, frameon=False)  # below: never over a frame
    ax.set_title(
        f"Frame times: {ctx.get_capture_name()}, {int(typical.sum())} gameplay frames of {len(idx)}"
        + (f" in set {frame_set!r}" if frame_set else ""),
        fontsize=11,
        loc="left",
    )
    if len(ms):
        hist.hist(ms[typical], bins=60, orientation="horizontal", color="#4a7fb5", log=True)
    hist.set_xlabel("gameplay frames (log)")
    hist.tick_params(labelleft=False)
    return fig


def _frame_kinds(ctx: Capture, n: int, dur: np.ndarray, frame_set: str | None, budget_ns: int | None) -> np.ndarray:
    """'normal', 'slow', 'start-up' or 'partial' per frame, as slow_frames judges them (frame_phases: start-up,
    tear-down and the trailing partial frame from structure; slow = a gameplay frame over the threshold)."""
    from tracy_mcp.analysis.frame_phases import GAMEPLAY, STARTUP, TEARDOWN, frame_phases

    kind = np.full(n, "normal", dtype=object)
    ph = frame_phases(ctx, frame_set, budget_ns=budget_ns)
    if ph is None or len(ph.kind) != n:
        return kind
    kind[(ph.kind == STARTUP) | (ph.kind == TEARDOWN)] = "start-up"
    kind[(ph.kind != GAMEPLAY) & (kind == "normal")] = "partial"
    kind[(ph.kind == GAMEPLAY) & (dur > ph.threshold_ns)] = "slow"
    return kind
