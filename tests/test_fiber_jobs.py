"""The analyses on a job system that runs its jobs as fibers (tests/data/fiberjobs-*.tracy; see README.md there):
three workers switch between fibers, so the jobs' zones are on the fibers' rows and the workers' own rows hold only
their waits for work; a job waiting on a counter suspends its fiber inside the job's zone."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_stall_behind_a_job_waiting_inside_its_fiber_names_the_job_it_waits_for() -> None:
    """dependency_stall: in 8 frames Physics::Broadphase runs ~50 ms; Anim::BlendPoses waits for it inside its
    fiber (Jobs::WaitForCounter) and the main thread waits for BlendPoses: the culprit is Broadphase, not the
    BlendPoses that only waits."""
    with open_capture(DATA / "fiberjobs-dependency_stall.tracy") as c:
        times = np.asarray(c.get_frame_times())
        broad = c.zones(name="Physics::Broadphase", as_frame=True)
        r = c.slow_frames()
    gameplay = times[2:-1]
    slow = int((gameplay > 2 * np.median(gameplay)).sum())
    long_runs = broad[broad["duration_ns"] > 20_000_000]
    assert slow == len(long_runs) == 8  # the tables: a long broadphase in each slow frame
    assert r.title.startswith(f"{slow} slow frame(s)")
    assert "culprit Physics::Broadphase (Fiber " in r.title
    low, high = long_runs["duration_ns"].min() / 1e6, long_runs["duration_ns"].max() / 1e6
    assert f"{low:.2f} ms..{high:.2f} ms in those frames" in r.title
    assert any(
        "Anim::BlendPoses itself only waits there, in Jobs::WaitForCounter, while Physics::Broadphase" in x
        for x in r.lines
    )


def test_workers_that_run_fibers_wait_for_work_between_them() -> None:
    """serial_job: the workers' own zones (Jobs::WaitForWork) are waits between fibers, not their work; the report
    says how much of the window each ran fibers, and the busiest thread is one that works."""
    with open_capture(DATA / "fiberjobs-serial_job.tracy") as c:
        r = c.thread_report()
        fibers = c.threads()
    waits = r.tables["waits"]
    mine = waits[waits["name"] == "Jobs::WaitForWork"]
    assert set(mine["thread"]) == {"Worker 0", "Worker 1", "Worker 2"}
    assert set(mine["kind"]) == {"waits for work"}
    assert "Busiest thread: Worker" not in r.title
    line = next(x for x in r.lines if x.startswith("Pool 'Worker' (3 threads) runs jobs as fibers"))
    assert "running fibers Worker " in line
    # the jobs themselves are on the fibers' rows, and no fiber is called an idle thread
    assert fibers["is_fiber"].sum() >= 3
    assert not any("idle (<" in x and "Fiber " in x.split("idle (<")[1] for x in r.lines)
