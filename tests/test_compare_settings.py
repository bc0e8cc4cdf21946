"""A run that got slower because a setting changed: the messages that say so (tests/data/bakejob-*, see README.md
there)."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_one_off_messages_are_told_by_their_text() -> None:
    """Messages are compared by kind (numbers masked); a kind logged once is shown as its text, and one logged once
    in each run with other numbers is told as a change: the setting behind the slower stage."""
    with open_capture(DATA / "bakejob-regress_a.tracy") as a, open_capture(DATA / "bakejob-regress_b.tracy") as b:
        cmp = a.compare(b)
    line = next(x for x in cmp.lines if x.strip().startswith("messages "))
    assert "only in A: 'Config: lightmap samples 64'" in line
    assert "only in B: 'Config: lightmap samples 128 (was 64; quality preset 'production')'" in line
    assert (
        "logged once in each, changed: 'BuildLightmaps: 40 lightmaps, 64 samples per texel, on 4 workers' -> "
        "'BuildLightmaps: 40 lightmaps, 128 samples per texel, on 4 workers'" in line
    )
    assert "most impact: Bake::LightmapTexel 1.99x per call" in cmp.title
