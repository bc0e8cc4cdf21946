"""One shared server per user: simultaneous starts, status, stop, and replacing a dead or hung holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import platformdirs
import pytest
from server_support import ServeProcess, cli, running_server, server_env

from tracy_mcp.server import singleton


def state_dir(env: dict[str, str]) -> Path:
    """Where a server with this env keeps its files: the per-user runtime dir (env's XDG_RUNTIME_DIR)."""
    return Path(env["XDG_RUNTIME_DIR"]) / "tracy-mcp"


def test_ten_simultaneous_starts_end_with_exactly_one_server(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    starts = [ServeProcess(env) for _ in range(10)]
    try:
        for s in starts:
            s.wait_ready(60)
        # The nine that found a server exit on their own; one keeps serving.
        deadline = time.monotonic() + 30
        while sum(s.proc.poll() is None for s in starts) > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [s for s in starts if s.proc.poll() is None]
        assert len(alive) == 1, [(s.proc.poll(), s.stdout_lines, s.stderr_lines[-3:]) for s in starts]
        assert all(s.proc.returncode == 0 for s in starts if s is not alive[0])
        winner = alive[0].proc.pid
        for s in starts:
            if s is not alive[0]:
                assert any(f"pid {winner}" in line and "already running" in line for line in s.stdout_lines)
        status = cli(env, "status")
        assert status.returncode == 0 and f"pid {winner}" in status.stdout
    finally:
        for s in starts:
            s.stop()


def test_status_and_stop(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    absent = cli(env, "status")
    assert absent.returncode == 3 and "no tracy-mcp server is running" in absent.stdout
    assert cli(env, "stop").returncode == 0
    server = ServeProcess(env, "--sse")
    files = singleton.RuntimeFiles(state_dir(env))
    try:
        url = server.wait_ready()
        pid, port, host = files.read()  # in the per-user runtime dir, never beside the source
        assert pid == server.proc.pid and host == "127.0.0.1" and port >= int(env["TRACY_MCP_PORT"])
        assert url == f"http://127.0.0.1:{port}/sse"
        status = cli(env, "status")
        assert status.returncode == 0 and "transport sse" in status.stdout and url in status.stdout
        other = cli(env, "serve", "--transport", "streamable-http")
        assert other.returncode == 1 and "uses sse, not streamable-http" in other.stderr
        stopped = cli(env, "stop")
        assert stopped.returncode == 0 and f"pid {server.proc.pid}" in stopped.stdout
        assert server.proc.wait(10) == 0
        assert cli(env, "status").returncode == 3
        assert not files.pid_file.exists() and not files.port_file.exists()  # removed on exit
    finally:
        server.stop()


def test_dead_holder_is_replaced(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    files = singleton.RuntimeFiles(state_dir(env))
    # A PID file left by a server that died without cleaning up (kill -9): a real exited process's PID.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    files.write(gone.pid, int(env["TRACY_MCP_PORT"]), "127.0.0.1")
    assert "is gone" in cli(env, "status").stdout
    with running_server(env) as server:
        assert any(f"pid {gone.pid}" in line and "gone" in line for line in server.stderr_lines)
        assert files.read()[0] == server.proc.pid


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP to freeze a server")
def test_hung_holder_is_reported_and_replaced_on_another_port(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    files = singleton.RuntimeFiles(state_dir(env))
    with running_server(env) as first:
        _, first_port, _ = files.read()
        os.kill(first.proc.pid, signal.SIGSTOP)  # alive, but answers nothing: a hung server
        try:
            status = cli(env, "status")
            assert status.returncode == 3 and "does not answer" in status.stdout
            refused = cli(env, "stop")
            assert refused.returncode == 1 and f"kill {first.proc.pid}" in refused.stderr
            with running_server(env) as second:
                assert any(
                    f"pid {first.proc.pid}" in line and "does not answer" in line for line in second.stderr_lines
                )
                pid, port, _ = files.read()
                assert pid == second.proc.pid and port != first_port
                assert cli(env, "status").returncode == 0
        finally:
            os.kill(first.proc.pid, signal.SIGCONT)
        # The old server exiting later must not remove its successor's files (none left here: both stopped).
    assert not files.pid_file.exists()


def test_platformdirs_default_without_runtime_dir(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    env.pop("XDG_RUNTIME_DIR")
    r = subprocess.run(
        [sys.executable, "-c", "from tracy_mcp.server.settings import Settings; print(Settings.from_env().state_dir)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(r.stdout.strip()) == Path(env["XDG_STATE_HOME"]) / "tracy-mcp"
    assert platformdirs  # the dirs come from platformdirs (runtime dir when the platform has one)
