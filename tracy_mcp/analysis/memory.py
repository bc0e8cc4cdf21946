"""Memory pools and allocation events (upstream-compatible), plus columnar events."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, labels_of, make_table
from tracy_mcp.analysis.filters import both, match_names, per_row
from tracy_mcp.analysis.results import MemPoolSummary
from tracy_mcp.analysis.threads import ThreadQueries

DEFAULT_POOL = "(default)"


class MemoryQueries(ThreadQueries):
    def _pool_names(self) -> list[str]:
        db = self._db
        if db.rows("mem_pools") == 0:
            return []
        keys = db.col("mem_pools", "key").tolist()
        names = db.col("mem_pools", "name").tolist()
        return [DEFAULT_POOL if k == 0 else self._str(n) for k, n in zip(keys, names, strict=False)]

    def _mem_tids(self, which: str) -> np.ndarray:
        """OS tids of allocating / freeing threads (the engine stores them beside upstream's internal indices)."""
        db = self._db
        if db.has("mem_events", f"tid_{which}"):
            return db.col("mem_events", f"tid_{which}")
        # older engine: only the internal index, which is what upstream reports too
        return db.col_or("mem_events", f"thread_{which}").astype(np.uint64)

    def get_memory_pools(self) -> list[MemPoolSummary]:
        """Memory pools ("(default)" = the unnamed pool): highest / lowest allocation address, bytes still
        allocated at the end, number of events."""
        db = self._db
        names = self._pool_names()
        if not names:
            return []
        high = db.col("mem_pools", "high").tolist()
        low = db.col("mem_pools", "low").tolist()
        usage = db.col("mem_pools", "usage").tolist()
        cnt = (db.col("mem_pools", "event_end") - db.col("mem_pools", "event_begin")).tolist()
        return [
            MemPoolSummary(name=n, high=int(h), low=int(lo), usage=int(u), alloc_count=int(c))
            for n, h, lo, u, c in zip(names, high, low, usage, cnt, strict=False)
        ]

    def get_memory_events(self, max_count: int = 100000, pool_name: str = "") -> list[dict[str, Any]]:
        """Allocation events {pool, ptr, size, time_alloc, time_free (-1 never freed), thread_alloc (upstream's
        internal thread index), tid_alloc (OS thread id), callstack_idx}, pool by pool, at most max_count in
        total; pool_name selects one pool."""
        db = self._db
        names = self._pool_names()
        out: list[dict[str, Any]] = []
        limit = max(0, int(max_count))
        for p, name in enumerate(names):
            if pool_name and name != pool_name:
                continue
            b = int(db.col("mem_pools", "event_begin")[p])
            e = int(db.col("mem_pools", "event_end")[p])
            e = min(e, b + (limit - len(out)))
            if e > b:
                ptr = db.col("mem_events", "ptr")[b:e].tolist()
                size = db.col("mem_events", "size")[b:e].tolist()
                ta = db.col("mem_events", "time_alloc")[b:e].tolist()
                tf = db.col("mem_events", "time_free")[b:e].tolist()
                th = db.col("mem_events", "thread_alloc")[b:e].tolist()
                tid = self._mem_tids("alloc")[b:e].tolist()
                cs = db.col("mem_events", "cs_alloc")[b:e].tolist()
                out.extend(
                    {
                        "pool": name,
                        "ptr": int(a),
                        "size": int(s),
                        "time_alloc": int(t0),
                        "time_free": int(t1),
                        "thread_alloc": int(h),
                        "tid_alloc": int(ti),
                        "callstack_idx": int(c),
                    }
                    for a, s, t0, t1, h, ti, c in zip(ptr, size, ta, tf, th, tid, cs, strict=False)
                )
            if pool_name:
                break
        return out

    def memory_events(
        self,
        pool: str | list[str] | None = None,
        *,
        thread: int | str | list[int | str] | None = None,
        as_frame: bool | None = None,
    ) -> Table:
        """Allocation events pool by pool, in time order within a pool, keyed by `id`: pool_id, pool (name,
        "(default)" for the unnamed pool), ptr, size_bytes, alloc_ns, free_ns (-1 = never freed),
        alloc_thread_id, alloc_thread, free_thread_id, free_thread (-1 / missing when never freed or not a
        profiled thread), alloc_callstack_id, free_callstack_id (0 = none). Filters: `pool` (name, glob or list),
        `thread` (the allocating thread: name, glob, thread_id, OS tid, or a list)."""
        db = self._db
        names = self._pool_names()
        n = db.rows("mem_events")
        pool_ids = db.col("mem_events", "pool").astype(np.int32) if n else np.zeros(0, np.int32)
        alloc_thread = self._thread_id_of_tids(self._mem_tids("alloc"))
        mask = None
        if pool is not None:
            mask = both(mask, per_row(match_names(pool, names, "pool", "memory pool named"), pool_ids))
        if thread is not None:
            mask = both(mask, per_row(self._thread_mask(thread), alloc_thread))
        rows = None if mask is None else np.nonzero(mask)[0]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        free_ns = pick(db.col_or("mem_events", "time_free"))
        free_thread = np.where(free_ns >= 0, self._thread_id_of_tids(pick(self._mem_tids("free"))), -1)
        alloc_ids = pick(alloc_thread)
        free_ids = free_thread.astype(np.int32)
        cols: dict[str, Any] = {
            "pool_id": pick(pool_ids),
            "pool": labels_of(pick(pool_ids), names),
            "ptr": pick(db.col_or("mem_events", "ptr")),
            "size_bytes": pick(db.col_or("mem_events", "size")),
            "alloc_ns": pick(db.col_or("mem_events", "time_alloc")),
            "free_ns": free_ns,
            "alloc_thread_id": alloc_ids,
            "alloc_thread": self._thread_column(alloc_ids),
            "free_thread_id": free_ids,
            "free_thread": self._thread_column(free_ids),
            "alloc_callstack_id": pick(db.col_or("mem_events", "cs_alloc")),
            "free_callstack_id": pick(db.col_or("mem_events", "cs_free")),
        }
        return make_table(cols, as_frame, ids=rows)
