"""Benchmark of the answer-shaped analyses (issue 12) on the two largest shared captures.

    python bench/analyses.py [capture.tracy ...]

For each capture and analysis it prints the time of the first call on a freshly opened capture ("cold": every cache
empty, including the shared ones such as self time, which the first analysis pays for) and the best of a few later
calls ("warm"), against the goal: wall time, and the process's CPU time beside it (the analyses run on one thread,
so CPU time is what they cost; on a shared, busy machine wall time stretches). A reference measured in the same run
(one numpy pass summing the zones' durations) shows how fast the machine is right now.
Goals: each analysis under 300 ms on ~5 M zones; call_tree and summary under 1 s; compare of two 4 M-zone captures
(medium with itself) under 1.5 s.

Then 1 M ctx.zone_at look-ups at random times and threads of the first capture (goal 0.5 s), against a vectorised
numpy reference (a binary search per thread, then a walk up the parents) measured in the same run and checked to
agree; and the analyses whose data the large captures lack (locks, memory) on the planted captures.

Add an analysis by appending to ANALYSES.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from shared_data import CAPTURES

from tracy_mcp import Capture, open_capture

DEFAULT = ["tracypy-0.13.1.tracy", "medium-0.14.0.tracy"]

# (name, call(capture, a second copy of the same file), goal in ms)
ANALYSES: list[tuple[str, Callable[[Capture, Capture], Any], float]] = [
    ("slow_frames()", lambda c, _: c.slow_frames(), 300),
    ("slow_frames(budget=median frame)", lambda c, _: c.slow_frames(budget_ns=_median_frame(c)), 300),
    ("thread_report()", lambda c, _: c.thread_report(), 300),
    ("compare(a second copy)", lambda c, other: c.compare(other), 1500),
    ("call_tree()", lambda c, _: c.call_tree(), 1000),
    ("call_tree(per_thread=False)", lambda c, _: c.call_tree(per_thread=False), 1000),
    ("call_tree(middle 10% of the capture)", lambda c, _: c.call_tree(**_middle(c)), 1000),
    ("hot_paths(20)", lambda c, _: c.hot_paths(20), 1000),
    ("summary()", lambda c, _: c.summary(), 1000),
    ("lock_contention()", lambda c, _: c.lock_contention(), 300),
    ("memory_report()", lambda c, _: c.memory_report(), 300),
]
LOOKUPS = 1_000_000
PLANTED = [
    ("lock_contention.tracy", "lock_contention"),
    ("memory_leak.tracy", "memory_report"),
    ("alloc_churn.tracy", "memory_report"),
]


def _middle(c: Capture) -> dict[str, int]:
    last = int(c.get_last_time())
    return {"start": last * 45 // 100, "end": last * 55 // 100}


def _median_frame(c: Capture) -> float:
    return float(np.median(c.frames(as_frame=False)["duration_ns"]))


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def reference(cap: Capture) -> float:
    """One numpy pass over the zones: the sum of their durations (best of 5)."""
    dur = cap._cpu().dur
    return min(timed(lambda: int(dur.sum()))[0] for _ in range(5))


def bench(path: Path) -> None:
    with open_capture(path) as probe:
        n = probe.get_zone_count()
        ref = reference(probe)
    print(f"{path.name}: {n / 1e6:.2f} M zones; reference pass {ref * 1000:.1f} ms")
    print(f"  {'analysis':<34} {'cold ms (cpu)':>17} {'warm ms (cpu)':>17} {'goal ms':>8}  {'ok (cpu)':<8}")
    for name, call, goal in ANALYSES:
        with open_capture(path) as cap, open_capture(path) as other:
            try:
                cold = timed(lambda: call(cap, other))  # noqa: B023 - called at once
            except NotImplementedError:
                print(f"  {name:<34} {'not available':>9}")
                continue
            warm = min((timed(lambda: call(cap, other)) for _ in range(3)), key=lambda wc: wc[1])  # noqa: B023
        ok = "yes" if cold[1] * 1000 <= goal else ("warm" if warm[1] * 1000 <= goal else "NO")
        print(
            f"  {name:<34} {cold[0] * 1000:8.1f} ({cold[1] * 1000:6.1f}) {warm[0] * 1000:8.1f} ({warm[1] * 1000:6.1f}) "
            f"{goal:8.0f}  {ok:<8}"
        )


def numpy_zone_at(cap: Capture, times: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The reference: per thread a binary search for the last zone started, then walk up while it has ended."""
    db = cap._db
    start, end, parent = db.col("zones", "start"), db.col("zones", "end"), db.col("zones", "parent")
    zb, ze = db.col("threads", "zones_begin"), db.col("threads", "zones_end")
    out = np.full(len(times), -1, np.int64)
    for r in np.flatnonzero(np.bincount(rows)).tolist():
        q = np.flatnonzero(rows == r)
        b, e = int(zb[r]), int(ze[r])
        cur = np.searchsorted(start[b:e], times[q], side="right") - 1 + b
        pend = np.flatnonzero(cur >= b)
        while len(pend):
            z = cur[pend]
            zend = end[z]
            hit = (zend < 0) | (zend > times[q[pend]])
            out[q[pend[hit]]] = z[hit]
            pend = pend[~hit]
            cur[pend] = parent[z[~hit]]
            pend = pend[cur[pend] >= 0]
    return out


def bench_zone_at(path: Path) -> None:
    with open_capture(path) as cap:
        db = cap._db
        counts = (db.col("threads", "zones_end") - db.col("threads", "zones_begin")).astype(np.int64)
        with_zones = np.flatnonzero(counts > 0)
        rng = np.random.default_rng(1)
        rows = rng.choice(with_zones, size=LOOKUPS, p=counts[with_zones] / counts[with_zones].sum())
        times = rng.integers(0, cap.get_last_time(), size=LOOKUPS)
        engine = min(timed(lambda: cap.zone_at(times, rows))[0] for _ in range(3))
        ref = min(timed(lambda: numpy_zone_at(cap, times, rows))[0] for _ in range(2))
        assert np.array_equal(cap.zone_at(times, rows).zone_id, numpy_zone_at(cap, times, rows))
    ok = "yes" if engine <= 0.5 else "NO"
    print(f"{path.name}: {LOOKUPS} zone_at look-ups (random times and threads)")
    print(
        f"  ctx.zone_at {engine * 1000:9.1f} ms (goal 500, {ok}); numpy reference {ref * 1000:.1f} ms, "
        f"{ref / engine:.1f}x slower"
    )


def bench_planted() -> None:
    print("planted captures (locks, memory):")
    for name, method in PLANTED:
        path = CAPTURES / "planted" / name
        if not path.is_file():
            continue
        with open_capture(path) as cap:
            cold = timed(getattr(cap, method))[0]
            warm = min(timed(getattr(cap, method))[0] for _ in range(3))
        ok = "yes" if cold <= 0.3 else ("warm" if warm <= 0.3 else "NO")
        print(f"  {method + '() on ' + name:<48} {cold * 1000:9.1f} {warm * 1000:9.1f} {300:8.0f}  {ok}")


def main(argv: list[str]) -> int:
    try:  # a one-time import cost of the process, not of the analyses
        import pandas  # noqa: F401
    except ImportError:
        pass
    paths = [Path(a) for a in argv] or [CAPTURES / name for name in DEFAULT]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"captures not found: {', '.join(map(str, missing))} (set TRACY_MCP_SHARED)")
        return 1
    for p in paths:
        bench(p)
    bench_zone_at(paths[0])
    bench_planted()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
