"""ctx.zone_at(times, thread): which zone was running on a thread at each of many times — the innermost zone open
then, and its call path. The look-up runs in the engine (tshim_zone_at, ~1 M look-ups in well under a second);
memory_report and lock_contention join their events to zones through it.

A time at which a fiber ran on the given thread resolves to the fiber's zone: Tracy records a fiber's zones on the
fiber, not on the OS thread that runs it (memory events and samples name the OS thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.grouping import unique
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.zone_paths import path_groups
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
MAX_DEPTH = 1 << 16  # zone depth is a 16-bit column: no parent chain is longer
MAX_SUBTREE = 200_000  # a zone with more rows under it than this is not searched for a covering child


# -- threads as users name them ---------------------------------------------------------------------------------------
def rows_of_tids(ctx: Capture, tids: np.ndarray) -> np.ndarray:
    """Row of table `threads` (thread_id) per OS thread id, -1 where the capture lists no such thread."""
    table = ctx._thread_tids()
    tids = np.asarray(tids, dtype=np.uint64)
    if len(table) == 0:
        return np.full(len(tids), -1, I64)
    order = np.argsort(table, kind="stable")
    k = np.minimum(np.searchsorted(table[order], tids), len(table) - 1)
    return np.where(table[order][k] == tids, order[k], -1).astype(I64)


def resolve_threads(ctx: Capture, thread: Any) -> np.ndarray:
    """thread_ids (rows of `threads`) for a thread name, a thread_id, an OS thread id, or a sequence of those. A
    name shared by several threads stands for all of them; an unknown thread raises NotFoundError."""
    if isinstance(thread, (str, int, np.integer)):
        return _rows_of_one(ctx, thread)
    items = np.asarray(thread).ravel()
    if items.dtype.kind in "iu":
        return unique(_rows_of_ids(ctx, items.astype(I64)))
    parts = [_rows_of_one(ctx, x) for x in items.tolist()]
    return unique(np.concatenate(parts)) if parts else np.zeros(0, I64)


def thread_per_item(ctx: Capture, thread: Any, n: int) -> np.ndarray:
    """One thread_id per look-up: `thread` is one thread (name / thread_id / OS tid) for all n, or n of them. A
    name must stand for exactly one thread here; -1 in an integer sequence means "no thread" (kept as -1)."""
    if isinstance(thread, (str, int, np.integer)):
        return np.full(n, _one(ctx, thread), I64)
    items = np.asarray(thread).ravel()
    if len(items) != n:
        raise ValueError(f"thread: give one thread, or one per time ({n}); got {len(items)}")
    if items.dtype.kind in "iu":
        # -1 (an event without a thread, as tables write it) answers "no zone" instead of failing the whole join
        ids = items.astype(I64)
        out = np.full(len(ids), -1, I64)
        known = ids != -1
        out[known] = _rows_of_ids(ctx, ids[known])
        return out
    uniq, inv = np.unique(items.astype(str), return_inverse=True)
    rows = np.asarray([_one(ctx, u) for u in uniq.tolist()], I64)
    return rows[inv.ravel()]


def _one(ctx: Capture, thread: Any) -> int:
    rows = _rows_of_one(ctx, thread)
    if len(rows) > 1:
        raise ValueError(
            f"thread name {thread!r} is shared by thread_ids {', '.join(str(int(r)) for r in rows)}: pass one of those"
        )
    return int(rows[0])


def _rows_of_one(ctx: Capture, thread: Any) -> np.ndarray:
    if isinstance(thread, str):
        names = _thread_names(ctx)
        rows = np.nonzero(names == thread)[0].astype(I64)
        if len(rows) == 0:
            known = ", ".join(sorted(set(names.tolist())))
            raise NotFoundError(f"no thread named {thread!r} (threads: {known})")
        return rows
    return _rows_of_ids(ctx, np.asarray([int(thread)], I64))


def _rows_of_ids(ctx: Capture, ids: np.ndarray) -> np.ndarray:
    """The thread_id itself where it is one (0..threads-1), else the row of that OS thread id."""
    n = len(ctx._thread_tids())
    out = np.where((ids >= 0) & (ids < n), ids, -1)
    other = out < 0
    if other.any():
        out[other] = rows_of_tids(ctx, np.maximum(ids[other], 0).astype(np.uint64))
        out[other & (ids < 0)] = -1
    bad = out < 0
    if bad.any():
        raise NotFoundError(
            f"no thread with thread_id or OS thread id {int(ids[bad][0])} (thread_ids are 0..{n - 1}; "
            "ctx.get_threads() lists the OS ids)"
        )
    return out


def _thread_names(ctx: Capture) -> np.ndarray:
    def build() -> np.ndarray:
        return np.asarray([ctx.get_thread_name(int(t)) for t in ctx._thread_tids().tolist()], dtype=object)

    names: np.ndarray = ctx._db.cached("thread_name_per_row", build)
    return names


# -- the look-up ------------------------------------------------------------------------------------------------------
@attrs.define(repr=False)
class ZoneAt(Report):
    """One row per look-up: `zone_id` (row of the zones table, -1 when no zone was open), `zone_thread_id` (the
    thread that owns the zone: a fiber's when the thread ran one then), `names()`, `paths()`; `table` has the
    columns time_ns, thread_id, zone_id, zone_thread_id."""

    ctx: Any = None
    time_ns: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))
    thread_id: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))
    zone_id: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))
    zone_thread_id: np.ndarray = attrs.field(factory=lambda: np.zeros(0, I64))
    _paths: tuple[np.ndarray, list[str]] | None = None

    def path_ids(self) -> tuple[np.ndarray, list[str]]:
        """(index into the distinct paths per look-up, -1 for none; the distinct paths)."""
        if self._paths is None:
            self._paths = path_groups(self.ctx, self.zone_id)
        return self._paths

    def paths(self) -> np.ndarray:
        """Call path ("A > B > C") of each look-up's zone, "" where none."""
        pid, strings = self.path_ids()
        return np.asarray([*strings, ""], dtype=object)[pid]

    def names(self) -> np.ndarray:
        """Name of each look-up's zone, "" where none."""
        sl = self.ctx._srclocs()
        names = np.asarray([*sl.name, "?", ""], dtype=object)
        src = self.ctx._cpu().srcloc.astype(I64)
        k = np.minimum(src[np.maximum(self.zone_id, 0)], len(sl.name)) if len(src) else self.zone_id
        return names[np.where(self.zone_id >= 0, k, len(sl.name) + 1)]

    def summary(self, max_lines: int = 40) -> str:
        if not self.lines:
            self.lines = self._lines()
        return super().summary(max_lines)

    def _lines(self) -> list[str]:
        hit = self.zone_id >= 0
        if not hit.any():
            return []
        pid, strings = self.path_ids()
        cnt = np.bincount(pid[hit], minlength=len(strings))
        lines = ["look-ups per innermost zone path:"]
        lines += [f"  {cnt[p]:>9}  {strings[p]}" for p in np.argsort(-cnt, kind="stable")[:10].tolist() if cnt[p]]
        return lines


def innermost(ctx: Capture, times: np.ndarray, thread_rows: np.ndarray, *, fibers: bool = True) -> np.ndarray:
    """The engine's look-up for analyses: innermost zone row per (time, thread_id), -1 where none."""
    if len(times) == 0 or ctx._db.rows("zones") == 0:
        return np.full(len(times), -1, I64)
    ctx._db.ensure()
    zone, _ = ctx._db.native.zone_at(times, thread_rows, fibers=fibers)
    return zone


def enclosing(ctx: Capture, starts: np.ndarray, ends: np.ndarray, thread_rows: np.ndarray) -> np.ndarray:
    """Per interval [start, end] on a thread (a lock hold), the innermost zone open over all of it: the zone it
    is taken in, not whichever child runs at one instant of it; the innermost zone at its start where none spans
    it (-1 outside every zone)."""
    first = innermost(ctx, starts, thread_rows)
    z = first.copy()
    t = ctx._cpu()
    for _ in range(MAX_DEPTH):  # each step climbs one level; a parent chain ends at the root (-1)
        short = np.flatnonzero(z >= 0)
        short = short[(t.end[z[short]] >= 0) & (t.end[z[short]] < ends[short])]
        if not len(short):
            break
        z[short] = t.parent[z[short]]
    return np.where(z >= 0, z, first)


def covering(
    ctx: Capture, starts: np.ndarray, ends: np.ndarray, thread_rows: np.ndarray, share: float = 0.8
) -> np.ndarray:
    """Per interval on a thread, the deepest zone that runs through `share` of it: from the zone it lies in
    (`enclosing`) down through the child that covers that much of it (a write that takes most of a hold), stopping
    where its steps take turns (a rebuild's sort, then its compile)."""
    z = enclosing(ctx, starts, ends, thread_rows)
    t = ctx._cpu()
    for i in range(len(z)):
        need = share * max(int(ends[i]) - int(starts[i]), 1)
        while z[i] >= 0:
            a, b = int(z[i]) + 1, int(t.subtree_end[z[i]])
            if b <= a or b - a > MAX_SUBTREE:
                break
            kids = a + np.flatnonzero(t.parent[a:b] == z[i])
            if not len(kids):
                break
            kid_end = np.where(t.end[kids] >= 0, t.end[kids], ends[i])
            over = np.minimum(kid_end, ends[i]) - np.maximum(t.start[kids], starts[i])
            k = int(np.argmax(over))
            if over[k] < need:
                break
            z[i] = kids[k]
    return z


def zone_at(ctx: Capture, times: Any, thread: Any, *, fibers: bool = True) -> ZoneAt:
    """Which zone ran on `thread` at each time (int64 ns, sorted or not): `.zone_id` (innermost open zone, -1
    when none), `.names()`, `.paths()`. `thread`: a name, thread_id or OS thread id, or one per time. With
    `fibers`, a time at which a fiber ran on the thread looks in the fiber's zones."""
    t = np.atleast_1d(np.asarray(times))
    if t.dtype.kind == "f" and np.all(np.isfinite(t)):
        t = t.astype(I64)
    elif t.dtype.kind not in "iu" and len(t):
        raise ValueError(f"times: integer nanoseconds expected (numpy int64), got {t.dtype}")
    t = np.ascontiguousarray(t.astype(I64).ravel())
    rows = thread_per_item(ctx, thread, len(t))
    zone = np.full(len(t), -1, I64)
    owner = np.full(len(t), -1, I64)
    known = rows >= 0
    if known.any() and ctx._db.rows("zones"):
        ctx._db.ensure()
        zone[known], owner[known] = ctx._db.native.zone_at(t[known], rows[known], fibers=fibers)
    n, hit = len(t), int((zone >= 0).sum())
    title = f"zone_at: {n} look-ups, {hit} inside a zone ({hit / n:.0%})." if n else "zone_at: no look-ups."
    rep = ZoneAt(title=title, ctx=ctx, time_ns=t, thread_id=rows, zone_id=zone, zone_thread_id=owner)
    rep.table = frame({"time_ns": t, "thread_id": rows, "zone_id": zone, "zone_thread_id": owner, "name": rep.names()})
    return rep
