"""ctx.summary() / the analyze tool (analysis="summary"): every count of what a capture holds, then the headline
findings of the analyses that apply; on every shared and planted capture, a few KB at most, naming the
planted causes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import CAPTURES, require_capture
from planted import all_captures, answers, planted
from server_support import connect, ok, server_env

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

MAX_CHARS = 6000  # "a few KB": small enough to read before the first question


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_summary_on_every_capture(path: Path) -> None:
    with open_capture(path) as c:
        s = c.summary()
        text = s.summary()
        info = c.info()
    assert text.startswith(f"Summary of {path.name}")
    assert len(text) <= MAX_CHARS and len(text.splitlines()) <= 41
    assert f"{info['zone_count']} zones" in text and f"{info['frame_count']} frames" in text
    for kind in ("locks", "plots", "memory events", "messages", "CPU samples", "context switches", "GPU zones"):
        assert kind in text
    counts = dict(zip(s.table["kind"], s.table["count"], strict=True))
    assert counts["zones"] == info["zone_count"] and counts["threads"] == len(info["threads"])
    assert "failed" not in text  # an analysis that raises is reported, but none should
    if info["zone_count"]:
        assert "Most self time" in text


def _finding(name: str, method: str) -> str:
    with open_capture(planted(name)) as c:
        s = c.summary()
    lines = [t for m, t in s.findings if m == method]
    if not lines:
        pytest.skip(f"{method} gave no finding (not available yet?): {s.summary()[-400:]}")
    return lines[0]


def _expected(key: str) -> dict[str, Any]:
    return dict(answers()[key]["expected"])


def test_planted_slow_frames_headline_names_the_culprit() -> None:
    line = _finding("slow_frames.tracy", "ctx.slow_frames()")
    assert _expected("slow_frames")["culprit_zone"] in line


def test_planted_lock_headline_names_the_lock() -> None:
    line = _finding("lock_contention.tracy", "ctx.lock_contention()")
    assert _expected("lock_contention")["lock"] in line


def test_planted_lock_captures_slow_frame_names_the_render_threads_work() -> None:
    """Its one slow frame waits in Game::WaitForRenderThread for the render thread's long command-list build; six
    busy job workers end work at every moment, so the wait is told by the render thread's ends alone."""
    line = _finding("lock_contention.tracy", "ctx.slow_frames()")
    with open_capture(planted("lock_contention.tracy")) as c:
        build = c.zones(name="Renderer::BuildCommandLists", as_frame=True)
    assert set(build["thread"].astype(str)) == {"RenderThread"}
    assert "culprit Renderer::BuildCommandLists (RenderThread)" in line
    assert "Game::WaitForRenderThread (Main thread) waits for it there" in line


def test_planted_leak_headline_names_the_zone() -> None:
    line = _finding("memory_leak.tracy", "ctx.memory_report()")
    assert _expected("memory_leak")["leak_zone"] in line


def test_planted_churn_headline_names_the_zone() -> None:
    line = _finding("alloc_churn.tracy", "ctx.memory_report()")
    assert _expected("alloc_churn")["hot_zone"] in line


def test_planted_imbalance_headline_names_the_thread() -> None:
    line = _finding("thread_imbalance.tracy", "ctx.thread_report()")
    assert _expected("thread_imbalance")["busy_thread"] in line


def test_analyze_summary_tool_over_stdio(tmp_path: Path) -> None:
    path = planted("slow_frames.tracy")
    env = server_env(tmp_path)

    async def main() -> None:
        async with connect("stdio", env) as client:
            with anyio.fail_after(90):
                loaded = await ok(client, "load_capture", path=str(path))
                text = await ok(client, "analyze", instance_id=loaded["instance_id"])  # analysis="summary"
                assert text.startswith("Summary of slow_frames.tracy") and "453 frames" in text
                assert len(text) <= MAX_CHARS
                again = await ok(client, "analyze", analysis="summary")  # the only loaded instance
                assert again == text

    anyio.run(main)


def test_never_locked_locks_and_unzoned_self_time_are_worded_plainly() -> None:
    with open_capture(planted("slow_frames.tracy")) as c:
        text = c.summary().summary()
    assert "2 locks (declared, never locked: " in text and "0 lock events" not in text
    with open_capture(planted("lock_contention.tracy")) as c:
        hot = dict(c.summary().findings)["ctx.hot_paths()"]
        jobs = c.zones(name="Animation::SkinningJob")
    # the top self-time path (the workers' loop zone, the pool's threads as one) is mostly code with no zones of
    # its own: say so
    assert hot.startswith("Most self time (time in a zone outside its child zones")
    own = jobs["self_ns"].sum() / jobs["duration_ns"].sum()
    assert f"[JobWorker 0-5 (6 threads)] Animation::SkinningJob {fmt_ns(jobs['self_ns'].sum())}" in hot
    assert f"Animation::SkinningJob spends {own:.0%} of its time outside its child zones" in hot


def test_samples_and_context_switches_without_times_are_flagged() -> None:
    # tracypy-0.13.1 was recorded on a machine that stamped every sample and context switch with time 0 (golden
    # README quirk 16): they are counted, but the summary and thread_report must not read as if they were usable
    untimed, timed = CAPTURES / "tracypy-0.13.1.tracy", CAPTURES / "fiberpool-0.14.0.tracy"
    require_capture(untimed, timed)
    with open_capture(untimed) as c:
        text = c.summary().summary()
        report = c.thread_report().summary()
    assert "35521 CPU samples (none with a valid time: unusable for timing)" in text
    assert "7577 context switches (none with a valid time: unusable for timing)" in text
    assert "its 7577 context switches carry no valid times" in report
    assert "frame_loop spends 97%" in text and "cannot tell work from waiting there" in text
    with open_capture(timed) as c:
        text = c.summary().summary()
    assert "valid time" not in text and "context switches" in text


def test_the_programs_messages_are_quoted_by_kind() -> None:
    """The program's own log lines (not Tracy's diagnostics), one per kind with its count: the configuration line
    that explains thread_imbalance, and slow_frames' seven texture misses as one kind."""
    with open_capture(planted("thread_imbalance.tracy")) as c:
        text = c.summary().summary()
    line = next(x for x in text.splitlines() if x.startswith("The program's messages"))
    assert line.startswith("The program's messages (3): ")
    assert '"JobSystem: 4 workers, physics islands partitioned by island_id % worker_count" (0.350 s)' in line
    assert "TRACY:" not in line and "kernel symbols" not in line
    with open_capture(planted("slow_frames.tracy")) as c:
        msgs = c.messages()
        text = c.summary().summary()
    misses = [t for t in msgs["text"] if t.startswith("TextureStreamer: residency miss")]
    assert len(misses) == 7
    assert f'"{misses[0]}" (x7, first at ' in text
