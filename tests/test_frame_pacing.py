"""Frame pacing on a vsync-paced game (tests/data/warband-*.tracy, README.md there): Render::Present sleeps to the
next 16.67 ms boundary, so a frame whose work passes it takes 33.3 ms.

- alternating: AI::UpdateSquads runs every other frame and pushes those frames over the interval (16.7 / 33.3 ms).
- jitter: Streaming::Poll now and then takes 4.5-11 ms, and those 27 frames miss the interval.
- regress_a / regress_b: Physics::SolveContacts +1.5 ms takes the main thread's work just past the interval; the
  render thread's passes grew more in total but run beside it.

And a limiter that sleeps to a deadline (tests/data/beat-*.tracy): two occasional tasks meet every 77th frame, which
then takes 1.37x the median."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _gameplay(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(gameplay frame indices, their durations): the frames holding a Game::Frame zone."""
    with open_capture(path) as c:
        f = c.frames(as_frame=True)
        gf = c.zones(name="Game::Frame", as_frame=True)
    idx = np.unique(np.searchsorted(f["start_ns"].to_numpy(), gf["start_ns"].to_numpy(), "right") - 1)
    return idx, f["duration_ns"].to_numpy()[idx]


def test_frames_that_alternate_with_normal_ones_are_slow_and_their_zone_named() -> None:
    idx, d = _gameplay(DATA / "warband-alternating.tracy")
    long_ = idx[d > 25_000_000]
    assert len(long_) >= 100 and (np.diff(long_) == 2).mean() > 0.95  # the tables: every other frame
    with open_capture(DATA / "warband-alternating.tracy") as c:
        r = c.slow_frames()
    assert "Render::Present paces the frames" in r.title
    assert "culprit AI::UpdateSquads (Main thread)" in r.title
    assert r.title.endswith("; the slow frames come every other frame.")
    assert any(x.startswith("Slow frames come every other frame (") for x in r.lines)


def test_the_pacing_wait_that_grows_in_a_missed_frame_is_no_culprit() -> None:
    with open_capture(DATA / "warband-jitter.tracy") as c:
        polls = c.zones(name="Streaming::Poll", as_frame=True)["duration_ns"].to_numpy()
        r = c.slow_frames()
    assert int((polls > 4_000_000).sum()) == 27  # the tables: 27 long polls
    assert r.title.startswith("27 slow frame(s)")
    assert "culprit Streaming::Poll (Main thread)" in r.title
    assert "Streaming::Poll grew most in 27 of 27 analysed slow frames" in "\n".join(r.lines)


def test_work_that_crossed_the_interval_names_the_frame_threads_zone() -> None:
    with open_capture(DATA / "warband-regress_a.tracy") as a:
        r = a.compare(DATA / "warband-regress_b.tracy")
    assert "median gameplay frame 16.67 ms -> 33.33 ms" in r.title
    assert "crossed the 16.67 ms interval, so each frame waits for the next one" in r.title
    assert "on Main thread, Physics::SolveContacts grew most" in r.title


def test_a_limiter_frame_late_by_a_third_is_slow_and_both_tasks_that_met_are_named() -> None:
    with open_capture(DATA / "beat-hitch.tracy") as c:
        res = c.slow_frames()
        d = c.frames()["duration_ns"].to_numpy()
        ai = c.zones(name="AI::Replan")["start_ns"].to_numpy()
        st = c.zones(name="Streaming::Tick")["start_ns"].to_numpy()
        starts = c.frames()["start_ns"].to_numpy()
    # the plain tables: the frames over 20 ms are those where both tasks start
    both = np.intersect1d(np.searchsorted(starts, ai, "right") - 1, np.searchsorted(starts, st, "right") - 1)
    assert sorted(np.flatnonzero(d[1:-1] > 20e6) + 1) == sorted(both.tolist()) == [77, 154, 231, 308, 385]
    assert res.title.startswith("5 slow frame(s) of 393 gameplay frames (1..393 of set 'Frame', over 1.2x the median")
    assert "culprit AI::Replan (Main thread), absent from typical frames" in res.title
    assert "with Streaming::Tick, 7.63 ms..7.75 ms in the slow frames, absent from typical frames: both run in 5 " in (
        res.title
    )
    assert "the 51 frames with AI::Replan alone and the 30 with Streaming::Tick alone are not slow" in res.title
    assert "the frame is slow only when the two meet" in res.title


