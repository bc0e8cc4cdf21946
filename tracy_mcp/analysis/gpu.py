"""GPU zones and contexts: upstream-compatible statistics and lists, plus columnar access.

GPU zone durations are GPU time (gpu_end - gpu_start); like CPU zones, statistics count zones with a valid end
and a positive duration.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, labels_of, make_table
from tracy_mcp.analysis.filters import both, per_row
from tracy_mcp.analysis.results import GpuContextSummary, ZoneStats
from tracy_mcp.analysis.zones import ZoneQueries, name_dict, stats_by_group
from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64

GPU_CONTEXT_TYPES = (
    "Invalid",
    "OpenGL",
    "Vulkan",
    "OpenCL",
    "Direct3D12",
    "Direct3D11",
    "Metal",
    "Custom",
    "CUDA",
    "Rocprof",
    "WebGPU",
)


class GpuQueries(ZoneQueries):
    def _gpu(self) -> ZoneTree:
        def build() -> ZoneTree:
            return ZoneTree(
                self._db, "gpu_zones", start="gpu_start", end="gpu_end", owner="context", nsrc=len(self._srclocs())
            )

        return self._db.cached("gpu_tree", build)

    def _gpu_name_rows(self, name: str) -> np.ndarray:
        return self._gpu().stat_rows(self._srclocs().rows_of(name))

    def get_gpu_zone_count(self) -> int:
        """GPU zones of every GPU context."""
        v = self._db.meta_get("gpu_zone_count")
        if isinstance(v, int):
            return v
        if self._db.has("gpu_contexts", "count"):
            return int(self._db.col("gpu_contexts", "count").sum())
        return self._db.rows("gpu_zones")

    def get_all_gpu_zone_stats(self) -> dict[str, ZoneStats]:
        """GPU-time statistics keyed by zone name (every source location of a name aggregated)."""
        if self._db.rows("gpu_zones") == 0:
            return {}
        return name_dict(self._srclocs(), self._gpu().srcloc_stats())

    def get_gpu_zone_durations(self, name: str, max_samples: int = 100000) -> list[int]:
        """GPU durations (ns) of GPU zones named `name`."""
        if self._db.rows("gpu_zones") == 0:
            return []
        g = self._gpu()
        return g.dur[self._gpu_name_rows(name)[: max(0, int(max_samples))]].tolist()

    def get_gpu_zone_occurrences(self, name: str, max_samples: int = 100000) -> list[tuple[int, int]]:
        """(GPU start, GPU duration) of GPU zones named `name`."""
        if self._db.rows("gpu_zones") == 0:
            return []
        g = self._gpu()
        rows = self._gpu_name_rows(name)[: max(0, int(max_samples))]
        return list(zip(g.start[rows].tolist(), g.dur[rows].tolist(), strict=False))

    def get_gpu_child_zone_stats(self, name: str, max_parents: int = 100000) -> dict[str, ZoneStats]:
        """GPU-time statistics of the direct children of GPU zones named `name`, keyed by child name.
        (Upstream crashes here for zones with children; this answers what it means to.)"""
        if self._db.rows("gpu_zones") == 0:
            return {}
        g, sl = self._gpu(), self._srclocs()
        parents = self._gpu_name_rows(name)
        if len(parents) == 0:
            return {}
        nchild = np.bincount(g.parent[g.parent >= 0], minlength=g.n)
        parents = parents[nchild[parents] > 0][: max(0, int(max_parents))]
        if len(parents) == 0:
            return {}
        mark = np.zeros(g.n + 1, dtype=bool)
        mark[parents] = True
        kids = np.nonzero(mark[g.parent] & g.valid & (g.dur >= 0) & g.known_srcloc)[0]
        st = stats_by_group(g.dur[kids], g.srcloc[kids].astype(np.intp), len(sl))
        return name_dict(sl, st)

    def get_gpu_contexts(self) -> list[GpuContextSummary]:
        """GPU contexts: name ("" when unnamed), zone count, API type, OS thread id (0 when not bound)."""
        db = self._db
        n = db.rows("gpu_contexts")
        if n == 0:
            return []
        names = db.col("gpu_contexts", "name").tolist()
        counts = db.col("gpu_contexts", "count").tolist()
        types = db.col("gpu_contexts", "type").tolist()
        tids = db.col("gpu_contexts", "tid").tolist()
        return [
            GpuContextSummary(
                name=self._str(nm) if nm >= 0 else "",
                count=int(c),
                type=GPU_CONTEXT_TYPES[t] if t < len(GPU_CONTEXT_TYPES) else "Unknown",
                thread=int(tid),
            )
            for nm, c, t, tid in zip(names, counts, types, tids, strict=False)
        ]

    def _gpu_issuers(self, thread_ids: np.ndarray, contexts: np.ndarray) -> np.ndarray:
        """Per GPU zone the issuing thread's row; a zone that carries none (a context bound to one thread stores
        none per zone, as upstream does) gets its context's thread."""
        missing = thread_ids < 0
        if not missing.any():
            return thread_ids
        tids = self._thread_tids()
        row_of = {int(t): i for i, t in enumerate(tids.tolist())}
        ctx_row = np.asarray([row_of.get(c.thread, -1) if c.thread else -1 for c in self.get_gpu_contexts()], np.int32)
        if len(ctx_row) == 0:
            return thread_ids
        owner = np.clip(contexts, 0, len(ctx_row) - 1)
        return np.where(missing & (contexts >= 0), ctx_row[owner], thread_ids).astype(np.int32)

    # -- beyond upstream --------------------------------------------------------------------------------------------
    def gpu_zones(
        self,
        *,
        name: str | list[str] | None = None,
        thread: int | str | list[int | str] | None = None,
        context_id: int | None = None,
        as_frame: bool | None = None,
    ) -> Table:
        """GPU zones, keyed by `id`: start_ns, end_ns, duration_ns (GPU execution times, aligned to the
        capture's CPU timeline as upstream does when the context is created; end -1 = never ended), cpu_start_ns,
        cpu_end_ns (when the CPU issued it), context_id (index into get_gpu_contexts()), thread_id, thread (the
        issuing thread; the context's thread when the zone names none, as a thread-bound context's do),
        depth, parent_id, srcloc_id, name. Filters: `name` (name, glob or list), `thread` (issuing thread: name,
        glob, thread_id or OS tid), `context_id`."""
        db = self._db
        g, sl = self._gpu(), self._srclocs()
        n = g.n
        issuer = db.col("gpu_zones", "thread") if n else np.zeros(0, np.int32)
        mask = None
        if name is not None:
            mask = both(mask, per_row(self._srcloc_name_mask(name), g.srcloc))
        if thread is not None:
            mask = both(mask, per_row(self._thread_mask(thread), issuer))
        if context_id is not None:
            mask = both(mask, g.owner == int(context_id))
        rows = None if mask is None else np.nonzero(mask)[0]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        src = pick(g.srcloc)
        thread_ids = self._gpu_issuers(pick(issuer).astype(np.int32), pick(g.owner))
        cols: dict[str, Any] = {
            "start_ns": pick(g.start),
            "end_ns": pick(g.end),
            "duration_ns": pick(g.dur),
            "cpu_start_ns": pick(db.col_or("gpu_zones", "cpu_start")),
            "cpu_end_ns": pick(db.col_or("gpu_zones", "cpu_end")),
            "context_id": pick(g.owner),
            "thread_id": thread_ids,
            "thread": self._thread_column(thread_ids),
            "depth": pick(g.depth),
            "parent_id": pick(g.parent),
            "srcloc_id": sl.upstream_ids(src),
            "name": labels_of(src, sl.name),
        }
        return make_table(cols, as_frame, ids=rows)
