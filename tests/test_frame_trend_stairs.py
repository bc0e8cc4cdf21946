"""A frame time that climbs in stairs, one at each message of a kind (tests/data/stepafter-resize.tracy, see
README.md there): each window resize leaks a post-process chain, and the frames never come back."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_stairs_at_the_resize_messages_are_told_with_their_levels() -> None:
    with open_capture(DATA / "stepafter-resize.tracy") as c:
        r = c.frame_trend()
        frames = c.frames(as_frame=True)
        msgs = c.messages(as_frame=True)
    at = np.sort(msgs[msgs["text"].astype(str).str.startswith("Window resized")]["time_ns"].to_numpy())
    assert len(at) == 3
    body = frames.iloc[1:-1]
    cuts = np.searchsorted(body["start_ns"].to_numpy(), at)
    levels = [float(np.median(p)) for p in np.split(body["duration_ns"].to_numpy().astype(float), cuts)]
    assert all(b > a * 1.1 for a, b in zip(levels[:-1], levels[1:], strict=True))  # the tables: four levels
    assert r.title.startswith("Frame time steps up at each 'Window resized to 1920x1080' (3 times: ")
    assert "between them, holding in between" in r.title
    assert fmt_ns(levels[-1]) in r.title
    # the zone that grew, with its calls per frame: one more chain per resize
    assert "1 -> 4 calls per frame" in r.title
