"""Slow frames with two recurring causes (tests/data/emberfall-regress_b.tracy, README.md there): the second is in
the title beside the culprit, not only in the lines."""

from __future__ import annotations

from pathlib import Path

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
