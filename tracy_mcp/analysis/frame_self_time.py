"""Self time per (frame, thread, zone name) for a chosen set of frames, vectorised.

A zone's self time is spread over the frames it overlaps in proportion to the overlap, so a 50 ms job that straddles
three frames counts in each for the part inside. Zones wrapping their whole thread are left out (their self time is
the idle gaps between their children).
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
class FrameSelfTime:
    frames: np.ndarray  # frame index per matrix row
    keys: np.ndarray  # int64 key per matrix column: thread_row * nnames + name index
    nnames: int
    self_ns: np.ndarray  # float64 [frames, keys]
    count: np.ndarray  # int64 [frames, keys]: zones that start in the frame

    @property
    def thread_of(self) -> np.ndarray:
        return self.keys // self.nnames

    @property
    def name_of(self) -> np.ndarray:
        return self.keys % self.nnames


def countable(ctx: Capture) -> np.ndarray:
    """Per zone row: it has an end, a known source location, and does not wrap its thread (cached)."""

    def build() -> np.ndarray:
        t = ctx._cpu()
        m = t.valid & t.known_srcloc
        m[wrapper_rows(ctx)] = False
        return m

    return ctx._db.cached("countable_zones", build)


def zone_rows_overlapping(ctx: Capture, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(zone rows, interval position) of every zone overlapping [starts[i], ends[i]): those starting inside (a binary
    search per thread) and those still open at the start (the chain of zones open there)."""
    t = ctx._cpu()
    db = ctx._db
    empty = np.zeros(0, I64)
    if t.n == 0 or not db.has("threads", "zones_begin"):
        return empty, empty
    rows_parts: list[np.ndarray] = []
    pos_parts: list[np.ndarray] = []
    open_rows: list[np.ndarray] = []
    open_pos: list[np.ndarray] = []
    idx = np.arange(len(starts), dtype=I64)
    for a, z in zip(db.col("threads", "zones_begin").tolist(), db.col("threads", "zones_end").tolist(), strict=False):
        if z <= a:
            continue
        s = t.start[a:z]
        i = np.searchsorted(s, starts, "left")
        j = np.searchsorted(s, ends, "left")
        cnt = j - i
        tot = int(cnt.sum())
        if tot:
            first = np.repeat(np.cumsum(cnt) - cnt, cnt)
            rows_parts.append(a + np.repeat(i, cnt) + np.arange(tot, dtype=I64) - first)
            pos_parts.append(np.repeat(idx, cnt))
        before = i > 0
        open_rows.append(a + i[before] - 1)
        open_pos.append(idx[before])
    if open_rows:
        cur = np.concatenate(open_rows).astype(I64)
        pos = np.concatenate(open_pos)
        while len(cur):
            live = t.end[cur] > starts[pos]
            rows_parts.append(cur[live])
            pos_parts.append(pos[live])
            par = t.parent[cur].astype(I64)
            keep = par >= 0
            cur, pos = par[keep], pos[keep]
    if not rows_parts:
        return empty, empty
    return np.concatenate(rows_parts), np.concatenate(pos_parts)


