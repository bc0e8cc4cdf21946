"""ctx.lock_contention(): which locks make threads wait, for how long, who waits, and what runs while they are held.

Built from each lock's event list (Wait / Obtain / Release, and their Shared forms) as one row per acquisition
(lock_timeline.py). A lock counts as contended only when a thread waited while another thread held it ("blocked"
time); a busy lock that is never held by one thread while another waits is reported as not contended, below every
contended lock however often it is taken.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.cpu_runs import host_cores, thread_runs, who_ran
from tracy_mcp.analysis.formatting import fmt_ns, name_list
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.grouping import group_ids
from tracy_mcp.analysis.lock_timeline import Acquisitions, acquisitions, covered, intersect, union
from tracy_mcp.analysis.locks import OBTAIN, OBTAIN_SHARED, RELEASE, WAIT, WAIT_SHARED
from tracy_mcp.analysis.program_messages import logged_in_each, sys_trace_off
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.wait_zones import wait_zones, wrapper_rows
from tracy_mcp.analysis.zone_at import covering, innermost, resolve_threads
from tracy_mcp.analysis.zone_paths import leaf, path_groups
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
LOCK_TYPES = ("Lockable", "SharedLockable")
TURNS = 0.8  # a thread holding the lock this share of its time between requests: the threads take turns
OCCASIONAL = 0.05  # a thread taking the lock under this share of the busiest taker's acquisitions: not compared
STARVED_WAIT_NS = 5_000_000  # an exclusive wait this long on a reader/writer lock...
STARVED_MIN = 3  # ...at least this many times,
STARVED_READERS = 3  # ...that lets a median of this many shared acquisitions through: the writer starves
LOCK_THREADS = 64  # Tracy keeps a lock's events for at most this many threads (its wait list is a 64-bit mask)
ONE_BLOCKER = 0.6  # one thread's holds behind this share of the time blocked: it is the one making others wait
HOLDER_PREEMPTED = 0.5  # a holder runnable but not running (or asleep) this share of the time others wait for it
PER_THREAD = (
    "acquisitions",
    "wait_ns",
    "max_wait_ns",
    "blocked_ns",
    "contended_acquisitions",
    "hold_ns",
    "blocking_ns",
)
MAX_WAITS = 200  # the longest waits in the windows say who held the lock
# blocked for less than this in all (or this share of the window, when that is less) is no contention
NEGLIGIBLE_NS = 5_000_000
NEGLIGIBLE_SHARE = 0.001
EXCLUSIVE = " (exclusive)"  # after a thread name: it holds a reader/writer lock as the writer
HOLDER_SHARE = 0.9  # a holder's zone is the deepest that runs through this share of its holds (a child taking 84%
# of a defragment's hold is one step of it, not what the hold is)
HELD_RUNS = 0.5  # a zone running this share of a lock's held time is what its holders run while holding it
POOL_CHAIN_SHARE = 0.25  # threads taking turns with a lock wait this share of their blocking holds for another...
POOL_CHAIN_THREADS = 8  # ...(the most blocking holders looked at)
CHAIN_SHARE = 0.5  # a holder that waits for another lock this share of its holds is a link of a chain
CHAIN_DEPTH = 4  # links followed at most
EPISODES = 100  # blocked waits from at most this many of the blocker's holds are told as stalls, one by one
IN_EACH = 0.8  # a message logged in this share of the stalls (or right after) is quoted with them
LOGGED_AFTER = 5_000_000  # ns after a stall's hold in which a message still belongs to it


@attrs.define(repr=False)
class LockContention(Report):
    """Per lock (`table`), per lock and thread (`tables["threads"]`), the zones run while each lock is held
    (`tables["held_zones"]`), the zones that wait for it (`tables["wait_zones"]`) and the top-level zones those
    waits happen in (`tables["wait_roots"]`: how much of the enclosing job the wait is)."""


@attrs.define
class _LockData:
    row: int
    name: str
    type: str
    tids: list[int]
    thread_rows: np.ndarray
    thread_names: list[str]
    acq: Acquisitions
    blocked: np.ndarray
    held_start: np.ndarray
    held_end: np.ndarray
    per_thread: dict[str, np.ndarray] | None = None  # _per_thread's result, made once


def lock_contention(
    ctx: Capture,
    lock: str | None = None,
    *,
    thread: Any = None,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> LockContention:
    """Which locks make threads wait: per lock acquisitions, total / mean / p99 / max wait, time blocked by
    another holder, held time; per lock and thread; the zones run while it is held and the zones that wait.
    Contended locks first; a lock never held by one thread while another waited is reported as not contended.
    Restrict to one `lock` (name), the locks a `thread` (name / thread_id / OS tid) takes, or events in
    [start_ns, end_ns)."""
    rows = ctx._lock_rows()
    if lock is not None:  # a name (every lock so named) or one instance's label ("Shard::mutex #7")
        names = {r: ctx._lock_name(r) for r in rows}
        labels = ctx._lock_labels()
        rows = [r for r in rows if lock in (names[r], labels.get(r))]
        if not rows:
            known = ", ".join(sorted(set(names.values()))) or "none recorded"
            raise NotFoundError(f"no lock named {lock!r} (locks: {known})")
    first, last = int(ctx.get_first_time()), int(ctx.get_last_time())
    lo = first if start_ns is None else max(int(start_ns), first)
    hi = last if end_ns is None else min(int(end_ns), last)
    span = hi - lo  # shares of held time are of the window asked about
    scope = "capture" if (lo, hi) == (first, last) else "window"
    want_rows = None if thread is None else set(resolve_threads(ctx, thread).tolist())
    locks = [_lock_data(ctx, r, start_ns, end_ns) for r in rows]
    if want_rows is not None:
        locks = [d for d in locks if want_rows & set(d.thread_rows.tolist())]
    locks = [d for d in locks if len(d.acq.time)]
    locks.sort(key=lambda d: (int(not _contended(d, span)), -int(d.blocked.sum()), -int(d.acq.wait.sum()), -_held(d)))
    tables = {
        "locks": _lock_table(ctx, locks, span),
        "threads": _thread_table(locks, want_rows),
        "held_zones": _held_zones(ctx, locks),
        "wait_zones": _wait_zones(ctx, locks),
        "wait_roots": _wait_roots(ctx, locks),
    }
    if not locks:
        recorded = ctx._db.rows("lock_events") > 0
        why = "no acquisitions match" if recorded else "none recorded (this capture has no lock events)"
        title, lines = f"Lock contention: {why}.", list[str]()
        declared = sorted({lk.name for lk in ctx.get_locks()})
        if not recorded and declared:
            title = (
                f"Lock contention: none: the capture declares {len(declared)} lock(s) but never takes one "
                f"({', '.join(declared[:5])}{', ...' if len(declared) > 5 else ''})."
            )
        if not recorded:
            lines.append(
                "Only locks wrapped by Tracy (TracyLockable, TracySharedLockable) record waits; a plain mutex or a "
                "condition variable does not"
                + (
                    ", and no context switches were recorded to show threads blocked there. Zones that wait for "
                    "other threads: ctx.thread_report()."
                    if not ctx._db.rows("ctx_switches")
                    else ": context switches show threads blocked there (ctx.thread_report())."
                )
            )
    else:
        title, lines = _summary(tables, max(span, 1), host_cores(ctx), ctx._db.rows("ctx_switches"), scope)
        title, lines = _thread_cap(ctx, locks, tables, title, lines, lo, hi)
        stuck_title, stuck_lines = _stuck(ctx)
        if stuck_title:  # waits that never end: the program hung there, whatever else the locks did
            title = f"{stuck_title} {title}"
            lines[:0] = stuck_lines
        starved = [x for x in (_writer_starved(d) for d in locks) if x]
        if starved:  # readers that keep a shared lock busy while a writer waits: the wait's cause
            at = next((k for k, x in enumerate(lines) if x.startswith("2. ")), len(lines))
            lines.insert(at, starved[0])
            if starved[0].startswith(f"   {locks[0].name}: "):
                title = title[:-1] + "; the writer starves behind readers (below)."
        top = _rows(tables["locks"])[0]
        if top["contended"]:  # who waits for the waiters: the lock's cost reaches them too
            held_up = _held_up(ctx, [t["thread"] for t in _rows(tables["threads"]) if t["lock_id"] == top["id"]])
            if held_up:
                at = next((k for k, x in enumerate(lines) if x.startswith("2. ")), len(lines))
                lines.insert(at, held_up)
        off = sys_trace_off(ctx) if not ctx._db.rows("ctx_switches") else ""
        if off:  # why none were recorded, as the profiler logged it
            lines = [
                x.replace(
                    "record context switches to tell", f'record context switches to tell (the capture\'s log: "{off}")'
                )
                for x in lines
            ]
        idle = len(ctx._lock_rows()) - len(locks) if lock is None and thread is None else 0
        if idle > 0 and start_ns is None and end_ns is None:  # declared (or never taken): counted apart
            lines.append(f"{idle} more lock(s) declared but never taken; ctx.get_locks() lists every lock.")
    rep = LockContention(title=title, lines=lines, table=frame(tables["locks"]))
    for k in ("threads", "held_zones", "wait_zones", "wait_roots"):
        rep.tables[k] = frame(tables[k])
    return rep


def _stuck(ctx: Capture) -> tuple[str, list[str]]:
    """Waits for a lock that never end (the capture ends first) and who holds each lock then: a cycle of threads
    each holding a lock the next waits for is a deadlock. (title prefix, lines); ("", []) when every wait ended."""
    labels = ctx._thread_labels()
    last = int(ctx.get_last_time())
    waiting: dict[int, tuple[int, int]] = {}  # thread row -> (lock row, since)
    holder: dict[int, tuple[int, int]] = {}  # lock row -> (thread row, since)
    for r in ctx._lock_rows():
        times, th, ty = ctx._lock_events(r)
        if len(times) == 0:
            continue
        db = ctx._db
        b = int(db.col("locks", "threads_begin")[r])
        e = int(db.col("locks", "threads_end")[r])
        rows = db.col("lock_threads", "thread")[b:e].astype(I64)
        for k in np.unique(th).tolist():
            if k >= len(rows):
                continue
            mine = np.flatnonzero(th == k)
            kinds = ty[mine]
            waits = mine[(kinds == WAIT) | (kinds == WAIT_SHARED)]
            gets = mine[(kinds == OBTAIN) | (kinds == OBTAIN_SHARED)]
            if len(waits) and (not len(gets) or times[waits[-1]] > times[gets[-1]]):
                waiting[int(rows[k])] = (r, int(times[waits[-1]]))
        ob = np.flatnonzero(ty == OBTAIN)
        rel = np.flatnonzero(ty == RELEASE)
        if len(ob) and (not len(rel) or times[rel[-1]] < times[ob[-1]]) and int(th[ob[-1]]) < len(rows):
            holder[r] = (int(rows[int(th[ob[-1]])]), int(times[ob[-1]]))
    if not waiting:
        return "", []
    names = ctx._lock_labels()

    def where(thread: int, t: int) -> str:
        z = int(innermost(ctx, np.asarray([t], I64), np.asarray([thread], I64))[0])
        return f" in {ctx._srclocs().name[int(ctx._cpu().srcloc[z])]}" if z >= 0 else ""

    def link(thread: int) -> str:
        lock, since = waiting[thread]
        held = holder.get(lock)
        by = (
            f", held by {labels[held[0]]} since {(held[1] - ctx.get_first_time()) / 1e9:.3f} s{where(*held)}"
            if held is not None
            else ""
        )
        return (
            f"{labels[thread]} waits for {names[lock]} from {(since - ctx.get_first_time()) / 1e9:.3f} s"
            f"{where(thread, since)}{by}"
        )

    # follow waits -> holders from each waiting thread: a path that comes back is a deadlock
    for start in sorted(waiting):
        path, t = [start], start
        while t in waiting and waiting[t][0] in holder:
            t = holder[waiting[t][0]][0]
            if t == start:
                since = max(waiting[x][1] for x in path)
                lines = [f"DEADLOCK: {'; '.join(link(x) for x in path)}."]
                lines.append(
                    f"   Each holds a lock the next waits for, so no wait ends: the capture ends "
                    f"{fmt_ns(last - since)} after the last of them began, with these waits still open (take the "
                    "locks in one order everywhere, or release one before asking for the other)."
                )
                cycle = "; ".join(
                    f"{labels[x]} waits for {names[waiting[x][0]]} (held by {labels[holder[waiting[x][0]][0]]})"
                    for x in path
                )
                return f"DEADLOCK: {cycle}: no wait ends ({fmt_ns(last - since)} to the capture's end).", lines
            if t in path:
                break
            path.append(t)
    shown = [link(x) for x in sorted(waiting)][:4]
    since = min(w[1] for w in waiting.values())
    return (
        f"Stuck: {len(waiting)} wait(s) for a lock never ended (the capture ends {fmt_ns(last - since)} after the "
        "first began).",
        [f"Waits that never ended: {'; '.join(shown)}."],
    )


def _writer_starved(d: _LockData) -> str:
    """A reader/writer lock whose exclusive waits are long while readers keep taking it shared meanwhile (a lock
    that lets new readers in past a waiting writer): who waits, how long, how many shared acquisitions got through
    during each wait; '' otherwise."""
    a = d.acq
    if not a.shared.any():
        return ""
    long_ex = np.flatnonzero(~a.shared & (a.wait >= STARVED_WAIT_NS))
    if len(long_ex) < STARVED_MIN:
        return ""
    shared_t = np.sort(a.time[a.shared])
    through = np.searchsorted(shared_t, a.time[long_ex], "left") - np.searchsorted(
        shared_t, a.wait_start[long_ex], "right"
    )
    if float(np.median(through)) < STARVED_READERS:
        return ""
    writers = sorted({d.thread_names[int(k)] for k in a.thread[long_ex].tolist()})
    readers = sorted({d.thread_names[int(k)] for k in a.thread[a.shared].tolist()})
    w = a.wait[long_ex]
    return (
        f"   {d.name}: the writer starves: {name_list(writers)}'s exclusive waits of {fmt_ns(STARVED_WAIT_NS)} or more "
        f"({len(long_ex)}, {fmt_ns(int(w.min()))}-{fmt_ns(int(w.max()))}, {fmt_ns(int(w.sum()))} in all) each let a "
        f"median {float(np.median(through)):.0f} shared acquisitions by {name_list(readers)} through: readers keep "
        "taking it while the writer waits (a lock that prefers readers), so the wait lasts as long as their burst, "
        "not one hold"
    )


def lock_wait_in_zones(ctx: Capture, lo: int, hi: int, skip: set[tuple[int, int]]) -> dict[int, int]:
    """Per thread_id: time in [lo, hi) spent waiting for any lock inside the self time of a zone, the time a thread
    report counts as busy: the wait starts in a zone that neither wraps its thread nor is in `skip` ((thread_id,
    srcloc) pairs already counted as waiting), and is cut at that zone's end."""
    tree = ctx._cpu()
    if tree.n == 0:
        return {}
    ws, we, tr = [], [], []
    for r in ctx._lock_rows():
        d = _lock_data(ctx, r, None, None)
        sel = np.flatnonzero((d.acq.wait > 0) & (d.acq.time > lo) & (d.acq.wait_start < hi))
        if len(sel):
            ws.append(d.acq.wait_start[sel])
            we.append(d.acq.time[sel])
            tr.append(d.thread_rows[d.acq.thread[sel]])
    if not ws:
        return {}
    start, end, trow = np.concatenate(ws), np.concatenate(we), np.concatenate(tr).astype(I64)
    start = np.maximum(start, lo)
    zone = innermost(ctx, start, trow)
    ok = zone >= 0
    ok[ok] &= ~np.isin(zone[ok], wrapper_rows(ctx))
    if skip:
        key = trow * (tree.nsrc + 1) + tree.srcloc[np.maximum(zone, 0)]
        skipped = np.asarray([t * (tree.nsrc + 1) + s for t, s in skip], I64)
        ok &= ~np.isin(key, skipped)
    zend = np.where(tree.valid[np.maximum(zone, 0)], tree.end[np.maximum(zone, 0)], hi)
    dur = np.minimum(np.minimum(end, hi), zend) - start
    keep = ok & (dur > 0)
    per = np.bincount(trow[keep], weights=dur[keep])
    return {int(k): int(v) for k, v in enumerate(per.tolist()) if v > 0}


