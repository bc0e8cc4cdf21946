"""A subsystem that got slower across several zones, none of which stands out (tests/data/physgame-regress_*.tracy,
see README.md there): the comparison names the namespace the regressions share, with its own time."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_regressions_that_share_a_prefix_name_the_subsystem() -> None:
    with open_capture(DATA / "physgame-regress_a.tracy") as a, open_capture(DATA / "physgame-regress_b.tracy") as b:
        cmp = a.compare(b)
    assert "6 of them in Anim:: (+1.26 s of own time there in total, 1.43x-1.81x per call)" in cmp.title
    line = next(x for x in cmp.lines if x.startswith("By namespace"))
    assert line.split(": ", 1)[1].startswith("Anim:: 2.06 s -> 3.32 s (+1.26 s)")


def test_the_other_regressions_follow_the_one_with_most_impact_in_the_title() -> None:
    with open_capture(DATA / "physgame-regress_a.tracy") as a, open_capture(DATA / "physgame-regress_b.tracy") as b:
        cmp = a.compare(b)
        solve = [c.zones(name="Anim::SolveIK")["duration_ns"].mean() for c in (a, b)]
    assert 1.7 < solve[1] / solve[0] < 1.9  # the plain tables: Anim::SolveIK ~1.8x per call
    assert "most impact: Anim::Update 1.57x per call (2.30 ms -> 3.61 ms)" in cmp.title
    assert (
        "; also slower: Anim::SampleClips 1.53x per call (0.370 ms -> 0.565 ms), Anim::SolveIK 1.81x per call "
        "(0.219 ms -> 0.396 ms), Anim::BlendPoses 1.66x per call (0.266 ms -> 0.442 ms);"
    ) in cmp.title
