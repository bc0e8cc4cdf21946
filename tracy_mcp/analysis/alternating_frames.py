"""alternating_frames: frames that alternate short and long because some work runs on every second frame only.

An fps counter averages 8 ms / 25 ms frames to 60 fps while the player sees judder, and the 2x-median rule finds no
slow frame: the median sits on one of the two levels. The evidence: nearly every frame lands on the other side of
the midpoint between the two levels than the frame before it, and one zone runs in the long frames and not in the
short ones (a decimated update: AI every other frame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases, paired_marks
from tracy_mcp.analysis.wait_zones import wait_names

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

MIN_FRAMES = 20
SPLIT = 1.5  # the long frames' median this x the short ones' at least
SWITCH = 0.8  # this share of consecutive frames on opposite sides of the midpoint at least
IN_LONG = 0.8  # the zone runs in this share of the long frames at least...
IN_SHORT = 0.1  # ...and in this share of the short ones at most
ZONE_GAP = 0.2  # its runs this share of the gap at least (a paced frame that misses its interval grows by a
# whole interval for a few ms of work; the longest zone that passes is the work's outermost)


@attrs.frozen
class Alternation:
    """Frames of one set that alternate `short_ns` / `long_ns` (medians of each kind); `zone` runs in `in_long` of
    the `n_long` long frames and `in_short` of the `n_short` short ones, a median `zone_ns` a run ("" when no zone
    runs in the long frames only)."""

    n_short: int
    n_long: int
    short_ns: float
    long_ns: float
    switch: float
    mean_ns: float
    zone: str
    thread: str
    zone_ns: float
    in_long: int
    in_short: int

    def title(self) -> str:
        what = (
            f": {self.zone} ({self.thread}) runs every second frame, {fmt_ns(self.zone_ns)} a run" if self.zone else ""
        )
        return (
            f"The frames alternate short and long, {fmt_ns(self.short_ns)} / {fmt_ns(self.long_ns)} (medians), "
            f"and their mean {fmt_ns(self.mean_ns)} ({1e9 / self.mean_ns:.1f} fps) hides it{what}."
        )

    def line(self) -> str:
        head = (
            f"Alternating frames: {self.n_short} short (median {fmt_ns(self.short_ns)}) and {self.n_long} long "
            f"(median {fmt_ns(self.long_ns)}); {self.switch:.0%} of the frames are on the other side of "
            f"{fmt_ns((self.short_ns + self.long_ns) / 2)} than the frame before them. The mean frame "
            f"{fmt_ns(self.mean_ns)} ({1e9 / self.mean_ns:.1f} fps) averages the two away; the uneven pacing is "
            "the judder."
        )
        if not self.zone:
            return head + " No one zone runs in the long frames only."
        return head + (
            f" {self.zone} ({self.thread}) runs in {self.in_long} of the {self.n_long} long frames and "
            f"{self.in_short} of the short ones, a median {fmt_ns(self.zone_ns)} a run (the gap between the levels: "
            f"{fmt_ns(self.long_ns - self.short_ns)}): work done every second frame; spread it over every frame or "
            "move it off this thread."
        )


def alternating(ctx: Capture, frame_set: str | None = None) -> Alternation | None:
    """The alternation of a frame set's gameplay frames (the base set by default), None when they do not
    alternate. Computed once per set."""
    ph = frame_phases(ctx, frame_set)
    if ph is None:
        return None
    out: Alternation | None = ctx._db.cached(("alternating", ph.set_name), lambda: _alternating(ctx, ph))
    return out


def _alternating(ctx: Capture, ph: FramePhases) -> Alternation | None:
    g = ph.gameplay
    if len(g) < MIN_FRAMES:
        return None
    d = ph.dur[g].astype(np.float64)
    m = len(d) // 2
    even, odd = float(np.median(d[0 : 2 * m : 2])), float(np.median(d[1 : 2 * m : 2]))
    if min(even, odd) <= 0 or max(even, odd) < SPLIT * min(even, odd):
        return None
    long = d > (even + odd) / 2
    switch = float(np.mean(long[1:] != long[:-1]))
    if switch < SWITCH or paired_marks(ctx, ph):  # two frame marks per loop: paired_marks tells that
        return None
    short_ns, long_ns = float(np.median(d[~long])), float(np.median(d[long]))
    zone, thread, zone_ns, in_long, in_short = _long_only_zone(ctx, ph, g[long], g[~long], long_ns - short_ns)
    return Alternation(
        int((~long).sum()), int(long.sum()), short_ns, long_ns, switch, float(d.mean()),
        zone, thread, zone_ns, in_long, in_short,
    )  # fmt: skip


def _long_only_zone(
    ctx: Capture, ph: FramePhases, long: np.ndarray, short: np.ndarray, gap: float
) -> tuple[str, str, float, int, int]:
    """The longest zone (by median run) that starts in at least IN_LONG of the long frames and at most IN_SHORT of
    the short ones, its runs ZONE_GAP of the gap at least, no wait: (name, thread, median run, long frames, short
    frames)."""
    t = ctx._cpu()
    lo, hi = int(ph.start[ph.gameplay[0]]), int(ph.end[ph.gameplay[-1]])
    rows = ctx._zone_rows_starting_in(lo, hi)
    rows = rows[t.valid[rows] & (t.dur[rows] >= ZONE_GAP * gap)]
    if len(rows) == 0:
        return "", "", 0.0, 0, 0
    frame = np.searchsorted(ph.start, t.start[rows], "right") - 1
    is_long, is_short = np.zeros(len(ph.dur), bool), np.zeros(len(ph.dur), bool)
    is_long[long], is_short[short] = True, True
    best: tuple[float, int, int, int] | None = None
    names, waits = ctx._srclocs().name, wait_names(ctx)
    for k in np.unique(t.srcloc[rows]).tolist():
        if names[k] in waits:  # a wait that fills the long frames is not the work that makes them long
            continue
        mine = t.srcloc[rows] == k
        frames = np.unique(frame[mine])
        n_long, n_short = int(is_long[frames].sum()), int(is_short[frames].sum())
        if n_long < IN_LONG * len(long) or n_short > IN_SHORT * len(short):
            continue
        typical = float(np.median(t.dur[rows[mine]]))
        if best is None or typical > best[0]:
            best = (typical, int(k), n_long, n_short)
    if best is None:
        return "", "", 0.0, 0, 0
    typical, k, n_long, n_short = best
    runs = rows[t.srcloc[rows] == k]
    thread = ctx._thread_labels()[int(np.bincount(t.owner[runs].astype(np.int64)).argmax())]
    return str(names[k]), thread, typical, n_long, n_short
