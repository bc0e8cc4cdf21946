"""lock_contention with context switches (tests/data/cutroom-preempted_holder.tracy, README.md there): a nice-19
Background Loader holds AssetCache::mutex for about a millisecond of work, but four encoder threads take the 2 cores
and preempt it while it holds the lock, so the main thread waits up to 30 ms. The report says where the holder's
time went while the others waited for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_holder_preempted_while_holding_the_lock_is_told() -> None:
    with open_capture(DATA / "cutroom-preempted_holder.tracy") as c:
        cs = c.context_switches(as_frame=True)
        z = c.zones(name="Loader::CommitBatch", as_frame=True)
        r = c.lock_contention()
    loader = cs[cs["thread"] == "Background Loader"]
    s, e = loader["start_ns"].to_numpy(), loader["end_ns"].to_numpy()
    on = sum(
        int(np.clip(np.minimum(e, b) - np.maximum(s, a), 0, None).sum())
        for a, b in zip(z["start_ns"], z["end_ns"], strict=True)
    )
    assert on < 0.2 * z["duration_ns"].sum()  # the tables: the loader is mostly off a CPU in its locked batches
    assert r.title.startswith("Lock contention: AssetCache::mutex is contended")
    assert "held meanwhile by Background Loader in Loader::CommitBatch" in r.title
    assert r.title.endswith(", which was preempted (runnable, not running) through most of it.")
    line = next(x for x in r.lines if x.startswith("   while the others waited for it ("))
    assert "Background Loader was on a CPU" in line
    assert "preempted while holding the lock, it waits for a core" in line
    assert "the CPUs ran meanwhile: Encoder " in line


def test_no_preemption_is_claimed_without_context_switches() -> None:
    with open_capture(DATA / "itemcache-hot_shard.tracy") as c:
        r = c.lock_contention()
    assert "preempted" not in r.title
    assert not any(x.startswith("   while the others waited for it (") for x in r.lines)
