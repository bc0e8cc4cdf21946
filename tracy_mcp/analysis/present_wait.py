"""present_wait: a frame that spends most of its time blocked in the present call, in a capture without GPU zones.

A present (SwapBuffers, vkQueuePresent, IDXGISwapChain::Present) blocks while the GPU or the driver is behind. With
vsync it ends on the display's interval, and wait_zones tells it as the frame's pacer. Without vsync a frame of, say,
24.4 ms that spends 15.9 ms in it is bound by the GPU (or the driver), not by the CPU's 8.5 ms of work: the question
"is the CPU the bottleneck?" is answered by this zone's share of the frame, which no CPU-side zone shows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.frame_phases import frame_phases, paired_marks
from tracy_mcp.analysis.wait_zones import GPU, wait_names

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

PRESENT = re.compile(r"(Present|SwapBuffers|Swap(chain)?::|Flip|WaitForGpu|GpuFence|WaitGPU)", re.IGNORECASE)
SHARE = 0.5  # the present call holds this share of the median frame or more
MIN_FRAMES = 30
# display intervals (ns): 60 Hz and the rates a 60 Hz game drops to, and the faster displays' own and halved ones
INTERVALS = tuple(k * 1e9 / 60 for k in (1, 2, 3, 4)) + tuple(
    k * 1e9 / hz for hz in (75, 90, 120, 144, 165, 240) for k in (1, 2)
)
ON_INTERVAL = 0.01  # ...within this share of it (vsync lands within a fraction of a percent)


def present_bound_line(ctx: Capture) -> str:
    """'The frames wait for the GPU in Render::Present (Main thread): 15.69 ms of the median 24.43 ms frame (64%),
    and not on a display interval ...: the CPU's work is 8.74 ms a frame' or '' (GPU zones present, no such zone,
    or it paces the frames at vsync)."""
    if ctx._db.rows("gpu_zones"):
        return ""  # gpu_report answers with the GPU's own timeline
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) < MIN_FRAMES or paired_marks(ctx, ph):
        return ""  # two marks a loop: its frames are halves of one
    t, sl = ctx._cpu(), ctx._srclocs()
    names = sl.names
    cand = [i for i, n in enumerate(names) if PRESENT.search(str(n))]
    if not cand:
        return ""
    g = ph.gameplay
    lo, hi = int(ph.start[g[0]]), int(ph.end[g[-1]])
    waits = {n for n, kind in wait_names(ctx).items() if kind != GPU}  # a pacer, a wait for other threads
    median_frame = float(np.median(ph.dur[g]))
    if any(abs(median_frame - x) <= ON_INTERVAL * median_frame for x in INTERVALS):
        return ""  # frames at a display interval: vsync paces them, whatever blocks
    best: tuple[float, str, int] | None = None
    for i in cand:
        name = str(names[i])
        if name in waits:
            continue  # the frame's pacer, or a wait for another thread: told as such elsewhere
        rows = t.stat_rows(sl.rows_of(name))
        rows = rows[t.valid[rows] & (t.start[rows] >= lo) & (t.end[rows] <= hi)]
        if not len(rows):
            continue
        owners, inv = np.unique(t.owner[rows], return_inverse=True)
        per_thread = np.bincount(inv, weights=ctx.self_time_array()[rows].astype(np.float64))
        k = int(np.argmax(per_thread))
        per_frame = float(per_thread[k]) / len(g)
        if best is None or per_frame > best[0]:
            best = (per_frame, name, int(owners[k]))
    if best is None or best[0] < SHARE * median_frame:
        return ""
    per_frame, name, owner = best
    labels = ctx._thread_labels()
    where = labels[owner] if 0 <= owner < len(labels) else f"thread {owner}"
    return (
        f"The frames wait in {name} ({where}): {fmt_ns(per_frame)} of the median {fmt_ns(median_frame)} frame "
        f"({fmt_pct(per_frame / median_frame)}), and not on a display interval (it does not pace the frames): a "
        f"present that blocks is the GPU or the driver behind, so the frame is bound there, not by the CPU's "
        f"{fmt_ns(max(median_frame - per_frame, 0.0))} of other work a frame."
    )
