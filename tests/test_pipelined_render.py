"""thread_report on a pipelined main / render thread (tests/data/renderpipe-*.tracy, README.md there): the main thread
simulates frame N+1 while the render thread draws frame N, through a queue of depth 1.

- render_bound: the render thread limits the frame; the main thread waits for a render slot most of each frame and
  for its job workers only briefly.
- main_bound: after an explosion the main thread's physics limits it; AI::Think, steady work that ends in the
  pipeline's lockstep at a fixed offset after a render-thread zone, is work, not a wait."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_pct

DATA = Path(__file__).parent / "data"


def test_the_main_threads_longest_wait_is_named_first_and_no_job_is_called_the_critical_path() -> None:
    with open_capture(DATA / "renderpipe-render_bound.tracy") as c:
        r = c.thread_report()
        lo, hi = r.window
        slot = c.zones(name="Main::WaitForRenderSlot", thread="Main thread", as_frame=True)
        jobs = c.zones(name="Jobs::Wait", thread="Main thread", as_frame=True)
    span = hi - lo

    def share(z) -> float:  # type: ignore[no-untyped-def]
        return float((z["end_ns"].clip(upper=hi) - z["start_ns"].clip(lower=lo)).clip(lower=0).sum()) / span

    assert share(slot) > 0.5 > 0.05 > share(jobs)  # the tables: the render slot, not the jobs, holds the main thread
    assert not r.title.startswith("Critical path")
    assert r.title.startswith("Busiest thread: RenderThread")
    assert (
        f"Main thread waits 66.5% of that span: Main::WaitForRenderSlot {fmt_pct(share(slot))} (for RenderThread), "
        f"Jobs::Wait {fmt_pct(share(jobs))}" in r.title
    )


def test_steady_work_in_a_pipelines_lockstep_is_not_a_wait() -> None:
    with open_capture(DATA / "renderpipe-main_bound.tracy") as c:
        r = c.thread_report()
        think = c.zones(name="AI::Think", as_frame=True)["duration_ns"]
    assert abs(think.median() / think.mean() - 1) < 0.05  # the tables: the same work every frame (a few outliers)
    waits = r.tables["waits"]
    assert "AI::Think" not in set(waits["name"])
    assert ("RenderThread", "Render::WaitForFrame") in set(zip(waits["thread"], waits["name"], strict=True))
