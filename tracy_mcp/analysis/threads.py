"""Threads: OS ids, names, fibers (upstream-compatible getters) and the row -> OS tid mapping used everywhere."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Labels, Table, labels_of, make_table
from tracy_mcp.analysis.filters import match_threads
from tracy_mcp.analysis.query_base import QueryBase


class ThreadQueries(QueryBase):
    def _thread_tids(self) -> np.ndarray:
        """OS thread id per row of table `threads` (uint64)."""
        return self._db.col_or("threads", "tid", np.zeros(0, np.uint64))

    def _tid_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """OS thread ids for thread rows (0 where the row is negative / out of range)."""
        tids = self._thread_tids()
        rows = np.asarray(rows, dtype=np.int64)
        ok = (rows >= 0) & (rows < len(tids))
        out = np.zeros(len(rows), dtype=np.uint64)
        out[ok] = tids[rows[ok]]
        return out

    def _upstream_thread_index(self, rows: np.ndarray) -> np.ndarray:
        """Upstream's internal (compressed) thread index for thread rows, which upstream reports as `thread` in
        messages, memory events and symbol samples. Falls back to OS tids when the engine lacks the table."""

        def build() -> np.ndarray | None:
            db = self._db
            if not db.has("thread_compress", "tid"):
                return None
            table = db.col("thread_compress", "tid").tolist()
            index_of: dict[int, int] = {}
            for i, t in enumerate(table):
                index_of.setdefault(int(t), i)  # the first of repeated entries, as upstream's map keeps
            # While loading, upstream appends to the file's table every thread it does not hold: first the listed
            # threads in list order (a capture tool without statistics stores only threads that logged messages or
            # memory events), then the other threads of the context switches in file order.
            tids = self._thread_tids()
            later = tids[self._listed_thread_rows()].tolist()
            if db.has("ctx_switches", "other_tid"):
                other = db.col("ctx_switches", "other_tid")
                uniq, first = np.unique(other, return_index=True)
                later += uniq[np.argsort(first, kind="stable")].tolist()
            later += tids.tolist()  # the rest never gets an index upstream; give them the next ones
            for t in later:
                if int(t) not in index_of:
                    index_of[int(t)] = len(table)
                    table.append(int(t))
            return np.asarray([index_of[int(t)] for t in tids.tolist()], dtype=np.int64)

        per_row = self._db.cached("thread_compress_index", build)
        if per_row is None:
            return self._tid_of_rows(rows).astype(np.int64)
        rows = np.asarray(rows, dtype=np.int64)
        ok = (rows >= 0) & (rows < len(per_row))
        out = np.zeros(len(rows), np.int64)
        out[ok] = per_row[rows[ok]]
        return out

    def _listed_thread_rows(self) -> np.ndarray:
        """Rows of the threads upstream lists in get_threads(), in its order (list_index)."""

        def build() -> np.ndarray:
            db = self._db
            n = db.rows("threads")
            if not db.has("threads", "list_index"):
                return np.arange(n)
            li = db.col("threads", "list_index").astype(np.int64)
            rows = np.nonzero(li >= 0)[0]
            return rows[np.argsort(li[rows], kind="stable")]

        return self._db.cached("listed_threads", build)

    def _thread_names(self) -> dict[int, str]:
        def build() -> dict[int, str]:
            out: dict[int, str] = {}
            db = self._db
            # threads of other processes, known from context switches (upstream's fallback)
            if db.rows("external_threads") and db.has("external_threads", "thread"):
                for t, s in zip(
                    db.col("external_threads", "tid").tolist(),
                    db.col("external_threads", "thread").tolist(),
                    strict=True,
                ):
                    if s >= 0:
                        out[int(t)] = self._str(s)
            tids = self._thread_tids().tolist()
            names = db.col_or("threads", "name").tolist()
            for t, s in zip(tids, names, strict=False):
                if s >= 0:
                    out[int(t)] = self._str(s)
            return out

        return self._db.cached("thread_names", build)

    def _thread_labels(self) -> list[str]:
        """A readable label per row of table `threads`: its name, with the OS id added when names repeat
        ("python (24379)")."""

        def build() -> list[str]:
            tids = self._thread_tids().tolist()
            names = [self.get_thread_name(int(t)) for t in tids]
            seen: dict[str, int] = {}
            for n in names:
                seen[n] = seen.get(n, 0) + 1
            return [n if seen[n] == 1 else f"{n} ({int(t)})" for n, t in zip(names, tids, strict=True)]

        return self._db.cached("thread_labels", build)

    def get_thread_name(self, tid: int) -> str:
        """Name of an OS thread id ("???" when unknown)."""
        return self._thread_names().get(int(tid), "???")

    def get_threads(self) -> list[dict[str, Any]]:
        """Profiled threads: {id (OS tid), count (zones), is_fiber, name}, in the capture's thread order."""
        db = self._db
        rows = self._listed_thread_rows()
        if len(rows) == 0:
            return []
        tids = self._thread_tids()[rows].tolist()
        n = db.rows("threads")
        counts = db.col_or("threads", "zone_count", np.zeros(n, np.int64))[rows].tolist()
        fiber = db.col_or("threads", "is_fiber", np.zeros(n, np.uint8))[rows].tolist()
        return [
            {"id": int(t), "count": int(c), "is_fiber": bool(f), "name": self.get_thread_name(int(t))}
            for t, c, f in zip(tids, counts, fiber, strict=False)
        ]

    # -- the thread columns of every table (thread_id = row of table `threads`) ----------------------------------
    def _thread_names_by_id(self) -> list[str]:
        """Name per thread_id (may repeat: two threads can share a name)."""
        return self._db.cached(
            "thread_names_by_id", lambda: [self.get_thread_name(int(t)) for t in self._thread_tids().tolist()]
        )

    def _thread_column(self, thread_ids: np.ndarray) -> Labels:
        """The `thread` column for a `thread_id` column: each thread's label (its name, with the OS id when
        names repeat, as in the analyses' reports); -1 or unknown ids are missing."""
        return labels_of(thread_ids, self._thread_labels())

    def _thread_id_of_tids(self, tids: np.ndarray) -> np.ndarray:
        """thread_id (int32) for OS thread ids; -1 for threads the capture does not profile."""
        own = self._thread_tids()
        tids = np.asarray(tids, dtype=np.uint64)
        if len(own) == 0 or len(tids) == 0:
            return np.full(len(tids), -1, np.int32)
        order = np.argsort(own, kind="stable")
        ranked = own[order]
        pos = np.minimum(np.searchsorted(ranked, tids), len(ranked) - 1)
        return np.where(ranked[pos] == tids, order[pos], -1).astype(np.int32)

    def _thread_mask(self, thread: object) -> np.ndarray:
        """Boolean per thread_id for a `thread=` filter (name, glob, thread_id, OS tid, or a list)."""
        return match_threads(thread, self._thread_tids(), self._thread_names_by_id(), self._thread_labels())

    def threads(self, *, as_frame: bool | None = None) -> Table:
        """Every thread the capture knows, keyed by `id` (the `thread_id` of the other tables): tid (OS thread
        id), name, zone_count, is_fiber, listed (shown by get_threads(); Tracy's own threads may not be). The
        other tables' `thread` column adds the OS id to names that repeat ("python (24379)")."""
        db = self._db
        n = db.rows("threads")
        listed = np.zeros(n, dtype=bool)
        listed[self._listed_thread_rows()] = True
        return make_table(
            {
                "tid": self._thread_tids(),
                "name": labels_of(np.arange(n, dtype=np.int32), self._thread_names_by_id()),
                "zone_count": db.col_or("threads", "zone_count", np.zeros(n, np.int64)),
                "is_fiber": db.col_or("threads", "is_fiber", np.zeros(n, np.uint8)).astype(bool),
                "listed": listed,
            },
            as_frame,
        )
