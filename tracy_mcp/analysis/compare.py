"""compare: A/B comparison of two captures of the same program, per zone name and per call path.

Per group: count, total, mean, p50/p90 in A and B, ratios, and a Mann-Whitney rank test on the individual durations
(up to SAMPLE per group and side). A change is beyond noise when p < alpha AND it moves by at least `min_change`.
Classes, judged on own (self) time so that parents do not inherit their children's changes:
- regressed / improved: own time per call up / down (by at least min_change of the zone's duration per call, in
  the mean and in the median call);
- count changed only: the call count moved but the total time did not (the same work in more / fewer calls);
- more calls / fewer calls: the count moved and the total with it, per-call time unchanged;
- through children: per-call time moved only through children (named from the call paths);
- wait grew / shrank: a zone that waits rather than works (wait_zones, e.g. a frame pacer shrinking when work grows);
- new / gone; unchanged.
When the captures differ in length (gameplay frames, else span), B's counts and totals are scaled to A's length.
"""

from __future__ import annotations

import math
import os
import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.alternating_frames import alternating
from tracy_mcp.analysis.call_context import call_contexts, quote_kind
from tracy_mcp.analysis.call_paths import call_paths, merge_paths
from tracy_mcp.analysis.capture_diff import (
    build_change,
    memory_totals,
    other_changes,
    program_functions,
    thread_changes,
)
from tracy_mcp.analysis.compare_gpu import gpu_change, gpu_lines, gpu_title
from tracy_mcp.analysis.compare_memory import peak_change
from tracy_mcp.analysis.compare_threads import (
    frame_breakdown,
    gathered,
    move_hitch,
    move_waited,
    off_frame,
    thread_moves,
    threads_running,
    top_gain,
)
from tracy_mcp.analysis.compare_waits import waits_and_leaks
from tracy_mcp.analysis.cpu_runs import host_cores, time_split
from tracy_mcp.analysis.formatting import clause_before, clip_text, fmt_ns, fmt_pct
from tracy_mcp.analysis.frame_phases import default_frame_set, frame_phases, markless, paired_marks, periodic
from tracy_mcp.analysis.locations import location_label, locations_of
from tracy_mcp.analysis.machine_factor import MIN_CALLS, machine_factor, machine_words
from tracy_mcp.analysis.memory_report import allocations_by_zone
from tracy_mcp.analysis.pacer_overshoot import pacer_overshoot
from tracy_mcp.analysis.pipeline import pipeline_change
from tracy_mcp.analysis.program_messages import one_off_after, one_off_before
from tracy_mcp.analysis.rank_test import mann_whitney, smallest_p
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.request_wait import request_wait
from tracy_mcp.analysis.slow_frames import DEFAULT_FACTOR, PACED_FACTOR, PACED_LATE
from tracy_mcp.analysis.startup import program_startup_ns, startup_what, startup_window
from tracy_mcp.analysis.wait_zones import PACES, UNIT_MIN_RUNS, unit_name, wait_names, wait_zones
from tracy_mcp.analysis.waited_job import started_later
from tracy_mcp.analysis.zone_paths import TEXT_KINDS, text_ids, text_kinds, zone_texts
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
THROUGHPUT_MOVED = 1.25  # the unit of work ran this many times as often per second (or 1/x): throughput moved
NEGLIGIBLE = 0.02  # a regression adding under this share of A's median frame per frame is not the news
RUNS_ONLY = 0.6  # a zone whose calls span at most this share of the capture runs in one stretch of it
NEAR_MESSAGE_NS = 200_000_000  # a one-off message this close to a stretch's end names it
MISSED_SHARE = 0.1  # a paced loop with this share of B's frames at two intervals or more missed it
SAMPLE = 2000  # durations per group and side for the rank test and the percentiles
STRIDED = 250_000  # big call paths are sampled from an evenly strided subset of about this many zones
CHANGED = ("regressed", "improved", "more calls", "fewer calls", "new", "gone")
LONG_FRAMES_MIN = 3  # frames over 1.5x A's median worth counting in A and B
UNIFORM_BEYOND = 1.3  # a zone this many times beyond the machine-wide factor regressed on top of it
HITCH_RATIO = 2.0  # slow frames this many times as many (or as few) in B: the hitches' frequency changed
ALLOC_RATIO = 2.0  # a regressed zone allocating this many times as often per call says so in the title
RARE_CALLS = 5  # a zone run fewer times than this on a side cannot be tested...
RARE_RATIO = 1.5  # ...and is named when its time per call moved this many times...
RARE_NS = 1_000_000  # ...and by this much at least
RARE_SHOWN = 3  # such zones listed
HIDES_PARTS = ("unchanged", "more calls", "fewer calls", "count changed only")  # name-level kinds a part can hide in
QUEUE_MOVED = 2.0  # a queue wait this many times longer (or shorter) at p50 or p99 moved the latency users see
RARE_LEADS = 2.0  # a one-off that got slower leads when it added this many times the top regression's time...
RARE_INNER = 0.8  # ...with the one-off inside it that moved by this share of its change
NEW_LEADS = 1.5  # a zone only B has leads beside a regression when it added this many times the regression's time
NS_MIN = 3  # regressed zones sharing a namespace prefix (Anim::) that make it the subsystem that got slower...
NS_SHARE = 0.6  # ...when they hold this share of the regressions' added time
NS_SHOWN = 4  # namespaces listed
STARTUP_CHANGE = 0.1  # a start-up (to the first frame mark) this much longer or shorter leads the title...
STARTUP_EXPLAINS = 0.5  # ...naming the zone whose own time in it moved by this share of the change
STARTUP_DELTA_NS = 100_000_000  # ...when it moved by at least this much
ABSORBED = 0.005  # a pacing wait that moved this share of a frame or more absorbed the change
SET_FRAMES = 20  # a named frame set compared besides the main frames needs this many frames in each capture...
MAX_SETS = 3  # ...and at most this many are
SAME_WORK_MIN = 10  # zone names called at least this often in both runs tell whether they did the same work...
SAME_WORK_SHARE = 0.5  # ...when at least this share of them have exactly equal counts
PART_SHARE = 0.25  # a zone regressed in part when this share of its calls in B lie beyond A's p90 (0.1 by chance)
PART_TAIL_SHARE = 0.12  # ...or this share beyond A's p99, when they took TAIL_RATIO as long as A's slowest
TAIL_RATIO = 1.5
UNIT_TAIL_RUNS = 1000  # a unit run this many times in both...
UNIT_TAIL_SHARE = 0.03  # ...with this share of B's runs beyond A's p99 (3x chance) and a p99 TAIL_RATIO as long
BEYOND_MIN = 3  # ...or (the unit of work) at least this many took TAIL_RATIO as long as A's slowest run...
BEYOND_P = 1e-4  # ...far more than chance gives
TAIL_THREAD = 0.6  # ...or this share of B's runs beyond A's p99 on one thread of several: that thread's tail
MANY_MORE = 3.0  # a zone called this many times as often, cheaper per call but more in total: more calls, first
PER_CALL_MOVED = 0.25  # a zone called more often whose time per call moved this much too says so
CLOCKED = 0.25  # a zone's call count that moved with the run's length to within this share: paced by the clock
SPLIT_LOW = 0.75  # the count moved and the typical call moved the other way, their product within this of 1: split
PART_MIN_CALLS = 20  # ...with at least this many calls on each side
CPU_HELD = 1.25  # a regressed zone whose time on a CPU per call grew less than this did not do more work
CROSSED = 1.5  # a paced loop's median frame this much longer in B: its work may have crossed the period
NEW_CALLER_SHARE = 0.5  # a call path only B has, holding this share of a zone's added calls, is named
ALSO_SHOWN = 3  # other regressions named in the title after the one with most impact...
ALSO_SHARE = 0.2  # ...adding this share of its time at least
WAIT_EXPLAINS = 0.5  # a wait that grew by this share of the frames' growth, no zone regressing, leads
SAMPLES_MIN = 20  # a function gaining this many CPU samples inside a regressed zone...
SAMPLES_SHARE = 0.2  # ...and this share of the zone's samples in B is named
NEW_THREAD_BUSY = 0.5  # a thread only B has, running zones this share of the capture, is load of B's own
SAME_MEAN = 0.02  # mean frames this close tell hitches that the average (the fps) hides
LOCK_EXPLAINS = 0.8  # a lock wait this share of a regression's added time explains it (no word on the cores)
THREADS_GREW = 1.5  # a regressed zone run on this many times as many threads in B (beyond the cores) says so
CONTEXT_ROWS = 20_000  # calls of a regressed zone read for their kind of call (an even sample beyond)
CONTEXT_SLOWER = 1.5  # a kind of call this much slower per call while others held (within CONTEXT_HELD) is named
CONTEXT_HELD = 1.15
SHOWN_THREADS = 3  # threads named where a zone held
AS_THEY_STAND = "as they stand"
NO_REGRESSION = "no zone regressed beyond noise"
GONE_SHARE = 0.05  # a zone only A has, this share of A's median frame per frame or more, is told in the title
SMALL_BESIDE = 0.1  # regressions adding under this share of the frame's growth follow a wait that explains it
SLIVER = 0.001  # a regression adding under this share of a frame (or of the run) is left out of the title
COLS = (
    "name",
    "kind",
    "count_a",
    "count_b",
    "count_ratio",
    "total_a_ns",
    "total_b_ns",
    "total_ratio",
    "mean_a_ns",
    "mean_b_ns",
    "mean_ratio",
    "p50_a_ns",
    "p50_b_ns",
    "p90_a_ns",
    "p90_b_ns",
    "self_a_ns",
    "self_b_ns",
    "self_ratio",
    "impact_ns",
    "p_value",
    "significant",
)
FRAME_COLS = ("capture", "frames", "median_ns", "p90_ns", "p99_ns", "max_ns")


@attrs.define(repr=False)
class Comparison(Report):
    """Result of ``ctx.compare(other)`` / ``tracy_mcp.compare(a, b)``. `table`: one row per zone name, sorted by
    impact (change of own time, B - A); `mean_*_ns`, `p50_*_ns`, `p90_*_ns` are float ns (NaN on the side where
    the zone does not run: new / gone); `tables`: "paths" (the same per call path), "frames" (gameplay frame times
    of A and B, int64 ns)."""

    base: str = ""
    target: str = ""


