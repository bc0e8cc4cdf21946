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
