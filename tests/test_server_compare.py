"""The compare_captures tool over a real server (stdio, as assistants spawn it), on the planted A/B pair."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from planted import PLANTED
from server_support import connect, error, ok, server_env


def test_compare_captures_by_path_then_by_instance(tmp_path: Path) -> None:
    a, b = PLANTED / "regression_a.tracy", PLANTED / "regression_b.tracy"
    if not (a.is_file() and b.is_file()):
        pytest.skip(f"planted captures not found under {PLANTED} (set TRACY_MCP_SHARED)")
    env = server_env(tmp_path / "home")

    async def main() -> None:
        async with connect("stdio", env) as client:
            with anyio.fail_after(120):
                # relative to TRACY_CAPTURES_DIR, and absolute
                out = await ok(client, "compare_captures", base="planted/regression_a.tracy", target=str(b))
                first = out.splitlines()[0]
                assert "Renderer::SortDrawCalls 2.48x per call" in first
                assert "AI::PathfindBatch: 1200 -> 2400 calls" in out
                ids = [i["id"] for i in (await ok(client, "list_instances"))["instances"]]
                assert len(ids) == 2  # both loaded as instances, for follow-up evals
                again = await ok(client, "compare_captures", base=ids[0], target=ids[1])
                assert again.splitlines()[0] == first
                assert "is neither a loaded instance" in await error(
                    client, "compare_captures", base="nope", target=ids[1]
                )
                assert "no such capture file" in await error(
                    client, "compare_captures", base=str(tmp_path / "missing.tracy"), target=ids[1]
                )

    anyio.run(main)