class GroupProfile:
    """One capture grouped by zone name or by call path: count, total and self total per group (per name: stat
    zones as upstream; per path: the engine's path sums over zones with an end), and a sample of the zones'
    durations and self times (all of them up to SAMPLE per group)."""

    def __init__(self, ctx: Capture, by: str) -> None:
        t = ctx._cpu()
        selft = ctx.self_time_array()
        zp = ctx._zone_paths()  # the engine's per-thread paths with their sums: the self totals come from there
        sl = ctx._srclocs()
        label = np.where(zp.label >= 0, zp.label, len(sl.names))
        self.samples: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if by == "name":
            self.labels = list(sl.names)
            ng = len(self.labels)
            rows, off = t.stat_order()  # stat zones grouped by source location (the engine's lists)
            st = t.srcloc_stats()
            self.count = np.bincount(sl.name_idx, weights=st.count, minlength=ng).astype(I64)
            self.total = np.bincount(sl.name_idx, weights=st.total, minlength=ng).astype(I64)
            self.self_total = np.bincount(label, weights=zp.self_ns, minlength=ng + 1)[:ng].astype(I64)
            for i, name in enumerate(self.labels):
                if self.count[i] == 0:
                    continue
                idx = np.concatenate([np.arange(off[r], off[r + 1]) for r in sl.rows_of(name).tolist()])
                if len(idx) > SAMPLE:
                    idx = idx[(np.arange(SAMPLE) * len(idx)) // SAMPLE]
                self.samples[i] = (t.dur[rows[idx]], selft[rows[idx]])
        else:
            cp = call_paths(ctx)
            self.labels = cp.strings()
            ng = len(self.labels)
            merged = merge_paths(zp.parent, label, zp.owner, per_thread=False).new_id  # per-thread path -> path
            self.count = np.bincount(merged, weights=zp.count, minlength=ng).astype(I64)
            self.total = np.bincount(merged, weights=zp.total, minlength=ng).astype(I64)
            self.self_total = np.bincount(merged, weights=zp.self_ns, minlength=ng).astype(I64)
            self._sample_paths(t, selft, cp.path_of_row)
        self.index = {lab: i for i, lab in enumerate(self.labels) if self.count[i] > 0}

    def _sample_paths(self, t: ZoneTree, selft: np.ndarray, pr: np.ndarray) -> None:
        """Every zone of the paths with at most SAMPLE zones; for bigger ones, the zones among an evenly strided
        subset of all zones (about STRIDED of them), at most SAMPLE of them."""
        small = self.count <= SAMPLE
        rows = np.flatnonzero(small[pr])
        stride = max(1, t.n // STRIDED)
        sub = np.arange(0, t.n, stride)
        rows = np.concatenate([rows, sub[~small[pr[sub]]]])
        rows = rows[t.valid[rows] & t.known_srcloc[rows] & (t.end[rows] > t.start[rows])]
        gr = pr[rows]
        order = np.argsort(gr.astype(np.uint16) if len(self.count) < 2**16 else gr, kind="stable")  # radix sort
        rows, gr = rows[order], gr[order]
        cut = np.flatnonzero(np.diff(gr)) + 1
        d, sf = t.dur[rows], selft[rows]
        for a, b in zip(np.r_[0, cut].tolist(), np.r_[cut, len(gr)].tolist(), strict=True):
            if b > a:
                k = (np.arange(min(SAMPLE, b - a)) * (b - a)) // min(SAMPLE, b - a)
                self.samples[int(gr[a])] = (d[a:b][k], sf[a:b][k])
        empty = (np.zeros(0, I64), np.zeros(0, I64))
        for i in np.flatnonzero(self.count).tolist():
            self.samples.setdefault(i, empty)  # a path whose zones all lack an end


class LocationProfile:
    """GroupProfile's figures per source location, for the zone names several source locations share (plain
    `ZoneScoped` names every class's `Update` alike), labelled 'Update (enemy.cpp:14)'."""

    def __init__(self, ctx: Capture) -> None:
        t = ctx._cpu()
        selft = ctx.self_time_array()
        sl = ctx._srclocs()
        st = t.srcloc_stats()
        rows, off = t.stat_order()
        self.labels: list[str] = []
        counts, totals, selfs = [], [], []
        self.samples: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for name in sl.names:
            locs = locations_of(ctx, name)
            if len(locs) < 2:
                continue
            for r in locs.tolist():
                zr = rows[off[r] : off[r + 1]]
                k = min(SAMPLE, len(zr))
                picked = zr[(np.arange(k) * len(zr)) // max(k, 1)]  # evenly spaced, all of them up to SAMPLE
                self.samples[len(self.labels)] = (t.dur[picked], selft[picked])
                self.labels.append(f"{name} ({location_label(ctx, r)})")
                counts.append(int(st.count[r]))
                totals.append(int(st.total[r]))
                selfs.append(int(selft[zr].sum()))
        self.count = np.asarray(counts, I64)
        self.total = np.asarray(totals, I64)
        self.self_total = np.asarray(selfs, I64)
        self.index = {lab: i for i, lab in enumerate(self.labels) if self.count[i] > 0}


class TextProfile:
    """GroupProfile's figures per zone text, for the zone names whose runs carry a few distinct texts (a generic
    `Jobs::Execute` with the job's type as its text, a lock's name), labelled "Jobs::Execute ('Render.Cull')"."""

    def __init__(self, ctx: Capture) -> None:
        t = ctx._cpu()
        selft = ctx.self_time_array()
        sl = ctx._srclocs()
        self.labels: list[str] = []
        counts, totals, selfs = [], [], []
        self.samples: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for name in sl.names:
            rows = t.stat_rows(sl.rows_of(name))
            if len(rows) < 2 * MIN_CALLS:
                continue
            kinds = text_kinds(ctx, rows)
            if kinds is None:
                continue
            ids, inv = kinds
            for k, sid in enumerate(ids.tolist()):
                zr = rows[inv == k]
                if sid < 0 or len(zr) == 0:
                    continue
                n = min(SAMPLE, len(zr))
                picked = zr[(np.arange(n) * len(zr)) // max(n, 1)]  # evenly spaced, all of them up to SAMPLE
                self.samples[len(self.labels)] = (t.dur[picked], selft[picked])
                self.labels.append(f"{name} ({clip_text(ctx._str(sid), 40)!r})")
                counts.append(len(zr))
                totals.append(int(t.dur[zr].sum()))
                selfs.append(int(selft[zr].sum()))
        self.count = np.asarray(counts, I64)
        self.total = np.asarray(totals, I64)
        self.self_total = np.asarray(selfs, I64)
        self.index = {lab: i for i, lab in enumerate(self.labels) if self.count[i] > 0}


def _by_text(
    a: Capture, b: Capture, scale: float, min_change: float, alpha: float, alt: float | None
) -> list[dict[str, Any]]:
    """The zone texts (kinds of call of one zone name) that regressed: rows as _compare_groups', most impact first;
    [] when no name carries a few texts in both captures."""
    pa = a._db.cached("text_profile", lambda: TextProfile(a))
    pb = b._db.cached("text_profile", lambda: TextProfile(b))
    if not (set(pa.index) & set(pb.index)):
        return []
    rows = _compare_groups(pa, pb, scale, min_change, alpha, alt)  # type: ignore[arg-type]
    return sorted((r for r in rows if r["kind"] == "regressed"), key=lambda r: -r["impact_ns"])


def _by_location(
    a: Capture, b: Capture, scale: float, min_change: float, alpha: float, alt: float | None
) -> list[dict[str, Any]]:
    """The source locations that regressed where their shared name did not (or not alone): rows as
    _compare_groups', most impact first; [] when no name has several locations in both captures."""
    pa = a._db.cached("location_profile", lambda: LocationProfile(a))
    pb = b._db.cached("location_profile", lambda: LocationProfile(b))
    if not (set(pa.index) & set(pb.index)):
        return []
    rows = _compare_groups(pa, pb, scale, min_change, alpha, alt)  # type: ignore[arg-type]
    reg = [r for r in rows if r["kind"] == "regressed"]
    return sorted(reg, key=lambda r: -r["impact_ns"])


def group_profile(ctx: Capture, by: str) -> GroupProfile:
    """The GroupProfile of a capture by "name" or "path" (cached per capture)."""
    return ctx._db.cached(("group_profile", by), lambda: GroupProfile(ctx, by))


def _unit_latency(a: Capture, b: Capture, alpha: float) -> str:
    """'runs of <unit> (the unit of work) p50 x -> y (+z%), p99 ...; ' for a capture without main frames (a server's
    requests, a batch job's items), the figure its users watch; '' when A has no unit of work or B lacks it."""
    name = unit_name(a)
    if name is None or not len(b._srclocs().rows_of(name)):  # B has no such zone (renamed): nothing to compare
        return ""
    za, zb = a.zones(name=name, as_frame=True), b.zones(name=name, as_frame=True)
    za, zb = za[za["duration_ns"] > 0], zb[zb["duration_ns"] > 0]
    da = za["duration_ns"].to_numpy().astype(np.float64)
    db_ = zb["duration_ns"].to_numpy().astype(np.float64)
    if min(len(da), len(db_)) < UNIT_MIN_RUNS:
        return ""
    (a50, a90, a99), (b50, b90, b99) = np.percentile(da, [50, 90, 99]), np.percentile(db_, [50, 90, 99])
    p = mann_whitney(da, db_)[0]
    noise = "" if p < alpha else ", within noise"
    tail = _unit_tail(da, db_, a99, b99) if noise else ""
    # the median held while a part of the runs moved: the tail is the news, not "within noise"; one thread of a
    # pool holding it says more than its share
    one = _tail_thread(zb, a99) if noise and b99 >= TAIL_RATIO * a99 else ""
    if one:
        noise = f"; the median within noise, but {one}"
    elif tail:
        noise = f"; the median within noise, but {tail}, p90 {fmt_ns(a90)} -> {fmt_ns(b90)}"
    return (
        _throughput(za, zb, name)
        + _queue_wait(a, b, name)
        + f"runs of {name} (the unit of work; {len(da)} -> {len(db_)}) p50 {fmt_ns(a50)} -> {fmt_ns(b50)} "
        f"({(b50 - a50) / a50:+.1%}), p99 {fmt_ns(a99)} -> {fmt_ns(b99)}{noise}; "
    )


def _tail_thread(zb: Any, a99: float) -> str:
    """'the tail is one thread's: 68 of the 74 runs of B over A's p99 (8.83 ms) are on Shard 3 (16.5% of its runs,
    0.6% of the others')' when one thread of a pool holds TAIL_THREAD of B's runs beyond A's p99 and PART_TAIL_SHARE
    of its own runs lie there; ''."""
    over = zb["duration_ns"].to_numpy() > a99
    threads = zb["thread"].astype(str).to_numpy()
    if over.sum() < PART_MIN_CALLS // 4 or len(set(threads)) < 2:
        return ""
    names, counts = np.unique(threads[over], return_counts=True)
    top = int(np.argmax(counts))
    mine = threads == names[top]
    share, rest = float(over[mine].mean()), float(over[~mine].mean())
    if counts[top] < TAIL_THREAD * over.sum() or share < PART_TAIL_SHARE:
        return ""
    return (
        f"the tail is one thread's: {counts[top]} of the {int(over.sum())} runs of B over A's p99 ({fmt_ns(a99)}) "
        f"are on {names[top]} ({share:.1%} of its runs, {rest:.1%} of the others')"
    )


def _unit_tail(da: np.ndarray, db_: np.ndarray, a99: float, b99: float) -> str:
    """'the tail grew: 20.6% of B's runs take longer than A's p99 (1% by chance)' when a part of the unit's runs
    moved far (_tail_moved), or 'the tail shrank: ...' the other way; ''."""
    grew, shrank = float((db_ > a99).mean()), float((da > b99).mean())
    # a few runs far beyond all of the other's are news for the unit (a tick that now overruns its budget), not
    # for any zone (a few preempted calls on a loaded machine); so is a p99 that moved far over many runs
    many = min(len(da), len(db_)) >= UNIT_TAIL_RUNS
    if grew >= shrank and (
        _tail_moved(da, db_, grew)
        or _beyond_slowest(da, db_)
        or (many and grew >= UNIT_TAIL_SHARE and b99 >= TAIL_RATIO * a99)
    ):
        return _tail_text("grew", da, db_, grew, "B's runs take", "A's")
    if shrank > grew and (_tail_moved(db_, da, shrank) or _beyond_slowest(db_, da)):
        return _tail_text("shrank", db_, da, shrank, "A's runs took", "B's")
    return ""


def _tail_text(how: str, base: np.ndarray, other: np.ndarray, share: float, whose: str, of: str) -> str:
    """The tail clause: the share beyond `base`'s p99, or when fewer went far beyond all of `base`'s runs, how many
    and how long they took."""
    k = _beyond_slowest(base, other)
    if share >= PART_TAIL_SHARE or not k:
        return f"the tail {how}: {share:.1%} of {whose} longer than {of} p99 (1% by chance)"
    far = np.sort(other[other >= TAIL_RATIO * float(base.max())])
    return (
        f"the tail {how}: {k} of {whose.split(' ')[0]} {len(other)} runs took {TAIL_RATIO:g}x {of} slowest "
        f"({fmt_ns(float(base.max()))}) or longer: {fmt_ns(float(far[0]))}..{fmt_ns(float(far[-1]))}"
    )


def _queue_wait(a: Capture, b: Capture, name: str) -> str:
    """'queue wait before Request::Handle (after Net::Accept) p50 0.020 ms -> 22.91 ms, p99 ... ; end to end p50 ...
    -> ...; ' when the unit's runs wait behind an earlier stage (request_wait, joined by id) and that wait moved
    QUEUE_MOVED-fold at the median or p99 beyond a handling's median: the latency users see moved with no handler
    slower (bursts of arrivals, fewer workers)."""
    got = []
    for c in (a, b):
        t, sl = c._cpu(), c._srclocs()
        rows = t.stat_rows(sl.rows_of(name))
        rows = rows[t.valid[rows]]
        if not len(rows):
            return ""
        rows = rows[np.argsort(t.start[rows], kind="stable")]
        q = request_wait(c, int(sl.name_idx[t.srcloc[rows[0]]]), rows)
        if q is None or not len(q.wait_ns):
            return ""
        got.append(q)
    qa, qb = got
    (wa50, wa99), (wb50, wb99) = np.percentile(qa.wait_ns, [50, 99]), np.percentile(qb.wait_ns, [50, 99])
    handling = float(np.median(qb.handling_ns))
    moved = any(
        max(x, y) >= handling and max(x, y) >= QUEUE_MOVED * max(min(x, y), 1.0)
        for x, y in ((wa50, wb50), (wa99, wb99))
    )
    if not moved:
        return ""
    (la50, la99), (lb50, lb99) = np.percentile(qa.latency_ns, [50, 99]), np.percentile(qb.latency_ns, [50, 99])
    return (
        f"queue wait before {name} (after {qb.stage}) p50 {fmt_ns(wa50)} -> {fmt_ns(wb50)}, p99 {fmt_ns(wa99)} -> "
        f"{fmt_ns(wb99)}; from {qb.stage}'s start to {name}'s end p50 {fmt_ns(la50)} -> {fmt_ns(lb50)}, p99 "
        f"{fmt_ns(la99)} -> {fmt_ns(lb99)}; "
    )


def _throughput(za: Any, zb: Any, name: str) -> str:
    """'throughput 769 -> 384 runs of X per second (0.50x), on 6 -> 3 threads; ' when the rate of the unit of work
    moved by THROUGHPUT_MOVED either way (a smaller pool, a lock that serializes the workers); '' otherwise. The
    rate is over the span from the first run's start to the last run's end."""
    rates = []
    for z in (za, zb):
        span = float(z["end_ns"].max() - z["start_ns"].min())
        rates.append(len(z) / span * 1e9 if span > 0 else 0.0)
    ra, rb = rates
    if min(ra, rb) <= 0 or 1 / THROUGHPUT_MOVED < rb / ra < THROUGHPUT_MOVED:
        return ""
    ta, tb = za["thread_id"].nunique(), zb["thread_id"].nunique()
    threads = f", on {ta} -> {tb} threads" if ta != tb else f", on the same {ta} thread(s)"
    return f"throughput {ra:.4g} -> {rb:.4g} runs of {name} per second ({rb / ra:.2f}x){threads}; "


def _same_work(pa: GroupProfile, pb: GroupProfile) -> bool:
    """Both runs did the same finite work (a batch job, a benchmark): most zone names called often in both have
    exactly the same count. Their counts compare as they stand, not per second of two captures of unequal length."""
    common = [(int(pa.count[pa.index[k]]), int(pb.count[pb.index[k]])) for k in set(pa.index) & set(pb.index)]
    often = [(ca, cb) for ca, cb in common if min(ca, cb) >= SAME_WORK_MIN]
    return len(often) >= 2 and sum(ca == cb for ca, cb in often) >= SAME_WORK_SHARE * len(often)


def _compare_groups(
    pa: GroupProfile, pb: GroupProfile, scale: float, min_change: float, alpha: float, alt_scale: float | None = None
) -> list[dict]:
    """Per group (zone name or call path): counts, totals, per-call times and the kind of change. `alt_scale`:
    B's counts scaled per second of capture when `scale` is per frame; a count moved only when it moved both ways
    (a fixed-rate thread's calls, an audio mix 100 times a second, move per frame when the frames got longer)."""
    out = []
    for lab in sorted(set(pa.index) | set(pb.index)):
        ia, ib = pa.index.get(lab), pb.index.get(lab)
        r: dict[str, Any] = {"name": lab}
        for side, p, i in (("a", pa, ia), ("b", pb, ib)):
            r[f"count_{side}"] = int(p.count[i]) if i is not None else 0
            r[f"total_{side}_ns"] = int(p.total[i]) if i is not None else 0
            r[f"self_{side}_ns"] = int(p.self_total[i]) if i is not None else 0
            if i is not None:
                d = p.samples[i][0]
                r[f"mean_{side}_ns"] = p.total[i] / p.count[i]
                r[f"p50_{side}_ns"] = float(np.median(d)) if len(d) else float("nan")
                r[f"p90_{side}_ns"] = float(np.percentile(d, 90)) if len(d) else float("nan")
            else:
                r[f"mean_{side}_ns"] = r[f"p50_{side}_ns"] = r[f"p90_{side}_ns"] = float("nan")
        r["impact_ns"] = r["self_b_ns"] * scale - r["self_a_ns"]
        if ia is None or ib is None:
            nan = float("nan")
            r.update(count_ratio=nan, total_ratio=nan, mean_ratio=nan, self_ratio=nan, p_value=nan, significant=True)
            r["kind"] = "new" if ia is None else "gone"
            out.append(r)
            continue
        (da, sa), (db, sb) = pa.samples[ia], pb.samples[ib]
        p_incl, p_self = mann_whitney(da, db)[0], mann_whitney(sa, sb)[0]
        ca, cb = r["count_a"], r["count_b"] * scale
        r["count_ratio"] = cb / ca
        r["total_ratio"] = r["total_b_ns"] * scale / max(r["total_a_ns"], 1)
        r["mean_ratio"] = r["mean_b_ns"] / r["mean_a_ns"]
        own_a, own_b = r["self_a_ns"] / r["count_a"], r["self_b_ns"] / r["count_b"]
        r["self_ratio"] = own_b / own_a if own_a > 0 else float("inf") if own_b > 0 else 1.0
        r["p_value"] = p_incl
        step = min_change * r["mean_a_ns"]  # own time must move by min_change of the whole per-call duration
        # the typical call must move as well as the mean: a few outliers (a preempted call) move only the mean
        med = (float(np.median(sa)), float(np.median(sb))) if len(sa) and len(sb) else (own_a, own_b)
        own_up = p_self < alpha and own_b - own_a >= step and own_b >= (1 + min_change) * own_a
        own_up &= med[1] >= (1 + min_change) * med[0] and med[1] > med[0]
        own_down = p_self < alpha and own_a - own_b >= step and own_a >= (1 + min_change) * own_b
        own_down &= med[0] >= (1 + min_change) * med[1] and med[0] > med[1]
        # a part of the calls moved while the median held (one kind of call of several): far more than a tenth
        # of one side's calls lie beyond the other's p90, which a few outliers (a preempted call) never reach
        (r["part_b"], p_part_b), (r["part_a"], p_part_a) = _beyond_p90(sa, sb), _beyond_p90(sb, sa)
        part_up = p_part_b < alpha and own_b - own_a >= step and own_b >= (1 + min_change) * own_a
        part_down = p_part_a < alpha and own_a - own_b >= step and own_a >= (1 + min_change) * own_b
        r["p_part"] = min(p_part_b, p_part_a)
        p50_ratio = r["p50_b_ns"] / r["p50_a_ns"] if r["p50_a_ns"] > 0 else r["mean_ratio"]
        incl_up = p_incl < alpha and r["mean_ratio"] >= 1 + min_change and p50_ratio >= 1 + min_change
        incl_down = p_incl < alpha and r["mean_ratio"] <= 1 / (1 + min_change) and p50_ratio <= 1 / (1 + min_change)
        count_moved = abs(cb - ca) > 3 * np.sqrt(ca + cb) and abs(r["count_ratio"] - 1) >= min_change
        if alt_scale is not None and count_moved:
            cb2 = r["count_b"] * alt_scale
            count_moved = abs(cb2 - ca) > 3 * np.sqrt(ca + cb2) and abs(cb2 / ca - 1) >= min_change
        # fewer of the calls moved, but far (the waits of the 13% that met a lock, one area of a level): the same
        # share of B's slowest calls against A's slowest took TAIL_RATIO as long; not where the count moved (a
        # kind of call added or split, which the by-text split tells)
        part_up = part_up and (r["part_b"] >= PART_SHARE or (not count_moved and _tail_moved(sa, sb, r["part_b"])))
        part_down = part_down and (r["part_a"] >= PART_SHARE or (not count_moved and _tail_moved(sb, sa, r["part_a"])))
        own_up = own_up or part_up
        own_down = own_down or part_down
        # with the count moving, per-call times move the other way by themselves: the total decides
        total_up = r["total_ratio"] >= 1 + 2 * min_change
        total_down = r["total_ratio"] <= 1 / (1 + 2 * min_change)
        # the same work in more or fewer calls moves the typical call the other way (half the calls, each twice as
        # long); a request loop that got slower serves fewer requests in the same time, its typical call barely
        # moving while its slow ones grew: not a split, whatever the total
        split = count_moved and SPLIT_LOW <= p50_ratio * r["count_ratio"] <= 1 / SPLIT_LOW
        moved = own_up or own_down or incl_up or incl_down
        if count_moved and not (total_up or total_down) and (split or not moved):
            kind = "count changed only"
        elif own_up and (total_up or not count_moved or (not split and r["total_ratio"] >= 1)):
            kind = "regressed"
        elif own_down and (total_down or not count_moved or (not split and r["total_ratio"] <= 1)):
            kind = "improved"
        elif count_moved and r["count_ratio"] >= MANY_MORE and total_up and not split:
            kind = "more calls"  # far more calls, each cheaper, more in total: the added calls are the cost
        elif incl_up:
            kind = "through children (slower)"
        elif incl_down:
            kind = "through children (faster)"
        elif count_moved:
            kind = "more calls" if cb > ca else "fewer calls"
        else:
            kind = "unchanged"
        r["kind"] = kind
        r["significant"] = kind != "unchanged"
        out.append(r)
    return out


def _tail_moved(base: np.ndarray, other: np.ndarray, share: float) -> bool:
    """A part of the calls moved far: PART_TAIL_SHARE of `other`'s values lie beyond `base`'s p99 (1% by chance,
    where preempted calls on a loaded machine stay), and `other`'s slowest `share` took TAIL_RATIO as long as
    `base`'s slowest same share (median against median)."""
    kb, ko = int(round(share * len(base))), int(round(share * len(other)))
    if kb < 1 or ko < 1 or len(base) < PART_MIN_CALLS or len(other) < PART_MIN_CALLS:
        return False
    if float((other > np.percentile(base, 99)).mean()) < PART_TAIL_SHARE:
        return False
    top_b, top_o = float(np.median(np.sort(base)[-kb:])), float(np.median(np.sort(other)[-ko:]))
    return top_o >= TAIL_RATIO * top_b


def _beyond_slowest(base: np.ndarray, other: np.ndarray) -> int:
    """How many of `other`'s values took TAIL_RATIO as long as `base`'s slowest, when at least BEYOND_MIN did and
    that many would come by chance with p < BEYOND_P (each of `other`'s values exceeds the slowest of `base`'s n
    with chance 1/(n+1) when nothing moved; Poisson tail); else 0. Eight ticks of 120 at 60-89 ms against a slowest
    27 ms are news, though they are too few for a percentile to move."""
    if not len(base) or not len(other):
        return 0
    k = int((other >= TAIL_RATIO * float(base.max())).sum())
    if k < BEYOND_MIN:
        return 0
    lam = len(other) / (len(base) + 1)
    term, below = math.exp(-lam), 0.0
    for i in range(k):  # P(X < k)
        below += term
        term *= lam / (i + 1)
    return k if 1.0 - below < BEYOND_P else 0


def _beyond_p90(base: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """(the share of `other`'s values over `base`'s 90th percentile, about 0.1 when nothing moved; the one-sided
    p of a share that high by chance, normal approximation with the p90's own sampling error); (0, 1) for too
    few calls to tell."""
    na, nb = len(base), len(other)
    if na < PART_MIN_CALLS or nb < PART_MIN_CALLS:
        return 0.0, 1.0
    share = float((other > np.percentile(base, 90)).mean())
    z = (share - 0.1) / math.sqrt(0.09 * (1 / nb + 1 / na))
    return share, 0.5 * math.erfc(z / math.sqrt(2))


def _long_frames(fa: dict[str, Any], fb: dict[str, Any]) -> str:
    """' Frames over 1.5x A's median: A 0, B 40.' when their count moved: a median and a rank test over all frames
    can hold while a few frames more miss their interval."""
    limit = PACED_FACTOR * fa["median_ns"]
    na, nb = int((fa["durs"] > limit).sum()), int((fb["durs"] > limit).sum())
    if na == nb or max(na, nb) < LONG_FRAMES_MIN:
        return ""
    return f" {fa['what'][0].upper()}{fa['what'][1:]}s over {PACED_FACTOR:g}x A's median: A {na}, B {nb}."


def _work_rows(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The zone names in both captures that do work (no waits), called often enough to compare per call."""
    return [
        r
        for r in names
        if not r.get("wait")
        and r["kind"] not in ("new", "gone")
        and min(r["count_a"], r["count_b"]) >= MIN_CALLS
        and r["self_a_ns"] > 0
        and np.isfinite(r["self_ratio"])
    ]


@attrs.frozen
class Uniform:
    """A machine-wide factor (machine_factor) over the zone names that do work: `moved` went with it, `beyond` (the
    regressed ones over UNIFORM_BEYOND times it) regressed on top of it, of `compared` names in all."""

    factor: float
    moved: list[dict[str, Any]]
    beyond: list[dict[str, Any]]
    compared: int

    def words(self, build: str = "") -> str:
        return machine_words(self.factor, len(self.moved), self.compared, build) + (
            "; beyond that factor" if self.beyond else "; no zone beyond it"
        )


def _new_busy_thread(a: Capture, b: Capture) -> str:
    """'; B's new thread Telemetry runs zones 88% of the time, on a 2-core machine: it competes with the others for
    the cores' beside a machine-wide slowdown, when a thread only B has is that busy (the "other load" is B's own)."""
    cores = host_cores(b)
    added = thread_changes(a, b)[0]
    if cores <= 0 or not added:
        return ""
    t = b._cpu()
    lo, hi = int(b.get_first_time()), int(b.get_last_time())
    names = b._thread_names_by_id()
    top = np.flatnonzero((t.depth == 0) & t.valid)
    best: tuple[float, str] = (0.0, "")
    for th in {i for i, n in enumerate(names) if n in added}:
        mine = top[t.owner[top] == th]
        busy = float(np.sum(t.dur[mine])) / max(hi - lo, 1)
        if busy > best[0]:
            best = (busy, names[th])
    if best[0] < NEW_THREAD_BUSY:
        return ""
    return (
        f"; B's new thread {best[1]} runs zones {best[0]:.0%} of the time, on a {cores}-core machine: it competes "
        "with the others for the cores"
    )


def _uniform_factor(names: list[dict[str, Any]]) -> Uniform | None:
    """The machine-wide factor when (nearly) every zone's own time per call moved by about the same factor, None
    otherwise."""
    rows = _work_rows(names)
    found = machine_factor(
        np.asarray([r["self_ratio"] for r in rows]), np.asarray([r["self_a_ns"] for r in rows], np.float64)
    )
    if found is None:
        return None
    factor, near = found
    # a slower machine moves the typical call too; preemption on a loaded one stretches the slow calls alone, which
    # moves the means by one factor while the medians hold
    typical = [(r["p50_b_ns"] / r["p50_a_ns"], r["self_a_ns"]) for r, x in zip(rows, near.tolist(), strict=True) if x]
    typical = [(q, w) for q, w in typical if np.isfinite(q) and q > 0]
    if typical:
        q = np.asarray([x[0] for x in typical])
        w = np.cumsum(np.asarray([x[1] for x in typical], np.float64)[np.argsort(q)])
        mid = float(np.sort(q)[min(int(np.searchsorted(w, w[-1] / 2)), len(q) - 1)])
        if (mid - 1) * (factor - 1) <= 0 or abs(np.log(mid)) < abs(np.log(factor)) / 2:
            return None
    beyond = [r for r in rows if r["self_ratio"] >= factor * UNIFORM_BEYOND and r["kind"] == "regressed"]
    return Uniform(factor, [r for r, x in zip(rows, near.tolist(), strict=True) if x], beyond, len(rows))


def _far_apart(na: int, nb: int) -> bool:
    """Slow-frame counts that moved by HITCH_RATIO either way, with enough of them to count."""
    return max(na, nb) >= LONG_FRAMES_MIN and (nb >= HITCH_RATIO * max(na, 1) or na >= HITCH_RATIO * max(nb, 1))


def _hitch_change(a: Capture, b: Capture, fa: dict[str, Any] | None, fb: dict[str, Any] | None) -> tuple[str, str]:
    """'B hitches more often: 11 slow frames, every 0.73 s, vs 3 in A, every 2.54 s; in both Script::Update (Main
    thread), 12.4 ms..17.6 ms in B's: the same hitch, more often' when the slow frames per second moved by
    HITCH_RATIO (slow_frames of each capture); '' otherwise; beside it, B's culprit when it differs from A's. The
    zone totals barely move when one hitch comes more often, so this is the comparison such a question needs."""
    if not (fa and fb) or fa["what"] != "gameplay frame":
        return "", ""

    def far(factor: float) -> bool:  # cheap first look: the frames over factor x A's median
        limit = factor * fa["median_ns"]
        return _far_apart(int((fa["durs"] > limit).sum()), int((fb["durs"] > limit).sum()))

    missed = far(PACED_FACTOR)  # the frames that missed an interval
    # or frames over 2x (slow_frames' own rule): a burst of noise in A over 1.5x must not hide B's new hitches
    doubled = far(2.0)
    if not missed and not doubled and not far(PACED_LATE):  # or a limiter's late frames (slow_frames: PACED_LATE)
        return "", ""
    ra, rb = a.slow_frames(), b.slow_frames()
    if not (missed or doubled) and all(r.threshold_ns >= PACED_FACTOR * r.median_ns for r in (ra, rb)):
        return "", ""  # neither run's hitches are a paced loop's late frames
    sa, sb = ra.table, rb.table
    na, nb = len(sa), len(sb)
    limit = PACED_FACTOR * fa["median_ns"]
    if missed and (nb > na) != (int((fb["durs"] > limit).sum()) > int((fa["durs"] > limit).sum())):
        # the missed intervals moved one way while the frames over 2x moved the other (frames two intervals long
        # straddle 2x): the misses are the hitches the user sees
        ra, rb = a.slow_frames(factor=PACED_FACTOR), b.slow_frames(factor=PACED_FACTOR)
        sa, sb = ra.table, rb.table
        na, nb = len(sa), len(sb)
    if not _far_apart(na, nb):
        return "", ""
    more = nb > na
    t = (rb if more else ra).table
    zones = t["zone"].astype(str)
    events = float((t["typical_ns"].to_numpy() == 0).mean()) if len(t) else 0.0  # zones absent from typical frames
    if len(zones) >= 2 and int(zones.value_counts().max()) < 2 and events < 0.5:
        # each slow frame grew in a different everyday zone (a loaded machine), not one hitch that recurs nor
        # events of one kind (first-use compiles, each its own zone)
        return "", ""

    def every(t: Any) -> str:
        st = np.sort(t["start_ns"].to_numpy()) if len(t) > 1 else np.zeros(0)
        return f", every {fmt_ns(float(np.median(np.diff(st))))}" if len(st) > 1 else ""

    def cause(r: Any) -> str:
        if not r.culprit:
            return ""
        t = r.table
        vals = t["slow_ns"].to_numpy()[t["zone"].astype(str).to_numpy() == r.culprit] if len(t) else []
        span = f", {fmt_ns(float(np.min(vals)))}..{fmt_ns(float(np.max(vals)))}" if len(vals) else ""
        why = f": {r.culprit_cause}" if r.culprit_cause else ""
        where = f" ({r.culprit_where})" if r.culprit_where else ""
        return f"{r.culprit}{where} ({r.culprit_thread}){span}{why}"

    ca, cb = cause(ra), cause(rb)
    same = bool(ra.culprit) and ra.culprit == rb.culprit and ra.culprit_thread == rb.culprit_thread
    if more and cb and not same:  # what B's culprit did in A: a tail that grew, or new work
        d = a._cpu().dur[_calls(a, str(rb.culprit))]
        cb += (
            f" (in A: p99 {fmt_ns(float(np.percentile(d, 99)))}, longest {fmt_ns(float(d.max()))})"
            if len(d)
            else " (not in A)"
        )
    what = (
        f"in both from {cb} in B's: the same hitch, {'more' if more else 'less'} often"
        if same
        else "; ".join(x for x in (f"B's from {cb}" if cb else "", f"A's from {ca}" if ca else "") if x)
    )
    ma, mb = float(np.mean(fa["durs"])), float(np.mean(fb["durs"]))
    hidden = (
        f"; the mean frame holds ({fmt_ns(ma)} -> {fmt_ns(mb)}, p99 {fmt_ns(fa['p99_ns'])} -> {fmt_ns(fb['p99_ns'])}): "
        "the average hides them"
        if abs(mb / ma - 1) < SAME_MEAN
        else ""
    )
    text = (
        f"B hitches {'more' if more else 'less'} often: {nb} slow frame(s){every(sb)}, vs {na} in A{every(sa)}"
        + (f"; {what}" if what else "")
        + hidden
    )
    return text, "" if same or not cb else str(rb.culprit)


def _allocating(a: Capture, b: Capture, r: dict[str, Any]) -> str:
    """'; it makes 44.1 allocations per call, 4.1 before' when a regressed zone allocates far more often per call
    (the allocations' own cost is inside its time); '' otherwise."""
    na, nb = allocations_by_zone(a).get(str(r["name"]), 0), allocations_by_zone(b).get(str(r["name"]), 0)
    pa, pb = na / max(int(r["count_a"]), 1), nb / max(int(r["count_b"]), 1)
    if pb - pa < 1 or pb < ALLOC_RATIO * max(pa, 1e-9):
        return ""
    return f"; it makes {pb:.3g} allocations per call, {pa:.3g} before"


def _gone_words(
    title: str,
    gone: list[dict[str, Any]],
    paired: set[int],
    fa: dict[str, Any] | None,
    side: str = "a",
) -> str:
    """The title with '; gone in B: Minimap::Render (3.02 ms per gameplay frame in A, 240 calls)' (or, `side` "b",
    '; new in B: UI::DrawKillfeed (1.04 ms per gameplay frame, 260 calls)') when a zone only one side has (not one
    renamed or replaced) took GONE_SHARE of A's frame: work removed offsets what grew, work added is part of the
    change, and a frame that held hides both."""
    if not fa or not fa["frames"]:
        return title
    total, count = f"total_{side}_ns", f"count_{side}"
    big = [
        g
        for g in sorted(gone, key=lambda g: -g[total])
        if id(g) not in paired
        and g[total] / fa["frames"] >= GONE_SHARE * fa["median_ns"]
        and f"{g['name']} " not in title
    ]
    if not big:
        return title
    where = " in A" if side == "a" else ""
    said = ", ".join(
        f"{g['name']} ({fmt_ns(g[total] / fa['frames'])} per {fa['what']}{where}, {g[count]} calls)"
        if g[count] >= fa["frames"] / 4
        else f"{g['name']} ({fmt_ns(g[total])}{where}, {g[count]} call{'s' if g[count] != 1 else ''})"
        for g in big[:2]
    )
    return title[:-1] + f"; {'gone' if side == 'a' else 'new'} in B: {said}."


def _negligible(
    r: dict[str, Any], fa: dict[str, Any] | None, share: float = NEGLIGIBLE, b: Capture | None = None
) -> bool:
    """A regression whose total per frame is under `share` of A's median frame (beside a frame that hitches less,
    it is not the news); without frames, under `share` of B's run when `b` is given."""
    if fa is not None:
        return abs(r["impact_ns"]) / max(fa["frames"], 1) < share * fa["median_ns"]
    return b is not None and abs(r["impact_ns"]) < share * max(int(b.get_last_time()), 1)


def _frame_stats(ctx: Capture) -> dict[str, Any] | None:
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) == 0:
        return None
    d = ph.dur[ph.gameplay]
    p90, p99 = np.percentile(d, [90, 99])
    return {
        "durs": d,
        # a program's named frame set ("Request batch") is named as such: "gameplay" reads as a game's main loop
        "what": "gameplay frame" if ph.set_name == "Frame" else f"'{ph.set_name}' frame",
        "frames": len(d),
        "median_ns": round(float(np.median(d))),
        "p90_ns": round(float(p90)),
        "p99_ns": round(float(p99)),
        "max_ns": int(d.max()),
    }


def _other_sets(a: Capture, b: Capture, alpha: float) -> tuple[list[str], str]:
    """A line per named frame set both captures mark besides the one compared above (an audio callback, a physics
    step): its frames in A and B and how many ran long (over 1.5x a fixed period's median: a lost period; else
    over 2x), since a loop of its own can regress while the main frames hold."""
    default = default_frame_set(a)
    names_b = {str(f["name"]) for f in b._frame_sets()[1:]}
    out: list[str] = []
    hitch = ""  # title words for the first set whose long frames came HITCH_RATIO times as often
    for fs in a._frame_sets()[1:]:
        name = str(fs["name"])
        if name == default or name not in names_b or len(out) >= MAX_SETS:
            continue
        pa, pb = frame_phases(a, name), frame_phases(b, name)
        if pa is None or pb is None or min(len(pa.gameplay), len(pb.gameplay)) < SET_FRAMES:
            continue
        fixed = periodic(pa)
        factor = PACED_FACTOR if fixed else DEFAULT_FACTOR
        da, db = pa.dur[pa.gameplay], pb.dur[pb.gameplay]
        long_a, long_b = int((da > factor * pa.median_ns).sum()), int((db > factor * pa.median_ns).sum())
        pa99, pb99 = np.percentile(da, 99), np.percentile(db, 99)
        out.append(
            f"'{name}' frames: A {len(da)}, median {fmt_ns(pa.median_ns)}, p99 {fmt_ns(pa99)}, max {fmt_ns(da.max())}, "
            f"{long_a} over {factor:g}x A's median; B {len(db)}, median {fmt_ns(pb.median_ns)}, p99 {fmt_ns(pb99)}, "
            f"max {fmt_ns(db.max())}, {long_b} over it"
            + (
                " (a fixed period: a frame that long lost a period)."
                if fixed  # its durations are the period: no rank test of them tells anything
                else _durations_moved(da, db, alpha)
            )
        )
        if not hitch and long_b >= LONG_FRAMES_MIN and long_b >= HITCH_RATIO * max(long_a, 1):
            r = b.slow_frames(frame_set=name)
            cause = f"; B's from {r.culprit} ({r.culprit_thread})" if r.culprit else ""
            hitch = (
                f"frame set '{name}': {long_b} frame(s) over {factor:g}x A's median {fmt_ns(pa.median_ns)} vs "
                f"{long_a} in A (p99 {fmt_ns(pa99)} -> {fmt_ns(pb99)}){cause}"
            )
    return out, hitch


def _durations_moved(da: np.ndarray, db: np.ndarray, alpha: float) -> str:
    p = mann_whitney(da, db)[0]
    return f"; durations {'differ beyond noise' if p < alpha else 'no change beyond noise'} (p={p:.2g})."


def _slack(waits: list[dict[str, Any]], fa: dict[str, Any]) -> str:
    """When the frame times held while a frame-pacing wait moved: the pacer absorbed the change, and how much slack
    per frame is left (its time per frame in B)."""
    pacer = next((r for r in waits if r.get("wait") == PACES), None)
    if pacer is None:
        return ""
    a, b = pacer["mean_a_ns"], pacer["mean_b_ns"]
    if abs(b - a) < ABSORBED * fa["median_ns"]:  # it held too: the change was not on the frame's path
        return ""
    way = "shrank" if b < a else "grew"
    return (
        f" The frame time held because {pacer['name']} (the frame-pacing wait) absorbed the change: its wait per "
        f"call {way} {fmt_ns(a)} -> {fmt_ns(b)} ({(b - a) / fa['median_ns']:+.1%} of a frame), so the slack left "
        f"before frames slow down is {fmt_ns(b)}" + (" (less than before)." if b < a else " (more than before).")
    )


def compare(a: Capture, b: Capture, *, min_change: float = 0.05, alpha: float = 1e-3) -> Comparison:
    """Compare capture `b` (target) with `a` (base); see the module doc."""
    if not 0 < min_change < 10:
        raise ValueError("min_change is a relative change, e.g. 0.05 for 5 %")
    if not 0 < alpha < 1:
        raise ValueError("alpha is a p-value threshold between 0 and 1, e.g. 1e-3")
    fa, fb = _frame_stats(a), _frame_stats(b)
    for f, c in ((fa, a), (fb, b)):
        if f and paired_marks(c, frame_phases(c)):  # two marks per loop: per frame means per loop, not per half
            f["frames"] //= 2
    if fa and fb:
        scale, per = fa["frames"] / fb["frames"], f"per {fa['what']} ({fa['frames']} vs {fb['frames']} frames)"
    else:
        sa = max(a.get_last_time() - a.get_first_time(), 1)
        sb = max(b.get_last_time() - b.get_first_time(), 1)
        scale, per = sa / sb, f"per second of capture ({fmt_ns(sa)} vs {fmt_ns(sb)})"
        if _same_work(group_profile(a, "name"), group_profile(b, "name")):
            # a batch job: a run that took longer must not read as fewer calls per second
            scale, per = 1.0, f"{AS_THEY_STAND} (the same job in both runs)"
    alt = None
    if fa and fb:  # per second of capture too: a count moved only if it moved per frame and per second
        alt = max(a.get_last_time() - a.get_first_time(), 1) / max(b.get_last_time() - b.get_first_time(), 1)
    if abs(scale - 1) < 0.02 and not per.startswith(AS_THEY_STAND):
        scale, per = 1.0, ""
    names = _compare_groups(group_profile(a, "name"), group_profile(b, "name"), scale, min_change, alpha, alt)
    paths = _compare_groups(group_profile(a, "path"), group_profile(b, "path"), scale, min_change, alpha, alt)
    waits = {**wait_names(a), **wait_names(b)}
    for rows in (names, paths):
        for r in rows:
            leaf = r["name"].rsplit(" > ", 1)[-1]
            if leaf in waits:  # a wait is no regression; a pacer that moved under the noise still absorbed work
                r["wait"] = waits[leaf]
                if r["kind"] in ("regressed", "improved"):
                    r["kind"] = "wait grew" if r["kind"] == "regressed" else "wait shrank"
        rows.sort(key=lambda r: -abs(r["impact_ns"]))
    res = Comparison(title="", base=a.path, target=b.path)
    res.table = frame({k: np.asarray([r[k] for r in names]) if names else np.zeros(0) for k in COLS})
    pcols = {("path" if k == "name" else k): np.asarray([r[k] for r in paths]) if paths else np.zeros(0) for k in COLS}
    res.tables["paths"] = frame(pcols)
    frames_rows = [{"capture": lab, **{k: f[k] for k in FRAME_COLS[1:]}} for lab, f in (("A", fa), ("B", fb)) if f]
    res.tables["frames"] = frame(
        {k: np.asarray([r[k] for r in frames_rows]) if frames_rows else np.zeros(0) for k in FRAME_COLS}
    )
    # a kind of call (by its text) that regressed where its name's figures hid it (more calls of another kind, or
    # nothing beyond noise); a name that changed itself, or a wait, is told by name
    hidden = {r["name"] for r in names if r["kind"] in HIDES_PARTS}
    by_text = [r for r in _by_text(a, b, scale, min_change, alpha, alt) if r["name"].rsplit(" (", 1)[0] in hidden]
    locs = sorted(_by_location(a, b, scale, min_change, alpha, alt) + by_text, key=lambda r: -r["impact_ns"])
    reg = sorted((r for r in names if r["kind"] == "regressed"), key=lambda r: -r["impact_ns"])
    said, more, locked = waits_and_leaks(a, b, reg[0] if reg else None, memory_totals(a)[2], memory_totals(b)[2])
    # a regression whose added time is mostly a lock wait: its calls wait for each other, not for the cores
    waits_on_lock = str(reg[0]["name"]) if reg and locked >= LOCK_EXPLAINS else ""
    res.title, res.lines = _summary(a, b, names, paths, fa, fb, per, min_change, alpha, locs, waits_on_lock)
    if said:  # the lock a regressed zone now waits on, a leak one run alone has: the cause beside the timings
        res.title = clause_before(res.title, said, "; gone in B: ", "; new in B: ")
    res.lines += more
    lead = f"B ({os.path.basename(b.path)}) vs A ({os.path.basename(a.path)}): "
    peak, peak_line = peak_change(a, b)
    if peak:  # held at the peak, which no zone timing and no total allocated shows
        rest = res.title[len(lead) :]
        res.title = (
            lead + peak + "; " + rest
            if res.title.startswith(lead) and NO_REGRESSION in rest
            else res.title[:-1] + "; " + peak + "."
        )
        res.lines.append(peak_line)
    gpu = gpu_change(a, b, alpha, min_change)
    if gpu is not None:  # passes that moved on the GPU: the CPU sees them only as a longer wait for it
        said, gpu_waited = gpu_title(gpu, reg[0] if reg else None, b)
        if said and gpu_waited and res.title.startswith(lead):  # the CPU's top regression is that wait: the GPU leads
            res.title = lead + said + "; " + res.title[len(lead) :]
        elif said:
            res.title = res.title[:-1] + "; " + said + "."
        res.lines += gpu_lines(gpu)
    set_lines, set_hitch = _other_sets(a, b, alpha)
    res.lines += set_lines
    if set_hitch and NO_REGRESSION in res.title:  # another loop of the program hitches now: that is the news
        res.title = res.title.replace(lead, lead + set_hitch + "; ", 1)
    res.lines += other_changes(a, b)  # beside the zone timings: threads, messages, memory, locks
    return res


def compare_captures(
    a: Capture | str | os.PathLike[str],
    b: Capture | str | os.PathLike[str],
    *,
    min_change: float = 0.05,
    alpha: float = 1e-3,
) -> Comparison:
    """compare() for captures or .tracy paths (paths are opened, compared and closed)."""
    from tracy_mcp.analysis.capture import Capture, open_capture

    opened = []
    try:
        caps = []
        for x in (a, b):
            if isinstance(x, Capture):
                caps.append(x)
            else:
                c = open_capture(x)
                opened.append(c)
                caps.append(c)
        return compare(caps[0], caps[1], min_change=min_change, alpha=alpha)
    finally:
        for c in opened:
            c.close()


def _per_call(r: dict[str, Any]) -> str:
    return (
        f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call ({r['mean_ratio']:.2f}x; p50 "
        f"{fmt_ns(r['p50_a_ns'])} -> {fmt_ns(r['p50_b_ns'])})"
    )


def _apart(a: Capture, b: Capture, name: str) -> str:
    """'every call in B took longer than every call in A (own time: A at most X, B at least Y)' when the two runs'
    own times per call do not overlap: plainer evidence than a p-value; '' otherwise."""
    xa, xb = _own_times(a, name), _own_times(b, name)
    if len(xa) < 3 or len(xb) < 3:
        return ""
    if int(xb.min()) > int(xa.max()):
        return (
            f"every call in B took longer than every call in A (own time: A at most {fmt_ns(int(xa.max()))}, "
            f"B at least {fmt_ns(int(xb.min()))})"
        )
    return ""


def _slow_part(a: Capture, b: Capture, name: str, share: float) -> str:
    """'; its slowest 31.6% of calls: a median 9.03 ms in A -> 14.21 ms in B (own time)': the calls that moved (an
    area of the level, one kind of request) against the same share of A's, when only a part of a zone's calls got
    slower; '' when there are too few."""
    xa, xb = np.sort(_own_times(a, name)), np.sort(_own_times(b, name))
    ka, kb = int(round(share * len(xa))), int(round(share * len(xb)))
    if ka < 3 or kb < 3:
        return ""
    far = xb[xb >= TAIL_RATIO * float(xa[-1])]
    if BEYOND_MIN <= len(far) < kb:  # a few calls far beyond all of A's: those, not a share's median, moved
        return (
            f"; {len(far)} of its {len(xb)} calls in B took {fmt_ns(float(far[0]))}..{fmt_ns(float(far[-1]))} of "
            f"own time (A's slowest {fmt_ns(float(xa[-1]))})"
        )
    top_a, top_b = float(np.median(xa[-ka:])), float(np.median(xb[-kb:]))
    return (
        f"; its slowest {fmt_pct(share)} of calls: a median {fmt_ns(top_a)} in A -> {fmt_ns(top_b)} in B "
        f"({top_b / max(top_a, 1.0):.2f}x, own time)"
    )


def _own_moved(r: dict[str, Any]) -> str:
    """For a zone whose own time per call fell while its calls grew (its work moved into new child zones): its own
    time per call, which is what improved."""
    own_a, own_b = r["self_a_ns"] / max(r["count_a"], 1), r["self_b_ns"] / max(r["count_b"], 1)
    return f"its own time per call {fmt_ns(own_a)} -> {fmt_ns(own_b)}: the rest moved into zones inside it"


def _improved(r: dict[str, Any]) -> str:
    """The title's figure for an improved zone: per call, or its own time per call when the calls as a whole grew
    (0.315 ms -> 0.990 ms read as an improvement otherwise)."""
    if r["mean_ratio"] <= 1:
        return f"{r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
    own_a, own_b = r["self_a_ns"] / max(r["count_a"], 1), r["self_b_ns"] / max(r["count_b"], 1)
    return (
        f"{own_b / max(own_a, 1.0):.2f}x its own time per call ({fmt_ns(own_a)} -> {fmt_ns(own_b)}; with the zones "
        f"inside it {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
    )


def _count_by_text(a: Capture, b: Capture, name: str) -> str:
    """'; by its text: 'Physics.Islands' 2400 -> 24000' when the zone's calls carry a few distinct texts (a custom
    lock's name, an endpoint) and one of them moved the count; '' otherwise."""
    counts = []
    for c in (a, b):
        ids, n = np.unique(text_ids(c, _calls(c, name)), return_counts=True)
        if not 2 <= len(ids) <= TEXT_KINDS or ids[0] < 0:  # a call without a text: not a zone split by its text
            return ""
        counts.append({c._str(int(i)): int(k) for i, k in zip(ids.tolist(), n.tolist(), strict=True)})
    names = set(counts[0]) | set(counts[1])
    top = max(names, key=lambda x: abs(counts[1].get(x, 0) - counts[0].get(x, 0)))
    return f"; by its text: '{clip_text(top, 60)}' {counts[0].get(top, 0)} -> {counts[1].get(top, 0)}"


def _calls(ctx: Capture, name: str) -> np.ndarray:
    """The zone rows of the ended calls of zone `name` (the engine's arrays: no zones() table built)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    return rows[t.valid[rows]]


def _own_times(ctx: Capture, name: str) -> np.ndarray:
    """Own (self) time of each ended call of zone `name`."""
    return ctx.self_time_array()[_calls(ctx, name)]


def _by_context(a: Capture, b: Capture, name: str) -> tuple[str, str]:
    """(title part, line) when zone `name` got slower for one kind of call and held for the others, the kind told
    by the text of the zone or of the ancestor it runs under (a query's statement, a request's endpoint): the
    calls that regressed, not the zone as a whole; ("", "") otherwise."""
    own: dict[str, tuple[list[float], list[float]]] = {}
    where = ""
    for side, c in enumerate((a, b)):
        rows = _sampled_calls(c, name)
        kinds, owners = call_contexts(c, rows)
        for k, o, v in zip(kinds, owners, c.self_time_array()[rows].tolist(), strict=True):
            own.setdefault(k, ([], []))[side].append(v)
            where = where or (o if k else "")
    slower, held = _slower_and_held(own)
    if not where or not slower or not held:
        return "", ""

    def one(g: tuple[str, np.ndarray, np.ndarray]) -> str:
        k, x, y = g
        per_call = f"{fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call"
        return f"{quote_kind(k)} {per_call} ({len(x)} -> {len(y)} calls)"

    under = "its calls" if where == name else f"its calls under {where}"
    k, x, y = slower[0]
    title = (
        f"; only {under} {quote_kind(k)} got slower, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call, "
        f"its other kinds of call held"
        if len(slower) == 1
        else f"; most in {under} {quote_kind(k)}, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call"
    )
    line = (
        f"  {name} by the text of {'the zone' if where == name else where} (own time per call, A -> B): slower: "
        + "; ".join(one(g) for g in slower[:3])
        + "; held: "
        + "; ".join(one(g) for g in held[:3])
        + (f"; ... {len(held) - 3} more" if len(held) > 3 else "")
    )
    return title, line


def _by_thread_split(a: Capture, b: Capture, name: str) -> str:
    """'; only its calls on AI (under AI::Tick) got slower, 4.06 ms -> 9.04 ms per call; it held on the other
    threads (Main thread 3.05 ms -> 3.03 ms, ...)' when zone `name` runs on several threads (one plain name for
    different functions, "Update") and got slower on one while it held on the others; '' otherwise."""
    own: dict[str, tuple[list[float], list[float]]] = {}
    parents: dict[str, list[int]] = {}
    for side, c in enumerate((a, b)):
        rows = _sampled_calls(c, name)
        t, names = c._cpu(), c._thread_names_by_id()
        for r, th, v in zip(rows.tolist(), t.owner[rows].tolist(), c.self_time_array()[rows].tolist(), strict=True):
            label = names[th] if 0 <= th < len(names) else f"thread {th}"
            own.setdefault(label, ([], []))[side].append(v)
            if side == 1 and t.parent[r] >= 0:
                parents.setdefault(label, []).append(int(c._srclocs().name_idx[t.srcloc[t.parent[r]]]))
    slower, held = _slower_and_held(own)
    if len(slower) != 1 or not held:
        return ""
    order = list(own)
    held.sort(key=lambda g: order.index(g[0]))  # the threads where it held in the capture's order
    k, x, y = slower[0]
    up = parents.get(k)
    under = f" (under {b._srclocs().names[int(np.bincount(up).argmax())]})" if up else ""
    others = ", ".join(
        f"{h} {fmt_ns(float(hx.mean()))} -> {fmt_ns(float(hy.mean()))}" for h, hx, hy in held[:SHOWN_THREADS]
    )
    return (
        f"; only its calls on {k}{under} got slower, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per "
        f"call; it held on the other threads ({others})"
    )


def _sampled_calls(ctx: Capture, name: str) -> np.ndarray:
    """_calls, an even sample of CONTEXT_ROWS of them beyond that many (it stands for them all)."""
    rows = _calls(ctx, name)
    return rows[np.linspace(0, len(rows) - 1, CONTEXT_ROWS).astype(np.int64)] if len(rows) > CONTEXT_ROWS else rows


Group = tuple[str, np.ndarray, np.ndarray]


def _slower_and_held(own: dict[str, tuple[list[float], list[float]]]) -> tuple[list[Group], list[Group]]:
    """Of the groups of calls (own time per call in A and in B, five calls or more on each side): those
    CONTEXT_SLOWER slower per call, most time added first, and those that held within CONTEXT_HELD, most calls
    first; both empty with fewer than two groups."""
    groups = [(k, np.asarray(x), np.asarray(y)) for k, (x, y) in own.items() if len(x) >= 5 and len(y) >= 5]
    if len(groups) < 2:
        return [], []
    ratio = {k: float(y.mean()) / max(float(x.mean()), 1.0) for k, x, y in groups}
    slower = sorted((g for g in groups if ratio[g[0]] >= CONTEXT_SLOWER), key=lambda g: -(g[2].sum() - g[1].sum()))
    held = sorted((g for g in groups if 1 / CONTEXT_HELD <= ratio[g[0]] <= CONTEXT_HELD), key=lambda g: -len(g[1]))
    return slower, held


def _text_counts(ctx: Capture, name: str) -> dict[str, int]:
    """Calls of zone `name` per zone text (ZoneText / ZoneValue with its hex part dropped), when it has any."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    counts: dict[str, int] = {}
    for x in zone_texts(ctx, rows, plain=True):
        counts[x] = counts.get(x, 0) + 1
    return {} if set(counts) <= {""} or len(counts) > 20 else counts


def _texts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k or '(no text)'} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:6])


def _totals(r: dict[str, Any]) -> str:
    d = r["total_b_ns"] - r["total_a_ns"]
    return (
        f"{r['count_a']} -> {r['count_b']} calls, total {fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])} "
        f"({'+' if d >= 0 else '-'}{fmt_ns(abs(d))})"
    )


def _new_inside(
    b: Capture, grew: list[dict[str, Any]], paths: list[dict[str, Any]], new_names: set[str]
) -> tuple[float, str] | None:
    """(added ns, 'most impact: Orders::Hydrate 8.26x per call (0.327 ms -> 2.70 ms), +790.3 ms in total, from calls
    new inside it: Db::Query (2506 calls, 787.1 ms; by text: 'SELECT * FROM customers WHERE id=?' 2506); its own
    time per call held') for the zone that grew most through a call path B alone has (a zone that existed before,
    now called from inside it: a query per item; a zone new by name is told as such); None when none did."""
    best: tuple[float, str] | None = None
    for r in grew:
        new = [
            p
            for p in paths
            if p["kind"] == "new"
            and " > " in p["name"]
            and p["name"].split(" > ")[-2] == r["name"]
            and p["name"].rsplit(" > ", 1)[-1] not in new_names
        ]
        if not new:
            continue
        added = r["total_a_ns"] * (r["total_ratio"] - 1)  # B's total as compared (per frame, or as it stands)
        if best is not None and added <= best[0]:
            continue
        child = max(new, key=lambda p: p["total_b_ns"])
        leaf = child["name"].rsplit(" > ", 1)[-1]
        texts = _texts_under(b, leaf, r["name"])
        best = (
            added,
            f"most impact: {r['name']} {r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> "
            f"{fmt_ns(r['mean_b_ns'])}), +{fmt_ns(added)} in total, from calls new inside it: {leaf} "
            f"({child['count_b']} calls, {fmt_ns(child['total_b_ns'])}"
            + (f"; by text: {texts}" if texts else "")
            + "); its own time per call held",
        )
    return best


def _texts_under(ctx: Capture, name: str, parent: str) -> str:
    """The texts of zone `name`'s calls made directly inside zone `parent`, with their counts, when a few kinds
    cover them: "'SELECT * FROM customers WHERE id=?' 2506"; "" otherwise."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = t.stat_rows(sl.rows_of(name))
    par = t.parent[rows].astype(I64)
    ok = par >= 0
    rows, par = rows[ok], par[ok]
    rows = rows[np.isin(t.srcloc[par], sl.rows_of(parent))]
    counts: dict[str, int] = {}
    for x in zone_texts(ctx, rows, plain=True):
        counts[x] = counts.get(x, 0) + 1
    if not counts or "" in counts or len(counts) > 3:
        return ""
    return ", ".join(f"'{clip_text(k, 60)}' {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def scale_of(fa: dict[str, Any] | None, fb: dict[str, Any] | None) -> float:
    """B's totals scaled to A's length: per frame when both have frames, as they stand otherwise."""
    return fa["frames"] / fb["frames"] if fa and fb and fb["frames"] else 1.0


def _too_rare(r: dict[str, Any], alpha: float) -> bool:
    """Whether zone row `r` ran too few times on a side for the rank test: under RARE_CALLS, or so few that even
    calls wholly apart could not reach `alpha` (6 against 6 gives p = 0.005 at best)."""
    na, nb = int(r["count_a"]), int(r["count_b"])
    return min(na, nb) < RARE_CALLS or smallest_p(na, nb) >= alpha


def _rare_moves(same: list[dict[str, Any]], alpha: float) -> list[dict[str, Any]]:
    """The zones too rarely run for a test (_too_rare) whose time per call moved by RARE_RATIO or more and by
    RARE_NS at least, the largest change first."""
    out = [
        r
        for r in same
        if _too_rare(r, alpha)
        and min(r["count_a"], r["count_b"]) > 0
        and abs(r["mean_b_ns"] - r["mean_a_ns"]) >= RARE_NS
        and not 1 / RARE_RATIO < r["mean_ratio"] < RARE_RATIO
    ]
    return sorted(out, key=lambda r: -abs(r["mean_b_ns"] - r["mean_a_ns"]))


def _rare_leads(
    a: Capture,
    b: Capture,
    title: str,
    lead: str,
    rare: list[dict[str, Any]],
    top: dict[str, Any],
    fa: dict[str, Any],
    fb: dict[str, Any],
) -> str:
    """The title led by a one-off that got far slower (a level unload 28 -> 290 ms) when it added RARE_LEADS times
    the top regression's time and B's longest frame is HITCH_RATIO times A's: the hitch the user saw, which no test
    can rank; `title` as it was otherwise."""
    slower = [r for r in rare if r["mean_ratio"] > 1]
    if not slower or fb["max_ns"] < HITCH_RATIO * fa["max_ns"]:
        return title
    r = slower[0]
    added = r["total_b_ns"] - r["total_a_ns"]
    if added < RARE_LEADS * abs(top["impact_ns"]):
        return title
    # a one-off inside it that moved nearly as much: where the time went
    inner = [x for x in slower[1:2] if x["total_b_ns"] - x["total_a_ns"] >= RARE_INNER * added]
    words = "; ".join(_rare_words(a, b, x) for x in [r, *inner])
    return (
        f"{lead}most impact, run too rarely to test: {words}; B's longest gameplay frame {fmt_ns(fb['max_ns'])} "
        f"(A's {fmt_ns(fa['max_ns'])}); beside it: {title[len(lead) :]}"
    )


def _rare_words(a: Capture, b: Capture, r: dict[str, Any]) -> str:
    """'SaveSystem::WriteSnapshot 30.02 ms -> 90.42 ms (3.01x; 1 -> 1 calls; its text 'autosave_02 1200' ->
    'autosave_02 3600')'."""
    ta, tb = _text_counts(a, r["name"]), _text_counts(b, r["name"])
    texts = (
        f"; its text {', '.join(repr(clip_text(x.replace(chr(10), ' '), 40)) for x in ta)} -> "
        f"{', '.join(repr(clip_text(x.replace(chr(10), ' '), 40)) for x in tb)}"
        if ta and tb and ta != tb and len(ta) <= 2 and len(tb) <= 2
        else ""
    )
    return (
        f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} ({r['mean_ratio']:.2f}x; "
        f"{r['count_a']} -> {r['count_b']} calls{texts})"
    )


