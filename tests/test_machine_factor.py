"""The same code on a slower machine (tests/data/clockgame-*.tracy, see README.md there): every zone's time per call
scaled by one clock factor. No zone regressed on its own, unless one did on top of the factor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _per_call(c) -> pd.Series:  # noqa: ANN001 - a Capture; median own time per call by zone name
    z = c.zones(as_frame=True)
    z = z[z["end_ns"] >= 0]
    counts = z.groupby("name", observed=True).size()
    med = z.groupby("name", observed=True)["self_ns"].median()
    return med[(counts >= 20) & (med > 50_000)]


def _ratios(a, b) -> pd.Series:  # noqa: ANN001
    pa, pb = _per_call(a), _per_call(b)
    common = pa.index.intersection(pb.index)
    return pb[common] / pa[common]


def test_a_slower_machine_is_no_zone_regression() -> None:
    """regress a/b: every zone x1.3 in B."""
    with open_capture(DATA / "clockgame-regress_a.tracy") as a, open_capture(DATA / "clockgame-regress_b.tracy") as b:
        cmp = a.compare(b)
        ratio = _ratios(a, b)
    assert ((ratio > 1.25) & (ratio < 1.35)).mean() > 0.9  # the tables: one factor everywhere
    assert "every zone is about 1.30x slower per call (" in cmp.title
    assert (
        "the machine (its clock, thermal throttling, a power plan, other load), not a change in one zone" in cmp.title
    )
    assert "no zone beyond it." in cmp.title and "most impact" not in cmp.title
    assert cmp.lines[0].startswith("Machine-wide: ")


def test_a_regression_beyond_the_machine_factor_leads() -> None:
    """mixed a/b: everything x1.2, and Physics::Solve x2.4."""
    with open_capture(DATA / "clockgame-mixed_a.tracy") as a, open_capture(DATA / "clockgame-mixed_b.tracy") as b:
        cmp = a.compare(b)
        ratio = _ratios(a, b)
    assert ratio["Physics::Solve"] > 2.2 and float(np.median(ratio)) < 1.25
    assert "every zone is about 1.20x slower per call (" in cmp.title
    assert "; beyond that factor: 1 zone(s) regressed; most impact: Physics::Solve 2.3" in cmp.title


def test_throttling_mid_run_is_told_as_the_machine() -> None:
    """throttle: from about 20 s on every zone is about 1.4x slower."""
    with open_capture(DATA / "clockgame-throttle.tracy") as c:
        trend = c.frame_trend()
    assert trend.title.startswith("Frame time steps up at frame ")
    assert "from then on every zone is about 1.39x slower per call" in trend.title or (
        "from then on every zone is about 1.4" in trend.title
    )
    assert "growing with it" not in trend.title and trend.culprit is None


def test_a_pools_wait_named_as_one_is_a_wait_on_every_thread() -> None:
    """longplay threads: JobSystem::WaitForWork on Worker 0-2; the timing test tells it on Worker 2 only (the
    others wake in the middle of the main thread's kick), the name and the pool tell it on all three."""
    with open_capture(DATA / "longplay-threads.tracy") as c:
        waits = c.thread_report().tables["waits"]
    rows = waits[waits["name"] == "JobSystem::WaitForWork"]
    assert set(rows["thread"].astype(str)) == {"Worker 0", "Worker 1", "Worker 2"}


def test_one_factor_everywhere_names_the_build_when_the_builds_differ() -> None:
    """apexbuild-config: a release build, then a debug one: every zone ~2.8x, and the app info says why."""
    with open_capture(DATA / "apexbuild-config_a.tracy") as a, open_capture(DATA / "apexbuild-config_b.tracy") as b:
        ratio = (_per_call(b) / _per_call(a)).dropna()
        assert (ratio.between(2.5, 3.1)).sum() >= 10  # the tables: one factor on most zones
        assert "build: debug" in " ".join(b.get_app_info())
        title = a.compare(b).title
    assert "every zone is about 2.77x slower per call" in title
    assert "a different build (app info 'ApexCircuit 0.9.3 (Dec 1 2026) build: release (-O2 -g)' -> " in title
    assert "no zone beyond it" in title


def test_one_factor_without_a_build_change_names_only_the_machine() -> None:
    with open_capture(DATA / "clockgame-regress_a.tracy") as a, open_capture(DATA / "clockgame-regress_b.tracy") as b:
        title = a.compare(b).title
    assert "the same code running slower, the machine (its clock" in title and "a different build" not in title


def test_slow_calls_stretched_by_a_loaded_machine_are_no_machine_factor() -> None:
    """tests/data/entitylock-*.tracy: every zone's mean per call is ~1.13x in B while its median holds (preempted
    calls on a loaded 2-core machine); the lock that B holds across its serialization is the change."""
    with open_capture(DATA / "entitylock-a.tracy") as a, open_capture(DATA / "entitylock-b.tracy") as b:
        ia, ib = (c.zones(name="Zone::IntegrateMovement", as_frame=True)["duration_ns"] for c in (a, b))
        assert ib.mean() > 1.1 * ia.mean() and abs(ib.median() / ia.median() - 1) < 0.02  # the tables
        r = a.compare(b)
    assert "the same code running slower" not in r.title and not r.lines[0].startswith("Machine-wide")
    assert "most impact: Zone::UpdateEntityBatch 2.14x per call (0.574 ms -> 1.23 ms)" in r.title
    assert "inside it, waiting for Zone::m_entityLock: 123.8 ms -> 2.37 s in total" in r.title
