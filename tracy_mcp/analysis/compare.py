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

import os
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.call_paths import call_paths, merge_paths
from tracy_mcp.analysis.compare_summary import AS_THEY_STAND, summarize
from tracy_mcp.analysis.formatting import clip_text, fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases, paired_marks
from tracy_mcp.analysis.locations import location_label, locations_of
from tracy_mcp.analysis.machine_factor import MIN_CALLS
from tracy_mcp.analysis.rank_test import (
    beyond_p90,
    mann_whitney,
    tail_moved,
)
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.wait_zones import wait_names
from tracy_mcp.analysis.zone_paths import text_kinds

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
SAMPLE = 2000  # durations per group and side for the rank test and the percentiles
STRIDED = 250_000  # big call paths are sampled from an evenly strided subset of about this many zones
HIDES_PARTS = ("unchanged", "more calls", "fewer calls", "count changed only")  # name-level kinds a part can hide in
SAME_WORK_MIN = 10  # zone names called at least this often in both runs tell whether they did the same work...
SAME_WORK_SHARE = 0.5  # ...when at least this share of them have exactly equal counts
PART_SHARE = 0.25  # a zone regressed in part when this share of its calls in B lie beyond A's p90 (0.1 by chance)
MANY_MORE = 3.0  # a zone called this many times as often, cheaper per call but more in total: more calls, first
SPLIT_LOW = 0.75  # the count moved and the typical call moved the other way, their product within this of 1: split
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
        (r["part_b"], p_part_b), (r["part_a"], p_part_a) = beyond_p90(sa, sb), beyond_p90(sb, sa)
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
        part_up = part_up and (r["part_b"] >= PART_SHARE or (not count_moved and tail_moved(sa, sb, r["part_b"])))
        part_down = part_down and (r["part_a"] >= PART_SHARE or (not count_moved and tail_moved(sb, sa, r["part_a"])))
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
    res.title, res.lines = summarize(a, b, names, paths, fa, fb, per, min_change, alpha, locs)
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
