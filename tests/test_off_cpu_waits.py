"""Waits told by context switches (tests/data/riftrunner-blocked_not_busy.tracy, recorded with Tracy's system
tracing: context switches and CPU samples; see README.md there): the loader's Asset::Decode lasts ~45 ms, but its
thread sleeps most of it, blocked on a mutex (not a Tracy lock) that another thread holds while it sleeps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _on_cpu_share(c, thread: str, zone: str) -> float:  # noqa: ANN001 - a Capture
    """From the tables: the share of the zone's runs its thread spent running on a CPU."""
    zones = c.zones(name=zone, thread=thread, as_frame=True)
    runs = c.context_switches(thread=thread, as_frame=True)
    st, en = runs["start_ns"].to_numpy(), runs["end_ns"].to_numpy()
    total = on = 0
    for a, b in zip(zones["start_ns"], zones["end_ns"], strict=True):
        total += b - a
        on += int(np.maximum(np.minimum(en, b) - np.maximum(st, a), 0).sum())
    return on / total


def test_a_zone_its_thread_sleeps_through_is_a_wait_not_work() -> None:
    with open_capture(DATA / "riftrunner-blocked_not_busy.tracy") as c:
        on_cpu = _on_cpu_share(c, "AssetLoader", "Asset::Decode")
        report = c.thread_report()
    assert on_cpu < 0.2  # the tables: the loader mostly does not run inside Asset::Decode
    waits = report.tables["waits"]
    row = waits[(waits["thread"] == "AssetLoader") & (waits["name"] == "Asset::Decode")]
    assert list(row["kind"]) == ["sleeps"]
    line = next(x for x in report.lines if x.startswith("AssetLoader: busy"))
    assert "Asset::Decode" in line and "a wait off the CPU (its thread asleep)" in line
    decode = line.split("Asset::Decode ")[1]
    on = float(decode.split("and on a CPU ")[1].split("%")[0]) / 100
    assert abs(on - on_cpu) < 0.03  # the report's share of running time agrees with the tables


def test_a_function_the_samples_show_replaced_is_named_by_the_comparison() -> None:
    """baseline -> hidden_hotspot: Physics::Solve (no child zones) got slower because BroadphaseSweep was replaced by
    BroadphaseNaive, which only the CPU samples show."""
    with (
        open_capture(DATA / "riftrunner-baseline.tracy") as a,
        open_capture(DATA / "riftrunner-hidden_hotspot.tracy") as b,
    ):
        fa, fb = a.hot_functions().table, b.hot_functions().table
        cmp = a.compare(b)

    def share(t, name: str) -> float:  # noqa: ANN001 - a hot_functions table
        rows = [x for f, x in zip(t["function"], t["incl_share"], strict=True) if str(f).startswith(name + " (")]
        return max(rows, default=0.0)

    assert share(fa, "BroadphaseNaive") == 0 and share(fb, "BroadphaseSweep") == 0
    assert "most impact: Physics::Solve " in cmp.title
    line = next(x for x in cmp.lines if "CPU samples (share with the function on the stack):" in x)
    assert f"BroadphaseNaive 0.0% -> {share(fb, 'BroadphaseNaive'):.1%} (only in B)" in line
    assert f"BroadphaseSweep {share(fa, 'BroadphaseSweep'):.1%} -> 0.0% (only in A)" in line


def test_slow_frames_say_when_the_frame_thread_waited_for_a_core() -> None:
    """baseline: on a loaded 2-core machine the main thread's slow frames are mostly time it was runnable but not
    running (context switches), which slow_frames says beside the zone that grew."""
    with open_capture(DATA / "riftrunner-baseline.tracy") as c:
        r = c.slow_frames()
        runs = c.context_switches(thread="Main thread", as_frame=True)
        frames = c.frames(as_frame=True)
    st, en = runs["start_ns"].to_numpy(), runs["end_ns"].to_numpy()

    def on_cpu(a: int, b: int) -> float:  # from the tables: the share of [a, b) the main thread ran
        return float(np.maximum(np.minimum(en, b) - np.maximum(st, a), 0).sum()) / (b - a)

    slow = [int(f) for f in r.table["frame"]]
    typical = [f for f in range(2, len(frames) - 1) if f not in slow]
    share = [on_cpu(int(frames["start_ns"][f]), int(frames["end_ns"][f])) for f in (slow, typical)[0]]
    usual = [on_cpu(int(frames["start_ns"][f]), int(frames["end_ns"][f])) for f in typical[::10]]
    assert np.median(share) < np.median(usual)  # the slow frames ran less of their time
    line = next(x for x in r.lines if x.startswith("Main thread waited for a core (runnable, not running"))
    assert "of their excess is other load taking its CPU" in line
