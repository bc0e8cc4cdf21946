"""Cost of tool-call tracking per recorded call, in microseconds.

Three figures, all measured in this run:

- call path: what a tool call itself waits for (start and finish records, queued for the writer);
- recorder: the call path plus the writer thread's formatting and writing, until everything is on disk (all the
  CPU a recorded call costs, the figure to keep under 50 µs);
- end to end: real MCP calls through the SDK's in-memory client to a real server, tracked vs untracked in
  alternating rounds, best round of each (the tracked time includes waiting for the writer to flush).

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


async def run_calls(server: MCPServer, calls: int) -> float:
    """Seconds for ``calls`` sequential tool calls over one in-memory client session."""
    async with Client(server, mode="legacy") as client:
        await client.call_tool("query", {"instance_id": 1, "code": "warm-up"})
        start = time.perf_counter()
        for i in range(calls):
            await client.call_tool("query", {"instance_id": 1, "code": f"ctx.zones().head({i})"})
        return time.perf_counter() - start


def end_to_end(calls: int, rounds: int, directory: Path) -> tuple[float, float]:
    plain = make_server()
    tracked = make_server()
    tracker = install_tracking(tracked, Tracker(TrackingSettings(directory=directory)))
    base: list[float] = []
    with_tracking: list[float] = []
    anyio.run(run_calls, plain, calls // 4)  # warm both paths up
    anyio.run(run_calls, tracked, calls // 4)
    for _ in range(rounds):
        base.append(anyio.run(run_calls, plain, calls) / calls)
        elapsed = anyio.run(run_calls, tracked, calls)
        flush_start = time.perf_counter()
        tracker.flush(timeout=120)
        elapsed += time.perf_counter() - flush_start
        with_tracking.append(elapsed / calls)
    tracker.close()
    return min(base), min(with_tracking)


def recorder(calls: int, rounds: int, directory: Path) -> tuple[float, float]:
    """(call path, call path + writer) seconds per call, best of ``rounds``."""
    tracker = Tracker(TrackingSettings(directory=directory)).start()
    session = tracker.open_session("bench-recorder")
    result = {"content": [{"type": "text", "text": "row\n" * 40}], "isError": False}
    path: list[float] = []
    total: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(calls):
            call = tracker.begin_call(session, "query", {"instance_id": 1, "code": f"ctx.zones().head({i})"})
            tracker.finish_call(call, "success", result)
        path.append(time.perf_counter() - start)
        tracker.flush(timeout=120)
        total.append(time.perf_counter() - start)
    tracker.close()
    return min(path) / calls, min(total) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracy-mcp-bench-") as tmp:
        base, tracked = end_to_end(args.calls, args.rounds, Path(tmp) / "e2e")
        path, total = recorder(args.calls * 4, args.rounds, Path(tmp) / "recorder")
    print(f"call path per call:                     {path * 1e6:7.1f} µs")
    print(f"recorded call, written to disk:         {total * 1e6:7.1f} µs  (aim: < 50 µs)")
    print(f"MCP call untracked / tracked:           {base * 1e6:7.1f} / {tracked * 1e6:.1f} µs", end="")
    print(f"  (ratio {tracked / base:.3f}, +{(tracked - base) * 1e6:.1f} µs)")


if __name__ == "__main__":
    main()
