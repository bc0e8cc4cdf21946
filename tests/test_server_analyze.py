"""The analyze tool through the SDK's real client against a real server: each answer-shaped analysis on the
planted captures, its summary naming the planted cause in its first line and fitting an assistant's budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from planted import PLANTED, answers, planted
from server_support import connect, error, ok, server_env

ANSWER_BUDGET = 8_000  # characters per question an assistant should need


def _expected(key: str) -> dict[str, Any]:
    return dict(answers()[key]["expected"])


# (capture, analysis, options, the expected fact the first line must name)
CASES = [
    ("slow_frames", "slow_frames", {}, lambda e: e["culprit_zone"]),
    ("slow_frames", "summary", {}, lambda e: e["culprit_zone"]),
    ("lock_contention", "lock_contention", {}, lambda e: e["lock"]),
    ("memory_leak", "memory_report", {}, lambda e: e["leak_zone"]),
    ("alloc_churn", "memory_report", {}, lambda e: e["hot_zone"]),
    ("thread_imbalance", "thread_report", {}, lambda e: e["busy_thread"]),
    ("thread_imbalance", "hot_paths", {"thread": "JobWorker 2"}, lambda e: e["dominant_zone"]),
    ("thread_imbalance", "call_tree", {"thread": "JobWorker 2"}, lambda e: e["dominant_zone"]),
]


def test_analyze_names_each_planted_cause(tmp_path: Path) -> None:
    paths = {name: planted(f"{name}.tracy") for name, *_ in CASES}

    async def main() -> None:
        async with connect("stdio", server_env(tmp_path, TRACY_CAPTURES_DIR=str(PLANTED))) as client:
            with anyio.fail_after(180):
                ids: dict[str, str] = {}
                for name, analysis, options, fact in CASES:
                    # a bare file name from the captures folder; reused while loaded (the server keeps 4)
                    loaded = await ok(client, "load_capture", path=paths[name].name)
                    ids[name] = loaded["instance_id"]
                    got = await ok(client, "analyze", instance_id=ids[name], analysis=analysis, **options)
                    lines = got.splitlines()
                    want = fact(_expected(name))
                    # the finding leads (hot_paths: its title, then the top path); the summary's follows its counts
                    top = "\n".join(lines[:2])
                    headline = next(t for t in lines if "[ctx.slow_frames()]" in t) if analysis == "summary" else top
                    assert want in headline, (name, analysis, got[:600])
                    assert len(got) <= ANSWER_BUDGET, (name, analysis, len(got))
                    assert lines[-1].startswith(f"Tables (eval): r = ctx.{analysis}("), lines[-1]
                ids["lock_contention"] = (await ok(client, "load_capture", path="lock_contention.tracy"))["instance_id"]
                lock = await ok(
                    client,
                    "analyze",
                    instance_id=ids["lock_contention"],
                    analysis="lock_contention",
                    name=_expected("lock_contention")["lock"],
                    thread="JobWorker 0",
                )
                assert "thread='JobWorker 0'" in lock.splitlines()[-1]
                assert "takes no name" in await error(
                    client, "analyze", instance_id=ids["slow_frames"], analysis="summary", name="x"
                )
                # a frame analysis's name is a frame set: an unknown one is named with those there are
                assert "frame sets: 'Frame'" in await error(
                    client, "analyze", instance_id=ids["slow_frames"], analysis="slow_frames", name="x"
                )
                assert "summary" in await error(client, "analyze", instance_id=ids["slow_frames"], analysis="nope")
                # one slow frame's call tree on the main thread, and a frame window for an analysis that takes times
                slow = (await ok(client, "load_capture", path="slow_frames.tracy"))["instance_id"]
                frame = _expected("slow_frames")["slow_frames"][2]
                tree = await ok(
                    client, "analyze", instance_id=slow, analysis="call_tree", thread="Main thread", frames=str(frame)
                )
                assert f"frame {frame}" in tree and _expected("slow_frames")["culprit_zone"] in tree, tree[:800]
                assert f"frame_range=({frame}, {frame})" in tree.splitlines()[-1]
                # "what got slower in frame N?" in one call: that frame against the typical ones
                why = await ok(client, "analyze", instance_id=slow, analysis="slow_frames", frames=str(frame))
                assert why.startswith(f"Frame {frame} of set 'Frame'"), why[:400]
                assert _expected("slow_frames")["culprit_zone"] in why.splitlines()[0], why[:400]
                assert f"frames=({frame}, {frame})" in why.splitlines()[-1]
                assert len(why) <= ANSWER_BUDGET
                assert "frames 0..452" in await error(
                    client, "analyze", instance_id=slow, analysis="slow_frames", frames="5000"
                )
                window = await ok(client, "analyze", instance_id=slow, analysis="thread_report", frames="100-110")
                assert "frames 100..110" in window, window[:400]
                leak = (await ok(client, "load_capture", path="memory_leak.tracy"))["instance_id"]
                part = await ok(client, "analyze", instance_id=leak, analysis="memory_report", frames="100-200")
                assert "start_ns=" in part.splitlines()[-1]
                assert "takes no frames" in await error(client, "analyze", instance_id=slow, frames="3")
                assert "inclusive range" in await error(
                    client, "analyze", instance_id=slow, analysis="call_tree", frames="a-b"
                )
                assert "outside the frames" in await error(
                    client, "analyze", instance_id=leak, analysis="memory_report", frames="99999"
                )

    anyio.run(main)
