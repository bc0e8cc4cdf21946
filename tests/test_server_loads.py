"""load_capture under pressure (issue 17): a bound on concurrent loads with a "busy" answer, a time limit, loads
stopped when the client gives up, and hostile files that used to hang. A real server over stdio, the SDK's client."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import require_capture
from mcp import Client
from server_support import CAPTURES, error, ok, run_client, server_env

BIG = CAPTURES / "tracypy-0.13.1.tracy"  # the largest shared capture (0.12-0.3 s to load here)
OTHER = CAPTURES / "medium-0.14.0.tracy"


async def wait_for_loading(client: Client, present: bool, timeout: float = 30) -> dict[str, Any]:
    """Poll list_instances until a load is (or no load is) in progress; each answer comes while loads run."""
    with anyio.fail_after(timeout):
        while True:
            listed = await ok(client, "list_instances")
            if bool(listed.get("loading")) == present:
                return listed
            await anyio.sleep(0.02)


def test_a_load_beyond_the_bound_gets_a_busy_answer_and_control_calls_still_answer(tmp_path: Path) -> None:
    require_capture(BIG, OTHER)
    env = server_env(tmp_path, TRACY_MCP_MAX_LOADS="1", TRACY_MCP_LOAD_SLOT_WAIT_S="0")

    async def scenario(client: Client) -> None:
        first: dict[str, Any] = {}

        async def load_big() -> None:
            first.update(await ok(client, "load_capture", path=str(BIG)))

        async with anyio.create_task_group() as tg:
            tg.start_soon(load_big)
            listed = await wait_for_loading(client, present=True)
            assert listed["loading"][0]["path"] == str(BIG) and listed["instances"] == []
            busy = await error(client, "load_capture", path=str(OTHER))
            assert "busy: 1 capture load(s) already running" in busy and "TRACY_MCP_MAX_LOADS" in busy
            assert "still after 0 s" in busy
            assert str(BIG) in busy
        assert first["instance_id"]
        listed = await ok(client, "list_instances")
        assert [i["path"] for i in listed["instances"]] == [str(BIG)] and "loading" not in listed
        assert (await ok(client, "load_capture", path=str(OTHER)))["instance_id"]

    run_client(env, scenario)


def test_a_load_beyond_the_bound_waits_for_a_slot(tmp_path: Path) -> None:
    """Several assistants loading at once: a load beyond the bound waits for a running one to finish (within
    TRACY_MCP_LOAD_SLOT_WAIT_S) instead of answering "busy"."""
    require_capture(BIG, OTHER)
    env = server_env(tmp_path, TRACY_MCP_MAX_LOADS="1", TRACY_MCP_LOAD_SLOT_WAIT_S="120")

    async def scenario(client: Client) -> None:
        ids: dict[str, Any] = {}

        async def load(key: str, path: Path) -> None:
            ids[key] = (await ok(client, "load_capture", path=str(path)))["instance_id"]

        async with anyio.create_task_group() as tg:
            tg.start_soon(load, "big", BIG)
            await wait_for_loading(client, present=True)
            tg.start_soon(load, "other", OTHER)
        assert ids["big"] and ids["other"]
        listed = await ok(client, "list_instances")
        assert sorted(i["path"] for i in listed["instances"]) == sorted([str(BIG), str(OTHER)])

    run_client(env, scenario)


def test_a_load_past_its_time_limit_is_cancelled(tmp_path: Path) -> None:
    require_capture(BIG)
    # well below the capture's load time (0.12-0.3 s here), so the limit is what stops it
    env = server_env(tmp_path, TRACY_MCP_LOAD_TIME_LIMIT_S="0.02")

    async def scenario(client: Client) -> None:
        message = await error(client, "load_capture", path=str(BIG))
        assert "stopped after its time limit of 0.02 s (TRACY_MCP_LOAD_TIME_LIMIT_S)" in message
        listed = await ok(client, "list_instances")
        assert listed["instances"] == [] and "loading" not in listed

    run_client(env, scenario)


def test_a_load_the_client_gives_up_on_is_cancelled(tmp_path: Path) -> None:
    require_capture(BIG)
    env = server_env(tmp_path)

    async def scenario(client: Client) -> None:
        with pytest.raises(Exception, match="(?i)timed out|timeout"):
            # the client's timeout sends notifications/cancelled for the call
            await client.call_tool("load_capture", {"path": str(BIG)}, read_timeout_seconds=0.03)
        listed = await wait_for_loading(client, present=False, timeout=10)
        assert listed["instances"] == []

    run_client(env, scenario)


def test_hostile_files_fail_at_once_through_the_server(tmp_path: Path) -> None:
    zeros = tmp_path / "zeros.tracy"
    zeros.write_bytes(b"tr\xfdP\x01\x01")
    os.truncate(zeros, 2 << 30)  # sparse; used to take ~19 min and 2 GB of memory
    env = server_env(tmp_path / "home")

    async def scenario(client: Client) -> None:
        for _ in range(6):  # the six abandoned loads, now each over at once
            message = await error(client, "load_capture", path=str(zeros))
            assert "cannot load" in message and "has size 0" in message
        listed = await ok(client, "list_instances")
        assert listed["instances"] == [] and "loading" not in listed

    run_client(env, scenario)
