"""compare() where the frame grew but no zone did (tests/data/blockpool-regress_{a,b}.tracy, README.md there): the
same frame tasks run on 4 pool threads in A and 2 in B, so the main thread waits longer for them; an audio thread
mixing at a fixed rate runs more often per (longer) frame but not per second."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_a_wait_that_grew_with_fewer_threads_leads_when_no_zone_regressed() -> None:
    with open_capture(DATA / "blockpool-regress_a.tracy") as a, open_capture(DATA / "blockpool-regress_b.tracy") as b:
        pools = [
            sorted(str(t["name"]) for t in c.get_threads() if str(t["name"]).startswith("TaskPool")) for c in (a, b)
        ]
        waits = [c.zones(name="Tasks::WaitFrameTasks", as_frame=True)["duration_ns"].mean() for c in (a, b)]
        tasks = [len(c.zones(name="Task::Animate", as_frame=True)) for c in (a, b)]
        mix = [len(c.zones(name="Audio::Mix", as_frame=True)) for c in (a, b)]
        spans = [c.get_last_time() - c.get_first_time() for c in (a, b)]
        r = a.compare(b)
    assert pools == [["TaskPool 0", "TaskPool 1", "TaskPool 2", "TaskPool 3"], ["TaskPool 0", "TaskPool 1"]]
    assert tasks[0] == tasks[1]  # the tables: the same task work
    assert abs(mix[1] / spans[1] / (mix[0] / spans[0]) - 1) < 0.05  # the mix runs at a fixed rate
    assert "no zone regressed beyond noise; the frames grew in a wait: Tasks::WaitFrameTasks" in r.title
    assert f"{fmt_ns(waits[0])} -> {fmt_ns(waits[1])} per call" in r.title
    assert "fewer threads in B: TaskPool 2 gone, TaskPool 3 gone" in r.title
    assert "Audio::Mix" not in r.title
    assert set(r.table["kind"][r.table["name"] == "Audio::Mix"]) == {"unchanged"}


def test_frame_jobs_queued_behind_blocking_io_on_the_pool_are_told() -> None:
    """blockpool-io_in_pool: three Save::WriteSnapshot tasks and an Http::Upload (blocking I/O) take all four pool
    threads twice; the frame's tasks wait for a free thread and the frame takes 80-107 ms."""
    with open_capture(DATA / "blockpool-io_in_pool.tracy") as c:
        saves = c.zones(name="Save::WriteSnapshot", as_frame=True)
        r = c.slow_frames()
    assert len(saves) >= 6  # the tables: the autosaves' tasks
    assert r.title.startswith("2 slow frame(s)")
    assert "Tasks::WaitFrameTasks (Main thread) waits for it there" in r.title
    assert "; the TaskPool threads were all busy with other work then (below)" in r.title
    line = next(x for x in r.lines if x.startswith("When Tasks::WaitFrameTasks began in the slow frames"))
    assert "the TaskPool threads were busy with: Save::WriteSnapshot x6, Http::Upload x2 (8 of 8 thread-frames" in line
    assert "the frame's work waited for a free thread" in line
