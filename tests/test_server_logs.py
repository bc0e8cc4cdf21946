"""The server's log: a heartbeat line per sweep, and a crash log with every thread's stack on a fatal error."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from server_support import CAPTURES, connect, running_server, server_env, text


def log_dir(env: dict[str, str]) -> Path:
    """platformdirs' per-user log dir under the env's XDG_STATE_HOME."""
    return Path(env["XDG_STATE_HOME"]) / "tracy-mcp" / "log"


def test_heartbeat_lines_in_the_server_log(tmp_path: Path) -> None:
    env = server_env(tmp_path, TRACY_MCP_SWEEP_INTERVAL_S="0.3")
    with running_server(env):
        log = log_dir(env) / "server.log"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if log.is_file() and log.read_text().count("heartbeat:") >= 2:
                break
            time.sleep(0.1)
        text = log.read_text()
        assert text.count("heartbeat:") >= 2 and "0 instance(s), 0 running task(s), rss " in text


def test_fatal_error_leaves_a_crash_log(tmp_path: Path) -> None:
    capture = CAPTURES / "clientapp-0.14.0.tracy"
    if not capture.is_file():
        pytest.skip(f"reference capture not found at {capture} (eval needs a loaded capture)")
    env = server_env(tmp_path)

    loaded: list[bool] = []

    async def scenario() -> None:
        async with connect("stdio", env) as client:
            result = await client.call_tool("load_capture", {"path": str(capture)})
            assert not result.is_error, text(result)
            loaded.append(True)
            # A real fatal error: native code reading address 0 kills the process.
            with anyio.fail_after(30):
                await client.call_tool("eval", {"code": "import ctypes\nctypes.string_at(0)"})

    with pytest.raises(BaseException, match="Connection closed|unhandled errors"):  # noqa: B017 - the server is gone
        anyio.run(scenario)
    assert loaded, "the capture did not load"
    crash = (log_dir(env) / "crash.log").read_text()
    assert "Fatal Python error: Segmentation fault" in crash
    assert "<eval-" in crash  # the user's code is on the stack of the thread that crashed
