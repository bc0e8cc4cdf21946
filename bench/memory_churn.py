"""Memory over time: a server that loads and unloads many captures must not keep what it freed (issue 16, goal 4).

A real `tracy-mcp serve` process is driven through the SDK's client over streamable HTTP: load a capture, run one
query on it, unload it, for every capture of ../shared/captures in turn, `--cycles` times in all. Its RSS is read
from /proc. The reference is the first round: the RSS with one capture loaded (the largest of the round, so
baseline + the biggest capture). Printed: baseline, the reference, the highest RSS of every later round and after
the last unload, and the ratio of the highest later RSS to the reference (goal: at most 1.5).

Usage: python bench/memory_churn.py [--cycles 1500] [CAPTURE.tracy ...]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from mcp import Client
from server_process import Server, running_server
from shared_data import CAPTURES

GOAL = 1.5
QUERY = "len(ctx.get_all_zone_stats()), ctx.get_zone_count()"


async def churn(server: Server, captures: list[Path], cycles: int) -> int:
    async with Client(server.url, mode="legacy") as client:

        async def call(tool: str, **args: object) -> dict[str, object]:
            result = await client.call_tool(tool, args)
            if result.is_error:
                raise RuntimeError(f"{tool} failed: {result.content}")
            data = result.structured_content or {}
            return data.get("result", data) if isinstance(data, dict) else {}  # type: ignore[return-value]

        await call("list_instances")
        baseline = server.rss_mib()
        print(f"server pid {server.pid}, baseline RSS {baseline:.0f} MiB (started, no capture loaded)")
        reference = 0.0
        later_peak = 0.0
        round_peak = 0.0
        t0 = time.monotonic()
        for i in range(cycles):
            path = captures[i % len(captures)]
            loaded = await call("load_capture", path=str(path))
            await call("eval", code=QUERY, instance_id=loaded["instance_id"])
            rss = server.rss_mib()
            await call("unload_capture", instance_id=loaded["instance_id"])
            round_peak = max(round_peak, rss)
            if i < len(captures):
                reference = max(reference, rss)
            else:
                later_peak = max(later_peak, rss)
            if (i + 1) % len(captures) == 0 or i + 1 == cycles:
                done = i + 1
                if done <= len(captures) or done % (len(captures) * 25) == 0 or done == cycles:
                    print(
                        f"  after {done:5d} loads: highest RSS with a capture loaded this round {round_peak:6.0f} MiB,"
                        f" after unloading {server.rss_mib():6.0f} MiB  ({time.monotonic() - t0:5.0f} s)",
                        flush=True,
                    )
                round_peak = 0.0
        end = server.rss_mib()
    print(f"reference (baseline + the largest capture loaded, first round): {reference:.0f} MiB")
    if later_peak:
        ratio = later_peak / reference
        verdict = "meets" if ratio <= GOAL else "MISSES"
        print(f"highest RSS over loads {len(captures) + 1}..{cycles}: {later_peak:.0f} MiB")
        print(f"RSS after the last unload: {end:.0f} MiB (baseline {baseline:.0f} MiB)")
        print(f"ratio highest / reference: {ratio:.2f}  (goal <= {GOAL}: {verdict})")
        return 0 if ratio <= GOAL else 1
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("captures", nargs="*", type=Path)
    ap.add_argument("--cycles", type=int, default=1500)
    args = ap.parse_args()
    captures = args.captures or sorted(CAPTURES.glob("*.tracy"))
    if not captures:
        print(f"no captures in {CAPTURES}; pass capture paths", file=sys.stderr)
        return 2
    names = ", ".join(p.name for p in captures)
    print(f"{args.cycles} load / query / unload cycles over {len(captures)} captures: {names}")
    with running_server() as server:
        return asyncio.run(churn(server, captures, args.cycles))


if __name__ == "__main__":
    raise SystemExit(main())
