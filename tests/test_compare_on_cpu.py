"""compare() with context switches in both captures (tests/data/cutroom-{calm,cpu_starved}.tracy, README.md there):
during an export four encoder threads take the 2 cores; the editor's zones take 2.5-140x as long by the clock while
their work on a CPU per call holds. The title says so instead of leaving a 139x "regression" unexplained."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _on_cpu_per_call(path: Path, name: str) -> tuple[float, float]:
    """(time on a CPU, wall time) per call of zone `name`, from the zones and context-switch tables."""
    with open_capture(path) as c:
        z = c.zones(name=name, as_frame=True)
        cs = c.context_switches(as_frame=True)
    z = z[z["end_ns"] >= 0]
    on = 0
    for th, calls in z.groupby("thread_id"):
        runs = cs[cs["thread_id"] == th]
        s, e = runs["start_ns"].to_numpy(), runs["end_ns"].to_numpy()
        for a, b in zip(calls["start_ns"].to_numpy(), calls["end_ns"].to_numpy(), strict=True):
            on += int(np.clip(np.minimum(e, b) - np.maximum(s, a), 0, None).sum())
    return on / len(z), float(z["duration_ns"].mean())


def test_a_zone_slower_by_the_clock_but_not_on_a_cpu_is_told_as_waiting_for_a_core() -> None:
    name = "Loader::ExtractMetadata"
    (cpu_a, wall_a), (cpu_b, wall_b) = (
        _on_cpu_per_call(DATA / f"cutroom-{s}.tracy", name) for s in ("calm", "cpu_starved")
    )
    assert wall_b > 50 * wall_a and cpu_b < 1.25 * cpu_a  # the tables: the clock, not the work
    with open_capture(DATA / "cutroom-calm.tracy") as a:
        r = a.compare(DATA / "cutroom-cpu_starved.tracy")
    assert f"most impact: {name}" in r.title
    m = re.search(
        r"; on a CPU it took ([\d.]+) ms -> ([\d.]+) ms per call \(context switches\): its own work held", r.title
    )
    assert m is not None
    # the engine's runs patch switch-outs the kernel lost; the raw table's sums agree within a few percent
    assert float(m[1]) == pytest.approx(cpu_a / 1e6, rel=0.05) and float(m[2]) == pytest.approx(cpu_b / 1e6, rel=0.05)
    assert "it waited for a core (runnable, not running)" in r.title
    line = next(x for x in r.lines if x.startswith("  On a CPU per call (context switches): "))
    assert "Preview::DecodeFrame " in line and "Timeline::Layout " in line


def test_a_regression_in_the_work_itself_is_not_told_as_waiting() -> None:
    with open_capture(DATA / "riftrunner-baseline.tracy") as a:
        r = a.compare(DATA / "riftrunner-hidden_hotspot.tracy")
    assert "most impact: Physics::Solve" in r.title
    assert "its own work held" not in r.title
    assert any(x.startswith("  On a CPU per call (context switches): Physics::Solve") for x in r.lines)


def test_the_function_that_gained_the_samples_inside_a_regressed_zone_is_named() -> None:
    """mixbus-regress_{a,b}: EQ::Process got 3x slower because biquad_run now calls compute_coeffs per sample (CPU
    samples at 1 kHz); the zone has no child zones, so only the samples show it."""
    with open_capture(DATA / "mixbus-regress_a.tracy") as a, open_capture(DATA / "mixbus-regress_b.tracy") as b:
        in_eq = [c.hot_functions(n=50, name="EQ::Process").table for c in (a, b)]
        r = a.compare(b)
    counts = [
        dict(zip(t["function"].str.split(" (", regex=False).str[0], t["incl_samples"], strict=True)) for t in in_eq
    ]
    assert "compute_coeffs" not in counts[0] and counts[1]["compute_coeffs"] > 500  # the tables: new in B
    assert "most impact: EQ::Process" in r.title
    assert f"; CPU samples inside it: compute_coeffs 0 -> {counts[1]['compute_coeffs']} (only in B)" in r.title
    with open_capture(DATA / "riftrunner-baseline.tracy") as a:
        r = a.compare(DATA / "riftrunner-hidden_hotspot.tracy")
    assert "most impact: Physics::Solve" in r.title and "CPU samples inside it: BroadphaseNaive 0 -> " in r.title
