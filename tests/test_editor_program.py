"""The analyses on a desktop editor's captures (tests/data/vecedit-*.tracy, see README.md there): a vsync-paced UI
loop whose frame rate halves when its work crosses the budget, a frame that only waits for a worker's job, a memory
cache at its cap beside a small leak, and a regression from calling the same code more often. Expectations come
from the plain tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_step_in_frame_time_is_told_apart_from_a_drift() -> None:
    """From frame 152 every frame takes two vsync intervals: Layout::Measure grew 3 ms and pushed the work just over
    the budget. The analysis names the frame, the zone, the message logged there and the pacer's doubling."""
    with open_capture(DATA / "vecedit-judder.tracy") as c:
        r = c.frame_trend()
        f = c.frames()
        z = c.zones(name="Layout::Measure")
        s = c.slow_frames()
    d = f["duration_ns"].to_numpy()
    assert np.median(d[152:257]) > 1.9 * np.median(d[2:152])
    assert r.step_frame == 152 and r.culprit == "Layout::Measure"
    assert r.title.startswith("Frame time steps up at frame 152")
    assert "each now takes 2 intervals (60 -> 30 frames a second)" in r.title
    assert any("document grew to 27000 nodes" in line for line in r.lines)
    before = z[z["end_ns"] < f["start_ns"].iloc[152]]["duration_ns"].median()
    after = z[z["start_ns"] >= f["start_ns"].iloc[152]]["duration_ns"].median()
    assert 2.5e6 < after - before < 3.5e6
    # slow frames are judged against their own side of the step: the doubled frames are not hitches
    assert not set(s.table["frame"]) & set(range(152, 257))


def test_a_hitch_that_only_waits_for_a_worker_names_the_workers_job() -> None:
    with open_capture(DATA / "vecedit-wait_for_worker.tracy") as c:
        r = c.slow_frames()
        z = c.zones(name="Thumbnail::Decode")
    long = z[z["duration_ns"] > 10e6]
    assert set(long["thread"]) == {"worker-2"} and len(long) == 6
    assert list(r.table["frame"]) == [59, 120, 173, 238, 292, 357]
    assert r.culprit == "Thumbnail::Decode" and r.culprit_thread == "worker-2"
    assert "Jobs::WaitAll (Main thread) waits for it there" in r.title
    assert any(line.startswith("Jobs::WaitAll only waits there: each of its 6 runs ends within") for line in r.lines)
    # the slow decodes are not tied to one image: each image also decodes in the usual time elsewhere
    images = set(long["text"].astype(str))
    fast = z[(z["duration_ns"] < 5e6) & z["text"].astype(str).isin(images)]
    assert set(fast["text"].astype(str)) == images
    assert any(line.startswith("Not tied to its input:") for line in r.lines)
    assert any(line.startswith("Thumbnail::Decode has no child zones in those runs") for line in r.lines)


