"""slow_frames on a minute at 240 Hz (tests/data/skyrush-rare_hitch.tracy, see README.md there): about 13 800
frames, many just over twice the 4.2 ms median on a busy machine, and three one-off hitches of 50-75 ms a player
feels, each its own cause, one of them on the render thread while the main thread waits for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_the_longest_frames_are_named_with_their_own_causes() -> None:
    with open_capture(DATA / "skyrush-rare_hitch.tracy") as c:
        r = c.slow_frames()
        times = np.asarray(c.get_frame_times())
        bounds = np.asarray(c.get_frame_boundaries())
        z = c.zones(as_frame=True)
    gameplay = np.arange(2, len(times) - 1)
    order = gameplay[np.argsort(-times[gameplay], kind="stable")]
    longest = order[:3]
    assert len(r.table) > 20 and times[order[3]] < 0.8 * times[longest].min()  # many slow frames, three far longer
    assert "; the longest: " in r.title
    tail = r.title.split("; the longest: ")[1]
    for f in longest.tolist():
        start, end = (int(x) for x in bounds[f])
        # the tables: the one zone over 40 ms that ran inside the frame, whichever thread ran it
        inside = z[(z["start_ns"] >= start) & (z["end_ns"] <= end) & (z["duration_ns"] > 40_000_000)]
        own = inside[~inside["name"].astype(str).str.contains("Wait|Frame|Present")]
        assert len(own) >= 1, f
        cause = str(own.sort_values("depth")["name"].iloc[-1])  # the innermost: the work, not its callers
        assert f"frame {f} " in tail and f"({cause} +" in tail
