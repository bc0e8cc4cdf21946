"""A capture unloaded to make room for another (the server's cap on loaded captures): a later request for it says
so, and how to load it again, through a real client and server."""

from __future__ import annotations

from pathlib import Path

import anyio
from planted import PLANTED, planted
from server_support import connect, error, ok, server_env


def test_a_request_for_an_evicted_capture_says_why_it_is_gone(tmp_path: Path) -> None:
    first, second = planted("regression_a.tracy"), planted("regression_b.tracy")

    async def main() -> None:
        env = server_env(tmp_path, TRACY_CAPTURES_DIR=str(PLANTED), TRACY_MCP_MAX_INSTANCES="1")
        async with connect("stdio", env) as client:
            with anyio.fail_after(60):
                a = (await ok(client, "load_capture", path=first.name))["instance_id"]
                await ok(client, "load_capture", path=second.name)
                msg = await error(client, "analyze", instance_id=a, analysis="summary")
                assert f"no instance {a!r}" in msg
                assert "to make room: the server keeps at most 1 captures loaded (TRACY_MCP_MAX_INSTANCES)" in msg
                assert f"load_capture({str(first.resolve())!r}) loads it again" in msg
                # loading it again works, and the other one is now the one that went
                await ok(client, "load_capture", path=first.name)
                assert "summary" in (await ok(client, "analyze", instance_id=a, analysis="summary")).lower()
                gone = await error(client, "unload_capture", instance_id="regression_b")
                assert "to make room" in gone

    anyio.run(main)
