"""Locks: summaries and wait statistics (upstream-compatible), plus columnar lock events.

Lock event types as stored: 0 Wait, 1 Obtain, 2 Release, 3 WaitShared, 4 ObtainShared, 5 ReleaseShared; an
event's `thread` is an index into its lock's own thread list.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, expand_ranges, fixed_labels, labels_of, make_table
from tracy_mcp.analysis.filters import match_names, per_row
from tracy_mcp.analysis.results import LockSummary
from tracy_mcp.analysis.threads import ThreadQueries
from tracy_mcp.engine.srclocs import load_srclocs

WAIT, OBTAIN, RELEASE, WAIT_SHARED, OBTAIN_SHARED, RELEASE_SHARED = range(6)
LOCK_TYPES = ("Lockable", "SharedLockable")
EVENT_TYPES = {
    WAIT: "wait",
    OBTAIN: "obtain",
    RELEASE: "release",
    WAIT_SHARED: "wait_shared",
    OBTAIN_SHARED: "obtain_shared",
    RELEASE_SHARED: "release_shared",
}


def _bits_set(types: np.ndarray, threads: np.ndarray, set_type: int, clear_type: int) -> np.ndarray:
    """Number of threads whose bit is set after each event, where `set_type` events set the event thread's bit
    and `clear_type` events clear it (a per-thread flag, like upstream's wait lists)."""
    n = len(types)
    sel = np.nonzero((types == set_type) | (types == clear_type))[0]
    delta = np.zeros(n, np.int64)
    if len(sel):
        th = threads[sel]
        order = np.argsort(th, kind="stable")
        s = sel[order]
        state = (types[s] == set_type).astype(np.int64)
        prev = np.zeros(len(s), np.int64)
        same = th[order][1:] == th[order][:-1]
        prev[1:] = np.where(same, state[:-1], 0)
        delta[s] = state - prev
    return np.cumsum(delta)


def _held(types: np.ndarray) -> np.ndarray:
    """After each event: whether the lock is held exclusively (obtains minus releases, wrapping as upstream's
    8-bit counter does)."""
    return (np.cumsum(np.where(types == OBTAIN, 1, np.where(types == RELEASE, -1, 0))) % 256) != 0


def lock_is_contended(types: np.ndarray, threads: np.ndarray, shared: bool) -> bool:
    """Replays a lock's timeline: contended once it was held while another thread waited for it."""
    if len(types) == 0:
        return False
    held = _held(types)
    waiting = _bits_set(types, threads, WAIT, OBTAIN) != 0
    if not shared:
        return bool(np.any(held & waiting))
    waiting_shared = _bits_set(types, threads, WAIT_SHARED, OBTAIN_SHARED) != 0
    shared_held = _bits_set(types, threads, OBTAIN_SHARED, RELEASE_SHARED) != 0
    return bool(np.any((held & (waiting | waiting_shared)) | (shared_held & waiting)))


def blocked_waits(types: np.ndarray, threads: np.ndarray) -> int:
    """The waits that began while another thread held the lock (exclusively, or shared for an exclusive wait):
    the client sends a wait before every obtain, so most waits find the lock free and last a few hundred ns."""
    if len(types) == 0:
        return 0
    held = _held(types)
    shared_held = _bits_set(types, threads, OBTAIN_SHARED, RELEASE_SHARED) != 0
    return int((((types == WAIT) & (held | shared_held)) | ((types == WAIT_SHARED) & held)).sum())


class LockQueries(ThreadQueries):
    def _lock_labels(self) -> dict[int, str]:
        """Per valid lock row its name, with "#<lock_id>" after it where several locks share the name (a lock per
        shard or bucket), so each instance can be told and asked for."""

        def build() -> dict[int, str]:
            names = {r: self._lock_name(r) for r in self._lock_rows()}
            counts: dict[str, int] = {}
            for n in names.values():
                counts[n] = counts.get(n, 0) + 1
            return {r: f"{n} #{r}" if counts[n] > 1 else n for r, n in names.items()}

        return self._db.cached("lock_labels", build)

    def _lock_rows(self) -> list[int]:
        """Rows of valid locks."""
        db = self._db
        n = db.rows("locks")
        if n == 0:
            return []
        valid = db.col_or("locks", "valid", np.ones(n, np.uint8))
        return [i for i in range(n) if valid[i]]

    def _lock_name(self, row: int) -> str:
        db = self._db
        cn = int(db.col("locks", "custom_name")[row]) if db.has("locks", "custom_name") else -1
        if cn >= 0:
            return self._str(cn)
        sl = load_srclocs(db, self._strings)
        s = int(db.col("locks", "srcloc")[row])
        return sl.name[s] if 0 <= s < len(sl) else ""

    def _lock_events(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        db = self._db
        b, e = int(db.col("locks", "events_begin")[row]), int(db.col("locks", "events_end")[row])
        return (
            db.col("lock_events", "time")[b:e],
            db.col("lock_events", "thread")[b:e],
            db.col("lock_events", "type")[b:e],
        )

    def _lock_threads(self, row: int) -> list[int]:
        db = self._db
        b, e = int(db.col("locks", "threads_begin")[row]), int(db.col("locks", "threads_end")[row])
        return [int(t) for t in db.col("lock_threads", "tid")[b:e].tolist()]

    def _lock_contended(self, row: int) -> bool:
        db = self._db
        if db.has("locks", "is_contended"):
            return bool(db.col("locks", "is_contended")[row])
        _, th, ty = self._lock_events(row)
        return lock_is_contended(ty, th, int(db.col("locks", "type")[row]) != 0)

    def get_lock_count(self) -> int:
        """Lock events, all locks."""
        v = self._db.meta_get("lock_count")
        return v if isinstance(v, int) else self._db.rows("lock_events")

    def get_locks(self) -> list[LockSummary]:
        """Locks: name, is_contended, type ("Lockable"/"SharedLockable"), time_announce, time_terminate,
        threads (OS tids)."""
        db = self._db
        out = []
        for r in self._lock_rows():
            t = int(db.col("locks", "type")[r])
            out.append(
                LockSummary(
                    name=self._lock_name(r),
                    is_contended=self._lock_contended(r),
                    type=LOCK_TYPES[t] if t < 2 else "Unknown",
                    time_announce=int(db.col("locks", "time_announce")[r]),
                    time_terminate=int(db.col("locks", "time_terminate")[r]),
                    threads=self._lock_threads(r),
                )
            )
        return out

    def get_lock_wait_stats(self) -> list[dict[str, Any]]:
        """Per contended lock: {name, total_wait_ns, avg_wait_ns, contention_count, threads}. A wait is a
        Wait/WaitShared followed by that thread's next Obtain/ObtainShared."""
        out = []
        for r in self._lock_rows():
            if not self._lock_contended(r):
                continue
            times, th, ty = self._lock_events(r)
            waits = wait_durations(times, th, ty)
            if len(waits) == 0:
                continue
            total = int(waits.sum())
            out.append(
                {
                    "name": self._lock_name(r),
                    "total_wait_ns": total,
                    "avg_wait_ns": total / len(waits),
                    "contention_count": len(waits),
                    "threads": self._lock_threads(r),
                }
            )
        return out

    def locks(self, *, as_frame: bool | None = None) -> Table:
        """One row per lock, keyed by `id` (lock_events.lock_id): lock (name; "name #id" where names
        repeat), type ("Lockable"/"SharedLockable"), is_contended (upstream's flag: any wait at all), threads,
        acquisitions (obtains), waits (the waits that began while another thread held the lock: the client reports
        a wait before every obtain), total_wait_ns and max_wait_ns (over every wait, from a thread's wait to its
        next obtain): which lock threads actually lost time on, beside the flag."""
        db = self._db
        rows = list(self._lock_rows())
        labels = self._lock_labels()
        acq, waits, total, worst = [], [], [], []
        for r in rows:
            times, th, ty = self._lock_events(r)
            w = wait_durations(times, th, ty)
            acq.append(int(((ty == OBTAIN) | (ty == OBTAIN_SHARED)).sum()))
            waits.append(blocked_waits(ty, th))
            total.append(int(w.sum()) if len(w) else 0)
            worst.append(int(w.max()) if len(w) else 0)
        types = [int(db.col("locks", "type")[r]) for r in rows]
        cols: dict[str, Any] = {
            "lock": np.asarray([labels.get(r, self._lock_name(r)) for r in rows], dtype=object),
            "type": np.asarray([LOCK_TYPES[t] if t < 2 else "Unknown" for t in types], dtype=object),
            "is_contended": np.asarray([self._lock_contended(r) for r in rows], dtype=bool),
            "threads": np.asarray([len(self._lock_threads(r)) for r in rows], dtype=np.int64),
            "acquisitions": np.asarray(acq, dtype=np.int64),
            "waits": np.asarray(waits, dtype=np.int64),
            "total_wait_ns": np.asarray(total, dtype=np.int64),
            "max_wait_ns": np.asarray(worst, dtype=np.int64),
        }
        return make_table(cols, as_frame, ids=np.asarray(rows, dtype=np.int64))

    def lock_events(
        self,
        lock: str | LockSummary | list[str | LockSummary] | None = None,
        *,
        thread: int | str | list[int | str] | None = None,
        as_frame: bool | None = None,
    ) -> Table:
        """Lock events lock by lock, in time order within a lock, keyed by `id`: lock_id (row of the engine's
        lock table), lock (name), time_ns, thread_id, thread, tid, type ("wait", "obtain", "release",
        "wait_shared", "obtain_shared", "release_shared"). A wait lasts from a thread's "wait" to its next
        "obtain"; a hold from "obtain" to "release". Tracy sends an exclusive release without its thread: its
        thread here is the lock's holder when it arrived (as upstream), which under contention is often the next
        holder, so pair a lock's obtains and releases in order, not per thread. Filters: `lock` (name, glob,
        "name #lock_id" for one of several locks of that name, a LockSummary from get_locks(), or a list),
        `thread` (name, glob, thread_id, OS tid, or a list)."""
        db = self._db
        valid = self._lock_rows()
        nlocks = db.rows("locks")
        names = [self._lock_name(r) if r in set(valid) else "" for r in range(nlocks)]
        chosen = np.zeros(nlocks, dtype=bool)
        chosen[valid] = True
        if lock is not None:  # names and globs, or one instance of a repeated name as "Shard::mutex #7"
            items = [x.name if isinstance(x, LockSummary) else x for x in (lock if isinstance(lock, list) else [lock])]
            by_label = {label: r for r, label in self._lock_labels().items() if label != names[r]}
            mask = np.zeros(nlocks, dtype=bool)
            mask[[by_label[x] for x in items if isinstance(x, str) and x in by_label]] = True
            plain = [x for x in items if not (isinstance(x, str) and x in by_label)]
            if plain:
                mask |= match_names(plain, names, "lock", "lock named")
            chosen &= mask
        col = db.col_or
        eb, ee = col("locks", "events_begin")[chosen], col("locks", "events_end")[chosen]
        owner, rows = expand_ranges(eb, ee)
        lock_ids = np.nonzero(chosen)[0].astype(np.int32)[owner]
        local = col("lock_events", "thread")[rows].astype(np.int64)
        tb = col("locks", "threads_begin").astype(np.int64)[lock_ids] if len(rows) else np.zeros(0, np.int64)
        lock_tids = col("lock_threads", "tid", np.zeros(0, np.uint64))
        slot = tb + local
        ok = (slot >= 0) & (slot < len(lock_tids))
        tids = np.where(ok, lock_tids[np.clip(slot, 0, max(len(lock_tids) - 1, 0))] if len(lock_tids) else 0, 0)
        tids = tids.astype(np.uint64)
        thread_ids = self._thread_id_of_tids(tids)
        if thread is not None:
            keep = per_row(self._thread_mask(thread), thread_ids)
            rows, lock_ids, tids, thread_ids = rows[keep], lock_ids[keep], tids[keep], thread_ids[keep]
        cols: dict[str, Any] = {
            "lock_id": lock_ids,
            "lock": labels_of(lock_ids, names),
            "time_ns": col("lock_events", "time")[rows],
            "thread_id": thread_ids,
            "thread": self._thread_column(thread_ids),
            "tid": tids,
            "type": fixed_labels(col("lock_events", "type")[rows], EVENT_TYPES),
        }
        return make_table(cols, as_frame, ids=rows)


def wait_durations(times: np.ndarray, threads: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Durations from each Wait(Shared) to the same thread's next Obtain(Shared) (a later Wait replaces an
    earlier pending one)."""
    sel = np.nonzero((types == WAIT) | (types == WAIT_SHARED) | (types == OBTAIN) | (types == OBTAIN_SHARED))[0]
    if len(sel) < 2:
        return np.zeros(0, np.int64)
    th = threads[sel]
    order = np.argsort(th, kind="stable")
    s = sel[order]
    is_wait = (types[s] == WAIT) | (types[s] == WAIT_SHARED)
    same = th[order][1:] == th[order][:-1]
    pair = same & is_wait[:-1] & ~is_wait[1:]
    t = times.astype(np.int64)
    return t[s[1:][pair]] - t[s[:-1][pair]]