@attrs.frozen
class WindowWaits:
    """One lock's waits by one thread inside a set of time windows (frames)."""

    lock: str
    wait_ns: np.ndarray  # per window: the thread's time waiting for the lock inside it
    zone: str  # the zone the thread waited in (most of that time)
    holder: str  # the thread that held the lock meanwhile (most of that time), "" when none did
    holder_zone: str  # the zone the holder was in then
    holder_row: int = -1  # its thread row
    held_starts: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))  # its holds over those waits
    held_ends: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))


def lock_waits_in_windows(ctx: Capture, thread_row: int, starts: np.ndarray, ends: np.ndarray) -> list[WindowWaits]:
    """Per lock the thread waited for inside the windows [starts[i], ends[i]): its wait per window, where it
    waited, and who held the lock meanwhile (the other thread whose hold overlapped those waits most, and the zone
    it was in). Locks without such waits are left out; most wait first."""
    out = []
    for r in ctx._lock_rows():
        d = _lock_data(ctx, r, None, None)
        mine = d.thread_rows[d.acq.thread] == thread_row
        sel = np.flatnonzero(mine & (d.acq.wait > 0))
        if not len(sel):
            continue
        ws, we = d.acq.wait_start[sel], d.acq.time[sel]
        lo, hi = starts[:, None], ends[:, None]
        ov = np.maximum(np.minimum(we[None, :], hi) - np.maximum(ws[None, :], lo), 0)  # [window, wait]
        per_window = ov.sum(axis=1)
        if per_window.sum() <= 0:
            continue
        used = np.flatnonzero(ov.sum(axis=0) > 0)
        weight = ov.sum(axis=0)[used].astype(np.float64)
        zone = innermost(ctx, ws[used], np.full(len(used), thread_row, I64))
        zone_name = _top_name(ctx, zone, weight)
        # who held it meanwhile: every other thread's hold overlapping each wait (the longest waits), by overlap
        other = np.flatnonzero(~mine & ~d.acq.nested)
        hs, he = d.acq.time[other], d.acq.hold_end[other]
        at, rows, amount, held_s, held_e = [], [], [], [], []
        for w in used[np.argsort(-weight, kind="stable")][:MAX_WAITS].tolist():
            a, b = int(ws[w]), int(we[w])
            hit = np.flatnonzero((hs < b) & (he > a))
            at.append(np.maximum(hs[hit], a))
            held_s.append(hs[hit])
            held_e.append(he[hit])
            rows.append(d.thread_rows[d.acq.thread[other[hit]]])
            amount.append(np.minimum(he[hit], b) - np.maximum(hs[hit], a))
        holder = holder_zone = ""
        top, h_s, h_e = -1, np.zeros(0, I64), np.zeros(0, I64)
        if at and sum(len(x) for x in at):
            t_row, t_ov = np.concatenate(rows).astype(I64), np.concatenate(amount)
            t_hs, t_he = np.concatenate(held_s).astype(I64), np.concatenate(held_e).astype(I64)
            top = int(np.argmax(np.bincount(t_row, weights=t_ov)))
            pick = t_row == top
            holder = ctx._thread_labels()[top]
            holder_zone = _holder_zone(ctx, t_hs[pick], t_he[pick], t_row[pick], t_ov[pick])
            h_s, idx = np.unique(t_hs[pick], return_index=True)  # a hold overlapping two waits counts once
            h_e = t_he[pick][idx]
        out.append(WindowWaits(d.name, per_window.astype(I64), zone_name, holder, holder_zone, top, h_s, h_e))
    out.sort(key=lambda w: -int(w.wait_ns.sum()))
    return out


