"""Frames that do not mean what they seem (tests/data/doublemark-*.tracy and catchup-*.tracy, see README.md there):
a program that marks two frames per pass of its loop, and a fixed-step simulation that runs its step several times
per frame while it catches up after a long frame."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_two_marks_per_loop_are_named_with_the_real_rate() -> None:
    """twice: FrameMark after Game::Update and after Render::Present: 716 frames alternating ~12.8 / 3.9 ms, each
    pair 16.67 ms; Game::Tick, the loop, runs 357 times. The three autosave hitches stay the finding."""
    with open_capture(DATA / "doublemark-twice.tracy") as c:
        summary = c.summary()
        r = c.slow_frames()
    line = next(x for x in summary.lines if x.startswith("Two frame marks per loop"))
    assert "Game::Tick (Main thread) runs once per two frames" in line
    assert "16.67 ms a pair = 60.0 loops a second" in line
    assert r.lines[0].startswith("Two frame marks per loop")
    # the half-frames do not make the loop's zone the culprit ("absent from typical frames")
    assert r.culprit == "Save::Autosave" and len(r.table) == 3


def test_one_capture_marking_twice_is_compared_per_loop() -> None:
    """regress: B added a second FrameMark (722 frames vs 362 for the same 360 loops) and AI::Think got slower. The
    comparison says B's frames are halves, and counts per loop, so AI::Think's cost per frame is its real one."""
    with open_capture(DATA / "doublemark-regress_a.tracy") as a, open_capture(DATA / "doublemark-regress_b.tracy") as b:
        r = a.compare(b)
    assert r.title.startswith("B marks two frames per loop")
    assert "most impact: AI::Think" in r.title
    assert "+1.33 ms per gameplay frame" in r.title  # per loop: the +477.6 ms over 359 loops, not 719 halves
    assert r.lines[0].startswith("B: Two frame marks per loop: Game::Tick")


def test_a_catch_up_runs_the_step_more_often_at_its_usual_cost() -> None:
    """spiral: a 250 ms chunk load, then ~35 frames that run up to 4 Sim::Step each (14 ms per step, unchanged)."""
    with open_capture(DATA / "catchup-spiral.tracy") as c:
        r = c.slow_frames()
    assert r.culprit == "Sim::Step"
    assert "more runs at their usual cost, not slower ones" in r.title
    assert "it ran 3.88x per slow frame vs 1x typically" in r.title


def test_a_doubled_step_rate_is_more_calls_not_slower_ones() -> None:
    """regress: B steps the simulation at 120 Hz: Sim::Step 1 -> 3 per frame at the same 6.5 ms."""
    with open_capture(DATA / "catchup-regress_a.tracy") as a, open_capture(DATA / "catchup-regress_b.tracy") as b:
        r = a.compare(b)
    assert "most impact: Sim::Step is called 2.98x as often per gameplay frame" in r.title
    assert "no zone slower per call beyond noise" in r.title
