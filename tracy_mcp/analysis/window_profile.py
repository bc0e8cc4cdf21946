"""Per thread and source location: self time and zone count inside a time window.

Computed on each thread's contiguous run of zones (the engine stores a thread's zones in start order), so there is no
per-zone gather. Zones crossing the window's edges count in proportion to the part inside. Zones that wrap their
thread (wait_zones.wrapper_rows) are kept apart: their self time is the gaps between their children, not work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.wait_zones import wrapper_rows

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64


@attrs.frozen
class WindowProfile:
    lo: int
    hi: int
    self_ns: np.ndarray  # float64 [threads, nsrc + 1] (last column: zones of an unknown source location)
    count: np.ndarray  # int64 [threads, nsrc + 1]: zones that start in the window
    wrap_ns: np.ndarray  # float64 [threads]: self time of wrapper zones inside the window (not in self_ns)
    zone_count: np.ndarray  # int64 [threads]: zones starting in the window

    @property
    def busy_ns(self) -> np.ndarray:
        """Per thread: time inside non-wrapper zones."""
        return self.self_ns.sum(axis=1)


def window_profile(ctx: Capture, lo: int, hi: int) -> WindowProfile:
    """The profile of [lo, hi) (cached per window)."""
    return ctx._db.cached(("window_profile", int(lo), int(hi)), lambda: _build(ctx, int(lo), int(hi)))


def _inside(s: np.ndarray, e: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Fraction of each [s, e) inside [lo, hi)."""
    d = e - s
    ov = np.minimum(e, hi) - np.maximum(s, lo)
    return np.where(d > 0, np.maximum(ov, 0) / np.maximum(d, 1), 0.0)


def _srcloc_or_unknown(ctx: Capture, nsrc: int) -> np.ndarray:
    """Per zone row: its source-location row, or `nsrc` when unknown (cached)."""

    def build() -> np.ndarray:
        t = ctx._cpu()
        return np.where(t.known_srcloc, t.srcloc, nsrc).astype(np.intp)

    return ctx._db.cached("srcloc_or_unknown", build)


def _build(ctx: Capture, lo: int, hi: int) -> WindowProfile:
    t = ctx._cpu()
    db = ctx._db
    nsrc = len(ctx._srclocs())
    nthreads = db.rows("threads")
    width = nsrc + 1
    self_ns = np.zeros((nthreads, width))
    count = np.zeros((nthreads, width), I64)
    wrap_ns = np.zeros(nthreads)
    zone_count = np.zeros(nthreads, I64)
    if t.n == 0 or not db.has("threads", "zones_begin"):
        return WindowProfile(lo, hi, self_ns, count, wrap_ns, zone_count)
    selft = ctx.self_time_array()
    src = _srcloc_or_unknown(ctx, nsrc)
    zb = db.col("threads", "zones_begin").tolist()
    ze = db.col("threads", "zones_end").tolist()
    open_rows: list[int] = []
    for k in range(min(nthreads, len(zb))):
        a, z = int(zb[k]), int(ze[k])
        if z <= a:
            continue
        st = t.start[a:z]
        i = int(np.searchsorted(st, lo, "left"))
        j = int(np.searchsorted(st, hi, "left"))
        row = a + i - 1  # zones open at `lo`: the last one starting before it and its ancestors
        while row >= a:
            if t.end[row] > lo:
                open_rows.append(row)
            row = int(t.parent[row])
        if j <= i:
            continue
        zone_count[k] = j - i
        sl = src[a + i : a + j]
        count[k] = np.bincount(sl, minlength=width)
        own = np.zeros(width, I64)
        np.add.at(own, sl, selft[a + i : a + j])  # integer scatter-add: faster than a float bincount
        self_ns[k] += own
        # fix-ups, few rows: zones without an end count nothing, zones running past `hi` count their part inside
        e = t.end[a + i : a + j]
        odd = np.flatnonzero((e < 0) | (e > hi))
        if len(odd):
            r = a + i + odd
            w = np.where(t.end[r] < 0, 0.0, _inside(t.start[r], t.end[r], lo, hi))
            np.add.at(self_ns[k], src[r], selft[r] * (w - 1.0))
    if open_rows:
        r = np.asarray(open_rows, I64)
        w = _inside(t.start[r], t.end[r], lo, hi)
        np.add.at(self_ns, (t.owner[r], src[r]), selft[r] * w)
    wr = wrapper_rows(ctx)
    wr = wr[(t.start[wr] < hi) & (t.end[wr] > lo)]
    if len(wr):
        contrib = selft[wr] * _inside(t.start[wr], t.end[wr], lo, hi)
        np.add.at(self_ns, (t.owner[wr], src[wr]), -contrib)
        np.add.at(wrap_ns, t.owner[wr], contrib)
    return WindowProfile(lo, hi, self_ns, count, wrap_ns, zone_count)
