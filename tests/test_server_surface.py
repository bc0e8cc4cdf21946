"""The surface an assistant meets, checked through the SDK's real client against a real server process: every
tool's schema (descriptions, enums, annotations, output schema), the setup cost of the first steps, the eval
output budget and rendering, and task listing."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from conftest import require_capture
from mcp import Client
from server_support import CAPTURES, TOOLS, error, ok, poll_task, run_client, server_env, text

CAPTURE = CAPTURES / "clientapp-0.14.0.tracy"
SETUP_BUDGET = 10_000  # characters an assistant reads before its first useful call

# What each tool may do, as MCP annotations state it: (read_only, destructive, idempotent, open_world).
HINTS = {
    "list_captures": (True, False, True, False),
    "list_instances": (True, False, True, False),
    "load_capture": (False, False, True, False),
    "compare_captures": (False, False, True, False),
    "analyze": (True, False, True, False),
    "unload_capture": (False, True, True, False),
    "discover_instances": (True, False, False, True),
    "live_connect": (False, False, False, True),
    "save_trace": (False, True, False, False),
    "eval": (False, True, False, True),
    "task": (False, True, True, False),
    "shutdown_server": (False, True, True, False),
}
DATA_TOOLS = {"list_captures", "list_instances", "load_capture", "discover_instances", "live_connect", "task"}
TEXT_TOOLS = {"eval", "unload_capture", "shutdown_server", "compare_captures", "analyze"}


def run(scenario: Callable[[Client], Awaitable[None]], tmp_path: Any, **env: str) -> None:
    run_client(server_env(tmp_path, **env), scenario)


def _compact(obj: Any) -> int:
    return len(json.dumps(obj, separators=(",", ":")))


def test_every_tool_is_described_and_annotated(tmp_path: Any) -> None:
    async def scenario(client: Client) -> None:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS == set(HINTS)
        for name, tool in tools.items():
            assert tool.description and len(tool.description) > 40, name
            props = tool.input_schema.get("properties", {})
            for arg, schema in props.items():
                assert schema.get("description"), f"{name}.{arg} has no description"
            a = tool.annotations
            assert a is not None, name
            # a hint left out means the protocol's default: read-only False, destructive True, idempotent
            # False, open world True
            got = (
                bool(a.read_only_hint),
                a.destructive_hint is not False,
                bool(a.idempotent_hint),
                a.open_world_hint is not False,
            )
            assert got == HINTS[name], (name, got)
            if name in DATA_TOOLS:
                assert tool.output_schema and tool.output_schema.get("type") == "object", name
            if name in TEXT_TOOLS:
                assert tool.output_schema is None, name
            assert "title" not in json.dumps(tool.input_schema), name
        assert tools["task"].input_schema["properties"]["action"]["enum"] == ["list", "poll", "cancel"]
        assert tools["save_trace"].input_schema["properties"]["compression"]["enum"] == ["zstd", "lz4"]
        assert tools["analyze"].input_schema["properties"]["analysis"]["enum"][0] == "summary"
        assert ": how" not in tools["eval"].description  # one sentence per idea, not two merged
        assert tools["list_captures"].output_schema["properties"]["captures"]["type"] == "array"
        assert "max_chars" in tools["eval"].input_schema["properties"]

    run(scenario, tmp_path)


def test_setup_cost_stays_small(tmp_path: Any) -> None:
    """Tool list + server instructions + tracy://prompt: what every assistant reads before its first call."""

    async def scenario(client: Client) -> None:
        tools = (await client.list_tools()).tools
        listing = sum(_compact(t.model_dump(mode="json", by_alias=True, exclude_none=True)) for t in tools)
        prompt = (await client.read_resource("tracy://prompt")).contents[0].text
        instructions = client.instructions or ""
        total = listing + len(prompt) + len(instructions)
        print(f"setup: tools {listing}, prompt {len(prompt)}, instructions {len(instructions)}: {total} chars")
        assert total < SETUP_BUDGET, total
        for uri in ("tracy://guide/methods", "tracy://eval-guide", "tracy://guide/workflows"):
            assert uri in prompt
            assert len((await client.read_resource(uri)).contents[0].text) > 1000, uri

    run(scenario, tmp_path)


