"""The analyses on a particle simulation's captures (tests/data/fluidsim-*.tracy, see README.md there): a step loop
on the main thread, tiles integrated by a pool of four workers that reduce their partial sums under one mutex."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_holds_pair_with_releases_in_turn_even_when_a_few_come_late() -> None:
    """reduce_lock: a Release carries no thread and is stamped after the unlock, so under contention it comes after
    the next owner's Obtain, and on a busy machine now and then more than a hold late. The holds still pair with
    the releases in turn: each hold lasts as long as the critical section (from the Obtain to the end of the zone
    that holds the lock), not the few µs until the previous owner's late Release."""
    with open_capture(DATA / "fluidsim-reduce_lock.tracy") as c:
        locks = c.lock_contention()
        zones = c.zones(name="Sim::ReducePartials")
        events = c.lock_events("Sim::reductionMutex")
    obtains = events[events["type"] == "obtain"]
    held = []
    for thread, got in obtains.groupby("thread_id"):
        mine = zones[zones["thread_id"] == thread].sort_values("start_ns")
        k = np.searchsorted(mine["start_ns"].to_numpy(), got["time_ns"].to_numpy(), "right") - 1
        held.append(mine["end_ns"].to_numpy()[k] - got["time_ns"].to_numpy())
    truth = float(np.median(np.concatenate(held)))
    row = locks.table.set_index("name").loc["Sim::reductionMutex"]
    assert abs(row["median_hold_ns"] - truth) <= 0.15 * truth
    assert row["blocked_ns"] >= 0.9 * row["wait_ns"]  # the waits are for a held lock, not a free one
    assert locks.title.startswith("Lock contention: Sim::reductionMutex is contended")


def test_a_step_up_names_the_plot_that_stepped_and_the_thread_the_work_moved_onto() -> None:
    """straggler: from step 100 particles pile into one tile, which always runs on sim-worker-2: the step time jumps
    while the pool's total work holds. frame_trend names the program's plot that stepped with it (not the machine's
    CPU usage), where it left its level, the message logged there, and that the work moved onto one thread."""
    with open_capture(DATA / "fluidsim-straggler.tracy") as c:
        trend = c.frame_trend()
        messages = c.messages()
    assert trend.title.startswith("Frame time steps up at frame ")
    assert "plot max tile load stepped with it: " in trend.title
    assert "SysTime" not in trend.title
    assert "The work moved onto sim-worker-2: " in trend.title
    assert "the other 3 sim-worker threads' shrank" in trend.title
    gate = messages[messages["text"].str.startswith("dam gate opened")]
    assert len(gate) == 1
    logged = next(line for line in trend.lines if line.startswith("Logged as it stepped: "))
    assert "dam gate opened" in logged
