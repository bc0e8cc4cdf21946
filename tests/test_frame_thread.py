"""The frame loop's thread, when other threads' zones start with the frame too, and the work it waits for
(tests/data/navtiles-play.tracy, clockgame-regress_b.tracy, fpsstats-session.tracy, clothwait-stage.tracy;
README.md there). Expectations come from the plain tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _slow_frames_with(c: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(slow gameplay frames, max duration of `name` in each) from the plain tables."""
    f = c.frames(as_frame=True)  # type: ignore[attr-defined]
    z = c.zones(name=name, as_frame=True)  # type: ignore[attr-defined]
    gameplay = f.iloc[2:-1]
    slow = gameplay[gameplay["duration_ns"] > 2 * gameplay["duration_ns"].median()]
    longest = [
        z[(z["start_ns"] >= s) & (z["start_ns"] < s + d)]["duration_ns"].max()
        for s, d in zip(slow["start_ns"], slow["duration_ns"], strict=True)
    ]
    return slow.index.to_numpy(), np.asarray(longest, dtype=float)


def test_workers_started_by_the_frame_do_not_take_the_frame_loop() -> None:
    """navtiles: Worker 0-2 start their jobs right after the main thread marks a frame, and a worker's job can go
    to another worker in a slow frame; the frame loop is still the main thread, where the hitch is."""
    with open_capture(DATA / "navtiles-play.tracy") as c:
        slow, rebuild = _slow_frames_with(c, "Nav::RebuildTile")
        assert len(slow) == 6 and (rebuild > 25e6).all()  # the tables: each slow frame holds a ~30 ms rebuild
        r = c.slow_frames()
    assert r.culprit == "Nav::RebuildTile" and r.culprit_thread == "Main thread"
    assert "outside every zone" not in r.title
    assert not any("Nav::RebuildTile (Main thread) grew most" in line for line in r.lines)


def test_a_render_thread_whose_frame_work_was_late_does_not_take_the_frame_loop() -> None:
    """clockgame-regress_b: the main thread marks frames and writes a 22 ms autosave in one of them; the render
    thread, one frame behind, runs none of its once-a-frame zones in that frame."""
    with open_capture(DATA / "clockgame-regress_b.tracy") as c:
        slow, save = _slow_frames_with(c, "Save::WriteSnapshot")
        assert len(slow) == 1 and save[0] > 20e6
        r = c.slow_frames()
    assert r.culprit == "Save::WriteSnapshot" and r.culprit_thread == "Main thread"


def test_a_stall_that_takes_the_marking_threads_whole_frame_keeps_it_the_frame_loop() -> None:
    """fpsstats-session: loading frames hold only Loader::LoadChunk on the main thread (its other once-a-frame
    zones do not run there at all), while the render thread runs its own once."""
    with open_capture(DATA / "fpsstats-session.tracy") as c:
        slow, load = _slow_frames_with(c, "Loader::LoadChunk")
        assert len(slow) == 7 and (load > 100e6).all()
        r = c.slow_frames()
    assert r.culprit == "Loader::LoadChunk" and r.culprit_thread == "Main thread"


def test_the_job_a_frame_waits_for_is_found_under_wrappers_and_before_a_short_last_one() -> None:
    """clothwait: the main thread waits in Jobs::WaitForFrame for a 33-37 ms cloth job under three generic wrapper
    zones, on whichever worker ran it; a short job ends after it, just before the wait does."""
    with open_capture(DATA / "clothwait-stage.tracy") as c:
        slow, cloth = _slow_frames_with(c, "Cloth::SolveConstraints")
        assert len(slow) == 5 and (cloth > 30e6).all()
        r = c.slow_frames()
    assert r.culprit == "Cloth::SolveConstraints" and r.title.count("Worker ") == 3  # it ran on all three
    assert "Jobs::WaitForFrame (Main thread) waits for it there" in r.title
    assert any("banner_service_park, 160 iterations" in line for line in r.lines)