def test_bad_arguments_name_the_fix(tmp_path: Any) -> None:
    async def scenario(client: Client) -> None:
        assert "list, poll or cancel" in (await error(client, "task", action="stop")).replace("'", "")
        assert "needs a task_id" in await error(client, "task", action="poll")
        missing = await error(client, "load_capture", path="no-such.tracy")
        assert "list_captures" in missing or "absolute path" in missing
        assert "load_capture" in await error(client, "eval", code="1")

    run(scenario, tmp_path)


def test_demo_capture_loads_by_name(tmp_path: Any) -> None:
    async def scenario(client: Client) -> None:
        loaded = await ok(client, "load_capture", path="demo")
        assert loaded["instance_id"]
        out = await ok(client, "eval", code="ctx.info()['zone_count']")
        assert int(out) > 0

    run(scenario, tmp_path)


def test_the_first_reads_say_what_to_call(tmp_path: Any) -> None:
    """The prompt maps each question to its analysis, `analyze` points at that list, and load_capture says which
    instance_id a file gets; the id it returns is that one."""
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        prompt = (await client.read_resource("tracy://prompt")).contents[0].text
        for pair in (
            '`slow_frames` (stutter, hitches; `frames="812"`: what got slower in frame 812)',
            "`lock_contention` (lock waits)",
            "`thread_report` (busy",
        ):
            assert pair in prompt, pair
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert "tracy://prompt step 2" in tools["analyze"].input_schema["properties"]["analysis"]["description"]
        assert "default: the file name without .tracy" in (tools["load_capture"].description or "")
        loaded = await ok(client, "load_capture", path=str(CAPTURE))
        assert loaded["instance_id"] == CAPTURE.name.removesuffix(".tracy")

    run(scenario, tmp_path)


def test_eval_output_is_compact_and_bounded(tmp_path: Any) -> None:
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        result = await client.call_tool("eval", {"code": "ctx.zones()"})
        assert not result.is_error and result.structured_content is None  # the text only, once
        body = text(result)
        assert len(body) <= 20_000
        assert "more rows" in body and "[3 rows x" not in body and "..." not in body.splitlines()[1]
        header = body.splitlines()[1]
        for column in ("start_ns", "duration_ns", "self_ns", "thread", "name", "text"):
            assert column in header  # every column, none hidden behind "..."
        # pandas is there as `pd` beside the DataFrames the tables come back as
        assert await ok(client, "eval", code="isinstance(ctx.zones(), pd.DataFrame)") == "True"
        keys = await ok(client, "eval", code="{np.uint64(24435): np.int64(5), 'f': np.float64(0.5)}")
        assert keys == "{24435: 5, 'f': 0.5}"
        big = await ok(client, "eval", code="list(range(10**7))", max_chars=2_000)
        assert len(big) <= 2_000 and "more items" in big
        small = await ok(client, "eval", code="print('x' * 50_000)", max_chars=1_000)
        assert len(small) <= 1_000 and "output cut" in small
        slow = await error(
            client, "eval", code="class Slow:\n    def __repr__(self):\n        while True: pass\nSlow()"
        )
        assert "time limit" in slow

    run(scenario, tmp_path, TRACY_MCP_EVAL_TIME_LIMIT_S="3")


def test_task_list_shows_background_work_with_labels(tmp_path: Any) -> None:
    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path="demo")
        for _ in range(3):
            await ok(client, "eval", code="import numpy as np\nctx.get_zone_count()")
        started = await ok(client, "eval", code="# count\nimport time\nctx.get_zone_count()", async_mode=True)
        task_id = started.split()[2]
        await ok(client, "eval", code="1 + 1", async_mode=True, label="my check")
        await poll_task(client, task_id, 30)
        listing = await ok(client, "task", action="list")
        labels = [t["label"] for t in listing["tasks"]]
        assert labels == ["ctx.get_zone_count()", "my check"], labels
        assert listing["hidden"] == 3
        everything = await ok(client, "task", action="list", all=True)
        assert len(everything["tasks"]) == 5
        assert all(t["label"] == "ctx.get_zone_count()" for t in everything["tasks"][:3])

    run(scenario, tmp_path)