def _namespace(name: str) -> str:
    return name.split("::", 1)[0] + "::" if "::" in name else ""


def _by_namespace(names: list[dict[str, Any]], reg: list[dict[str, Any]]) -> tuple[str, str] | None:
    """("; 5 of them in Anim:: (+1.33 s of own time there in total, 1.43x-1.81x per call)", 'By namespace (own
    time, work or waiting): Anim:: 1.97 s -> 3.30 s (+1.33 s), ...') when at least NS_MIN regressed zones share a
    prefix (Anim::Update, Anim::SolveIK) that holds most of the regressions' added time: the subsystem that got
    slower, spread over zones none of which stands out; None otherwise."""
    spaces = {_namespace(str(r["name"])) for r in names} - {""}
    if len(reg) < NS_MIN or len(spaces) < 2:
        return None
    mine: dict[str, list[dict[str, Any]]] = {}
    for r in reg:
        mine.setdefault(_namespace(str(r["name"])), []).append(r)
    top = max((k for k in mine if k), key=lambda k: sum(r["impact_ns"] for r in mine[k]), default="")
    added = sum(max(r["impact_ns"], 0.0) for r in reg)
    if not top or len(mine[top]) < NS_MIN or sum(r["impact_ns"] for r in mine[top]) < NS_SHARE * added:
        return None
    own: dict[str, list[float]] = {}
    for r in names:
        k = _namespace(str(r["name"]))
        if k:
            x = own.setdefault(k, [0.0, 0.0, 0.0])
            x[0] += r["self_a_ns"]
            x[1] += r["self_b_ns"]
            x[2] += r["impact_ns"]
    ratios = [float(r["mean_ratio"]) for r in mine[top]]
    said = (
        f"; {len(mine[top])} of them in {top} (+{fmt_ns(own[top][2])} of own time there in total, "
        f"{min(ratios):.2f}x-{max(ratios):.2f}x per call)"
    )
    order = sorted(own, key=lambda k: -abs(own[k][2]))[:NS_SHOWN]
    line = "By namespace (own time, work or waiting): " + "; ".join(
        f"{k} {fmt_ns(own[k][0])} -> {fmt_ns(own[k][1])} ({'+' if own[k][2] >= 0 else '-'}{fmt_ns(abs(own[k][2]))})"
        for k in order
    )
    return said, line


