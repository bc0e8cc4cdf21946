"""One thread's time, for "where does this thread spend its time?": thread_report(thread=...) puts this first. Its
share of the window inside zones and outside every zone (idle, or code without zones), its zones by own time
(those recognised as waits said so), and its lock waits with the zone they happen in and who held the lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.lock_contention import lock_waits_in_windows

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.wait_zones import WaitZone

SHOWN = 5  # zones named in the title


def focus(
    ctx: Capture,
    row: dict[str, Any],
    top_rows: list[dict[str, Any]],
    waits: list[WaitZone],
    lo: int,
    hi: int,
    what: str,
) -> tuple[str, list[str]]:
    """(title, lines) for one thread's row of thread_report's table and its top zones (`top_rows`)."""
    span = max(hi - lo, 1)
    k = int(row["thread_id"])
    sl = ctx._srclocs()
    kinds = {str(sl.names[w.name_idx]): w.kind for w in waits if w.thread_row == k}
    mine = sorted((r for r in top_rows if r["thread_id"] == k), key=lambda r: -r["self_ns"])
    locks = [w for w in lock_waits_in_windows(ctx, k, np.asarray([lo]), np.asarray([hi])) if w.wait_ns[0] > 0]
    in_zone: dict[str, int] = {}
    for w in locks:
        in_zone[w.zone] = in_zone.get(w.zone, 0) + int(w.wait_ns[0])

    def part(r: dict[str, Any]) -> str:
        name, own = str(r["name"]), int(r["self_ns"])
        text = (
            f"{name} {fmt_pct(own / span)} ({fmt_ns(own)}, {r['count']} runs, mean {fmt_ns(own / max(r['count'], 1))})"
        )
        if name in kinds:
            text += f", {kinds[name]}"
        lw = in_zone.get(name, 0)
        if lw >= 0.5 * own:
            text += f", {fmt_pct(min(lw / own, 1.0))} of it waiting for locks"
        return text

    busy = int(row["busy_ns"])
    title = (
        f"{row['thread']} over {what} ({fmt_ns(span)}): inside zones {fmt_pct(busy / span)} of the time, outside "
        f"every zone {fmt_pct(max(span - busy, 0) / span)} (idle, or code without zones); by own time: "
        + "; ".join(part(r) for r in mine[:SHOWN])
    )
    lines: list[str] = []
    if locks:
        total = sum(int(w.wait_ns[0]) for w in locks)
        lead = locks[0]
        title += (
            f"; waiting for locks {fmt_pct(total / span)} ({fmt_ns(total)}), most for {lead.lock} in {lead.zone}"
            + (f", held meanwhile by {lead.holder}" if lead.holder else "")
            + (f" in {lead.holder_zone}" if lead.holder and lead.holder_zone else "")
        )
        lines.extend(
            f"  {row['thread']} waits for {w.lock}: {fmt_ns(int(w.wait_ns[0]))} ({fmt_pct(int(w.wait_ns[0]) / span)})"
            f" in {w.zone}" + (f", held meanwhile by {w.holder} in {w.holder_zone}" if w.holder else "")
            for w in locks
        )
    if row.get("running_ns", -1) >= 0:
        title += f"; on a CPU {fmt_pct(row['running_ns'] / span)} (context switches)"
    rest = [part(r) for r in mine[SHOWN:10]]
    if rest:
        lines.insert(0, f"  then: {'; '.join(rest)}")
    return title + ".", lines
