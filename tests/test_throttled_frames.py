"""A game whose window lost focus for a while (tests/data/tidecaller-*.tracy, see README.md there): its loop slept
~100 ms a frame on purpose. Those frames are long by design, not hitches: slow_frames leaves them out and says why,
so the real hitches stand out, and a longer background stretch is no regression."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_throttled_stretch_is_left_out_and_the_real_hitches_remain() -> None:
    with open_capture(DATA / "tidecaller-minimized.tracy") as c:
        r = c.slow_frames()
    assert r.title.startswith("4 slow frame(s) of 311 gameplay frames")
    assert "20 frame(s) 2.976-4.976 s left out: the loop slept in Platform::ThrottleBackground (Main thread" in r.title
    assert "slowed down on purpose (as the program logged 'Window lost focus: throttling to 10 fps')" in r.title
    assert r.culprit == "Physics::RebuildBroadphase" and list(r.table["frame"]) == [61, 113, 209, 261]


def test_a_longer_background_stretch_is_not_a_regression() -> None:
    with open_capture(DATA / "tidecaller-regress_a.tracy") as a, open_capture(DATA / "tidecaller-regress_b.tracy") as b:
        cmp = a.compare(b)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("1 zone(s) regressed; most impact: AI::UpdatePerception 1.58x per call")
    # Jobs::Dispatch, 1.06x per call with fewer calls (-6.65 ms in total), is a sliver of a frame: listed below
    assert any(x.startswith("Regressed by under 0.1%") and "Jobs::Dispatch" in x for x in cmp.lines)
    assert "hitches more often" not in cmp.summary() and "ThrottleBackground" not in lead
