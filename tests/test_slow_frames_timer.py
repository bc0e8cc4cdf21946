"""Slow frames on a timer (tests/data/periodic-every2s.tracy, see README.md there): "every couple of seconds" is
answered with the period, beside the lock wait and its holder."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_slow_frames_on_a_timer_give_the_period() -> None:
    with open_capture(DATA / "periodic-every2s.tracy") as c:
        title = c.slow_frames().title
    assert title.startswith("4 slow frame(s) of 443 gameplay frames")
    assert "culprit Game::UpdateEntities (Main thread)" in title
    assert (
        "it waits there for lock EntityRegistry, held meanwhile by Telemetry in Telemetry::SerializeEntities" in title
    )
    assert title.endswith("; they come every 2.00 s (1.99-2.01 s apart): something on a timer.")