@attrs.frozen
class ChainLink:
    """A lock holder that itself waits for another lock while holding the first."""

    thread: str  # the holder that waits
    lock: str  # the lock it waits for meanwhile
    wait_ns: int  # its wait for that lock inside those holds
    held_ns: int  # the holds' total length
    holder: str  # who holds that lock meanwhile ...
    holder_zone: str  # ... in which zone


def hold_chain(ctx: Capture, thread_row: int, starts: np.ndarray, ends: np.ndarray) -> list[ChainLink]:
    """Links of a lock chain from one holder's holds [starts, ends): while holding, it waits most of that time for
    another lock (CHAIN_SHARE), whose holder may in turn wait for a third; the last link's holder is the root. A
    holder that barely runs while others wait for it is itself waiting, and the chain names for what."""
    links: list[ChainLink] = []
    seen = {thread_row}
    labels = ctx._thread_labels()
    while len(links) < CHAIN_DEPTH and len(starts):
        if len(starts) > MAX_WAITS:  # the longest holds say what the holder waits for (and bound the work)
            keep = np.sort(np.argsort(starts - ends, kind="stable")[:MAX_WAITS])
            starts, ends = starts[keep], ends[keep]
        waits = lock_waits_in_windows(ctx, thread_row, starts, ends)
        if not waits:
            break
        w = waits[0]
        held, waited = int((ends - starts).sum()), int(w.wait_ns.sum())
        if w.holder_row < 0 or w.holder_row in seen or waited < CHAIN_SHARE * held:
            break
        links.append(ChainLink(labels[thread_row], w.lock, waited, held, w.holder, w.holder_zone))
        seen.add(w.holder_row)
        thread_row, starts, ends = w.holder_row, w.held_starts, w.held_ends
    return links


def chain_text(links: list[ChainLink]) -> str:
    """', which itself waits there for L2 (24.1 ms of those 26.5 ms holds), held by T3 in Z3, which ...' ("" when
    the holder does not wait)."""
    return "".join(
        f", which itself waits there for {x.lock} ({fmt_ns(x.wait_ns)} of those {fmt_ns(x.held_ns)} holds), held by "
        f"{x.holder}" + (f" in {x.holder_zone}" if x.holder_zone else "")
        for x in links
    )


def _held_up(ctx: Capture, threads: list[str]) -> str:
    """'   held up in turn: <thread> waits for them in <zone> ...' when another thread's wait zone waits for the
    lock's threads (an audio callback joining its DSP workers): their lock waits delay it as well."""
    ph = frame_phases(ctx)
    win = ph.window() if ph is not None and len(ph.gameplay) else None
    lo, hi = win if win is not None else (int(ctx.get_first_time()), int(ctx.get_last_time()))
    labels, names = ctx._thread_labels(), ctx._srclocs().names
    found = [
        f"{labels[w.thread_row]} waits for them in {names[w.name_idx]} (the work ending last before its waits end: "
        f"mostly {w.waits_for}'s)"
        for w in wait_zones(ctx, lo, hi, ph)
        if w.kind == "waits for other threads" and w.waits_for in threads and labels[w.thread_row] not in threads
    ]
    if not found:
        return ""
    return f"   held up in turn: {'; '.join(found[:2])}: their lock waits delay it too (ctx.thread_report())"


def _holder_zone(ctx: Capture, starts: np.ndarray, ends: np.ndarray, rows: np.ndarray, weight: np.ndarray) -> str:
    """The zone a holder ran in while holding the lock, over its longest holds (`covering`: the write that takes
    most of each hold, or the rebuild whose steps take turns in it)."""
    weight = np.asarray(weight, np.float64)
    pick = np.argsort(-weight, kind="stable")[:MAX_WAITS]
    name = _top_name(ctx, covering(ctx, starts[pick], ends[pick], rows[pick], HOLDER_SHARE), weight[pick])
    if not name:  # no zone holds a whole hold (a release stamped after the zone ended): the one at its middle
        mid = starts[pick] + (ends[pick] - starts[pick]) // 2
        name = _top_name(ctx, innermost(ctx, mid.astype(I64), rows[pick].astype(I64)), weight[pick])
    return name


def _top_name(ctx: Capture, zone: np.ndarray, weight: np.ndarray) -> str:
    """The zone name carrying most of the weight ('' when the rows are outside every zone)."""
    ok = zone >= 0
    if not ok.any():
        return ""
    idx = ctx._srclocs().name_idx[ctx._cpu().srcloc[zone[ok]]]
    best = np.bincount(idx, weights=weight[ok])
    return str(ctx._srclocs().names[int(np.argmax(best))])


# -- building the per-lock data -------------------------------------------------------------------------------------
def _lock_data(ctx: Capture, r: int, start_ns: int | None, end_ns: int | None) -> _LockData:
    """Lock row r's acquisitions and holds (events in [start_ns, end_ns)); the whole-capture one is made once per
    capture: thread_report, slow_frames and lock_contention all read it."""
    if start_ns is None and end_ns is None:
        return ctx._db.cached(("lock_data", r), lambda: _read_lock_data(ctx, r, None, None))
    return _read_lock_data(ctx, r, start_ns, end_ns)


