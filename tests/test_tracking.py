"""Tool-call tracking: real MCP calls through the SDK's client produce the expected markdown logs and statistics."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from server_support import ServeProcess, running_server, server_env

from tracy_mcp import tracking
from tracy_mcp.tracking import Tracker, TrackingSettings, install_tracking
from tracy_mcp.tracking.markdown import format_entry
from tracy_mcp.tracking.records import CallOutcome, CallState, SessionInfo
from tracy_mcp.tracking.stats import GlobalStats, ToolStats, rank

ENTRY = re.compile(r"^### (\d+) · (\S+) · (\w+)", re.M)


def make_server() -> MCPServer:
    """A real MCP server with tools that exercise every tracking feature."""
    server = MCPServer("tracking-test")

    @server.tool()
    def add(a: int, b: int) -> int:
        tracking.note_instance(3)
        return a + b

    @server.tool()
    def resolve(alias: str) -> str:
        tracking.note_resolution(f"alias {alias!r} -> instance 3")
        tracking.note_resolution("evicted -> reloaded")
        return "ok"

    @server.tool()
    def fail(reason: str) -> str:
        raise ToolError(reason)

    @server.tool()
    def start() -> str:
        # What `eval` in async mode does: remember the id of the call that started the task.
        return tracking.current_call_id() or "none"

    @server.tool()
    def poll(parent: str) -> str:
        tracking.link_parent(parent)
        return "done"

    @server.tool()
    def big(n: int) -> str:
        return "x" * n

    @server.tool()
    def echo(payload: dict[str, Any]) -> str:
        return "echoed"

    @server.tool()
    async def slow(seconds: float) -> str:
        await anyio.sleep(seconds)
        return "slept"

    return server


@pytest.fixture
def tracked(tmp_path: Path) -> Iterator[tuple[MCPServer, Tracker, Path]]:
    server = make_server()
    directory = tmp_path / "tracking"
    tracker = install_tracking(server, Tracker(TrackingSettings(directory=directory, snapshot_interval_s=0.2)))
    yield server, tracker, directory
    tracker.close()


def session_logs(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if not p.name.startswith("_") and "_ranking" not in p.name)


def text_of(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def entries(text: str) -> list[tuple[int, str, str]]:
    return [(int(seq), tool, status) for seq, tool, status in ENTRY.findall(text)]


def block(text: str, seq: int) -> str:
    start = text.index(f"### {seq} · ")
    end = text.find("\n### ", start + 1)
    summary = text.find("\n## Session summary", start + 1)
    ends = [e for e in (end, summary) if e != -1]
    return text[start : min(ends)] if ends else text[start:]


def test_real_calls_produce_the_expected_entries(tracked: tuple[MCPServer, Tracker, Path]) -> None:
    server, tracker, directory = tracked

    async def drive() -> str:
        async with Client(server, mode="legacy") as client:
            assert text_of(await client.call_tool("add", {"a": 2, "b": 3})) == "5"
            assert text_of(await client.call_tool("resolve", {"alias": "a"})) == "ok"
            failed = await client.call_tool("fail", {"reason": "no such instance 9"})
            assert failed.is_error
            started = text_of(await client.call_tool("start", {}))
            assert text_of(await client.call_tool("poll", {"parent": started})) == "done"
            await client.call_tool("no_such_tool", {})
            return started

    started = anyio.run(drive)
    assert tracker.flush()
    logs = session_logs(directory)
    assert len(logs) == 1, logs
    text = logs[0].read_text(encoding="utf-8")
    session_id = logs[0].stem
    assert started == f"{session_id}#4"

    assert text.startswith(f"# tracy-mcp session `{session_id}`\n")
    assert "- started: " in text and "- server: tracking-test (tracy-mcp " in text and "- client: mcp" in text
    assert entries(text) == [
        (1, "add", "success"),
        (2, "resolve", "resolved"),
        (3, "fail", "error"),
        (4, "start", "success"),
        (5, "poll", "success"),
        (6, "no_such_tool", "error"),
    ]
    add = block(text, 1)
    assert re.search(r"- time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC · latency: \d+\.\d ms · depth: 0", add)
    assert "instance: 3" in add and '- args: `{"a":2,"b":3}`' in add and "- result (1 chars):" in add
    assert "instance: server" in block(text, 4)
    assert "- resolution: alias 'a' -> instance 3 → evicted -> reloaded" in block(text, 2)
    assert "no such instance 9" in block(text, 3) and "- error:" in block(text, 3)
    poll = block(text, 5)
    assert "- parent: #4" in poll and "depth: 1" in poll
    assert "Unknown tool: no_such_tool" in block(text, 6)

    # The client disconnected: the session ended with its summary.
    summary = text[text.index("## Session summary") :]
    row = summary.splitlines()[6]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:5] == ["6", "4", "2", "0", "66.7 %"], summary
    assert cells[5].endswith("ms") and cells[6] == "1"

    ranking = (directory / f"{session_id}_ranking.md").read_text(encoding="utf-8")
    assert ranking.count("\n| ") == 7  # header + 6 tools


def test_stateless_calls_share_one_session_until_close(tmp_path: Path) -> None:
    server = make_server()
    tracker = install_tracking(server, Tracker(TrackingSettings(directory=tmp_path)))
    assert install_tracking(server) is tracker  # wired once, however often it is called

    async def drive() -> None:
        async with Client(server) as client:  # the 2026 per-request protocol: no transport session
            for i in range(3):
                await client.call_tool("add", {"a": i, "b": 1})

    anyio.run(drive)
    tracker.close()
    logs = session_logs(tmp_path)
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert entries(text) == [(1, "add", "success"), (2, "add", "success"), (3, "add", "success")]
    assert "- protocol: 2026-07-28" in text and text.count("## Session summary") == 1


def outcome(arguments: Any, *, result: Any = None, error: str | None = None) -> str:
    call = CallState(SessionInfo("s"), "tool", arguments)
    status = "error" if error is not None else "success"
    return format_entry(CallOutcome(call, status, 1.0, result, error))


def test_truncation_limits() -> None:
    # Arguments: one compact line up to 120 characters, else an indented block cut at 500.
    at_limit = {"k": "v" * (120 - len('{"k":""}'))}
    assert f"- args: `{json.dumps(at_limit, separators=(',', ':'))}`" in outcome(at_limit)
    over = {"k": "v" * (121 - len('{"k":""}'))}
    text = outcome(over)
    assert "- args:\n" in text and '```json\n{\n  "k": "vvv' in text
    huge = {"code": "x" * 2000}
    text = outcome(huge)
    assert "- args (2011 chars as compact JSON, cut at 500):" in text
    body = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert body.endswith("\n…") and len(body) == 500 + 2

    # Result: cut at 1000 characters with the total noted.
    result = {"content": [{"type": "text", "text": "r" * 1000}], "isError": False}
    assert "- result (1000 chars):" in outcome({}, result=result) and "r" * 1000 + "\n```" in outcome({}, result=result)
    result["content"][0]["text"] = "r" * 1001
    text = outcome({}, result=result)
    assert "- result (1001 chars, cut at 1000):" in text and "r" * 1001 not in text and "r" * 1000 in text

    # Error: cut at 500.
    assert "- error:\n" in outcome({}, error="e" * 500)
    text = outcome({}, error="e" * 501)
    assert "- error (501 chars, cut at 500):" in text and "e" * 501 not in text

    # Backticks inside a value cannot close the fence early.
    text = outcome({}, result={"content": [{"type": "text", "text": "```\n## not a heading"}]})
    assert "````text\n```\n## not a heading\n````" in text


def test_long_arguments_and_results_through_a_real_call(tracked: tuple[MCPServer, Tracker, Path]) -> None:
    server, tracker, directory = tracked

    async def drive() -> None:
        async with Client(server, mode="legacy") as client:
            await client.call_tool("echo", {"payload": {"code": "y" * 3000}})
            await client.call_tool("big", {"n": 5000})

    anyio.run(drive)
    assert tracker.flush()
    text = session_logs(directory)[0].read_text(encoding="utf-8")
    compact = len(json.dumps({"payload": {"code": "y" * 3000}}, separators=(",", ":")))
    assert f"- args ({compact} chars as compact JSON, cut at 500):" in block(text, 1)
    assert "- result (5000 chars, cut at 1000):" in block(text, 2)
    assert "x" * 1001 not in text


def check_parts(directory: Path, session_id: str, rotate_bytes: int) -> list[int]:
    """Every part well-formed and numbered 1..K, the live file being part K+1; returns all sequence numbers."""
    archived = sorted(
        int(m.group(1)) for p in directory.iterdir() if (m := re.fullmatch(rf"{session_id}\.(\d+)\.md", p.name))
    )
    assert archived == list(range(1, len(archived) + 1))
    files = [directory / f"{session_id}.{n}.md" for n in archived] + [directory / f"{session_id}.md"]
    seqs: list[int] = []
    for part, path in enumerate(files, 1):
        text = path.read_text(encoding="utf-8")
        title = f"# tracy-mcp session `{session_id}`" + (f" (continued, part {part})" if part > 1 else "")
        assert text.startswith(title + "\n"), (path.name, text[:100])
        assert path.stat().st_size <= rotate_bytes
        # Whole entries only: each starts with its heading and closes every fence it opens.
        for chunk in text.split("\n### ")[1:]:
            assert re.match(r"\d+ · \S+ · \w+", chunk) and "- time: " in chunk
            assert len(re.findall(r"^```", chunk, re.M)) % 2 == 0
        seqs += [seq for seq, _, _ in entries(text)]
    return seqs


def test_rotation_under_10000_concurrent_records_loses_nothing(tmp_path: Path) -> None:
    rotate = 64 * 1024
    tracker = Tracker(TrackingSettings(directory=tmp_path, rotate_bytes=rotate)).start()
    session = tracker.open_session("rot")
    threads, per_thread = 8, 1250

    def work(worker: int) -> None:
        for i in range(per_thread):
            call = tracker.begin_call(session, f"tool{worker % 3}", {"worker": worker, "i": i})
            tracker.finish_call(call, "success" if i % 10 else "error", {"content": [{"type": "text", "text": "r"}]})

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert tracker.flush(timeout=60)
    seqs = check_parts(tmp_path, "rot", rotate)
    assert sorted(seqs) == list(range(1, threads * per_thread + 1))
    assert len(list(tmp_path.glob("rot.*.md"))) >= 10

    # A restart with the same session id continues in the next free part number.
    tracker.close()
    again = Tracker(TrackingSettings(directory=tmp_path, rotate_bytes=rotate)).start()
    resumed = again.open_session("rot")
    for _ in range(600):
        again.finish_call(again.begin_call(resumed, "more", {}), "success")
    again.close()
    assert len(check_parts(tmp_path, "rot", rotate)) == threads * per_thread + 600 + 0  # summaries are not entries
    stats = GlobalStats.load(tmp_path)
    assert sum(s.calls for s in stats.tools.values()) == threads * per_thread + 600
    assert stats.tools["tool0"].errors == 3 * per_thread // 10


def test_concurrent_real_calls_are_all_logged_whole(tracked: tuple[MCPServer, Tracker, Path]) -> None:
    server, tracker, directory = tracked

    async def drive() -> None:
        async with Client(server, mode="legacy") as client:
            async with anyio.create_task_group() as tg:
                for i in range(150):
                    tg.start_soon(client.call_tool, "add", {"a": i, "b": 0})

    anyio.run(drive)
    assert tracker.flush()
    text = session_logs(directory)[0].read_text(encoding="utf-8")
    assert sorted(seq for seq, _, _ in entries(text)) == list(range(1, 151))
    assert text.count("- args: `{") == 150


def test_ranking_and_global_stats_for_a_known_call_mix(tmp_path: Path) -> None:
    def one_server_run() -> None:
        server = make_server()
        tracker = install_tracking(server, Tracker(TrackingSettings(directory=tmp_path)))

        async def drive() -> None:
            async with Client(server, mode="legacy") as client:
                for i in range(6):
                    await client.call_tool("add", {"a": i, "b": i})
                for reason in ("", "boom", ""):
                    if reason:
                        await client.call_tool("fail", {"reason": reason})
                    else:
                        await client.call_tool("resolve", {"alias": "x"})
                await client.call_tool("fail", {"reason": "again"})

        anyio.run(drive)
        tracker.close()

    one_server_run()
    ranking_file = next(tmp_path.glob("*_ranking.md"))
    rows = [line for line in ranking_file.read_text(encoding="utf-8").splitlines() if re.match(r"\| \d", line)]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    # add: 6 of 10 calls, all good -> first; resolve: 2 calls, all good; fail: 2 calls, none good.
    assert [(c[1], c[2], c[3], c[4]) for c in cells] == [
        ("`add`", "6", "60.0 %", "100.0 %"),
        ("`resolve`", "2", "20.0 %", "100.0 %"),
        ("`fail`", "2", "20.0 %", "0.0 %"),
    ]
    for row, (share_of_top, success) in zip(cells, ((1.0, 1.0), (2 / 6, 1.0), (2 / 6, 0.0)), strict=True):
        value, unit = row[5].split()
        seconds = float(value) / (1000.0 if unit == "ms" else 1.0)
        expected = 40 * share_of_top + 40 * success + 20 / (1 + seconds)
        assert float(row[6]) == pytest.approx(expected, abs=0.11), row

    # A second server run (a restart) adds to the durable history instead of replacing it.
    one_server_run()
    stats = GlobalStats.load(tmp_path)
    assert stats.sessions == 2
    assert {n: (s.calls, s.successes, s.errors, s.stuck) for n, s in stats.tools.items()} == {
        "add": (12, 12, 0, 0),
        "resolve": (4, 4, 0, 0),
        "fail": (4, 0, 4, 0),
    }
    table = (tmp_path / "_global_stats.md").read_text(encoding="utf-8")
    assert "| `add` | 12 | 12 | 0 | 0 | 100.0 % |" in table
    assert "| `fail` | 4 | 0 | 4 | 0 | 0.0 % |" in table
    assert "| **all tools** | 20 | 16 | 4 | 0 | 80.0 % |" in table
    assert tracking.global_stats_table(tmp_path) == table


def test_rank_scores_exactly() -> None:
    tools = {
        "a": ToolStats(calls=8, successes=8, latency_ms_total=0.0, latency_count=8),
        "b": ToolStats(calls=2, successes=1, errors=1, latency_ms_total=2000.0, latency_count=2),
    }
    ranked = rank(tools)
    assert [r.name for r in ranked] == ["a", "b"]
    assert ranked[0].score == pytest.approx(100.0)
    assert ranked[1].score == pytest.approx(100 * (0.4 * 0.25 + 0.4 * 0.5 + 0.2 * 0.5))
    assert rank({}) == []


def test_two_processes_sharing_the_directory_add_up(tmp_path: Path) -> None:
    one = Tracker(TrackingSettings(directory=tmp_path)).start()
    two = Tracker(TrackingSettings(directory=tmp_path)).start()
    for tracker, n in ((one, 5), (two, 7), (one, 2)):
        session = tracker.open_session()
        for _ in range(n):
            tracker.finish_call(tracker.begin_call(session, "t", {}), "success")
        assert tracker.flush()
    one.close()
    two.close()
    assert GlobalStats.load(tmp_path).tools["t"].calls == 14


def test_stuck_calls_are_logged_pending_and_counted(tmp_path: Path) -> None:
    server = make_server()
    settings = TrackingSettings(directory=tmp_path, stuck_after_s=0.2, snapshot_interval_s=0.2)
    tracker = install_tracking(server, Tracker(settings))

    async def drive() -> None:
        async with Client(server, mode="legacy") as client:
            assert text_of(await client.call_tool("slow", {"seconds": 0.6})) == "slept"
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, "slow", {"seconds": 30})
                await anyio.sleep(0.5)
                tg.cancel_scope.cancel()  # the client gives up; the session ends with the call still running

    anyio.run(drive)
    tracker.close()
    text = session_logs(tmp_path)[0].read_text(encoding="utf-8")
    assert entries(text) == [(1, "slow", "stuck"), (1, "slow", "success"), (2, "slow", "stuck"), (2, "slow", "error")]
    stuck = text[: text.index("### 1 · slow · success")]
    assert "### 1 · slow · stuck (still running)" in stuck and "latency: pending" in stuck and "- result" not in stuck
    assert "### 1 · slow · success (was reported stuck)" in text
    assert "cancelled (the client cancelled the request or went away)" in text.split("### 2 · slow · error")[1]
    assert summary_cells(text)[:4] == ["2", "1", "1", "0"]


def summary_cells(text: str) -> list[str]:
    row = text[text.index("## Session summary") :].splitlines()[6]
    return [c.strip() for c in row.strip("|").split("|")]


def test_a_session_ending_with_a_call_still_running_counts_it_stuck(tmp_path: Path) -> None:
    tracker = Tracker(TrackingSettings(directory=tmp_path, stuck_after_s=0.1)).start()
    session = tracker.open_session("ends-early")
    tracker.finish_call(tracker.begin_call(session, "quick", {}), "success")
    tracker.begin_call(session, "hang", {})
    threading.Event().wait(0.3)
    tracker.end_session("ends-early")
    assert session.ended  # the transport glue starts a new session for a later call
    tracker.close()
    text = (tmp_path / "ends-early.md").read_text(encoding="utf-8")
    assert entries(text) == [(1, "quick", "success"), (2, "hang", "stuck")]
    assert summary_cells(text)[:5] == ["2", "1", "0", "1", "50.0 %"]
    stats = GlobalStats.load(tmp_path)
    assert (stats.tools["hang"].calls, stats.tools["hang"].stuck) == (1, 1)


def unwritable_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "readonly"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        (directory / "probe").write_text("x")
    except OSError:
        return directory
    # Permissions do not stop this user (root): use a directory of a filesystem nobody can create files in.
    (directory / "probe").unlink()
    directory.chmod(0o755)
    sysfs = Path("/sys/fs")
    if sysfs.is_dir():
        try:
            (sysfs / "tracy-mcp-probe").write_text("x")
        except OSError:
            return sysfs
    pytest.skip("no directory here that this user cannot write to")


def test_unwritable_directory_does_not_break_calls(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    directory = unwritable_directory(tmp_path)
    server = make_server()
    caplog.set_level(logging.WARNING, logger="tracy_mcp.tracking")
    tracker = install_tracking(server, Tracker(TrackingSettings(directory=directory, snapshot_interval_s=0.1)))

    async def drive() -> list[str]:
        async with Client(server, mode="legacy") as client:
            return [text_of(await client.call_tool("add", {"a": i, "b": 1})) for i in range(5)]

    try:
        assert anyio.run(drive) == ["1", "2", "3", "4", "5"]
        assert tracker.flush()
    finally:
        tracker.close()
    assert tracker.write_errors > 0
    assert "tool calls are unaffected" in caplog.text
    assert not list(directory.glob("*.md"))


def test_stats_command_prints_the_global_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracy_mcp.cli import main

    env = {"TRACY_MCP_TRACKING_DIR": str(tmp_path)}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        assert main(["stats"]) == 0
        assert "No tool calls recorded yet" in capsys.readouterr().out
        tracker = Tracker(TrackingSettings.from_env()).start()
        session = tracker.open_session()
        tracker.finish_call(tracker.begin_call(session, "load_capture", {}), "success")
        tracker.close()
        assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "| `load_capture` | 1 | 1 | 0 | 0 | 100.0 % |" in out


def test_settings_from_environment(tmp_path: Path) -> None:
    settings = TrackingSettings.from_env(
        {"TRACY_MCP_TRACKING_DIR": str(tmp_path), "TRACY_MCP_TRACKING_ROTATE_MB": "0.5", "TRACY_MCP_TRACKING": "off"}
    )
    assert settings.directory == tmp_path and settings.rotate_bytes == 512 * 1024 and not settings.enabled
    default = TrackingSettings.from_env({"TRACY_MCP_TRACKING_ROTATE_MB": "lots"})
    assert default.rotate_bytes == 5 * 1024 * 1024 and default.directory.name == "tracking"
    assert "tracy-mcp" in str(default.directory)


def stdio_server(tmp_path: Path) -> StdioServerParameters:
    """The project's own server as an MCP client spawns it, with every per-user folder in ``tmp_path``."""
    env = dict(os.environ)
    env.update(
        TRACY_MCP_TRACKING_DIR=str(tmp_path / "tracking"),
        TRACY_MCP_STATE_DIR=str(tmp_path / "state"),
        TRACY_MCP_LOG_DIR=str(tmp_path / "log"),
    )
    return StdioServerParameters(command=sys.executable, args=["-m", "tracy_mcp", "stdio"], env=env)


