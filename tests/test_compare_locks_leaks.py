"""A regression whose causes are a lock and a leak (tests/data/ironvale-*.tracy, see README.md there): the
comparison says what the regressed zone now waits on and which leak only B has."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_the_lock_a_regressed_zone_waits_on_and_a_new_leak_are_named() -> None:
    with open_capture(DATA / "ironvale-all_clear.tracy") as a, open_capture(DATA / "ironvale-two_problems.tracy") as b:
        cmp = a.compare(b)
    assert "most impact: ECS::UpdateTransforms 1.76x per call" in cmp.title
    assert "inside it, waiting for EntityRegistry::m_mutex: 4.23 ms -> 1.53 s in total" in cmp.title
    assert "B leaks in Particles::SpawnEmitter: 311 x 24.6 kB (24.0 KiB) (median) = 7.64 MB (7.29 MiB)" in cmp.title
    assert "never freed (A: none)" in cmp.title
    locks = next(x for x in cmp.lines if x.startswith("Lock waits"))
    assert "waited for in ECS::UpdateTransforms" in locks


def test_the_same_run_twice_names_no_lock_or_leak() -> None:
    with (
        open_capture(DATA / "ironvale-two_problems.tracy") as a,
        open_capture(DATA / "ironvale-two_problems.tracy") as b,
    ):
        cmp = a.compare(b)
    assert "waiting for" not in cmp.title and "leaks in" not in cmp.title
    assert not any(x.startswith(("Lock waits", "Leaks")) for x in cmp.lines)
