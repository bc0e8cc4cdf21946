"""The analyses on an event-driven desktop app's captures (tests/data/notesapp-*.tracy, see README.md there): the
main thread waits for input in UI::WaitForEvents at the start of each frame and redraws only after an event, so
idle frames run far longer than the slow ones."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_idle_frames_are_left_out_and_the_freeze_behind_a_lock_is_named() -> None:
    """search_lock: four searches block on Index::mutex while the indexer rebuilds (~190 ms frames); idle frames of
    up to ~500 ms are the user pausing. The wait for input is recognised, its frames are not slow."""
    with open_capture(DATA / "notesapp-search_lock.tracy") as c:
        res = c.slow_frames()
        searches = c.zones(name="Search::Query")
        report = c.thread_report()
    waits = report.tables["waits"]
    kinds = dict(zip(waits["name"], waits["kind"], strict=True))
    assert kinds.get("UI::WaitForEvents") == "waits for input"
    assert res.culprit == "Search::Query"
    assert "only because the loop waited for input in UI::WaitForEvents left out" in res.title
    assert "waits there for lock Index::mutex, held meanwhile by indexer" in res.title
    blocked = int((searches["duration_ns"] > 100_000_000).sum())
    assert res.title.startswith(f"{blocked} slow frame(s) of ")


def test_the_keypress_work_stays_the_culprit_when_idle_frames_are_left_out() -> None:
    """keypress_lag: every keypress re-parses the whole document (40-70 ms); the longest frames are idle."""
    with open_capture(DATA / "notesapp-keypress_lag.tracy") as c:
        res = c.slow_frames()
    assert res.culprit == "Markdown::ReparseDocument"
    assert "left out" in res.title


def test_new_work_in_an_old_place_leads_the_comparison() -> None:
    """regress a/b: b paints with a new blur (Effects::Blur, a zone only b has, inside UI::Paint); no zone in both
    regressed, and the frames held (they wait for input). The title names the new zone and where it runs."""
    with open_capture(DATA / "notesapp-regress_a.tracy") as a:
        cmp = a.compare(DATA / "notesapp-regress_b.tracy")
    assert "most impact: a zone only B has, Effects::Blur (" in cmp.title
    assert "inside UI::Paint, which went " in cmp.title
    assert "Spell::CheckParagraph 0.49x per call" in cmp.title or "Spell::CheckParagraph" in cmp.summary()
