"""CPU zones: upstream-compatible statistics and per-name lists, plus statistics per source location, self time,
percentiles and columnar access. All aggregation is vectorised over `ZoneTree` (tracy_mcp.engine.zonetree).

Deliberate differences from upstream (see the eval guide): name-keyed dicts aggregate every source location of
that name (upstream keeps one at random); get_root_zone_stats fills sum_sq; thread ids are always OS thread ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.callstacks import CallstackQueries
from tracy_mcp.analysis.columnar import (
    Labels,
    Table,
    code_dtype,
    labels_of,
    make_table,
    percentile_columns,
    percentile_name,
)
from tracy_mcp.analysis.filters import both, match_names, per_row
from tracy_mcp.analysis.metadata import MetaQueries
from tracy_mcp.analysis.results import SourceLocation, ZoneStats
from tracy_mcp.analysis.threads import ThreadQueries
from tracy_mcp.engine.srclocs import SrclocTable, load_srclocs
from tracy_mcp.engine.zonepaths import ZonePaths, load_zone_paths
from tracy_mcp.engine.zonetree import (
    GroupStats,
    ZoneTree,
    combine,
    engine_srcloc_order,
    engine_srcloc_stats,
    grouped_stats,
)

I64 = np.int64


def zone_stats_of(count: int, total: int, mn: int, mx: int, sum_sq: float) -> ZoneStats:
    return ZoneStats(min=mn, max=mx, total=total, sum_sq=sum_sq, count=count, avg=(total / count) if count else 0.0)


def stats_by_group(values: np.ndarray, groups: np.ndarray, ngroups: int) -> GroupStats:
    """Grouped stats of int64 `values` by small non-negative int `groups`."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=ngroups) if len(groups) else np.zeros(ngroups, I64)
    offsets = np.zeros(ngroups + 1, I64)
    np.cumsum(counts[:ngroups], out=offsets[1:])
    return grouped_stats(values[order].astype(I64, copy=False), offsets)


def name_dict(sl: SrclocTable, st: GroupStats, *, skip_empty: bool = True) -> dict[str, ZoneStats]:
    """Name-keyed ZoneStats, aggregating every source-location row of a name."""
    out: dict[str, ZoneStats] = {}
    for name in sl.names:
        rows = sl.rows_of(name)
        c = combine(st, rows)
        if skip_empty and c[0] == 0:
            continue
        out[name] = zone_stats_of(*c)
    return out


