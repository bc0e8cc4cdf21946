"""lock_contention on a program that hangs on its locks and on one whose locks repeat a name
(tests/data/ironclad-*.tracy, itemcache-hot_shard.tracy; see README.md there)."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _open_waits(events) -> dict[str, str]:  # noqa: ANN001 - a DataFrame of lock events
    """From the tables: per thread, the lock it asked for last and never got."""
    out = {}
    for (thread, lock), ev in events.groupby(["thread", "lock"]):
        waits = ev["time_ns"][ev["type"].isin(["wait", "wait_shared"])]
        gets = ev["time_ns"][ev["type"].isin(["obtain", "obtain_shared"])]
        if len(waits) and (not len(gets) or waits.max() > gets.max()):
            out[str(thread)] = str(lock)
    return out


def test_a_deadlock_leads_with_the_cycle_of_waits() -> None:
    """deadlock: the main thread holds Scene::mutex and waits for Physics::mutex; the physics worker holds
    Physics::mutex and waits for Scene::mutex; a watchdog ends the program 1.5 s later."""
    with open_capture(DATA / "ironclad-deadlock.tracy") as c:
        stuck = _open_waits(c.lock_events(as_frame=True))
        r = c.lock_contention()
        findings = c.summary().findings
    assert stuck == {"Main thread": "Physics::mutex", "Physics Worker": "Scene::mutex"}
    assert r.title.startswith(
        "DEADLOCK: Main thread waits for Physics::mutex (held by Physics Worker); Physics Worker waits for "
        "Scene::mutex (held by Main thread): no wait ends ("
    )
    assert r.lines[0].startswith("DEADLOCK: Main thread waits for Physics::mutex from ")
    assert "in Scene::ReadPhysicsResults" in r.lines[0] and "in Physics::SyncToScene" in r.lines[0]
    assert findings[0][1].startswith("DEADLOCK: ")  # the summary leads with it


def test_a_long_hold_that_ends_is_no_deadlock() -> None:
    """stall_on_io: the main thread holds Scene::mutex through a 1.2 s fsync; three threads wait, then all go on."""
    with open_capture(DATA / "ironclad-stall_on_io.tracy") as c:
        assert _open_waits(c.lock_events(as_frame=True)) == {}
        r = c.lock_contention()
    assert not r.title.startswith(("DEADLOCK", "Stuck"))
    assert "held meanwhile by Main thread in File::Fsync" in r.title


def test_locks_that_share_a_name_are_told_apart_by_id() -> None:
    """hot_shard: 32 shard locks all named Shard::mutex; shard 7's is the contended one."""
    with open_capture(DATA / "itemcache-hot_shard.tracy") as c:
        ev = c.lock_events(as_frame=True)
        r = c.lock_contention()
        one = c.lock_contention("Shard::mutex #7")
    shard = ev[ev["lock"] == "Shard::mutex"]
    busiest = int(shard.groupby("lock_id").size().idxmax())
    assert r.title.startswith(f"Lock contention: Shard::mutex #{busiest} is contended")
    assert one.table["name"].tolist() == [f"Shard::mutex #{busiest}"] and busiest == 7


def test_zones_that_never_ended_have_no_time_of_their_own() -> None:
    """The deadlocked threads' open zones (end -1) count neither duration nor self time (not minus their
    children's)."""
    with open_capture(DATA / "ironclad-deadlock.tracy") as c:
        z = c.zones(as_frame=True)
    open_zones = z[z["end_ns"] < 0]
    assert len(open_zones) >= 2
    assert (open_zones["duration_ns"] == 0).all() and (open_zones["self_ns"] == 0).all()
    assert (z["self_ns"] >= 0).all()


def test_one_of_several_same_named_locks_is_selected_by_its_label() -> None:
    with open_capture(DATA / "itemcache-hot_shard.tracy") as c:
        every = c.lock_events(lock="Shard::mutex", as_frame=True)
        seven = c.lock_events(lock="Shard::mutex #7", as_frame=True)
    assert set(seven["lock_id"]) == {7} and len(seven) == int((every["lock_id"] == 7).sum()) > 0
