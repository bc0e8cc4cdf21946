"""lock_contention on a reader/writer lock (tests/data/colonysim-writer_starved.tracy; see README.md there): four
workers read the world under World::registryLock shared; the main thread writes under it exclusively and, during
AI replans, waits 15-42 ms while the readers keep taking it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_writer_starved_by_readers_is_named_with_its_waits() -> None:
    with open_capture(DATA / "colonysim-writer_starved.tracy") as c:
        ev = c.lock_events(as_frame=True)
        r = c.lock_contention()
    ev = ev[ev["lock"] == "World::registryLock"]
    main = ev[ev["thread"] == "Main thread"]
    waits = main["time_ns"][main["type"] == "wait"].to_numpy()
    obtains = main["time_ns"][main["type"] == "obtain"].to_numpy()
    long_waits = (obtains - waits)[(obtains - waits) >= 5_000_000]  # the tables: the writer's long waits
    shared = np.sort(ev["time_ns"][ev["type"] == "obtain_shared"].to_numpy())
    assert len(long_waits) >= 5
    assert r.title.endswith("; the writer starves behind readers (below).")
    line = next(x for x in r.lines if "the writer starves" in x)
    assert f"Main thread's exclusive waits of 5.00 ms or more ({len(long_waits)}, " in line
    assert "shared acquisitions by Worker 0-3 through" in line
    starts = obtains[(obtains - waits) >= 5_000_000] - long_waits
    through = np.searchsorted(shared, starts + long_waits) - np.searchsorted(shared, starts, "right")
    assert f"each let a median {float(np.median(through)):.0f} shared acquisitions" in line
