"""Memory that grows without a leak check seeing it, and memory whose allocation is the hitch
(tests/data/warfront-eventlog.tracy, mapscreen-transient.tracy; README.md there). Expectations come from the plain
tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_one_buffer_reallocated_ever_larger_is_named_though_everything_is_freed() -> None:
    with open_capture(DATA / "warfront-eventlog.tracy") as c:
        m = c.memory_events(as_frame=True)
        z = c.zones(as_frame=True)
        grow = z[z["name"] == "EventLog::Grow"]
        assert len(grow) == 9 and (m["free_ns"] >= 0).all()  # the tables: nine growths, nothing left at exit
        r = c.memory_report()
    assert (
        "no leak (everything freed); EventLog::Grow GROWS one buffer all run: 65.5 kB (64.0 KiB) -> 16.78 MB" in r.title
    )
    assert "in 9 steps, each twice the last, freed only at exit" in r.title
    line = next(x for x in r.lines if x.startswith("GROWING BUFFER: EventLog::Grow (Main thread"))
    assert "the next step would be 33.55 MB (32.00 MiB)" in line and "EventLog::Clear" in line


def test_a_buffer_that_doubles_inside_each_run_is_not_a_buffer_growing_all_run() -> None:
    for name in ("gemfall-ship", "kvserver-cache_b", "sparks-burst_b"):
        with open_capture(DATA / f"{name}.tracy") as c:
            assert "GROWS one buffer" not in c.memory_report().title, name


def test_a_hitch_whose_zone_allocates_a_large_fresh_block_says_so() -> None:
    with open_capture(DATA / "mapscreen-transient.tracy") as c:
        m = c.memory_events(as_frame=True)
        assert (m["size_bytes"] == 96 * 2**20).sum() == 4  # the tables: four 96 MiB blocks
        r = c.slow_frames()
    assert "culprit UI::OpenMap (Main thread)" in r.title
    assert "each of its runs there allocates 100.66 MB (96.00 MiB) (median)" in r.title
    assert np.all([f in r.table["frame"].to_numpy() for f in (51, 131, 211, 291)])


def test_a_leak_on_a_thread_spawned_anew_for_each_level_is_one_leak_in_bursts() -> None:
    """levelthreads-leak: five LevelLoader threads (one per level) each leave 40 x 2048 B from BuildNavHints."""
    with open_capture(DATA / "levelthreads-leak.tracy") as c:
        m = c.memory_events(as_frame=True)
        never = m[m["free_ns"] < 0]
        assert len(never) == 200 and never["alloc_thread_id"].nunique() == 5  # the tables: 5 threads of one name
        assert all(str(t).startswith("LevelLoader") for t in never["alloc_thread"])
        r = c.memory_report()
    assert "LEAK in Level::BuildNavHints: 200 x 2048 B = 409600 B never freed" in r.title
    assert any(x.startswith("LEAK: Level::BuildNavHints") and "in 5 bursts" in x for x in r.lines)
