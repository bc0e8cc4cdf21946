"""slow_frames on a stutter recorded live (tests/data/gamesim-live_stutter.tracy, README.md there): a recurring
hitch (TextureStreamer::UploadMips loads a 4k texture on the render path, 42 times) and one frame (949) where
AI::UpdateAgents alone ran 34 ms on a loaded machine. The one-off is named beside the culprit, and is not taken for
an event loop's wait for input (AI::UpdateAgents opens each frame's entity update, after the input poll)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"
CAPTURE = DATA / "gamesim-live_stutter.tracy"


def test_a_one_off_beside_a_recurring_hitch_is_named_and_not_taken_for_input() -> None:
    with open_capture(CAPTURE) as c:
        f = c.frames(as_frame=True)
        z = c.zones(as_frame=True)
        r = c.slow_frames()
        one = c.slow_frames(frames=949)
    dur = f["duration_ns"].to_numpy()[2:-1]  # gameplay frames: not the start-up ones nor the trailing partial
    slow = np.flatnonzero(dur > 2 * np.median(dur)) + 2
    uploads = z[(z["name"] == "TextureStreamer::UploadMips") & (z["duration_ns"] > 20_000_000)]
    hitch_frames = np.searchsorted(f["start_ns"].to_numpy(), uploads["start_ns"].to_numpy(), "right") - 1
    assert len(slow) == 43 and set(hitch_frames) < set(slow) and len(hitch_frames) == 42
    assert set(slow) - set(hitch_frames) == {949}
    assert r.title.startswith("43 slow frame(s) of 2700 gameplay frames")
    assert "culprit TextureStreamer::UploadMips (Main thread)" in r.title
    assert "waited for input" not in r.title
    assert "TextureStreamer::UploadMips grew most in 42 of 43 analysed slow frames" in r.lines[2]
    other = next(x for x in r.lines if x.startswith("In the other 1, the zone that grew most: frame 949: "))
    assert "AI::UpdateAgents (Main thread)" in other
    assert one.title.startswith("Frame 949 of set 'Frame'")
    assert "AI::UpdateAgents (Main thread) grew most" in one.title


def test_a_start_up_spent_waiting_for_the_profiler_is_told_as_zoneless() -> None:
    with open_capture(CAPTURE) as c:
        z = c.zones(as_frame=True)
        first_zone_s = (int(z["start_ns"].min()) - c.get_first_time()) / 1e9
        text = c.summary().lines
    line = next(x for x in text if x.startswith("- Start-up: "))
    assert first_zone_s > 30  # the tables: the program waited for the profiler before its first zone
    assert (
        f"No zone runs on any thread for {first_zone_s:.1f} s of it (longest stretch 0.000-{first_zone_s:.3f} s)"
        in line
    )
