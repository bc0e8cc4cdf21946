"""Slow frames beyond one culprit over 2x (tests/data/emberfall-regress_b.tracy, mildhitch-bench.tracy,
wavespawn-horde.tracy; README.md there): a second recurring cause, a few mild hitches of an unpaced loop, one event
that touches several systems."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_second_recurring_cause_is_named_in_the_title() -> None:
    with open_capture(DATA / "emberfall-regress_b.tracy") as c:
        res = c.slow_frames()
        saves = c.zones(name="Save::Autosave")
        frames = c.frames()
    k = frames["start_ns"].searchsorted(saves["start_ns"], side="right") - 1
    assert sorted(k.tolist()) == [45, 165, 285]  # the plain tables: the autosave runs in these frames
    assert "culprit Navmesh::Rebuild (Main thread)" in res.title
    assert "; a second cause, in frames 45, 165, 285: Save::Autosave (Main thread) 0 ns -> 40.01 ms..40.02 ms" in (
        res.title
    )


def test_a_few_mild_hitches_well_above_the_rest_of_an_unpaced_loop_are_slow() -> None:
    """mildhitch-bench: no vsync; 5 of 400 frames take ~19.7 ms against a median of 11.8 ms (1.67x, under 2x), the
    rest at most 1.2x: a level of their own across a wide gap."""
    with open_capture(DATA / "mildhitch-bench.tracy") as c:
        res = c.slow_frames()
        d = c.frames()["duration_ns"].to_numpy()[2:-1]
    assert int((d > 1.5 * np.median(d)).sum()) == 5  # the plain tables
    assert res.title.startswith("5 slow frame(s) of 400 gameplay frames")
    assert "the gap between the frame times' two levels: 5 frames at 19.57 ms..19.83 ms" in res.title
    assert "culprit Decals::RebuildAtlas (Main thread), absent from typical frames" in res.title


def test_one_event_that_touches_several_systems_names_them_all() -> None:
    """wavespawn-horde: each spawn wave adds ~6, 5, 5 and 4 ms to four systems under four parents in one frame."""
    with open_capture(DATA / "wavespawn-horde.tracy") as c:
        res = c.slow_frames()
        bodies = c.zones(name="Physics::AddBodies")
    assert float(bodies["duration_ns"].max()) > 4.5e6  # the plain tables: the wave frame's physics part
    assert res.title.startswith("5 slow frame(s) of 400 gameplay frames")
    assert "culprit AI::RegisterAgents (Main thread)" in res.title
    assert (
        "; with Physics::AddBodies +5.03 ms, Render::CreateInstances +4.97 ms, Audio::LoadVoices +4.01 ms in the "
        in (res.title)
    )
    assert "same frames: together 99.1% of the self time added on Main thread" in res.title