def _children(name: str, paths: list[dict[str, Any]]) -> list[str]:
    """Changed zones under `name` in the call paths (what an inclusive-only change comes from)."""
    out: list[str] = []
    for r in sorted(paths, key=lambda r: r["kind"] != "wait grew"):  # a wait that grew first: where the time went
        parts = r["name"].split(" > ")
        if (r["kind"] in CHANGED or r["kind"] == "wait grew") and name in parts[:-1]:
            s = f"{parts[-1]} ({r['kind']})"
            if s not in out:
                out.append(s)
    return out[:3]


def _counterparts(
    gone: list[dict[str, Any]], new: list[dict[str, Any]], paths: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any], str, bool]]:
    """(A's row, B's row, the parent path, same cost) for each zone name only in A that has a counterpart only in B
    under the same parent paths with the same call count (within 10 %): renamed when the per-call time is the same
    too (within 25 %), replaced (a new implementation) when not."""

    def parents(name: str, kind: str) -> set[str]:
        return {
            p["name"].rsplit(" > ", 1)[0] if " > " in p["name"] else ""
            for p in paths
            if p["kind"] == kind and p["name"].rsplit(" > ", 1)[-1] == name
        }

    def same_cost(g: dict[str, Any], n: dict[str, Any]) -> bool:
        return abs(n["p50_b_ns"] - g["p50_a_ns"]) <= 0.25 * max(g["p50_a_ns"], 1.0)

    cands = {
        g["name"]: [
            n
            for n in new
            if parents(g["name"], "gone")
            and parents(n["name"], "new") == parents(g["name"], "gone")
            and abs(n["count_b"] - g["count_a"]) <= 0.1 * max(g["count_a"], 1)
        ]
        for g in gone
    }
    out: list[tuple[dict[str, Any], dict[str, Any], str, bool]] = []
    used: set[str] = set()
    # renames first (the same cost); then each other name to the most alike name left (resize_bilinear ->
    # resize_lanczos, not to whichever came first)
    for renames in (True, False):
        for g in gone:
            if any(x[0] is g for x in out):
                continue
            left = [n for n in cands[g["name"]] if n["name"] not in used and same_cost(g, n) == renames]
            if not left:
                continue
            n = max(left, key=lambda n: SequenceMatcher(None, g["name"], n["name"]).ratio())
            used.add(n["name"])
            out.append((g, n, sorted(parents(g["name"], "gone"))[0], renames))
    return out


