"""A cache that fills to its budget and then evicts as much as it inserts is no leak, even when the blocks it
keeps are not its latest (tests/data/harbor-*.tracy, see README.md there); a small real leak under that plateau is."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_cache_at_its_budget_is_not_a_leak() -> None:
    with open_capture(DATA / "harbor-cache_plateau.tracy") as c:
        r = c.memory_report()
    assert "no steady leak" in r.title and "LEAK" not in r.title
    assert "TextureCache::Insert bounded at 99.61 MB (95.00 MiB) (a cap, not a leak)" in r.title


def test_a_small_leak_under_the_cache_plateau_leads() -> None:
    with open_capture(DATA / "harbor-real_small_leak.tracy") as c:
        r = c.memory_report()
    assert "LEAK in Net::PumpMessages (pool (default)): 221 x 1536 B = 339456 B never freed" in r.title
    assert "TextureCache::Insert bounded" in r.title
