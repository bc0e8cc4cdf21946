"""An audio callback late behind a lock (tests/data/audiolock-crackle.tracy, README.md there): its long runs are a
lock wait, not a wait for input, and the culprit on the holder's thread is tied to the callback by that lock."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_fixed_period_callback_late_behind_a_lock_is_slow_and_says_which_lock() -> None:
    with open_capture(DATA / "audiolock-crackle.tracy") as c:
        res = c.slow_frames(frame_set="Audio")
        render = c.zones(name="Audio::Render")["duration_ns"].to_numpy()
    assert int((render > 5_000_000).sum()) == 4  # the plain tables: four callbacks overran the 5 ms period
    assert res.title.startswith("4 slow frame(s) of 1218 frames (0..1217 of set 'Audio', over 1.5x the median")
    assert "left out" not in res.title  # not "the loop waited for input"
    assert "culprit SoundBank::DecodeSamples (Loader)" in res.title
    assert (
        "AudioCallback waits for it in Audio::FetchVoices, for lock SoundBank::m_mutex, held meanwhile by Loader in "
        "SoundBank::LoadBank"
    ) in res.title
    assert np.isfinite(res.median_ns)
