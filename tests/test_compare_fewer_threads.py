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
