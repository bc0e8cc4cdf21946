"""A lock taken by more threads than Tracy keeps lock events for (tests/data/docindex-t8.tracy, README.md there):
the report says its figures cover part of the threads. Expectations come from the plain tables."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_lock_with_more_threads_than_tracy_keeps_says_its_figures_are_partial() -> None:
    with open_capture(DATA / "docindex-t8.tracy") as c:
        z = c.zones(name="File::Process", as_frame=True)
        ev = c.lock_events(as_frame=True)
        locks = c.locks(as_frame=True)
        index_lock = int(locks.index[locks["lock"] == "Index::m_mutex"][0])
        # the tables: 150 threads run File::Process, the lock's events come from 64 of them
        assert z["thread_id"].nunique() == 150
        assert ev[ev["lock_id"] == index_lock]["thread_id"].nunique() == 64
        r = c.lock_contention()
    assert r.title.startswith("Lock contention: Index::m_mutex is contended")
    assert "Tracy kept its events for 64 of the 150 threads that run File::Process" in r.title
    assert any("the other 86 left no lock events" in line for line in r.lines)
