"""Slow frames whose causes differ, and zone texts that tell no run apart (tests/data/gcpause-run.tracy,
fiberjobs-run.tracy, sectionstream-play.tracy; README.md there). Expectations come from the plain tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_lock_wait_is_measured_over_the_slow_frames_it_explains() -> None:
    with open_capture(DATA / "gcpause-run.tracy") as c:
        z = c.zones(as_frame=True)
        gc = z[z["name"] == "GC::Collect"]
        assert len(gc) == 4 and (gc["duration_ns"] > 40e6).all()  # the tables: four ~45 ms collections
        r = c.slow_frames()
    line = next(x for x in r.lines if x.startswith("Lock wait: Main thread waits for World::m_heapLock"))
    # four of the eight slow frames are the collections; the early ones would halve the figure
    assert "in 4 of the slow frames (frames 56, 157, 255, 358; typical 710 ns; 21.98 ms averaged over all 8)" in line
    assert line.split(" waits for World::m_heapLock ")[1].startswith("43.96 ms per frame")
    assert "held meanwhile by GC in GC::Collect" in line


def test_a_zone_value_shared_by_every_run_is_not_called_the_cause() -> None:
    with open_capture(DATA / "fiberjobs-run.tracy") as c:
        z = c.zones(as_frame=True)
        solve = z[z["name"] == "Cloth::SolveConstraints"]
        assert set(solve["text"].astype(str)) == {"12 [0xc]"}  # the tables: one value on every run
        assert float(np.median(solve["duration_ns"])) > 9e6
        r = c.slow_frames()
    assert r.title.startswith("1 slow frame(s)") and "culprit Cloth::SolveConstraints (Job Fiber 4)" in r.title
    assert not any("its input" in line for line in r.lines)


def test_the_culprits_lock_is_told_beside_it_not_after_a_second_cause() -> None:
    """autosavelock-bad: World::Tick waits for World::m_lock held by the autosave; two other slow frames grew in
    Physics::Solve. The lock belongs to World::Tick's clause, before the second cause."""
    with open_capture(DATA / "autosavelock-bad.tracy") as c:
        r = c.slow_frames()
    assert r.culprit == "World::Tick"
    lock = r.title.index("it waits there for lock World::m_lock, held meanwhile by Autosave")
    assert lock < r.title.index("; a second cause, in frames ") and "Physics::Solve" in r.title[lock:]


def test_a_second_cause_made_of_several_steps_is_the_zone_around_them() -> None:
    """mmoclient-run: 4 slow frames from Save::WriteCharacter, 3 from Script::FullGC, whose growth its sweep and
    mark share; both are told, each as the zone around its steps."""
    with open_capture(DATA / "mmoclient-run.tracy") as c:
        r = c.slow_frames()
        gc = c.zones(name="Script::FullGC")
    assert r.culprit == "Save::WriteCharacter" and len(gc) == 3
    assert "; a second cause, in frames " in r.title and ": Script::FullGC (Main thread) 0 ns -> " in r.title
    assert "(inside it: Script::SweepHeap " in r.title


def test_hitches_only_early_in_the_run_say_so() -> None:
    with open_capture(DATA / "apexrace-race.tracy") as c:
        r = c.slow_frames()
    assert r.culprit == "Shader::CompileVariant"
    assert "; all 8 within the first " in r.title and " of gameplay, none after." in r.title


def test_a_one_off_leads_the_frames_that_catch_up_after_it() -> None:
    """sectionstream-play: a ~21 ms section activation in 3 frames, then 2-3 frames each running the fixed physics
    step 3-4 times at its usual cost: the activation is the cause, the extra steps its echo."""
    with open_capture(DATA / "sectionstream-play.tracy") as c:
        f = c.frames(as_frame=True)
        load = c.zones(name="Level::StreamSection", as_frame=True)
        steps = c.zones(name="Physics::Substep", as_frame=True)
        r = c.slow_frames()
    long_loads = load[load["duration_ns"] > 15e6]
    assert len(long_loads) == 3  # the tables: three activations of ~21 ms
    starts = f["start_ns"].to_numpy()
    per_frame = np.bincount(np.searchsorted(starts, steps["start_ns"].to_numpy(), "right") - 1, minlength=len(f))
    assert per_frame.max() >= 4 and (per_frame >= 3).sum() >= 4  # and frames running 3-4 steps after them
    assert r.culprit == "Level::StreamSection" and r.culprit_thread == "Main thread"
    assert "; the frames after each catch up: Physics::Substep (Main thread)" in r.title
    assert "more runs at their usual cost" in r.title
