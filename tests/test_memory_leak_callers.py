"""A leak in one function reached from two callers (tests/data/chatleak-session.tracy, README.md there): the leak
is the function's, with both paths, not the larger caller's share alone."""

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
