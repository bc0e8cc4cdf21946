"""ctx.memory_report(): where memory goes — per pool totals and peak, allocations never freed (leak suspects)
grouped by the code that made them, the run-up to the peak, and allocation churn per frame.

Each allocation is attributed to its site: pool, allocating thread, and the call path of the innermost zone open on
that thread when it was made (ctx.zone_at, which looks through fibers); allocations made outside any zone form the
site "(no zone)". Frees may happen on other threads; they only end an allocation's life.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.callstacks import call_site, common_wrapper
from tracy_mcp.analysis.formatting import clip_text, fmt_ns, fmt_pct, name_list, pool_of
from tracy_mcp.analysis.formatting import fmt_bytes as _size  # one rule for sizes
from tracy_mcp.analysis.frame_phases import frame_phases, markless
from tracy_mcp.analysis.grouping import group_ids, unique_counts
from tracy_mcp.analysis.program_messages import logged_in_each, one_off_before
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.zone_at import innermost, resolve_threads, rows_of_tids
from tracy_mcp.analysis.zone_paths import leaf, path_groups
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
DEFAULT_POOL = "(default)"
NO_ZONE = "(no zone)"
PEAK_WINDOW = 0.95  # the window around the peak: live >= 95% of it
HELD_FRAMES = 10  # large blocks living this many median frames or more are held (they pile up), not a frame's scratch
RUNUP_FROM = 0.75  # a run-up is worth naming when the peak rose from at most 75% of it
BYTES_LEAD = 10  # a site making this many times the busiest site's bytes, every frame, is named in the title
UNNAMED = "(unnamed threads)"  # the pool of threads without a name of their own (a thread per task)
STEADY_SPREAD = 0.25  # never-freed allocations spread over >= 25% of the capture: a steady leak, not start-up state
# a site whose never-freed allocations spread like a steady leak's is bounded (a cache at its cap, evicting its
# oldest) instead when under BOUNDED_EARLY of them come from the first half of its allocations: a leak keeps them all
BOUNDED_EARLY = 0.1
STOPPED = 0.4  # no never-freed block in this last share of the capture...
FILLED_EARLY = 0.6  # ...and this share of them in the first quarter of their own span: filled once, then stopped
BURST_GAP = 0.08  # leaked blocks further apart than this share of the capture: separate bursts
BURST_TIME = 0.3  # ...which together cover at most this share of the stretch from the first to the last
BURST_MIN = 3
PLATEAU = 1.15  # a site's live bytes within 15% from its first free on: it stays at a cap
LOGGED_NEAR = 1_000_000  # ns: a message this close to a leaked allocation on its thread tells what it was for
SIZES_SHOWN = 6  # a site's most common sizes listed...
SIZES_COVER = 0.8  # ...when they cover this share of its allocations
FREE_SAMPLE = 20_000  # frees looked up for the zones they happen in
MIN_RUNS = 10  # a zone run fewer times than this is not named as freeing nothing
AT_EXIT = 0.01  # frees in this last share of the capture (at least AT_EXIT_MIN_NS) are frees at exit...
AT_EXIT_MIN_NS = 20_000_000
AT_EXIT_SHARE = 0.5  # ...worth telling when they free this share of what was live just before,
AT_EXIT_COUNT = 10  # at least this many allocations,
AT_EXIT_AGE = 0.1  # held a median of at least this share of the capture
CREEP = 0.05  # live memory rising every tenth after a plateau, by this share in all: still growing (a leak)
PEAK_SHARE = 0.1  # sites holding at least 10% of the peak are named in "at the peak"
SITE_DEPTH = 4  # program frames naming a call site (allocator wrapper, caller, its callers)
WRAPPER_SAMPLE = 200  # the most used allocation callstacks looked at to find an allocation wrapper
CALL_SITE_SHARE = 0.5  # a call site making this share of the busiest zone's allocations is named in the title
LEAK_FUNCTION_SHARE = 0.9  # share of a leak one call path must have made to be named instead of its zone
LEAK_PATH_LEAKING = 0.8  # ... and the share of that path's own allocations that leak (its other callers free)
MAX_LEAK_CALLSTACKS = 5000  # distinct callstacks of a leaking zone looked at
GROWTH_MIN = 30  # blocks held until exit that make a site's steady growth...
GROWTH_SHARE = 0.05  # ...holding at least this share of what was live before exit...
GROWTH_PARTS = 4  # ...made in every quarter of their span (at least a third of an even share each)
LOOP_RUNS = 10  # a loop of a thread's own run at least this often gets its rate of allocations per run...
LOOP_RATE = 0.1  # ...when its run count differs from the gameplay frames' by more than this share
BURST_GAP_NS = 1_000_000  # frees on one thread this close together are one release...
RELEASE = 0.5  # ...named when it gives back this share of live memory's swing (peak - lowest after start-up)
RELEASE_AGE_NS = 100_000_000  # ...of blocks held a median of this long at least (younger: churn)
RUNUP_LOGGED_NS = 100_000_000  # a one-off message this long before a run-up began still belongs to it
CHAIN_MIN = 4  # a run of a zone allocating at least this many blocks, each about 2x the last...
CHAIN_SHARE = 0.8  # ...in this share of its runs: a buffer grown without a reserve
DOUBLING_MIN = 5  # a site's successive blocks, this many at least, each 1.4-2.1x the last and freed once the next
DOUBLING_PEAK = 0.1  # ...exists, the last this share of the peak and live until exit: one buffer grown all run
FLOOR_AFTER = 0.1  # a peak over a level held all run rises from the lowest level after this share of the run...
RISE_MIN = 0.01  # ...when it rose from there by at least this share of the peak


@attrs.define(repr=False)
class MemoryReport(Report):
    """`table`: one row per allocation site (pool, thread, zone path); `tables["pools"]`: per pool;
    `tables["leaks"]`: never-freed allocations per site (and `tables["leak_callstacks"]` when callstacks exist);
    `tables["peak_growth"]`: what allocated the memory live at the peak during its run-up."""


@attrs.define
class _Events:
    pool: np.ndarray  # index into pool names
    size: np.ndarray
    t_alloc: np.ndarray
    t_free: np.ndarray  # -1: never freed
    thread: np.ndarray  # row of `threads` that allocated (-1 unknown)
    free_thread: np.ndarray
    callstack: np.ndarray
    zone: np.ndarray  # innermost zone open at allocation (-1 none)


def memory_report(
    ctx: Capture,
    pool: str | None = None,
    *,
    thread: Any = None,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> MemoryReport:
    """Where memory goes: per pool allocations, frees, bytes, peak live bytes (when, the window >= 95% of it and
    how long within it memory is that high, what allocated during its run-up); allocations never freed by site
    (zone path active at allocation on the allocating thread; by callstack when recorded); allocations per frame
    and median size per site. Restrict to one `pool` (name, "(default)" for the unnamed one), an allocating
    `thread`, or allocations made in [start_ns, end_ns)."""
    db = ctx._db
    pools = ctx._pool_names()
    if db.rows("mem_events") == 0 or not pools:
        return _empty("Memory: none recorded (this capture has no memory events).")
    if pool is not None and pool not in pools:
        raise NotFoundError(f"no memory pool named {pool!r} (pools: {', '.join(pools)})")
    ev = _events(ctx, pools, pool, thread, start_ns, end_ns)
    if len(ev.size) == 0:
        return _empty("Memory: no allocations match (pool / thread / time range).")
    span = max(int(ctx.get_last_time()) - int(ctx.get_first_time()), 1)
    pid, paths = path_groups(ctx, ev.zone)
    paths = [*paths, NO_ZONE]
    pid = np.where(pid >= 0, pid, len(paths) - 1)
    # site = (pool, allocating thread, zone path), as one integer key; threads of one name are one thread here (a
    # loader spawned anew for each level leaks as one site, not as one short burst per thread)
    nthreads = len(ctx._thread_tids()) + 1
    key = (ev.pool * nthreads + (_by_name(ctx, ev.thread) + 1)) * len(paths) + pid
    site_keys, site = group_ids(key)
    nsite = len(site_keys)
    s_pool = site_keys // (nthreads * len(paths))
    s_thread = (site_keys // len(paths)) % nthreads - 1
    s_path = site_keys % len(paths)
    frames = _frame_starts(ctx)
    sites = _site_table(ctx, ev, site, nsite, s_pool, s_thread, s_path, pools, paths, frames)
    # rank sites by allocation count; `site` then indexes the ranked table
    order = np.argsort(-sites["allocs"], kind="stable")
    rank = np.empty(nsite, I64)
    rank[order] = np.arange(nsite)
    sites = {k: v[order] for k, v in sites.items()}
    sites["id"] = np.arange(nsite)
    site = rank[site]
    ngame = _gameplay_rate(ctx, ev.t_alloc, site, sites, start_ns, end_ns)
    pool_rows, live = _pool_table(ev, pools, frames)
    leaks = _leaks(sites, span, ev, site)
    leak_cs = _leak_callstacks(ctx, ev)
    growth, runup = _peak_growth(ev, site, sites, live)
    if runup and runup["start_bytes"] > RUNUP_FROM * runup["peak_bytes"]:  # a block held all run: from its floor
        growth, runup = _peak_growth(ev, site, sites, live, from_floor=True)
        if runup and runup["peak_bytes"] - runup["start_bytes"] < RISE_MIN * runup["peak_bytes"]:
            growth, runup = _no_growth(), {}
    title, lines = _summary(ctx, ev, site, sites, pool_rows, leaks, leak_cs, growth, runup, frames, ngame)
    over_time = _over_time(live)
    if over_time:
        at = next((k for k, x in enumerate(lines) if x.startswith("Peak:")), len(lines) - 1)
        lines.insert(at + 1, over_time)
        release = _largest_release(ctx, ev, site, sites, live)
        if release:
            lines.insert(at + 2, release)
    rep = MemoryReport(title=title, lines=lines, table=frame(sites))
    rep.tables.update(
        pools=frame(pool_rows), leaks=frame(leaks), leak_callstacks=frame(leak_cs), peak_growth=frame(growth)
    )
    return rep


def _empty(title: str) -> MemoryReport:
    rep = MemoryReport(title=title, table=frame({k: np.zeros(0) for k in _SITE_COLS}))
    for name in ("pools", "leaks", "leak_callstacks", "peak_growth"):
        rep.tables[name] = frame({})
    return rep


# -- inputs -----------------------------------------------------------------------------------------------------------
def _events(ctx: Capture, pools: list[str], pool: str | None, thread: Any, lo: int | None, hi: int | None) -> _Events:
    db = ctx._db
    pcol = db.col("mem_events", "pool").astype(I64)
    ta = db.col("mem_events", "time_alloc").astype(I64, copy=False)
    rows = _thread_rows(ctx, "alloc")
    keep = (pcol >= 0) & (pcol < len(pools))  # an event of no known pool (damaged data) has no site
    if pool is not None:
        keep &= pcol == pools.index(pool)
    if lo is not None:
        keep &= ta >= int(lo)
    if hi is not None:
        keep &= ta < int(hi)
    if thread is not None:
        keep &= np.isin(rows, resolve_threads(ctx, thread))
    sel: Any = slice(None) if keep.all() else np.flatnonzero(keep)  # no copies when everything is kept

    def col(name: str) -> np.ndarray:
        return db.col("mem_events", name)[sel].astype(I64, copy=False)

    rows = rows[sel]
    ta = ta[sel]
    zone = _zones_at(ctx, ta, rows)
    return _Events(
        pool=pcol[sel],
        size=col("size"),
        t_alloc=ta,
        t_free=col("time_free"),
        thread=rows,
        free_thread=_thread_rows(ctx, "free")[sel],
        callstack=col("cs_alloc") if db.has("mem_events", "cs_alloc") else np.zeros(len(rows), I64),
        zone=zone,
    )


def allocations_by_zone(ctx: Capture) -> dict[str, int]:
    """Allocations per zone name (the innermost zone open on the allocating thread; NO_ZONE outside every zone),
    over all pools. Once per capture."""

    def build() -> dict[str, int]:
        db = ctx._db
        if not db.rows("mem_events"):
            return {}
        ta = db.col("mem_events", "time_alloc").astype(I64, copy=False)
        zone = _zones_at(ctx, ta, _thread_rows(ctx, "alloc"))
        inside = zone >= 0
        codes, counts = unique_counts(ctx._cpu().srcloc[zone[inside]])
        names = ctx._srclocs().name
        out: dict[str, int] = {}
        for c, n in zip(codes.tolist(), counts.tolist(), strict=True):
            out[str(names[int(c)])] = out.get(str(names[int(c)]), 0) + int(n)
        if not inside.all():
            out[NO_ZONE] = int((~inside).sum())
        return out

    return ctx._db.cached("allocations_by_zone", build)


def bytes_allocated_during(ctx: Capture, rows: np.ndarray) -> np.ndarray:
    """Per zone row: the bytes its thread allocated while it ran (in it or its children), over all pools."""
    out = np.zeros(len(rows), np.float64)
    db = ctx._db
    if not db.rows("mem_events") or not len(rows):
        return out
    t = ctx._cpu()
    ta = db.col("mem_events", "time_alloc").astype(I64, copy=False)
    size = db.col("mem_events", "size").astype(np.float64)
    owner = _thread_rows(ctx, "alloc")
    for th in np.unique(t.owner[rows]).tolist():
        mine = np.flatnonzero(owner == th)
        if not len(mine):
            continue
        order = mine[np.argsort(ta[mine], kind="stable")]
        times, total = ta[order], np.r_[0.0, np.cumsum(size[order])]
        at = np.flatnonzero(t.owner[rows] == th)
        lo = np.searchsorted(times, t.start[rows[at]], "left")
        hi = np.searchsorted(times, t.end[rows[at]], "left")
        out[at] = total[hi] - total[lo]
    return out


def _by_name(ctx: Capture, rows: np.ndarray) -> np.ndarray:
    """Each thread row mapped to the first row of the threads that share its name (-1 stays -1)."""
    known = np.unique(rows[rows >= 0])
    if not len(known):
        return rows
    names = [ctx.get_thread_name(int(t)) for t in ctx._tid_of_rows(known).tolist()]
    first: dict[str, int] = {}
    canon = np.asarray([first.setdefault(n, int(r)) for n, r in zip(names, known.tolist(), strict=True)], I64)
    out = rows.copy()
    out[rows >= 0] = canon[np.searchsorted(known, rows[rows >= 0])]
    return out


def _zones_at(ctx: Capture, times: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The innermost zone open at each time on each thread row (-1 for none or an unknown thread)."""
    zone = np.full(len(rows), -1, I64)
    known = rows >= 0
    zone[known] = innermost(ctx, times[known], rows[known])
    return zone


