"""A program that crashed under the profiler (tests/data/crashsite-*.tracy, see README.md there): a worker's null
dereference, an abort from a failed assert during a save, and the same server exiting cleanly. Tracy's client
reports the crash; the summary leads with it and crash_report says what the program was doing then."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_segfault_names_the_thread_its_open_zones_and_the_code() -> None:
    with open_capture(DATA / "crashsite-nullptr.tracy") as c:
        died = c.crash()
        r = c.crash_report()
        first = c.summary().findings[0]
        info = c.info()["crash"]
    assert died is not None and died.thread == "Worker 2"
    assert died.reason.startswith("Invalid memory reference") and "Fault address: 0x4" in died.reason
    assert abs(died.time_ns - 4_102_800_000) < 1_000_000
    # the callstack starts at the program's own frame, below Tracy's handler and the C library's signal code
    assert died.frames[0].startswith("Inventory::ApplyTrade") and "crashsite.cpp" in died.frames[0]
    assert r.title.startswith("CRASH on Worker 2") and "inside Jobs::Run > Inventory::ApplyTrade" in r.title
    text = r.summary()
    assert "'trade 8812: item not found'" in text  # the last message, 3.4 ms before
    assert "Main thread: in Server::Tick > Save::Autosave > Save::Serialize" in text
    assert "Worker 3: in Jobs::Run > Pathing::Solve" in text
    assert "Locks at the crash" not in text  # it crashed before taking the ledger lock
    assert first[0] == "ctx.crash_report()" and first[1].startswith("CRASH on Worker 2")
    assert info["thread"] == "Worker 2" and info["frames"] == died.frames


def test_an_abort_in_a_save_with_the_memory_that_climbed_before_it() -> None:
    with open_capture(DATA / "crashsite-assert.tracy") as c:
        died = c.crash()
        text = c.crash_report().summary()
    assert died is not None and died.thread == "Main thread"
    # an abort's "fault address" is the sending process's id, not an address: left out
    assert died.reason == "Abort signal from abort()."
    assert died.frames[0].startswith("Save::Serialize")
    assert "inside Server::Tick > Save::Autosave > Save::Serialize" in text
    assert "assert failed: replay.size() <= kMaxSaveChunk" in text.split("Last messages before it:")[1].splitlines()[1]
    assert "Live memory at the crash: 14.75 MB (14.06 MiB), 11.80 MB (11.25 MiB) a second before" in text


def test_a_clean_run_reports_no_crash() -> None:
    with open_capture(DATA / "crashsite-clean.tracy") as c:
        assert c.crash() is None and c.info()["crash"] is None
        r = c.crash_report()
        assert r.title.startswith("No crash reported")
        assert not c.summary().findings[0][1].startswith("CRASH")


def test_the_crash_survives_a_save(tmp_path: Path) -> None:
    out = tmp_path / "again.tracy"
    with open_capture(DATA / "crashsite-nullptr.tracy") as c:
        before = c.crash()
        c.save(out)
    with open_capture(out) as c:
        assert c.crash() == before
