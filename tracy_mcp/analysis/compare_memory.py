"""Peak memory from A to B: "B uses 60 MB more at its peak" is a question about live bytes at the peak, which neither
the zone timings nor the totals allocated answer (B can allocate less and hold more). Per pool (Tracy's named
pools: an arena, a particle pool, audio banks) and in all, with the allocating zone of the pool that moved most."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_bytes
from tracy_mcp.analysis.memory_report import live_curve, memory_report

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

PEAK_MOVED = 0.2  # the peak of live bytes moved by this share of A's...
PEAK_MIN_BYTES = 4 << 20  # ...and by this many bytes at least
SHOWN = 4


def _peaks(ctx: Capture) -> tuple[int, dict[str, int]]:
    """(peak live bytes of all pools together, {pool: its own peak})."""
    db = ctx._db
    names = ctx._pool_names()
    pool = db.col("mem_events", "pool").astype(np.int64)
    size = db.col("mem_events", "size").astype(np.int64)
    t_alloc = db.col("mem_events", "time_alloc").astype(np.int64)
    t_free = db.col("mem_events", "time_free").astype(np.int64)
    every = live_curve(t_alloc, t_free, size).live
    out = {}
    for p, name in enumerate(names):
        sel = pool == p
        if sel.any():
            live = live_curve(t_alloc[sel], t_free[sel], size[sel]).live
            out[name] = int(live.max()) if len(live) else 0
    return (int(every.max()) if len(every) else 0), out


def peak_change(a: Capture, b: Capture) -> tuple[str, str]:
    """(title words, evidence line) when the peak of live bytes moved by PEAK_MOVED and PEAK_MIN_BYTES: 'peak
    memory 84.44 MiB -> 144.3 MiB (+59.87 MiB): pool Audio 30.00 MiB -> 90.00 MiB at its peak, allocated in
    Audio::DecodeBank (AudioThread)'; ("", "") otherwise or without memory events on both sides."""
    if not (a._db.rows("mem_events") and b._db.rows("mem_events")):
        return "", ""
    (ta, pa), (tb, pb) = _peaks(a), _peaks(b)
    if abs(tb - ta) < max(PEAK_MIN_BYTES, PEAK_MOVED * ta):
        return "", ""
    pools = sorted(set(pa) | set(pb), key=lambda p: (-abs(pb.get(p, 0) - pa.get(p, 0)), p))
    top = pools[0]
    where = ""
    side = b if pb.get(top, 0) >= pa.get(top, 0) else a
    if top in side._pool_names():
        sites = memory_report(side, pool=top).table
        if len(sites):
            row = sites.sort_values("bytes", ascending=False).iloc[0]
            where = f", allocated in {row['name']} ({row['thread']})"
    d = tb - ta
    words = (
        f"peak memory {fmt_bytes(ta)} -> {fmt_bytes(tb)} ({'+' if d >= 0 else '-'}{fmt_bytes(abs(d))}): "
        + (f"pool {top} " if len(pools) > 1 or top != "(default)" else "")
        + f"{fmt_bytes(pa.get(top, 0))} -> {fmt_bytes(pb.get(top, 0))} at its peak{where}"
    )
    line = "Peak live memory per pool (A -> B): " + "; ".join(
        f"{p} {fmt_bytes(pa.get(p, 0))} -> {fmt_bytes(pb.get(p, 0))}" for p in pools[:SHOWN]
    )
    return words, line
