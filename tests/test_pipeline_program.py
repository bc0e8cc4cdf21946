"""The analyses on a video transcoder built as a pipeline (tests/data/vidpipe-*.tracy, see README.md there): one
thread per stage, bounded queues between them, each stage blocking in Queue::Push / Queue::Pop zones."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_chain_of_queue_waits_leaves_the_slowest_stage_busiest() -> None:
    """bottleneck: encode is the slowest stage; the stages before it wait to push, mux waits to pop. Each wait wakes
    right after the next one in the chain, so they are found in passes; encode is the one thread that works."""
    with open_capture(DATA / "vidpipe-bottleneck.tracy") as c:
        report = c.thread_report()
    waits = report.tables["waits"]
    found = set(zip(waits["thread"], waits["name"], strict=True))
    for pair in (("demux", "Queue::Push"), ("decode", "Queue::Push"), ("filter", "Queue::Push"), ("mux", "Queue::Pop")):
        assert pair in found
    assert report.title.startswith("Busiest thread: encode, working 100.0%")
    assert "Critical path" not in report.title  # a queue operation is no job to wait for
    rows = report.table.set_index("thread")
    assert rows.loc["encode", "working"] > 0.95 and rows.loc["mux", "working"] < 0.3


def test_the_lock_behind_a_slow_stage_leads_and_the_quiet_lock_is_not_contended() -> None:
    """pool_lock: decode waits for FramePool::mutex while filter clears buffers under it; Stats::mutex blocks a
    few milliseconds in all."""
    with open_capture(DATA / "vidpipe-pool_lock.tracy") as c:
        locks = c.lock_contention()
    assert locks.title.startswith("Lock contention: FramePool::mutex is contended")
    assert "Filter::ClearBuffer" in locks.summary()