def _read_lock_data(ctx: Capture, r: int, start_ns: int | None, end_ns: int | None) -> _LockData:
    db = ctx._db
    times, th, ty = ctx._lock_events(r)
    tids = ctx._lock_threads(r)
    b, e = int(db.col("locks", "threads_begin")[r]), int(db.col("locks", "threads_end")[r])
    thread_rows = db.col("lock_threads", "thread")[b:e].astype(I64)
    term = int(db.col("locks", "time_terminate")[r])
    end_time = term if term > 0 else int(ctx.get_last_time())
    if start_ns is not None or end_ns is not None:
        lo = np.iinfo(I64).min if start_ns is None else int(start_ns)
        hi = np.iinfo(I64).max if end_ns is None else int(end_ns)
        keep = (times >= lo) & (times < hi)
        times, th, ty = times[keep], th[keep], ty[keep]
        end_time = min(end_time, hi)
    # thread indices past the lock's list (damaged data) are dropped rather than guessed
    ok = th < len(tids)
    if not ok.all():
        times, th, ty = times[ok], th[ok], ty[ok]
    a = acquisitions(times, th, ty, end_time)
    own = ~a.nested
    held_s, held_e = union(a.time[own], a.hold_end[own])
    ex = own & ~a.shared
    ex_s, ex_e = union(a.time[ex], a.hold_end[ex])
    # time a waiter spent while the lock was held (by another thread: a thread does not wait for itself); a shared
    # waiter is blocked only by exclusive holders
    blocked = np.where(
        a.shared, covered(ex_s, ex_e, a.wait_start, a.time), covered(held_s, held_e, a.wait_start, a.time)
    )
    t = int(db.col("locks", "type")[r])
    return _LockData(
        row=r,
        name=ctx._lock_labels()[r],
        type=LOCK_TYPES[t] if t < 2 else "Unknown",
        tids=tids,
        thread_rows=thread_rows,
        thread_names=[ctx.get_thread_name(x) for x in tids],
        acq=a,
        blocked=blocked,
        held_start=held_s,
        held_end=held_e,
    )


def _contended(d: _LockData, span: int) -> bool:
    """Threads were blocked on it (held by another) for more than a trifle: a few µs of blocking in thousands of
    acquisitions (an unlucky overlap) is no contention to report."""
    return int(d.blocked.sum()) >= max(1, min(NEGLIGIBLE_NS, NEGLIGIBLE_SHARE * span))


def _held(d: _LockData) -> int:
    return int((d.held_end - d.held_start).sum())


def _lock_table(ctx: Capture, locks: list[_LockData], span: int) -> dict[str, Any]:
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "id",
            "name",
            "type",
            "contended",
            "acquisitions",
            "contended_acquisitions",
            "wait_ns",
            "mean_wait_ns",
            "p99_wait_ns",
            "max_wait_ns",
            "blocked_ns",
            "held_ns",
            "max_hold_ns",
            "threads",
            "blocker",
            "blocker_zone",
            "blocker_ns",
            "median_hold_ns",
            "median_gap_ns",
            "under_lock_share",
            "hold_zone",
            "hold_zone_share",
            "hold_zone_cover",
            "episodes",
            "blocker_cpu",
            "blocker_chain",
        )
    }
    for d in locks:
        w = d.acq.wait
        cols["id"].append(d.row)
        cols["name"].append(d.name)
        cols["type"].append(d.type)
        cols["contended"].append(_contended(d, span))
        cols["acquisitions"].append(len(w))
        cols["contended_acquisitions"].append(int((d.blocked > 0).sum()))
        cols["wait_ns"].append(int(w.sum()))
        cols["mean_wait_ns"].append(round(float(w.mean())) if len(w) else 0)
        cols["p99_wait_ns"].append(round(float(np.percentile(w, 99))) if len(w) else 0)
        cols["max_wait_ns"].append(int(w.max()) if len(w) else 0)
        cols["blocked_ns"].append(int(d.blocked.sum()))
        cols["held_ns"].append(_held(d))
        cols["max_hold_ns"].append(int(d.acq.hold.max()) if len(w) else 0)
        cols["threads"].append(", ".join(_threads_by_wait(d)))
        hold, gap, under = _turns(d)
        cols["under_lock_share"].append(under)
        cols["median_hold_ns"].append(hold)
        cols["median_gap_ns"].append(gap)
        who, zone, ns = _blocker(ctx, d)
        cols["blocker"].append(who)
        cols["blocker_zone"].append(zone)
        cols["blocker_ns"].append(ns)
        one = ns >= ONE_BLOCKER * int(d.blocked.sum())  # one thread makes the others wait: its holds, else all
        zone, share, cover = _hold_zone(ctx, d, who if one else "")
        cols["hold_zone"].append(zone)
        cols["hold_zone_share"].append(share)
        cols["hold_zone_cover"].append(cover)
        cols["episodes"].append(_episodes(ctx, d, who))
        cols["blocker_cpu"].append(_holder_cpu(ctx, d) if one else "")
        cols["blocker_chain"].append(
            chain_text(_blocker_chain(ctx, d)) if one and who else _pool_chain(ctx, d) if who else ""
        )
    return {k: np.asarray(v) if v else np.zeros(0) for k, v in cols.items()}


def _hold_zone(ctx: Capture, d: _LockData, holder: str) -> tuple[str, float, float]:
    """(zone, share of the holds, median share of that zone's run the hold takes): the innermost zone on the
    holder's thread that encloses a whole hold, the most common one over (a sample of) the holds of `holder` (the
    thread that makes the others wait; every thread's when ""); ("", 0, 0) when holds have no enclosing zone."""
    mine = ~d.acq.nested & (d.thread_rows[d.acq.thread] >= 0)
    holder = holder.removesuffix(EXCLUSIVE)  # a reader/writer lock's blocker is named as the writer
    if holder in d.thread_names:
        mine &= d.acq.thread == d.thread_names.index(holder)
    keep = np.flatnonzero(mine)
    if len(keep) == 0 or ctx._cpu().n == 0:
        return "", 0.0, 0.0
    keep = keep[np.unique(np.linspace(0, len(keep) - 1, min(len(keep), 500)).astype(I64))]
    t = ctx._cpu()
    start, end = d.acq.time[keep], d.acq.hold_end[keep]
    rows = innermost(ctx, start, d.thread_rows[d.acq.thread[keep]])
    found, cover = [], []
    for r, a, b in zip(rows.tolist(), start.tolist(), end.tolist(), strict=True):
        while r >= 0 and (not t.valid[r] or int(t.end[r]) < b):
            r = int(t.parent[r])
        if r >= 0:
            found.append(int(t.srcloc[r]))
            cover.append((b - a) / max(int(t.dur[r]), 1))
    if not found:
        return "", 0.0, 0.0
    vals, cnt = np.unique(np.asarray(found), return_counts=True)
    top = int(vals[int(np.argmax(cnt))])
    mine = np.asarray(found) == top
    return str(ctx._srclocs().name[top]), float(mine.sum() / len(keep)), float(np.median(np.asarray(cover)[mine]))


def _episodes(ctx: Capture, d: _LockData, holder: str) -> str:
    """When the others' blocked waits come from a few holds of `holder` (at most EPISODES): how many, how long
    each, how far apart, how many threads each blocked, and a message logged in (nearly) every one of them or
    right after: one line about the stalls, "" otherwise."""
    name = holder.removesuffix(EXCLUSIVE)
    if name not in d.thread_names:
        return ""
    a = d.acq
    h = d.thread_names.index(name)
    mine = np.flatnonzero((a.thread == h) & ~a.nested)
    other = np.flatnonzero((a.thread != h) & (a.wait > 0))
    if len(mine) == 0 or len(other) == 0:
        return ""
    hs, he = a.time[mine], a.hold_end[mine]
    ws, we = a.wait_start[other], a.time[other]
    # waits overlapping each hold: those starting before it ends, less those ended by its start (they started
    # before it too), counted on sorted copies: no pass over every wait per hold
    overlapping = np.searchsorted(np.sort(ws), he, "left") - np.searchsorted(np.sort(we), hs, "right")
    hit = overlapping > 0
    n = int(hit.sum())
    if n < 2 or n > EPISODES:
        return ""
    s, e = hs[hit], he[hit]
    held = (e - s).astype(np.float64)
    gaps = np.diff(s).astype(np.float64)
    # the threads blocked in each stall (at most EPISODES of them)
    waiters = np.asarray(
        [len(np.unique(a.thread[other[(ws < b) & (we > x)]])) for x, b in zip(s.tolist(), e.tolist(), strict=True)]
    )
    line = (
        f"{n} stalls: {holder} held it {_range_ns(held)} each (median {fmt_ns(float(np.median(held)))}), "
        f"{_range_ns(gaps)} apart, at {', '.join(f'{x / 1e9:.3f} s' for x in s[:4].tolist())}"
        f"{', …' if n > 4 else ''}; {_range_int(waiters)} thread{'s' if waiters.max() > 1 else ''} blocked in each"
    )
    logged = logged_in_each(ctx, s, e + LOGGED_AFTER, share=IN_EACH)
    return line + (f"; logged in each: {logged}" if logged else "")