def _place(where: str) -> str:
    """A parent path as a place: its last two zones ("… > _WorkItem.run > process_image > …"), or "top level"."""
    if not where:
        return "top level"
    parts = where.split(" > ")
    return ("… > " if len(parts) > 2 else "") + " > ".join(parts[-2:]) + " > …"


def _pair_text(g: dict[str, Any], n: dict[str, Any], where: str) -> str:
    return (
        f"{g['name']} -> {n['name']} ({_place(where)}; {g['count_a']} -> "
        f"{n['count_b']} calls, p50 {fmt_ns(g['p50_a_ns'])} -> {fmt_ns(n['p50_b_ns'])})"
    )


def _summary(
    a: Capture,
    b: Capture,
    names: list[dict[str, Any]],
    paths: list[dict[str, Any]],
    fa: dict[str, Any] | None,
    fb: dict[str, Any] | None,
    per: str,
    min_change: float,
    alpha: float,
    locs: list[dict[str, Any]] | None = None,
    waits_on_lock: str = "",
) -> tuple[str, list[str]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in names:
        by.setdefault(r["kind"], []).append(r)
    base, target = os.path.basename(a.path), os.path.basename(b.path)
    # a zone that regressed by a sliver of a frame (9x of a microsecond, 21 calls) is listed below, not in the title
    reg_all = by.get("regressed", [])
    reg = [r for r in reg_all if not _negligible(r, fa, SLIVER, b)]
    if locs and (not reg or locs[0]["impact_ns"] >= reg[0]["impact_ns"]):
        # a name several source locations share: the one location that regressed leads, in place of its name
        shared = str(locs[0]["name"]).rsplit(" (", 1)[0]
        reg = [locs[0], *[r for r in reg if r["name"] != shared]]
    pairs = _counterparts(by.get("gone", []), by.get("new", []), paths)
    replaced = [(g, n, w) for g, n, w, same in pairs if not same]
    worse = sorted(
        (x for x in replaced if x[1]["total_b_ns"] > x[0]["total_a_ns"]),
        key=lambda x: -(x[1]["total_b_ns"] - x[0]["total_a_ns"]),
    )
    lead = f"B ({target}) vs A ({base}): "
    job_moves: list[Any] = []
    if per.startswith(AS_THEY_STAND):  # the same work: how much longer it took is the first figure asked for
        sa, sb = (max(c.get_last_time() - c.get_first_time(), 1) for c in (a, b))
        lead += (
            f"the run took {fmt_ns(sa)} -> {fmt_ns(sb)} ({(sb - sa) / sa:+.1%}) on the same job (most zones ran "
            "exactly as often); "
        )
        job_moves = thread_moves(a, b, names, {"median_ns": sa, "frames": 1})
        if job_moves:  # a batch job's step moved onto other threads: what bought (or cost) the time
            job_moves.sort(key=lambda m: m.by_thread_b.get(m.home, 0) - m.by_thread_a[m.home])  # most moved first
            m = job_moves[0]
            lead += (
                f"{m.name} moved off {m.home} onto {m.where()} ({m.home}: {fmt_ns(m.by_thread_a[m.home])} -> "
                f"{fmt_ns(m.by_thread_b.get(m.home, 0))}); "
            )
    if fa is None or fa["what"] != "gameplay frame":  # no main frames (a server): its requests' latency first
        lead += _unit_latency(a, b, alpha)
    split = {str(r["name"]).rsplit(" (", 1)[0] for r in (locs or [])}  # names told by their parts instead
    uniform = _uniform_factor([r for r in names if r["name"] not in split])
    if uniform is not None:
        # the zones that rose beyond the machine-wide factor are the regressions; the others only followed it
        parts = [r for r in (locs or []) if r["self_ratio"] >= uniform.factor * UNIFORM_BEYOND]
        reg = sorted(uniform.beyond + parts, key=lambda r: -r["impact_ns"])
    off_words = ""
    if reg and fa and fb and fa["what"] == "gameplay frame":
        reg, off_words = off_frame(a, b, reg, names, fa, fb)
    if reg:
        r = reg[0]
        per_frame_reg = (
            f" ({'+' if r['impact_ns'] >= 0 else '-'}"
            f"{fmt_ns(abs(r['total_b_ns'] / fb['frames'] - r['total_a_ns'] / fa['frames']))} per {fa['what']}"
            f"{_summed_over(b, r['name'])})"
            if fa and fb
            else ""
        )
        title = (
            f"{lead}{len(reg)} zone(s) regressed; most impact: {r['name']} "
            f"{r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}), "
            f"{'+' if r['impact_ns'] >= 0 else '-'}{fmt_ns(abs(r['impact_ns']))} in total{per_frame_reg}"
            f"{_runs_only(b, str(r['name']))}."
        )
        context_title, context_line = _by_context(a, b, str(r["name"]))
        if not context_title:  # one plain name on several threads: the thread that regressed
            context_title = _by_thread_split(a, b, str(r["name"]))
        cpu_title, cpu_line = _on_cpu(a, b, reg)
        title = (
            title[:-1]
            + context_title
            + cpu_title
            + _samples_inside(a, b, str(r["name"]))
            + _allocating(a, b, r)
            + ("" if r["name"] == waits_on_lock else _more_threads(a, b, str(r["name"])))
            + off_words
            + _also_slower(reg)
            + _also_rare(a, b, _rare_moves(by.get("unchanged", []), alpha), reg[0], title)
            + "."
        )
    else:
        slight = f" by more than {SLIVER:.1%} of a {fa['what'] if fa else 'run'}" if reg_all else ""
        title = f"{lead}{NO_REGRESSION}{slight}{_wait_grew(a, b, by.get('wait grew', []), fa, fb, names)}."
    if uniform is not None:
        rest = title[len(lead) :]
        if not reg and rest.startswith(NO_REGRESSION):
            # what follows the machine-wide factor says it
            rest = re.sub(r"^ by more than [\d.]+% of a [^;.]*", "", rest[len(NO_REGRESSION) :]).lstrip("; ")
        text = uniform.words(build_change(a, b)) + _new_busy_thread(a, b)
        title = title[: len(lead)] + text + (f": {rest}" if reg else f"; {rest}" if rest not in ("", ".") else ".")
    paired = {n["name"] for _, n, _, _ in pairs}
    added = sorted((n for n in by.get("new", []) if n["name"] not in paired), key=lambda n: -n["total_b_ns"])
    grew = by.get("through children (slower)", [])
    if added and not reg and not worse:  # new work in an old place is what got slower: say where it runs
        n = added[0]
        host = next((r for r in grew if f"{n['name']} (new)" in _children(r["name"], paths)), None)
        rest = title[len(lead) :]
        # after "no zone regressed" (and what follows it), or after the machine-wide factor that said why
        tail = (
            "); no zone present in both regressed beyond noise" + rest[len(NO_REGRESSION) :]
            if rest.startswith(NO_REGRESSION)
            else "); beside it: " + rest
        )
        title = (
            f"{lead}most impact: a zone only B has, {n['name']} ({n['count_b']} calls, {fmt_ns(n['total_b_ns'])} "
            f"in total{_new_detail(b, n, paths, fb)}"
            + (
                f"; inside {host['name']}, which went {fmt_ns(host['mean_a_ns'])} -> {fmt_ns(host['mean_b_ns'])} "
                f"per call, {host['mean_ratio']:.2f}x"
                if host is not None
                else ""
            )
            + tail
        )
    inside = _new_inside(b, grew, paths, {n["name"] for n in by.get("new", [])})
    if inside is not None and not reg and not worse and inside[0] > (added[0]["total_b_ns"] if added else 0):
        title = f"{lead}{inside[1]}; no zone present in both regressed beyond noise" + (
            f"; a zone only B has: {added[0]['name']} ({added[0]['count_b']} calls, {fmt_ns(added[0]['total_b_ns'])})."
            if added
            else "."
        )
    if worse and worse[0][1]["total_b_ns"] - worse[0][0]["total_a_ns"] > (reg[0]["impact_ns"] if reg else 0):
        g, n, w = worse[0]  # a new implementation in the old one's place costs more than any zone slowed per call
        title = (
            f"{lead}most impact: {g['name']} replaced by {n['name']} at the same place "
            f"({_place(w)}; {g['count_a']} -> {n['count_b']} calls), "
            f"{n['mean_b_ns'] / max(g['mean_a_ns'], 1.0):.2f}x per call ({fmt_ns(g['mean_a_ns'])} -> "
            f"{fmt_ns(n['mean_b_ns'])}), +{fmt_ns(n['total_b_ns'] - g['total_a_ns'])} in total"
            + (f"; beside it: {title[len(lead) :]}" if reg else ".")
        )
    clocked = _clocked(a, b, by.get("more calls", [])) if per.startswith(AS_THEY_STAND) else set()
    more = sorted(
        (r for r in by.get("more calls", []) if r["name"] not in split and r["name"] not in clocked),
        key=lambda r: -(r["total_b_ns"] - r["total_a_ns"]),
    )
    if more and (not reg or more[0]["total_b_ns"] - more[0]["total_a_ns"] > reg[0]["impact_ns"]):
        r = more[0]  # the same work called more often costs more than any zone slowed per call: that leads
        d = r["total_b_ns"] - r["total_a_ns"]
        frame_d = (
            f" ({'+' if d >= 0 else '-'}{fmt_ns(abs(r['total_b_ns'] / fb['frames'] - r['total_a_ns'] / fa['frames']))}"
            f" per {fa['what']}{_summed_over(b, r['name'])})"
            if fa and fb
            else ""
        )
        slower = (
            f"; {len(reg)} zone(s) also slower per call, most: {reg[0]['name']} {reg[0]['mean_ratio']:.2f}x"
            if reg
            else "; no zone slower per call beyond noise"
        )
        # the ratio the counts were compared by: per frame, or per second when the runs differ in length
        times = r["count_ratio"] if np.isfinite(r["count_ratio"]) else r["count_b"] / max(r["count_a"], 1)
        rate = f" {per.split(' (')[0]}" if per and not per.startswith(AS_THEY_STAND) else ""
        per_frame = (
            f", {r['count_a'] / fa['frames']:.3g} -> {r['count_b'] / fb['frames']:.3g} per {fa['what']}"
            if fa and fb
            else ""
        )
        # a side with a few calls tests nothing per call: say the times, not that they held
        held = not _too_rare(r, alpha) or 1 / RARE_RATIO < r["mean_ratio"] < RARE_RATIO
        per_call = f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}"
        same_time = (
            f"at the same time per call ({per_call})"
            if held and abs(np.log(max(r["mean_ratio"], 1e-9))) <= np.log(1 + PER_CALL_MOVED)
            else f"each call {r['mean_ratio']:.2f}x as long ({per_call})"
            if held
            else f"(per call {per_call}; too few calls on one side to test)"
        )
        title = (
            f"{lead}most impact: {r['name']} is called {times:.2f}x "
            f"as often{rate} ({r['count_a']} -> {r['count_b']} calls{per_frame}) {same_time}, "
            f"+{fmt_ns(d)} in total{frame_d}{_new_caller(r, paths, fb)}{slower}."
        )
        texts = _text_counts(a, r["name"]), _text_counts(b, r["name"])
        if texts[0] != texts[1] and (texts[0] or texts[1]):  # what the extra calls are for, by their zone text
            more_lines = [
                f"{r['name']} by zone text: A "
                + (_texts(texts[0]) or "(none)")
                + "; B "
                + (_texts(texts[1]) or "(none)")
            ]
        else:
            more_lines = []
    else:
        more_lines = []
    spaces = _by_namespace(names, reg)
    if spaces is not None:  # the regressions share a subsystem's prefix: that is the answer to "which subsystem"
        said, line = spaces
        title = title[:-1] + said + "."
        more_lines.append(line)
    rival = max(
        [reg[0]["impact_ns"] if reg else 0.0] + [float(more[0]["total_b_ns"] - more[0]["total_a_ns"]) if more else 0.0]
    )
    if added and rival > 0 and added[0]["total_b_ns"] * scale_of(fa, fb) >= NEW_LEADS * rival:
        n = added[0]  # new work (a save, a wait for space) outweighs what changed in the old zones: it leads
        body = title[len(lead) :]
        body = body[len("most impact: ") :] if body.startswith("most impact: ") else body
        title = (
            f"{lead}most impact: a zone only B has, {n['name']} ({n['count_b']} calls, {fmt_ns(n['total_b_ns'])} in "
            f"total{_new_detail(b, n, paths, fb)}); beside it: {body}"
        )
    if (
        reg
        and uniform is None
        and fa
        and fb
        and fb["median_ns"] > fa["median_ns"]
        and title.startswith(f"{lead}{len(reg)} zone(s) regressed")
    ):
        # the regressions add a small part of the frame's growth, a wait grew by most of it: the wait leads
        grown = sum(abs(x["total_b_ns"] / fb["frames"] - x["total_a_ns"] / fa["frames"]) for x in reg)
        waited = _wait_grew(a, b, by.get("wait grew", []), fa, fb, names)
        if waited and grown < SMALL_BESIDE * (fb["median_ns"] - fa["median_ns"]):
            title = f"{lead}{waited.lstrip('; ')}; beside it: {title[len(lead) :]}"
    gain, moves = None, []
    if fa and fb:
        moves = thread_moves(a, b, names, fa)
        p_frames = mann_whitney(fa["durs"], fb["durs"])[0]
        top_new = added[0]["total_b_ns"] * scale_of(fa, fb) if added else 0.0
        body = title[len(lead) :]
        if p_frames < alpha and fb["median_ns"] < (1 - min_change) * fa["median_ns"]:
            gain = top_gain(names, moves, fa, fb)
            if gain is not None and gain.saved_ns * fa["frames"] > max(rival, top_new):
                # the frame got faster: what bought it answers first, what got worse beside it
                title = f"{lead}most gain: {gain.text}; " + (
                    body if body.startswith(NO_REGRESSION) else f"beside it: {body}"
                )
            else:
                gain = None
        cost, hitch = move_hitch(b, names, moves, fa)
        waited = move_waited(a, b, names, moves, fa, fb) if gain is None else ""
        if gain is None and hitch and cost > max(rival, top_new):
            # the same work, moved onto the thread whose frames it now holds up
            title = f"{lead}most impact: {hitch}; " + (
                "no zone slower per call beyond noise." if body.startswith(NO_REGRESSION) else f"beside it: {body}"
            )
        elif waited:  # parallelized, and waited for: "why did the frame not get faster?"
            title = f"{lead}{waited}; " + (body if body.startswith(NO_REGRESSION) else f"beside it: {body}")
        if p_frames < alpha and abs(fb["median_ns"] / fa["median_ns"] - 1) >= min_change / 5:
            title = title.replace(
                ": ",
                f": median {fa['what']} {fmt_ns(fa['median_ns'])} -> {fmt_ns(fb['median_ns'])} "
                f"({fb['median_ns'] / fa['median_ns'] - 1:+.1%}); ",
                1,
            )
    if fa and fb:
        title = title[:-1] + _crossed_interval(a, b, names, fa, fb) + "."
        late = _pacer_late(a, b)
        figures = f"({fb['median_ns'] / fa['median_ns'] - 1:+.1%}); "
        if late and figures in title:  # the frames grew in their limiter: that leads whatever else moved
            title = title.replace(figures, f"{figures}{late}; ", 1)
        elif late:
            title = f"{title[:-1]}; {late}."
    # the program's own part: the profiler's start before it varies by a tenth of a second from run to run
    sa, sb = program_startup_ns(a), program_startup_ns(b)
    if sa and sb and abs(sb - sa) >= max(STARTUP_CHANGE * sa, STARTUP_DELTA_NS):  # the run took longer to start
        way = "+" if sb > sa else "-"
        shift = f"{fmt_ns(sa)} -> {fmt_ns(sb)} ({way}{fmt_ns(abs(sb - sa))}, {sb / sa - 1:+.0%})"
        what = startup_what(b) if markless(b) else "the first frame mark, from the program's start"
        title = title.replace(": ", f": start-up (to {what}) {shift}{_startup_growth(a, b)}; ", 1)
    if by.get("improved"):
        r = by["improved"][0]
        most = f", most: {r['name']} {_improved(r)}" if gain is None or gain.name != r["name"] else ""
        title = title[:-1] + f"; {len(by['improved'])} improved{most}."
    lines = [
        "Beyond noise = Mann-Whitney p < "
        f"{alpha:g} (or, when a part of the calls moved, far more than a tenth of one run's calls beyond the other's "
        f"p90) and a change of at least {fmt_pct(min_change)}"
        + (f"; counts and totals compared {per}" if per else "")
        + ". Zone names: "
        + ", ".join(f"{len(v)} {k}" for k, v in sorted(by.items(), key=lambda kv: kv[0] == "unchanged"))
        + "."
    ]
    lines += [m.line() for m in job_moves[:3]]
    if names and all(r["kind"] in ("new", "gone") for r in names):
        lines.append("The captures share no zone name: they do not look like two runs of the same program.")
    elif a.get_capture_program() != b.get_capture_program():
        lines.append(f"Note: different programs ({a.get_capture_program()!r} vs {b.get_capture_program()!r}).")
    slivers = [r for r in reg_all if r not in reg]
    if slivers:
        lines.append(
            f"Regressed by under {SLIVER:.1%} of a {fa['what'] if fa else 'run'} (left out of the title): "
            + "; ".join(f"{r['name']}: {_per_call(r)}; {_totals(r)}" for r in slivers[:3])
        )
    if reg:
        lines.append("Regressed (own time per call up):")
        lines.extend(
            f"  {r['name']}: {_per_call(r)}; {_totals(r)}; p={min(r['p_value'], r['p_part']):.1g}" for r in reg[:6]
        )
        apart = _apart(a, b, str(reg[0]["name"]))
        if apart:
            lines.append(f"  {reg[0]['name']}: {apart}")
        r = reg[0]
        if r["part_b"] >= PART_TAIL_SHARE and r["p50_b_ns"] < (1 + min_change) * r["p50_a_ns"]:
            part = _slow_part(a, b, str(r["name"]), float(r["part_b"]))
            lines.append(
                f"  {r['name']}: its median held, but {fmt_pct(r['part_b'])} of its calls in B took longer than 90% "
                f"of A's (A's p90 {fmt_ns(r['p90_a_ns'])}; about 10% by chance): a part of its calls got slower{part}"
            )
            if part and title.startswith(lead) and f"most impact: {r['name']} " in title:
                # the median held: the calls that moved are the finding, not the mean over all of them
                title = title.replace(
                    f"most impact: {r['name']} ",
                    f"most impact: {r['name']} ({part[2:]}; over all calls) ",
                    1,
                )
        if context_line:
            lines.append(context_line)
        if cpu_line:
            lines.append(cpu_line)
        lines.extend(
            f"  path {r['name']}: {r['mean_ratio']:.2f}x per call"
            for r in [p for p in paths if p["kind"] == "regressed"][:4]
        )
    if by.get("improved"):
        lines.append("Improved (own time per call down):")
        lines.extend(
            f"  {r['name']}: {_per_call(r)}; {_totals(r)}" + (f"; {_own_moved(r)}" if r["mean_ratio"] > 1 else "")
            for r in by["improved"][:6]
        )
    if by.get("count changed only"):
        lines.append("Call count changed, total time did not (the same work in more or fewer calls; not a regression):")
        lines.extend(
            f"  {r['name']}: {r['count_a']} -> {r['count_b']} calls ({r['count_ratio']:.2f}x), total "
            f"{fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])} ({r['total_ratio']:.3f}x), per call "
            f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} ({r['mean_ratio']:.2f}x)"
            + _count_by_text(a, b, str(r["name"]))
            for r in by["count changed only"][:6]
        )
    lines.extend(more_lines)
    lines.extend(m.line() for m in moves)
    for kind, what in (
        ("more calls", "Called more often (the time per call held unless given)"),
        ("fewer calls", "Called less often (the time per call held unless given)"),
    ):
        if by.get(kind):
            lines.append(
                f"{what}: "
                + "; ".join(
                    f"{r['name']} ({_totals(r)}"
                    + (
                        f", per call {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}"
                        if abs(np.log(max(r["mean_ratio"], 1e-9))) > np.log(1 + PER_CALL_MOVED)
                        else ""
                    )
                    + (
                        "; in step with the run's length: a loop that runs as long as the job)"
                        if r["name"] in clocked
                        else ")"
                    )
                    for r in by[kind][:5]
                )
            )
    for kind, what, side in (("new", "Only in B", "b"), ("gone", "Only in A", "a")):
        rows = by.get(kind, [])
        if rows:
            lines.append(
                f"{what}: "
                + "; ".join(
                    f"{r['name']} ({r[f'count_{side}']} calls, {fmt_ns(r[f'total_{side}_ns'])})" for r in rows[:5]
                )
                + (f"; ... {len(rows) - 5} more" if len(rows) > 5 else "")
            )
    renamed = [_pair_text(g, n, w) for g, n, w, same in pairs if same]
    if renamed:
        lines.append(
            "Likely renamed (only in A -> only in B at the same place, same calls and cost): " + "; ".join(renamed)
        )
    if replaced:
        lines.append(
            "Replaced (only in A -> only in B at the same place, same calls, another cost): "
            + "; ".join(
                f"{_pair_text(g, n, w)[:-1]}, total {fmt_ns(g['total_a_ns'])} -> {fmt_ns(n['total_b_ns'])})"
                for g, n, w in replaced
            )
        )
    incl = by.get("through children (slower)", []) + by.get("through children (faster)", [])
    if incl:
        lines.append("Through children (only a child changed; own time unchanged; not regressions):")
        for r in incl[:6]:
            kids = _children(r["name"], paths)
            lines.append(
                f"  {r['name']} {r['mean_ratio']:.3f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
                + (f": includes {', '.join(kids)}" if kids else "")
            )
    waits = by.get("wait shrank", []) + by.get("wait grew", [])
    if waits:
        lines.append("Waits (their time follows the work around them; neither regressions nor improvements):")
        lines.extend(
            f"  {r['name']} ({r['wait']}): {_per_call(r)}; total {'+' if r['impact_ns'] >= 0 else '-'}"
            f"{fmt_ns(abs(r['impact_ns']))}"
            for r in waits[:4]
        )
    same = by.get("unchanged", [])
    title = _gone_words(title, by.get("gone", []), {id(g) for g, *_ in pairs}, fa)
    title = _gone_words(title, by.get("new", []), {id(n) for _, n, *_ in pairs}, fa, side="b")
    rare = _rare_moves(same, alpha)
    if rare:  # run once or a few times: no test can tell, but a 3x save is no noise
        lines.append(
            "Run too rarely to test (a one-off or a few calls), per call: "
            + "; ".join(_rare_words(a, b, r) for r in rare[:RARE_SHOWN])
        )
        if NO_REGRESSION in title:
            r = rare[0]
            title = title.replace(
                NO_REGRESSION,
                f"{NO_REGRESSION} among the zones run often enough to test; run too rarely to test, "
                f"{'slower' if r['mean_ratio'] > 1 else 'faster'}: {_rare_words(a, b, r)}",
                1,
            )
        elif reg and fa and fb and re.match(r"(median [^;]*; )?\d+ zone\(s\) regressed", title[len(lead) :]):
            # only over a plain regression: a move or a new zone that leads already tells what made the one-off slow
            title = _rare_leads(a, b, title, lead, rare, reg[0], fa, fb)
    split_up = by.get("count changed only", [])
    if split_up and title.endswith(f"{NO_REGRESSION}."):  # the same work cut into more (or fewer) pieces
        r = max(split_up, key=lambda r: r["total_a_ns"])
        title = (
            title[:-1] + f"; the same work in {r['count_ratio']:.2f}x as many calls: {r['name']} {r['count_a']} -> "
            f"{r['count_b']} calls, {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call (total "
            f"{fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])})."
        )
    if same:
        big = [r for r in same if r["count_a"] >= 10 and r["mean_ratio"] > 0]
        dev = max(big, key=lambda r: abs(np.log(r["mean_ratio"])), default=None)
        lines.append(
            f"Unchanged (within noise): {len(same)} zone names"
            + (
                f"; the largest per-call change among them: {dev['name']} {dev['mean_ratio']:.3f}x "
                f"({fmt_ns(dev['mean_a_ns'])} -> {fmt_ns(dev['mean_b_ns'])})"
                if dev
                else ""
            )
            + "."
        )
    if fa and fb:
        p = mann_whitney(fa["durs"], fb["durs"])[0]
        moved = p < alpha and abs(fb["median_ns"] / fa["median_ns"] - 1) >= min_change / 5
        longer = _long_frames(fa, fb)  # more frames missed their interval: the frame time did not hold
        lines.append(
            f"{fa['what'][0].upper()}{fa['what'][1:]}s: A {fa['frames']}, median {fmt_ns(fa['median_ns'])}, "
            f"p90 {fmt_ns(fa['p90_ns'])}, "
            f"p99 {fmt_ns(fa['p99_ns'])}, max {fmt_ns(fa['max_ns'])}; B {fb['frames']}, median "
            f"{fmt_ns(fb['median_ns'])}, p90 {fmt_ns(fb['p90_ns'])}, p99 {fmt_ns(fb['p99_ns'])}, max "
            f"{fmt_ns(fb['max_ns'])}; "
            + (
                "a change beyond noise"
                if moved
                else "the median held, but the durations moved beyond noise"
                if p < alpha
                else "no change beyond noise"
            )
            + f" (p={p:.2g})."
            + longer
            + ("" if moved or longer or not (reg or by.get("improved")) else _slack(names, fa))
        )
        loop_parts = frame_breakdown(a, b)
        if loop_parts:
            lines.append(loop_parts + ".")
    elif fa or fb:
        lines.append("Frames: only one of the captures has frame marks.")
    halves = {side: paired_marks(c, frame_phases(c)) for side, c in (("A", a), ("B", b))}
    if halves["A"] != halves["B"] and any(halves.values()):
        # one side marks two frames per loop: its frame count and times are halves, not a change of speed
        side = "A" if halves["A"] else "B"
        lines.insert(0, f"{side}: {halves[side]} Compare loops, not frames.")
        title = f"{side} marks two frames per loop (its frame times are halves, not faster frames); " + title
    deeper = pipeline_change(a, b)
    if deeper:  # frames queued longer between threads: latency that no zone's time and no frame time shows
        lines.insert(0, deeper + "; ctx.frame_pipeline() on each.")
        if NO_REGRESSION in title:
            title = title[: len(lead)] + deeper + "; " + title[len(lead) :]
    hitches, hitch_culprit = _hitch_change(a, b, fa, fb)
    if hitches:  # one hitch coming more often moves no zone's per-call time: it leads
        fewer = " less often" in hitches.split(":")[0]
        # fewer hitches beside a regression is a side note, unless that regression is too small to matter; so
        # are fewer frames over 2x a median that itself grew (B's slow mark moved up with its frames)
        frames_grew = bool(fa and fb and fb["median_ns"] > (1 + min_change) * fa["median_ns"])
        told = bool(hitch_culprit) and f"{hitch_culprit} moved onto" in title  # the move already leads
        if not told and (not fewer or ((not reg or _negligible(reg[0], fa)) and not frames_grew)):
            extra = ""
            if fewer and fa and fb and gain is None:  # what took the hitches away: work moved off the frame's thread
                took = top_gain(names, moves, fa, fb)
                extra += f"; most gain: {took.text}" if took is not None else ""
            price = next((r for r in _rare_moves(same, alpha) if r["mean_ratio"] > 1), None)
            if fewer and price is not None and "run too rarely to test" not in title:  # the price paid elsewhere
                extra += f"; at a cost, run too rarely to test: {_rare_words(a, b, price)}"
            title = title[: len(lead)] + hitches + extra + "; " + title[len(lead) :]
        lines.insert(0, hitches + " (ctx.slow_frames() on each).")
    alternation = _alternation_change(a, b, fa) if fa and fb else ""
    if alternation:  # the mean holds and few frames pass 2x the median: the unevenness is the change, first
        title = title[: len(lead)] + alternation + "; " + title[len(lead) :]
        lines.insert(0, alternation + " (ctx.slow_frames() on each).")
    if uniform is not None:
        moved = sorted(uniform.moved, key=lambda r: -abs(r["impact_ns"]))
        lines.insert(
            0,
            f"Machine-wide: {len(moved)} zone names ran about {uniform.factor:.2f}x per call (their own time), the "
            "most added: "
            + "; ".join(
                f"{r['name']} {r['self_ratio']:.2f}x ({'+' if r['impact_ns'] >= 0 else '-'}"
                f"{fmt_ns(abs(r['impact_ns']))})"
                for r in moved[:4]
            )
            + ": the same factor everywhere is the machine, not the code.",
        )
    if locs:
        lines.append(
            "By source location or zone text (zone names that stand for several things: plain ZoneScoped's "
            "function names, a job zone with the job's type as its text): "
            + "; ".join(
                f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call "
                f"({r['mean_ratio']:.2f}x), {'+' if r['impact_ns'] >= 0 else '-'}{fmt_ns(abs(r['impact_ns']))}"
                for r in locs[:3]
            )
            + "; the name's other parts held."
        )
    return title, lines


