"""Batches that start one thread per task (tests/data/assetexport-smallest_first.tracy, buildtool-leak.tracy;
README.md there): each thread's one zone is the task, not a wrapper around its work, a hundred threads of one name
are counted, not listed, and a leak of one block per thread is one steady leak. Expectations come from the plain
tables."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import name_list

DATA = Path(__file__).parent / "data"
CAPTURE = DATA / "assetexport-smallest_first.tracy"


def test_threads_of_one_name_are_counted() -> None:
    names = ["Main thread", *(f"asset_export ({tid})" for tid in range(20479, 20599))]
    assert name_list(names) == "Main thread, asset_export (120 threads)"
    # a few threads sharing a name are still named one by one
    assert name_list(["Worker (12)", "Worker (13)", "Job 1", "Job 2"]) == "Worker (12), Worker (13), Job 1-2"


def test_the_task_is_the_job_a_batch_waits_for() -> None:
    with open_capture(CAPTURE) as c:
        z = c.zones(as_frame=True)
        roots = z[z["depth"] == 0]
        tasks = roots[roots["name"] == "Asset::Export"]
        assert len(tasks) == 120 and tasks["thread_id"].nunique() == 120  # the tables: a thread per task
        assert len(c.frames(as_frame=True)) <= 2  # no frame marks of the program's own
        r = c.thread_report()
        s = c.summary()
    assert "for one job, Asset::Export (a median " in r.title  # was Manifest::Register, its last step
    assert "run on asset_export (120 threads) in turn" in r.title
    assert "bounds the run" in r.title and "frame" not in r.title.split("Busiest")[0]
    assert len(r.title) < 1200
    assert "asset_export (120 threads)" in s.summary()


def test_a_leak_of_one_block_per_task_thread_is_a_steady_leak() -> None:
    """buildtool-leak: 40 of 100 compile threads each leak one 2 KB diagnostics record, spread over the run."""
    with open_capture(DATA / "buildtool-leak.tracy") as c:
        ev = c.memory_events(as_frame=True)
        never = ev[ev["free_ns"] < 0]
        assert len(never) == 40 and never["size_bytes"].eq(2048).all()
        assert never["alloc_thread_id"].nunique() == 40  # the tables: one block per thread
        r = c.memory_report()
    assert "LEAK in Diagnostics::Record (on 40 threads): 40 x 2048 B = 81920 B never freed" in r.title
    assert any("40 threads cc1 job 1..98" in line for line in r.lines)


def test_the_bytes_of_a_block_per_task_thread_are_counted_together() -> None:
    """taskarena-spawn: each of 2,880 unnamed job threads makes one 1 MiB arena; the bytes are theirs together."""
    with open_capture(DATA / "taskarena-spawn.tracy") as c:
        ev = c.memory_events(as_frame=True)
        arenas = ev[ev["size_bytes"] == 1 << 20]
        assert len(arenas) == 2880 and arenas["alloc_thread_id"].nunique() == 2880  # the tables
        r = c.memory_report()
    assert "most allocations: Particles::Spawn (" in r.title
    assert "most bytes: Arena::Create (unnamed threads: 2880 x 1048576 B, 12.0 per gameplay frame" in r.title
    assert any(line.startswith("Most bytes: Arena::Create (unnamed threads) — ") for line in r.lines)
