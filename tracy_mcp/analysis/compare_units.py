"""The words of a comparison for a program without main frames (a server, a batch job): its unit of work's
latency in A and B, its tail and the thread that holds it, the queue wait before it, its throughput."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.rank_test import (
    PART_MIN_CALLS,
    PART_TAIL_SHARE,
    TAIL_RATIO,
    beyond_slowest,
    mann_whitney,
    tail_moved,
)
from tracy_mcp.analysis.request_wait import request_wait
from tracy_mcp.analysis.wait_zones import UNIT_MIN_RUNS, unit_name

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

THROUGHPUT_MOVED = 1.25  # the unit of work ran this many times as often per second (or 1/x): throughput moved
QUEUE_MOVED = 2.0  # a queue wait this many times longer (or shorter) at p50 or p99 moved the latency users see
UNIT_TAIL_RUNS = 1000  # a unit run this many times in both...
UNIT_TAIL_SHARE = 0.03  # ...with this share of B's runs beyond A's p99 (3x chance) and a p99 TAIL_RATIO as long
TAIL_THREAD = 0.6  # ...or this share of B's runs beyond A's p99 on one thread of several: that thread's tail


def unit_latency(a: Capture, b: Capture, alpha: float) -> str:
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
    moved far (tail_moved), or 'the tail shrank: ...' the other way; ''."""
    grew, shrank = float((db_ > a99).mean()), float((da > b99).mean())
    # a few runs far beyond all of the other's are news for the unit (a tick that now overruns its budget), not
    # for any zone (a few preempted calls on a loaded machine); so is a p99 that moved far over many runs
    many = min(len(da), len(db_)) >= UNIT_TAIL_RUNS
    if grew >= shrank and (
        tail_moved(da, db_, grew)
        or beyond_slowest(da, db_)
        or (many and grew >= UNIT_TAIL_SHARE and b99 >= TAIL_RATIO * a99)
    ):
        return _tail_text("grew", da, db_, grew, "B's runs take", "A's")
    if shrank > grew and (tail_moved(db_, da, shrank) or beyond_slowest(db_, da)):
        return _tail_text("shrank", db_, da, shrank, "A's runs took", "B's")
    return ""


def _tail_text(how: str, base: np.ndarray, other: np.ndarray, share: float, whose: str, of: str) -> str:
    """The tail clause: the share beyond `base`'s p99, or when fewer went far beyond all of `base`'s runs, how many
    and how long they took."""
    k = beyond_slowest(base, other)
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
