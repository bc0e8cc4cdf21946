"""Where one thread spends its time (tests/data/streamthread-play.tracy, README.md there): thread_report(thread=...)
gives the thread's zones by own time as shares of the window, the time outside every zone, and its lock waits
with who held the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracy_mcp import open_capture
from tracy_mcp.errors import NotFoundError
from tracy_mcp.server.tools_analysis import analysis_arguments

DATA = Path(__file__).parent / "data"


def test_one_threads_time_by_zone_idle_and_lock_waits() -> None:
    with open_capture(DATA / "streamthread-play.tracy") as c:
        res = c.thread_report(thread="Streaming")
        lo, hi = res.window
        z = c.zones(thread="Streaming", start=lo, end=hi)
    reads = z[z["name"] == "IO::ReadBlock"]  # a leaf: its own time is its length, clipped to the window
    share = float((reads["end_ns"].clip(upper=hi) - reads["start_ns"].clip(lower=lo)).sum()) / (hi - lo)
    assert res.title.startswith("Streaming over gameplay frames 2..330 (5.48 s): inside zones 92.5% of the time")
    assert f"by own time: IO::ReadBlock {share:.1%} (" in res.title
    assert "Asset::Decompress 24.5%" in res.title
    assert "Streaming::LoadAsset 6.9% (380.8 ms, 306 runs, mean 1.24 ms), 91.3% of it waiting for locks" in res.title
    assert (
        "waiting for locks 6.3% (347.5 ms), most for UploadQueue::m_mutex in Streaming::LoadAsset, held meanwhile by "
        "Render in Render::UpdateResidency"
    ) in res.title
    assert any(x.startswith("All threads: Busiest thread: Render") for x in res.lines)


def test_thread_report_takes_a_thread_from_the_tool_and_names_a_missing_one() -> None:
    assert analysis_arguments("thread_report", thread="Streaming") == {"thread": "Streaming"}
    with open_capture(DATA / "streamthread-play.tracy") as c, pytest.raises(NotFoundError, match="no thread"):
        c.thread_report(thread="NoSuchThread")


def test_work_on_another_thread_is_no_culprit_when_the_frame_did_not_wait_for_it() -> None:
    """budgetrace-heavy: the slow frame's 50 ms are outside every zone on the main thread while a 45 ms file read
    ran on the streaming thread; the main thread's wait did not grow, so the gap leads and the read is only the
    zone that grew most, without a wait it was never waited in."""
    with open_capture(DATA / "budgetrace-heavy.tracy") as c:
        r = c.slow_frames()
    head, _, rest = r.title.partition(": ")
    assert rest.startswith("most of the extra time is outside every zone on Main thread: +50.14 ms of +50.17 ms")
    assert "the zone that grew most: Streaming::ReadFile (Streaming)" in rest and "waits for it there" not in rest
