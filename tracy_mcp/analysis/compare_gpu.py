"""The GPU side of a comparison of two runs: GPU zones (passes on a queue) compared per name like the CPU's zones,
and how busy each GPU context is per frame. A frame that got slower on the GPU shows on the CPU only as a longer
wait for the GPU; this names the pass that grew, and says when the CPU zone that grew most is that wait."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.gpu_load import gpu_load
from tracy_mcp.analysis.rank_test import mann_whitney

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

MIN_CALLS = 5  # GPU zones run fewer times on a side are not tested
SHOWN = 4
WAIT_SHARE = 0.5  # a CPU zone that grew by this share of the GPU's added busy time per frame waits for it
OWN = 0.9  # ...and is this share its own time (no zones inside: it only waits)


@attrs.frozen
class GpuZoneMove:
    name: str
    count_a: int
    count_b: int
    mean_a: float
    mean_b: float
    ratio: float
    per_frame_ns: float  # added GPU time per frame (B's total per B frame minus A's per A frame)


@attrs.frozen
class GpuChange:
    moves: list[GpuZoneMove]  # regressed first (most added per frame), then improved
    context: str  # the busiest context in B
    busy_a: float  # its share of each frame busy, A and B (NaN when a side has none)
    busy_b: float
    bound_b: bool

    def regressed(self) -> list[GpuZoneMove]:
        return [m for m in self.moves if m.ratio > 1]


def gpu_change(a: Capture, b: Capture, alpha: float, min_change: float) -> GpuChange | None:
    """GPU zones that moved beyond noise between the runs (per-call time, rank test), with the busiest context's
    load in each; None when either run has no GPU zones or frames."""
    if not (a._db.rows("gpu_zones") and b._db.rows("gpu_zones")):
        return None
    pa, pb = frame_phases(a), frame_phases(b)
    if pa is None or pb is None or not len(pa.gameplay) or not len(pb.gameplay):
        return None
    da, db = _durations(a), _durations(b)
    fa, fb = len(pa.gameplay), len(pb.gameplay)
    moves = []
    for name in sorted(set(da) & set(db)):
        x, y = da[name], db[name]
        if len(x) < MIN_CALLS or len(y) < MIN_CALLS:
            continue
        ratio = float(y.mean()) / max(float(x.mean()), 1.0)
        med = float(np.median(y)) / max(float(np.median(x)), 1.0)
        p = mann_whitney(x, y)[0]
        if p >= alpha or not (
            (ratio >= 1 + min_change and med >= 1 + min_change)
            or (ratio <= 1 / (1 + min_change) and med <= 1 / (1 + min_change))
        ):
            continue
        moves.append(
            GpuZoneMove(name, len(x), len(y), float(x.mean()), float(y.mean()), ratio, y.sum() / fb - x.sum() / fa)
        )
    if not moves:
        return None
    moves.sort(key=lambda m: (m.ratio < 1, -abs(m.per_frame_ns)))
    la, lb = gpu_load(a, pa), gpu_load(b, pb)
    if not lb:
        return None
    top = lb[0]
    same = next((x for x in la if x.context == top.context), None)
    return GpuChange(moves, top.context, same.busy_share if same else float("nan"), top.busy_share, top.bound)


def _durations(ctx: Capture) -> dict[str, np.ndarray]:
    g, sl = ctx._gpu(), ctx._srclocs()
    ok = np.flatnonzero(g.valid)
    names = sl.name_idx[np.clip(g.srcloc[ok], 0, len(sl) - 1)]
    order = np.argsort(names, kind="stable")
    names, dur = names[order], g.dur[ok][order]
    cut = np.flatnonzero(np.diff(names)) + 1
    return {
        str(sl.names[int(k[0])]): d.astype(np.float64)
        for k, d in zip(np.split(names, cut), np.split(dur, cut), strict=True)
        if len(k)
    }


def _words(m: GpuZoneMove) -> str:
    return (
        f"{m.name} {m.ratio:.2f}x per call ({fmt_ns(m.mean_a)} -> {fmt_ns(m.mean_b)}), "
        f"{'+' if m.per_frame_ns >= 0 else '-'}{fmt_ns(abs(m.per_frame_ns))} per frame"
    )


def gpu_lines(ch: GpuChange) -> list[str]:
    busy = (
        f"'{ch.context}' busy {fmt_pct(ch.busy_a)} -> {fmt_pct(ch.busy_b)} of each gameplay frame"
        + (" (GPU-bound in B)" if ch.bound_b else "")
        if np.isfinite(ch.busy_a)
        else f"'{ch.context}' busy {fmt_pct(ch.busy_b)} of each gameplay frame in B"
    )
    return [f"GPU zones (time on the GPU; {busy}): " + "; ".join(_words(m) for m in ch.moves[:SHOWN])]


def gpu_title(ch: GpuChange, cpu_top: dict[str, Any] | None, b: Capture) -> tuple[str, bool]:
    """(a clause naming the GPU pass that grew most, whether the CPU's top regression is only the wait for it)."""
    reg = ch.regressed()
    if not reg:
        return "", False
    m = reg[0]
    load = f"'{ch.context}' busy {fmt_pct(ch.busy_a)} -> {fmt_pct(ch.busy_b)} of each frame" + (
        ", GPU-bound in B" if ch.bound_b else ""
    )
    waits = False
    if cpu_top is not None:
        added = float(cpu_top["total_b_ns"]) - float(cpu_top["total_a_ns"])
        own = float(cpu_top["self_b_ns"]) / max(float(cpu_top["total_b_ns"]), 1.0)
        ph = frame_phases(b)
        frames = max(len(ph.gameplay), 1) if ph is not None else 1
        waits = own >= OWN and added / frames >= WAIT_SHARE * max(sum(x.per_frame_ns for x in reg), 1.0)
    said = f"on the GPU, {_words(m)} ({load})"
    if waits and cpu_top is not None:
        said += (
            f"; the CPU waits for it in {cpu_top['name']} ({fmt_ns(cpu_top['mean_a_ns'])} -> "
            f"{fmt_ns(cpu_top['mean_b_ns'])} per call), a wait, not CPU work"
        )
    return said, waits
