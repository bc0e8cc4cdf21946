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


def test_a_release_is_placed_in_the_zone_of_its_largest_free() -> None:
    """tests/data/hopper-leveltwo.tracy: a particle block freed at the end of Particles::EmitBursts opens the burst
    of frees that Level::ReleaseStaging makes 0.5 us later (30 MiB of staging buffers)."""
    with open_capture(DATA / "hopper-leveltwo.tracy") as c:
        m = c.memory_events(as_frame=True)
        staging = m[(m["size_bytes"] >= 4 << 20) & (m["alloc_ns"] > 3_000_000_000)]
        # the tables: level 2's 30 MiB, freed at 4.035 s
        assert sorted((staging["size_bytes"] // (1 << 20)).tolist()) == [4, 10, 16]
        assert 4_035_000_000 < int(staging["free_ns"].min()) < 4_036_000_000
        r = c.memory_report()
    release = next(x for x in r.lines if x.startswith("Largest release while running: "))
    assert "31.47 MB (30.01 MiB) in 6 frees at 4.035 s in Level::ReleaseStaging (Main thread)" in release
    assert "LEAK in Enemy::SpawnProjectile" in r.title
