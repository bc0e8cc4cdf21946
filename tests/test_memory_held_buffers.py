"""Memory held through a match and released at once by another thread (tests/data/memwho-match.tracy, see README.md
there): who holds it, who frees it, and no advice to reuse buffers that are kept on purpose."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_buffers_held_for_a_match_are_told_as_held_and_who_frees_them() -> None:
    with open_capture(DATA / "memwho-match.tracy") as cap:
        r = cap.memory_report()
        ev = cap.memory_events()
    rec = ev[ev["size_bytes"] >= 16384]
    rec = rec[rec["alloc_thread"].astype(str) == "Main thread"]
    text = "\n".join(r.lines)
    release = next(x for x in r.lines if x.startswith("Largest release while running: "))
    assert f"in {len(rec)} frees at " in release and "in Replay::Flush (IO), blocks of Replay::RecordFrame" in release
    most = next(x for x in r.lines if x.startswith("Most bytes: Replay::RecordFrame (Main thread)"))
    assert ": they pile up)" in most and "a buffer kept for reuse" not in most
    assert "no leak" in r.title and "Replay::RecordFrame" in text