class ZoneQueries(CallstackQueries, ThreadQueries, MetaQueries):
    # -- building blocks ------------------------------------------------------------------------------------------
    def _srclocs(self) -> SrclocTable:
        return load_srclocs(self._db, self._strings)

    def _cpu(self) -> ZoneTree:
        def build() -> ZoneTree:
            nsrc = len(self._srclocs())
            return ZoneTree(
                self._db,
                "zones",
                start="start",
                end="end",
                owner="thread",
                nsrc=nsrc,
                precomputed=lambda: engine_srcloc_order(self._db, nsrc),
                engine_stats=engine_srcloc_stats(self._db, nsrc),
                engine_times=True,
            )

        return self._db.cached("cpu_tree", build)

    def _zone_paths(self) -> ZonePaths:
        """The engine's per-thread call paths of the CPU zones (tracy_mcp.engine.zonepaths)."""
        return load_zone_paths(self._db, self._srclocs())

    def _zone_extra(self, rows: np.ndarray, column: str, default: int) -> np.ndarray:
        """A `zone_extras` column (text, name, callstack, color) for zone rows; `default` where a zone has none."""
        db = self._db
        if not (db.has("zones", "extra") and db.has("zone_extras", column)):
            return np.full(len(rows), default, dtype=np.int64)
        ex = db.col("zones", "extra")[rows]
        vals = db.col("zone_extras", column)[ex].astype(np.int64)
        vals[ex == 0] = default
        return vals

    def _srcloc_row(self, srcloc_id: int) -> int:
        row = self._srclocs().row_by_id.get(int(srcloc_id))
        if row is None:
            raise KeyError(f"no source location with id {srcloc_id}")
        return row

    def _name_stat_rows(self, name: str) -> np.ndarray:
        return self._cpu().stat_rows(self._srclocs().rows_of(name))

    # -- source locations -----------------------------------------------------------------------------------------
    def get_src_loc(self, id: int) -> SourceLocation:  # noqa: A002 - upstream's argument name
        """The source location with upstream id `id` (static 1.., dynamic -1..). Raises KeyError when unknown."""
        sl = self._srclocs()
        r = self._srcloc_row(id)
        return SourceLocation(
            line=int(sl.line[r]),
            id=int(id),
            name=sl.name[r],
            function=sl.function[r],
            file=sl.file[r],
            color=int(sl.color[r]),
        )

    def get_zone_name(self, id: int) -> str:  # noqa: A002
        """Zone name of source-location id `id`; KeyError when unknown."""
        return self._srclocs().name[self._srcloc_row(id)]

    def get_zone_stats(self, id: int) -> ZoneStats:  # noqa: A002
        """Statistics of the zones of one source location (zones with a valid end and positive duration)."""
        st = self._cpu().srcloc_stats()
        return zone_stats_of(*combine(st, np.asarray([self._srcloc_row(id)])))

    def get_all_zone_stats(self) -> dict[str, ZoneStats]:
        """Zone statistics keyed by zone name, every source location of a name aggregated."""
        return name_dict(self._srclocs(), self._cpu().srcloc_stats())

    def get_all_zone_stats_by_srcloc(self) -> dict[int, ZoneStats]:
        """Zone statistics keyed by source-location id (only ids with zones)."""
        sl, st = self._srclocs(), self._cpu().srcloc_stats()
        return {int(sl.ids[r]): zone_stats_of(*combine(st, np.asarray([r]))) for r in range(len(sl)) if st.count[r] > 0}

    def get_root_zone_stats(self) -> dict[str, ZoneStats]:
        """Statistics of top-level zones (depth 0 on each thread or fiber, valid end), keyed by name."""
        t, sl = self._cpu(), self._srclocs()
        rows = np.nonzero((t.depth == 0) & t.valid)[0]
        st = stats_by_group(t.dur[rows], t.srcloc[rows].astype(np.intp), len(sl))
        return name_dict(sl, st)

    def get_zone_source_location(self, name: str) -> dict[str, Any]:
        """{name, function, file, line, color} of the source location of zones named `name` (the one with the most
        zones when several share the name); {} when no source location has that name."""
        sl = self._srclocs()
        rows = sl.rows_of(name)
        if len(rows) == 0:
            return {}
        return {"name": name, **self._main_location(rows)}

    def get_all_zone_source_locations(self) -> dict[str, dict[str, Any]]:
        """{name: {function, file, line, color}} for every source-location name (zones, locks, GPU zones)."""
        sl = self._srclocs()
        return {name: self._main_location(sl.rows_of(name)) for name in sl.names}

    def _main_location(self, rows: np.ndarray) -> dict[str, Any]:
        """function, file, line and color of the source location that stands for a name (see _main_row)."""
        sl = self._srclocs()
        r = self._main_row(rows)
        return {"function": sl.function[r], "file": sl.file[r], "line": int(sl.line[r]), "color": int(sl.color[r])}

    def _main_row(self, rows: np.ndarray) -> int:
        counts = self._cpu().srcloc_stats().count[rows]
        if self._db.has("gpu_zones", "srcloc"):
            counts = counts + self._gpu_srcloc_counts()[rows]
        return int(rows[int(np.argmax(counts))])

    def _gpu_srcloc_counts(self) -> np.ndarray:
        def build() -> np.ndarray:
            src = self._db.col("gpu_zones", "srcloc")
            return np.bincount(src, minlength=len(self._srclocs())).astype(I64)

        return self._db.cached("gpu_srcloc_counts", build)

    # -- per-name lists ---------------------------------------------------------------------------------------------
    def get_zone_durations(self, name: str, max_samples: int = 100000) -> list[int]:
        """Durations (ns) of zones named `name` (valid end, positive duration), at most max_samples."""
        t = self._cpu()
        rows = self._name_stat_rows(name)[: max(0, int(max_samples))]
        return t.dur[rows].tolist()

    def get_zone_occurrences(self, name: str, max_samples: int = 100000) -> list[tuple[int, int]]:
        """(start, duration) of zones named `name`."""
        t = self._cpu()
        rows = self._name_stat_rows(name)[: max(0, int(max_samples))]
        return list(zip(t.start[rows].tolist(), t.dur[rows].tolist(), strict=False))

    def get_zone_occurrences_with_thread(self, name: str, max_samples: int = 100000) -> list[tuple[int, int, int]]:
        """(start, duration, OS thread id) of zones named `name`."""
        t = self._cpu()
        rows = self._name_stat_rows(name)[: max(0, int(max_samples))]
        tids = self._tid_of_rows(t.owner[rows])
        return list(zip(t.start[rows].tolist(), t.dur[rows].tolist(), tids.tolist(), strict=False))

    def get_zone_annotations(self, name: str, max_samples: int = 10000) -> list[str]:
        """Texts attached to zones named `name` (ZoneText, and ZoneValue formatted as text); zones without text
        are skipped."""
        rows = self._name_stat_rows(name)
        sids = self._zone_extra(rows, "text", -1)
        sids = sids[sids >= 0][: max(0, int(max_samples))]
        return self._strings.many(sids)

    def get_zone_callstacks(self, name: str, max_samples: int = 1000) -> list[list[dict[str, Any]]]:
        """For zones named `name` that carry a callstack: the callstack's frames (innermost first)."""
        rows = self._name_stat_rows(name)
        idx = self._zone_extra(rows, "callstack", 0)
        idx = idx[idx != 0][: max(0, int(max_samples))]
        return [self.get_callstack_frames(int(i)) for i in idx.tolist()]

    def get_child_zone_stats(self, name: str, max_parents: int = 100000) -> dict[str, ZoneStats]:
        """Statistics of the direct children (valid end) of zones named `name`, keyed by child name; at most
        max_parents parents that have children are considered."""
        t, sl = self._cpu(), self._srclocs()
        parents = self._name_stat_rows(name)
        if len(parents) == 0:
            return {}
        if len(t.subtree_end) == t.n:
            has_children = t.subtree_end[parents] > parents + 1
        else:
            nchild = np.bincount(t.parent[t.parent >= 0], minlength=t.n)
            has_children = nchild[parents] > 0
        parents = parents[has_children][: max(0, int(max_parents))]
        if len(parents) == 0:
            return {}
        mark = np.zeros(t.n + 1, dtype=bool)
        mark[parents] = True
        kids = np.nonzero(mark[t.parent] & t.valid)[0]
        st = stats_by_group(t.dur[kids], t.srcloc[kids].astype(np.intp), len(sl))
        return name_dict(sl, st)

    # -- beyond upstream --------------------------------------------------------------------------------------------
    def zone_durations(self, name: str | None = None, *, srcloc: int | None = None) -> np.ndarray:
        """Durations (int64 ns, numpy) of the stat zones of a name or a source-location id; everything if
        neither is given (zones with a valid end)."""
        t = self._cpu()
        if srcloc is not None:
            return t.dur[t.stat_rows(np.asarray([self._srcloc_row(srcloc)]))]
        if name is not None:
            return t.dur[self._name_stat_rows(name)]
        return t.dur[t.valid]

    def zone_percentiles(
        self, name: str | None = None, q: tuple[float, ...] = (50, 90, 99), *, srcloc: int | None = None
    ) -> dict[str, float]:
        """Percentiles of zone durations (ns) of a name or source-location id: {"p50": ..., ...}."""
        d = self.zone_durations(name, srcloc=srcloc)
        return {k: float(v[0]) for k, v in percentile_columns([d], tuple(q)).items()}

    def zone_stats(
        self, by: str = "name", *, percentiles: tuple[float, ...] | None = (50, 90, 99), as_frame: bool | None = None
    ) -> Table:
        """Statistics of zone durations, one row per zone name (by="name"; `id` = rank) or per source location
        (by="srcloc"; `id` = srcloc_id, plus function, file, line): name, count, total_ns, min_ns, max_ns,
        mean_ns, std_ns, self_ns (total self time), self_min_ns, self_max_ns, p50_ns, p90_ns, p99_ns (the
        `percentiles` asked for). Stat zones only (valid end, positive duration), as upstream. Sorted by
        total_ns, largest first."""
        if by not in ("name", "srcloc"):
            raise ValueError('by must be "name" or "srcloc"')
        qs = tuple(percentiles or ())
        # Computed once per argument set and capture generation (a live capture's new snapshot is a new
        # generation); each call gets its own copy of the small result.
        key = ("zone_stats", by, tuple(float(q) for q in qs))
        cols, ids = self._db.cached(key, lambda: self._zone_stats_columns(by, qs))
        return make_table({k: v.copy() for k, v in cols.items()}, as_frame, ids=None if ids is None else ids.copy())

    def _zone_stats_columns(self, by: str, qs: tuple[float, ...]) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """zone_stats()' columns and ids (None for by="name")."""
        sl = self._srclocs()
        if by == "srcloc":
            group_of = np.arange(len(sl), dtype=np.int32)
            keys: dict[str, Any] = {
                "name": np.asarray(sl.name, dtype=object),
                "function": np.asarray(sl.function, dtype=object),
                "file": np.asarray(sl.file, dtype=object),
                "line": sl.line.copy(),
            }
        else:
            group_of = np.full(len(sl), -1, dtype=np.int32)
            for i, n in enumerate(sl.names):
                group_of[sl.rows_of(n)] = i
            keys = {"name": np.asarray(sl.names, dtype=object)}
        # One pass of the engine over the zones: durations, self time and the percentiles of every group.
        self._db.ensure()
        st = self._db.native.zone_group_stats(group_of, len(keys["name"]), qs)
        count, total, sum_sq = st["count"], st["total"], st["sum_sq"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
            var = np.where(count > 1, (sum_sq - total.astype(np.float64) * mean) / np.maximum(count - 1, 1), np.nan)
        cols: dict[str, Any] = dict(keys)
        cols.update(
            count=count,
            total_ns=total,
            min_ns=st["min"],
            max_ns=st["max"],
            mean_ns=mean,
            std_ns=np.sqrt(np.maximum(var, 0)),
            self_ns=st["self_total"],
            self_min_ns=st["self_min"],
            self_max_ns=st["self_max"],
        )
        for k, q in enumerate(qs):
            cols[percentile_name(q, "_ns")] = st["percentiles"][:, k]
        keep = count > 0
        order = np.argsort(-total[keep], kind="stable")
        cols = {k: np.asarray(v)[keep][order] for k, v in cols.items()}
        ids = sl.ids[keep][order] if by == "srcloc" else None
        return cols, ids

    def self_time_array(self) -> np.ndarray:
        """Self time (ns) per row of the zones table: duration minus direct children's durations."""
        return self._cpu().self_time()

    def zones(
        self,
        *,
        name: str | list[str] | None = None,
        thread: int | str | list[int | str] | None = None,
        start: int | None = None,
        end: int | None = None,
        as_frame: bool | None = None,
    ) -> Table:
        """CPU zones, one row per zone, keyed by `id` (the zone's row; parents come before their children and
        each thread's zones are in time order). Columns: start_ns, end_ns (-1 = never ended), duration_ns (0 if
        never ended), self_ns (duration minus direct children), depth (0 = top level), parent_id (-1 = top
        level), thread_id, thread (name), srcloc_id, name, text (ZoneText/ZoneValue, "" if none), zone_name (the
        name ZoneName gave that one zone, e.g. an asset's, "" if none).
        Filters: `name` (a name, a glob like "Render*", or a list), `thread` (a name, glob, thread_id or OS tid,
        or a list), and a window [start, end) in ns that a zone must overlap."""
        t = self._cpu()
        lo, hi = 0, t.n
        mask = None
        if thread is not None:
            chosen = self._thread_mask(thread)
            span = self._zone_span(np.nonzero(chosen)[0])
            if span is None:
                mask = per_row(chosen, t.owner)
            else:
                lo, hi = span  # the threads' zones are one block of rows: filter inside it only

        def part(a: np.ndarray) -> np.ndarray:
            return a if (lo, hi) == (0, t.n) else a[lo:hi]

        if name is not None:
            mask = both(mask, per_row(self._srcloc_name_mask(name), part(t.srcloc)))
        if start is not None:
            mask = both(mask, (part(t.end) > start) | ~part(t.valid))
        if end is not None:
            mask = both(mask, part(t.start) < end)
        rows: np.ndarray | slice | None
        if mask is not None:
            rows = np.nonzero(mask)[0] + lo
        else:
            rows = None if (lo, hi) == (0, t.n) else slice(lo, hi)
        return make_table(self._zone_columns(rows), as_frame, ids=rows)

    def _zone_span(self, thread_ids: np.ndarray) -> tuple[int, int] | None:
        """(first, end) zone rows of the given threads when their zones form one block of rows (each thread's
        zones are contiguous in the engine's table); None when they do not or the engine does not say."""
        db = self._db
        if not db.has("threads", "zones_begin"):
            return None
        begin = db.col("threads", "zones_begin").astype(np.int64)[thread_ids]
        end = db.col("threads", "zones_end").astype(np.int64)[thread_ids]
        keep = end > begin
        begin, end = np.sort(begin[keep]), np.sort(end[keep])
        if len(begin) == 0:
            return 0, 0
        if np.any(begin[1:] != end[:-1]):
            return None
        return int(begin[0]), int(end[-1])

    def _srcloc_name_mask(self, name: str | list[str]) -> np.ndarray:
        """Boolean per source-location row for a `name=` filter."""
        return match_names(name, self._srclocs().name)

    def _zone_columns(self, rows: np.ndarray | slice | None) -> dict[str, Any]:
        """The zones() columns for zone rows (None: every zone, as zero-copy views of the engine's columns and of
        arrays derived once per capture)."""
        t = self._cpu()
        dur, self_ns = t.times()
        derived = self._zone_derived()

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        def labels(key: str) -> Labels:
            full = derived[key]
            return full if rows is None else full.take(rows)

        return {
            "start_ns": pick(t.start),
            "end_ns": pick(t.end),
            "duration_ns": pick(dur),
            "self_ns": pick(self_ns),
            "depth": pick(t.depth),
            "parent_id": pick(t.parent),
            "thread_id": pick(t.owner),
            "thread": labels("thread"),
            "srcloc_id": pick(derived["srcloc_id"]),
            "name": labels("name"),
            "text": labels("text"),
            "zone_name": labels("zone_name"),
        }

    def _zone_derived(self) -> dict[str, Any]:
        """Per-zone columns that are not engine columns as they stand (upstream srcloc ids, and the codes of the
        name, thread and text categoricals), built once per capture generation and read-only: each is a lookup
        table over source locations, threads or zone extras, applied to every zone by the engine."""

        def build() -> dict[str, Any]:
            sl = self._srclocs()
            nsrc = len(sl)
            names = labels_of(np.arange(nsrc), sl.name)
            thread_labels = self._thread_labels()
            threads = labels_of(np.arange(len(thread_labels)), thread_labels)
            texts, no_text = self._extra_codes("text")
            names_given, no_name = self._extra_codes("name")

            def codes(key: str, lut: Labels, missing: int) -> Labels:
                return Labels(self._zone_codes(key, lut.codes, missing, code_dtype(len(lut.labels))), lut.labels)

            out = {
                "srcloc_id": self._zone_codes("srcloc", sl.ids, 0, np.int16 if nsrc < 2**15 else np.int32),
                "name": codes("srcloc", names, -1),
                "thread": codes("thread", threads, -1),
                "text": codes("extra", texts, no_text),
                "zone_name": codes("extra", names_given, no_name),
            }
            for v in out.values():
                arr: np.ndarray = v.codes if isinstance(v, Labels) else v  # type: ignore[assignment]
                arr.setflags(write=False)
            return out

        return self._db.cached("zone_derived", build)

    def _zone_codes(self, key: str, lut: np.ndarray, missing: int, dtype: Any) -> np.ndarray:
        """lut[key] for every CPU zone, key being its srcloc, thread or zone_extras row (the engine's pass)."""
        n = self._cpu().n
        if n == 0 or len(lut) == 0:
            return np.full(n, missing, dtype) if missing else np.zeros(n, dtype)
        return self._db.native.zone_codes(key, lut, missing, dtype, n)

    def _extra_codes(self, column: str) -> tuple[Labels, int]:
        """A zone_extras string column (text: ZoneText / ZoneValue; name: ZoneName) as a categorical per
        zone_extras row ("" where none; row 0 stands for "no extras"), and the code of ""."""
        db = self._db
        if not (db.has("zones", "extra") and db.has("zone_extras", column)) or db.rows("zone_extras") <= 1:
            return Labels(np.zeros(0, np.int8), [""]), 0
        sids = db.col("zone_extras", column).astype(np.int64)
        if not (sids >= 0).any():
            return Labels(np.zeros(0, np.int8), [""]), 0
        uniq, inv = np.unique(sids, return_inverse=True)
        labels = self._strings.decode(uniq)
        if "" not in labels:
            labels.append("")
        codes = inv.astype(np.int32)
        codes[0] = labels.index("")
        merged = labels_of(codes, labels)
        return merged, int(merged.codes[0])

    def zones_in_range(
        self, start: int, end: int, *, thread: int | str | list[int | str] | None = None, as_frame: bool | None = None
    ) -> Table:
        """Zones overlapping the time window [start, end) (ns), as zones()."""
        return self.zones(thread=thread, start=start, end=end, as_frame=as_frame)

    def thread_busy_time(self, start: int | None = None, end: int | None = None) -> dict[int, int]:
        """Per OS thread id: time (ns) covered by its top-level zones, clipped to [start, end) if given."""
        t = self._cpu()
        roots = np.nonzero((t.depth == 0) & t.valid)[0]
        s = t.start[roots]
        e = t.end[roots]
        if start is not None:
            s = np.maximum(s, start)
        if end is not None:
            e = np.minimum(e, end)
        d = np.maximum(e - s, 0)
        owner = t.owner[roots].astype(np.intp)
        nthreads = self._db.rows("threads")
        busy = np.bincount(owner, weights=d, minlength=nthreads).astype(I64)
        tids = self._thread_tids()
        return {int(tids[i]): int(busy[i]) for i in range(min(nthreads, len(busy)))}