def test_the_project_server_records_its_tool_calls(tmp_path: Path) -> None:
    async def drive() -> None:
        with anyio.fail_after(60):
            async with Client(stdio_server(tmp_path)) as client:
                assert not (await client.call_tool("list_instances", {})).is_error
                assert (await client.call_tool("eval", {"code": "1", "instance_id": "nope"})).is_error
                assert (await client.call_tool("load_capture", {"path": str(tmp_path / "missing.tracy")})).is_error

    anyio.run(drive)
    # The server closes its tracker when the client goes: summary and statistics are on disk.
    logs = session_logs(tmp_path / "tracking")
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert entries(text) == [(1, "list_instances", "success"), (2, "eval", "error"), (3, "load_capture", "error")]
    assert "missing.tracy" in block(text, 3)
    assert "## Session summary" in text
    stats = GlobalStats.load(tmp_path / "tracking")
    assert {name: s.calls for name, s in stats.tools.items()} == {"list_instances": 1, "eval": 1, "load_capture": 1}


def test_the_project_server_links_a_task_poll_to_its_eval(tmp_path: Path) -> None:
    from conftest import require_shared, shared_captures

    require_shared()
    capture = shared_captures()[0]

    async def drive() -> None:
        with anyio.fail_after(60):
            async with Client(stdio_server(tmp_path)) as client:
                loaded = await client.call_tool("load_capture", {"path": str(capture), "alias": "app"})
                assert not loaded.is_error, text_of(loaded)
                started = text_of(await client.call_tool("eval", {"code": "1 + 1", "async_mode": True}))
                task_id = re.search(r"task_id='([^']+)'", started)
                assert task_id, started
                for _ in range(100):
                    polled = await client.call_tool("task", {"action": "poll", "task_id": task_id.group(1)})
                    if '"completed"' in text_of(polled):
                        break
                    await anyio.sleep(0.05)

    anyio.run(drive)
    text = session_logs(tmp_path / "tracking")[0].read_text(encoding="utf-8")
    found = entries(text)
    assert found[:2] == [(1, "load_capture", "success"), (2, "eval", "resolved")], found
    assert "- resolution: " in block(text, 2)
    poll = block(text, 3)
    assert "- parent: #2" in poll and "depth: 1" in poll


