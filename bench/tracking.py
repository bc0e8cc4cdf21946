"""Cost of tool-call tracking per recorded call, in microseconds.

Three figures, all measured in this run, each as CPU time of the whole process (every thread, so the writer
thread's work counts) and as wall-clock time; CPU time is the stable one on a busy machine:

- call path: what a tool call itself spends (its start line and its entry formatted and written to the log,
  the outcome queued for the writer thread's statistics);
- recorder: the call path plus the writer thread's counting and statistics files, until everything is on disk
  (all a recorded call costs, the figure to keep under 50 µs);
- end to end: real MCP calls through the SDK's in-memory client to a real server, tracked vs untracked in
  alternating rounds, best round of each (the tracked figure includes waiting for the writer to flush).

Usage: python bench/tracking.py [--calls 1000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer

from tracy_mcp.tracking import Tracker, TrackingSettings, install_tracking


def make_server() -> MCPServer:
    server = MCPServer("bench")

    @server.tool()
    async def query(instance_id: int, code: str) -> str:
        return f"instance {instance_id}: " + "row\n" * 40

    return server


Cost = tuple[float, float]  # (CPU seconds, wall seconds)


def clocks() -> Cost:
    return time.process_time(), time.perf_counter()


def since(start: Cost, per: int) -> Cost:
    cpu, wall = clocks()
    return (cpu - start[0]) / per, (wall - start[1]) / per


def best(costs: list[Cost]) -> Cost:
    return min(c[0] for c in costs), min(c[1] for c in costs)


async def run_calls(server: MCPServer, calls: int, tracker: Tracker | None = None) -> Cost:
    """Cost per call of ``calls`` sequential tool calls over one in-memory client session."""
    async with Client(server, mode="legacy") as client:
        await client.call_tool("query", {"instance_id": 1, "code": "warm-up"})
        if tracker is not None:
            tracker.flush(timeout=120)
        start = clocks()
        for i in range(calls):
            await client.call_tool("query", {"instance_id": 1, "code": f"ctx.zones().head({i})"})
        if tracker is not None:
            tracker.flush(timeout=120)
        return since(start, calls)


def end_to_end(calls: int, rounds: int, directory: Path) -> tuple[Cost, Cost]:
    plain = make_server()
    tracked = make_server()
    tracker = install_tracking(tracked, Tracker(TrackingSettings(directory=directory)))
    base: list[Cost] = []
    with_tracking: list[Cost] = []
    anyio.run(run_calls, plain, calls // 4)  # warm both paths up
    anyio.run(run_calls, tracked, calls // 4, tracker)
    for _ in range(rounds):
        base.append(anyio.run(run_calls, plain, calls))
        with_tracking.append(anyio.run(run_calls, tracked, calls, tracker))
    tracker.close()
    return best(base), best(with_tracking)


def recorder(calls: int, rounds: int, directory: Path) -> tuple[Cost, Cost]:
    """(call path, call path + writer) cost per call, best of ``rounds``."""
    tracker = Tracker(TrackingSettings(directory=directory)).start()
    session = tracker.open_session("bench-recorder")
    result = {"content": [{"type": "text", "text": "row\n" * 40}], "isError": False}
    path: list[Cost] = []
    total: list[Cost] = []
    for _ in range(rounds):
        start = clocks()
        for i in range(calls):
            call = tracker.begin_call(session, "query", {"instance_id": 1, "code": f"ctx.zones().head({i})"})
            tracker.finish_call(call, "success", result)
        path.append(since(start, calls))
        tracker.flush(timeout=120)
        total.append(since(start, calls))
    tracker.close()
    return best(path), best(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracy-mcp-bench-") as tmp:
        base, tracked = end_to_end(args.calls, args.rounds, Path(tmp) / "e2e")
        path, total = recorder(args.calls * 4, args.rounds, Path(tmp) / "recorder")
    print("per call                                CPU µs    wall µs")
    print(f"call path                             {path[0] * 1e6:8.1f}   {path[1] * 1e6:8.1f}")
    print(f"recorded call, written to disk        {total[0] * 1e6:8.1f}   {total[1] * 1e6:8.1f}   (aim: < 50 µs)")
    print(f"MCP call, untracked                   {base[0] * 1e6:8.1f}   {base[1] * 1e6:8.1f}")
    print(f"MCP call, tracked                     {tracked[0] * 1e6:8.1f}   {tracked[1] * 1e6:8.1f}")
    cpu_cost, wall_cost = (tracked[0] - base[0]) * 1e6, (tracked[1] - base[1]) * 1e6
    print(f"tracking cost in an MCP call          {cpu_cost:8.1f}   {wall_cost:8.1f}", end="")
    print(f"   (ratio {tracked[0] / base[0]:.3f} CPU, {tracked[1] / base[1]:.3f} wall)")


if __name__ == "__main__":
    main()
