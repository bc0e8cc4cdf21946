"""Benchmark of the answer-shaped analyses (issue 12) on the two largest shared captures.

    python bench/analyses.py [capture.tracy ...]

For each capture and analysis it prints the time of the first call on a freshly opened capture ("cold": every cache
empty, including the shared ones such as self time, which the first analysis pays for) and the best of a few later
calls ("warm"), against the goal: wall time, and the process's CPU time beside it (the analyses run on one thread,
so CPU time is what they cost; on a shared, busy machine wall time stretches). A reference measured in the same run
(one numpy pass summing the zones' durations) shows how fast the machine is right now.
Goals: each analysis under 300 ms on ~5 M zones; call_tree and summary under 1 s; compare of two 4 M-zone captures
(medium with itself) under 1.5 s.

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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
