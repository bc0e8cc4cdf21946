"""A zone that existed before, now called from a new place (tests/data/shopapi-regress_*.tracy, see README.md
there): an ORM that queries once per order line. No zone got slower per call; the zone the new calls run inside
did, and that leads the comparison, not a one-off zone only B has."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_new_calls_inside_an_old_zone_lead_over_a_one_off_new_zone() -> None:
    with open_capture(DATA / "shopapi-regress_a.tracy") as a, open_capture(DATA / "shopapi-regress_b.tracy") as b:
        title = a.compare(b).title
    assert "most impact: Orders::Hydrate 8.26x per call (0.327 ms -> 2.70 ms)" in title
    assert "from calls new inside it: Db::Query (2506 calls" in title
    assert "by text: 'SELECT * FROM customers WHERE id=?' 2506" in title
    assert title.index("Orders::Hydrate") < title.index("a zone only B has: Cache::Warm")
