"""The MCP server app: `build_mcp` assembles the tool groups (tools_*.py), the texts (guides.py) and tracking on
an MCPServer; `serve_http` / `serve_stdio` run it. The singleton rules (one shared HTTP server per user) are applied
by the CLI through singleton.py before `serve_http` is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import logging.handlers
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tracy_mcp import tracking
from tracy_mcp._version import __version__
from tracy_mcp.server import guides, render, tools_analysis, tools_captures, tools_eval, tools_live, tools_save
from tracy_mcp.server.core import Core, log
from tracy_mcp.server.http_security import RequestGuard, allowed_hosts, allowed_origins
from tracy_mcp.server.memory import tune_allocator
from tracy_mcp.server.safe_text import SafeTextMiddleware, make_tools_safe
from tracy_mcp.server.schemas import compact_schemas, hints
from tracy_mcp.server.settings import Settings
from tracy_mcp.server.singleton import PING_PATH, SERVER_NAME


def build_mcp(core: Core) -> MCPServer:
    settings = core.settings
    mcp: MCPServer = MCPServer(
        "tracy-mcp",
        version=__version__,
        instructions=guides.INSTRUCTIONS,
        log_level=settings.log_level,  # type: ignore[arg-type]
    )
    guides.register(mcp, core)
    tools_captures.register(mcp, core)
    tools_live.register(mcp, core)
    tools_save.register(mcp, core)
    tools_eval.register(mcp, core)
    tools_analysis.register(mcp, core)

    @mcp.tool(annotations=hints(destructive=True, idempotent=True), structured_output=False)
    async def shutdown_server() -> str:
        """Stop this server for every client sharing it. Only when asked to."""
        asyncio.get_running_loop().call_later(0.3, core.request_shutdown)
        return f"tracy-mcp server (pid {os.getpid()}) is shutting down"

    @mcp.custom_route(PING_PATH, methods=["GET"])
    async def ping_route(_request: Request) -> Response:
        return JSONResponse(
            {
                "server": SERVER_NAME,
                "pid": os.getpid(),
                "version": __version__,
                "transport": core.transport,
                "url": core.url,
                "uptime_s": round(time.time() - core.started, 1),
            }
        )

    compact_schemas(mcp)
    render.configure()
    # What leaves the server is always valid UTF-8 (tool results before conversion, then every result); the
    # middleware sits outside tracking, which records the raw result.
    make_tools_safe(mcp)
    mcp.middleware.append(SafeTextMiddleware())
    _install_tracking(mcp, core)
    return mcp


def _install_tracking(mcp: MCPServer, core: Core) -> None:
    """The one place tool-call tracking (issue 6) is wired in: a markdown log of every tool call."""
    try:
        core.tracker = tracking.install_tracking(mcp)
    except Exception:  # noqa: BLE001 - tracking must never keep the server from starting
        log.exception("tool-call tracking could not be installed")


# ---------------------------------------------------------------------------------------------------------------
# Process setup and transports
# ---------------------------------------------------------------------------------------------------------------

_crash_file: Any = None


def setup_logging(settings: Settings, to_stderr: bool = True) -> Path:
    """Server log (rotated) and crash log (faulthandler: tracebacks of every thread on a fatal error)."""
    global _crash_file
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_file = settings.log_dir / "server.log"
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    fmt = logging.Formatter(f"%(asctime)s [{os.getpid()}] %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    file_handler.setFormatter(fmt)
    root.addHandler(file_handler)
    if to_stderr:
        err = logging.StreamHandler(sys.__stderr__)
        err.setFormatter(fmt)
        root.addHandler(err)
    # The SDK's per-request lines are noise at INFO.
    for noisy in (
        "mcp.server.lowlevel.server",
        "mcp.server.streamable_http",
        "mcp.server.sse",
        "uvicorn.access",
        "httpx",
        "httpx2",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _crash_file = open(settings.log_dir / "crash.log", "a", encoding="utf-8")  # noqa: SIM115 - lives as long as us
    faulthandler.enable(file=_crash_file, all_threads=True)
    if hasattr(signal, "SIGUSR1"):
        # `kill -USR1 <pid>` writes every thread's stack to crash.log: the way to see where a hung server hangs.
        faulthandler.register(signal.SIGUSR1, file=_crash_file, all_threads=True)
    return log_file


def build_http_app(core: Core, mcp: MCPServer, port: int) -> Any:
    settings = core.settings
    hosts = allowed_hosts(settings.host, port, settings.allowed_hosts)
    origins = allowed_origins(hosts, settings.allowed_origins)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )
    if settings.transport == "sse":
        app = mcp.sse_app(sse_path=settings.path, transport_security=security, host=settings.host)
    else:
        app = mcp.streamable_http_app(
            streamable_http_path=settings.path, transport_security=security, host=settings.host
        )
    return RequestGuard(app, hosts, origins, settings.token, open_paths=[PING_PATH])


async def serve_http(settings: Settings, sock: socket.socket, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve MCP over HTTP on the already-bound `sock` until shutdown_server, SIGINT or SIGTERM."""
    import uvicorn

    port = sock.getsockname()[1]
    tune_allocator()
    core = Core(settings)
    core.transport = settings.transport
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    core.url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{port}{settings.path}"
    mcp = build_mcp(core)
    app = build_http_app(core, mcp, port)
    config = uvicorn.Config(
        app,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=2,
        access_log=False,
        log_level=settings.log_level.lower(),
    )

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown, killing the process before our cleanup
        (PID files, tracker) runs; here the signal only starts the graceful shutdown and we return normally."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    server = Server(config)

    def shutdown() -> None:
        server.should_exit = True

    core.request_shutdown = shutdown

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await anyio.sleep(0.02)
        log.info("tracy-mcp %s serving %s (pid %d)", __version__, core.url, os.getpid())
        if on_ready is not None:
            on_ready(core.url or "")

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(core.sweep_loop)
            tg.start_soon(announce)
            await server.serve(sockets=[sock])
            tg.cancel_scope.cancel()
    finally:
        core.close()
        log.info("tracy-mcp server (pid %d) stopped", os.getpid())


async def serve_stdio(settings: Settings) -> None:
    """Serve one client over stdin/stdout until it closes the pipe or calls shutdown_server."""
    tune_allocator()
    core = Core(settings)
    core.transport = "stdio"
    mcp = build_mcp(core)
    try:
        async with anyio.create_task_group() as tg:
            core.request_shutdown = tg.cancel_scope.cancel
            tg.start_soon(core.sweep_loop)
            await mcp.run_stdio_async()
            tg.cancel_scope.cancel()
    finally:
        core.close()