def test_staggering_the_two_tasks_reads_as_fewer_hitches() -> None:
    with open_capture(DATA / "beat-regress_a.tracy") as a, open_capture(DATA / "beat-regress_b.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
    assert lead.startswith("B hitches less often: 1 slow frame(s), vs 4 in A, every 1.30 s")
    assert "A's from AI::Replan (Main thread): with Streaming::Tick" in lead
    assert "the frame is slow only when the two meet" in lead


def test_a_limiter_that_oversleeps_is_the_answer_not_the_work() -> None:
    """gemfall-ship: ~8.7 ms of work, then Frame::Limit sleeps ~2.6 ms past the 16.67 ms deadline: no frame stands
    out, every frame is long, and the pacer (not a zone of work) is why."""
    with open_capture(DATA / "gemfall-ship.tracy") as c:
        f = c.frames(as_frame=True)["duration_ns"].to_numpy()[1:-1]
        lim = c.zones(name="Frame::Limit", as_frame=True)["duration_ns"].to_numpy()
        assert (f > 16_666_667).mean() > 0.95 and np.median(f) - np.median(lim) < 10_000_000  # the tables
        r = c.slow_frames()
        budget = c.slow_frames(budget_ns=16_666_667)
        s = c.summary()
    said = "The frame-pacing wait, not the work, sets the frame time: Frame::Limit (Main thread)"
    assert said in r.title and "still end past it, by a median 2." in r.title
    assert budget.title.startswith(said)  # over the 60 fps budget: the pacer leads, not the zones that grew
    assert s.findings[0][1].startswith("0 slow frame(s)") and said in s.findings[0][1]


def test_a_limiter_that_paces_to_its_deadline_or_vsync_is_not_told_as_oversleeping() -> None:
    for name in ("gemfall-regress_a", "warband-alternating", "beat-hitch"):
        with open_capture(DATA / f"{name}.tracy") as c:
            assert "sets the frame time" not in c.slow_frames().title, name


def test_compare_names_the_limiter_that_oversleeps_in_b() -> None:
    with open_capture(DATA / "gemfall-regress_a.tracy") as a, open_capture(DATA / "gemfall-regress_b.tracy") as b:
        title = a.compare(b).title
    assert "(+16.1%); in B the frame-pacing wait, not the work, sets the frame time: Frame::Limit" in title
    assert "B's limiter oversleeps" in title


def test_compare_counts_the_missed_intervals_when_frames_two_intervals_long_straddle_twice_the_median() -> None:
    """sparks-burst: b's bursts make 20.0-20.7 ms frames of a 10.06 ms loop (one missed interval, about half of
    them a hair over 2x the median): b hitches more often, not less."""
    with open_capture(DATA / "sparks-burst_a.tracy") as a, open_capture(DATA / "sparks-burst_b.tracy") as b:
        fb = b.frames(as_frame=True)["duration_ns"].to_numpy()
        assert ((fb > 15_000_000) & (fb < 2 * 10_060_000)).sum() >= 5  # the tables: misses under 2x
        title = a.compare(b).title
    assert title.startswith("B (sparks-burst_b.tracy) vs A (sparks-burst_a.tracy): B hitches more often: 19 slow")
    assert "B's from Particles::Simulate (Main thread)" in title


def test_slow_frames_whose_time_is_outside_every_zone_say_where_the_gap_is() -> None:
    with open_capture(DATA / "cfgreload-gap.tracy") as c:
        m = c.messages(as_frame=True)
        assert (m["text"] == "config reloaded").sum() == 8  # the tables: eight reloads
        r = c.slow_frames()
    assert "most of the extra time is outside every zone on Main thread: +24.29 ms" in r.title
    assert "it is one gap between Game::Update and Render::Submit in 8 of 8 frames (a median 25.08 ms)" in r.title
    assert "; the zone that grew most: Render::UploadConstants (Main thread)" in r.title


def test_a_loop_that_sleeps_a_fixed_interval_after_its_work_is_told() -> None:
    """ticksleep: 50 ms of sleep after 1-3 ms of work makes 52 ms ticks; sleeping to a deadline makes 50 ms."""
    with open_capture(DATA / "ticksleep-fixed.tracy") as c:
        s = c.zones(name="Server::Sleep", as_frame=True)["duration_ns"].to_numpy()
        f = c.frames(as_frame=True)["duration_ns"].to_numpy()[1:-1]
        assert np.median(s) > 50_000_000 and np.median(f) > 51_000_000  # the tables: the sleep, and the longer tick
        r = c.slow_frames()
        summary = c.summary()
    said = "The loop sleeps a fixed time, not to a deadline: Server::Sleep (Main thread) lasts a median 50.13 ms"
    assert said in r.title and "a median 52.15 ms (19.2 Hz) instead of 50.00 ms" in r.title
    assert said in summary.findings[0][1]
    with open_capture(DATA / "ticksleep-deadline.tracy") as c:
        assert "sleeps a fixed time" not in c.slow_frames().title
