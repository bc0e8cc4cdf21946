"""Slow frames on a timer, and behind a chain of waits (tests/data/periodic-every2s.tracy, waitchain-chain.tracy, see
README.md there): "every couple of seconds" is answered with the period, beside the lock wait and its holder; a
main thread that waits for a thread that itself waits leads to the work at the end of the chain."""

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
    # each hitch logs a numbered "telemetry: batch N": a timer's log line or an event, the capture cannot tell
    assert title.endswith(
        '; they come every 2.00 s (1.99-2.01 s apart), each with the message "telemetry: batch 1 ..." (4 of 4 slow '
        "frames)."
    )


def test_a_wait_behind_a_wait_leads_to_the_work_at_the_end_of_the_chain() -> None:
    with open_capture(DATA / "waitchain-chain.tracy") as c:
        r = c.slow_frames()
    assert r.title.startswith("29 slow frame(s) of 262 gameplay frames")  # frame 1 waits for the threads to start
    assert "culprit IO::ReadFile (waitchain.cpp:164) (IO thread), typical 1.06 ms per frame vs 24.60 ms" in r.title
    assert "Render::WaitForRenderThread (Main thread) waits for it there" in r.title
    assert any(
        "waits for IO::ShadowCacheLock" in x and "held meanwhile by IO thread in IO::ReadFile" in x for x in r.lines
    )
