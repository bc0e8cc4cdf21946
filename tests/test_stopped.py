"""A program that stopped making frames (tests/data/frostline-*.tracy, see README.md there): the summary leads with
where it was stuck, the zones still open when the capture ended; a loading screen at 10 fps is no hang."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_hang_leads_with_the_zones_still_open() -> None:
    with open_capture(DATA / "frostline-cv_hang.tracy") as c:
        method, first = c.summary().findings[0]
    assert method == "ctx.crash_report()"
    assert first.startswith("STOPPED: no frame for the last 2.62 s of the capture (the last frame mark at 4.474 s")
    assert "Main thread in Game::Frame > Jobs::WaitForCompletion (open 2.61 s)" in first
    assert "Worker 1 in Job::StreamTexture > IO::ReadBlocking > IO::Retry" in first


def test_a_slow_loading_screen_is_not_a_hang() -> None:
    with open_capture(DATA / "frostline-not_hung.tracy") as c:
        findings = c.summary().findings
        slow = c.slow_frames()
    assert not any(t.startswith("STOPPED") for _, t in findings)
    assert "26 frame(s) 3.798-6.398 s left out: the loop slept in Frame::Throttle" in slow.title
