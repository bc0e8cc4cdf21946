"""The frame-rate figures of the summary (tests/data/fpsstats-session.tracy, vsyncmiss-drops.tracy, see README.md
there): average fps over gameplay frames, the 1% low both ways, and the frames that missed 60 fps; with vsync the
misses are the frames beyond the interval, not the ones at it by a few microseconds."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.frame_rate import frame_rate_line

DATA = Path(__file__).parent / "data"


def test_frame_rate_over_gameplay_frames() -> None:
    with open_capture(DATA / "fpsstats-session.tracy") as c:
        line = frame_rate_line(c)
        text = c.summary().summary()
    assert line in text
    assert line.startswith("Frame rate over the 494 gameplay frames (2..495, 7.01 s; left out: start-up 2, trailing")
    assert "70.5 fps average (frames / their time)" in line
    assert "1% low 8.3 fps (p99 frame 120.6 ms) or 6.6 fps (mean of the slowest 5 frame(s), 150.4 ms)" in line
    assert "97 frames over 16.67 ms (60 fps; 6 of them by under 2%)" in line


def test_vsynced_frames_at_the_interval_are_not_misses() -> None:
    with open_capture(DATA / "vsyncmiss-drops.tracy") as c:
        line = frame_rate_line(c)
    assert "51.8 fps average" in line
    assert "41 frames over 16.67 ms (60 fps) by more than 2% (144 over it at all, most at it: paced frames)" in line