def test_a_cache_at_its_cap_is_not_the_leak() -> None:
    with open_capture(DATA / "vecedit-cache_growth.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
    never = m[m["free_ns"] < 0]
    assert len(never) == 140 and set(never["size_bytes"]) == {320}
    assert r.title.split(": ", 1)[1].startswith(
        "LEAK in Undo::Push (pool (default)): 140 x 320 B = 44800 B never freed"
    )
    # a site's median lifetime, from allocation to free
    with open_capture(DATA / "vecedit-cache_growth.tracy") as c:
        z = c.zones(name="Render::Record")
    scratch = m[(m["alloc_thread"] == "Main thread") & (m["size_bytes"] >= 256 * 1024) & (m["free_ns"] >= 0)]
    scratch = scratch[scratch["alloc_ns"] >= z["start_ns"].min()]
    site = r.table.set_index("name").loc["Render::Record"]
    life = np.sort((scratch["free_ns"] - scratch["alloc_ns"]).to_numpy())
    assert site["median_lifetime_ns"] == life[(len(life) - 1) // 2]  # the lower median: a lifetime that occurs
    held = next(line for line in r.lines if line.strip().startswith("held at the peak by:"))
    assert held.strip().startswith("held at the peak by: AssetCache::Insert (asset-loader, pool asset_cache)")
    assert "from 4.061 s (its first free) on: it frees as much as it allocates" in held


def test_a_regression_from_more_calls_leads_the_comparison() -> None:
    with open_capture(DATA / "vecedit-call_count_regression_a.tracy") as a:
        r = a.compare(str(DATA / "vecedit-call_count_regression_b.tracy"))
    assert "median gameplay frame 11.76 ms -> 13.84 ms (+17.8%)" in r.title
    assert (
        "most impact: Scene::Cull is called 3.00x as often (360 -> 1080 calls, 1 -> 3 per gameplay frame) at the "
        "same time per call" in r.title
    )
    assert "Text::Shape 0.80x per call" in r.title
    assert any("Render::Record -> Render::RecordCommands" in line for line in r.lines)
    # what the extra calls are for: their zone texts
    assert "Scene::Cull by zone text: A canvas 360; B canvas 360, minimap 360, page-strip 360" in r.lines


def test_a_stall_behind_a_lock_held_for_file_io_names_the_holder() -> None:
    with open_capture(DATA / "vecedit-io_under_lock.tracy") as c:
        r = c.slow_frames()
    assert r.culprit == "Document::Edit"
    assert "it waits there for lock Document::mutex, held meanwhile by autosave in Autosave::WriteFile" in r.title
    # frame 57 misses the 2x threshold by a hair with the same cause: named beside the slow ones, and as a frame
    # of the paced loop (Swapchain::Present) that missed its interval
    near = next(line for line in r.lines if line.startswith("Just under the threshold, the same cause:"))
    assert "frame 57 (" in near and "Document::Edit" in near
    assert r.lines[0].startswith("Swapchain::Present paces the frames: 1 more frame(s) took over 1.5x the median")
    assert len(r.table) == 5 and 57 not in set(r.table["frame"])
    with open_capture(DATA / "vecedit-io_under_lock.tracy") as c:
        lc = c.lock_contention("Document::mutex")
        z = c.zones(name="Autosave::Run")
    assert len(z) == 6
    assert any(
        line.strip().startswith("held across the whole of Autosave::Run: 100% of autosave's holds lie in one run")
        for line in lc.lines
    )


def test_a_global_lock_serialises_the_pool() -> None:
    """The bake threads take turns under one lock. A Release carries no thread and is stamped after the unlock, so
    it often follows the next owner's Obtain: holds pair each Release with the Obtains in turn, and the lock is
    held about as long as the work that runs under it (MeshLib::Decimate, never two at once)."""
    with open_capture(DATA / "vecedit-serial_bake.tracy") as c:
        r = c.lock_contention()
        t = c.thread_report()
        dec = c.zones(name="MeshLib::Decimate")
        s = c.summary()
    assert r.title.startswith("Lock contention: MeshLib::mutex")
    row = r.table.set_index("name").loc["MeshLib::mutex"]
    work = dec["duration_ns"].sum()
    assert 0.98 * work <= row["held_ns"] <= 1.03 * work
    assert row["blocked_ns"] >= 0.99 * row["wait_ns"]
    bake = next(line for line in t.lines if line.startswith("Pool 'bake'"))
    assert "blocked on locks, not idle" in bake and "idle (<" not in bake
    # the bake runs in part of the window only: its threads' shares over the span their zones cover
    with open_capture(DATA / "vecedit-serial_bake.tracy") as c:
        z = c.zones(thread=["bake-0", "bake-1", "bake-2", "bake-3"])
    active = next(line for line in t.lines if line.startswith("Active only "))
    assert active.startswith(f"Active only {z['start_ns'].min() / 1e9:.3f}-{z['end_ns'].max() / 1e9:.3f} s")
    assert "bake-2 working 28" in active and "waiting for locks 7" in active
    hot = next(line for line in s.lines if line.startswith("- Most self time"))
    assert "waiting for lock MeshLib::mutex" in hot


def test_a_cache_still_held_at_exit_is_bounded_not_a_leak() -> None:
    """The same run, but the program exits without freeing its cache: the cache's never-freed allocations are only
    its latest (it evicted its oldest all along), so it is called bounded, and the small leak still leads."""
    with open_capture(DATA / "vecedit-cache_noexit.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
    cache = m[m["pool"] == "asset_cache"]
    kept = cache[cache["free_ns"] < 0]
    assert len(kept) == 109 and kept["alloc_ns"].min() > cache[cache["free_ns"] >= 0]["alloc_ns"].max()
    assert (
        "LEAK in Undo::Push (pool (default)): 140 x 320 B = 44800 B never freed; AssetCache::Insert bounded at"
        in r.title
    )
    assert any(line.startswith("Bounded, not a leak: AssetCache::Insert (pool asset_cache") for line in r.lines)
    leaks = r.tables["leaks"].set_index("name")
    assert bool(leaks.loc["AssetCache::Insert", "bounded"]) and not bool(leaks.loc["Undo::Push", "bounded"])
