"""compare_series on a week of nightly benchmark captures (tests/data/nightly-*.tracy, see README.md there):
Wednesday's Anim::Evaluate is 1.4x per call, Friday calls Render::BuildDrawLists twice per frame; Tuesday and
Thursday are noise, and each night has one unrelated hitch."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracy_mcp

DATA = Path(__file__).parent / "data"
DAYS = ("mon", "tue", "wed", "thu", "fri")


def test_a_week_of_nightly_captures_has_two_steps() -> None:
    r = tracy_mcp.compare_series([DATA / f"nightly-{d}.tracy" for d in DAYS])
    steps = r.tables["steps"]
    assert steps["moved"].tolist() == [False, True, False, True]
    assert "2 step(s) beyond noise: nightly-tue.tracy -> nightly-wed.tracy +1.27 ms (+8.6%)" in r.title
    text = r.summary()
    assert "most impact: Anim::Evaluate 1.41x per call" in text
    assert "Render::BuildDrawLists is called 2.00x as often" in text
    assert text.splitlines()[-1].startswith("First to last (nightly-mon.tracy -> nightly-fri.tracy)")
    assert list(r.table["frames"]) == [260] * 5


def test_one_capture_is_no_series() -> None:
    with pytest.raises(ValueError, match="at least two"):
        tracy_mcp.compare_series([DATA / "nightly-mon.tracy"])
