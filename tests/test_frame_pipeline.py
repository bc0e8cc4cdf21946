"""A pipelined renderer (tests/data/inputlag-*.tracy, see README.md there): the frame number in the zones' values
on the main and render threads says how many frames the render thread runs behind and when a frame reaches the
screen, the latency that the frame rate does not show."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_render_thread_three_frames_behind_and_the_latency_to_the_screen() -> None:
    with open_capture(DATA / "inputlag-deep_queue.tracy") as c:
        r = c.frame_pipeline()
        findings = dict((m, t) for m, t in c.summary().findings)
    t = r.table
    assert list(t["thread"]) == ["Main thread", "Render thread"]
    assert t["zone"][1] == "Render::Frame" and t["frames_behind"][1] == 3 and t["at_depth_share"][1] > 0.95
    # Render::Frame(N) starts 3 frames (50 ms) after the main thread began frame N; Present ends it at 4 vblanks
    assert abs(t["start_after_ns"][1] - 50.0e6) < 1.5e6
    assert "then Render::Present until 66.6" in r.title and "(4.0 frames)" in r.title
    assert findings["ctx.frame_pipeline()"] == r.title


def test_a_deeper_queue_leads_a_comparison_where_no_zone_moved() -> None:
    with open_capture(DATA / "inputlag-regress_a.tracy") as a, open_capture(DATA / "inputlag-regress_b.tracy") as b:
        cmp = a.compare(b)
        behind = (a.frame_pipeline().table["frames_behind"][1], b.frame_pipeline().table["frames_behind"][1])
    assert behind == (1, 3)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("Frame pipeline deeper: Render::Frame (Render thread) runs 1 -> 3 frames behind")
    assert "33.30 ms -> 66.6" in lead and "2.0 frames more latency at the same frame rate" in lead
    assert "no zone regressed beyond noise" in lead


def test_jobs_inside_the_frame_and_unnumbered_zones_are_no_pipeline() -> None:
    # warband's jobs carry the frame number but run inside the frame; at 33 ms its render thread keeps up
    with open_capture(DATA / "warband-regress_b.tracy") as c:
        r = c.frame_pipeline()
        assert r.title.startswith("No frame pipeline") and len(r.table) == 0
        assert "ctx.frame_pipeline()" not in dict(c.summary().findings)
