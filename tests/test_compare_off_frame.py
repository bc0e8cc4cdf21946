"""What changed the frame, when the work that regressed most runs beside it (tests/data/offpath-*, overlaplost-*,
see README.md there)."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_regression_off_the_frames_thread_follows_the_one_that_moved_the_frame() -> None:
    """AI::PathfindBatch doubles on a Background thread nothing waits for; UI::Layout's +0.6 ms on the main thread
    is the frame's whole change."""
    with open_capture(DATA / "offpath-regress_a.tracy") as a, open_capture(DATA / "offpath-regress_b.tracy") as b:
        cmp = a.compare(b)
        on_main = b.zones(name="AI::AStarSearch", as_frame=True)["thread"].astype(str).unique().tolist()
    lead = cmp.title.split(": ", 1)[1]
    assert on_main == ["Background"]
    assert "most impact: UI::Layout 2.76x per call" in lead
    assert "; off the frame's thread: AI::AStarSearch 1.97x per call" in lead
    assert "on Background, while the median frame moved +0.540 ms: Main thread does not wait for it" in lead
    assert lead.index("UI::Layout") < lead.index("AI::AStarSearch")


def test_a_new_wait_that_serializes_two_threads_is_told_with_whom_it_waits_for() -> None:
    """B's new Render::ReadbackQueries waits on the main thread for the render thread to finish the previous frame:
    the two threads stop overlapping and the frame doubles, with no function slower."""
    a_path, b_path = DATA / "overlaplost-regress_a.tracy", DATA / "overlaplost-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        cmp = a.compare(b)
        outer = b.zones(name="Render::ReadbackQueries", as_frame=True)
        inner = b.zones(name="Render::WaitForGpuReadback", as_frame=True)
    lead = cmp.title.split(": ", 1)[1]
    share = inner["duration_ns"].sum() / outer["duration_ns"].sum()
    assert lead.startswith("median gameplay frame 9.81 ms -> 18.28 ms (+86.3%); most impact: a zone only B has, ")
    assert "Render::ReadbackQueries (267 calls" in lead
    assert f"; {share:.1%} of it in Render::WaitForGpuReadback, a wait for RenderThread)" in lead
    # fewer frames over 2x a median that itself doubled is no news: it does not lead
    assert "hitches less often" not in lead.split(";")[0]


def test_work_the_main_thread_waits_for_through_a_lock_chain_is_not_called_unwaited() -> None:
    """B's blocking send runs on NetIO, but the main thread waits for it through World::StateLock, held by a thread
    that waits for the socket lock the send holds: the median frame holds, the main thread's lock waits grow."""
    a_path, b_path = DATA / "lockchain-regress_a.tracy", DATA / "lockchain-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        cmp = a.compare(b)
        waits = b.lock_contention().tables["threads"]
    main_wait = waits[waits["thread"].astype(str) == "Main thread"]["wait_ns"].sum()
    assert main_wait > 100e6  # the tables: the main thread waits ~200 ms for World::StateLock in B
    assert "most impact: Net::BlockingSend" in cmp.title
    assert "does not wait for it" not in cmp.title
