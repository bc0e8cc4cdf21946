"""gpu_load: what the GPU does in the frames, for captures with GPU zones.

Two questions a CPU-side analysis cannot answer alone:
- Is the frame GPU-bound? Per GPU context, the share of each gameplay frame its top-level zones cover (they run
  one after another on a queue), and the zones taking most of it, beside the CPU's wait for the GPU (a zone
  wait_zones recognises as waiting for the GPU: its runs end right after GPU zones end).
- What did the GPU do in a slow frame? When the frame thread's GPU wait grew in the slow frames, the GPU zones
  that ran during those waits against the same zones' median duration: the one that grew most is the cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.wait_zones import GPU, wait_zones

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

I64 = np.int64
BOUND = 0.95  # a GPU context busy this share of the median frame: the frame is GPU-bound (a queue that limits the
# frame never idles; at 85-92% it idles a few ms a frame waiting for the CPU's submit or for vsync)
NEAR = 0.8  # ...busy this share: close to the limit, and how long it idles is told
SHOWN = 3
GREW = 0.5  # the GPU wait added this share of the slow frames' excess: the GPU made them slow


@attrs.frozen
class GpuLoad:
    context: str
    busy_share: float  # median over the gameplay frames of the share of the frame the context's zones cover
    busy_ns: float  # median busy time per frame
    top: list[tuple[str, float]]  # (zone name, median time per frame) of the context's top-level zones
    wait: str  # the CPU zone waiting for the GPU ("" if none), with its thread
    wait_ns: float  # its median time per frame

    @property
    def bound(self) -> bool:
        return self.busy_share >= BOUND

    def line(self, median_frame: float) -> str:
        zones = ", ".join(f"{n} {fmt_ns(v)}" for n, v in self.top[:SHOWN])
        out = (
            f"GPU '{self.context}' busy {fmt_pct(self.busy_share)} of each gameplay frame (median "
            f"{fmt_ns(self.busy_ns)} of {fmt_ns(median_frame)}); per frame: {zones}"
        )
        if self.bound:
            out = (
                "GPU-bound: "
                + out
                + (f"; the CPU waits for it in {self.wait}, {fmt_ns(self.wait_ns)} per frame" if self.wait else "")
            )
        elif self.wait:
            out += f"; the CPU waits for it in {self.wait}, {fmt_ns(self.wait_ns)} per frame"
        if not self.bound and self.busy_share >= NEAR:
            out += (
                f"; not GPU-bound: it idles {fmt_ns(median_frame - self.busy_ns)} a frame (waiting for the CPU's "
                "work or the display), though it would be the next limit"
            )
        elif not self.bound and not self.wait:
            out += (
                f"; not GPU-bound: it idles {fmt_ns(median_frame - self.busy_ns)} a frame and no CPU zone waits for "
                "it: the CPU's work (or the display) sets the frame"
            )
        return out + "."


@attrs.define(repr=False)
class GpuReport(Report):
    """Result of ``ctx.gpu_report()``. `table`: one row per GPU context with zones in the gameplay frames (context,
    busy_share, busy_ns: median per frame, bound, wait: the CPU zone waiting for the GPU, wait_ns); `tables["zones"]`:
    per context and top-level zone name its median time per frame."""

    bound: bool = False


def gpu_report(ctx: Capture, frame_set: str | None = None) -> GpuReport:
    """Per GPU context, how much of each gameplay frame it is busy (the union of its top-level zones inside the
    frame), its zones' time per frame, and the CPU zone that waits for the GPU; "GPU-bound" when a context is busy
    at least 95% of the median frame. frame_set: a frame set name (default the base set)."""
    ph = frame_phases(ctx, frame_set)
    load = gpu_load(ctx, ph) if ph is not None else []
    rep = GpuReport(title="gpu_report: none recorded (no GPU zones in gameplay frames).")
    rep.table = frame(
        {
            "context": np.asarray([x.context for x in load], object),
            "busy_share": np.asarray([x.busy_share for x in load]),
            "busy_ns": np.asarray([x.busy_ns for x in load]),
            "bound": np.asarray([x.bound for x in load], bool),
            "wait": np.asarray([x.wait for x in load], object),
            "wait_ns": np.asarray([x.wait_ns for x in load]),
        }
    )
    rows = [(x.context, n, v) for x in load for n, v in x.top]
    rep.tables["zones"] = frame(
        {
            "context": np.asarray([r[0] for r in rows], object),
            "name": np.asarray([r[1] for r in rows], object),
            "per_frame_ns": np.asarray([r[2] for r in rows]),
        }
    )
    if load and ph is not None:
        rep.bound = load[0].bound
        rep.title = load[0].line(ph.median_ns)
        rep.lines = [x.line(ph.median_ns) for x in load[1:]]
    return rep


def gpu_load(ctx: Capture, ph: FramePhases) -> list[GpuLoad]:
    """Per GPU context with zones in the gameplay frames, busiest first (see the module doc)."""
    g = ctx._gpu()
    gp = ph.gameplay
    if g.n == 0 or len(gp) == 0:
        return []
    fs, fe = ph.start[gp].astype(I64), ph.end[gp].astype(I64)
    names = ctx._srclocs().names
    name_idx = ctx._srclocs().name_idx
    contexts = ctx.get_gpu_contexts()
    waits = _gpu_waits(ctx, ph)
    out = []
    for c in range(len(contexts)):
        rows = np.flatnonzero((g.owner == c) & (g.depth == 0) & g.valid)
        if len(rows) == 0:
            continue
        rows = rows[np.argsort(g.start[rows], kind="stable")]
        s, e = g.start[rows].astype(I64), g.end[rows].astype(I64)
        used, group = np.unique(name_idx[g.srcloc[rows]], return_inverse=True)
        per = _per_frame(s, e, fs, fe, group, len(used))  # [frame, zone name]: its time inside each frame
        busy = per.sum(axis=1)
        share = float(np.median(busy / np.maximum(fe - fs, 1)))
        top = sorted(
            ((names[int(k)], float(np.median(per[:, j]))) for j, k in enumerate(used.tolist())), key=lambda x: -x[1]
        )
        out.append(
            GpuLoad(
                context=contexts[c].name or f"GPU context {c}",
                busy_share=share,
                busy_ns=float(np.median(busy)),
                top=top,
                wait=waits[0][0] if waits else "",
                wait_ns=waits[0][1] if waits else 0.0,
            )
        )
    out.sort(key=lambda x: -x.busy_share)
    # the CPU's wait is told with the busiest queue only: the one it waits for when the frame is GPU-bound
    return out[:1] + [attrs.evolve(x, wait="", wait_ns=0.0) for x in out[1:]]


def _per_frame(
    s: np.ndarray, e: np.ndarray, fs: np.ndarray, fe: np.ndarray, group: np.ndarray | None = None, groups: int = 1
) -> np.ndarray:
    """[frame, group] time of the intervals [s, e) inside the frames [fs, fe) (frames sorted, apart), summed per
    `group` of the intervals (one group when None). Each interval is visited once per frame it overlaps."""
    out = np.zeros((len(fs), groups))
    if len(s) == 0 or len(fs) == 0:
        return out
    grp = np.zeros(len(s), np.intp) if group is None else np.asarray(group, np.intp)
    first = np.searchsorted(fe, s, "right")  # the first frame ending after the interval starts
    last = np.searchsorted(fs, e, "left") - 1  # the last frame starting before it ends
    for d in range(int(np.max(last - first, initial=-1)) + 1):  # intervals overlap one or two frames, seldom more
        f = first + d
        k = np.flatnonzero(f <= last)
        if len(k) == 0:
            break
        f = f[k]
        np.add.at(out, (f, grp[k]), np.maximum(np.minimum(e[k], fe[f]) - np.maximum(s[k], fs[f]), 0))
    return out


def _gpu_waits(ctx: Capture, ph: FramePhases) -> list[tuple[str, float]]:
    """("name (thread)", median time per gameplay frame) of the zones that wait for the GPU, most first."""
    win = ph.window()
    if win is None:
        return []
    t = ctx._cpu()
    names = ctx._srclocs().names
    labels = ctx._thread_labels()
    gp = ph.gameplay
    out = []
    for w in wait_zones(ctx, *win, ph):
        if w.kind != GPU:
            continue
        rows = t.stat_rows(ctx._srclocs().rows_of(names[w.name_idx]))
        rows = rows[(t.owner[rows] == w.thread_row) & t.valid[rows]]
        per = _per_frame(
            t.start[rows].astype(I64), t.end[rows].astype(I64), ph.start[gp].astype(I64), ph.end[gp].astype(I64)
        )[:, 0]
        out.append((f"{names[w.name_idx]} ({labels[w.thread_row]})", float(np.median(per))))
    return sorted(out, key=lambda x: -x[1])


@attrs.frozen
class GpuCause:
    name: str  # the GPU zone that grew most during the slow frames' waits
    context: str
    slow: tuple[float, float]  # its duration there (min, max)
    typical_ns: float  # its median duration over the capture
    wait: str  # the CPU zone that waited for it, with its thread
    added_ns: float  # mean growth of that wait per slow frame
    share: float  # of the slow frames' excess over the median frame
    child: str = ""  # the GPU zone inside it that grew most, if it has children
    child_slow: tuple[float, float] = (0.0, 0.0)
    child_typical_ns: float = 0.0


def gpu_cause(ctx: Capture, ph: FramePhases, slow: np.ndarray, typical: np.ndarray) -> GpuCause | None:
    """When the frame thread's wait for the GPU grew by most of the slow frames' excess: the GPU zone that grew
    most in those waits (see the module doc); None otherwise."""
    g = ctx._gpu()
    win = ph.window()
    if g.n == 0 or win is None or len(slow) == 0 or len(typical) == 0:
        return None
    t = ctx._cpu()
    names = ctx._srclocs().names
    gw = [w for w in wait_zones(ctx, *win, ph) if w.kind == GPU]
    if not gw:
        return None
    w = gw[0]
    rows = t.stat_rows(ctx._srclocs().rows_of(names[w.name_idx]))
    rows = rows[(t.owner[rows] == w.thread_row) & t.valid[rows]]
    rows = rows[np.argsort(t.start[rows], kind="stable")]
    ws, we = t.start[rows].astype(I64), t.end[rows].astype(I64)

    def waited(frames: np.ndarray) -> np.ndarray:
        return _per_frame(ws, we, ph.start[frames].astype(I64), ph.end[frames].astype(I64))[:, 0]

    added = float(np.mean(waited(slow)) - np.median(waited(typical)))
    excess = float(np.mean(ph.dur[slow]) - ph.median_ns)
    if excess <= 0 or added < GREW * excess:
        return None
    # the GPU zones running during the slow frames' waits, against each name's median duration
    top = np.flatnonzero(g.valid & (g.depth == 0))
    gs, ge = g.start[top].astype(I64), g.end[top].astype(I64)
    idx = ctx._srclocs().name_idx[g.srcloc[top]]
    med = {k: float(np.median(ge[idx == k] - gs[idx == k])) for k in np.unique(idx).tolist()}
    grew: dict[int, list[float]] = {}
    runs: dict[int, list[int]] = {}  # the GPU zone rows behind each name's growth
    for f in slow.tolist():
        inside = (ws < ph.end[f]) & (we > ph.start[f])
        for a, b in zip(ws[inside].tolist(), we[inside].tolist(), strict=True):
            for z in np.flatnonzero((gs < b) & (ge > a)).tolist():
                grew.setdefault(int(idx[z]), []).append(float(ge[z] - gs[z]))
                runs.setdefault(int(idx[z]), []).append(int(top[z]))
    if not grew:
        return None
    best = max(grew, key=lambda k: max(grew[k]) - med[k])
    if max(grew[best]) - med[best] <= 0:
        return None
    ctxs = ctx.get_gpu_contexts()
    owner = int(g.owner[top][idx == best][0])
    child = _grown_child(ctx, np.asarray(runs[best], I64))
    return GpuCause(
        name=names[best],
        context=ctxs[owner].name if owner < len(ctxs) else "",
        slow=(min(grew[best]), max(grew[best])),
        typical_ns=med[best],
        wait=f"{names[w.name_idx]} ({ctx._thread_labels()[w.thread_row]})",
        added_ns=added,
        share=added / excess,
        child=child[0],
        child_slow=child[1],
        child_typical_ns=child[2],
    )


def _grown_child(ctx: Capture, parents: np.ndarray) -> tuple[str, tuple[float, float], float]:
    """(name, its durations in `parents` (min, max), its median duration over the capture) of the direct child
    GPU zone that grew most inside the GPU zones `parents`; ("", (0, 0), 0) without children."""
    g = ctx._gpu()
    kids = np.flatnonzero(np.isin(g.parent, parents) & g.valid)
    if len(kids) == 0:
        return "", (0.0, 0.0), 0.0
    sl = ctx._srclocs()
    idx = sl.name_idx[g.srcloc[kids]]
    best, gain, out = -1, 0.0, (0.0, 0.0, 0.0)
    for k in np.unique(idx).tolist():
        every = np.flatnonzero(g.valid & (sl.name_idx[g.srcloc] == k))
        med = float(np.median(g.dur[every]))
        d = g.dur[kids[idx == k]].astype(np.float64)
        if float(d.max()) - med > gain:
            best, gain, out = k, float(d.max()) - med, (float(d.min()), float(d.max()), med)
    if best < 0:
        return "", (0.0, 0.0), 0.0
    return sl.names[best], (out[0], out[1]), out[2]
