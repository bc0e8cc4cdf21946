"""Leaks beyond one site (tests/data/chatleak-session.tracy, twoleaks-session.tracy; README.md there): a function
leaking for two callers is one leak with both paths; two functions leaking in two pools are two leaks."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_function_leaking_for_two_callers_is_one_leak_with_both_paths() -> None:
    with open_capture(DATA / "chatleak-session.tracy") as c:
        res = c.memory_report()
        ev = c.memory_events()
    never = ev[ev["free_ns"] < 0]
    assert (len(never), int(never["size_bytes"].sum())) == (937, 1208813)  # the plain table: all of it the chat's
    assert "LEAK in Chat::AppendMessage: 937 x 512-2046 B = 1208813 B never freed" in res.title
    head = "\n".join(res.lines[:3])
    assert (
        "paths Client::Tick > UI::Update > Chat::ProcessIncoming > Chat::AppendMessage (817); "
        "Client::Tick > Combat::Update > Combat::LogDamage > Chat::AppendMessage (120)"
    ) in head


def test_two_leaks_in_two_pools_are_both_in_the_title() -> None:
    """twoleaks-session: Ships::SpawnWreck leaks 4 KiB blocks in the default pool, Particles::CreateEmitter 512 B
    blocks in the named pool FXPool on two job threads."""
    with open_capture(DATA / "twoleaks-session.tracy") as c:
        res = c.memory_report()
        ev = c.memory_events()
    never = ev[ev["free_ns"] < 0]
    by_pool = never.groupby("pool")["size_bytes"].agg(["count", "sum"])
    assert by_pool.loc["FXPool"].tolist() == [66, 33792] and by_pool.loc["(default)"].tolist() == [21, 86016]
    assert "LEAK in Ships::SpawnWreck (pool (default)): 21 x 4096 B = 86016 B never freed" in res.title
    assert "a second LEAK in Particles::CreateEmitter (pool FXPool, on 2 threads): 66 x 512 B = 33792 B" in res.title
    assert any(x.startswith("LEAK (a second one): Particles::CreateEmitter — 66 allocations") for x in res.lines)


def test_the_busiest_allocating_code_counts_every_thread_it_runs_on() -> None:
    """reqsrv-backlog: Server::HandleRequest allocates on each of the five worker threads."""
    with open_capture(DATA / "reqsrv-backlog.tracy") as c:
        res = c.memory_report()
        ev = c.memory_events()
        z = c.zones(name="Server::HandleRequest")
    assert z["thread"].nunique() == 5 and len(ev) == 9625  # the plain tables
    assert "most allocations: Server::HandleRequest (on 5 threads: 4812, median 3584 B)" in res.title
