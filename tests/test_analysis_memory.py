"""ctx.memory_report() on the planted leak and churn captures (answers of upstream's engine), on fibers and named
pools, and on every shared capture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from planted import all_captures, answers, planted

import tracy_mcp
from tracy_mcp.analysis.formatting import fmt_bytes
from tracy_mcp.analysis.memory_report import MemoryReport
from tracy_mcp.errors import NotFoundError


@pytest.fixture(scope="module")
def leak() -> MemoryReport:
    return tracy_mcp.open_capture(planted("memory_leak.tracy")).memory_report()


@pytest.fixture(scope="module")
def churn() -> MemoryReport:
    return tracy_mcp.open_capture(planted("alloc_churn.tracy")).memory_report()


def _rows(table: Any) -> list[dict[str, Any]]:
    cols = {k: np.asarray(table[k]).tolist() for k in (table.columns if hasattr(table, "columns") else table)}
    n = len(next(iter(cols.values())))
    return [{k: v[i] for k, v in cols.items()} for i in range(n)]


def test_leak_site_and_size(leak: MemoryReport) -> None:
    want = answers()["memory_leak"]["expected"]
    leaks = _rows(leak.tables["leaks"])
    steady = [x for x in leaks if x["steady"]]
    assert len(steady) == 1  # the churning sites are freed: not leaks
    x = steady[0]
    assert x["name"] == want["leak_zone"] and x["path"] == want["leak_zone_path"]
    assert x["thread"] == want["leak_thread"] and x["pool"] == want["leak_pool"]
    assert x["never_freed"] == want["leak_count"] and x["never_freed_bytes"] == want["leak_bytes"]
    assert x["min_size_bytes"] == x["max_size_bytes"] == want["leak_size_each"]
    assert x["first_leak_ns"] / 1e6 == pytest.approx(want["leak_first_alloc_ms"], abs=0.01)
    assert x["last_leak_ns"] / 1e6 == pytest.approx(want["leak_last_alloc_ms"], abs=0.01)
    lines = leak.summary().splitlines()
    assert lines[0].startswith("Memory (6871 allocations")
    assert f"LEAK in {want['leak_zone']}: 144 x 3072 B = 442368 B never freed" in lines[0]
    assert "peak live 14.26 MB" in lines[0]
    assert "144 never freed (442368 B still allocated" in lines[1]
    assert lines[2].startswith(f"LEAK: {want['leak_zone']} — 144 allocations x 3072 B = 442368 B")
    # how fast it leaks: its bytes over the span of its allocations; no callstack narrows the site further
    per_s = want["leak_bytes"] / ((want["leak_last_alloc_ms"] - want["leak_first_alloc_ms"]) / 1e3)
    assert lines[3].startswith(f"  rate: {fmt_bytes(int(per_s))} per second")
    assert "No callstacks were recorded with the allocations" in leak.summary()


def test_peak_window_and_run_up(leak: MemoryReport) -> None:
    want = answers()["memory_leak"]["expected"]
    pool = _rows(leak.tables["pools"])[0]
    assert pool["peak_bytes"] == pytest.approx(want["peak_live_bytes"], rel=0.05)
    lo, hi = want["peak_window_ms_95pct"]
    assert lo <= pool["peak_ns"] / 1e6 <= hi
    assert pool["window_start_ns"] / 1e6 == pytest.approx(lo, abs=0.01)
    assert pool["window_end_ns"] / 1e6 == pytest.approx(hi, abs=0.01)
    assert pool["peak_frame"] == want["peak_frame"]
    assert pool["live_at_end_bytes"] == want["usage_at_end_bytes"]
    growth = _rows(leak.tables["peak_growth"])
    assert growth[0]["path"].endswith(want["peak_cause_zone"])
    assert growth[0]["freed_later"] == growth[0]["allocs"]
    text = leak.summary()
    run_up = next(x for x in text.splitlines() if "run-up" in x)
    assert want["peak_cause_zone"] in run_up and "not a leak" in run_up
    assert "LEAK: World::StreamInChunk" not in text


def test_sites_match_the_reference(leak: MemoryReport) -> None:
    facts = answers()["memory_leak"]["facts"]["sites"]
    sites = {(x["thread"], x["path"]): x for x in _rows(leak.table)}
    assert len(sites) == len(facts)
    for f in facts:
        s = sites[(f["thread"], f["zone_path"])]
        assert (s["allocs"], s["bytes"], s["never_freed"]) == (f["allocs"], f["bytes"], f["never_freed_count"])
        assert (s["min_size_bytes"], s["max_size_bytes"]) == (f["size_min"], f["size_max"])
        assert s["median_size_bytes"] == f["size_median"]


def test_rate_per_gameplay_frame_comes_first(leak: MemoryReport) -> None:
    """A site that allocates in a few frames only: the overall rate per gameplay frame is given first and the rate in
    its active frames after it, each labelled, so the active-frame rate is not quoted as the per-frame rate."""
    top = _rows(leak.table)[0]
    assert top["frames_active"] < 100 and top["allocs_per_frame"] > 3 * top["allocs_per_gameplay_frame"]
    most = next(x for x in leak.summary().splitlines() if x.startswith("Most allocations"))
    overall = f"{top['allocs_per_gameplay_frame']:.1f} per gameplay frame overall"
    active = f"{top['allocs_per_frame']:.1f} per active frame (it allocates in {top['frames_active']} of all"
    assert overall in most and active in most and most.index(overall) < most.index(active)


def test_churn_source(churn: MemoryReport) -> None:
    want = answers()["alloc_churn"]["expected"]
    top = _rows(churn.table)[0]
    assert top["name"] == want["hot_zone"] and top["path"] == want["hot_zone_path"] and top["thread"] == want["thread"]
    assert top["allocs"] == want["total_allocs"]
    assert top["allocs_per_frame"] == pytest.approx(want["allocs_per_frame"], rel=0.1)
    assert top["allocs_per_gameplay_frame"] == pytest.approx(want["allocs_per_frame"], rel=0.1)
    assert (top["min_per_frame"], top["max_per_frame"]) == tuple(want["allocs_per_frame_range"])
    assert top["median_size_bytes"] == want["typical_size_bytes"]
    assert top["never_freed"] == 0 and top["freed_in_zone"] == top["allocs"]
    text = churn.summary()
    most = next(x for x in text.splitlines() if x.startswith("Most allocations"))
    assert want["hot_zone"] in most and "median size 40 B" in most
    assert "1798.5 per gameplay frame (240 gameplay frames; min 1701, max 1900)" in most
    assert "97.7% of all" in most
    most_bytes = next(x for x in text.splitlines() if x.startswith("Most bytes"))
    assert want["largest_by_bytes_zone"] in most_bytes and "not churn" in most_bytes
    # where the command buffers are freed (the next frame's recycle), and how long they live
    assert "freed mostly in Renderer::RecycleCommandBuffers (100% of its frees)" in most_bytes
    assert "each living a median 16.64 ms" in most_bytes
    assert "No leak" in text and "LEAK" not in text
    head = text.splitlines()[0]
    assert "most allocations: UI::Layout::BuildGlyphRuns (431640, 1798.5 per gameplay frame, median 40 B)" in head


def test_fibers_are_looked_through() -> None:
    ctx = tracy_mcp.open_capture(planted("memory_leak.tracy").parents[1] / "fiberpool-0.14.0.tracy")
    rep = ctx.memory_report()
    paths = set(np.asarray(rep.table["path"]).tolist())
    assert "(no zone)" not in paths and all(p.startswith("Job") for p in paths)
    threads = set(np.asarray(rep.table["thread"]).tolist())
    assert threads == {"Fiber worker 0", "Fiber worker 1", "Fiber worker 2"}
    assert int(np.asarray(rep.table["freed_other_thread"]).sum()) > 0
    assert "No steady leak" in rep.summary()


def test_pools_and_filters(shared_dir: Path) -> None:
    ctx = tracy_mcp.open_capture(shared_dir / "captures" / "clientapp-0.14.0.tracy")
    rep = ctx.memory_report()
    pools = _rows(rep.tables["pools"])
    assert [p["pool"] for p in pools][-1] == "(all pools)"
    assert {p["pool"] for p in pools[:-1]} == {"(default)", "Pool A", "Pool B"}
    assert pools[-1]["allocs"] == sum(p["allocs"] for p in pools[:-1])
    upstream = {p.name: p.alloc_count for p in ctx.get_memory_pools()}
    for p in pools[:-1]:
        assert p["allocs"] == upstream[p["pool"]]
    # the top site's code on every thread and pool, as one figure
    sites = rep.table
    same = np.asarray(sites["path"]) == "WorkerIteration > MemoryWork"
    whole = next(t for t in rep.summary().splitlines() if t.startswith("  that path on all 3 thread(s) and 3 pool(s)"))
    assert f"{int(np.asarray(sites['allocs'])[same].sum())} allocations" in whole, whole
    only_a = ctx.memory_report("Pool A")
    assert set(np.asarray(only_a.table["pool"]).tolist()) == {"Pool A"}
    by_thread = ctx.memory_report(thread="Worker B")
    assert set(np.asarray(by_thread.table["thread"]).tolist()) == {"Worker B"}
    half = ctx.memory_report(end_ns=ctx.get_last_time() // 2)
    assert 0 < int(np.asarray(half.table["allocs"]).sum()) < int(np.asarray(rep.table["allocs"]).sum())
    with pytest.raises(NotFoundError, match="no memory pool"):
        ctx.memory_report("no such pool")


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    ctx = tracy_mcp.open_capture(path)
    rep = ctx.memory_report()
    text = rep.summary()
    assert 1 <= len(text.splitlines()) <= 41 and len(text) < 5000
    if ctx._db.rows("mem_events") == 0:
        assert "none recorded" in text
    else:
        assert int(np.asarray(rep.table["allocs"]).sum()) == ctx._db.rows("mem_events")


def test_one_rule_for_sizes() -> None:
    from tracy_mcp.analysis.formatting import fmt_bytes

    assert fmt_bytes(3072) == "3072 B"
    assert fmt_bytes(442368) == "442.4 kB (432.0 KiB)"
    assert fmt_bytes(14_260_000) == "14.26 MB (13.60 MiB)"
    assert fmt_bytes(3 * 2**30) == "3.22 GB (3.00 GiB)"


def test_a_leak_names_its_siblings_that_never_free() -> None:
    """memory_leak: Decals::Expire runs every frame beside the leaking Decals::SpawnImpactDecal and frees nothing."""
    with tracy_mcp.open_capture(planted("memory_leak.tracy")) as c:
        r = c.memory_report()
        ev = c.memory_events()
        expire = c.zones(name="Decals::Expire")
    freed = ev[ev["free_ns"] >= 0]
    for th, runs in expire.groupby("thread", observed=True):
        t = np.sort(freed[freed["free_thread"] == th]["free_ns"].to_numpy())
        a = np.searchsorted(t, runs["start_ns"].to_numpy())
        b = np.searchsorted(t, runs["end_ns"].to_numpy())
        assert (a == b).all()  # no free inside any run
    line = next(x.strip() for x in r.lines if x.strip().startswith("Frees nothing:"))
    assert line.startswith(f"Frees nothing: Decals::Expire ({len(expire)} runs), beside Decals::SpawnImpactDecal")


def test_the_busiest_site_gives_its_sizes() -> None:
    """alloc_churn: BuildGlyphRuns allocates 24-64 B blocks; the report gives the mean and the share of each size."""
    with tracy_mcp.open_capture(planted("alloc_churn.tracy")) as c:
        r = c.memory_report()
        z = c.zones(name="UI::Layout::BuildGlyphRuns")
        ev = c.memory_events()
    line = next(x.strip() for x in r.lines if x.strip().startswith("its sizes:"))
    # the site's allocations: those made while one of its runs is open (it runs on one thread, runs do not nest)
    t = ev["alloc_ns"].to_numpy()
    s, e = np.sort(z["start_ns"].to_numpy()), np.sort(z["end_ns"].to_numpy())
    k = np.searchsorted(s, t, "right") - 1
    size = ev["size_bytes"].to_numpy()[(k >= 0) & (t < e[np.maximum(k, 0)])]
    assert line.startswith(f"its sizes: mean {size.mean():.1f} B; 40 B {np.mean(size == 40):.0%}")
