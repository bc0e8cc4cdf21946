"""The analyses on a batch job's captures (tests/data/etl-*.tracy, see README.md there): no base frame marks, a
named frame set or none at all, a recursion named by zone texts. Expectations come from the plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_without_frame_marks_the_repeated_unit_of_work_shows_the_trend() -> None:
    with open_capture(DATA / "etl-batch_hotspot.tracy") as c:
        s = c.summary()
        r = c.frame_trend()
        chunks = c.zones(name="Pipeline.Chunk").sort_values("start_ns")
        dd = c.zones(name="dedupe_records").sort_values("start_ns")
    text = s.summary()
    # no frame marks: no fps and no "gameplay frames" of the two spans Tracy makes up
    assert "no frame marks (the program never marked a frame)" in text and "fps" not in text
    assert "gameplay frames" not in text
    # the 48 chunks are the units: their duration's slope by a fit, and dedupe_records as what grows
    d = chunks["duration_ns"].to_numpy().astype(float)
    assert len(d) == 48 and r.drifting and r.culprit == "dedupe_records"
    assert r.slope_ns == pytest.approx(np.polyfit(np.arange(48), d, 1)[0], rel=1e-6)
    assert r.title.startswith("Time per run of Pipeline.Chunk grows over the run")
    # its cost per record kept, from its own ZoneValue
    v = dd["text"].str.split().str[0].astype(float).to_numpy()
    per = np.polyfit(v, dd["duration_ns"].to_numpy().astype(float), 1)[0]
    assert f"about {fmt_ns(per)} per unit" in r.title
    assert s.findings[0][0] == "ctx.frame_trend()"


def test_without_frames_slow_frames_explains_the_slow_runs_of_the_unit_of_work() -> None:
    """No frames: the slow runs of Pipeline.Chunk (the repeated unit of work) stand in for slow frames, and the
    zone inside them that grew against the typical runs is the culprit."""
    with open_capture(DATA / "etl-batch_hotspot.tracy") as c:
        quiet = c.slow_frames()
        r = c.slow_frames(budget_ns=80_000_000)
        chunks = c.zones(name="Pipeline.Chunk")
        dd = c.zones(name="dedupe_records")
    d = chunks["duration_ns"].to_numpy()
    med = np.median(d)
    # the reader runs ahead: chunks wait for the one processing thread (joined by the chunk number in both texts)
    assert quiet.title.startswith("Pipeline.Chunk does not keep up with read_chunk: its runs wait in the queue")
    assert ". No slow run of Pipeline.Chunk" in quiet.title and f"median {fmt_ns(med)}" in quiet.title
    assert len(quiet.table) == 0 and (d <= 2 * med).all()
    slow = chunks[chunks["duration_ns"] > 80_000_000]
    assert f"). {len(slow)} slow run(s) of Pipeline.Chunk of 48" in r.title
    assert r.culprit == "dedupe_records" and "Pipeline.Chunk > dedupe_records" in r.title
    assert set(r.table["zone_id"]) == set(slow.index) and (r.table["zone"] == "dedupe_records").all()
    # the typical value: dedupe_records' median self time in the chunks under the budget
    typical = dd[dd["parent_id"].isin(chunks.index[chunks["duration_ns"] <= 80_000_000])]
    assert f"vs a median {fmt_ns(np.median(typical['self_ns']))} in the other runs" in r.title


def test_a_named_frame_set_stands_in_for_missing_base_frames() -> None:
    with open_capture(DATA / "etl-backlog.tracy") as c:
        s = c.summary().summary()
        f = c.frames("batch")
    assert "no base frame marks; frame set 'batch': 73 frames" in s
    assert f"median {fmt_ns(float(np.median(f['duration_ns'])))}" in s


def test_which_part_of_a_recursion_costs_the_most() -> None:
    """The parts of a recursive walk are its outermost zone's children, named by their zone texts."""
    with open_capture(DATA / "etl-recursion.tracy") as c:
        r = c.call_tree()
        hp = c.hot_paths()
        z = c.zones(name="visit_node")
        rs = c.zones(name="resolve_symlink")
    root = z[z["depth"] == z["depth"].min()].iloc[0]
    kids = z[z["parent_id"] == root.name].sort_values("duration_ns", ascending=False)
    top = kids.iloc[0]
    assert top["text"] == "vendor"
    share = top["duration_ns"] / root["duration_ns"]
    line = next(x for x in r.lines if x.startswith("Recursion: the outermost visit_node"))
    assert f"vendor {fmt_ns(int(top['duration_ns']))} ({share:.0%}, 511 visit_node, 20 levels deep)" in line
    inside = next(x for x in r.lines if x.strip().startswith("Inside vendor:"))
    assert f"most self time in resolve_symlink {fmt_ns(float(rs['self_ns'].sum()))}" in inside
    # a zone below the recursion that does not recurse itself: mean and max over all its calls
    row = hp.table.set_index("path").loc["Walk.Run > visit_node (recursive) > resolve_symlink"]
    assert not row["nested"] and row["max_ns"] == rs["duration_ns"].max()
    assert row["mean_ns"] == pytest.approx(rs["duration_ns"].mean())


