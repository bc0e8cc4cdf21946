"""GPU zones and contexts: upstream-compatible statistics and lists, plus columnar access.

GPU zone durations are GPU time (gpu_end - gpu_start); like CPU zones, statistics count zones with a valid end
and a positive duration.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, make_table
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

    # -- beyond upstream --------------------------------------------------------------------------------------------
    def gpu_zones(self, *, name: str | None = None, as_frame: bool | None = None) -> Table:
        """GPU zones as columns: gpu_start, gpu_end, duration (GPU ns), cpu_start, cpu_end, context (row of
        get_gpu_contexts()), thread (OS tid), depth, srcloc (id), name."""
        db = self._db
        if db.rows("gpu_zones") == 0:
            return make_table(
                {
                    k: np.zeros(0, I64)
                    for k in (
                        "gpu_start",
                        "gpu_end",
                        "duration",
                        "cpu_start",
                        "cpu_end",
                        "context",
                        "thread",
                        "depth",
                        "srcloc",
                    )
                },
                as_frame,
            )
        g, sl = self._gpu(), self._srclocs()
        rows = np.arange(g.n)
        if name is not None:
            rows = np.nonzero(np.isin(g.srcloc, sl.rows_of(name)))[0]
        src = g.srcloc[rows].astype(np.int64)
        ok = (src >= 0) & (src < len(sl))
        ids = np.zeros(len(rows), I64)
        ids[ok] = sl.ids[src[ok]]
        names = np.asarray(sl.name + [""], dtype=object)
        src_for_name = np.where(ok, src, len(sl))
        cols: dict[str, Any] = {
            "gpu_start": g.start[rows],
            "gpu_end": g.end[rows],
            "duration": g.dur[rows],
            "cpu_start": db.col("gpu_zones", "cpu_start")[rows],
            "cpu_end": db.col("gpu_zones", "cpu_end")[rows],
            "context": g.owner[rows],
            "thread": self._tid_of_rows(db.col("gpu_zones", "thread")[rows]),
            "depth": g.depth[rows],
            "srcloc": ids,
            "name": names[src_for_name],
        }
        return make_table(cols, as_frame)
