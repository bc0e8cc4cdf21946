"""memory_report on when the never-freed blocks were made (tests/data/teleingest-*.tracy, harbor_editor-*.tracy; see
README.md there): a leak that happens only in bursts (records dropped while a queue is full), a cache that filled
once and stopped, and a peak that holds for a while."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_leak_in_bursts_says_so_without_an_hourly_rate() -> None:
    """dropped_leak: Msg::Create's records dropped while the queue was full (three load spikes) are never freed."""
    with open_capture(DATA / "teleingest-dropped_leak.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
    never = ev[ev["free_ns"] < 0]
    records = never[never["size_bytes"] <= 2048]  # the schema cache's blocks are 6144 B (see the next test)
    n = len(records)
    assert n > 100 and set(records["alloc_thread"].astype(str)) == {"ingest-0", "ingest-1"}
    line = next(x for x in r.lines if x.startswith("LEAK: Msg::Create — "))
    assert f"{n} allocations x " in line and "allocated in 3 bursts, none between them (" in line
    assert any(x.strip().startswith("rate: only in those bursts") for x in r.lines)
    assert not any("an hour if it keeps on" in x for x in r.lines)


def test_a_cache_that_filled_once_is_no_steady_leak() -> None:
    """backlog: memory balloons with the queue and comes back; Schema::Resolve's never-freed blocks (one per schema
    id) were made early and stopped long before the end."""
    with open_capture(DATA / "teleingest-backlog.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
        last = max(int(ev["alloc_ns"].max()), int(ev["free_ns"].max()))
    never = ev[ev["free_ns"] < 0]
    assert int(never["alloc_ns"].max()) < last - 0.4 * (last - int(ev["alloc_ns"].min()))  # the tables: it stopped
    assert "no steady leak" in r.title and "LEAK" not in r.title
    assert any(x.startswith("No steady leak: ") and "of Schema::Resolve are never freed" in x for x in r.lines)


def test_the_peak_holds_until_live_memory_next_moves() -> None:
    """scratch_peak: one 300 MiB block in Bake::Lightmaps, allocated at the peak and freed 0.43 s later, with no
    memory event between: the peak lasts that long, not an instant."""
    with open_capture(DATA / "harbor_editor-scratch_peak.tracy") as c:
        ev = c.memory_events(as_frame=True)
        r = c.memory_report()
    big = ev.loc[ev["size_bytes"].idxmax()]
    assert big["size_bytes"] == 300 * 2**20
    a, f = int(big["alloc_ns"]), int(big["free_ns"])
    line = next(x for x in r.lines if x.startswith("Peak: "))
    assert f"live >= 95% of the peak from {a / 1e9:.3f} s to {f / 1e9:.3f} s." in line