def _range_ns(v: np.ndarray) -> str:
    lo, hi = float(v.min()), float(v.max())
    return fmt_ns(lo) if hi - lo <= 0.01 * max(hi, 1.0) else f"{fmt_ns(lo)}-{fmt_ns(hi)}"


def _range_int(v: np.ndarray) -> str:
    return str(int(v.min())) if v.min() == v.max() else f"{int(v.min())}-{int(v.max())}"


def _per_thread(d: _LockData) -> dict[str, np.ndarray]:
    """Per thread of the lock: acquisitions, wait, max wait, blocked, contended acquisitions, hold, blocking (made
    once per lock: several tables and lines read it)."""
    if d.per_thread is None:
        d.per_thread = _per_thread_columns(d)
    return d.per_thread


def _per_thread_columns(d: _LockData) -> dict[str, np.ndarray]:
    n = len(d.tids)
    th = d.acq.thread
    w = d.acq.wait
    maxw = np.zeros(n, I64)
    np.maximum.at(maxw, th, w)
    return {
        "acquisitions": np.bincount(th, minlength=n).astype(I64),
        "wait_ns": np.bincount(th, weights=w, minlength=n).astype(I64),
        "max_wait_ns": maxw,
        "blocked_ns": np.bincount(th, weights=d.blocked, minlength=n).astype(I64),
        "contended_acquisitions": np.bincount(th, weights=d.blocked > 0, minlength=n).astype(I64),
        "hold_ns": np.bincount(th, weights=d.acq.hold, minlength=n).astype(I64),
        "blocking_ns": _blocking(d),
    }


def _turns(d: _LockData) -> tuple[int, int, float]:
    """(median hold, median gap, share under the lock): how long a thread holds the lock per acquisition, how soon
    after releasing it the same thread asks for it again (-1 when no thread asks twice), and of the time from one
    request to a thread's next, the share it held the lock, over all of them (a few long gaps of work outside the
    lock count in full, where a median would hide them): near 1, the threads do their work under the lock and so
    take turns instead of running side by side."""
    a = d.acq
    own = ~a.nested
    if not own.any():
        return 0, -1, 0.0
    hold = int(np.median((a.hold_end - a.time)[own]))
    gaps, holds = [], []
    for th in np.unique(a.thread[own]).tolist():
        sel = np.flatnonzero(own & (a.thread == th))
        if len(sel) > 1:
            gaps.append(a.wait_start[sel[1:]] - a.hold_end[sel[:-1]])
            holds.append(a.hold_end[sel[:-1]] - a.time[sel[:-1]])
    if not gaps:
        return hold, -1, 0.0
    g, h = np.concatenate(gaps), np.concatenate(holds)
    ok = g >= 0
    g, h = g[ok], h[ok]
    if not len(g):
        return hold, -1, 0.0
    return hold, int(np.median(g)), float(h.sum() / max(float(h.sum() + g.sum()), 1.0))


def _blocker_holds(d: _LockData) -> tuple[int, np.ndarray] | None:
    """(thread index, its own acquisitions) of the thread whose holds made the others wait longest; None when
    nobody waited for a holder."""
    blocking = _per_thread(d)["blocking_ns"]
    if not len(blocking) or blocking.max() <= 0:
        return None
    h = int(np.argmax(blocking))
    return h, np.flatnonzero((d.acq.thread == h) & ~d.acq.nested)


def _blocker(ctx: Capture, d: _LockData) -> tuple[str, str, int]:
    """(thread, zone, ns): the thread whose holds made the others wait longest, the zone it ran in while holding
    the lock then, and how long the others waited meanwhile (("", "", 0) when nobody waited for a holder)."""
    found = _blocker_holds(d)
    if found is None:
        return "", "", 0
    h, mine = found
    a = d.acq
    if a.shared.any() and not a.shared[mine].any():  # a reader/writer lock: say the blocker writes
        name = d.thread_names[h] + EXCLUSIVE
    else:
        name = d.thread_names[h]
    hold = (a.hold_end[mine] - a.time[mine]).astype(np.float64)
    trow = int(d.thread_rows[h])
    s, e = a.time[mine].astype(I64), a.hold_end[mine].astype(I64)
    return name, _holder_zone(ctx, s, e, np.full(len(mine), trow, I64), hold), int(_per_thread(d)["blocking_ns"][h])


def _blocker_chain(ctx: Capture, d: _LockData) -> list[ChainLink]:
    """The chain from the blocker's holds that blocked another thread: what it waits for itself while holding."""
    found = _blocker_holds(d)
    if found is None:
        return []
    h, mine = found
    s, e = _blocking_holds(d, h, mine)
    return hold_chain(ctx, int(d.thread_rows[h]), s, e)


def _pool_chain(ctx: Capture, d: _LockData) -> str:
    """', whose holders themselves wait there for Db::m_lock (612.4 ms of those 1.33 s holds), held by Db Writer
    in Db::Flush' when the threads take turns holding the lock (no one blocker) and, while holding it and blocking
    the others, wait for one other lock POOL_CHAIN_SHARE of that time: the wait queues behind the other lock's
    holder; '' otherwise."""
    blocking = _per_thread(d)["blocking_ns"]
    if not len(blocking) or blocking.max() <= 0:
        return ""
    by_lock: dict[str, int] = {}  # lock -> waited for it inside the holds
    holders: dict[str, dict[tuple[str, str], int]] = {}  # lock -> (its holder, zone) -> that waited
    held = 0
    for h in np.argsort(-blocking, kind="stable")[:POOL_CHAIN_THREADS].tolist():
        if blocking[h] <= 0:
            break
        mine = np.flatnonzero((d.acq.thread == h) & ~d.acq.nested)
        s, e = _blocking_holds(d, h, mine)
        if not len(s):
            continue
        if len(s) > MAX_WAITS:  # the longest holds say what the holders wait for (and bound the work: windows x waits)
            keep = np.sort(np.argsort(s - e, kind="stable")[:MAX_WAITS])
            s, e = s[keep], e[keep]
        held += int((e - s).sum())
        for w in lock_waits_in_windows(ctx, int(d.thread_rows[h]), s, e):
            if w.lock == d.name:
                continue
            waited = int(w.wait_ns.sum())
            by_lock[w.lock] = by_lock.get(w.lock, 0) + waited
            mine_for = holders.setdefault(w.lock, {})
            mine_for[(w.holder, w.holder_zone)] = mine_for.get((w.holder, w.holder_zone), 0) + waited
    if not by_lock or held <= 0:
        return ""
    lock = max(by_lock, key=lambda k: by_lock[k])
    waited = by_lock[lock]
    if waited < POOL_CHAIN_SHARE * held:
        return ""
    (holder, zone), _ = max(holders[lock].items(), key=lambda kv: kv[1])
    who = f", held by {holder}" + (f" in {zone}" if zone else "") if holder else ""
    return f", whose holders themselves wait there for {lock} ({fmt_ns(waited)} of those {fmt_ns(held)} holds){who}"


