"""save_trace through a real MCP server (stdio, as desktop clients run it): a bare name lands in
TRACY_CAPTURES_DIR as an async task polled with `task`; the saved file loads back with the same answers; an
existing file is refused unless overwrite=True."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import require_capture
from mcp import Client
from server_support import CAPTURES, error, ok, poll_task, run_client, server_env

CAPTURE = CAPTURES / "clientapp-0.14.0.tracy"


def test_save_trace_tool(tmp_path: Path) -> None:
    require_capture(CAPTURE)
    out_dir = tmp_path / "captures"
    out_dir.mkdir()
    env = server_env(tmp_path / "home", TRACY_CAPTURES_DIR=str(out_dir))

    async def scenario(client: Client) -> None:
        inst = (await ok(client, "load_capture", path=str(CAPTURE)))["instance_id"]
        zones = int(await ok(client, "eval", instance_id=inst, code="ctx.get_zone_count()"))

        started = await ok(client, "save_trace", instance_id=inst, path="snapshot", streams=2)
        report = await poll_task(client, started["task_id"], 60)
        assert report["status"] == "completed", report
        result = report["result"]
        if isinstance(result, str):
            result = json.loads(result.replace("'", '"'))
        saved = out_dir / "snapshot.tracy"
        assert result["path"] == str(saved) and saved.stat().st_size == result["compressed_bytes"]
        assert result["uncompressed_bytes"] > result["compressed_bytes"] and result["ratio"] > 1
        assert result["seconds"] >= 0

        assert "exists" in await error(client, "save_trace", instance_id=inst, path="snapshot")
        again = await ok(
            client, "save_trace", instance_id=inst, path=str(saved), overwrite=True, compression="lz4", async_mode=False
        )
        assert again["status"] == "completed" and again["result"]["compression"] == "lz4"
        assert "bare file name" in await error(client, "save_trace", instance_id=inst, path="sub/dir")

        copy = (await ok(client, "load_capture", path=str(saved)))["instance_id"]
        assert int(await ok(client, "eval", instance_id=copy, code="ctx.get_zone_count()")) == zones
        assert sorted(p.name for p in out_dir.iterdir()) == ["snapshot.tracy"]

    run_client(env, scenario)
