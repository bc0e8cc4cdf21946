"""A lock holder that itself waits for another lock while holding the first: the chain is told to its root
(tests/data/lockchain-*, see README.md there)."""

from __future__ import annotations

from pathlib import Path

from conftest import CAPTURES, require_shared

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_slow_frame_waiting_on_a_holder_that_waits_names_the_root() -> None:
    """Main waits for World::StateLock; NetWorker holds it in Net::MergeSnapshot while it waits for Net::SocketLock,
    held by NetIO through a blocking send: the frame's wait is the send's."""
    with open_capture(DATA / "lockchain-regress_b.tracy") as cap:
        r = cap.slow_frames()
        lc = cap.lock_contention()
    assert "it waits there for lock World::StateLock, held meanwhile by NetWorker in Net::MergeSnapshot" in r.title
    assert "itself waits there for Net::SocketLock (" in r.title
    assert "held by NetIO in Net::BlockingSend" in r.title
    lock_line = next(x for x in r.lines if x.startswith("Lock wait: "))
    assert "which itself waits there for Net::SocketLock" in lock_line
    # lock_contention: the StateLock's holder is told with its own wait; the SocketLock's holder waits for nothing
    who = [x for x in lc.lines if "who makes them wait:" in x]
    state = next(x for x in who if "NetWorker" in x)
    sock = next(x for x in who if "NetIO" in x)
    assert "running Net::MergeSnapshot, which itself waits there for Net::SocketLock (" in state
    assert state.endswith("held by NetIO in Net::BlockingSend")
    assert "itself waits" not in sock


def test_a_holder_that_only_works_under_its_lock_has_no_chain() -> None:
    """kvstore's WAL lock is held through a file write: the holder waits for no other lock."""
    with open_capture(DATA / "kvstore-wal_lock.tracy") as cap:
        text = "\n".join([cap.lock_contention().title, *cap.lock_contention().lines, cap.slow_frames().title])
    assert "itself waits" not in text


def test_compare_tells_why_the_new_hitch_waits() -> None:
    """chainhitch: B's Streaming::Commit now holds Assets::CacheLock while it waits for IO::FileLock, held by the
    autosave's write: B hitches, and compare says through which locks."""
    with open_capture(DATA / "chainhitch-calm.tracy") as a, open_capture(DATA / "chainhitch-hitch2.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
    assert lead.startswith("B hitches more often: ")
    assert "B's from Assets::Resolve (Main thread), " in lead
    assert ": it waits there for lock Assets::CacheLock, held meanwhile by Streaming in Streaming::Commit" in lead
    assert "itself waits there for IO::FileLock (" in lead and "held by Autosave in Save::WriteSnapshot" in lead


def test_a_holder_is_named_by_what_runs_through_its_holds() -> None:
    """rarehold: Streaming holds TextureCache::Mutex through the whole of TextureCache::Defragment, whose first step
    (MovePages) takes ~84% of each hold: the holder's zone is Defragment, not its larger step."""
    with open_capture(DATA / "rarehold-defrag.tracy") as cap:
        lc = cap.lock_contention()
        moves = cap.zones(name="TextureCache::MovePages")["duration_ns"]
        defrag = cap.zones(name="TextureCache::Defragment")["duration_ns"]
    assert 0.8 < moves.sum() / defrag.sum() < 0.9
    assert "held meanwhile by Streaming in TextureCache::Defragment (100% of the time blocked)" in lc.title


def test_the_other_contended_locks_follow_the_first_in_the_title() -> None:
    with open_capture(DATA / "chainhitch-hitch2.tracy") as cap:
        lc = cap.lock_contention()
        table = lc.table
    waits = table[table["contended"]].sort_values("wait_ns", ascending=False)["name"].tolist()
    assert waits == ["IO::FileLock", "Assets::CacheLock", "Audio::VoiceLock"]
    assert lc.title.startswith("Lock contention: IO::FileLock is contended")
    assert "; next: Assets::CacheLock 146.6 ms, Audio::VoiceLock 112.7 ms of total wait." in lc.title


def test_a_thread_that_only_try_locks_never_waits_and_the_waiters_are_still_told() -> None:
    """threeproblems-run: Worker 1-3 wait on JobQueue::m_mutex; the main thread only try-locks it (0 ns of wait)."""
    with open_capture(DATA / "threeproblems-run.tracy") as c:
        r = c.lock_contention()
        s = c.summary()
    threads = r.tables["threads"]
    assert float(threads[threads["thread"] == "Main thread"]["wait_ns"].iloc[0]) == 0
    assert any("waiting most: Worker 3, Worker 2, Worker 1 — " in x and "Main thread never waits" in x for x in r.lines)
    found = [text for _, text in s.findings]
    assert found[0].startswith("4 slow frame(s)") and "culprit Save::Checkpoint (Main thread)" in found[0]
    assert found[1].startswith("Lock contention: JobQueue::m_mutex is contended")
    assert "LEAK in Decal::Spawn: 26 x 2048 B" in found[2]


def test_threads_taking_turns_with_a_lock_that_wait_for_another_name_its_holder() -> None:
    """shardsim-contention: the three trade workers take turns holding Inventory::m_lock (no one blocker), and while
    holding it and blocking the others they wait for Db::m_lock, held by Db::Flush on the DB writer: the root."""
    with open_capture(Path(__file__).parent / "data" / "shardsim-contention.tracy") as c:
        r = c.lock_contention()
        db = c.lock_events()
    assert r.title.startswith("Lock contention: Inventory::m_lock is contended")
    assert (
        "held by each of its threads in turn, whose holders themselves wait there for Db::m_lock (" in r.title
        and "held by Db Writer in Db::Flush" in r.title
    )
    assert len(db)  # the lock events are there to check by hand


def test_threads_taking_turns_with_a_lock_name_what_they_run_while_holding_it() -> None:
    """clientapp: the workers take turns with g_queueMutex and each runs LockedWork while holding it."""
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as c:
        r = c.lock_contention()
    assert "g_queueMutex is contended" in r.title and "; held in turn, running LockedWork (" in r.title