def test_a_slow_phase_names_the_lock_its_helper_threads_wait_for() -> None:
    """The compact phase is slow because its two threads take a lock in turns; the phase's own zone on the main
    thread only waits for them. The wait is found on the threads beside the frame loop."""
    with open_capture(DATA / "etl-phases.tracy") as c:
        r = c.slow_frames()
        ev = c.lock_events("SegmentIndex::mutex")
    assert list(r.table["frame"]) == [2] and r.frame_set == "phase"
    line = next(x for x in r.lines if x.startswith("Lock wait:"))
    assert "(beside the frame loop) waits for SegmentIndex::mutex" in line
    assert set(ev["thread"]) == {"compactor-0", "compactor-1"}


def test_a_lock_taken_in_turns_has_no_single_holder_to_blame() -> None:
    with open_capture(DATA / "etl-phases.tracy") as c:
        r = c.lock_contention()
    x = r.table.set_index("name").loc["SegmentIndex::mutex"]
    assert x["acquisitions"] == 15360
    assert "held meanwhile by" not in r.title
    assert any(line.strip().startswith("who makes them wait: each holder in turn") for line in r.lines)


def test_plots_that_climb_while_the_frames_hold_lead_the_trend() -> None:
    """backlog: items arrive faster than three saturated workers finish them; the batch frames hold at 100 ms while
    the queue and the latency climb all run."""
    with open_capture(DATA / "etl-backlog.tracy") as c:
        r = c.frame_trend()
        t = c.thread_report()
        q = c.plot_points("queue_depth")["value"].to_numpy()
        # the report's window: the batch frames 0..71 (72 is the trailing partial frame)
        win = c.frames("batch")
        a, b = int(win["start_ns"].iloc[0]), int(win["end_ns"].iloc[71])
        items = c.zones(name="process_item")
        items = items[(items["start_ns"] >= a) & (items["end_ns"] <= b)]
    assert set(r.climbing) == {"queue_depth", "item_latency_ms"}
    assert r.title.startswith("Frame time holds over the run, but the program's plots climb all of it: ")
    assert (np.diff(q) < 0).any()  # a queue goes down at times: not a running total
    assert "saturated" in t.summary() and "worker-0 to worker-2" in t.title
    # what the saturated pool can finish a second: its threads over the mean time of its unit of work
    line = next(x for x in t.lines if x.startswith("Its unit of work process_item"))
    assert f"finish at most {3 / (items['duration_ns'].mean() / 1e9):.0f} a second" in line


def test_a_climbing_queue_gives_the_arrival_rate_beside_what_the_saturated_pool_does() -> None:
    """backlog: 250 items/s offered to three workers that finish about 217 a second."""
    with open_capture(DATA / "etl-backlog.tracy") as c:
        r = c.frame_trend()
        q = c.plot_points("queue_depth")
        items = c.zones(name="process_item")
    t, v = q["time_ns"].to_numpy(), q["value"].to_numpy()
    m = re.search(r"over queue_depth's climb \(([\d.]+) s -> ([\d.]+) s\)", r.title)
    assert m is not None
    lo, hi = (int(float(x) * 1e9) for x in m.groups())
    assert abs(hi - t[np.argmax(v)]) < 1e6  # the climb ends at the queue's highest point
    done = items[(items["end_ns"] >= lo) & (items["end_ns"] < hi)]
    rate = len(done) / ((hi - lo) / 1e9)
    w = (t >= lo) & (t <= hi)
    growth = np.polyfit((t[w] - lo) / 1e9, v[w], 1)[0]
    shown = re.search(r"doing process_item ([\d.]+) per second .* work arrives at about ([\d.]+)/s", r.title)
    assert shown is not None
    assert float(shown[1]) == pytest.approx(rate, rel=0.01)
    assert float(shown[2]) == pytest.approx(rate + growth, rel=0.01)
    assert 245 < float(shown[2]) < 255  # the program offers one item every 4 ms
    assert "or 4 threads" in r.title and "Most of process_item's time: enrich_item (84" in r.title


def test_a_lock_taken_in_turns_says_the_threads_take_turns() -> None:
    with open_capture(DATA / "etl-phases.tracy") as c:
        r = c.lock_contention()
        ev = c.lock_events("SegmentIndex::mutex")
    x = r.table.set_index("name").loc["SegmentIndex::mutex"]
    # median hold, from the events: each obtain to the same thread's next release
    holds = []
    for _, g in ev.sort_values("time_ns", kind="stable").groupby("thread"):
        ob = g[g["type"] == "obtain"]["time_ns"].to_numpy()
        rel = g[g["type"] == "release"]["time_ns"].to_numpy()
        j = np.searchsorted(rel, ob)
        ok = j < len(rel)
        holds.append(rel[j[ok]] - ob[ok])
    assert x["median_hold_ns"] == pytest.approx(np.median(np.concatenate(holds)), rel=0.1)
    assert "so the threads take turns rather than run side by side" in r.summary()


