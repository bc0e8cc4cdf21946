"""memory_report on a game whose allocations carry callstacks (tests/data/dungeon-*.tracy; see README.md there):
every allocation goes through one wrapper, Mem::Alloc, so zones alone cannot tell two allocations in one zone
apart, and the call sites can."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _frames_of(c, callstack: int) -> list[str]:  # noqa: ANN001 - a Capture
    return [f["name"] for f in c.get_callstack_frames(callstack)]


def test_a_leak_inside_one_zone_is_told_apart_by_its_call_site() -> None:
    """leak_by_callsite: in Entities::Update, Inventory::CloneItem called from Loot::Drop never frees; the same
    helper called from Shop::PreviewItem, and Combat::SpawnDamagePopup, allocate the same size and are freed."""
    with open_capture(DATA / "dungeon-leak_by_callsite.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
        never = ev[(ev["free_ns"] < 0) & (ev["size_bytes"] == 160)]
        stacks = {tuple(_frames_of(c, int(k))) for k in set(never["alloc_callstack_id"])}
    assert all(any(n.startswith("Loot::Drop") for n in s) for s in stacks)  # the tables: every leak via Loot::Drop
    # the zone is generic (its other call sites free): the title names the leak by the call path that tells it apart
    named = "Inventory::CloneItem < Loot::Drop (by callstack; in zone Entities::Update)"
    head = next(x for x in r.lines if x.startswith(f"LEAK: {named} — "))
    assert f"LEAK in {named}" in r.title
    assert f"{len(never)} allocations x 160 B" in head
    # the leak's own call site, after the allocation wrapper every call goes through
    assert "called (through Mem::Alloc) from Inventory::CloneItem (dungeon.cpp:" in head
    assert "< Loot::Drop (dungeon.cpp:" in head and f"({len(never)} allocations)" in head
    # beside it, the zone's other call sites, which free what they allocate
    others = head.split("from other call sites, are all freed: ")[1]
    assert "Combat::SpawnDamagePopup (dungeon.cpp:" in others and "< Shop::PreviewItem (dungeon.cpp:" in others
    # short names: no parameter lists or template arguments of the demangled names
    assert "mersenne_twister" not in head and "(int" not in head


def test_a_cache_freed_only_at_exit_is_named_as_growing() -> None:
    """unbounded_cache: Pathfinding::RouteCache::Insert (pool AI, inside AI::Think) adds routes every frame and
    frees them only in Game::Shutdown: no leak by the end, but memory grows all run."""
    with open_capture(DATA / "dungeon-unbounded_cache.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
        shutdown = int(c.zones(name="Game::Shutdown", as_frame=True)["start_ns"].min())
        ai = ev[ev["pool"] == "AI"]
        sites = {int(k): _frames_of(c, int(k)) for k in set(ai["alloc_callstack_id"])}
        inserts = ai[
            [
                any(n.startswith("Pathfinding::RouteCache::Insert") for n in sites[int(k)])
                for k in ai["alloc_callstack_id"]
            ]
        ]
    # the tables: every route is freed in the shutdown, none before
    assert len(inserts) > 700 and (inserts["free_ns"] >= shutdown).all()
    assert "AI::Think GROWS until exit: " in r.title and "no steady leak" in r.title
    line = next(x for x in r.lines if x.startswith("GROWS UNTIL EXIT: AI::Think (Main thread, pool AI)"))
    # the routes made before the last moments of the capture (the last frame's few count as in flight)
    count = int(line.split(" — ")[1].split(" allocations")[0])
    assert len(inserts) - 6 <= count <= len(inserts) and "in Game::Shutdown" in line
    assert "from Pathfinding::RouteCache::Insert (dungeon.cpp:" in line
    # the same zone's open lists are freed while it runs: told apart by their call site
    assert "freed while it runs: Pathfinding::AllocOpenList (dungeon.cpp:" in line
    assert np.all(inserts["size_bytes"] >= 8192)


def test_capped_and_batch_growth_is_not_called_growing() -> None:
    """A cache at its cap (vecedit cache_growth evicts its oldest) and a batch job's tables (buildsys, no frame
    loop) hold blocks until exit too, but neither grows without bound while a loop runs."""
    for name in ("vecedit-cache_growth.tracy", "buildsys-header_miss.tracy"):
        with open_capture(DATA / name) as c:
            assert "GROWS" not in c.memory_report().summary(), name


def test_a_zone_that_allocates_far_more_often_says_so_in_the_comparison() -> None:
    """regress a/b: b makes a 64 B temporary per widget per frame in UI::Draw (via UI::FormatLabel): 10x the
    allocations, the same memory live, UI::Draw slower."""
    with open_capture(DATA / "dungeon-regress_a.tracy") as a, open_capture(DATA / "dungeon-regress_b.tracy") as b:
        ev_a, ev_b = a.memory_events(as_frame=True), b.memory_events(as_frame=True)
        draws_a = len(a.zones(name="UI::Draw", as_frame=True))
        draws_b = len(b.zones(name="UI::Draw", as_frame=True))
        cmp = a.compare(b)
    assert len(ev_b) > 1.5 * len(ev_a)
    assert "most impact: UI::Draw " in cmp.title and "; it makes " in cmp.title
    made = cmp.title.split("; it makes ")[1]
    now, before = float(made.split(" allocations per call")[0]), float(made.split(", ")[1].split(" before")[0])
    assert now > 4 * before and draws_a == draws_b
    line = next(x for x in cmp.lines if x.strip().startswith("memory: allocations"))
    assert f"allocations {len(ev_a)} -> {len(ev_b)}" in line and "most of the change in UI::Draw: " in line


def test_a_leak_in_a_generic_request_zone_is_named_by_its_function() -> None:
    """svcleak leak_by_stack (tests/data/svcleak-*.tracy): every request allocates inside Server::HandleRequest;
    only Session::CacheHeaders' buffers leak (most of them), the other helpers free theirs."""
    with open_capture(DATA / "svcleak-leak_by_stack.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
        never = ev[(ev["free_ns"] < 0) & (ev["alloc_ns"] > 0.4e9)]  # past the start-up's one-off blocks
        stacks = [_frames_of(c, int(k)) for k in set(never["alloc_callstack_id"])]
    assert all(any(n.startswith("Session::CacheHeaders") for n in s) for s in stacks)  # the tables: one helper
    assert (
        f"LEAK in Session::CacheHeaders (by callstack; in zone Server::HandleRequest) (on 3 threads): {len(never)} x "
        in r.title
    )


def test_the_busiest_allocating_zone_names_the_function_its_callstacks_point_to() -> None:
    """regress_b: UI::Draw allocates a label per widget through UI::FormatLabel; the zone alone says UI::Draw."""
    with open_capture(DATA / "dungeon-regress_b.tracy") as c:
        r = c.memory_report()
        ev = c.memory_events(as_frame=True)
        top = int(ev["alloc_callstack_id"].value_counts().index[0])
        inner = [f for f in _frames_of(c, top) if f.startswith("UI::")]
    assert inner[0].startswith("UI::FormatLabel")  # the plain tables: the busiest callstack goes through it
    assert "most allocations: UI::Draw (11916, 44.0 per gameplay frame, median 64 B; by callstack UI::FormatLabel)" in (
        r.title
    )
    assert any(x.startswith("  by callstack: 11916 of its 11916 allocations with a callstack (100%)") for x in r.lines)