def killable_server(tmp_path: Path) -> contextlib.AbstractContextManager[ServeProcess]:
    """The project's server over streamable HTTP in its own process (a test can kill it), logs in tmp_path."""
    return running_server(server_env(tmp_path, TRACY_MCP_TRACKING_DIR=str(tmp_path / "tracking")))


async def call_until_the_server_dies(client: Client, tool: str, arguments: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):  # the connection breaks with the server
        await client.call_tool(tool, arguments)


def starts(text: str) -> list[tuple[int, str]]:
    """(seq, tool) of every call's start line."""
    return [(int(seq), tool) for seq, tool in re.findall(r"^> started (\d+) · (\S+) · ", text, re.M)]


# Issue 17 #7: calls made shortly before a kill were lost (the writer thread wrote every ~0.25 s) and the call that
# brought the server down was never logged. Now each record is written before the call runs / returns.


def test_records_are_on_disk_when_the_call_path_returns(tmp_path: Path) -> None:
    tracker = Tracker(TrackingSettings(directory=tmp_path)).start()
    try:
        session = tracker.open_session("through")
        call = tracker.begin_call(session, "eval", {"code": "print('\\udcff')", "text": "\udcff"})
        text = (tmp_path / "through.md").read_text(encoding="utf-8")
        assert starts(text) == [(1, "eval")] and "\\udcff" in text  # a lone surrogate is escaped, not fatal
        tracker.finish_call(call, "success", {"content": [{"type": "text", "text": "\udcff"}]})
        assert entries((tmp_path / "through.md").read_text(encoding="utf-8")) == [(1, "eval", "success")]
        with tracker._io_lock:  # another thread is stuck writing (a hung disk): calls do not wait for it
            started = time.monotonic()
            tracker.finish_call(tracker.begin_call(session, "list_instances", {}), "success")
            assert time.monotonic() - started < 10
        assert tracker.flush()  # the writer thread wrote what the call could not
        text = (tmp_path / "through.md").read_text(encoding="utf-8")
        assert starts(text) == [(1, "eval"), (2, "list_instances")]
        assert entries(text) == [(1, "eval", "success"), (2, "list_instances", "success")]
        assert tracker.write_errors == 0
    finally:
        tracker.close()


