"""Changes the per-call tests cannot see. An old zone called from a new place (tests/data/shopapi-regress_*.tracy,
see README.md there: an ORM that queries once per order line): no zone got slower per call, the zone the new calls
run inside did, and that leads the comparison, not a one-off zone only B has. A zone run once per capture that
tripled (tests/data/frontier-regress_*.tracy: an autosave of 3x the entities): no test can tell, the comparison
names it. One kind of job, told apart only by its zone text (tests/data/jobtext-regress_*.tracy), and a new hitch
beside a tiny regression (tests/data/emberfall-regress_*.tracy) lead too."""

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


def test_a_zone_run_once_that_tripled_is_named_though_no_test_can_tell() -> None:
    with open_capture(DATA / "frontier-regress_a.tracy") as a, open_capture(DATA / "frontier-regress_b.tracy") as b:
        cmp = a.compare(b)
    assert "no zone regressed beyond noise among the zones run often enough to test" in cmp.title
    assert "run too rarely to test, slower: SaveSystem::WriteSnapshot 30.02 ms -> 90.42 ms (3.01x; 1 -> 1 calls" in (
        cmp.title
    )
    assert "its text 'autosave_02 1200' -> 'autosave_02 3600'" in cmp.title
    assert any(x.startswith("Run too rarely to test") and "SerializeEntities" in x for x in cmp.lines)


def test_a_kind_of_job_told_by_its_text_leads_where_the_name_only_ran_more_often() -> None:
    with open_capture(DATA / "jobtext-regress_a.tracy") as a, open_capture(DATA / "jobtext-regress_b.tracy") as b:
        cmp = a.compare(b)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("1 zone(s) regressed; most impact: Jobs::Execute ('Render.Cull') 2.49x per call")
    assert "called 1.26x as often" not in lead and "the machine" not in lead


def test_a_new_hitch_outweighs_a_tiny_regression() -> None:
    with open_capture(DATA / "emberfall-regress_a.tracy") as a, open_capture(DATA / "emberfall-regress_b.tracy") as b:
        cmp = a.compare(b)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("most impact: a zone only B has, Save::Autosave (3 calls, 120.0 ms in total); no zone")
    # the wait that grew 7.8 µs per frame is a sliver of one: listed below the title, not in it
    assert lead.endswith("no zone present in both regressed beyond noise by more than 0.1% of a gameplay frame.")
    assert any(x.startswith("Regressed by under 0.1%") and "Jobs::WaitForWorkers" in x for x in cmp.lines)
