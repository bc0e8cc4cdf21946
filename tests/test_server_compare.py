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


def test_compare_captures_then_steps_through_a_series(tmp_path: Path) -> None:
    """A week of nightly captures (tests/data/nightly-*.tracy): base, target, then the rest, in order."""
    data = Path(__file__).parent / "data"
    days = [str(data / f"nightly-{d}.tracy") for d in ("mon", "tue", "wed", "thu", "fri")]
    env = server_env(tmp_path / "home")

    async def main() -> None:
        async with connect("stdio", env) as client:
            with anyio.fail_after(240):
                out = await ok(client, "compare_captures", base=days[0], target=days[1], then=days[2:])
                first = out.splitlines()[0]
                assert first.startswith("5 captures in order") and "2 step(s) beyond noise" in first
                assert "nightly-tue -> nightly-wed +1.27 ms" in first
                assert "nightly-thu -> nightly-fri +2.48 ms" in first
                assert "most impact: Anim::Evaluate 1.41x per call" in out
                assert "Render::BuildDrawLists is called 2.00x as often" in out
                assert "instances nightly-mon, nightly-tue, nightly-wed, nightly-thu, nightly-fri" in out

    anyio.run(main)
