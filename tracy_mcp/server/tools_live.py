"""Tools for running programs: discover_instances (port scan, UDP broadcasts) and live_connect."""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tracy_mcp import live
from tracy_mcp.live import broadcast
from tracy_mcp.server.core import Core
from tracy_mcp.server.instances import Instance, InstanceBusyError
from tracy_mcp.server.schemas import Connected, Discovery, hints


def _parse_port_range(port_range: str) -> range:
    try:
        first, _, last = port_range.partition("-")
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise ToolError(f"port_range {port_range!r} is not like '8086-8095'") from None
    if not (0 < lo <= hi < 65536) or hi - lo > 1024:
        raise ToolError(f"port_range {port_range!r} must be within 1-65535 and span at most 1024 ports")
    return range(lo, hi + 1)


def register(mcp: MCPServer, core: Core) -> None:
    """Live tools."""
    settings = core.settings

    @mcp.tool(annotations=hints(read_only=True, open_world=True))
    async def discover_instances(
        port_range: Annotated[str, Field(description='Ports to probe, "first-last".')] = "8086-8095",
        host: Annotated[str, Field(description="Host to probe.")] = "127.0.0.1",
        listen_seconds: Annotated[
            float, Field(ge=0, le=10, description="Listen for broadcasts this long (3.5 hears all).")
        ] = 0.0,
    ) -> Discovery:
        """Find running Tracy-instrumented programs for live_connect: open ports; with listen_seconds also their
        broadcasts (name, pid, version)."""
        ports = _parse_port_range(port_range)

        async def probe(port: int) -> int | None:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=0.3)
            except (OSError, asyncio.TimeoutError):
                return None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
            return port

        async def hear() -> list[broadcast.Broadcast]:
            if listen_seconds <= 0:
                return []
            return await anyio.to_thread.run_sync(broadcast.listen, min(listen_seconds, 10.0))

        heard, *probed = await asyncio.gather(hear(), *(probe(p) for p in ports), return_exceptions=True)
        open_ports = [r for r in probed if isinstance(r, int)]
        out: Discovery = {"host": host, "listening_ports": open_ports}
        if isinstance(heard, BaseException):
            out["broadcasts_error"] = f"cannot listen on UDP {broadcast.BROADCAST_PORT}: {heard}"
        elif isinstance(heard, list) and listen_seconds > 0:
            out["broadcasts"] = [b.describe() for b in heard]
        if open_ports:
            out["next"] = "live_connect(address=host, port=<port>) attaches to one"
        return out

    @mcp.tool(annotations=hints(open_world=True))
    async def live_connect(
        address: Annotated[str, Field(description="Program host.")] = "127.0.0.1",
        port: Annotated[int, Field(ge=1, le=65535, description="Its Tracy port.")] = 8086,
        alias: Annotated[str | None, Field(description="Optional name usable as instance_id.")] = None,
        memory_limit_mb: Annotated[int | None, Field(ge=1, description="Memory cap (default 8192).")] = None,
    ) -> Connected:
        """Attach to a running program (Tracy 0.14/0.13 client): an instance_id whose data grows as it runs."""
        limit_mb = memory_limit_mb or settings.live_memory_limit_mb
        if limit_mb <= 0:
            raise ToolError("memory_limit_mb must be positive")
        heard, listen_error = await _preflight(address, port, settings.broadcast_listen_s)
        target = next((b for b in heard if broadcast.matches(b, address, port)), None)
        others = [b.describe() for b in heard if b is not target]
        if target is not None and not target.supported:
            raise ToolError(target.mismatch_message())
        try:
            capture = await anyio.to_thread.run_sync(
                functools.partial(
                    live.connect, address, port, limit_mb * 2**20, protocol=target.protocol if target else 0
                )
            )
        except live.LiveUnavailableError as exc:
            raise ToolError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - every handshake failure is reported, with likely causes
            raise ToolError(_handshake_failure(address, port, exc, target, others, listen_error)) from None
        inst_id = alias or core.registry.new_id(target.program if target else f"live-{address}-{port}")
        inst = Instance(id=inst_id, capture=capture, live=True, address=address, port=port)
        try:
            evicted = core.registry.add(inst)
        except InstanceBusyError as exc:
            capture.disconnect()
            raise ToolError(str(exc)) from None
        out: Connected = {
            "instance_id": inst.id,
            "address": f"{address}:{port}",
            "memory_limit_mb": limit_mb,
            "program": target.describe() if target else None,
        }
        if target is None:
            out["note"] = (
                "no broadcast was heard from this client (on-demand mode, another broadcast port, or a "
                "firewall); connected anyway"
            )
        if evicted:
            out["evicted"] = evicted
        return out


async def _preflight(address: str, port: int, seconds: float) -> tuple[list[broadcast.Broadcast], str | None]:
    """Listen for broadcasts, stopping early once the target has announced itself."""
    if seconds <= 0:
        return [], None

    def run() -> list[broadcast.Broadcast]:
        return broadcast.listen(seconds, until=lambda b: broadcast.matches(b, address, port))

    try:
        return await anyio.to_thread.run_sync(run), None
    except OSError as exc:
        return [], f"could not listen on UDP {broadcast.BROADCAST_PORT}: {exc}"


def _handshake_failure(
    address: str,
    port: int,
    exc: BaseException,
    target: broadcast.Broadcast | None,
    others: list[dict[str, Any]],
    listen_error: str | None,
) -> str:
    text = str(exc)
    lines = [f"could not attach to the Tracy client at {address}:{port}: {text}"]
    refused = "refused" in text.lower() or isinstance(exc, ConnectionRefusedError)
    mismatch = type(exc).__name__ == "ProtocolMismatchError" or "protocol" in text.lower()
    if refused:
        causes = [
            "nothing listens on that port: is the program running, and on which port? (discover_instances "
            "scans ports; each further Tracy client on a machine takes the next port from 8086)"
        ]
    elif mismatch:
        causes = ["the program's Tracy version is not one this server speaks (Tracy 0.14.x and 0.13.x clients)"]
    else:
        causes = [
            "another profiler (Tracy's GUI or tracy-capture) is already attached: a client serves one at a time",
            "the program was built with TRACY_ON_DEMAND and is busy with another profiler",
            "the program is exiting, or a firewall drops the connection",
        ]
    lines.append("likely cause" + ("s: " if len(causes) > 1 else ": ") + "; ".join(causes))
    if target is not None:
        lines.append(f"its broadcast: {_brief(target.describe())}")
    if listen_error:
        lines.append(listen_error)
    if others:
        lines.append("other Tracy clients heard: " + "; ".join(_brief(o) for o in others))
    return "\n".join(lines)


def _brief(b: dict[str, Any]) -> str:
    pid = f" pid {b['pid']}" if b.get("pid") else ""
    return f"'{b['program']}'{pid} at {b['address']}:{b['port']}, {b['tracy']}"
