"""Table accessors at memory speed: ctx.zones() and the other tables against the previous implementation (which
built every name and text as a Python object per row), measured in the same process on the same capture.

    .venv/bin/python bench/tables.py [CAPTURE ...]     (default: tracypy-0.13.1, 5.4 M zones)

For each capture it prints the previous zones() (every call), the new zones() cold (first call: derived arrays
built and cached) and warm (later calls: the DataFrame over zero-copy columns), the ratio old / new, and the warm
time scaled linearly to 20 M zones (the goal: under 100 ms). Then the warm time of every other table. Best of
`RUNS`; numbers vary with machine load, the ratio much less.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shared_data import CAPTURES

from tracy_mcp import Capture, open_capture

RUNS = 5
GOAL_ZONES = 20_000_000
TABLES = (
    "threads",
    "gpu_zones",
    "frames",
    "messages",
    "plots",
    "plot_points",
    "memory_events",
    "samples",
    "context_switches",
    "lock_events",
)


def best(fn: Callable[[], Any], runs: int = RUNS, setup: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def previous_zones(ctx: Capture) -> pd.DataFrame:
    """zones() as it was before the table vocabulary: a Python str object per row for name and text, OS tids
    gathered per row, the DataFrame consolidated from a dict."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = np.arange(t.n)
    cols: dict[str, Any] = {
        "row": rows.astype(np.int64),
        "start": t.start[rows],
        "end": t.end[rows],
        "duration": t.dur[rows],
        "self_time": ctx.self_time_array()[rows],
        "depth": t.depth[rows],
        "parent": t.parent[rows],
        "thread": ctx._tid_of_rows(t.owner[rows]),
        "srcloc": sl.ids[t.srcloc[rows]],
    }
    names = np.asarray([*sl.name, ""], dtype=object)
    cols["name"] = names[t.srcloc[rows]]
    db = ctx._db
    if db.has("zones", "extra") and db.has("zone_extras", "text"):
        ex = db.col("zones", "extra")[rows]
        sids = db.col("zone_extras", "text")[ex].astype(np.int64)
        sids[ex == 0] = -1
    else:
        sids = np.full(len(rows), -1, np.int64)
    uniq, inv = np.unique(sids, return_inverse=True)
    strs = np.asarray([ctx._strings.get(s) if s >= 0 else "" for s in uniq.tolist()], dtype=object)
    cols["text"] = strs[inv]
    return pd.DataFrame(cols)


def measure(path: Path) -> None:
    with open_capture(path) as ctx:
        n = ctx.get_zone_count()
        ctx.self_time_array()  # both implementations share the cached durations and self times
        old = best(lambda: previous_zones(ctx), runs=2)

        def forget() -> None:
            ctx._db._cache.pop((ctx._db.generation, "zone_derived"), None)

        cold = best(ctx.zones, runs=2, setup=forget)
        warm = best(ctx.zones)
        print(
            f"{path.name}: {n:,} zones | previous zones() {old * 1e3:8.1f} ms | new cold {cold * 1e3:7.1f} ms | "
            f"new warm {warm * 1e3:6.2f} ms | previous/new warm {old / warm:8.0f}x, /cold {old / cold:5.1f}x | "
            f"warm at 20 M zones ~{warm * GOAL_ZONES / max(n, 1) * 1e3:.1f} ms (goal < 100 ms)"
        )
        thread = int(ctx.threads()["zone_count"].idxmax())
        top = str(ctx.zone_stats()["name"].iloc[0])
        for label, fn in (
            ("zones(thread=busiest)", lambda: ctx.zones(thread=thread)),
            ("zones(name=top name)", lambda: ctx.zones(name=top)),
        ):
            print(f"    {label:<24} {best(fn) * 1e3:8.2f} ms")
        for table in TABLES:
            fn = getattr(ctx, table)
            rows = len(fn())
            print(f"    {table + '()':<24} {best(fn) * 1e3:8.2f} ms  {rows:>10,} rows")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [CAPTURES / "tracypy-0.13.1.tracy"]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"captures not found: {', '.join(map(str, missing))} (set TRACY_MCP_SHARED)", file=sys.stderr)
        return 1
    for p in paths:
        measure(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
