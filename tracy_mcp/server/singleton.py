"""One shared server per user: its PID and port files, the lock that serialises starts, and the liveness check.

Files live in the per-user runtime (or state) directory (settings.state_dir), never beside the source:
``server.pid`` (the PID), ``server.port`` (the port, then the host on a second line) and ``server.lock``.

A server counts as running only when its PID is alive AND it answers ``GET /ping`` with its own PID: a live PID
alone may be a hung server or an unrelated process that reused the number. Starting is done under an exclusive
file lock held until the new server answers, so any number of simultaneous starts end with exactly one server.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import filelock

from tracy_mcp.server.settings import PORT_SPAN

PING_PATH = "/ping"
SERVER_NAME = "tracy-mcp"

RUNNING, HUNG, STALE, ABSENT = "running", "hung", "stale", "absent"


@attrs.frozen
class ServerState:
    """What the PID/port files say and what the recorded process answers."""

    status: str  # RUNNING, HUNG (PID alive, no answer), STALE (PID dead), ABSENT (no files)
    pid: int | None = None
    port: int | None = None
    host: str = "127.0.0.1"
    info: dict[str, Any] | None = None  # the /ping answer when running

    @property
    def url(self) -> str | None:
        if self.info and self.info.get("url"):
            return str(self.info["url"])
        return None

    def describe(self) -> str:
        if self.status == RUNNING:
            return f"tracy-mcp server running: pid {self.pid}, {self.url or f'port {self.port}'}"
        if self.status == HUNG:
            return f"tracy-mcp server pid {self.pid} (port {self.port}) is alive but does not answer"
        if self.status == STALE:
            return f"tracy-mcp server pid {self.pid} is gone (stale PID file)"
        return "no tracy-mcp server is running"


class RuntimeFiles:
    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir)
        self.pid_file = self.dir / "server.pid"
        self.port_file = self.dir / "server.port"
        self.lock_file = self.dir / "server.lock"

    def ensure_dir(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    @contextlib.contextmanager
    def locked(self, timeout: float = 60.0) -> Iterator[None]:
        """Exclusive lock between server starts (and stop), released on exit or if the holder dies."""
        self.ensure_dir()
        with filelock.FileLock(str(self.lock_file), timeout=timeout):
            yield

    def read(self) -> tuple[int | None, int | None, str]:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None, None, "127.0.0.1"
        try:
            lines = self.port_file.read_text().split()
            port: int | None = int(lines[0])
            host = lines[1] if len(lines) > 1 else "127.0.0.1"
        except (OSError, ValueError, IndexError):
            port, host = None, "127.0.0.1"
        return pid, port, host

    def write(self, pid: int, port: int, host: str) -> None:
        self.ensure_dir()
        # Port first: a reader that sees the PID file sees a complete record.
        _atomic_write(self.port_file, f"{port}\n{host}\n")
        _atomic_write(self.pid_file, f"{pid}\n")

    def clear(self, pid: int) -> None:
        """Remove the files if they still describe `pid` (a successor's files are left alone)."""
        recorded, _, _ = self.read()
        if recorded != pid:
            return
        for path in (self.pid_file, self.port_file):
            with contextlib.suppress(OSError):
                path.unlink()

    def state(self, ping_timeout: float = 2.0) -> ServerState:
        pid, port, host = self.read()
        if pid is None:
            return ServerState(ABSENT)
        if not pid_alive(pid):
            return ServerState(STALE, pid, port, host)
        info = ping(host, port, ping_timeout) if port else None
        if info is not None and info.get("pid") == pid:
            return ServerState(RUNNING, pid, port, host, info)
        return ServerState(HUNG, pid, port, host)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A zombie (exited, not yet reaped by its parent) is not a server.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _connect_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def ping(host: str, port: int, timeout: float = 2.0) -> dict[str, Any] | None:
    """The server's /ping answer, or None when nothing (or not our server) answers in time."""
    target = _connect_host(host)
    netloc = f"[{target}]:{port}" if ":" in target else f"{target}:{port}"
    try:
        with urllib.request.urlopen(f"http://{netloc}{PING_PATH}", timeout=timeout) as resp:
            data = json.loads(resp.read(65536))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if not isinstance(data, dict) or data.get("server") != SERVER_NAME:
        return None
    return data


def bind_port(host: str, first: int, avoid: set[int] | None = None) -> socket.socket:
    """A listening TCP socket on the first free port of first..first+15 (skipping `avoid`), else any free port.

    Binding here (not probing then binding later) means no other process can take the port in between."""
    avoid = avoid or set()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [p for p in range(first, first + PORT_SPAN) if p not in avoid and p < 65536] + [0]
    last_error: OSError | None = None
    for port in candidates:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on connections accepted from a socket whose proto
        # says TCP, and without it a response written as headers + body waits for the client's delayed ACK (40 ms).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        if sys.platform != "win32":
            # Lets us rebind a port whose previous server left TIME_WAIT connections; never shares a live port.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            last_error = exc
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
                raise
            continue
        return sock
    raise OSError(f"no free port on {host}: {last_error}")


def wait_until_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)
