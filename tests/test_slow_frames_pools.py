"""Slow frames whose cause runs on another thread: frame sets in phase, a job pool held by long jobs, workers that
compete for two cores (tests/data/leveled-top_hitch.tracy, holblock-hol.tracy, cpucontention-loader_bursts.tracy,
see README.md there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_frame_set_woken_with_others_by_vsync_names_its_own_threads_culprit() -> None:
    """An editor's two viewports and its UI loop all start on the same vsync; the 'Viewport Top' set's hitches are
    the grid rebuild on ViewportRender 1, not the UI loop that covers more of the frame."""
    with open_capture(DATA / "leveled-top_hitch.tracy") as c:
        top = c.slow_frames(frame_set="Viewport Top")
        persp = c.slow_frames(frame_set="Viewport Perspective")
        grid = c.zones(name="Grid::Rebuild", as_frame=True)
    assert set(grid["thread"].astype(str)) == {"ViewportRender 1"}
    assert (top.culprit, top.culprit_thread) == ("Grid::Rebuild", "ViewportRender 1")
    assert persp.culprit_thread == "ViewportRender 0"


def test_frame_jobs_queued_behind_long_jobs_on_part_of_the_pool_are_told() -> None:
    """Two 60 ms save-compression jobs hold two of three workers every 0.8 s; the frame's 24 short jobs squeeze onto
    the third and the main thread's wait grows from 6 ms to about 20."""
    with open_capture(DATA / "holblock-hol.tracy") as c:
        r = c.slow_frames()
        saves = c.zones(name="Job::CompressSaveChunk", as_frame=True)
    assert len(saves) == 14 and saves["duration_ns"].median() > 50e6
    assert "Jobs::WaitForFrameJobs (Main thread) waits for it there" in r.title
    held = "; most Worker threads were busy in Job::CompressSaveChunk then: the frame's jobs queued behind it"
    assert held in r.title
    line = next(x for x in r.lines if x.startswith("When Jobs::WaitForFrameJobs began in the slow frames"))
    assert "the Worker threads were busy with: Job::CompressSaveChunk x" in line


def test_slow_runs_in_bursts_of_more_threads_than_cores_are_told_as_competing_for_the_cpu() -> None:
    """Two skinning workers spin ~2 ms jobs; two loader threads decompress in bursts on a 2-core machine, no lock:
    the jobs take twice as long in the bursts."""
    with open_capture(DATA / "cpucontention-loader_bursts.tracy") as c:
        r = c.slow_frames(frame_set="Job::Skinning")
        cores = c.info()["cpu_cores"]
        jobs = c.zones(name="Job::Skinning", as_frame=True)
    assert cores == 2 and np.percentile(jobs["duration_ns"], 99) > 2.5 * jobs["duration_ns"].median()
    bursts = next(x for x in r.lines if x.startswith("The slow runs come in"))
    assert "; 4 threads run zones at once in them, on a machine with 2 CPU core(s): they compete for the CPU." in bursts


def test_a_job_that_lands_on_any_worker_is_measured_across_the_pool() -> None:
    """tests/data/towergrid-run.tracy: Tower::RebuildTargetGrid runs once a frame on whichever worker takes it, so per
    thread it is 'absent from typical frames' everywhere; across the pool it takes ~2 ms, and ~34 ms in the four
    slow frames."""
    with open_capture(DATA / "towergrid-run.tracy") as c:
        z = c.zones(name="Tower::RebuildTargetGrid", as_frame=True)
        big = z[z["duration_ns"] > 30e6]
        assert len(big) == 4 and big["thread"].astype(str).nunique() == 3  # the tables: three different workers
        assert float(z["duration_ns"].median()) < 2.5e6
        r = c.slow_frames()
    assert r.title.startswith("4 slow frame(s) of 440 gameplay frames")
    assert (
        "culprit Tower::RebuildTargetGrid (Worker 1, Worker 2, Worker 0; times summed over the Worker threads), "
        "typical 2.02 ms per frame vs 33.02 ms..36.64 ms in the slow frames; Jobs::Wait (Main thread) waits for it"
    ) in r.title
    assert "Tower::RebuildTargetGrid grew most in 4 of 4 analysed slow frames." in r.lines
    # about 2 s apart, but each follows the player's action (logged the frame before): no timer
    assert r.title.endswith(
        'each comes with the message "Player placed tower ..." (4 of 4 slow frames), 2.01 s apart: an event, not a '
        "timer."
    )


def test_an_event_whose_messages_share_two_words_is_an_event() -> None:
    """skirmish-stutter: each slow frame logs "player placed <building>" (Barracks, War Factory, Refinery: the third
    word differs), and the kind is logged no more often than the slow frames come."""
    with open_capture(DATA / "skirmish-stutter.tracy") as c:
        r = c.slow_frames()
        placed = c.messages()["text"].astype(str).str.startswith("player placed").sum()
    assert r.culprit == "Nav::BakeRegion" and placed <= 3 * 3
    assert r.title.endswith(
        'each comes with the message "player placed ..." (3 of 3 slow frames), 2.98 s apart: an event, not a timer.'
    )


def test_hitches_at_irregular_times_name_the_message_each_comes_with() -> None:
    with open_capture(DATA / "deepdelve-play.tracy") as c:
        r = c.slow_frames()
        desc = c.messages()["text"].astype(str).str.startswith("Descending to floor").sum()
    assert r.culprit == "Dungeon::GenerateFloor" and desc == 5
    assert r.title.endswith(
        'each comes with the message "Descending to floor ..." (5 of 5 slow frames), at irregular times.'
    )
