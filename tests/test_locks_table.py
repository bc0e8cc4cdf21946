"""ctx.locks() (tests/data/waitchain-chain.tracy, see README.md there): one row per lock with what threads lost
waiting for it, beside upstream's contention flag (set by any wait at all); and the core count in ctx.info()."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_one_row_per_lock_with_its_waits() -> None:
    with open_capture(DATA / "waitchain-chain.tracy") as c:
        t = c.locks()
        d = c.locks(as_frame=False)
        events = c.lock_events()
        cores = c.info()["cpu_cores"]
    assert t.index.name == "id" and list(d)[0] == "id"
    assert sorted(t["lock"]) == ["IO::RequestMutex", "IO::ShadowCacheLock", "Jobs::QueueMutex", "Render::FrameSync"]
    worst = t.sort_values("total_wait_ns").iloc[-1]
    assert worst["lock"] == "IO::ShadowCacheLock" and worst["total_wait_ns"] > 900_000_000
    assert worst["max_wait_ns"] > 20_000_000 and worst["waits"] > 0
    # the acquisitions are the lock's obtains in lock_events, joined by lock_id
    obtains = events[(events["lock_id"] == worst.name) & (events["type"] == "obtain")]
    assert worst["acquisitions"] == len(obtains)
    assert cores == 2


def test_waits_count_only_the_waits_that_found_the_lock_held() -> None:
    """The client reports a wait before every obtain, so most waits last a few hundred ns on a free lock; `waits`
    counts those that began while another thread held it (replayed here from the lock's events)."""
    with open_capture(DATA / "overlaplost-regress_a.tracy") as c:
        t = c.locks()
        events = c.lock_events()
    for lock_id, row in t.iterrows():
        ev = events[events["lock_id"] == lock_id].sort_values("time_ns", kind="stable")
        holders, blocked = 0, 0
        for kind in ev["type"]:
            if kind == "obtain":
                holders += 1
            elif kind == "release":
                holders -= 1
            elif kind == "wait" and holders > 0:
                blocked += 1
        assert row["waits"] == blocked
        assert row["waits"] < row["acquisitions"]
    queue = t[t["lock"] == "FrameQueue::Mutex"].iloc[0]
    assert queue["waits"] == 0 and not queue["is_contended"] and queue["acquisitions"] > 1000