def _blocking_holds(d: _LockData, h: int, mine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[starts], [ends] of thread `h`'s holds (`mine`, its acquisitions) that another thread's blocked wait
    overlaps."""
    a = d.acq
    waits = np.flatnonzero((a.thread != h) & (d.blocked > 0))
    s, e = a.time[mine].astype(I64), a.hold_end[mine].astype(I64)
    ws, we = a.wait_start[waits], a.time[waits]
    order = np.argsort(ws, kind="stable")
    ws, we = ws[order], np.maximum.accumulate(we[order]) if len(we) else we
    # a hold blocked someone when a blocked wait overlaps it (waits sorted by start; ends as a running maximum)
    k = np.searchsorted(ws, e, side="left")
    hit = (k > 0) & (we[np.maximum(k - 1, 0)] > s) if len(ws) else np.zeros(len(s), bool)
    return s[hit], e[hit]


def _holder_cpu(ctx: Capture, d: _LockData) -> str:
    """From the context switches, where the thread that makes the others wait spends the time they wait for it:
    on a CPU (the work under the lock), runnable but not running (preempted: it waits for a core while holding
    the lock), or asleep (it blocks on something else while holding it); and which threads ran meanwhile. ""
    without context switches on its thread."""
    blocking = _per_thread(d)["blocking_ns"]
    runs = thread_runs(ctx)
    if not len(blocking) or blocking.max() <= 0 or not runs:
        return ""
    h = int(np.argmax(blocking))
    r = runs.get(int(d.thread_rows[h]))
    if r is None:
        return ""
    a = d.acq
    mine = (a.thread == h) & ~a.nested
    others = np.flatnonzero((d.blocked > 0) & (a.thread != h))
    hs, he = union(a.time[mine], a.hold_end[mine])
    ws, we = union(a.wait_start[others], a.time[others])
    s, e = intersect(hs, he, ws, we)
    total = float((e - s).sum())
    if total <= 0:
        return ""
    on, asleep = float(r.running_between(s, e).sum()), float(r.asleep_between(s, e).sum())
    waiting = max(total - on - asleep, 0.0)
    top = who_ran(ctx, s, e, int(d.thread_rows[h]))[:4]
    holder = d.thread_names[h]
    line = (
        f"while the others waited for it ({fmt_ns(total)}), {holder} was on a CPU {fmt_ns(on)} "
        f"({_pct(on, total)}), runnable but not running {fmt_ns(waiting)} ({_pct(waiting, total)}), asleep "
        f"{fmt_ns(asleep)} ({_pct(asleep, total)}) (context switches)"
    )
    if waiting >= HOLDER_PREEMPTED * total:
        line += (
            ": preempted while holding the lock, it waits for a core, so the work under the lock is not what takes long"
        )
    elif asleep >= HOLDER_PREEMPTED * total:
        line += ": it sleeps while holding the lock (I/O or another wait inside the hold)"
    if top:
        line += "; the CPUs ran meanwhile: " + ", ".join(f"{label} {fmt_ns(ns)}" for label, ns in top)
    return line


def _blocking(d: _LockData) -> np.ndarray:
    """Per thread of the lock: how long other threads waited while it held the lock (a shared waiter is blocked
    by exclusive holds only): who makes the others wait."""
    n = len(d.tids)
    out = np.zeros(n, I64)
    a = d.acq
    waiting = np.flatnonzero(d.blocked > 0)
    if not len(waiting):
        return out
    for h in np.unique(a.thread[~a.nested]).tolist():
        mine = (a.thread == h) & ~a.nested
        others = waiting[a.thread[waiting] != h]
        if not len(others):
            continue
        for shared_waiter in (False, True):
            sel = others[a.shared[others] == shared_waiter]
            holds = mine & ~a.shared if shared_waiter else mine
            if len(sel) and holds.any():
                hs, he = union(a.time[holds], a.hold_end[holds])
                out[h] += int(covered(hs, he, a.wait_start[sel], a.time[sel]).sum())
    return out


def _threads_by_wait(d: _LockData) -> list[str]:
    p = _per_thread(d)
    order = np.lexsort((-p["acquisitions"], -p["wait_ns"]))
    return [d.thread_names[i] for i in order.tolist() if p["acquisitions"][i] > 0]


def _thread_table(locks: list[_LockData], want_rows: set[int] | None) -> dict[str, Any]:
    parts: dict[str, list[Any]] = {k: [] for k in ("lock_id", "lock", "thread_id", "thread", "tid", *PER_THREAD)}
    for d in locks:
        p = _per_thread(d)
        order = np.argsort(-p["wait_ns"], kind="stable")
        for i in order.tolist():
            if p["acquisitions"][i] == 0:
                continue
            if want_rows is not None and int(d.thread_rows[i]) not in want_rows:
                continue
            parts["lock_id"].append(d.row)
            parts["lock"].append(d.name)
            parts["thread_id"].append(int(d.thread_rows[i]))
            parts["thread"].append(d.thread_names[i])
            parts["tid"].append(int(d.tids[i]))
            for k in PER_THREAD:
                parts[k].append(int(p[k][i]))
    return {k: np.asarray(v) if v else np.zeros(0, I64) for k, v in parts.items()}


def _held_zones(ctx: Capture, locks: list[_LockData]) -> dict[str, Any]:
    """Per lock and call path: time the path's zones ran (self time) while their thread held the lock."""
    tree = ctx._cpu()
    db = ctx._db
    zb, ze = db.col_or("threads", "zones_begin"), db.col_or("threads", "zones_end")
    out: dict[str, list[Any]] = {
        "lock_id": [],
        "lock": [],
        "path": [],
        "name": [],
        "held_ns": [],
        "zones": [],
        "mean_ns": [],
    }
    last = int(ctx.get_last_time())
    for d in locks:
        rows_all, self_all = [], []
        for i, trow in enumerate(d.thread_rows.tolist()):
            mine = (d.acq.thread == i) & ~d.acq.nested
            if not mine.any() or trow < 0 or trow >= len(zb):
                continue
            hs, he = union(d.acq.time[mine], d.acq.hold_end[mine])
            rows = np.arange(int(zb[trow]), int(ze[trow]))
            if len(rows) == 0:
                continue
            end = np.where(tree.valid[rows], tree.end[rows], last)
            inc = covered(hs, he, tree.start[rows], end)
            par = tree.parent[rows].astype(I64)
            has = par >= 0
            child = np.bincount(par[has] - rows[0], weights=inc[has], minlength=len(rows))[: len(rows)]
            slf = inc - child.astype(I64)
            keep = slf > 0
            rows_all.append(rows[keep])
            self_all.append(slf[keep])
        if not rows_all:
            continue
        rows = np.concatenate(rows_all)
        slf = np.concatenate(self_all)
        pid, paths = path_groups(ctx, rows)
        held = np.bincount(pid, weights=slf, minlength=len(paths))
        cnt = np.bincount(pid, minlength=len(paths))
        dur = np.bincount(pid, weights=tree.dur[rows], minlength=len(paths))
        for p in np.argsort(-held, kind="stable")[:20].tolist():
            out["lock_id"].append(d.row)
            out["lock"].append(d.name)
            out["path"].append(paths[p])
            out["name"].append(leaf(paths[p]))
            out["held_ns"].append(int(held[p]))
            out["zones"].append(int(cnt[p]))
            out["mean_ns"].append(round(float(dur[p] / cnt[p])))
    return {k: np.asarray(v) for k, v in out.items()}


def _wait_zones(ctx: Capture, locks: list[_LockData]) -> dict[str, Any]:
    """Per lock and call path: the zone each waiting thread was in while it waited for the lock."""
    tree = ctx._cpu()
    out: dict[str, list[Any]] = {
        "lock_id": [],
        "lock": [],
        "path": [],
        "name": [],
        "wait_ns": [],
        "waits": [],
        "zone_total_ns": [],
    }
    for d in locks:
        found = _waits_in_zones(ctx, d)
        if found is None:
            continue
        waits, zones = found
        pid, paths = path_groups(ctx, zones)
        has = pid >= 0
        if not has.any():
            continue
        wait = np.bincount(pid[has], weights=waits[has], minlength=len(paths))
        cnt = np.bincount(pid[has], minlength=len(paths))
        # total duration of the distinct zones that contained a wait (the enclosing work, wait included)
        uz, inv = group_ids(zones[has])
        upid = np.zeros(len(uz), I64)
        upid[inv] = pid[has]
        ztot = np.bincount(upid, weights=tree.dur[uz], minlength=len(paths))
        for p in np.argsort(-wait, kind="stable")[:10].tolist():
            out["lock_id"].append(d.row)
            out["lock"].append(d.name)
            out["path"].append(paths[p])
            out["name"].append(leaf(paths[p]))
            out["wait_ns"].append(int(wait[p]))
            out["waits"].append(int(cnt[p]))
            out["zone_total_ns"].append(int(ztot[p]))
    return {k: np.asarray(v) for k, v in out.items()}


def _waits_in_zones(ctx: Capture, d: _LockData) -> tuple[np.ndarray, np.ndarray] | None:
    """The non-zero waits on lock `d` and the innermost zone (row, -1 for none) each began in on its thread; None
    when there are no such waits or no zones."""
    w = d.acq.wait
    sel = np.nonzero(w > 0)[0]
    if len(sel) == 0 or len(ctx._cpu().start) == 0:
        return None
    trow = d.thread_rows[d.acq.thread[sel]]
    return w[sel], innermost(ctx, d.acq.wait_start[sel], trow)


def _roots(ctx: Capture, zones: np.ndarray) -> np.ndarray:
    """The top-level zone (depth 0 ancestor) of each zone row."""
    parent = ctx._cpu().parent
    r = zones.astype(I64, copy=True)
    while len(r):
        p = parent[r].astype(I64)
        up = p >= 0
        if not up.any():
            break
        r[up] = p[up]
    return r


def _wait_roots(ctx: Capture, locks: list[_LockData]) -> dict[str, Any]:
    """Per lock and top-level zone path: the wait inside those top-level zones and their total and self time, so the
    wait reads as a share of the whole job it interrupts (not only of the zone it happens in)."""
    tree = ctx._cpu()
    out: dict[str, list[Any]] = {
        k: [] for k in ("lock_id", "lock", "path", "wait_ns", "zones", "threads", "zone_total_ns", "zone_self_ns")
    }
    for d in locks:
        found = _waits_in_zones(ctx, d)
        if found is None:
            continue
        waits, zones = found
        has = zones >= 0
        if not has.any():
            continue
        roots = _roots(ctx, zones[has])
        pid, paths = path_groups(ctx, roots)
        wait = np.bincount(pid, weights=waits[has], minlength=len(paths))
        uz, inv = group_ids(roots)
        upid = np.zeros(len(uz), I64)
        upid[inv] = pid
        tot = np.bincount(upid, weights=tree.dur[uz], minlength=len(paths))
        slf = np.bincount(upid, weights=tree.self_time()[uz], minlength=len(paths))
        cnt = np.bincount(upid, minlength=len(paths))
        owners = tree.owner[uz]
        for p in np.argsort(-wait, kind="stable")[:5].tolist():
            out["lock_id"].append(d.row)
            out["lock"].append(d.name)
            out["path"].append(paths[p])
            out["wait_ns"].append(int(wait[p]))
            out["zones"].append(int(cnt[p]))
            out["threads"].append(len(np.unique(owners[upid == p])))
            out["zone_total_ns"].append(int(tot[p]))
            out["zone_self_ns"].append(int(slf[p]))
    return {k: np.asarray(v) for k, v in out.items()}


# -- summary ----------------------------------------------------------------------------------------------------------
def _rows(tab: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    keys = list(tab)
    cols = {k: tab[k].tolist() for k in keys}
    n = len(cols[keys[0]]) if keys else 0
    return [{k: cols[k][i] for k in keys} for i in range(n)]


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def _top_group(values: list[float]) -> int:
    """How many of the leading (descending) values stand apart from the rest: cut at the largest ratio between
    neighbours when it is at least 1.5x, else 0."""
    best, cut = 1.5, 0
    for i in range(min(len(values) - 1, 4)):
        if values[i + 1] <= 0:
            return i + 1 if values[i] > 0 else cut
        r = values[i] / values[i + 1]
        if r >= best:
            best, cut = r, i + 1
    return cut


def _thread_cap(
    ctx: Capture,
    locks: list[_LockData],
    tables: dict[str, dict[str, np.ndarray]],
    title: str,
    lines: list[str],
    lo: int,
    hi: int,
) -> tuple[str, list[str]]:
    """Tracy keeps a lock's events for at most LOCK_THREADS threads (a thread per task reaches it): when a lock has
    that many and more threads run the zone its waits happen in, say that its figures cover part of them, in its
    lines and, for the lock the title names, in the title."""
    t, sl = ctx._cpu(), ctx._srclocs()
    waits = _rows(tables["wait_zones"])
    for d in locks:
        if len(d.thread_rows) < LOCK_THREADS:
            continue
        zone = next((w["name"] for w in waits if w["lock_id"] == d.row), None)
        if zone is None:
            continue
        rows = t.stat_rows(sl.rows_of(str(zone)))
        rows = rows[(t.end[rows] > lo) & (t.start[rows] < hi)]
        running = set(t.owner[rows].tolist())
        missing = len(running - set(d.thread_rows.tolist()))
        if missing <= 0:
            continue
        note = (
            f"   Tracy keeps a lock's events for at most {LOCK_THREADS} threads: {d.name} has {len(d.thread_rows)}, "
            f"while {len(running)} threads run {zone} (where its waits happen); the other {missing} left no lock "
            f"events, so the figures here cover {len(d.thread_rows)} of them and the real wait is larger"
        )
        head = re.compile(rf"\d+\. {re.escape(d.name)} \(")  # the lock's first line: "1. Index::m_mutex (..."
        at = next((k + 1 for k, x in enumerate(lines) if head.match(x)), len(lines))
        lines.insert(at, note)
        if f"Lock contention: {d.name} is contended" in title:
            title = title[:-1] + (
                f"; Tracy kept its events for {len(d.thread_rows)} of the {len(running)} threads that run {zone}: "
                "the real wait is larger."
            )
    return title, lines


def _summary(
    tables: dict[str, dict[str, np.ndarray]], span: int, cores: int = 0, switches: int = 0, scope: str = "capture"
) -> tuple[str, list[str]]:
    locks = _rows(tables["locks"])
    threads = _rows(tables["threads"])
    held = _rows(tables["held_zones"])
    waits = _rows(tables["wait_zones"])
    roots = _rows(tables["wait_roots"])
    contended = [x for x in locks if x["contended"]]
    if contended:
        x = contended[0]
        title = (
            f"Lock contention: {x['name']} is contended — threads lost {fmt_ns(x['wait_ns'])} waiting for it (total "
            f"wait, the figure to quote) over {x['acquisitions']} acquisitions ({len(contended)} of {len(locks)} locks "
            "taken contended)."
        )
        if x["blocker"] and x["blocker_ns"] < ONE_BLOCKER * x["blocked_ns"] and x["blocker_chain"]:
            # the holders take turns, and while holding it they wait for another lock: that one is the root
            title = title[:-1] + f"; held by each of its threads in turn{x['blocker_chain']}."
        elif x["blocker"] and x["blocker_ns"] < ONE_BLOCKER * x["blocked_ns"] and x["type"] != "SharedLockable":
            # the holders take turns (readers of a shared lock hold it together): what they run while holding it is
            # what the others wait through
            mine = [h for h in held if h["lock_id"] == x["id"]]
            if mine and mine[0]["held_ns"] >= HELD_RUNS * x["held_ns"]:
                h = mine[0]
                title = title[:-1] + (
                    f"; held in turn, running {h['name']} ({_pct(h['held_ns'], x['held_ns'])} of the held time)."
                )
        if x["blocker"] and x["blocker_ns"] >= ONE_BLOCKER * x["blocked_ns"]:
            title = title[:-1] + (
                f"; held meanwhile by {x['blocker']}"
                + (f" in {x['blocker_zone']}" if x["blocker_zone"] else "")
                + f" ({_pct(x['blocker_ns'], x['blocked_ns'])} of the time blocked)"
                + x["blocker_chain"]
                + "."
            )
            if "preempted while holding the lock" in x["blocker_cpu"]:
                title = title[:-1] + ", which was preempted (runnable, not running) through most of it."
        rest = [f"{y['name']} {fmt_ns(y['wait_ns'])}" for y in contended[1:3]]
        if rest:  # the other contended locks, by their total wait: the ranking a user asks for
            title = title[:-1] + f"; next: {', '.join(rest)} of total wait."
    else:
        taken = f"{len(locks)} lock(s) taken"
        title = f"Lock contention: none — no lock was ever held by one thread while another waited ({taken})."
    lines: list[str] = []
    for i, x in enumerate(locks):
        block = _lock_lines(
            i + 1,
            x,
            span,
            [t for t in threads if t["lock_id"] == x["id"]],
            [h for h in held if h["lock_id"] == x["id"]],
            [w for w in waits if w["lock_id"] == x["id"]],
            [r for r in roots if r["lock_id"] == x["id"]],
            cores,
            switches,
            scope,
        )
        if len(lines) + len(block) > 38:
            lines.append(f"... {len(locks) - i} more locks in .table")
            break
        lines.extend(block)
    return title, lines


def _lock_lines(
    k: int,
    x: dict[str, Any],
    span: int,
    threads: list[dict[str, Any]],
    held: list[dict[str, Any]],
    waits: list[dict[str, Any]],
    roots: list[dict[str, Any]],
    cores: int = 0,
    switches: int = 0,
    scope: str = "capture",
) -> list[str]:
    """The lines on lock `k` (`x`, its row of the locks table): not contended in one line; contended, its wait,
    what runs while it is held, where the waits happen, who makes them wait, and the threads."""
    names = [t["thread"] for t in threads]
    if not x["contended"]:
        never = (
            "never held by one thread while another waited"
            if not x["blocked_ns"]
            else f"blocked only {fmt_ns(x['blocked_ns'])} in all, in {x['contended_acquisitions']} of its acquisitions "
            "(a negligible overlap)"
        )
        return [
            f"{k}. {x['name']} ({x['type']}, {len(names)} threads: {', '.join(names)}): NOT contended — {never}. "
            f"{x['acquisitions']} acquisitions, held {fmt_ns(x['held_ns'])} in total "
            f"({_pct(x['held_ns'], span)} of the {scope}), total wait {fmt_ns(x['wait_ns'])} (lock overhead, not "
            "contention)."
        ]
    return [
        *_wait_lines(k, x, span, len(names), scope),
        *_held_lines(x, held),
        *_where_waited(waits, roots),
        *_blocker_lines(x, len(names), cores, switches),
        *_thread_lines(threads),
    ]


def _wait_lines(k: int, x: dict[str, Any], span: int, nthreads: int, scope: str) -> list[str]:
    """The contended lock's wait (blocked and handing over), how long it is held, and how the threads take turns."""
    out = [
        f"{k}. {x['name']} ({x['type']}, {nthreads} threads) — CONTENDED",
        f"   wait (time lost: from asking for the lock to getting it): total {fmt_ns(x['wait_ns'])}, mean "
        f"{fmt_ns(x['mean_wait_ns'])}, p99 {fmt_ns(x['p99_wait_ns'])}, max {fmt_ns(x['max_wait_ns'])} over "
        f"{x['acquisitions']} acquisitions",
        f"   of that wait: {fmt_ns(x['blocked_ns'])} while another thread held it (blocked; in "
        f"{x['contended_acquisitions']} acquisitions, "
        f"{fmt_ns(x['blocked_ns'] / max(x['contended_acquisitions'], 1))} each on average), "
        f"{fmt_ns(max(x['wait_ns'] - x['blocked_ns'], 0))} while it was "
        "free (handing over after a release: the waiter waking up; lock overhead)",
        f"   held {fmt_ns(x['held_ns'])} of the {fmt_ns(span)} {scope} ({_pct(x['held_ns'], span)}), longest hold "
        f"{fmt_ns(x['max_hold_ns'])}",
    ]
    hold, gap = int(x["median_hold_ns"]), int(x["median_gap_ns"])
    if gap >= 0 and hold > 0:
        under = float(x["under_lock_share"])
        out.append(
            f"   per acquisition: held a median {fmt_ns(hold)}; a thread asks again a median {fmt_ns(gap)} after "
            f"releasing it"
            + (
                f": {under:.0%} of its time between requests is under the lock, so the threads take turns rather "
                "than run side by side (lock less often, or hold it for less of the work)"
                if under >= TURNS
                else ""
            )
        )
    return out


def _held_lines(x: dict[str, Any], held: list[dict[str, Any]]) -> list[str]:
    """What runs while the lock is held (and then), and a zone whose whole run holds it."""
    out: list[str] = []
    if held:
        h = held[0]
        share = _pct(h["held_ns"], x["held_ns"])
        out.append(
            f"   runs while held: {h['name']} — {fmt_ns(h['held_ns'])} ({share} of the held time), {h['zones']} zones, "
            f"mean {fmt_ns(h['mean_ns'])}; path {h['path']}"
        )
        for then in held[1:3]:
            out.append(f"     then {then['path']} {fmt_ns(then['held_ns'])} ({_pct(then['held_ns'], x['held_ns'])})")
        if x["hold_zone"] and x["hold_zone"] != h["name"] and min(x["hold_zone_share"], x["hold_zone_cover"]) >= 0.8:
            one = x["blocker"] and x["blocker_ns"] >= ONE_BLOCKER * x["blocked_ns"]
            who = f"{x['blocker']}'s" if one else "the"
            out.append(
                f"   held across the whole of {x['hold_zone']}: {_pct(x['hold_zone_share'], 1)} of {who} holds lie in "
                f"one run of it and take a median {_pct(x['hold_zone_cover'], 1)} of that run (not only "
                f"{held[0]['name']})"
            )
        if x["type"] == "SharedLockable" and sum(h["held_ns"] for h in held) > x["held_ns"]:
            out.append("     (readers hold it together: these shares of the held time add up to more than 100%)")
    return out


def _where_waited(waits: list[dict[str, Any]], roots: list[dict[str, Any]]) -> list[str]:
    """The zone the waits happen in and its share waiting; the wait's share of the top-level zones (the job)."""
    out: list[str] = []
    if waits:
        w = waits[0]
        out.append(
            f"   waits happen inside: {w['name']} — {fmt_ns(w['wait_ns'])} of the wait; those {w['name']} zones take "
            f"{fmt_ns(w['zone_total_ns'])} in total, {_pct(w['wait_ns'], w['zone_total_ns'])} of it waiting"
        )
    if roots and roots[0]["path"] != (waits[0]["path"] if waits else None):
        r = roots[0]
        out.append(
            f"   share of the whole job: the wait is {_pct(r['wait_ns'], r['zone_total_ns'])} of the top-level zones "
            f"it happens in ({r['path']}: {r['zones']} zones on {r['threads']} threads, {fmt_ns(r['zone_total_ns'])} "
            f"in total, {fmt_ns(r['zone_self_ns'])} of it their own time outside child zones)"
        )
    return out


def _blocker_lines(x: dict[str, Any], nthreads: int, cores: int, switches: int) -> list[str]:
    """Who makes the others wait (one thread, or each holder in turn), its stalls and CPU, and a warning when more
    threads than cores take the lock and no context switches tell whether holders were switched out."""
    out: list[str] = []
    if x["blocker"]:
        zone = f", running {x['blocker_zone']}" if x["blocker_zone"] else ""
        share = _pct(x["blocker_ns"], x["blocked_ns"])
        out.append(
            f"   who makes them wait: {x['blocker']} — the others waited {fmt_ns(x['blocker_ns'])} while it held the "
            f"lock ({share} of the time blocked){zone}{x['blocker_chain']}"
            if x["blocker_ns"] >= ONE_BLOCKER * x["blocked_ns"]
            else f"   who makes them wait: each holder in turn, no one thread (the most: {x['blocker']}, holding it "
            f"through {share} of the time the others were blocked{zone}){x['blocker_chain']}"
        )
    if x["episodes"] and x["blocker_ns"] >= ONE_BLOCKER * x["blocked_ns"]:  # one thread's holds: its stalls
        out.append(f"   {x['episodes']}")
    if x["blocker_cpu"]:
        out.append(f"   {x['blocker_cpu']}")
    if cores and nthreads > cores and not switches:  # holders switched out while holding it look like long holds
        out.append(
            f"   {nthreads} threads take it on a {cores}-core machine (host info) and no context switches were "
            "recorded: a holder switched out while holding the lock lengthens holds and waits (longest hold "
            f"{fmt_ns(x['max_hold_ns'])}); record context switches to tell"
        )
    return out


def _thread_lines(threads: list[dict[str, Any]]) -> list[str]:
    """Per thread: acquisitions, wait, max wait, held; and the threads that wait most (or that all wait alike)."""
    out: list[str] = []
    out.append("   per thread: acquisitions, wait, max wait, held")
    for t in threads[:8]:
        out.append(
            f"     {t['thread']:<16} {t['acquisitions']:>7} {fmt_ns(t['wait_ns']):>10} {fmt_ns(t['max_wait_ns']):>10} "
            f"{fmt_ns(t['hold_ns']):>10}"
        )
    if len(threads) > 8:
        out.append(f"     ... {len(threads) - 8} more threads in .tables['threads']")
    most = max((t["acquisitions"] for t in threads), default=0)
    threads = [t for t in threads if t["acquisitions"] >= OCCASIONAL * most]  # a thread taking it now and then
    cut = _top_group([float(t["wait_ns"]) for t in threads])  # (a stats dump) is no group to compare with
    waiters = [t for t in threads if t["wait_ns"] >= 0.1 * threads[0]["wait_ns"]] if threads else []
    if cut == 0 and len(waiters) >= 3:
        lo, hi = min(t["wait_ns"] for t in waiters), max(t["wait_ns"] for t in waiters)
        out.append(
            f"   waiting most: no one thread; {len(waiters)} threads wait alike ({fmt_ns(lo)} to {fmt_ns(hi)} each)"
        )
    if 0 < cut < len(threads):
        top, rest = threads[:cut], threads[cut:]
        tw = sum(t["wait_ns"] for t in top) / len(top)
        rw = sum(t["wait_ns"] for t in rest) / len(rest)
        ta = sum(t["acquisitions"] for t in top) / len(top)
        ra = sum(t["acquisitions"] for t in rest) / len(rest)
        often = f"; they acquire it {ta / ra:.1f}x as often" if ra > 0 else ""
        if rw <= 0:  # the others never wait (a thread that only try-locks): nothing to divide by
            out.append(
                f"   waiting most: {', '.join(t['thread'] for t in top)} — {fmt_ns(tw)} per thread on average, while "
                f"{', '.join(t['thread'] for t in rest)} never wait{'s' if len(rest) == 1 else ''}{often}"
            )
        else:
            out.append(
                f"   waiting most: {', '.join(t['thread'] for t in top)} — each waits {tw / rw:.1f}x as long as the "
                f"others do on average ({fmt_ns(tw)} vs {fmt_ns(rw)} per thread){often}"
            )
    return out
