"""Two occasional tasks that make a frame slow only when they land in the same one: each fits the frame alone, and
the slow frames are those where both run (an AI replan every 7th frame and a streaming tick every 11th meet every
77th). Told beside slow_frames' culprit, which names one of them: the other is as large, runs in the slow frames as
often, and the frames where either runs alone are not slow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.scope import Scope, zone_rows

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

I64 = np.int64
IN_SLOW = 0.9  # the partner runs in this share of the slow frames at least...
OCCASIONAL = 0.5  # ...and in this share of the other frames at most (an occasional task, not the frame's own work)
AS_LARGE = 0.5  # ...taking this share of the culprit's time in the slow frames at least
ALONE_MIN = 3  # frames where each runs without the other, to say they are slow only together


def together(ctx: Capture, ph: FramePhases, slow: np.ndarray, others: np.ndarray, thread_row: int, culprit: str) -> str:
    """'; with Streaming::Tick, 7.63 ms..7.80 ms in the slow frames, absent from typical frames: both run in 5 of
    the 5 slow frames, while the 51 frames with AI::Replan alone and the 30 with Streaming::Tick alone are not slow
    (at most 19.4 ms): the frame is slow only when the two meet' when another occasional zone at the culprit's
    depth on its thread runs in the slow frames as the culprit does and each runs without the other in frames that
    are not slow; '' otherwise. `others` are the gameplay frames that are not slow."""
    t, sl = ctx._cpu(), ctx._srclocs()
    mine = t.stat_rows(sl.rows_of(culprit))
    mine = mine[t.valid[mine] & (t.owner[mine] == thread_row)]
    if len(mine) == 0 or len(slow) < 2 or len(others) == 0:
        return ""
    depth = int(np.median(t.depth[mine]))
    rows = zone_rows(ctx, Scope(np.asarray([thread_row]), None, None, ""))
    rows = rows[(t.depth[rows] == depth) & t.valid[rows]]
    if len(rows) == 0:
        return ""
    n = len(ph.start)
    fi = np.searchsorted(ph.start, t.start[rows], "right") - 1
    ok = fi >= 0
    rows, fi = rows[ok], fi[ok]
    names = sl.name_idx[t.srcloc[rows]]
    own = int(sl.name_idx[t.srcloc[mine[0]]])

    def time_in(k: int) -> np.ndarray:
        sel = names == k
        return np.bincount(fi[sel], weights=t.dur[rows[sel]].astype(np.float64), minlength=n)[:n]

    base = time_in(own)
    best, best_time = -1, np.zeros(0)
    for k in np.unique(names).tolist():
        if k == own:
            continue
        tk = time_in(k)
        if (tk[slow] > 0).mean() < IN_SLOW or (tk[others] > 0).mean() > OCCASIONAL:
            continue
        if np.median(tk[slow]) < AS_LARGE * np.median(base[slow]):
            continue
        if best < 0 or tk[slow].sum() > best_time[slow].sum():
            best, best_time = k, tk
    if best < 0:
        return ""
    a_only = others[(base[others] > 0) & (best_time[others] == 0)]
    b_only = others[(best_time[others] > 0) & (base[others] == 0)]
    partner = str(sl.names[best])
    both = int(((base[slow] > 0) & (best_time[slow] > 0)).sum())
    usual = float(np.median(best_time[others]))
    head = (
        f"; with {partner}, {fmt_ns(float(best_time[slow].min()))}..{fmt_ns(float(best_time[slow].max()))} in the "
        f"slow frames, {'absent from typical frames' if usual == 0 else f'typical {fmt_ns(usual)} per frame'}: "
        f"both run in {both} of the {len(slow)} slow frames"
    )
    if len(a_only) < ALONE_MIN or len(b_only) < ALONE_MIN:
        return ""  # never apart: parts of one task (a keystroke's layout and paint), which the culprit tells
    worst = float(ph.dur[np.concatenate([a_only, b_only])].max())
    return head + (
        f", while the {len(a_only)} frames with {culprit} alone and the {len(b_only)} with {partner} alone are not "
        f"slow (at most {fmt_ns(worst)}): the frame is slow only when the two meet (run them in different frames)"
    )