def test_a_server_killed_right_after_a_call_has_logged_it(tmp_path: Path) -> None:
    with killable_server(tmp_path) as server:

        async def drive() -> None:
            with anyio.fail_after(60):
                with contextlib.suppress(Exception):
                    async with Client(server.url, mode="legacy") as client:
                        for _ in range(3):
                            assert not (await client.call_tool("list_instances", {})).is_error
                        server.proc.kill()  # SIGKILL: no atexit, no flush, no summary

        anyio.run(drive)
        assert server.proc.wait(30) == -signal.SIGKILL
    text = session_logs(tmp_path / "tracking")[0].read_text(encoding="utf-8")
    assert entries(text) == [(n, "list_instances", "success") for n in (1, 2, 3)], text
    assert "## Session summary" not in text


def test_a_server_killed_during_a_call_has_logged_its_start(tmp_path: Path) -> None:
    running = tmp_path / "eval-is-running"
    code = f"open({str(running)!r}, 'w').close()\nimport time\ntime.sleep(60)"
    with killable_server(tmp_path) as server:

        async def drive() -> None:
            with anyio.fail_after(60):
                with contextlib.suppress(Exception):
                    async with Client(server.url, mode="legacy") as client:
                        assert not (await client.call_tool("load_capture", {"path": "demo"})).is_error
                        async with anyio.create_task_group() as tg:
                            tg.start_soon(call_until_the_server_dies, client, "eval", {"code": code})
                            while not running.exists():
                                await anyio.sleep(0.01)
                            os.kill(server.proc.pid, signal.SIGKILL)

        anyio.run(drive)
        assert server.proc.wait(30) == -signal.SIGKILL
    text = session_logs(tmp_path / "tracking")[0].read_text(encoding="utf-8")
    assert starts(text) == [(1, "load_capture"), (2, "eval")], text
    assert entries(text) == [(1, "load_capture", "success")], text
    eval_start = text[text.index("> started 2 · eval") :]
    assert "time.sleep(60)" in eval_start.splitlines()[0]


