"""A real `tracy-mcp serve` process for the server benchmarks, isolated in a temporary home (its own per-user
directories and port, so it never meets a user's server), plus what the benchmarks read from it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a server whose per-user state lives in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACY_MCP_", "XDG_"))}
    for name in ("run", "state", "cache", "data", "config"):
        (home / name).mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        TRACY_MCP_PORT=str(_free_port()),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Server:
    """`tracy-mcp serve` (streamable HTTP); `url` once it printed that it serves, `pid` for its RSS."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracy_mcp", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = ""
        self._ready = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if " serving " in line and not self.url:
                self.url = line.split(" serving ", 1)[1].split()[0]
                self._ready.set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {self.proc.poll()})")
        return self.url

    def rss_mib(self) -> float:
        """Resident memory of the server process now."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@contextlib.contextmanager
def running_server(**env_extra: str) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="tracy-mcp-bench-") as home:
        server = Server(isolated_env(Path(home), **env_extra))
        try:
            server.wait_ready()
            yield server
        finally:
            server.stop()
