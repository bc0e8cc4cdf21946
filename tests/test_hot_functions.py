"""hot_functions: CPU time by function from the CPU samples of real captures, checked against the samples and
callstacks read one by one through the capture's own accessors; and the analyze tool serving it over MCP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest
from conftest import CAPTURES, require_shared
from cpu_records import runs_cut_per_cpu
from planted import planted
from server_support import connect, ok, server_env

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns


@pytest.fixture(scope="module")
def medium() -> Any:
    require_shared()
    with open_capture(CAPTURES / "medium-0.14.0.tracy") as c:
        yield c


def _own_frame(frames: list[dict[str, Any]], image_of: dict[int, str], program: str) -> str | None:
    """The innermost frame of the program's image that is not Tracy's instrumentation (its namespace or its own
    sources, such as its allocator), as the report names it."""
    for f in frames:
        tracy = "tracy::" in f["name"] or Path(f["file"]).name.startswith(("tracy_", "Tracy"))
        if image_of.get(f["addr"]) == program and not tracy:
            return f["name"]
    return None


def test_the_programs_own_functions_lead_and_match_the_callstacks(medium: Any) -> None:
    rep = medium.hot_functions()
    t = rep.table
    # the program's threads only: Tracy's own threads are left out and said to be
    s = medium.samples()
    mine = s[~s["thread"].str.startswith("Tracy ")]
    assert rep.samples == len(mine) and int(t["self_samples"].sum()) == len(mine)
    assert "Left out:" in rep.summary() and "Tracy Sampling" in rep.summary()
    assert not any(str(x).startswith("Tracy ") for x in rep.tables["threads"]["thread"])
    # own-code attribution, recomputed sample by sample from the callstacks and the symbols' images
    stats = medium.get_symbol_stats()
    image_of = {d["addr"]: d.get("image", "") for d in stats}
    program = next(d["image"] for d in stats if d.get("name") == "main")
    counts: dict[str, int] = {}
    for cs in mine["callstack_id"].to_numpy().tolist():
        nm = _own_frame(medium.get_callstack_frames(int(cs)), image_of, program)
        if nm is not None:
            counts[nm] = counts.get(nm, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    own = t.sort_values("own_code_samples", ascending=False).head(3)
    assert [f.split(" (")[0] for f in own["function"]] == [nm for nm, _ in top]
    assert own["own_code_samples"].tolist() == [c for _, c in top]
    assert top[0][0] == "StepWork"
    head = rep.summary().splitlines()[0]
    assert (
        head.startswith("Most CPU time (whole capture, ")
        and "in the program's own code StepWork (heavyapp.cpp:" in head
    )
    # where the CPU itself was: the innermost frame (a vDSO frame without symbol data here), as upstream counts it
    cpu_top = t.iloc[0]
    assert cpu_top["function"] == "clock_gettime (no symbol data)" and cpu_top["addr"] == 0
    # inclusive never below self; shares are of the samples in scope
    assert (t["incl_samples"] >= t["self_samples"]).all()
    assert np.allclose(t["self_share"], t["self_samples"] / rep.samples)
    # the capture holds far fewer samples than its 0.1 ms period implies against the context switches: said so
    assert "most were dropped, so read shares, not sample counts, as time" in rep.summary()
    assert len(rep.summary()) < 3_000


def test_samples_land_in_their_zones_and_filters_narrow_them(medium: Any) -> None:
    whole = medium.hot_functions()
    zones = whole.tables["zones"].set_index("zone")
    assert "(no zone)" in zones.index and zones["samples"].sum() == whole.samples
    inside_leaf = medium.hot_functions(name="Leaf")
    assert inside_leaf.samples == zones.loc["Leaf", "samples"]  # Leaf has no children: exactly its own samples
    assert set(inside_leaf.tables["zones"]["zone"]) == {"Leaf"}
    # inside Step: Step's own samples and those of the zones nested in it
    inside_step = medium.hot_functions(name="Step")
    assert set(inside_step.tables["zones"]["zone"]) <= {"Step", "Leaf"}
    assert (
        zones.loc["Step", "samples"]
        <= inside_step.samples
        <= zones.loc["Step", "samples"] + zones.loc["Leaf", "samples"]
    )
    one = medium.hot_functions(thread="Heavy 1", frame_range=(100, 120))
    lo, hi = medium.get_frame_boundaries()[100][0], medium.get_frame_boundaries()[120][1]
    s = medium.samples(thread="Heavy 1")
    assert one.samples == int(((s["time_ns"] >= lo) & (s["time_ns"] < hi)).sum()) > 0
    assert one.summary().startswith("Most CPU time (Heavy 1, frames 100-120, ")
    # a thread of the profiler's own is there when asked for
    assert medium.hot_functions(thread="Tracy Profiler").samples > 0


def test_stacks_that_never_reach_the_program_are_said_to(shared_dir: Path) -> None:
    """fiberpool's samples mostly end in the vDSO's clock_gettime (unwinding stops there): the program's own
    functions do not lead the answer, and the share of stacks without a program frame is said."""
    with open_capture(shared_dir / "captures" / "fiberpool-0.14.0.tracy") as c:
        rep = c.hot_functions()
    head = rep.summary().splitlines()[0]
    assert head.startswith("Most CPU time (whole capture, ") and "clock_gettime (no symbol data) 87.0%" in head
    assert "in the program's own code" not in head
    lost = re.search(r"(\d+\.\d)% of the samples have no frame in the program's own code", rep.summary())
    assert lost is not None and float(lost.group(1)) > 90


def test_captures_without_usable_samples_say_why() -> None:
    require_shared()
    with open_capture(planted("slow_frames.tracy")) as c:
        assert "has no CPU samples" in c.hot_functions().summary()
    with open_capture(CAPTURES / "tracypy-0.13.1.tracy") as c:
        assert "carry no valid times" in c.hot_functions().summary()


def test_analyze_serves_it_over_mcp(tmp_path: Path) -> None:
    require_shared()

    async def main() -> None:
        async with connect("stdio", server_env(tmp_path, TRACY_CAPTURES_DIR=str(CAPTURES))) as client:
            with anyio.fail_after(120):
                inst = (await ok(client, "load_capture", path="medium-0.14.0.tracy"))["instance_id"]
                got = await ok(client, "analyze", instance_id=inst, analysis="hot_functions", thread="Heavy 2")
                lines = got.splitlines()
                assert lines[0].startswith("Most CPU time (Heavy 2, ") and "StepWork" in lines[0]
                assert lines[-1].startswith("Tables (eval): r = ctx.hot_functions(thread='Heavy 2'); r.table")
                summary = await ok(client, "analyze", instance_id=inst, analysis="summary")
                assert any(line.endswith("[ctx.hot_functions()]") for line in summary.splitlines())
                # the sample count says which samples the analyses use
                assert "31393 CPU samples (14776 taken while running, 16617 at context switches)" in summary

    anyio.run(main)


def test_where_threads_blocked_from_the_callstacks_at_context_switches() -> None:
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as c:
        rep = c.hot_functions(blocked=True, thread="Worker*")
        every = c.get_callstack_sample_count()
        running = c.samples()
        runs = runs_cut_per_cpu(c.context_switches(), int(c.get_last_time()))
    head = rep.summary().splitlines()[0]
    # led by the time off a CPU that followed each switch: the workers' sleeps, then preemptions
    assert head.startswith("Time off a CPU by the call threads left it in (Worker A, Worker C, Worker B, ")
    t = rep.table.set_index("function")
    sleep = "__GI___clock_nanosleep (clock_nanosleep.c:34)"
    assert t["off_cpu_ns"].idxmax() == sleep and f"{sleep} {fmt_ns(int(t.loc[sleep, 'off_cpu_ns']))}" in head
    # the time off a CPU adds up to the gaps between the workers' runs (records cut per CPU)
    gaps = 0
    for _, g in runs[runs["thread"].str.startswith("Worker")].groupby("thread"):
        g = g.sort_values("start_ns")
        gaps += int(np.maximum(g["start_ns"].to_numpy()[1:] - g["end_ns"].to_numpy()[:-1], 0).sum())
    assert 0.95 < t["off_cpu_ns"].sum() / gaps < 1.10
    # preempted time is time a thread left its CPU runnable: the clock reads of the busy loops, not the sleeps
    gettime = "__GI___clock_gettime (clock_gettime.c:38)"
    assert t.loc[gettime, "preempted_ns"] > 0.9 * t.loc[gettime, "off_cpu_ns"]
    assert t.loc[sleep, "preempted_ns"] < 0.5 * t.loc[sleep, "off_cpu_ns"]
    # the call the workers blocked in: their sleep, from the first frame outside the kernel's scheduler
    assert f"By switches: {sleep} 60.2%" in head and "outside the kernel" in head
    # per zone, the call it blocked in: the loop's sleep, and the lock's futex inside the locked work
    zones = rep.tables["zones"].set_index("zone")
    assert zones.loc["WorkerIteration", "top_function"].startswith("__GI___clock_nanosleep")
    assert zones.loc["LockedWork", "top_function"].startswith("futex_wait")
    # counted over the samples taken at switches, which samples() (taken while running) leaves out
    assert 0 < rep.samples <= every - len(running)


def test_library_code_inlined_into_a_function_counts_as_that_function() -> None:
    """std::vector::operator[] and std::sqrt inlined into solve_contacts are its code, as a programmer reads it:
    the own-code share of each function is the share of samples with it anywhere on the stack inside the zone."""
    with open_capture(Path(__file__).parent / "data" / "simstep-sampled.tracy") as c:
        rep = c.hot_functions(name="Sim::Step")
        zone = c.zones(name="Sim::Step")
        s = c.samples(thread="Main thread")
        t = s["time_ns"].to_numpy()
        inside = np.zeros(len(t), dtype=bool)
        for a, b in zip(zone["start_ns"].to_numpy().tolist(), zone["end_ns"].to_numpy().tolist(), strict=True):
            inside |= (t >= a) & (t < b)
        stacks = [c.get_callstack_frames(int(cs)) for cs in s["callstack_id"].to_numpy()[inside].tolist()]
    assert rep.samples == len(stacks)
    funcs = ("integrate_bodies(double)", "solve_contacts(double)", "update_bounds(double)")
    on_stack = {f: sum(any(fr["name"] == f for fr in st) for st in stacks) for f in funcs}
    own = rep.table.set_index(rep.table["function"].str.split(" \\(").str[0])["own_code_samples"]
    assert {f: int(own[f]) for f in funcs} == on_stack
    assert on_stack["solve_contacts(double)"] > 0.28 * len(stacks)  # ~30% planted; the innermost frame says 24%
    head = rep.summary().splitlines()[0]
    # (the source was recorded as PROG.cpp)
    assert re.search(r"integrate_bodies\(double\) \(PROG\.cpp:25\) 5\d\.\d%, solve_contacts\(double\) \S+ 3", head)
    # the profiler's zone destructor is not listed as a caller (return addresses just past a call land in it)
    assert "ScopedZone" not in rep.summary()