def _thread_rows(ctx: Capture, which: str) -> np.ndarray:
    """Row of `threads` of each event's allocating / freeing thread (-1 unknown). Events store a small compressed
    thread index: map that table once instead of every event's OS thread id."""
    db = ctx._db
    col = f"thread_{which}"
    if db.has("mem_events", col) and db.has("thread_compress", "tid"):
        index = db.col("mem_events", col).astype(I64)
        table = np.append(rows_of_tids(ctx, db.col("thread_compress", "tid")), -1)
        return table[np.where((index >= 0) & (index < len(table) - 1), index, len(table) - 1)]
    return rows_of_tids(ctx, ctx._mem_tids(which))


def _frame_starts(ctx: Capture) -> np.ndarray:
    fs = ctx._frame_set(None)
    if fs is None:
        return np.zeros(0, I64)
    start, _, _ = ctx._frame_bounds(fs)
    return start.astype(I64)


# -- per site ---------------------------------------------------------------------------------------------------------
_SITE_COLS = (
    "id",
    "pool",
    "thread_id",
    "thread",
    "path",
    "name",
    "allocs",
    "bytes",
    "median_size_bytes",
    "min_size_bytes",
    "max_size_bytes",
    "frees",
    "freed_other_thread",
    "freed_in_zone",
    "never_freed",
    "never_freed_bytes",
    "first_alloc_ns",
    "last_alloc_ns",
    "first_leak_ns",
    "last_leak_ns",
    "frames_active",
    "allocs_per_frame",
    "min_per_frame",
    "max_per_frame",
    "median_lifetime_ns",
)