def _on_cpu(a: Capture, b: Capture, reg: list[dict[str, Any]]) -> tuple[str, str]:
    """(title part, line) when both captures have context switches: the regressed zones' time on a CPU per call in
    A and B. When it held while the wall time grew, the zone's own work did not change: its thread waited for a
    core (other load took it) or slept more. ("", "") without context switches on their threads."""
    parts, first = [], ""
    for i, r in enumerate(reg[:4]):
        split = []
        for c in (a, b):
            rows = _calls(c, str(r["name"]))
            got = time_split(c, rows)
            if got is None:
                break
            split.append((*(x / max(len(rows), 1) for x in got),))
        if len(split) < 2:
            continue
        (on_a, _, _), (on_b, sleep_b, core_b) = split
        parts.append(
            f"{r['name']} {fmt_ns(on_a)} -> {fmt_ns(on_b)} (wall {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
        )
        held = on_b <= CPU_HELD * on_a and r["mean_b_ns"] - r["mean_a_ns"] > 2 * max(on_b - on_a, 0.0)
        if i == 0 and held:
            why = (
                f"it waited for a core (runnable, not running) {fmt_ns(core_b)} per call in B"
                if core_b >= sleep_b
                else f"its thread slept {fmt_ns(sleep_b)} per call in B"
            )
            first = (
                f"; on a CPU it took {fmt_ns(on_a)} -> {fmt_ns(on_b)} per call (context switches): its own work "
                f"held, {why}"
            )
    if not parts:
        return "", ""
    return first, "  On a CPU per call (context switches): " + "; ".join(parts)


