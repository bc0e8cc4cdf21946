"""The analyses on a game server's captures (tests/data/gamesrv-*.tracy, see README.md there): a fixed 30 Hz tick on
the main thread that sleeps until the next tick boundary (Tick::WaitForNextTick), AI jobs on three workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"
PERIOD = 33_333_333


def test_ticks_that_overran_the_period_are_counted_beside_the_slow_ones() -> None:
    """path_burst: after each NPC wave 2-3 ticks run 38-51 ms. A tick that overruns starts the next one at once, so
    most stay under 1.5 periods, the slow threshold; slow_frames counts every tick whose work passed the period."""
    with open_capture(DATA / "gamesrv-path_burst.tracy") as c:
        res = c.slow_frames()
        ticks = c.zones(name="Server::Tick")
    over = int((ticks["duration_ns"].to_numpy() > 1.05 * PERIOD).sum())
    assert res.culprit == "AI::Pathfind"
    # far more than the slow frames: it leads, in the title (once: not repeated in the lines)
    line = res.title[res.title.index("Work over the 33.33 ms period") :]
    assert f": {over} of " in line and "frames overran their interval" in line
    assert not any(x.startswith("Work over the 33.33 ms period") for x in res.lines)


def test_frames_that_leave_the_period_as_the_work_grows_are_told_as_growth_not_a_step() -> None:
    """snapshot_growth: players join all run and the tick's work grows with them; the frames hold at the period
    until the work passes it, then rise with it (no step). frame_trend says the work grew all run and the wait
    absorbed it, where the frames left the period, and names the program's plot it follows (players), not a memory
    plot."""
    with open_capture(DATA / "gamesrv-snapshot_growth.tracy") as c:
        trend = c.frame_trend()
        ticks = c.zones(name="Server::Tick")
    assert trend.title.startswith("The work per frame (the frame minus Tick::WaitForNextTick, its pacing wait) grew")
    # no step: the frames leave the period where the work passes it, and then follow the work up
    assert "Frame time leaves its 33.33 ms period at frame 119 (4.080 s), where the work passes it" in trend.title
    assert "then rising with the work to 51.77 ms in the last tenth" in trend.title
    assert "at once" not in trend.title and trend.step_frame == 119
    assert "it follows plot players" in trend.title
    d = ticks["duration_ns"].to_numpy()
    assert np.median(d[: len(d) // 10]) < PERIOD / 2 < PERIOD < np.median(d[-len(d) // 10 :])
