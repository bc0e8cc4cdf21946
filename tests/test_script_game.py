"""The analyses on a game with an embedded scripting VM (tests/data/scriptgame-*.tracy, see README.md there):
a full garbage collection in steps, a frame bound by one late job that runs on any worker, a buffer grown by
doubling, a leak with callstacks. Expectations come from the plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_a_collection_in_two_steps_is_one_culprit() -> None:
    """gc_hitch: FullCollect's Mark and Sweep both grow; the culprit is FullCollect, with its steps inside it."""
    with open_capture(DATA / "scriptgame-gc_hitch.tracy") as c:
        r = c.slow_frames()
        fc = c.zones(name="Script::GC::FullCollect")
        f = c.frames()
    d = f["duration_ns"].to_numpy()
    g = d[2:-1]
    slow = np.flatnonzero(d > 2 * np.median(g))
    slow = slow[(slow >= 2) & (slow < len(d) - 1)]
    assert r.title.startswith(f"{len(slow)} slow frame(s) of ")
    assert r.culprit == "Script::GC::FullCollect"
    dur = fc["duration_ns"].to_numpy()
    assert (
        f"culprit Script::GC::FullCollect (Main thread), absent from typical frames vs {fmt_ns(dur.min())}.."
        f"{fmt_ns(dur.max())} in the slow frames (inside it: Script::GC::Mark " in r.title
    )
    assert "Call path: Game::Frame > Script::Update > Script::GC::FullCollect" in r.lines


def test_a_frame_bound_by_one_job_on_any_worker_is_its_critical_path() -> None:
    """critical_path: the main thread waits for Nav::BuildNavTiles, which runs on every worker in turn; no thread is
    busy, the one job bounds the frame."""
    with open_capture(DATA / "scriptgame-critical_path.tracy") as c:
        r = c.thread_report()
        nav = c.zones(name="Nav::BuildNavTiles")
    m = re.match(
        r"Critical path: Main thread waits [\d.]+% of the window in Jobs::Wait for one job, Nav::BuildNavTiles "
        r"\(a median ([\d.]+) ms; it starts a median [\d.]+ ms after the wait begins; run on job-0 to job-5 in turn",
        r.title,
    )
    assert m is not None, r.title
    assert abs(float(m[1]) - np.median(nav["duration_ns"]) / 1e6) < 0.02 * np.median(nav["duration_ns"]) / 1e6
    assert set(nav["thread"]) == {f"job-{k}" for k in range(6)}


def test_a_buffer_grown_by_doubling_and_a_pool_of_workers_as_one_site() -> None:
    """realloc_churn: each Net::Serialize run allocates 64 B .. 128 KiB, each block twice the last; Job::Particles
    on the six workers is one line of the sites."""
    with open_capture(DATA / "scriptgame-realloc_churn.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
        ser = c.zones(name="Net::Serialize")
    text = "\n".join(r.lines)
    net = m[m["alloc_thread"] == "net"]
    assert sorted(set(net["size_bytes"])) == [64 << k for k in range(12)]
    assert (
        f"grown step by step: in {len(ser)} of its {len(ser)} runs of Net::Serialize it allocates 12 blocks from 64 B "
        "to 131072 B" in text
    )
    jobs = m[m["alloc_thread"].astype(str).str.startswith("job-")]
    assert re.search(rf"\n\s+{len(jobs)}\s+[\d.]+\s+\d+ B .* — Job::Particles \[job-0 to job-5\]", text)


def test_a_leak_in_a_named_pool_with_its_callstack() -> None:
    """script_leak: the never-freed blocks of ScriptHeap, from Script::SpawnEntity, with the program's frames."""
    with open_capture(DATA / "scriptgame-script_leak.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
    never = m[m["free_ns"].isna() | (m["free_ns"] < 0)]
    assert set(never["pool"].astype(str)) == {"ScriptHeap"}
    text = "\n".join(r.lines)
    assert f"LEAK: Script::SpawnEntity — {len(never)} allocations x 512 B = {int(never['size_bytes'].sum())} B" in text
    assert "pool ScriptHeap" in text and "called (through script_alloc) from new_script_object (scriptgame.cpp:" in text