def _crossed_interval(
    a: Capture, b: Capture, names: list[dict[str, Any]], fa: dict[str, Any], fb: dict[str, Any]
) -> str:
    """'; the frame thread's work (the frame minus <pacer>) x -> y crossed the z interval, so each frame waits for
    the next one: on <thread> <zone> grew most (...)' when a paced loop's frames took twice as long in B because
    its work just passed the period: the zone that did it is on the frame thread, whatever grew more elsewhere."""
    pacer = next((r for r in names if r.get("wait") == PACES and r["kind"] != "new"), None)
    if pacer is None:
        return ""
    period = fa["median_ns"]
    if fb["median_ns"] < CROSSED * fa["median_ns"]:
        # a part of B's frames missed the interval and took two (vsync): the work is at the period, not past it
        ma, mb = (int((f["durs"] >= CROSSED * period).sum()) for f in (fa, fb))
        if mb < MISSED_SHARE * len(fb["durs"]) or ma >= mb / 4:
            return ""
        oa, ob = _pacer_offset(a, str(pacer["name"])), _pacer_offset(b, str(pacer["name"]))
        when = (
            f" ({pacer['name']} starts {fmt_ns(oa)} -> {fmt_ns(ob)} into the frame, mean)"
            if oa is not None and ob is not None
            else ""
        )
        out = (
            f"; {mb} of B's {len(fb['durs'])} frames ({mb / len(fb['durs']):.0%}) missed the {fmt_ns(period)} "
            f"interval and took two or more ({ma} of A's {len(fa['durs'])}): the frame's work now reaches the "
            f"interval{when}"
        )
    else:
        work_a, work_b = fa["median_ns"] - pacer["mean_a_ns"], fb["median_ns"] - pacer["mean_b_ns"]
        if not work_a < period <= work_b:
            return ""
        out = (
            f"; the frame thread's work (the frame minus {pacer['name']}) {fmt_ns(work_a)} -> {fmt_ns(work_b)} "
            f"crossed the {fmt_ns(period)} interval, so each frame waits for the next one"
        )
    t, sl = a._cpu(), a._srclocs()

    def thread_of(name: str) -> int:
        rows = t.stat_rows(sl.rows_of(name))
        return int(np.bincount(t.owner[rows]).argmax()) if len(rows) else -1

    home = thread_of(str(pacer["name"]))
    grown = [r for r in names if r["kind"] == "regressed" and r["count_a"] and thread_of(str(r["name"])) == home]
    if grown:
        r = max(grown, key=lambda r: (r["mean_b_ns"] - r["mean_a_ns"]) * r["count_a"])
        out += (
            f": on {a._thread_labels()[home]}, {r['name']} grew most ({fmt_ns(r['mean_a_ns'])} -> "
            f"{fmt_ns(r['mean_b_ns'])} per call)"
        )
    return out