def test_a_server_crashing_in_eval_has_logged_the_call(tmp_path: Path) -> None:
    code = "import ctypes\nctypes.string_at(0)  # reads address 0: SIGSEGV"
    with killable_server(tmp_path) as server:

        async def drive() -> None:
            with anyio.fail_after(60):
                with contextlib.suppress(Exception):
                    async with Client(server.url, mode="legacy") as client:
                        assert not (await client.call_tool("load_capture", {"path": "demo"})).is_error
                        await call_until_the_server_dies(client, "eval", {"code": code})

        anyio.run(drive)
        assert server.proc.wait(30) == -signal.SIGSEGV
    text = session_logs(tmp_path / "tracking")[0].read_text(encoding="utf-8")
    assert starts(text) == [(1, "load_capture"), (2, "eval")], text
    assert entries(text) == [(1, "load_capture", "success")], text
    assert "ctypes.string_at(0)" in text[text.index("> started 2 · eval") :].splitlines()[0]
    crash_log = tmp_path / "state" / "tracy-mcp" / "log" / "crash.log"
    assert "Fatal Python error: Segmentation fault" in crash_log.read_text(errors="replace")


def test_http_sessions_are_named_by_the_transport_session_id(tmp_path: Path) -> None:
    """Over streamable HTTP, a handshake session's log is named by its Mcp-Session-Id and ends when the client
    leaves; stateless (2026 protocol) calls of one client share a session that ends when the server stops."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    params = stdio_server(tmp_path)
    env = {**(params.env or {}), "TRACY_MCP_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "tracy_mcp", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        assert server.stdout is not None
        for line in server.stdout:
            if found := re.search(r"serving (http://\S+)", line):
                url = found.group(1)
                break
        assert url, "the server did not start"

        async def drive() -> None:
            with anyio.fail_after(60):
                for mode in ("legacy", "auto"):
                    async with Client(url, mode=mode) as client:
                        assert not (await client.call_tool("list_instances", {})).is_error

        anyio.run(drive)
    finally:
        subprocess.run([sys.executable, "-m", "tracy_mcp", "stop"], env=env, timeout=60, capture_output=True)
        server.wait(30)
    logs = {p.stem: p.read_text(encoding="utf-8") for p in session_logs(tmp_path / "tracking")}
    assert len(logs) == 2, list(logs)
    named = [sid for sid in logs if re.fullmatch(r"[0-9a-f]{32}", sid)]
    assert len(named) == 1, list(logs)
    for text in logs.values():
        assert entries(text) == [(1, "list_instances", "success")] and "## Session summary" in text
