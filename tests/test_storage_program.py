"""The analyses on an embedded key-value store's captures (tests/data/kvstore-*.tracy, see README.md there): no
frame marks, reads and writes on four client threads, a write stall, a lock held across an fsync. Expectations come
from the plain tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_the_writes_tail_beside_the_reads_and_what_stalls_them() -> None:
    """write_stall: reads are the unit of work (most time), but the writes' runs are longer still, and naming them
    explains the stalls: the culprit is the zone that holds most of their extra time, not the most frequent one."""
    with open_capture(DATA / "kvstore-write_stall.tracy") as c:
        reads = c.slow_frames()
        writes = c.slow_frames(frame_set="KV::Put")
        put = c.zones(name="KV::Put")
        stall = c.zones(name="DB::WriteStall")
        compaction = c.zones(name="Compaction::Run")
    d = put["duration_ns"].to_numpy()
    assert f"Longer still: runs of KV::Put up to {fmt_ns(d.max())}" in reads.title
    assert "slow_frames(frame_set='KV::Put') explains them." in reads.title
    assert writes.title.startswith(f"{int((d > 2 * np.median(d)).sum())} slow run(s) of KV::Put of {len(d)}")
    assert writes.culprit == "DB::WriteStall"
    assert "culprit DB::WriteStall (KV::Put > DB::WriteStall) (it waits for Compaction::Run (compaction): " in (
        writes.title
    )
    assert f") in {len(stall)} of the " in writes.title and "of their extra time)" in writes.title
    # what the stalls wait for: each ends right after a compaction ends
    comp = np.sort(compaction["end_ns"].to_numpy())
    before = stall["end_ns"].to_numpy() - comp[np.searchsorted(comp, stall["end_ns"].to_numpy(), "right") - 1]
    assert (before <= 2_000_000).mean() >= 0.8


def test_a_count_that_is_emptied_again_is_no_backlog() -> None:
    """wal_lock: the "L0 files" plot rises with each flush and falls at each compaction; the summary leads with the
    lock the writes convoy on, not with a backlog."""
    with open_capture(DATA / "kvstore-wal_lock.tracy") as c:
        s = c.summary()
        trend = c.frame_trend()
        lk = c.lock_contention()
    assert trend.climbing == []
    assert lk.title.startswith("Lock contention: WAL::mutex is contended")
    assert s.findings[0][0] != "ctx.frame_trend()"


def test_a_cache_that_evicts_without_freeing_leaks_one_block_per_eviction() -> None:
    """cache_leak: the never-freed blocks of pool "block cache" are as many as the runs of BlockCache::Evict, which
    frees nothing."""
    with open_capture(DATA / "kvstore-cache_leak.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
        evict = c.zones(name="BlockCache::Evict")
    never = m[m["free_ns"] < 0]
    assert set(never["pool"].astype(str)) == {"block cache"} and len(never) == len(evict)
    text = "\n".join(r.lines)
    assert f"LEAK: BlockCache::Insert — {len(never)} allocations x 4096 B" in text
    assert f"BlockCache::Evict runs exactly as often as blocks leaked ({len(never)})" in text


def test_slow_runs_held_by_one_thread_name_it() -> None:
    """hot_key: most slow reads are client-2's, which runs a sixth of them: the slow runs say so."""
    with open_capture(DATA / "kvstore-hot_key.tracy") as c:
        r = c.slow_frames()
        get = c.zones(name="KV::Get")
    d = get["duration_ns"].to_numpy()
    slow = get[d > 2 * np.median(d)]
    mine = slow[slow["thread"] == "client-2"]
    share_all = float((get["thread"] == "client-2").mean())
    line = next(x for x in r.lines if x.startswith("By thread: "))
    assert line.startswith(f"By thread: client-2 holds {len(mine)} of the {len(slow)} slow runs")
    assert f"but {100 * share_all:.1f}% of all runs" in line