def test_a_phase_run_once_that_joins_its_helper_threads_is_a_wait() -> None:
    """The main thread's compact phase runs once and only waits for the two compactor threads to finish: its one
    run ends right after their last work ends, which the other threads' rate of ends makes unlikely by chance."""
    with open_capture(DATA / "etl-phases.tracy") as c:
        r = c.thread_report()
        z = c.zones(name=["Phase.Compact", "compact_segment"])
    phase = z[z["name"] == "Phase.Compact"].iloc[0]
    last_end = z[z["name"] == "compact_segment"]["end_ns"].max()
    assert 0 <= phase["end_ns"] - last_end <= 50_000
    w = r.tables["waits"]
    row = w[w["name"] == "Phase.Compact"].iloc[0]
    assert row["thread"] == "Main thread" and row["kind"] == "waits for other threads"
    assert "its run ends within 50 µs after compactor-" in row["evidence"]
    main = r.table.set_index("thread").loc["Main thread"]
    assert main["waiting_ns"] >= 0.95 * phase["duration_ns"]
    assert "Busiest thread: Main thread" not in r.title


def test_a_batch_step_moved_onto_the_workers_is_named_with_the_time_it_left() -> None:
    """cooker-navmesh: the 16 NavMesh::BuildTile runs leave the main thread for the two CookWorker threads."""
    with open_capture(DATA / "cooker-navmesh_a.tracy") as a, open_capture(DATA / "cooker-navmesh_b.tracy") as b:
        ta, tb = (c.zones(name="NavMesh::BuildTile", as_frame=True) for c in (a, b))
        assert set(ta["thread"]) == {"Main thread"} and set(tb["thread"]) == {"CookWorker 0", "CookWorker 1"}
        r = a.compare(b)
    assert "exactly as often); NavMesh::BuildTile moved off Main thread onto " in r.title
    assert "(Main thread: 2.49 s -> 0 ns)" in r.title
    assert r.lines[1].startswith("Moved between threads: NavMesh::BuildTile (total per thread, A -> B)")


def test_a_python_job_that_never_marks_a_frame_is_not_told_as_stopped() -> None:
    """logjob-py: tracypy's client marks two frames as it starts, long before the job's first event; the job never
    marks one, and its steps are told by name with their counts."""
    with open_capture(DATA / "logjob-py.tracy") as c:
        f = c.frames(as_frame=True)
        assert len(f) == 3 and f["duration_ns"].iloc[-1] > 0.8 * (c.get_last_time() - c.get_first_time())
        s = c.summary()
    assert "no frame marks (the program never marked a frame)" in s.lines[1]
    assert not any(text.startswith("STOPPED") for _, text in s.findings)
    start = next(text for _, text in s.findings if text.startswith("Start-up"))
    assert "200 x load_file (779.3 ms" in start


def test_a_loop_that_runs_as_long_as_the_job_does_not_lead_a_batch_compare() -> None:
    """tests/data/nightly-*.tracy: the job ran twice as long because hash_features got 5.3x slower per call; the
    prefetch thread's fetch_artifact loop ran 22 -> 52 times only because it polls until the job ends."""
    with open_capture(DATA / "nightly-cached.tracy") as a, open_capture(DATA / "nightly-uncached.tracy") as b:
        fa, fb = (len(c.zones(name="fetch_artifact", as_frame=True)) for c in (a, b))
        assert (fa, fb) == (22, 52)  # the tables
        r = a.compare(b)
    assert "most impact: hash_features 5.27x per call (0.022 ms -> 0.119 ms)" in r.title
    assert "fetch_artifact" not in r.title
    line = next(x for x in r.lines if x.startswith("Called more often"))
    assert "fetch_artifact (22 -> 52 calls" in line and "in step with the run's length" in line


def test_a_zone_called_far_more_often_each_call_cheaper_but_more_in_total_leads() -> None:
    """tests/data/importlog-*.tracy: logging per item instead of per batch: Log::Write 66 -> 4000 calls, each a
    quarter as long, 14x the time in total, and the lock it takes is waited on 400x as long."""
    with open_capture(DATA / "importlog-batched.tracy") as a, open_capture(DATA / "importlog-perline.tracy") as b:
        wa, wb = (c.zones(name="Log::Write", as_frame=True)["duration_ns"] for c in (a, b))
        assert (len(wa), len(wb)) == (66, 4000) and wb.mean() < 0.5 * wa.mean() and wb.sum() > 10 * wa.sum()
        r = a.compare(b)
    assert "most impact: Log::Write is called 60.61x as often (66 -> 4000 calls) each call 0.25x as long" in r.title
    assert r.title.endswith("the wait for Log::m_mutex grew 3.80 ms -> 1.57 s in total (in Import::Worker).")
    assert "Through children" not in "\n".join(r.lines)  # a batching change is not "only a child changed"