def frame_self_time(ctx: Capture, frames: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> FrameSelfTime:
    """The matrix for the frames [starts[i], ends[i]) (frame indices `frames`); only keys that occur are columns."""
    t = ctx._cpu()
    sl = ctx._srclocs()
    nnames = max(len(sl.names), 1)
    rows, pos = zone_rows_overlapping(ctx, starts, ends)
    ok = countable(ctx)[rows]
    rows, pos = rows[ok], pos[ok]
    zs, zd = t.start[rows], t.dur[rows]
    ov = np.minimum(zs + zd, ends[pos]) - np.maximum(zs, starts[pos])
    frac = np.where(zd > 0, ov / np.maximum(zd, 1), 1.0)
    key = t.owner[rows].astype(I64) * nnames + sl.name_idx[t.srcloc[rows]]
    nthreads = max(ctx._db.rows("threads"), int(t.owner[rows].max()) + 1 if len(rows) else 1)
    present = np.zeros(nthreads * nnames, bool)  # dense remap of the keys present: no sort of the rows' keys
    present[key] = True
    ukeys = np.flatnonzero(present)
    col = (np.cumsum(present) - 1)[key]
    nk = len(ukeys)
    cell = pos * nk + col
    size = len(starts) * nk
    self_ns = np.bincount(cell, weights=ctx.self_time_array()[rows] * frac, minlength=size).reshape(len(starts), nk)
    started = zs >= starts[pos]
    count = np.bincount(cell[started], minlength=size).reshape(len(starts), nk)
    return FrameSelfTime(np.asarray(frames, I64), ukeys.astype(I64), nnames, self_ns, count)


def frame_thread(ctx: Capture, m: FrameSelfTime, nd: int, ref_start: np.ndarray, ref_dur: np.ndarray) -> int:
    """The thread the frame loop runs on: among the threads with zones in most typical frames, the one whose zones
    come nearest a frame mark, the first starting soonest after it or the last ending soonest before it (the
    marking code is next to its zones, before or after it sleeps to the next frame; other threads' zones fall
    anywhere). Ties (within 1 % of a frame): with slow frames in the first `nd` rows of `m`, the threads whose
    once-a-frame zones still run once in them; then the one whose zones cover more of the frame."""
    if len(m.keys) == 0:
        return -1
    th = m.thread_of
    nthreads = int(th.max()) + 1
    cover = np.zeros((nthreads, m.self_ns.shape[0] - nd))
    np.add.at(cover, th, m.self_ns[nd:].T)
    present = (cover > 0).mean(axis=1) >= 0.5
    cov = np.median(cover / np.maximum(ref_dur, 1), axis=1)
    t = ctx._cpu()
    zb = ctx._db.col("threads", "zones_begin")
    ze = ctx._db.col("threads", "zones_end")
    gap = np.full(nthreads, np.inf)
    for k in np.flatnonzero(present).tolist():
        lo, hi = int(zb[k]), int(ze[k])
        st = t.start[lo:hi]
        j = np.searchsorted(st, ref_start, "left")
        ok = j < len(st)
        if ok.any():
            after = np.where(ok, st[np.minimum(j, len(st) - 1)] - ref_start, ref_dur)
            top = lo + np.flatnonzero((t.depth[lo:hi] == 0) & (t.end[lo:hi] >= 0))
            en = t.end[top]  # a thread's top-level zones do not overlap: their ends are in order
            last = np.searchsorted(en, ref_start, "right") - 1
            before = np.where(last >= 0, ref_start - en[np.maximum(last, 0)], ref_dur) if len(en) else ref_dur
            gap[k] = float(np.median(np.minimum(after, before) / ref_dur))
    if not np.isfinite(gap).any():
        return int(np.argmax(cov))
    best = np.flatnonzero(gap <= gap.min() + 0.01)
    if len(best) > 1 and nd > 0:
        # threads woken by the same vsync tie: in the slow frames (the first nd rows), a thread looping at its own
        # cadence runs its once-a-frame zones once per period, more than once; the marking thread runs them at most
        # once (not at all when a stall took the whole frame), and so does a pool's worker (none when the frame's
        # jobs went to another worker): the cadence threads are out, coverage picks among the rest
        typ_cnt = np.median(m.count[nd:], axis=0)
        slow_cnt = np.median(m.count[:nd], axis=0)
        runs = np.full(len(best), np.inf)
        for i, k in enumerate(best.tolist()):
            sel = (typ_cnt == 1) & (th == k)
            if sel.any():
                runs[i] = slow_cnt[sel].min()
        if np.isfinite(runs).any():
            best = best[runs <= max(float(runs.min()), 1.0) + 0.5]
    return int(best[np.argmax(cov[best])])
