"""Helpers for the server tests: a real `tracy-mcp` process in a private per-test home, and the SDK's client.

Every server gets its own HOME/XDG dirs and a free port, so tests never meet a real user's server or each other.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
from conftest import CAPTURES
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

TOOLS = {
    "list_captures",
    "list_instances",
    "discover_instances",
    "live_connect",
    "load_capture",
    "compare_captures",
    "unload_capture",
    "save_trace",
    "eval",
    "task",
    "analyze",
    "shutdown_server",
}
RESOURCES = {
    "tracy://prompt",
    "tracy://eval-guide",
    "tracy://sql-schema",
    "tracy://guide/methods",
    "tracy://guide/workflows",
}


def free_port() -> int:
    """A port with 15 free ports above it is not guaranteed; the server scans upward from here anyway."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a server isolated in `home`: its own per-user dirs, port, captures folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACY_MCP_", "XDG_"))}
    for name in ("run", "state", "cache", "data", "config"):
        (home / name).mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)  # platformdirs only trusts a private runtime dir
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        TRACY_MCP_PORT=str(free_port()),
        TRACY_MCP_BROADCAST_LISTEN_S="0.3",
        PYTHONUNBUFFERED="1",
    )
    if CAPTURES.is_dir():
        env["TRACY_CAPTURES_DIR"] = str(CAPTURES)
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracy_mcp", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


class ServeProcess:
    """`tracy-mcp serve` as a user runs it; `url` is what it printed once ready."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracy_mcp", "serve", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._ready = threading.Event()
        self.url: str | None = None
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines, False), daemon=True).start()

    def _pump(self, stream: Any, sink: list[str], is_stdout: bool) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))
            if is_stdout and " serving " in line:
                self.url = line.split(" serving ", 1)[1].split()[0]
                self._ready.set()
            if is_stdout and "already running" in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"server did not start: rc={self.proc.poll()}\nstdout: {self.stdout_lines}\n"
                    f"stderr: {self.stderr_lines[-30:]}"
                )
        return self.url or ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@contextlib.contextmanager
def running_server(env: dict[str, str], *args: str) -> Iterator[ServeProcess]:
    server = ServeProcess(env, *args)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def stdio_params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "tracy_mcp", "stdio"], env=env)


@contextlib.asynccontextmanager
async def connect(
    transport: str, target: str | dict[str, str], headers: dict[str, str] | None = None, mode: str = "auto"
) -> AsyncIterator[Client]:
    """The SDK's client on `transport`: `target` is the server URL (HTTP) or the server env (stdio). mode="legacy"
    makes it use the initialize handshake of today's assistants (Claude Desktop, VS Code, Cursor)."""
    async with contextlib.AsyncExitStack() as stack:
        if transport == "stdio":
            assert isinstance(target, dict)
            server: Any = stdio_params(target)
        elif transport == "sse":
            assert isinstance(target, str)
            server = sse_client(target, headers=headers)
        elif headers:
            assert isinstance(target, str)
            http = await stack.enter_async_context(create_mcp_http_client(headers=headers))
            server = streamable_http_client(target, http_client=http)
        else:
            server = target
        client = await stack.enter_async_context(Client(server, read_timeout_seconds=60, mode=mode))
        yield client


def run_client(
    target: str | dict[str, str],
    scenario: Callable[[Client], Awaitable[None]],
    *,
    transport: str = "stdio",
    mode: str = "auto",
    timeout: float = 120,
) -> None:
    """Run `scenario` with the SDK's client connected as `connect` does (a stdio server started with the env
    `target` by default), failing after `timeout` seconds."""

    async def main() -> None:
        async with connect(transport, target, mode=mode) as client:
            with anyio.fail_after(timeout):
                await scenario(client)

    anyio.run(main)


def text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def ok(client: Client, tool: str, **args: Any) -> Any:
    """Call a tool that must succeed; returns its structured result or text."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, f"{tool}({args}) failed: {text(result)}"
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if set(data) == {"result"} else data
    return text(result)


async def error(client: Client, tool: str, **args: Any) -> str:
    """Call a tool that must fail; returns its error text."""
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool}({args}) should have failed but returned {text(result)}"
    return text(result)


async def poll_task(client: Client, task_id: str, timeout: float) -> dict[str, Any]:
    """Poll a background task until it is neither pending nor running; returns its last report."""
    with anyio.fail_after(timeout):
        while True:
            report = await ok(client, "task", action="poll", task_id=task_id)
            if report["status"] not in ("pending", "running"):
                return report
            await anyio.sleep(0.05)
