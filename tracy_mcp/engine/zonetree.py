"""Vectorised index over a table of nested zones (CPU `zones` or `gpu_zones`): durations, validity, grouping by
source location, self time, per-group statistics. Built once per capture generation, then every aggregation is a
few numpy reductions.

Upstream's statistics count a zone only when its end is valid and its duration is positive ("stat zones"); the
per-name lists (durations, occurrences, annotations, ...) follow the same rule, so it lives here in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from tracy_mcp.engine.data import CaptureData

I64 = np.int64


def _srcloc_sort_key(srcloc: np.ndarray, nsrc: int) -> np.ndarray:
    # numpy's stable sort is a radix sort for 16-bit keys: far faster than a merge sort on int32.
    if nsrc < 2**15:
        return srcloc.astype(np.int16, copy=False)
    return srcloc


@attrs.define
class GroupStats:
    """Statistics per group (e.g. per source-location row), as parallel arrays."""

    count: np.ndarray  # int64
    total: np.ndarray  # int64
    min: np.ndarray  # int64 (INT64_MAX where count == 0)
    max: np.ndarray  # int64 (INT64_MIN where count == 0)
    sum_sq: np.ndarray  # float64


def grouped_stats(values_sorted: np.ndarray, offsets: np.ndarray) -> GroupStats:
    """Stats of consecutive slices values_sorted[offsets[i]:offsets[i+1]] (int64 values)."""
    ngroups = len(offsets) - 1
    count = np.diff(offsets).astype(I64)
    total = np.zeros(ngroups, I64)
    mn = np.full(ngroups, np.iinfo(I64).max, I64)
    mx = np.full(ngroups, np.iinfo(I64).min, I64)
    ssq = np.zeros(ngroups, np.float64)
    nz = np.nonzero(count)[0]
    if len(nz):
        starts = offsets[:-1][nz]
        total[nz] = np.add.reduceat(values_sorted, starts)
        mn[nz] = np.minimum.reduceat(values_sorted, starts)
        mx[nz] = np.maximum.reduceat(values_sorted, starts)
        f = values_sorted.astype(np.float64)
        f *= f
        # Summed sequentially per group (np.cumsum), not pairwise: the same rounding as upstream's running
        # `sumSq += dur * dur`, so derived numbers (e.g. csvexport's std) agree to the last digit.
        ends = offsets[1:][nz]
        for g, a, b in zip(nz.tolist(), starts.tolist(), ends.tolist(), strict=False):
            ssq[g] = np.cumsum(f[a:b])[-1]
    return GroupStats(count, total, mn, mx, ssq)


def combine(stats: GroupStats, rows: np.ndarray) -> tuple[int, int, int, int, float]:
    """(count, total, min, max, sum_sq) over several groups."""
    if len(rows) == 0:
        return 0, 0, int(np.iinfo(I64).max), int(np.iinfo(I64).min), 0.0
    return (
        int(stats.count[rows].sum()),
        int(stats.total[rows].sum()),
        int(stats.min[rows].min()),
        int(stats.max[rows].max()),
        float(stats.sum_sq[rows].sum()),
    )


class ZoneTree:
    """Index over one zone table. `owner` is the per-row column naming the timeline (thread or GPU context)."""

    def __init__(
        self,
        db: CaptureData,
        table: str,
        *,
        start: str,
        end: str,
        owner: str,
        nsrc: int,
        precomputed: Callable[[], tuple[np.ndarray, np.ndarray] | None] | None = None,
        engine_stats: GroupStats | None = None,
        engine_times: bool = False,
    ) -> None:
        """`precomputed` gives the stat zones grouped by srcloc (as stat_order) when first needed, or None to
        compute them here; `engine_times`: durations and self times come from the engine's pass over the CPU
        zones (tshim_zone_times) instead of numpy."""
        self.table = table
        self.n = db.rows(table)
        n = self.n
        self.start = db.col(table, start) if n else np.zeros(0, I64)
        self.end = db.col(table, end) if n else np.zeros(0, I64)
        self.srcloc = db.col(table, "srcloc") if n else np.zeros(0, np.int32)
        self._owner_column = owner
        self._db = db
        self.nsrc = nsrc
        self._valid: np.ndarray | None = None
        self._dur: np.ndarray | None = None
        self._known: np.ndarray | None = None
        self._precomputed = precomputed
        self._stat_order: tuple[np.ndarray, np.ndarray] | None = None
        self._stat_stats: GroupStats | None = engine_stats
        self._engine_times = engine_times and n > 0
        self._self_time: np.ndarray | None = None
        self._poisoned: np.ndarray | None = None

    # -- the tree columns: zero-copy views, fetched on first use (the engine derives parent and subtree_end from
    # the depths only when they are first read) ------------------------------------------------------------------
    @property
    def owner(self) -> np.ndarray:
        """The timeline (thread or GPU context row) of each zone."""
        return self._db.col(self.table, self._owner_column) if self.n else np.zeros(0, np.int32)

    @property
    def parent(self) -> np.ndarray:
        return self._db.col(self.table, "parent") if self.n else np.zeros(0, np.int32)

    @property
    def depth(self) -> np.ndarray:
        return self._db.col(self.table, "depth") if self.n else np.zeros(0, np.uint16)

    @property
    def subtree_end(self) -> np.ndarray:
        return self._db.col(self.table, "subtree_end") if self.n else np.zeros(0, np.int32)

    def children(self, row: int) -> np.ndarray:
        """Rows of the direct children of zone `row` (its subtree's rows whose parent it is), in time order."""
        end = int(self.subtree_end[row])
        return row + 1 + np.flatnonzero(self.parent[row + 1 : end] == row)

    # -- per-row arrays, built on first use ---------------------------------------------------------------------
    @property
    def valid(self) -> np.ndarray:
        """True where the zone has a valid end."""
        if self._valid is None:
            self._valid = self.end >= 0
        return self._valid

    @property
    def dur(self) -> np.ndarray:
        """Duration (int64 ns), 0 where the end is not valid."""
        if self._dur is None and self._engine_times:
            self._dur = self._times_from_engine(duration=True)["duration"]
        if self._dur is None:
            d = self.end - self.start
            d[~self.valid] = 0
            self._dur = d.astype(I64, copy=False)
        return self._dur

    @property
    def known_srcloc(self) -> np.ndarray:
        """True where the zone's srcloc is a row of `srclocs` (not "none")."""
        if self._known is None:
            self._known = (self.srcloc >= 0) & (self.srcloc < self.nsrc)
        return self._known

    # -- "stat zones": valid end, positive duration, grouped by source location ---------------------------------
    def stat_order(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows sorted by srcloc, offsets per srcloc row (len nsrc + 1)) of the stat zones."""
        if self._stat_order is None and self._precomputed is not None:
            self._stat_order = self._precomputed()
        if self._stat_order is None:
            mask = self.valid & (self.dur > 0) & self.known_srcloc
            rows = np.nonzero(mask)[0]
            idx_dtype = np.int32 if self.n < 2**31 else I64
            rows = rows.astype(idx_dtype, copy=False)
            key = _srcloc_sort_key(self.srcloc[rows], self.nsrc)
            order = np.argsort(key, kind="stable")
            rows = rows[order]
            counts = np.bincount(self.srcloc[rows], minlength=self.nsrc) if len(rows) else np.zeros(self.nsrc, I64)
            offsets = np.zeros(self.nsrc + 1, I64)
            np.cumsum(counts[: self.nsrc], out=offsets[1:])
            self._stat_order = (rows, offsets)
        return self._stat_order

    def srcloc_stats(self) -> GroupStats:
        """Per source-location row stats over the stat zones (the engine's when it built them)."""
        if self._stat_stats is None:
            self._stat_stats = self.computed_srcloc_stats()
        return self._stat_stats

    def computed_srcloc_stats(self) -> GroupStats:
        """The same statistics computed here with numpy from the zone columns."""
        rows, offsets = self.stat_order()
        return grouped_stats(self.dur[rows], offsets)

    def stat_rows(self, srcloc_rows: np.ndarray) -> np.ndarray:
        """Stat-zone rows of the given source-location rows, in srcloc order, then timeline order."""
        rows, offsets = self.stat_order()
        if len(srcloc_rows) == 0:
            return rows[:0]
        if len(srcloc_rows) == 1:
            s = int(srcloc_rows[0])
            return rows[offsets[s] : offsets[s + 1]]
        return np.concatenate([rows[offsets[s] : offsets[s + 1]] for s in srcloc_rows.tolist()])

    # -- self time ------------------------------------------------------------------------------------------------
    def self_time(self) -> np.ndarray:
        """Duration minus the durations of direct children (children without a valid end count 0), per row; 0 for
        zones without a valid end."""
        if self._self_time is None and self._engine_times:
            self._self_time = self._times_from_engine(self_time=True)["self_time"]
        if self._self_time is None:
            # integer scatter-add (numpy's add.at is fast for int64): roots add into a spare last slot
            sums = np.zeros(self.n + 1, I64)
            np.add.at(sums, self.parent, self.dur)
            self._self_time = np.where(self.valid, self.dur - sums[: self.n], 0)
        return self._self_time

    def times(self) -> tuple[np.ndarray, np.ndarray]:
        """(dur, self_time()), from one engine pass over the zones when neither is known yet."""
        if self._engine_times and self._dur is None and self._self_time is None:
            out = self._times_from_engine(duration=True, self_time=True)
            self._dur, self._self_time = out["duration"], out["self_time"]
        return self.dur, self.self_time()

    def _times_from_engine(self, *, duration: bool = False, self_time: bool = False) -> dict[str, np.ndarray]:
        """Durations and/or self times of every row from the engine's pass over the zones (read-only)."""
        out = self._db.native.zone_times(self.n, duration=duration, self_time=self_time)
        for a in out.values():
            a.setflags(write=False)
        return out

    # -- zones below a zone without a valid end ------------------------------------------------------------------
    def under_invalid(self) -> np.ndarray:
        """True for rows that are, or are inside, a zone without a valid end (tree walks of upstream skip them)."""
        if self._poisoned is None:
            bad = np.nonzero(~self.valid)[0]
            mark = np.zeros(self.n + 1, np.int32)
            if len(bad):
                if len(self.subtree_end) == self.n:
                    ends = self.subtree_end[bad].astype(I64)
                else:
                    ends = bad + 1
                np.add.at(mark, bad, 1)
                np.add.at(mark, ends, -1)
            self._poisoned = np.cumsum(mark[: self.n]) > 0
        return self._poisoned


def engine_srcloc_stats(db: CaptureData, nsrc: int) -> GroupStats | None:
    """The engine's per-srcloc statistics (COMPLETE step), when present."""
    cols = ("zone_count", "zone_total", "zone_min", "zone_max", "zone_sum_sq")
    if db.native.state < 2 or not all(db.has("srclocs", c) for c in cols) or db.rows("srclocs") != nsrc:
        return None
    return GroupStats(
        db.col("srclocs", "zone_count").astype(I64),
        db.col("srclocs", "zone_total").astype(I64),
        db.col("srclocs", "zone_min").astype(I64),
        db.col("srclocs", "zone_max").astype(I64),
        db.col("srclocs", "zone_sum_sq").astype(np.float64),
    )


def engine_srcloc_order(db: CaptureData, nsrc: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The engine's per-srcloc zone lists (srcloc_zones, built in the COMPLETE step) as (rows, offsets), when
    present and laid out contiguously in srcloc row order; None otherwise."""
    if not (db.has("srcloc_zones", "zone") and db.has("srclocs", "zones_begin")) or db.native.state < 2:
        return None
    begin = db.col("srclocs", "zones_begin").astype(I64)
    end = db.col("srclocs", "zones_end").astype(I64)
    if len(begin) != nsrc or nsrc == 0:
        return None
    if begin[0] != 0 or np.any(begin[1:] != end[:-1]):
        return None
    offsets = np.concatenate([begin, end[-1:]])
    return db.col("srcloc_zones", "zone"), offsets