def _pacer_late(a: Capture, b: Capture) -> str:
    """'in B the frame-pacing wait, not the work, sets the frame time: Frame::Limit ends the frames at a median
    19.46 ms while the work before it takes 8.65 ms, past the 16.67 ms interval by a median 2.78 ms (A: not)' when
    B's limiter oversleeps and A's did not (pacer_overshoot); '' otherwise."""
    ob = pacer_overshoot(b)
    if ob is None or pacer_overshoot(a) is not None:
        return ""
    return (
        f"in B the frame-pacing wait, not the work, sets the frame time: {ob.name} ends the frames at a median "
        f"{fmt_ns(ob.median_ns)} while the work before it takes {fmt_ns(ob.work_ns)}, past the "
        f"{fmt_ns(ob.target_ns)} ({1e9 / ob.target_ns:.0f} fps) interval by a median {fmt_ns(ob.by_ns)} (A's did "
        "not): B's limiter oversleeps"
    )


def _clocked(a: Capture, b: Capture, rows: list[dict[str, Any]]) -> set[str]:
    """The zones called more often only because the same job ran longer (a loop that polls or prefetches until the
    job ends): their count moved by the run's length ratio, to within CLOCKED."""
    sa, sb = (max(c.get_last_time() - c.get_first_time(), 1) for c in (a, b))
    run = sb / sa
    if abs(run - 1) < CLOCKED:
        return set()
    return {str(r["name"]) for r in rows if r["count_a"] > 0 and abs(r["count_b"] / r["count_a"] / run - 1) <= CLOCKED}


def _alternation_change(a: Capture, b: Capture, fa: dict[str, Any]) -> str:
    """'B's frames alternate 8.38 ms / 25.27 ms (medians; mean 16.93 ms) where A's do not (median 16.91 ms):
    AI::Think runs every second frame in B (293 -> 148 runs, 8.50 ms -> 16.79 ms a run)' when B's frames alternate
    and A's did not (alternating_frames); the reverse when A's did; '' otherwise."""
    xa, xb = alternating(a), alternating(b)
    if xb is not None and xa is None:
        x, one, other = xb, "B", "A"
    elif xa is not None and xb is None:
        x, one, other = xa, "A", "B"
    else:  # both alternate, or neither: no change in kind
        return ""
    text = (
        f"{one}'s frames alternate {fmt_ns(x.short_ns)} / {fmt_ns(x.long_ns)} (medians; mean {fmt_ns(x.mean_ns)}) "
        f"where {other}'s do not" + (f" (median {fmt_ns(fa['median_ns'])})" if one == "B" else "")
    )
    if not x.zone:
        return text
    ra, rb = _calls(a, x.zone), _calls(b, x.zone)
    runs = f"{len(ra)} -> {len(rb)} runs"
    if len(ra) and len(rb):
        ta, tb = float(np.median(a._cpu().dur[ra])), float(np.median(b._cpu().dur[rb]))
        runs += f", {fmt_ns(ta)} -> {fmt_ns(tb)} a run"
    return f"{text}: {x.zone} runs every second frame in {one} ({runs})"


def _pacer_offset(ctx: Capture, name: str) -> float | None:
    """How far into its gameplay frame the pacing wait `name` starts, on average (its first call in each frame): where
    the frame's work ends. None without frames or calls."""
    ph = frame_phases(ctx)
    rows = _calls(ctx, name)
    if ph is None or not len(ph.gameplay) or not len(rows):
        return None
    g = ph.gameplay
    starts = np.sort(ctx._cpu().start[rows])
    first = np.searchsorted(starts, ph.start[g])  # each frame's first call at or after its start
    ok = first < len(starts)
    ok[ok] &= starts[first[ok]] < ph.end[g][ok]
    if not ok.any():
        return None
    return float(np.mean(starts[first[ok]] - ph.start[g][ok]))


def _new_detail(b: Capture, n: dict[str, Any], paths: list[dict[str, Any]], fb: dict[str, Any] | None) -> str:
    """', 8.64 ms per gameplay frame; most of it in Render::WaitForGpuReadback, a wait for RenderThread': what a
    new zone costs a frame, and the new wait inside it that holds most of its time (a new sync point)."""
    # per frame only for work in most frames: a one-off's time spread over the frames says nothing
    out = (
        f", {fmt_ns(n['total_b_ns'] / fb['frames'])} per {fb['what']}"
        if fb and n["count_b"] >= fb["frames"] / 2
        else ""
    )
    inside = [r for r in paths if r["kind"] == "new" and f"{n['name']} > " in r["name"] and r.get("wait")]
    if not inside:
        return out
    w = max(inside, key=lambda r: r["total_b_ns"])
    if w["total_b_ns"] < 0.5 * n["total_b_ns"]:
        return out
    leaf = str(w["name"]).rsplit(" > ", 1)[-1]
    ph = frame_phases(b)
    win = ph.window() if ph is not None else None
    names = b._srclocs().names
    found = [z for z in wait_zones(b, *win, ph) if names[z.name_idx] == leaf] if win is not None else []
    whom = f", a wait for {found[0].waits_for}" if found and found[0].waits_for else f" ({w['wait']})"
    return out + f"; {fmt_pct(w['total_b_ns'] / n['total_b_ns'])} of it in {leaf}{whom}"


def _wait_grew(
    a: Capture,
    b: Capture,
    grew: list[dict[str, Any]],
    fa: dict[str, Any] | None,
    fb: dict[str, Any] | None,
    names: list[dict[str, Any]],
) -> str:
    """'; the frames grew in a wait: <zone> (waits for other threads) x -> y per call (+z per gameplay frame);
    threads gone in B: ...' when no zone regressed (or those that did add little) and a wait grew by most of the
    frames' growth: the work it waits for spread over fewer threads, gathered onto one (gathered), ran elsewhere, or
    started later in the frame (waited_job); '' otherwise."""
    if not grew or not fa or not fb:
        return ""
    w = max(grew, key=lambda r: r["impact_ns"])
    per_frame = w["impact_ns"] / max(fa["frames"], 1)
    frame_growth = fb["median_ns"] - fa["median_ns"]
    if frame_growth <= 0 or per_frame < WAIT_EXPLAINS * frame_growth:
        return ""
    _, gone, resized = thread_changes(a, b)
    fewer = [f"{n} x{na} -> x{nb}" for n, na, nb in resized if nb < na]
    out = (
        f"; the frames grew in a wait: {w['name']} ({w['wait']}) {fmt_ns(w['mean_a_ns'])} -> "
        f"{fmt_ns(w['mean_b_ns'])} per call (+{fmt_ns(per_frame)} per {fa['what']})"
    )
    if gone or fewer:  # the jobs queue for fewer threads: a job starting later is that, not an overlap lost
        return out + "; fewer threads in B: " + ", ".join([*(f"{n} gone" for n in sorted(set(gone))[:4]), *fewer[:3]])
    together = gathered(a, b, names, fa, fb)
    if together:  # the work it waits for no longer shares out over the threads
        return f"{out}: {together}"
    return out + started_later(a, b, str(w["name"]), float(w["mean_b_ns"] - w["mean_a_ns"]))


def _new_caller(r: dict[str, Any], paths: list[dict[str, Any]], fb: dict[str, Any] | None) -> str:
    """'; the added calls come from a call path only B has: Battle::Update > AI::PlanTurn > AI::EvaluateCover (2400
    calls, 8 per gameplay frame)' when one new path of zone `r` holds most of its added calls; '' otherwise."""
    leaf = f" > {r['name']}"
    new = [p for p in paths if p["kind"] == "new" and str(p["name"]).endswith(leaf)]
    added = int(r["count_b"]) - int(r["count_a"])
    if not new or added <= 0:
        return ""
    top = max(new, key=lambda p: int(p["count_b"]))
    if int(top["count_b"]) < NEW_CALLER_SHARE * added:
        return ""
    per = f", {int(top['count_b']) / fb['frames']:.3g} per {fb['what']}" if fb else ""
    caller = str(top["name"])[: -len(leaf)]
    return f"; the added calls come from a call path only B has: {caller} ({int(top['count_b'])} calls{per})"


def _also_rare(a: Capture, b: Capture, rare: list[dict[str, Any]], top: dict[str, Any], title: str) -> str:
    """'; run too rarely to test, also slower: Dungeon::GenerateRoom 19.69 ms -> 44.18 ms (2.24x; 6 -> 6 calls)':
    the zones run a handful of times (RARE_CALLS or more, yet too few for the test: `rare`, _rare_moves) whose own
    time grew by ALSO_SHARE of the top regression's added time at least (a floor change's generator that runs 6
    times; not its parents, which only contain it), ALSO_SHOWN at most, and not told in `title` already."""
    slower = [
        r
        for r in rare
        if r["mean_ratio"] > 1
        and min(r["count_a"], r["count_b"]) >= RARE_CALLS  # the one-offs lead or follow elsewhere (_rare_leads)
        and r["self_b_ns"] - r["self_a_ns"] >= ALSO_SHARE * top["impact_ns"]
        and f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> " not in title
    ][:ALSO_SHOWN]
    return "; run too rarely to test, also slower: " + ", ".join(_rare_words(a, b, r) for r in slower) if slower else ""


def _also_slower(reg: list[dict[str, Any]]) -> str:
    """'; also slower: Hitbox::Resolve 1.91x per call (1.16 ms -> 2.21 ms), ...': the regressions after the first
    (`reg`, most impact first) adding ALSO_SHARE of its time at least, ALSO_SHOWN at most, so "what got slower" is
    answered whole in the title; '' without them."""
    rest = [x for x in reg[1:] if x["impact_ns"] >= ALSO_SHARE * reg[0]["impact_ns"]][:ALSO_SHOWN]
    if not rest:
        return ""
    return "; also slower: " + ", ".join(
        f"{r['name']} {r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
        for r in rest
    )


def _startup_growth(a: Capture, b: Capture) -> str:
    """' (in it Routes::BuildTrie 144.0 ms -> 997.3 ms of own time)': the zone whose own time inside the start-up
    moved most, when it is most of the start-up's change ('' otherwise): a start-up zone runs once, too few calls
    for the per-call tests."""
    own = []
    for c in (a, b):
        win = startup_window(c)
        if win is None:
            return ""
        t, sl = c._cpu(), c._srclocs()
        rows = np.flatnonzero(t.valid & (t.start >= win[0]) & (t.end <= win[1]))
        per_name = np.bincount(sl.name_idx[t.srcloc[rows]], weights=c.self_time_array()[rows].astype(np.float64))
        own.append({str(sl.names[i]): float(per_name[i]) for i in np.flatnonzero(per_name)})
    names = set(own[0]) | set(own[1])
    delta = {n: own[1].get(n, 0.0) - own[0].get(n, 0.0) for n in names}
    top = max(names, key=lambda n: abs(delta[n]), default="")
    change = program_startup_ns(b) - program_startup_ns(a)
    if not top or abs(delta[top]) < STARTUP_EXPLAINS * abs(change) or delta[top] * change <= 0:
        return ""
    return f" (in it {top} {fmt_ns(own[0].get(top, 0.0))} -> {fmt_ns(own[1].get(top, 0.0))} of own time)"


def _samples_inside(a: Capture, b: Capture, name: str) -> str:
    """'; CPU samples inside it: compute_coeffs 0 -> 877 (only in B)' when both captures have CPU samples and one of
    the program's functions under the regressed zone gained most of its added samples: what the zone now does
    that its zones cannot show."""
    if not (a._db.rows("samples") and b._db.rows("samples")):
        return ""
    try:
        fa, fb = (program_functions(c.hot_functions(n=50, name=name).table, "incl_samples") for c in (a, b))
    except NotFoundError:
        return ""
    if not fb:
        return ""
    added = {f: fb.get(f, 0.0) - fa.get(f, 0.0) for f in set(fa) | set(fb)}
    top = max(added, key=lambda f: added[f])
    if added[top] < SAMPLES_MIN or added[top] < SAMPLES_SHARE * max(fb.values()):
        return ""
    only = " (only in B)" if top not in fa else ""
    return f"; CPU samples inside it: {top} {fa.get(top, 0.0):.0f} -> {fb[top]:.0f}{only}"


def _more_threads(a: Capture, b: Capture, name: str) -> str:
    """'; it ran on 8 threads in A and 32 in B, on a 2-core machine: ...' when a regressed zone ran on many more
    threads in B than there are cores (a grown pool: its calls share the cores and each takes longer)."""
    na, nb = threads_running(a, name), threads_running(b, name)
    cores = host_cores(b)
    if nb < THREADS_GREW * max(na, 1) or cores <= 0 or nb <= cores:
        return ""
    return (
        f"; it ran on {na} thread(s) in A and {nb} in B, on a {cores}-core machine: with more threads than cores "
        "its calls share them, so each takes longer"
    )


def _runs_only(ctx: Capture, name: str) -> str:
    """' (it runs only 2.43-4.43 s of B's 7.53 s: from "Level docks started" to "Loading level: city")' when zone
    `name` runs in one stretch of the capture (a level, a mode), named by the program's one-off messages at its ends:
    "which part of the game" answered; '' when it runs all along."""
    rows = _calls(ctx, name)
    if len(rows) < RARE_CALLS:
        return ""
    t = ctx._cpu()
    s, e = int(t.start[rows].min()), int(t.end[rows].max())
    first, last = int(ctx.get_first_time()), int(ctx.get_last_time())
    if e - s > RUNS_ONLY * (last - first):
        return ""
    near = int(max(NEAR_MESSAGE_NS, 0.02 * (last - first)))
    before, after = one_off_before(ctx, s, near), one_off_after(ctx, e, near)
    ends = (
        f": from {clip_text(before.text, 50)!r} to {clip_text(after.text, 50)!r}"
        if before and after
        else f": after {clip_text(before.text, 50)!r}"
        if before
        else f": until {clip_text(after.text, 50)!r}"
        if after
        else ""
    )
    return f"; it runs only {(s - first) / 1e9:.2f}-{(e - first) / 1e9:.2f} s of B's {(last - first) / 1e9:.2f} s{ends}"


def _summed_over(ctx: Capture, name: str) -> str:
    """ ", summed over its N threads" when zone `name` runs on more than one thread: its time per frame then adds
    the threads' times, which can exceed what the frame itself grew."""
    n = threads_running(ctx, name)
    return f", summed over the {n} threads it runs on" if n > 1 else ""
