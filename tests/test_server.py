"""The MCP server as an assistant drives it: the SDK's client against a real server process, over every transport.

HTTP transports talk to one `tracy-mcp serve` per transport (in a private home); stdio spawns `tracy-mcp stdio`
per connection, as Claude Desktop, VS Code and Cursor do.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_capture
from mcp import Client
from server_support import (
    CAPTURES,
    RESOURCES,
    TOOLS,
    error,
    ok,
    poll_task,
    run_client,
    running_server,
    server_env,
    text,
)

TRANSPORTS = ["streamable-http", "sse", "stdio"]
CAPTURE = CAPTURES / "clientapp-0.14.0.tracy"
GOLDEN = CAPTURES.parent / "golden" / "clientapp-0.14.0.json"


@pytest.fixture(scope="module", params=TRANSPORTS)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    transport = request.param
    env = server_env(tmp_path_factory.mktemp(f"home-{transport}"), TRACY_MCP_EVAL_TIME_LIMIT_S="2")
    if transport == "stdio":
        yield transport, env
        return
    with running_server(env, "--transport", transport) as server:
        yield transport, server.url


def run(endpoint: tuple[str, Any], scenario: Callable[[Client], Awaitable[None]], mode: str = "auto") -> None:
    run_client(endpoint[1], scenario, transport=endpoint[0], mode=mode, timeout=90)


# -- discovery surface ----------------------------------------------------------------------------------------------


def test_tools_resources_and_captures_are_listed(endpoint: tuple[str, Any]) -> None:
    async def scenario(client: Client) -> None:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        assert "instance_id" in tools["eval"].input_schema["properties"]
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert resources == RESOURCES
        prompt = (await client.read_resource("tracy://prompt")).contents[0].text
        assert "slow_frames" in prompt and "lock_contention" in prompt and "tracy://guide/workflows" in prompt
        workflows = (await client.read_resource("tracy://guide/workflows")).contents[0].text
        assert "slow" in workflows and "contention" in workflows and "GPU" in workflows
        guide = (await client.read_resource("tracy://eval-guide")).contents[0].text
        assert "ctx" in guide
        assert [p.name for p in (await client.list_prompts()).prompts] == ["analyse_capture"]
        started = await client.get_prompt("analyse_capture", {"path": "/x/game.tracy", "question": "why 20 fps?"})
        body = started.messages[0].content.text
        assert "/x/game.tracy" in body and "why 20 fps?" in body and "lock_contention" in body
        if CAPTURE.is_file():  # TRACY_CAPTURES_DIR is the shared captures folder
            listing = await ok(client, "list_captures")
            entry = next(c for c in listing["captures"] if c["path"] == str(CAPTURE))
            assert entry["size_bytes"] == CAPTURE.stat().st_size and entry["mtime"]
            nested = sorted(CAPTURES.glob("*/**/*.tracy"))
            if nested:  # the shared folder keeps more captures in subfolders: the listing says where
                top = nested[0].relative_to(CAPTURES).parts[0]
                assert f"{top}/ (" in listing["note"] and "recursive=true" in listing["note"]
                deep = await ok(client, "list_captures", recursive=True)
                assert str(nested[0]) in {c["path"] for c in deep["captures"]} and "note" not in deep

    run(endpoint, scenario)


def test_initialize_handshake_clients(endpoint: tuple[str, Any]) -> None:
    """Assistants in use today connect with the initialize handshake rather than server/discover."""

    async def scenario(client: Client) -> None:
        assert client.protocol_version and client.protocol_version < "2026"
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        assert "nothing is loaded" in await error(client, "eval", code="1")

    run(endpoint, scenario, mode="legacy")


def test_error_paths_leave_the_server_up(endpoint: tuple[str, Any], tmp_path: Path) -> None:
    async def scenario(client: Client) -> None:
        assert "no such capture file" in await error(client, "load_capture", path=str(tmp_path / "missing.tracy"))
        garbage = tmp_path / "garbage.tracy"
        garbage.write_bytes(b"this is not a tracy capture at all" * 10)
        assert "cannot load" in await error(client, "load_capture", path=str(garbage))
        assert "nothing is loaded" in await error(client, "eval", code="1")
        assert "no instance 'nope'" in await error(client, "eval", code="1", instance_id="nope")
        assert "no instance 'nope'" in await error(client, "unload_capture", instance_id="nope")
        assert "no task 'x'" in await error(client, "task", action="poll", task_id="x")
        assert "'list', 'poll' or 'cancel'" in await error(client, "task", action="explode")
        assert "port_range" in await error(client, "discover_instances", port_range="a-b")
        # (live_connect's failures are tested against real clients in test_server_preflight.py)
        listed = await ok(client, "list_instances")
        assert listed["instances"] == []
        found = await ok(client, "discover_instances", port_range="1-3")
        assert found["listening_ports"] == []

    run(endpoint, scenario)


def test_load_eval_tasks_and_unload(endpoint: tuple[str, Any]) -> None:
    require_capture(CAPTURE)
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.is_file() else None
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async def scenario(client: Client) -> None:
        loaded = await client.call_tool(
            "load_capture", {"path": str(CAPTURE), "alias": "app"}, progress_callback=on_progress
        )
        assert not loaded.is_error, text(loaded)
        info = loaded.structured_content
        inst = info["instance_id"]
        assert inst == "app" or "app" in (await ok(client, "list_instances"))["instances"][0]["aliases"]
        assert "background_done" in info
        assert progress, "no progress notification arrived while loading"

        # Loading the unchanged file again reuses the instance.
        again = await ok(client, "load_capture", path=str(CAPTURE))
        assert again["reused"] and again["instance_id"] == inst

        # A zone query; printed output first, then the value of the final expression.
        out = await ok(client, "eval", instance_id="app", code="print('zones:')\nctx.get_zone_count()")
        lines = out.splitlines()
        assert lines[0] == "zones:"
        zones = int(lines[1])
        if golden is not None:
            assert zones == golden["counts"]["get_zone_count"]
        assert "instances" in await ok(client, "eval", instance_id=inst, code="sorted(instances)[0] and 'instances'")

        # Errors in user code come back as tracebacks; the server stays up.
        syntax = await error(client, "eval", instance_id=inst, code="for x in")
        assert "SyntaxError" in syntax
        boom = await error(client, "eval", instance_id=inst, code="x = 1\nprint('before')\n1 / (x - 1)")
        assert "ZeroDivisionError" in boom and "line 3" in boom and "before" in boom
        assert await ok(client, "eval", instance_id=inst, code="6 * 7") == "42"

        # A synchronous runaway eval is stopped by the time limit (2 s in this server's env).
        runaway = await error(client, "eval", instance_id=inst, code="while True:\n    pass")
        assert "time limit" in runaway

        # An async eval: start, poll to completion.
        started = await ok(client, "eval", instance_id=inst, code="sum(range(1000))", async_mode=True)
        task_id = started.split("task ", 1)[1].split()[0]
        report = await poll_task(client, task_id, 30)
        assert report["status"] == "completed" and report["result"] == "499500"

        # An async runaway: cancel really stops it.
        started = await ok(client, "eval", instance_id=inst, code="while True:\n    pass", async_mode=True)
        spin_id = started.split("task ", 1)[1].split()[0]
        assert (await ok(client, "task", action="poll", task_id=spin_id))["status"] == "running"
        # A capture in use by a task is not unloaded under it...
        assert "in use" in await error(client, "unload_capture", instance_id=inst, force=True)
        # ...but one of its loads can be released meanwhile (the task may be another client's)
        assert (await ok(client, "unload_capture", instance_id=inst)).startswith(f"released {inst}")
        assert (await ok(client, "load_capture", path=str(CAPTURE)))["reused"]  # two loads again
        cancelled = await ok(client, "task", action="cancel", task_id=spin_id)
        assert cancelled["status"] == "cancelled", cancelled
        listed = await ok(client, "task", action="list")
        assert {t["task_id"] for t in listed["tasks"]} >= {task_id, spin_id}

        instances = (await ok(client, "list_instances"))["instances"]
        assert [i["id"] for i in instances] == [inst]
        assert instances[0]["memory_bytes"] > 0 and instances[0]["live"] is False
        # Two load_capture calls got it (another client may use the reused one): each unload releases one load.
        assert instances[0]["loads"] == 2
        released = await ok(client, "unload_capture", instance_id="app")
        assert released.startswith(f"released {inst}; it stays loaded for 1 other load_capture call"), released
        assert (await ok(client, "list_instances"))["instances"][0]["loads"] == 1
        assert await ok(client, "eval", instance_id=inst, code="6 * 7") == "42"
        assert "unloaded" in await ok(client, "unload_capture", instance_id="app")
        assert (await ok(client, "list_instances"))["instances"] == []
        # force=true unloads whatever other loads hold it
        for _ in range(3):
            await ok(client, "load_capture", path=str(CAPTURE), alias="app")
        assert (await ok(client, "list_instances"))["instances"][0]["loads"] == 3
        assert "unloaded" in await ok(client, "unload_capture", instance_id="app", force=True)
        assert (await ok(client, "list_instances"))["instances"] == []

    run(endpoint, scenario)


def test_save_trace_round_trip(endpoint: tuple[str, Any], tmp_path: Path) -> None:
    require_capture(CAPTURE)
    if endpoint[0] != "streamable-http":
        pytest.skip("save_trace does not depend on the transport: checked once, over streamable-http")
    target = tmp_path / "copy.tracy"

    async def scenario(client: Client) -> None:
        inst = (await ok(client, "load_capture", path=str(CAPTURE)))["instance_id"]
        started = await ok(client, "save_trace", instance_id=inst, path=str(target))
        report = await poll_task(client, started["task_id"], 30)
        assert report["status"] == "completed", report
        assert target.is_file() and report["result"]["path"] == str(target)
        assert "exists" in await error(client, "save_trace", instance_id=inst, path=str(target))
        copy = (await ok(client, "load_capture", path=str(target), alias="copy"))["instance_id"]
        same = await ok(
            client, "eval", instance_id=copy, code=f"ctx.get_zone_count() == instances[{inst!r}].get_zone_count()"
        )
        assert same == "True"
        for name in (copy, inst):
            await ok(client, "unload_capture", instance_id=name)

    run(endpoint, scenario)
