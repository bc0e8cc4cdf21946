"""The program plot that the frame time follows (tests/data/plotcorr-flythrough.tracy, see README.md there): a
camera flight whose frame time swings 8-23 ms with its "Shadow casters" counter (~40 µs each), beside counters that
move on their own (draw calls, particles, lights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_summary_names_the_counter_the_frame_time_follows_and_its_cost() -> None:
    with open_capture(DATA / "plotcorr-flythrough.tracy") as c:
        s = c.summary()
        frames = c.frames(as_frame=True)
        points = c.plot_points("Shadow casters", as_frame=True)
        draws = c.plot_points("Draw calls", as_frame=True)
    line = next(x for x in s.lines if "Frame time follows the plot" in x)
    # each gameplay frame's counter is its last value by the frame's end
    body = frames.iloc[2:-1]
    ends = body["start_ns"].to_numpy() + body["duration_ns"].to_numpy()

    def per_frame(p):  # type: ignore[no-untyped-def]
        t = p["time_ns"].to_numpy()
        return p["value"].to_numpy()[np.searchsorted(t, ends, side="right") - 1]

    dur = body["duration_ns"].to_numpy().astype(float)
    r = float(np.corrcoef(per_frame(points), dur)[0, 1])
    slope = float(np.polyfit(per_frame(points), dur, 1)[0])
    assert r > 0.9 and 35_000 < slope < 45_000  # about 40 µs of frame per caster
    assert line.startswith(f"- Frame time follows the plot 'Shadow casters' (r = {r:.2f} over")
    assert "Shadows::DrawCascade (Main thread) costs" in line
    r_draws = float(np.corrcoef(per_frame(draws), dur)[0, 1])
    assert abs(r_draws) < 0.5 and f"Draw calls r = {r_draws:.2f}" in line


def test_no_counter_line_where_the_frame_time_holds() -> None:
    """A capture whose frames are paced flat has nothing for a counter to explain."""
    with open_capture(DATA / "leveled-top_hitch.tracy") as c:
        s = c.summary()
    assert not any("Frame time follows the plot" in x for x in s.lines)
