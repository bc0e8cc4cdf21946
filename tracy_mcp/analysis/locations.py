"""locations: which of the source locations sharing a zone name did it.

Programs instrumented with plain `ZoneScoped` get the compiler's unqualified function name: every class's
`Update` is one name, told apart only by file and line. The analyses group by name; when the name they single out
has several source locations, these helpers say which location made the difference, as "Update (enemy.cpp:14)".
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
DOMINANT = 0.8  # one location made this share of the name's change: it is named
SHARED_SHOWN = 2  # names split by location in a list of hot paths
SHARED_LOCATIONS = 4  # locations shown per name


def locations_of(ctx: Capture, name: str) -> np.ndarray:
    """The source-location rows named `name` that have zones."""
    rows = ctx._srclocs().rows_of(name)
    counts = ctx._cpu().srcloc_stats().count[rows] if len(rows) else np.zeros(0, I64)
    return rows[counts > 0]


def location_label(ctx: Capture, row: int) -> str:
    """'enemy.cpp:14' for a source-location row (the file's base name)."""
    sl = ctx._srclocs()
    return f"{os.path.basename(str(sl.file[row]))}:{int(sl.line[row])}"


def self_per_window(
    ctx: Capture, srcloc_row: int, starts: np.ndarray, ends: np.ndarray, thread_row: int | None = None
) -> np.ndarray:
    """Self time of the zones of one source location (on one thread, when given) that start inside each window
    [starts[i], ends[i]) (the windows sorted and not overlapping, as frames)."""
    t = ctx._cpu()
    rows = t.stat_rows(np.asarray([srcloc_row], I64))
    if thread_row is not None:
        rows = rows[t.owner[rows] == thread_row]
    out = np.zeros(len(starts), np.float64)
    if len(rows) == 0 or len(starts) == 0:
        return out
    st = t.start[rows]
    w = np.searchsorted(starts, st, side="right") - 1
    ok = (w >= 0) & (st < ends[np.clip(w, 0, len(ends) - 1)])
    np.add.at(out, w[ok], t.self_time()[rows][ok].astype(np.float64))
    return out


def grown_location(
    ctx: Capture,
    name: str,
    thread_row: int | None,
    slow: tuple[np.ndarray, np.ndarray],
    typical: tuple[np.ndarray, np.ndarray],
) -> tuple[str, float, np.ndarray] | None:
    """When several source locations share `name`: the one whose self time grew most from the `typical` windows
    (median) to the `slow` ones (mean), if it made most of the name's growth, as (its label, its typical self time,
    its self time in each slow window, in the order given); None otherwise."""
    rows = locations_of(ctx, name)
    if len(rows) < 2 or len(slow[0]) == 0 or len(typical[0]) == 0:
        return None
    order_s, order_t = np.argsort(slow[0], kind="stable"), np.argsort(typical[0], kind="stable")
    found = []
    for r in rows.tolist():
        a = self_per_window(ctx, r, typical[0][order_t], typical[1][order_t], thread_row)
        b = np.empty(len(order_s))
        b[order_s] = self_per_window(ctx, r, slow[0][order_s], slow[1][order_s], thread_row)
        found.append((float(b.mean() - np.median(a)), float(np.median(a)), b))
    g = np.asarray([f[0] for f in found])
    k = int(np.argmax(g))
    if g[k] <= 0 or g[k] < DOMINANT * g[g > 0].sum():
        return None
    return location_label(ctx, int(rows[k])), found[k][1], found[k][2]


def in_scope(
    t: ZoneTree, rows: np.ndarray, threads: np.ndarray | None, start: int | None, end: int | None
) -> np.ndarray:
    """The zone rows of `rows` on those threads (rows of the threads table) that overlap [start, end) (None: any)."""
    if threads is not None:
        rows = rows[np.isin(t.owner[rows], threads)]
    if start is not None:
        rows = rows[t.end[rows] > start]
    if end is not None:
        rows = rows[t.start[rows] < end]
    return rows


def shared_names_line(
    ctx: Capture, names: list[str], threads: np.ndarray | None, start: int | None, end: int | None
) -> str:
    """'Zone names that several source locations share (self time per location): Update: particles.cpp:6 1.02 s,
    enemy.cpp:14 0.25 s, ...' for the first SHARED_SHOWN of `names` with several locations, within a scope (thread
    rows, a window); "" when none has."""
    t = ctx._cpu()
    parts = []
    for name in dict.fromkeys(names):
        rows = locations_of(ctx, name)
        if len(rows) < 2:
            continue
        per = []
        for r in rows.tolist():
            z = in_scope(t, t.stat_rows(np.asarray([r], I64)), threads, start, end)
            own = float(t.self_time()[z].sum())
            if own > 0:
                per.append((own, location_label(ctx, r)))
        if len(per) < 2:
            continue
        per.sort(reverse=True)
        shown = ", ".join(f"{where} {fmt_ns(own)}" for own, where in per[:SHARED_LOCATIONS])
        more = f", {len(per) - SHARED_LOCATIONS} more" if len(per) > SHARED_LOCATIONS else ""
        parts.append(f"{name}: {shown}{more}")
        if len(parts) == SHARED_SHOWN:
            break
    if not parts:
        return ""
    return "Zone names that several source locations share (self time per location): " + "; ".join(parts)
