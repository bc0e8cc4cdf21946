"""Benchmark of the capture API's heavy queries on the largest shared capture (or a capture given as argument).

    python bench/query.py [capture.tracy]

Prints, for each query, the best wall time of a few runs and, where it makes sense, the ratio against a naive
reference (a Python loop over the zones) measured in the same run. Aim of issue 4: all-zone statistics over
10 M zones under 100 ms.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from shared_data import CAPTURES, largest_capture

from tracy_mcp import open_capture
from tracy_mcp.engine.zonetree import ZoneTree

NAIVE_ZONES = 500_000  # the naive reference runs on this many zones and is scaled up linearly


def best(fn: Callable[[], Any], runs: int = 5, setup: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def row(label: str, seconds: float, n: int | None = None, ref: float | None = None) -> None:
    rate = f"{n / seconds / 1e6:8.1f} M zones/s" if n and seconds > 0 else " " * 18
    ratio = f"  {ref / seconds:8.1f}x faster than naive" if ref else ""
    print(f"  {label:<52} {seconds * 1000:10.2f} ms {rate}{ratio}")


def naive_all_zone_stats(start: list[int], end: list[int], srcloc: list[int]) -> dict[int, list[float]]:
    acc: dict[int, list[float]] = {}
    for s, e, k in zip(start, end, srcloc, strict=False):
        if e < 0 or e - s <= 0:
            continue
        d = e - s
        a = acc.get(k)
        if a is None:
            acc[k] = [1, d, d, d, float(d) * d]
        else:
            a[0] += 1
            a[1] += d
            a[2] = min(a[2], d)
            a[3] = max(a[3], d)
            a[4] += float(d) * d
    return acc


def main() -> None:
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
    else:
        largest = largest_capture()
        if largest is None:
            sys.exit(f"no captures under {CAPTURES}; pass a .tracy file")
        path = largest
    t = time.perf_counter()
    ctx = open_capture(path)
    load = time.perf_counter() - t
    n = ctx.get_zone_count()
    print(
        f"{path.name}: {n:,} zones, {ctx.get_frame_count():,} frames; open + load + statistics {load:.2f} s, "
        f"{ctx.memory_bytes() / 2**20:.0f} MiB held"
    )

    db = ctx._db
    start = db.col("zones", "start")
    end = db.col("zones", "end")
    src = db.col("zones", "srcloc")
    k = min(n, NAIVE_ZONES)
    sl, sle, slk = start[:k].tolist(), end[:k].tolist(), src[:k].tolist()
    naive = best(lambda: naive_all_zone_stats(sl, sle, slk), runs=2) * (n / k)

    print("all-zone statistics (get_all_zone_stats)")
    row("naive Python loop (reference, scaled)", naive, n)
    row("get_all_zone_stats(), engine statistics", best(ctx.get_all_zone_stats, setup=db.clear), n, naive)
    nsrc = len(ctx._srclocs())

    def numpy_recompute() -> None:
        ZoneTree(db, "zones", start="start", end="end", owner="thread", nsrc=nsrc).computed_srcloc_stats()

    row("numpy from the raw columns (group + reduce)", best(numpy_recompute, runs=3), n, naive)
    row("zone_stats(): per name + self time + p50/p90/p99", best(ctx.zone_stats, runs=2, setup=db.clear), n)

    stats = ctx.get_all_zone_stats()
    name = max(stats, key=lambda s: stats[s].count)
    cnt = stats[name].count
    print(f"one name's durations ({name!r}, {cnt:,} zones)")
    names = ctx._srclocs().name

    def naive_durations() -> list[int]:
        return [
            e - s for s, e, q in zip(sl, sle, slk, strict=False) if q < len(names) and names[q] == name and e - s > 0
        ]

    naive_d = best(naive_durations, runs=2) * (n / k)
    row("naive Python filter (reference, scaled)", naive_d, n)
    row("get_zone_durations(name, ALL) -> list", best(lambda: ctx.get_zone_durations(name, 2**62), runs=3), n, naive_d)
    row("zone_durations(name) -> numpy", best(lambda: ctx.zone_durations(name)), n, naive_d)
    row("zone_percentiles(name)", best(lambda: ctx.zone_percentiles(name)), n)

    print(f"frame times ({ctx.get_frame_count():,} frames of the base set)")
    row("frame_percentiles() (cold)", best(ctx.frame_percentiles, setup=db.clear))
    row("frame_percentiles() (warm)", best(ctx.frame_percentiles))
    ft = ctx.get_frame_times()
    row("reference: np.percentile(get_frame_times())", best(lambda: np.percentile(ft, (50, 90, 99))))
    for fs in ctx.get_all_frame_stats():
        p = ctx.frame_percentiles(fs.name)
        print(f"    {fs.name}: p50 {p['p50'] / 1e6:.3f} ms, p90 {p['p90'] / 1e6:.3f} ms, p99 {p['p99'] / 1e6:.3f} ms")


if __name__ == "__main__":
    main()
