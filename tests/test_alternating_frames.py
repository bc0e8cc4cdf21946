"""Frames that alternate short and long because work runs on every second frame only
(tests/data/decimate-spread.tracy, decimate-every2.tracy, warband-alternating.tracy; README.md there). Expectations
come from the plain tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _frames(path: Path) -> np.ndarray:
    with open_capture(path) as c:
        return c.frames(as_frame=True)["duration_ns"].to_numpy()[1:-1]


def test_alternating_frames_with_a_smooth_mean_are_the_answer_when_none_is_slow() -> None:
    d = _frames(DATA / "decimate-every2.tracy")
    long = d > 16.8e6
    assert (long[1:] != long[:-1]).mean() > 0.95 and 16e6 < d.mean() < 18e6  # the tables: alternating, ~60 fps
    with open_capture(DATA / "decimate-every2.tracy") as c:
        think = c.zones(name="AI::Think", as_frame=True)
        assert len(think) == 148 and float(np.median(think["duration_ns"])) > 16e6
        r = c.slow_frames()
        s = c.summary()
    assert r.title.startswith("0 slow frame(s) of 296 gameplay frames")
    assert "The frames alternate short and long, 8.38 ms / 25.27 ms (medians), and their mean 16.93 ms (59.1 fps)" in (
        r.title
    )
    assert r.title.endswith("hides it: AI::Think (Main thread) runs every second frame, 16.79 ms a run.")
    assert r.lines[0].startswith("Alternating frames: 148 short (median 8.38 ms) and 148 long (median 25.27 ms)")
    assert "AI::Think (Main thread) runs in 148 of the 148 long frames and 0 of the short ones" in r.lines[0]
    assert "The frames alternate short and long" in s.findings[0][1]


def test_compare_leads_with_frames_that_began_to_alternate() -> None:
    with open_capture(DATA / "decimate-spread.tracy") as a:
        assert len(a.zones(name="AI::Think", as_frame=True)) == 293  # the tables: every frame in A
        r = a.compare(DATA / "decimate-every2.tracy")
    assert r.title.startswith(
        "B (decimate-every2.tracy) vs A (decimate-spread.tracy): B's frames alternate 8.38 ms / 25.27 ms (medians; "
        "mean 16.93 ms) where A's do not (median 16.91 ms): AI::Think runs every second frame in B (293 -> 148 runs, "
        "8.50 ms -> 16.79 ms a run); "
    )


def test_paced_frames_that_miss_every_second_interval_name_the_work_not_the_wait() -> None:
    from tracy_mcp.analysis.alternating_frames import alternating

    with open_capture(DATA / "warband-alternating.tracy") as c:
        x = alternating(c)
    assert x is not None and x.zone == "AI::UpdateSquads" and x.in_long == x.n_long == 120 and x.in_short == 0