def _site_table(
    ctx: Capture,
    ev: _Events,
    site: np.ndarray,
    n: int,
    s_pool: np.ndarray,
    s_thread: np.ndarray,
    s_path: np.ndarray,
    pools: list[str],
    paths: list[str],
    frames: np.ndarray,
) -> dict[str, Any]:
    never = ev.t_free < 0
    freed = ~never
    counts = np.bincount(site, minlength=n).astype(I64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(I64)
    size_sorted = _sizes_by_site(ev.size, site)
    # a stable sort by site keeps each site's allocations in time order (a radix sort for 16-bit keys)
    order = np.argsort(site.astype(np.int16 if n < 1 << 15 else I64), kind="stable")
    t_sorted = ev.t_alloc[order]
    big = np.iinfo(I64).max
    leak_t = np.where(never[order], t_sorted, big)
    leak_t_max = np.where(never[order], t_sorted, -1)
    other = freed & (ev.free_thread != ev.thread)
    active, per_frame, min_pf, max_pf = _per_frame_counts(ev.t_alloc, site, n, frames)
    names = [ctx.get_thread_name(int(t)) for t in ctx._tid_of_rows(s_thread).tolist()]
    thread_names = np.asarray([nm if r >= 0 else "?" for nm, r in zip(names, s_thread.tolist(), strict=True)], object)
    path_arr = np.asarray(paths, dtype=object)[s_path]
    return {
        "id": np.arange(n),
        "pool": np.asarray(pools, dtype=object)[s_pool],
        "thread_id": s_thread,
        "thread": thread_names,
        "path": path_arr,
        "name": np.asarray([leaf(p) for p in path_arr.tolist()], dtype=object),
        "allocs": counts,
        "bytes": np.bincount(site, weights=ev.size, minlength=n).astype(I64),
        # lower median: a size that occurs
        "median_size_bytes": size_sorted[starts + (counts - 1) // 2],
        "min_size_bytes": size_sorted[starts],
        "max_size_bytes": size_sorted[starts + counts - 1],
        "frees": np.bincount(site, weights=freed, minlength=n).astype(I64),
        "freed_other_thread": np.bincount(site, weights=other, minlength=n).astype(I64),
        "freed_in_zone": np.bincount(site, weights=_freed_in_zone(ctx, ev), minlength=n).astype(I64),
        "never_freed": np.bincount(site, weights=never, minlength=n).astype(I64),
        "never_freed_bytes": np.bincount(site, weights=np.where(never, ev.size, 0), minlength=n).astype(I64),
        "first_alloc_ns": np.minimum.reduceat(t_sorted, starts),
        "last_alloc_ns": np.maximum.reduceat(t_sorted, starts),
        "first_leak_ns": _none_as(np.minimum.reduceat(leak_t, starts), big),
        "last_leak_ns": np.maximum.reduceat(leak_t_max, starts),
        "frames_active": active,
        "allocs_per_frame": per_frame,
        "min_per_frame": min_pf,
        "max_per_frame": max_pf,
        "median_lifetime_ns": _median_lifetimes(ev, site, n),
    }


def _median_lifetimes(ev: _Events, site: np.ndarray, n: int) -> np.ndarray:
    """Per site, the median time from allocation to free of its freed allocations (-1 when none was freed)."""
    freed = ev.t_free >= 0
    life, s_f = (ev.t_free - ev.t_alloc)[freed], site[freed]
    counts = np.bincount(s_f, minlength=n)
    out = np.full(n, -1, I64)
    if len(life) == 0:
        return out
    ordered = life[np.lexsort((life, s_f))]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has = counts > 0
    out[has] = ordered[starts[has] + (counts[has] - 1) // 2]
    return out


def _sizes_by_site(size: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Sizes sorted by (site, size); one sort of a packed key when site and size fit in 64 bits."""
    if len(size) and 0 <= int(size.min()) and int(size.max()) < 1 << 40 and int(site.max()) < 1 << 22:
        return np.sort((site.astype(I64) << 40) | size) & ((1 << 40) - 1)
    return size[np.lexsort((size, site))]


def _freed_in_zone(ctx: Capture, ev: _Events) -> np.ndarray:
    """True where an allocation was freed before the zone that made it ended (a temporary)."""
    tree = ctx._cpu()
    z = np.maximum(ev.zone, 0)
    end = tree.end[z] if len(tree.end) else np.zeros(len(z), I64)
    return (ev.zone >= 0) & (ev.t_free >= 0) & ((end < 0) | (ev.t_free <= end))


def _none_as(values: np.ndarray, sentinel: int) -> np.ndarray:
    return np.where(values == sentinel, -1, values)


def _per_frame_counts(
    t_alloc: np.ndarray, site: np.ndarray, n: int, frames: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per site, over the frames (base frame set) in which it allocates: number of such frames, mean, min and max
    allocations per frame."""
    zeros = np.zeros(n, I64)
    if len(frames) == 0:
        return zeros, np.zeros(n), zeros, zeros
    f = np.searchsorted(frames, t_alloc, side="right") - 1
    inside = f >= 0
    pair = site[inside].astype(I64) * (len(frames) + 1) + f[inside]
    pk, pc = unique_counts(pair)  # sorted by site, then frame
    ps = pk // (len(frames) + 1)
    active = np.bincount(ps, minlength=n).astype(I64)
    mean = np.divide(np.bincount(ps, weights=pc, minlength=n), active, out=np.zeros(n), where=active > 0)
    mn, mx = zeros.copy(), zeros.copy()
    if len(ps):
        first = np.concatenate([[0], np.cumsum(active)[:-1]])[active > 0]
        mn[active > 0] = np.minimum.reduceat(pc, first)
        mx[active > 0] = np.maximum.reduceat(pc, first)
    return active, mean, mn, mx


def _gameplay_rate(
    ctx: Capture, t_alloc: np.ndarray, site: np.ndarray, sites: dict[str, Any], lo: int | None, hi: int | None
) -> int:
    """Adds `allocs_per_gameplay_frame` (allocations made in gameplay frames / gameplay frames in the selected time,
    NaN without gameplay frames): the overall rate, not the rate in the frames a site allocates in. Returns the
    number of gameplay frames."""
    n = len(sites["allocs"])
    ph = frame_phases(ctx)
    g = ph.gameplay if ph is not None else np.zeros(0, I64)
    if len(g):
        gs, ge = ph.start[g].astype(I64), ph.end[g].astype(I64)  # type: ignore[union-attr]
        keep = np.ones(len(g), bool)
        if lo is not None:
            keep &= ge > lo
        if hi is not None:
            keep &= gs < hi
        gs, ge = gs[keep], ge[keep]
    if not len(g) or not len(gs):
        sites["allocs_per_gameplay_frame"] = np.full(n, np.nan)
        return 0
    f = np.searchsorted(gs, t_alloc, side="right") - 1
    inside = (f >= 0) & (t_alloc < ge[np.maximum(f, 0)])
    sites["allocs_per_gameplay_frame"] = np.bincount(site[inside], minlength=n) / len(gs)
    return len(gs)


# -- per pool: totals, peak, window -------------------------------------------------------------------------------
@attrs.define
class _Live:
    """Live bytes over time (all selected pools together): after each event."""

    time: np.ndarray
    live: np.ndarray


def live_curve(t_alloc: np.ndarray, t_free: np.ndarray, size: np.ndarray) -> _Live:
    freed = np.flatnonzero(t_free >= 0)
    freed = freed[np.argsort(t_free[freed])]
    # frees first, then a stable sort by time: on equal times a free comes first, as in upstream's memory plot.
    # Both parts are already in time order (allocations are stored in allocation order), so the stable sort only
    # merges two runs.
    t = np.concatenate([t_free[freed], t_alloc])
    d = np.concatenate([-size[freed], size])
    order = np.argsort(t, kind="stable")
    return _Live(t[order], np.cumsum(d[order]))


def _peak(live: _Live) -> dict[str, int]:
    if len(live.live) == 0:
        return {
            "peak_bytes": 0,
            "peak_ns": -1,
            "window_start_ns": -1,
            "window_end_ns": -1,
            "held_until_ns": -1,
            "above_ns": 0,
            "episodes": 0,
        }
    k = int(np.argmax(live.live))
    peak = int(live.live[k])
    high = live.live >= PEAK_WINDOW * peak
    above = np.nonzero(high)[0]
    # how long it is that high, and in how many separate stretches (it may dip in between)
    step = np.diff(live.time, append=live.time[-1])
    starts = high & ~np.concatenate([[False], high[:-1]])
    return {
        "peak_bytes": peak,
        "peak_ns": int(live.time[k]),
        "window_start_ns": int(live.time[above[0]]),
        "window_end_ns": int(live.time[above[-1]]),
        # the level an event sets holds until the next event: the stretch lasts until live memory next moves
        "held_until_ns": int(live.time[min(int(above[-1]) + 1, len(live.time) - 1)]),
        "above_ns": int(step[high].sum()),
        "episodes": int(starts.sum()),
    }


def _peak_window(pools: dict[str, Any], i: int) -> str:
    """Where live memory is near its peak: one stretch, or brief episodes spread over a span."""
    a, b = int(pools["window_start_ns"][i]), int(pools["window_end_ns"][i])
    above, n = int(pools["above_ns"][i]), int(pools["episodes"][i])
    if n >= 3 and above < 0.25 * (b - a):
        return (
            f"live >= 95% of the peak only briefly: {n} episodes, {fmt_ns(above)} in all, between {_t(a)} and "
            f"{_t(b)} ({above / max(b - a, 1):.0%} of that span)."
        )
    held = int(pools["held_until_ns"][i])
    return f"live >= 95% of the peak from {_t(a)} to {_t(max(b, held))}."


def _discards(ev: _Events, sel: np.ndarray) -> tuple[int, int]:
    """Frees that share one timestamp with at least two others: a pool discard (TracyMemoryDiscard)
    frees every live allocation at once. Returns (number of such moments, allocations freed by them)."""
    t = np.sort(ev.t_free[sel & (ev.t_free >= 0)])
    if len(t) < 3:
        return 0, 0
    run_start = np.concatenate([[True], t[1:] != t[:-1]])
    counts = np.diff(np.append(np.nonzero(run_start)[0], len(t)))
    many = counts >= 3
    return int(many.sum()), int(counts[many].sum())


def _pool_table(ev: _Events, pools: list[str], frames: np.ndarray) -> tuple[dict[str, Any], _Live]:
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "pool",
            "allocs",
            "frees",
            "bytes",
            "never_freed",
            "live_at_end_bytes",
            "peak_bytes",
            "peak_ns",
            "peak_frame",
            "window_start_ns",
            "window_end_ns",
            "held_until_ns",
            "above_ns",
            "episodes",
            "discards",
            "discarded_allocs",
        )
    }
    present = sorted(set(ev.pool.tolist()))
    names = [pools[p] for p in present]
    if len(present) > 1:
        names.append("(all pools)")
    for i, name in enumerate(names):
        sel = ev.pool == present[i] if i < len(present) else np.ones(len(ev.pool), bool)
        live = live_curve(ev.t_alloc[sel], ev.t_free[sel], ev.size[sel])
        pk = _peak(live)
        never = sel & (ev.t_free < 0)
        nd, nda = _discards(ev, sel)
        cols["pool"].append(name)
        cols["allocs"].append(int(sel.sum()))
        cols["frees"].append(int((sel & (ev.t_free >= 0)).sum()))
        cols["bytes"].append(int(ev.size[sel].sum()))
        cols["never_freed"].append(int(never.sum()))
        cols["live_at_end_bytes"].append(int(ev.size[never].sum()))
        for k, v in pk.items():
            cols[k].append(v)
        cols["peak_frame"].append(int(np.searchsorted(frames, pk["peak_ns"], side="right") - 1) if len(frames) else -1)
        cols["discards"].append(nd)
        cols["discarded_allocs"].append(nda)
    # the last curve computed is over every event: the one pool's, or "(all pools)"
    return {k: np.asarray(v) for k, v in cols.items()}, live


# -- leaks ------------------------------------------------------------------------------------------------------------
def _leaks(sites: dict[str, Any], span: int, ev: _Events, site: np.ndarray) -> dict[str, Any]:
    sel = np.nonzero(sites["never_freed"] > 0)[0]
    order = sel[np.argsort(-sites["never_freed_bytes"][sel], kind="stable")]
    # spread over the run of the same code's blocks on every thread: a thread started per task leaks once, its
    # siblings over the whole run
    first, last = sites["first_leak_ns"][order].astype(I64), sites["last_leak_ns"][order].astype(I64)
    code = [(str(sites["path"][i]), str(sites["pool"][i])) for i in order.tolist()]
    lo_of: dict[tuple[str, str], int] = {}
    hi_of: dict[tuple[str, str], int] = {}
    for key, a, b in zip(code, first.tolist(), last.tolist(), strict=True):
        lo_of[key], hi_of[key] = min(lo_of.get(key, a), a), max(hi_of.get(key, b), b)
    spread = np.asarray([hi_of[key] - lo_of[key] for key in code], np.float64) / span
    out = {
        k: sites[k][order]
        for k in (
            "id",
            "pool",
            "thread",
            "path",
            "name",
            "never_freed",
            "never_freed_bytes",
            "allocs",
            "median_size_bytes",
            "min_size_bytes",
            "max_size_bytes",
            "first_leak_ns",
            "last_leak_ns",
        )
    }
    out["site_id"] = out.pop("id")
    # the sizes of the allocations never freed, not of all the site's (one sort by site and size)
    never = ev.t_free < 0
    cnt = sites["never_freed"][order]
    first = np.concatenate([[0], np.cumsum(sites["never_freed"])[:-1]])[order]
    sizes = _sizes_by_site(ev.size[never], site[never])
    out["min_size_bytes"] = sizes[first]
    out["median_size_bytes"] = sizes[first + (cnt - 1) // 2]
    out["max_size_bytes"] = sizes[first + cnt - 1]
    # only a spread that would otherwise read as a steady leak needs telling apart; each site's events once
    by_site = np.argsort(site, kind="stable")
    begin = np.concatenate([[0], np.cumsum(sites["allocs"])[:-1]])
    mine = [by_site[begin[i] : begin[i] + sites["allocs"][i]] for i in order.tolist()]
    # a cache at its size: it evicts its oldest, or its live bytes hold level from its first free on (it frees as
    # much as it allocates, whichever blocks it keeps)
    out["bounded"] = np.asarray([_evicts(ev, m) or bool(_cap(ev, m)) for m in mine], bool) & (spread >= STEADY_SPREAD)
    # a site that made its blocks early and then stopped, long before the end (a cache filling once: a schema per
    # id seen), is no steady leak, however far apart its first and last blocks
    end = int(max(ev.t_alloc.max(), ev.t_free.max())) if len(ev.t_alloc) else 0
    filled = [_filled(ev.t_alloc[m[ev.t_free[m] < 0]], span, end) for m in mine]
    out["filled"] = np.asarray(filled, bool) & (spread >= STEADY_SPREAD)
    out["steady"] = (spread >= STEADY_SPREAD) & ~out["bounded"] & ~out["filled"]
    return out


def _leak_kind(leaks: dict[str, Any], j: int) -> str:
    if leaks["bounded"][j]:
        return "bounded"
    if leaks["filled"][j]:
        return "filled early, then stopped"
    return "steady" if leaks["steady"][j] else "short span"


def _filled(t: np.ndarray, span: int, end: int) -> bool:
    """Never-freed blocks made mostly early in their own span and none for the last STOPPED share of the capture:
    something that filled once (a cache of what it has seen) and stopped, not a leak that keeps on."""
    if len(t) < 2 or span <= 0:
        return False
    first, last = int(t.min()), int(t.max())
    early = int((t <= first + (last - first) // 4).sum())
    return end - last >= STOPPED * span and early >= FILLED_EARLY * len(t)


def _bursts(t: np.ndarray, span: int) -> list[tuple[int, int, int]]:
    """(start, end, count) of the bursts the times `t` come in, when they do: split where nothing happened for
    BURST_GAP of the capture, at least two of them, together under BURST_TIME of the stretch they cover; [] when
    the times are spread (a steady leak)."""
    t = np.sort(t)
    if len(t) < 2 * BURST_MIN or span <= 0:
        return []
    cut = np.flatnonzero(np.diff(t) > BURST_GAP * span) + 1
    parts = [p for p in np.split(t, cut) if len(p)]
    if len(parts) < 2 or sum(int(p[-1] - p[0]) for p in parts) > BURST_TIME * float(t[-1] - t[0]):
        return []
    if sum(len(p) for p in parts if len(p) >= BURST_MIN) < 0.9 * len(t):
        return []
    return [(int(p[0]), int(p[-1]), len(p)) for p in parts]


def _over_time(live: _Live) -> str:
    """Live bytes (all pools) in the middle of each tenth of the span from the first memory event to the last (the
    middle: the last event is often a shutdown that frees everything), and since when it has held level (the last
    tenths within PLATEAU of each other after a rise)."""
    if len(live.live) < 20:
        return ""
    t0, t1 = int(live.time[0]), int(live.time[-1])
    ts = (t0 + (np.arange(10) + 0.5) / 10 * (t1 - t0)).astype(I64)
    at = live.live[np.maximum(np.searchsorted(live.time, ts, "right") - 1, 0)].astype(float)
    text = "Live memory in the middle of each tenth of the run: " + ", ".join(_mib(x) for x in at) + " MiB"
    k = len(at) - 1
    while k > 0 and max(at[k - 1 :]) <= PLATEAU * max(min(at[k - 1 :]), 1.0):
        k -= 1
    tail = at[k:]
    creeping = len(tail) > 2 and bool(np.all(np.diff(tail) > 0)) and tail[-1] - tail[0] >= CREEP * tail[0]
    if 0 < k <= len(at) - 3 and at[k] >= 1.5 * max(at[0], 1.0) and creeping:  # a cap filled, a leak goes on
        per_s = (tail[-1] - tail[0]) / max((int(ts[-1]) - int(ts[k])) / 1e9, 1e-9)
        text += (
            f": it rose fast until about {_t(int(ts[k]))}, then kept rising more slowly, every tenth higher "
            f"(+{_size(int(per_s))} per second): still growing"
        )
    elif 0 < k <= len(at) - 3 and at[k] >= 1.5 * max(at[0], 1.0):
        text += f": it rose, then held level from about {_t(int(ts[k]))} on (not still growing)"
    elif at[-1] >= 1.5 * max(at[len(at) // 2], 1.0):
        text += ": still growing at the end"
    return text + "."


def _logged_in_runup(ctx: Capture, runup: dict[str, int]) -> str:
    """'; logged as it rose: "..."' for the program's one-off message logged during the run-up to the peak (a fast
    travel, a level load); '' when there is none."""
    k = one_off_before(ctx, runup["peak_ns"], runup["peak_ns"] - runup["start_ns"] + RUNUP_LOGGED_NS)
    return (
        f'; logged as it rose: "{clip_text(k.text, 120)}" ({_t(k.first_ns - int(ctx.get_first_time()))})' if k else ""
    )


def _growth_chain(ev: _Events, mine: np.ndarray, zone: str) -> str:
    """When most runs of the site's zone allocate a chain of blocks each about twice the last, each freed as the
    next is made (a buffer grown without reserving), say so with the sizes and what reserving would leave."""
    rows = np.flatnonzero(mine & (ev.zone >= 0))
    if len(rows) < CHAIN_MIN:
        return ""
    rows = rows[np.lexsort((ev.t_alloc[rows], ev.zone[rows]))]
    starts = np.flatnonzero(np.r_[True, ev.zone[rows][1:] != ev.zone[rows][:-1]])
    runs = np.split(rows, starts[1:])
    long = [r for r in runs if len(r) >= CHAIN_MIN]
    if not long or len(long) < 0.5 * len(runs):
        return ""

    def grows(r: np.ndarray) -> bool:
        size = ev.size[r].astype(np.float64)
        ratio = size[1:] / np.maximum(size[:-1], 1.0)
        # each block freed once the next one exists: the contents moved over
        moved = (ev.t_free[r[:-1]] >= ev.t_alloc[r[1:]]) & (ev.t_free[r[:-1]] >= 0)
        return bool(np.all((ratio >= 1.4) & (ratio <= 2.1)) and moved.mean() >= 0.9)

    fit = [r for r in long if grows(r)]
    if len(fit) < CHAIN_SHARE * len(long):
        return ""
    n = int(np.median([len(r) for r in fit]))
    lo, hi = int(np.median([ev.size[r[0]] for r in fit])), int(np.median([ev.size[r[-1]] for r in fit]))
    return (
        f"grown step by step: in {len(fit)} of its {len(runs)} runs of {zone} it allocates {n} blocks from {lo} B to "
        f"{hi} B, each about twice the last and freed once the next is made (a buffer growing without a reserve): "
        f"reserving {hi} B up front, or keeping one buffer, makes it 1 allocation per run instead of {n}"
    )


def _pooled_sites(sites: dict[str, Any], program: str = "") -> list[list[int]]:
    """The sites as shown: the same path and memory pool on the threads of one thread pool ("job-0".."job-5", or
    unnamed threads: the program's name or a bare thread id) as one line, whose count is theirs together; by
    allocation count, busiest member first."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for k in range(len(sites["id"])):  # the table is by allocation count: members come busiest first
        thread = str(sites["thread"][k])
        pool = UNNAMED if _is_unnamed(thread, program) else pool_of(thread)
        key = (str(sites["path"][k]), str(sites["pool"][k]), pool)
        groups.setdefault(key, []).append(k)
    return sorted(groups.values(), key=lambda m: -sum(int(sites["allocs"][k]) for k in m))


def _largest_release(ctx: Capture, ev: _Events, site: np.ndarray, sites: dict[str, Any], live: _Live) -> str:
    """The largest burst of frees while the program ran (a trim, an eviction: what makes live memory fall back),
    when it gives back at least RELEASE of the memory's swing: how much, when, in which zone, of whose blocks,
    and the message logged with it; '' otherwise."""
    first, cut = int(ctx.get_first_time()), _exit_cut(ctx)  # frees at exit are told apart
    freed = np.flatnonzero((ev.t_free >= 0) & (ev.t_free < cut) & (ev.free_thread >= 0))
    if len(freed) == 0 or len(live.live) < 20:
        return ""
    freed = freed[np.lexsort((ev.t_free[freed], ev.free_thread[freed]))]
    tf, th = ev.t_free[freed], ev.free_thread[freed]
    new_burst = np.r_[True, (np.diff(tf) > BURST_GAP_NS) | (th[1:] != th[:-1])]
    burst = np.cumsum(new_burst) - 1
    size = np.bincount(burst, weights=ev.size[freed])
    b = int(np.argmax(size))
    running = live.live[
        _settled(live) : int(np.searchsorted(live.time, cut))
    ]  # after start-up, before the exit's frees
    swing = float(live.live.max()) - float(running.min()) if len(running) else 0.0
    if swing <= 0 or size[b] < RELEASE * swing:
        return ""
    rows = freed[burst == b]
    age = float(np.median(ev.t_free[rows] - ev.t_alloc[rows]))
    if age < RELEASE_AGE_NS:  # young blocks freed in a stream: churn, not a release of what had built up
        return ""
    t0, t1, thread = int(tf[burst == b].min()), int(tf[burst == b].max()), int(th[burst == b][0])
    # the zone of the burst's largest free: small frees of the zone before it may open the burst
    zone = innermost(ctx, np.asarray([int(ev.t_free[rows[np.argmax(ev.size[rows])]])]), np.asarray([thread]))
    where = f" in {ctx._srclocs().name[int(ctx._cpu().srcloc[int(zone[0])])]}" if zone[0] >= 0 else ""
    owners = np.bincount(site[rows], weights=ev.size[rows])
    whose = ", ".join(
        f"{sites['name'][int(k)]} ({fmt_pct(owners[k] / size[b])})" for k in np.argsort(-owners)[:2] if owners[k] > 0
    )
    logged = logged_in_each(
        ctx, np.asarray([t0 - LOGGED_NEAR]), np.asarray([t1 + LOGGED_NEAR]), threads=np.asarray([thread])
    )
    return (
        f"Largest release while running: {_size(int(size[b]))} in {len(rows)} frees at {_t(t0 - first)}"
        f"{where} ({ctx._thread_labels()[thread]}), blocks of {whose} held a median {fmt_ns(age)}"
        + (f"; logged then: {logged.rsplit(' (', 1)[0]}" if logged else "")
        + "."
    )


def _mib(x: float) -> str:
    return f"{x / 1048576:.1f}"


def _evicts(ev: _Events, mine: np.ndarray) -> bool:  # mine: the site's event rows (or a mask over them)
    """Whether a site's never-freed allocations are only its latest ones (under BOUNDED_EARLY of them from the
    first half of its allocations, which it did make and free): it evicts its oldest, like a cache at its cap."""
    ta, never = ev.t_alloc[mine], ev.t_free[mine] < 0
    mid = int(ta.min()) + (int(ta.max()) - int(ta.min())) // 2
    early = ta <= mid
    return bool(early.any()) and int((early & never).sum()) < BOUNDED_EARLY * int(never.sum())


def _at_peak(ev: _Events, site: np.ndarray, sites: dict[str, Any], t_peak: int, peak: int) -> list[str]:
    """The sites holding at least PEAK_SHARE of the memory live at the peak, and whether each stays at a cap."""
    live = (ev.t_alloc <= t_peak) & ((ev.t_free < 0) | (ev.t_free > t_peak))
    held = np.bincount(site[live], weights=ev.size[live], minlength=len(sites["id"]))
    out = []
    for i in np.argsort(-held, kind="stable")[:3].tolist():
        if held[i] < PEAK_SHARE * peak:
            break
        out.append(
            f"{sites['name'][i]} ({sites['thread'][i]}, pool {sites['pool'][i]}) {_size(int(held[i]))} "
            f"({held[i] / peak:.0%})" + _cap(ev, site == i)
        )
    return out


def _cap(ev: _Events, mine: np.ndarray) -> str:
    """', steady at X from T on' when a site's live bytes stay flat (within PLATEAU) from its first free
    to its last allocation, over a fifth of its allocations' span at least; '' otherwise."""
    ta, tf, sz = ev.t_alloc[mine], ev.t_free[mine], ev.size[mine]
    a0, a1 = int(ta.min()), int(ta.max())
    freed = tf[(tf >= 0) & (tf <= a1)]
    if len(freed) == 0:
        return ""
    f0 = int(freed.min())
    if a1 - f0 < 0.2 * max(a1 - a0, 1):
        return ""
    ts = np.linspace(f0, a1, 9).astype(I64)
    live = np.asarray([sz[(ta <= t) & ((tf < 0) | (tf > t))].sum() for t in ts.tolist()], float)
    if live.min() <= 0 or live.max() > PLATEAU * live.min():
        return ""
    return (
        f", steady at {_size(int(np.median(live)))} from {_t(f0)} (its first free) on: it frees as much as it allocates"
    )


def _leak_callstacks(ctx: Capture, ev: _Events) -> dict[str, Any]:
    """Never-freed allocations by call site (callstacks whose program frames read the same), most bytes first."""
    never = (ev.t_free < 0) & (ev.callstack > 0)
    rows = _call_sites(ctx, ev.callstack[never], ev.size[never])[:20]
    return {
        "callstack": np.asarray([r[0] for r in rows], I64),
        "count": np.asarray([r[2] for r in rows], I64),
        "bytes": np.asarray([r[3] for r in rows], I64),
        "frames": np.asarray([r[1] for r in rows], object),
    }


def _call_sites(ctx: Capture, callstacks: np.ndarray, sizes: np.ndarray) -> list[tuple[int, str, int, int]]:
    """(a callstack id, call site text, allocations, bytes) per call site of these allocations, most bytes first:
    callstacks through the same functions (innermost SITE_DEPTH of the program's) are one site, shown with the
    lines of its most used callstack."""
    cs, inv = group_ids(callstacks)
    if len(cs) == 0:
        return []
    cnt = np.bincount(inv.ravel(), minlength=len(cs))
    byt = np.bincount(inv.ravel(), weights=sizes, minlength=len(cs))
    merged: dict[str, list[Any]] = {}
    wrapper = _alloc_wrapper(ctx)
    for c, n, b in sorted(zip(cs.tolist(), cnt.tolist(), byt.tolist(), strict=True), key=lambda r: -r[1]):
        frames = ctx.get_callstack_frames(int(c))
        key = call_site(frames, SITE_DEPTH, skip=wrapper, lines=False)
        row = merged.setdefault(key, [int(c), call_site(frames, SITE_DEPTH, skip=wrapper) or "?", 0, 0])
        row[2] += int(n)
        row[3] += int(b)
    rows = [(int(c), str(text), int(n), int(b)) for c, text, n, b in merged.values()]
    return sorted(rows, key=lambda r: (-r[3], -r[2]))


def _busiest_call_site(ctx: Capture, ev: _Events, mask: np.ndarray) -> tuple[str, int, int] | None:
    """(call site, its allocations, allocations with a callstack) for the call site making the most of the
    allocations in `mask`, by count (churn is about calls, not bytes); None when they have no callstacks."""
    m = mask & (ev.callstack > 0)
    rows = _call_sites(ctx, ev.callstack[m], ev.size[m]) if m.any() else []
    if not rows:
        return None
    top = max(rows, key=lambda r: r[2])
    return top[1], top[2], int(m.sum())


def _alloc_wrapper(ctx: Capture) -> str:
    """The program's allocation wrapper (its function innermost in nearly every allocation's callstack), left out of
    call sites; "" when there is none. Once per capture."""

    def find() -> str:
        db = ctx._db
        if not db.has("mem_events", "cs_alloc"):
            return ""
        cs = db.col("mem_events", "cs_alloc").astype(I64, copy=False)
        ids, counts = unique_counts(cs[cs > 0])
        top = np.argsort(-counts, kind="stable")[:WRAPPER_SAMPLE]
        frames = [ctx.get_callstack_frames(int(c)) for c in ids[top].tolist()]
        return common_wrapper(frames, counts[top].tolist())

    return str(ctx._db.cached("alloc_wrapper", find))


def _leak_function(ctx: Capture, ev: _Events, site: np.ndarray, ids: np.ndarray, zone: str) -> str:
    """The call path that tells a leaking zone's never-freed allocations apart, when its callstacks have one: the
    fewest innermost program functions (below the allocation wrapper) shared by nearly all of the leak and mostly
    leaking themselves, e.g. 'Session::CacheHeaders' or 'Inventory::CloneItem < Loot::Drop' (that helper's other
    callers free); "" when there is none or it is the zone itself (a zone generic to freed work is then named by
    its code)."""
    mine = np.isin(site, ids) & (ev.callstack > 0)
    cs, inv = group_ids(ev.callstack[mine])
    if len(cs) == 0 or len(cs) > MAX_LEAK_CALLSTACKS:
        return ""
    leaked = np.bincount(inv.ravel(), weights=(ev.t_free[mine] < 0), minlength=len(cs))
    total = np.bincount(inv.ravel(), minlength=len(cs))
    wrapper = _alloc_wrapper(ctx)
    paths = [
        call_site(ctx.get_callstack_frames(int(c)), SITE_DEPTH, skip=wrapper, lines=False).split(" < ")
        for c in cs.tolist()
    ]
    n_leaked = float(leaked.sum())
    if n_leaked >= LEAK_PATH_LEAKING * float(total.sum()):
        return ""  # the zone's allocations leak as a rule: the zone names the leak well enough
    for depth in range(1, SITE_DEPTH + 1):
        by: dict[tuple[str, ...], list[float]] = {}
        for path, lk, n in zip(paths, leaked.tolist(), total.tolist(), strict=True):
            row = by.setdefault(tuple(path[:depth]), [0.0, 0.0])
            row[0] += lk
            row[1] += n
        prefix, (lk, n) = max(by.items(), key=lambda kv: kv[1][0])
        if lk < LEAK_FUNCTION_SHARE * n_leaked:
            return ""  # the leak comes through several paths: the zone is the finest common place
        if lk >= LEAK_PATH_LEAKING * n and prefix[0] not in ("", "?"):
            return "" if prefix == (zone,) else " < ".join(prefix)
    return ""


def _leak_sites_text(
    ctx: Capture, ev: _Events, site: np.ndarray, ids: np.ndarray, kept: np.ndarray | None = None
) -> str:
    """Where a leaking zone's never-freed allocations (or those `kept`) are called from, and, when the zone's
    other allocations come from other call sites, those: what tells the leak apart inside one zone."""
    mine = np.isin(site, ids) & (ev.callstack > 0)
    never = mine & ((ev.t_free < 0) if kept is None else kept)
    if not never.any():
        return ""
    leaking = _call_sites(ctx, ev.callstack[never], ev.size[never])
    wrapper = _alloc_wrapper(ctx)
    through = f" (through {wrapper})" if wrapper else ""
    text = f"; called{through} from " + " and ".join(f"{t} ({n} allocations)" for _c, t, n, _b in leaking[:2])
    sites_leaking = {t for _c, t, _n, _b in leaking}
    freed = mine & ~never
    others = [r for r in _call_sites(ctx, ev.callstack[freed], ev.size[freed]) if r[1] not in sites_leaking]
    if others:
        n_other = sum(r[2] for r in others)
        text += (
            f"; its other {n_other} allocations, from other call sites, are "
            f"{'all freed' if kept is None else 'freed while it runs'}: "
            + "; ".join(f"{t} ({n})" for _c, t, n, _b in sorted(others, key=lambda r: -r[2])[:2])
        )
    return text


# -- the peak's run-up ------------------------------------------------------------------------------------------------
def _no_growth() -> dict[str, Any]:
    """The peak_growth table with no rows."""
    return {
        "site_id": np.zeros(0, I64),
        "path": np.zeros(0, object),
        "thread": np.zeros(0, object),
        "bytes": np.zeros(0, I64),
        "allocs": np.zeros(0, I64),
        "freed_later": np.zeros(0, I64),
    }


def _settled(live: _Live) -> int:
    """Index of the first live-memory point after start-up (FLOOR_AFTER of the span of memory events)."""
    return int(np.searchsorted(live.time, live.time[0] + FLOOR_AFTER * (live.time[-1] - live.time[0])))


def _exit_cut(ctx: Capture) -> int:
    """The time from which frees count as frees at exit (the last AT_EXIT of the capture, AT_EXIT_MIN_NS at least)."""
    first, last = int(ctx.get_first_time()), int(ctx.get_last_time())
    return last - max(int(AT_EXIT * (last - first)), AT_EXIT_MIN_NS)


def _peak_growth(
    ev: _Events, site: np.ndarray, sites: dict[str, Any], live: _Live, from_floor: bool = False
) -> tuple[dict[str, Any], dict[str, int]]:
    """Sites that allocated the memory live at the peak during the run-up: from the last time before the peak that
    live memory was at or below its median level, to the peak. `from_floor`: from the last time it was at its
    lowest after start-up instead (a large block held all run keeps the median next to the peak)."""
    empty = _no_growth()
    if len(live.live) == 0:
        return empty, {}
    k = int(np.argmax(live.live))
    t_peak = int(live.time[k])
    typical = float(np.median(live.live))
    if from_floor:  # the lowest level between the end of start-up and the peak
        settled = _settled(live)
        if settled >= k:
            return empty, {}
        typical = float(live.live[settled:k].min())
    low = np.nonzero(live.live[:k] <= typical)[0]
    t0 = int(live.time[low[-1]]) if len(low) else int(live.time[0]) - 1
    grow = (ev.t_alloc > t0) & (ev.t_alloc <= t_peak) & ((ev.t_free < 0) | (ev.t_free > t_peak))
    runup = {
        "start_ns": t0,
        "peak_ns": t_peak,
        "start_bytes": int(live.live[low[-1]]) if len(low) else 0,
        "peak_bytes": int(live.live[k]),
    }
    if not grow.any():
        return empty, runup
    by_bytes = np.bincount(site[grow], weights=ev.size[grow], minlength=len(sites["id"])).astype(I64)
    counts = np.bincount(site[grow], minlength=len(sites["id"]))
    freed = np.bincount(site[grow], weights=ev.t_free[grow] >= 0, minlength=len(sites["id"])).astype(I64)
    order = np.argsort(-by_bytes, kind="stable")
    order = order[by_bytes[order] > 0][:10]
    return {
        "site_id": order,
        "path": sites["path"][order],
        "thread": sites["thread"][order],
        "bytes": by_bytes[order],
        "allocs": counts[order].astype(I64),
        "freed_later": freed[order],
    }, runup


# -- summary ----------------------------------------------------------------------------------------------------------
def _site_name(sites: dict[str, Any], i: int) -> str:
    return f"{sites['name'][i]} ({sites['thread'][i]})"


@attrs.define
class _Findings:
    """What the memory summary is written from (the events, their sites and pools, the leak and growth tables),
    and what its steps found on the way that the title quotes."""

    ctx: Capture
    ev: _Events
    site: np.ndarray  # the site of each allocation
    sites: dict[str, Any]
    pools: dict[str, Any]
    leaks: dict[str, Any]
    leak_cs: dict[str, Any]
    growth: dict[str, Any]
    runup: dict[str, int]
    frames: np.ndarray
    ngame: int
    lk: dict[str, Any] | None = None  # the first steady leak's group
    lk2: dict[str, Any] | None = None  # a second leak: another zone or pool
    by_stack: str = ""  # the first leak's function by callstack, when the callstacks name one
    grows: dict[str, Any] | None = None  # a site that grows until exit
    doubling: dict[str, Any] | None = None  # one buffer doubled all run
    churn_site: tuple[str, int, int] | None = None  # the busiest site's call site by callstack
    most_bytes: str = ""  # title words: the site making most bytes, made anew every frame, when not the busiest
    groups: list[list[int]] = attrs.field(factory=list)  # the sites as shown (_pooled_sites)

    @property
    def total(self) -> int:
        return len(self.ev.size)

    @property
    def n_never(self) -> int:
        return int((self.ev.t_free < 0).sum())

    @property
    def b_never(self) -> int:
        return int(self.ev.size[self.ev.t_free < 0].sum())

    @property
    def npools(self) -> int:
        return len(set(self.ev.pool.tolist()))

    @property
    def allp(self) -> int:
        """The row of all pools together in `pools`."""
        return len(self.pools["pool"]) - 1


def _summary(
    ctx: Capture,
    ev: _Events,
    site: np.ndarray,
    sites: dict[str, Any],
    pools: dict[str, Any],
    leaks: dict[str, Any],
    leak_cs: dict[str, Any],
    growth: dict[str, Any],
    runup: dict[str, int],
    frames: np.ndarray,
    ngame: int,
) -> tuple[str, list[str]]:
    """(title, lines): leaks first (they are what a "memory keeps growing" question is about), then what grows,
    the peak and what held it, the churn; the tables by site and pool after."""
    f = _Findings(ctx, ev, site, sites, pools, leaks, leak_cs, growth, runup, frames, ngame)
    f.groups = _pooled_sites(sites, ctx.get_capture_program())
    head = _leak_lines(f)
    _growing_lines(f, head)
    head += _peak_lines(f)
    head += _churn_lines(f)
    first = (
        f"{f.total} allocations, {_size(int(ev.size.sum()))}, in {f.npools} pool{'s' if f.npools > 1 else ''}; "
        f"{f.n_never} never freed ({f.b_never} B still allocated at the end of the capture)."
    )
    return _title(f), [first, *head, *_table_lines(f)]


def _leak_lines(f: _Findings) -> list[str]:
    """The steady leak (where, how much, when, at what rate, what was logged beside it) and a second one; or why
    what is still allocated at the end is no leak."""
    ctx, ev, site, sites, leaks = f.ctx, f.ev, f.site, f.sites, f.leaks
    head: list[str] = []
    steady = np.nonzero(leaks["steady"])[0]
    lk = f.lk = _leak_group(leaks, sites, int(steady[0])) if len(steady) else None
    # the steady leaks outside the first's group: another zone or pool leaking
    grouped = set(lk["ids"].tolist()) if lk is not None else set()
    others = [int(j) for j in steady if lk is not None and int(leaks["site_id"][j]) not in grouped]
    lk2 = f.lk2 = _leak_group(leaks, sites, others[0]) if others else None
    n_more = len({str(leaks["name"][j]) for j in others}) - 1 if others else 0
    fn = _leak_function(ctx, ev, site, lk["ids"], str(lk["name"])) if lk is not None else ""
    f.by_stack = f"{fn} (by callstack; in zone {lk['name']})" if lk is not None and fn else ""
    n_never, b_never = f.n_never, f.b_never
    if lk is not None:
        nb = lk["bytes"]
        leak_rows = np.flatnonzero(np.isin(site, lk["ids"]) & (ev.t_free < 0))
        bursts = _bursts(ev.t_alloc[leak_rows], int(ev.t_alloc.max() - ev.t_alloc.min()) if f.total else 0)
        when = (
            f"in {len(bursts)} bursts, none between them ("
            + ", ".join(f"{_t(a)}..{_t(b)}: {n}" for a, b, n in bursts)
            + ")"
            if bursts
            else f"steadily from {_t(lk['first'])} to {_t(lk['last'])}"
        )
        head.append(
            f"LEAK: {f.by_stack or lk['name']} — {lk['count']} allocations x {lk['sizes']} = {nb} B"
            f"{'' if nb < 10_000 else ' = ' + _size(nb)} never freed, allocated {when} "
            f"({lk['count']} of its {lk['allocs']} allocations; "
            f"{fmt_pct(nb / b_never)} of what is still allocated at the end). "
            f"Thread{'s' if len(lk['threads']) > 1 else ''} {name_list(lk['threads'])}, pool {lk['pool']}, "
            f"{'path' if len(set(sites['path'][lk['ids']].tolist())) == 1 else 'paths'} {lk['path']}"
            f"{_leak_sites_text(ctx, ev, site, lk['ids'])}"
        )
        took = (lk["last"] - lk["first"]) / 1e9
        if bursts:  # it grows with whatever happened in the bursts (a queue full, a level load), not with time
            head.append(
                f"  rate: only in those bursts ({lk['count']} blocks in {len(bursts)}), none in between: it grows "
                "with what happened then, not with time (see what was logged beside them)"
            )
        elif took > 0:
            rate = nb / took
            head.append(
                f"  rate: {_size(int(rate))} per second ({lk['count'] / took * 60:.0f} allocations a "
                f"minute), {_size(int(rate * 3600))} an hour if it keeps on"
            )
        t = ev.t_alloc[leak_rows]
        logged = logged_in_each(ctx, t - LOGGED_NEAR, t + LOGGED_NEAR, threads=ev.thread[leak_rows])
        if logged:
            head.append(f"  logged on the same thread within {fmt_ns(LOGGED_NEAR)} of each: {logged}")
        idle = _frees_nothing(ctx, ev, str(lk["name"]), int(lk["count"]))
        if idle:
            head.append(f"  {idle}")
        if lk2 is not None:  # another code path leaks too: a second leak, not a detail of the first
            head.append(
                f"LEAK (a second one): {lk2['name']} — {lk2['count']} allocations x {lk2['sizes']} = {lk2['bytes']} B "
                f"never freed, from {_t(lk2['first'])} to {_t(lk2['last'])} ({fmt_pct(lk2['bytes'] / b_never)} of what "
                f"is still allocated at the end). Thread{'s' if len(lk2['threads']) > 1 else ''} "
                f"{name_list(lk2['threads'])}, pool {lk2['pool']}, path {lk2['path']}"
                + (f"; {n_more} more leaking sites below" if n_more else "")
            )
    elif n_never and leaks["filled"].any():
        j = int(np.flatnonzero(leaks["filled"])[0])
        head.append(
            f"No steady leak: {leaks['never_freed'][j]} blocks ({leaks['never_freed_bytes'][j]} B) of "
            f"{leaks['name'][j]} are never freed, but it made them early and stopped at "
            f"{_t(leaks['last_leak_ns'][j])}, long before the end: something that filled once (a cache of what it "
            "has seen), not growing; see the list below."
        )
    elif n_never and not leaks["bounded"].any():
        head.append(
            "No steady leak: the allocations never freed were all made within a short span (start-up state, or in "
            "flight when the capture ended); see the list below."
        )
    elif n_never:
        head.append("No steady leak: what is still allocated at the end is held by bounded sites (below).")
    else:
        head.append("No leak: every allocation was freed before the end of the capture.")
    return head


def _growing_lines(f: _Findings, head: list[str]) -> None:
    """What grows without leaking (a site freed only at exit, one buffer doubled all run; first when there is no
    leak), what is freed only at exit, and sites bounded at a cap."""
    ctx, ev, site, sites, leaks = f.ctx, f.ev, f.site, f.sites, f.leaks
    f.grows = _grows_until_exit(ctx, ev, site, sites)
    if f.grows is not None:
        head.insert(0 if f.lk is None else len(head), _growth_text(ctx, ev, site, sites, f.grows))
    f.doubling = _doubling_buffer(ctx, ev, site, int(f.pools["peak_bytes"][f.allp]))
    if f.doubling is not None:
        head.insert(0 if f.lk is None else len(head), _doubling_text(ctx, ev, sites, f.doubling))
    at_exit = _freed_at_exit(ctx, ev)
    if at_exit:
        head.append(at_exit)
    for j in np.flatnonzero(leaks["bounded"])[:2].tolist():
        i = int(leaks["site_id"][j])
        head.append(
            f"Bounded, not a leak: {sites['name'][i]} (pool {sites['pool'][i]}, {sites['thread'][i]}) still holds "
            f"{_size(int(sites['never_freed_bytes'][i]))} at the end, only its latest allocations (it freed its "
            f"oldest: {sites['frees'][i]} of its {sites['allocs'][i]} allocations), like a cache at its cap"
            f"{_cap(ev, site == i)}. Path {sites['path'][i]}"
        )


def _peak_lines(f: _Findings) -> list[str]:
    """The peak over all pools, what held it, and what the run-up to it allocated."""
    ctx, sites, pools, growth, runup, allp = f.ctx, f.sites, f.pools, f.growth, f.runup, f.allp
    marked = not markless(ctx)  # a program that never marked a frame has no frame to name
    where = f" (frame {pools['peak_frame'][allp]})" if pools["peak_frame"][allp] >= 0 and marked else ""
    head = [
        f"Peak: {_size(pools['peak_bytes'][allp])} live at {_t(pools['peak_ns'][allp])}{where}"
        f"{' over all pools' if f.npools > 1 else ''}; " + _peak_window(pools, allp)
    ]
    holders = _at_peak(f.ev, f.site, sites, int(pools["peak_ns"][allp]), int(pools["peak_bytes"][allp]))
    if holders:
        head.append(f"  held at the peak by: {'; '.join(holders)}")
    if runup and len(growth["bytes"]):
        i = int(growth["site_id"][0])
        freed = int(growth["freed_later"][0])
        fate = "all freed later: not a leak" if freed == growth["allocs"][0] else f"{freed} of them freed later"
        head.append(
            f"  run-up from {_size(runup['start_bytes'])} at {_t(runup['start_ns'])}: of the memory live at the peak, "
            f"{sites['name'][i]} ({sites['thread'][i]}) allocated {_size(growth['bytes'][0])} in that time, "
            + (
                f"1 allocation of {int(growth['bytes'][0])} B"
                if growth["allocs"][0] == 1
                else f"{growth['allocs'][0]} allocations of {_sizes(sites, i)}"
            )
            + f" ({fate})"
            + _logged_in_runup(ctx, runup)
        )
        nxt = [
            f"{sites['name'][int(growth['site_id'][g])]} {_size(growth['bytes'][g])}"
            for g in range(1, min(3, len(growth["bytes"])))
        ]
        if nxt:
            head.append(f"  also allocated in the run-up and live at the peak: {', '.join(nxt)}")
    return head


def _churn_lines(f: _Findings) -> list[str]:
    """The site with most allocations (its call site by callstack, its sizes, the same path on all threads) and
    the one with most bytes."""
    ctx, ev, site, sites, ngame, total = f.ctx, f.ev, f.site, f.sites, f.ngame, f.total
    i = 0
    head = [
        f"Most allocations: {sites['name'][i]} ({sites['thread'][i]}) — {sites['allocs'][i]} "
        # a program that never marks a frame has Tracy's own two frames only: no rate per frame to speak of
        f"({sites['allocs'][i] / total:.1%} of all)"
        f"{_per_frame(sites, i, 0 if markless(ctx) else len(f.frames), ngame)}"
        f"{_per_loop_run(ctx, ev, site, sites, i, ngame)}, median size "
        f"{sites['median_size_bytes'][i]} B ({sites['min_size_bytes'][i]}-{sites['max_size_bytes'][i]} B), "
        f"{_fate(sites, i)}{_freed_where(ctx, ev, site == i, int(sites['freed_in_zone'][i]))}; path {sites['path'][i]}"
    ]
    f.churn_site = _busiest_call_site(ctx, ev, site == i)
    if f.churn_site is not None:  # a coarse zone (UI::Update) holds many functions: the callstacks name the one
        text, n, n_cs = f.churn_site
        head.append(f"  by callstack: {n} of its {n_cs} allocations with a callstack ({n / n_cs:.0%}) come from {text}")
    sizes = _size_mix(ev.size[site == i])
    if sizes:
        head.append(f"  its sizes: {sizes}")
    chain = _growth_chain(ev, site == i, str(sites["name"][i]))
    if chain:
        head.append(f"  {chain}")
    same = np.asarray(sites["path"]) == sites["path"][i]
    if int(same.sum()) > 1:  # the same code on several threads or pools: the figure for the code as a whole
        nth, npl = len(set(np.asarray(sites["thread"])[same])), len(set(np.asarray(sites["pool"])[same]))
        allb = max(int(np.sum(sites["bytes"])), 1)
        head.append(
            f"  that path on all {nth} thread(s) and {npl} pool(s): {int(np.sum(sites['allocs'][same]))} allocations "
            f"({np.sum(sites['allocs'][same]) / total:.1%} of all"
            + (f", {float(np.sum(sites['allocs_per_gameplay_frame'][same])):.1f} per gameplay frame" if ngame else "")
            + f"), {_size(int(np.sum(sites['bytes'][same])))} "
            f"({np.sum(sites['bytes'][same]) / allb:.1%} of the bytes)"
        )
    if not ev.callstack.any():  # say where the trail ends, so nobody looks for a line number
        head.append(
            "No callstacks were recorded with the allocations: each site is the innermost zone open on the "
            "allocating thread, the finest place this capture gives."
        )
    program = ctx.get_capture_program()
    # the same code on unnamed threads started per task is one site: its bytes together, when they are the most
    tasks = [m for m in f.groups if len(_unnamed(sites, m, program)) > 1]
    top = max(tasks, key=lambda m: sum(int(sites["bytes"][k]) for k in m), default=[])
    b = int(np.argmax(sites["bytes"]))
    if top and sum(int(sites["bytes"][k]) for k in top) > int(sites["bytes"][b]):
        b = top[0]
    else:
        top = [b]
    if b != i:
        allocs_b = int(sum(int(sites["allocs"][k]) for k in top)) if len(top) > 1 else int(sites["allocs"][b])
        few = allocs_b * 10 <= sites["allocs"][i]
        per_b = float(sum(float(sites["allocs_per_gameplay_frame"][k]) for k in top)) if ngame else 0.0
        every_frame = per_b >= 1 and (len(top) > 1 or int(sites["min_per_frame"][b]) >= 1)
        verdict = ": few large allocations, not churn" if few and not (len(top) > 1 and every_frame) else ""
        life = int(sites["median_lifetime_ns"][b])
        ph = frame_phases(ctx)
        kept = ph is not None and life > HELD_FRAMES * ph.median_ns  # piled up over many frames, not a frame's scratch
        if few and kept and every_frame:
            verdict += f" ({per_b:.1f} large blocks a gameplay frame, each held a median {fmt_ns(life)}: they pile up)"
        elif few and every_frame:  # large blocks made anew in every frame
            verdict += (
                f" ({per_b:.1f} large blocks made anew in every gameplay frame, each living a median "
                f"{fmt_ns(life)}: a buffer kept for reuse would spare even those)"
            )
        mine = np.isin(site, top)
        bytes_b = int(sum(int(sites["bytes"][k]) for k in top))
        # threads started per task, each making a block: their bytes together are the churn, whatever the count says
        if len(top) > 1 and bytes_b >= BYTES_LEAD * max(int(sites["bytes"][i]), 1) and per_b >= 1:
            f.most_bytes = (
                f"most bytes: {sites['name'][b]} ({_threads_of(sites, top, program)}: {allocs_b} x "
                f"{sites['median_size_bytes'][b]} B, {per_b:.1f} per gameplay frame, {_size(bytes_b)} in all)"
            )
        head.append(
            f"Most bytes: {sites['name'][b]} ({_threads_of(sites, top, program)}) — {_size(bytes_b)} in "
            f"{allocs_b} allocations (median {sites['median_size_bytes'][b]} B){verdict}"
            f"{_freed_where(ctx, ev, mine, int(sum(int(sites['freed_in_zone'][k]) for k in top)))}."
        )
    return head


def _is_unnamed(thread: str, program: str) -> bool:
    """A thread without a name of its own: Tracy shows it by its id, or by the program's name it inherited."""
    return thread.isdigit() or bool(program) and thread == program


def _unnamed(sites: dict[str, Any], members: list[int], program: str) -> list[str]:
    """The members' threads without a name of their own."""
    return [n for n in (str(sites["thread"][k]) for k in members) if _is_unnamed(n, program)]


def _threads_of(sites: dict[str, Any], members: list[int], program: str) -> str:
    """The threads of a pooled site: their names, "unnamed threads" for those without a name of their own."""
    names = [str(sites["thread"][k]) for k in members]
    unnamed = _unnamed(sites, members, program)
    if len(unnamed) > 1:  # (a site merges the threads that share a name: no count of them here)
        return name_list([n for n in names if n not in unnamed] + ["unnamed threads"])
    return name_list(names)


def _table_lines(f: _Findings) -> list[str]:
    """The never-freed sites (and call stacks), the sites by allocation count, the pools, the discards."""
    sites, pools, leaks, leak_cs, ngame, npools = f.sites, f.pools, f.leaks, f.leak_cs, f.ngame, f.npools
    det: list[str] = []
    if f.n_never:
        det.append("Never freed, by site: count x size = bytes, allocated from .. to — path [thread, pool]")
        for j in range(min(len(leaks["site_id"]), 5)):
            i = int(leaks["site_id"][j])
            det.append(
                f"  {sites['never_freed'][i]} x {_sizes(leaks, j)} = {sites['never_freed_bytes'][i]} B, "
                f"{_t(sites['first_leak_ns'][i])}..{_t(sites['last_leak_ns'][i])} "
                f"({_leak_kind(leaks, j)}) — "
                f"{sites['path'][i]} "
                f"[{sites['thread'][i]}, {sites['pool'][i]}]"
            )
        for j in range(min(len(leak_cs["callstack"]), 3)):
            det.append(
                f"  by callstack {leak_cs['callstack'][j]}: {leak_cs['count'][j]} allocations, "
                f"{leak_cs['bytes'][j]} B — {leak_cs['frames'][j]}"
            )
    det.append(
        "Sites by allocation count: allocs, per gameplay frame, median size, bytes, never freed — path [thread"
        f"{', pool' if npools > 1 else ''}]"
    )
    groups = f.groups
    for members in groups[:8]:
        i = members[0]  # the busiest member stands for the median size
        allocs = int(sum(int(sites["allocs"][k]) for k in members))
        pf = f"{sum(float(sites['allocs_per_gameplay_frame'][k]) for k in members):.1f}" if ngame else "-"
        threads = _threads_of(sites, members, f.ctx.get_capture_program())
        where = f"{threads}, {sites['pool'][i]}" if npools > 1 else threads
        det.append(
            f"  {allocs:>8} {pf:>14} {sites['median_size_bytes'][i]:>8} B "
            f"{_size(int(sum(int(sites['bytes'][k]) for k in members))):>10} "
            f"{int(sum(int(sites['never_freed'][k]) for k in members)):>6} — {sites['path'][i]} [{where}]"
        )
    if len(groups) > 8:
        det.append(f"  ... {len(groups) - 8} more sites in .table")
    if npools > 1:
        det.append("Pools: allocations, bytes, peak (at), never freed")
        for k in range(len(pools["pool"]) - 1):
            det.append(
                f"  {pools['pool'][k]}: {pools['allocs'][k]}, {_size(pools['bytes'][k])}, peak "
                f"{_size(pools['peak_bytes'][k])} ({_t(pools['peak_ns'][k])}), {pools['never_freed'][k]}"
            )
    nd = int(pools["discards"][f.allp])
    if nd:
        det.append(
            f"Discards: {nd} times many allocations were freed at one instant (a pool discard), "
            f"{int(pools['discarded_allocs'][f.allp])} allocations in all."
        )
    return det


def _title(f: _Findings) -> str:
    """Every headline in one line (the summary of a capture quotes it): the leak (or none), what grows, a cap, the
    peak, the site with most allocations (on all its threads)."""
    ev, sites, pools, leaks, lk, lk2, npools = f.ev, f.sites, f.pools, f.leaks, f.lk, f.lk2, f.npools
    if lk is not None:
        at = _leak_where(lk, npools)
        leak = f"LEAK in {f.by_stack or lk['name']}{at}: {lk['count']} x {lk['sizes']} = {lk['bytes']} B never freed"
        if lk2 is not None:
            at2 = _leak_where(lk2, npools)
            leak += f"; a second LEAK in {lk2['name']}{at2}: {lk2['count']} x {lk2['sizes']} = {lk2['bytes']} B"
    elif f.n_never:
        leak = f"no steady leak ({f.n_never} allocations, {f.b_never} B, still live at the end)"
    else:
        leak = "no leak (everything freed)"
    if f.grows is not None:
        i = int(f.grows["site"])
        leak += f"; {sites['name'][i]} GROWS until exit: {_size(f.grows['bytes'])} made steadily, freed only at exit"
    if f.doubling is not None:
        i, rows = int(f.doubling["site"]), f.doubling["rows"]
        leak += (
            f"; {sites['name'][i]} GROWS one buffer all run: {_size(int(ev.size[rows[0]]))} -> "
            f"{_size(int(ev.size[rows[-1]]))} in {len(rows)} steps, each twice the last, freed only at exit"
        )
    bounded = np.flatnonzero(leaks["bounded"])
    if len(bounded):
        i = int(leaks["site_id"][bounded[0]])
        leak += f"; {sites['name'][i]} bounded at {_size(int(sites['never_freed_bytes'][i]))} (a cap, not a leak)"
    top = 0
    # the same code on several threads (a pool of workers): its allocations as a whole, the figure a user asks for
    same = np.flatnonzero(
        (np.asarray(sites["path"]) == sites["path"][top]) & (np.asarray(sites["pool"]) == sites["pool"][top])
    )
    n_threads = len({str(x) for x in np.asarray(sites["thread"])[same]})
    allocs = int(np.sum(sites["allocs"][same]))
    per_frame = float(np.sum(sites["allocs_per_gameplay_frame"][same]))
    per = f", {per_frame:.1f} per gameplay frame" if f.ngame else ""
    where = f"on {n_threads} threads: " if n_threads > 1 else ""
    churn = f.churn_site
    return (
        f"Memory ({f.total} allocations, {_size(int(ev.size.sum()))} allocated in all): {leak}; peak live "
        f"{_size(pools['peak_bytes'][f.allp])} "
        f"at {_t(pools['peak_ns'][f.allp])}; most allocations: {sites['name'][top]} ({where}{allocs}{per}, "
        f"median {sites['median_size_bytes'][top]} B"
        + (
            f"; by callstack {churn[0].split(' (')[0]}"
            if churn is not None and churn[1] >= CALL_SITE_SHARE * churn[2]
            else ""
        )
        + ")"
        + (f"; {f.most_bytes}" if f.most_bytes else "")
        + "."
    )


def _leak_where(lk: dict[str, Any], npools: int) -> str:
    """' (pool FXPool, on 2 threads)' for a leak group: its pool when the capture has several, its threads when
    several; '' when neither says anything."""
    held = [f"pool {lk['pool']}"] if npools > 1 else []
    held += [f"on {len(lk['threads'])} threads"] if len(lk["threads"]) > 1 else []
    return f" ({', '.join(held)})" if held else ""


def _leak_group(leaks: dict[str, Any], sites: dict[str, Any], j: int) -> dict[str, Any]:
    """The steady leak of row `j` of the leaks table together with the other steady rows of the same zone and
    pool, on other threads (a pool of workers leaking in the same code) or reached from other callers (one function
    that leaks whoever calls it): totals, span, threads, paths and sizes."""
    i = int(leaks["site_id"][j])
    same = np.flatnonzero(leaks["steady"] & (leaks["name"] == sites["name"][i]) & (leaks["pool"] == sites["pool"][i]))
    ids = leaks["site_id"][same].astype(I64)
    lo, hi = int(leaks["min_size_bytes"][same].min()), int(leaks["max_size_bytes"][same].max())
    by_path: dict[str, int] = {}
    for k in ids.tolist():
        by_path[str(sites["path"][k])] = by_path.get(str(sites["path"][k]), 0) + int(sites["never_freed"][k])
    paths = sorted(by_path.items(), key=lambda kv: -kv[1])
    return {
        "name": sites["name"][i],
        # several callers: each path with its blocks never freed, most first
        "path": paths[0][0] if len(paths) == 1 else "; ".join(f"{p} ({n})" for p, n in paths),
        "pool": sites["pool"][i],
        "ids": ids,
        "threads": sorted({str(x) for x in sites["thread"][ids].tolist()}),
        "count": int(sites["never_freed"][ids].sum()),
        "bytes": int(sites["never_freed_bytes"][ids].sum()),
        "allocs": int(sites["allocs"][ids].sum()),
        "first": int(sites["first_leak_ns"][ids].min()),
        "last": int(sites["last_leak_ns"][ids].max()),
        "sizes": _sizes(leaks, j) if len(same) == 1 else f"{lo} B" if lo == hi else f"{lo}-{hi} B",
    }


def _t(ns: int) -> str:
    return f"{ns / 1e9:.3f} s"


def _sizes(sites: dict[str, Any], i: int) -> str:
    """Size or size range of a row of the sites (or leaks) table."""
    lo, hi = sites["min_size_bytes"][i], sites["max_size_bytes"][i]
    return f"{lo} B" if lo == hi else f"{lo}-{hi} B (median {sites['median_size_bytes'][i]} B)"


def _per_frame(sites: dict[str, Any], i: int, nframes: int, ngame: int) -> str:
    """The overall rate per gameplay frame first (the one to quote), then the rate in the frames it allocates in."""
    if not nframes or sites["frames_active"][i] == 0:
        return ""
    rng = f"min {sites['min_per_frame'][i]}, max {sites['max_per_frame'][i]}"
    per_active = sites["allocs_per_frame"][i]
    n_active = sites["frames_active"][i]
    active = f"{per_active:.1f} per active frame (it allocates in {n_active} of all {nframes} frames; {rng})"
    if not ngame:
        return f", {active}"
    overall = sites["allocs_per_gameplay_frame"][i]
    if abs(overall - per_active) <= 0.01 * per_active:  # allocates in every gameplay frame: one rate
        return f", {overall:.1f} per gameplay frame ({ngame} gameplay frames; {rng})"
    return f", {overall:.1f} per gameplay frame overall ({ngame} gameplay frames); {active}"


def _per_loop_run(ctx: Capture, ev: _Events, site: np.ndarray, sites: dict[str, Any], i: int, ngame: int) -> str:
    """'; about N per run of <root>' when the site's path starts in a loop of its thread's own (an audio callback,
    a job) that runs at another rate than the frames: the rate a user of that loop thinks in."""
    root = str(sites["path"][i]).split(" > ")[0]
    if root == sites["name"][i] or root == NO_ZONE:
        return ""
    mine = np.flatnonzero(site == i)
    th = int(ev.thread[mine[0]])
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(root))
    rows = rows[(t.owner[rows] == th) & (t.start[rows] <= ev.t_alloc[mine[-1]]) & (t.end[rows] >= ev.t_alloc[mine[0]])]
    runs = int((t.depth[rows] == t.depth[rows].min()).sum()) if len(rows) else 0
    if runs < LOOP_RUNS or (ngame and abs(runs - ngame) <= LOOP_RATE * ngame):
        return ""
    return f"; about {len(mine) / runs:.1f} per run of {root} ({runs} runs on {sites['thread'][i]})"


def _freed_where(ctx: Capture, ev: _Events, mine: np.ndarray, in_zone: int, by_bytes: bool = False) -> str:
    """'; freed mostly in X (n% of its frees)' when most of a site's frees happen after its allocating zone ended:
    the innermost zone open on the freeing thread at the free, over a sample of them; '' otherwise. `by_bytes`:
    the zone freeing the most bytes (one large block outweighs many small ones)."""
    freed = np.flatnonzero(mine & (ev.t_free >= 0) & (ev.free_thread >= 0))
    if len(freed) == 0 or in_zone >= 0.5 * len(freed):
        return ""
    freed = freed[np.unique(np.linspace(0, len(freed) - 1, min(len(freed), 2000)).astype(I64))]
    zone = innermost(ctx, ev.t_free[freed], ev.free_thread[freed])
    weight = ev.size[freed].astype(np.float64) if by_bytes else np.ones(len(freed))
    total = float(weight.sum())
    weight = weight[zone >= 0]
    zone = zone[zone >= 0]
    if len(zone) == 0 or total <= 0:
        return ""
    names = ctx._srclocs().name
    vals, idx = np.unique(ctx._cpu().srcloc[zone], return_inverse=True)
    cnt = np.bincount(idx, weights=weight)
    top = int(np.argmax(cnt))
    of = "of the bytes freed" if by_bytes else "of its frees"
    return f"; freed mostly in {names[int(vals[top])]} ({cnt[top] / total:.0%} {of})"


def _size_mix(size: np.ndarray) -> str:
    """The mean and the most common sizes of a site's allocations with their shares ("mean 42.4 B; 40 B 30%, 32 B
    20%, ..."), when a few sizes cover most of them; '' when the sizes are spread wide or there is one size."""
    if len(size) < 2:
        return ""
    vals, cnt = np.unique(size, return_counts=True)
    if len(vals) < 2:
        return ""
    order = np.argsort(-cnt, kind="stable")[:SIZES_SHOWN]
    if cnt[order].sum() < SIZES_COVER * len(size):
        return f"mean {float(size.mean()):.1f} B, spread over {len(vals)} sizes"
    parts = ", ".join(f"{int(vals[k])} B {cnt[k] / len(size):.0%}" for k in order)
    return f"mean {float(size.mean()):.1f} B; {parts}"


def _frees_nothing(ctx: Capture, ev: _Events, leak: str, leaked: int = 0) -> str:
    """The leaking zone's siblings by name ("Decals::Expire" beside "Decals::SpawnImpactDecal") that run often and
    never have a free inside them: where the leaked blocks would be freed, if the code's names say so; one that
    runs exactly once per leaked block (`leaked`) is said to drop one each time."""
    scope, sep, _ = leak.rpartition("::")
    if not sep:
        return ""
    sl = ctx._srclocs()
    t = ctx._cpu()
    freed = np.flatnonzero((ev.t_free >= 0) & (ev.free_thread >= 0))
    if len(freed) > FREE_SAMPLE:
        freed = freed[np.linspace(0, len(freed) - 1, FREE_SAMPLE).astype(I64)]
    zone = innermost(ctx, ev.t_free[freed], ev.free_thread[freed])
    zone = zone[zone >= 0]
    inside: set[int] = set()  # names of the zones a free happens in and of the zones around them: not idle
    for z in np.unique(zone).tolist():
        while z >= 0:
            inside.add(int(sl.name_idx[t.srcloc[z]]))
            z = int(t.parent[z])
    allocs = ev.zone[ev.zone >= 0]  # zones that allocate are not where blocks get released
    inside |= {int(k) for k in np.unique(sl.name_idx[t.srcloc[allocs]]).tolist()}
    runs = np.bincount(sl.name_idx[t.srcloc[t.valid]], minlength=len(sl.names))
    quiet = [
        (sl.names[k], int(runs[k]))
        for k in range(len(sl.names))
        if sl.names[k].startswith(scope + "::") and sl.names[k] != leak and k not in inside and runs[k] >= MIN_RUNS
    ]
    if not quiet:
        return ""
    quiet.sort(key=lambda x: -x[1])
    them = "them" if len(quiet[:3]) > 1 else "it"
    once = next((n for n, c in quiet if leaked and c == leaked), "")
    return (
        f"Frees nothing: {', '.join(f'{n} ({c} runs)' for n, c in quiet[:3])}, beside {leak}: no allocation is "
        f"ever freed inside {them} (where the leaked blocks would be released?)."
        + (
            f" {once} runs exactly as often as blocks leaked ({leaked}): each run drops one block without freeing it."
            if once
            else ""
        )
    )


def _grows_until_exit(ctx: Capture, ev: _Events, site: np.ndarray, sites: dict[str, Any]) -> dict[str, Any] | None:
    """The site whose blocks pile up all run and are freed only at exit (a cache or list nothing bounds while the
    program runs: a leak in all but name), the largest by bytes; None when there is none."""
    cut = _exit_cut(ctx)
    kept = (ev.t_alloc < cut) & (ev.t_free >= cut)
    if kept.sum() < GROWTH_MIN or markless(ctx):  # a batch job without a loop may well gather until it ends
        return None
    span = max(int(ctx.get_last_time()) - int(ctx.get_first_time()), 1)
    live_at_cut = int(ev.size[(ev.t_alloc < cut) & ((ev.t_free < 0) | (ev.t_free >= cut))].sum())
    best: dict[str, Any] | None = None
    ids, counts = unique_counts(site[kept])
    for i, n in zip(ids.tolist(), counts.tolist(), strict=True):
        mine = kept & (site == i)
        t = ev.t_alloc[mine]
        a0, a1 = int(t.min()), int(t.max())
        nbytes = int(ev.size[mine].sum())
        if n < GROWTH_MIN or a1 - a0 < STEADY_SPREAD * span or nbytes < GROWTH_SHARE * live_at_cut:
            continue
        if np.histogram(t, bins=GROWTH_PARTS, range=(a0, a1))[0].min() < n / GROWTH_PARTS / 3:
            continue  # bursts (level loads), not a steady pile-up
        if not _rising(ev, site == i, a0, a1, nbytes):
            continue  # a cache at its cap: it frees its oldest as it adds
        if best is None or nbytes > best["bytes"]:
            best = {"site": i, "mask": mine, "count": n, "bytes": nbytes, "first": a0, "last": a1}
    return best


def _doubling_buffer(ctx: Capture, ev: _Events, site: np.ndarray, peak: int) -> dict[str, Any] | None:
    """The site that reallocates one buffer ever larger across the run (a vector, a log, a history with no cap):
    its blocks in order each 1.4-2.1x the last, each freed once the next exists, the last live until the exit;
    the largest by its last block, or None. No leak check sees it: each old block is freed, and the last at exit."""
    cut = _exit_cut(ctx)
    best: dict[str, Any] | None = None
    order = np.lexsort((ev.t_alloc, site))  # each site's blocks in the order they were made, sites one after another
    bounds = np.flatnonzero(np.r_[True, site[order][1:] != site[order][:-1], True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi - lo < DOUBLING_MIN:
            continue
        rows = order[lo:hi]
        i = int(site[rows[0]])
        size = ev.size[rows].astype(np.float64)
        k = j = int(np.argmax(size))  # the largest block, and back from it while each one before is a smaller step
        while j > 0 and 1.4 <= size[j] / max(size[j - 1], 1.0) <= 2.1:
            j -= 1
        chain = rows[j : k + 1]
        if len(chain) < DOUBLING_MIN:
            continue
        sz = ev.size[chain].astype(np.float64)
        ratio = sz[1:] / np.maximum(sz[:-1], 1.0)
        tf, ta = ev.t_free[chain], ev.t_alloc[chain]
        moved = (tf[:-1] >= ta[1:]) & (tf[:-1] >= 0)
        last_kept = tf[-1] < 0 or tf[-1] >= cut
        if not (np.all((ratio >= 1.4) & (ratio <= 2.1)) and moved.mean() >= 0.9 and last_kept):
            continue
        if sz[-1] < DOUBLING_PEAK * peak or (best is not None and sz[-1] <= best["last_size"]):
            continue
        best = {"site": i, "rows": chain, "last_size": float(sz[-1])}
    return best


def _doubling_text(ctx: Capture, ev: _Events, sites: dict[str, Any], d: dict[str, Any]) -> str:
    """The GROWING BUFFER line of a _doubling_buffer result."""
    i, rows, first = int(d["site"]), d["rows"], int(ctx.get_first_time())
    ta, tf = ev.t_alloc[rows], ev.t_free[rows]
    steps = ", ".join(_t(int(x) - first) for x in ta[-4:].tolist())
    last = np.zeros(len(ev.size), bool)
    last[rows[-1]] = True
    freed = f"live until {_t(int(tf[-1]) - first)}{_freed_where(ctx, ev, last, -1)}" if tf[-1] >= 0 else "never freed"
    return (
        f"GROWING BUFFER: {sites['name'][i]} ({sites['thread'][i]}, pool {sites['pool'][i]}) reallocates one buffer "
        f"ever larger: {len(rows)} blocks from {_size(int(ev.size[rows[0]]))} to {_size(int(ev.size[rows[-1]]))}, "
        f"each about twice the last and freed once the next is made (the latest at {steps}); the last is {freed}. "
        f"What it holds (a log, a history, a list with no cap) grows all run: no leak check sees it, as every block "
        f"is freed, the last at exit; the next step would be {_size(2 * int(ev.size[rows[-1]]))}. Path "
        f"{sites['path'][i]}"
    )


def _rising(ev: _Events, mine: np.ndarray, a0: int, a1: int, nbytes: int) -> bool:
    """Whether a site's live bytes rise in every part of [a0, a1] by at least a third of an even share of `nbytes`."""
    ta, tf, sz = ev.t_alloc[mine], ev.t_free[mine], ev.size[mine]
    ts = np.linspace(a0, a1, GROWTH_PARTS + 1)
    live = np.asarray([sz[(ta <= t) & ((tf < 0) | (tf > t))].sum() for t in ts.tolist()], float)
    return bool(np.all(np.diff(live) >= nbytes / GROWTH_PARTS / 3))


def _growth_text(ctx: Capture, ev: _Events, site: np.ndarray, sites: dict[str, Any], g: dict[str, Any]) -> str:
    i, first = int(g["site"]), int(ctx.get_first_time())
    took = max((g["last"] - g["first"]) / 1e9, 1e-9)
    freed_at = int(ev.t_free[g["mask"]].min())
    where = _freed_where(ctx, ev, g["mask"] & (ev.free_thread >= 0), -1, by_bytes=True).removeprefix(
        "; freed mostly in "
    )
    return (
        f"GROWS UNTIL EXIT: {sites['name'][i]} ({sites['thread'][i]}, pool {sites['pool'][i]}) — {g['count']} "
        f"allocations, {_size(g['bytes'])}, made steadily from {_t(g['first'] - first)} to {_t(g['last'] - first)} "
        f"(+{_size(int(g['bytes'] / took))} per second, {_size(int(g['bytes'] / took * 3600))} an hour if it keeps "
        f"on) and none freed while the program ran: all freed at exit (from {_t(freed_at - first)}"
        f"{', in ' + where if where else ''}). Nothing bounds it while it runs (a cache or list without a cap): a "
        f"leak in all but name{_leak_sites_text(ctx, ev, site, np.asarray([i]), kept=g['mask'])}"
    )


def _freed_at_exit(ctx: Capture, ev: _Events) -> str:
    """When a notable part of what was live at the end is freed only in the last moments of the capture (a
    shutdown that empties caches): how much, when, and in which zone; '' otherwise."""
    if len(ev.t_alloc) == 0:
        return ""
    first, last = int(ctx.get_first_time()), int(ctx.get_last_time())
    cut = _exit_cut(ctx)
    late = (ev.t_free >= cut) & (ev.t_alloc < cut)
    held = int(ev.size[(ev.t_alloc < cut) & ((ev.t_free < 0) | (ev.t_free >= cut))].sum())
    freed = int(ev.size[late].sum())
    age = float(np.median(ev.t_free[late] - ev.t_alloc[late])) if late.any() else 0.0
    # many, long-held, a large part of what was live: an emptying on exit, not the last round of everyday frees
    if late.sum() < AT_EXIT_COUNT or age < AT_EXIT_AGE * (last - first) or freed < AT_EXIT_SHARE * max(held, 1):
        return ""
    held_long = late & (ev.t_free - ev.t_alloc >= AT_EXIT_AGE * (last - first))  # not the last everyday frees
    mine = held_long & (ev.free_thread >= 0)
    where = _freed_where(ctx, ev, mine, -1, by_bytes=True).removeprefix("; freed mostly in ")
    n_long, rest = int(held_long.sum()), int(late.sum() - held_long.sum())
    return (
        f"Freed at exit: {n_long} allocation{'s' if n_long != 1 else ''}, {_size(int(ev.size[held_long].sum()))}, "
        f"held since {_t(int(ev.t_alloc[held_long].min()) - first)} and freed after {_t(cut - first)}"
        f"{' in ' + where if where else ''}: held until shutdown (a cache or pool emptied on exit), not freed while "
        "the program ran" + (f" ({rest} short-lived blocks were freed then too)" if rest else "") + "."
    )


def _fate(sites: dict[str, Any], i: int) -> str:
    if sites["never_freed"][i]:
        return f"{sites['never_freed'][i]} never freed"
    inside = sites["freed_in_zone"][i] / sites["allocs"][i]
    return (
        f"all freed ({inside:.0%} before their allocating zone ended; each lives a median "
        f"{fmt_ns(int(sites['median_lifetime_ns'][i]))})"
    )
