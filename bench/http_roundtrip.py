"""Round-trip latency of a trivial `eval` over every transport, and HTTP under concurrent clients (issue 16, goal 3).

A real `tracy-mcp serve` process (streamable HTTP) and a real `tracy-mcp stdio` process, each with one capture
loaded, are called with `eval("ctx.get_zone_count()")`:

- stdio, with the SDK's `mcp.Client`;
- HTTP, with the SDK's high-level `mcp.Client` (its default connect mode: the modern protocol when offered);
- HTTP, with the lower-level `ClientSession` over `streamable_http_client` (the initialize handshake);

one client at a time (`--calls` each, after a warm-up), then `--clients` concurrent `mcp.Client`s over HTTP with
`--calls-each` calls each. Printed: p50 / p99 per transport side by side, and for the concurrent run p50 / p99,
throughput and the number of errors. Goal: p50 under 5 ms for every client, no errors under concurrency. For the
HTTP clients it also prints the CPU time per call of the client (this process) and of the server (from /proc):
their sum close to the wall time means the round trip is Python work on both ends, not waiting.

Not named http.py: a module of that name in bench/ would shadow the standard library's http package for every
benchmark run from there.

Usage: python bench/http_roundtrip.py [--calls 300] [--clients 8] [--calls-each 1000] [CAPTURE.tracy]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from server_process import isolated_env, running_server
from shared_data import CAPTURES

GOAL_MS = 5.0
CODE = "ctx.get_zone_count()"
WARMUP = 20

Call = Callable[[], Awaitable[Any]]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1e3


async def timed(call: Call, n: int) -> list[float]:
    for _ in range(WARMUP):
        await call()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        result = await call()
        out.append(time.perf_counter() - t)
        if result.is_error:
            raise RuntimeError(f"eval failed: {result.content}")
    return out


async def load(call_tool: Callable[[str, dict[str, Any]], Awaitable[Any]], capture: Path) -> str:
    result = await call_tool("load_capture", {"path": str(capture)})
    if result.is_error:
        raise RuntimeError(f"load_capture failed: {result.content}")
    return str(result.structured_content["instance_id"])


async def measure_stdio(capture: Path, n: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="tracy-mcp-bench-") as home:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "tracy_mcp", "stdio"],
            env=isolated_env(Path(home), TRACY_MCP_LOG_LEVEL="WARNING"),
        )
        async with Client(params) as client:
            iid = await load(client.call_tool, capture)
            return await timed(lambda: client.call_tool("eval", {"code": CODE, "instance_id": iid}), n)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cpu_split(call: Call, n: int, pid: int) -> tuple[list[float], float, float]:
    """timed(), plus the CPU ms per call of this process and of the server."""
    server0, client0 = process_cpu(pid), time.process_time()
    samples = await timed(call, n)
    server1, client1 = process_cpu(pid), time.process_time()
    return samples, (client1 - client0) / (n + WARMUP) * 1e3, (server1 - server0) / (n + WARMUP) * 1e3


async def measure_client(url: str, iid: str, n: int, pid: int) -> tuple[list[float], float, float]:
    async with Client(url) as client:
        return await cpu_split(lambda: client.call_tool("eval", {"code": CODE, "instance_id": iid}), n, pid)


async def measure_session(url: str, iid: str, n: int, pid: int) -> tuple[list[float], float, float]:
    async with streamable_http_client(url) as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await cpu_split(lambda: session.call_tool("eval", {"code": CODE, "instance_id": iid}), n, pid)


async def concurrent(url: str, iid: str, clients: int, each: int) -> tuple[list[float], int, float]:
    samples: list[float] = []
    errors = 0

    async def one() -> None:
        nonlocal errors
        async with Client(url) as client:
            for _ in range(each):
                t = time.perf_counter()
                try:
                    result = await client.call_tool("eval", {"code": CODE, "instance_id": iid})
                    if result.is_error:
                        errors += 1
                except Exception:  # noqa: BLE001 - counted, the run goes on
                    errors += 1
                samples.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return samples, errors, time.perf_counter() - t0


def row(name: str, samples: list[float]) -> str:
    p50 = pct(samples, 50)
    verdict = "meets" if p50 < GOAL_MS else "MISSES"
    return f"{name:<44} {p50:8.2f} {pct(samples, 99):8.2f} {statistics.mean(samples) * 1e3:8.2f}   {verdict}"


async def run(args: argparse.Namespace, capture: Path) -> int:
    print(f"capture: {capture.name}; eval({CODE!r}); {args.calls} sequential calls per client after {WARMUP} warm-up")
    results: dict[str, list[float]] = {"stdio, mcp.Client": await measure_stdio(capture, args.calls)}
    cpu: dict[str, tuple[float, float]] = {}
    with running_server() as server:
        async with Client(server.url) as loader:
            iid = await load(loader.call_tool, capture)
            for name, measure in (
                ("HTTP, mcp.Client", measure_client),
                ("HTTP, ClientSession + streamable_http_client", measure_session),
            ):
                results[name], client_ms, server_ms = await measure(server.url, iid, args.calls, server.pid)
                cpu[name] = client_ms, server_ms
            samples, errors, wall = await concurrent(server.url, iid, args.clients, args.calls_each)
    print(f"{'transport / client':<44} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}   goal p50 < {GOAL_MS:g} ms")
    for name, s in results.items():
        print(row(name, s))
    for name, (client_ms, server_ms) in cpu.items():
        print(f"{name}: CPU per call {client_ms:.2f} ms in the client, {server_ms:.2f} ms in the server")
    total = args.clients * args.calls_each
    print(
        f"{args.clients} concurrent mcp.Clients over HTTP x {args.calls_each} calls: p50 {pct(samples, 50):.2f} ms,"
        f" p99 {pct(samples, 99):.2f} ms, {total / wall:.0f} calls/s, errors {errors} of {total}"
    )
    ok = errors == 0 and all(pct(s, 50) < GOAL_MS for s in results.values())
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture", nargs="?", type=Path)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--calls-each", type=int, default=1000)
    args = ap.parse_args()
    capture = args.capture or CAPTURES / "clientapp-0.14.0.tracy"
    if not capture.is_file():
        print(f"no capture {capture}; pass one", file=sys.stderr)
        return 2
    return asyncio.run(run(args, capture))


if __name__ == "__main__":
    raise SystemExit(main())
