"""The frame-rate figures players and producers quote: average fps (frames over their time, not the mean of each
frame's fps), the 1% low both ways it is defined (the 99th-percentile frame, and the mean of the slowest 1%), and the
frames that missed 60 and 30 fps; over gameplay frames, saying which frames were left out and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import GAMEPLAY, KIND_NAMES, frame_phases

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

BUDGETS_NS = (1e9 / 60, 1e9 / 30)
JITTER = 0.02  # a frame this little over the interval is a vsync'd frame at it, jitter aside
MIN_FRAMES = 20  # fewer gameplay frames make no 1% low


def frame_rate_line(ctx: Capture) -> str:
    """'Frame rate over the 494 gameplay frames (2..495, 7.01 s; left out: ...): 70.5 fps average (frames / time),
    1% low 7.4 fps (p99 frame 134.4 ms) or 6.6 fps (mean of the slowest 5 frames, 150.5 ms); 97 frames over 16.67 ms
    (60 fps), 35 over 33.33 ms (30 fps).'; '' without enough gameplay frames of the base set."""
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) < MIN_FRAMES:
        return ""
    g = ph.gameplay
    d = ph.dur[g].astype(np.float64)
    total = float(d.sum())
    k = max(1, int(np.ceil(0.01 * len(d))))
    worst = float(np.sort(d)[-k:].mean())
    p99 = float(np.percentile(d, 99))
    out = [f"{KIND_NAMES[int(x)]} {int((ph.kind == x).sum())}" for x in np.unique(ph.kind) if int(x) != GAMEPLAY]
    left = f"; left out: {', '.join(out)}" if out else ""
    over = ", ".join(_over(d, b, i == 0) for i, b in enumerate(BUDGETS_NS))
    return (
        f"Frame rate over the {len(d)} gameplay frames ({int(g[0])}..{int(g[-1])}, {total / 1e9:.2f} s{left}): "
        f"{len(d) / total * 1e9:.1f} fps average (frames / their time), 1% low {1e9 / p99:.1f} fps (p99 frame "
        f"{fmt_ns(p99)}) or {1e9 / worst:.1f} fps (mean of the slowest {k} frame(s), {fmt_ns(worst)}); {over}."
    )


def _over(d: np.ndarray, budget: float, first: bool) -> str:
    """'97 frames over 16.67 ms (60 fps)'; when most of those are over by under JITTER the frames are paced at that
    interval (vsync), and the misses are the ones beyond it."""
    n, near = int((d > budget).sum()), int(((d > budget) & (d <= budget * (1 + JITTER))).sum())
    frames = "frames " if first else ""
    at = f"{fmt_ns(budget)} ({1e9 / budget:.0f} fps"
    if near >= max(3, 0.5 * n):
        return f"{n - near} {frames}over {at}) by more than {JITTER:.0%} ({n} over it at all, most at it: paced frames)"
    close = f"; {near} of them by under {JITTER:.0%}" if near >= max(3, 0.05 * n) else ""
    return f"{n} {frames}over {at}{close})"
