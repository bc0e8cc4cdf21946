"""A recursive scene walk (tests/data/scenewalk-frame.tracy, see README.md there): Scene::VisitNode nests in
itself 6 deep, 269 visits a frame, so summing its zones counts the same time at every level."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_the_recursion_line_counts_every_outermost_run_once() -> None:
    with open_capture(DATA / "scenewalk-frame.tracy") as c:
        s = c.summary()
        z = c.zones(name="Scene::VisitNode", as_frame=True)
        slow = c.slow_frames()
        frames = c.frames(as_frame=True)
    outer = z[z["depth"] == z["depth"].min()]
    runs, whole = len(outer), int(outer["duration_ns"].sum())
    line = next(x for x in s.lines if "Recursion: the outermost Scene::VisitNode" in x)
    assert f"{runs} runs of {fmt_ns(whole / runs)} mean" in line
    assert f"summing every Scene::VisitNode zone gives {fmt_ns(int(z['duration_ns'].sum()))}" in line
    assert "per run: node=Forest" in line and "Inside node=Forest: most self time in Foliage::Rebuild" in line
    # a recursive culprit's time per frame counts its outermost runs only: less than the median frame, where the
    # summed figure gave 4.5x it
    assert slow.culprit == "Scene::VisitNode"
    typical = slow.title.split("typical ", 1)[1].split(" per frame", 1)[0]
    value, unit = typical.split(" ")
    assert unit == "ms" and float(value) * 1e6 < float(frames["duration_ns"].median())
    assert "inside it: Scene::VisitNode" not in slow.title
