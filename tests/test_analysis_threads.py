"""thread_report against the planted answers and on every shared capture."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from cpu_records import runs_cut_per_cpu
from planted import all_captures, answers, planted

from tracy_mcp import open_capture


@pytest.fixture(scope="module")
def imbalance():  # type: ignore[no-untyped-def]
    with open_capture(planted("thread_imbalance.tracy")) as cap:
        yield cap


def test_planted_thread_imbalance(imbalance) -> None:  # type: ignore[no-untyped-def]
    exp = answers()["thread_imbalance"]["expected"]
    r = imbalance.thread_report()
    t = r.table
    rows = {name: i for i, name in enumerate(t["thread"])}
    assert t["thread"][0] == exp["busy_thread"]  # sorted by working time: the bottleneck first
    assert abs(t["working"][rows[exp["busy_thread"]]] - exp["busy_fraction"]) <= 0.02
    for name, frac in exp["idle_threads"].items():
        assert abs(t["busy"][rows[name]] - frac) <= 0.02
        assert t["working"][rows[name]] <= 0.25
    assert t["top_zone"][0] == exp["dominant_zone"]
    assert t["top_zone_count"][0] == exp["dominant_zone_count_on_busy_thread"]
    main = rows["Main thread"]
    assert t["busy"][main] > 0.99  # inside zones the whole time ...
    assert t["working"][main] < 0.25  # ... but waiting for the workers most of it
    waits = r.tables["waits"]
    pairs = list(zip(waits["thread"], waits["name"], strict=True))
    assert pairs == [("Main thread", exp["main_wait_zone"])]  # and no worker's job
    lo, hi = r.window
    assert abs(lo / 1e6 - exp["window_ms"][0]) < 0.01 and abs(hi / 1e6 - exp["window_ms"][1]) < 0.01
    # the island ids (ZoneValue) the busiest worker ran: all 2 mod 4, the partitioning the answer points at
    z = imbalance.zones(name=exp["dominant_zone"], thread=exp["busy_thread"], start=lo, end=hi)
    ids = sorted({int(x.split()[0]) for x in z["text"]})
    assert {i % 4 for i in ids} == {2}
    line = next(x for x in r.lines if x.startswith("Texts of its unit of work"))
    assert f"{exp['busy_thread']} {len(ids)} distinct (" in line


def test_planted_thread_imbalance_summary(imbalance) -> None:  # type: ignore[no-untyped-def]
    text = imbalance.thread_report().summary()
    first = text.splitlines()[0]
    assert first.startswith("Busiest thread: JobWorker 2") and "Physics::SimulateIsland" in first
    # and who it holds up: the main thread's wait for the workers, with its share of the window
    assert "; Main thread waits 81.0% of that span: JobSystem::WaitForJobs 81.0% (for JobWorker 2)." in first
    assert "the work ending last before it: mostly JobWorker 2's (100% of them)" in text
    # the split of the pool's top zone: more runs on JobWorker 2, not longer ones
    assert "Its top zone Physics::SimulateIsland, runs per frame (mean self time): JobWorker 2 18.0 (0.812 ms)" in text
    assert "some threads get more runs, not longer ones." in text
    assert "Pool 'JobWorker' (4 threads)" in text
    assert "idle (< 25.0% working): JobWorker 0, JobWorker 1, JobWorker 3" in text
    # the plain label first, the evidence after it with its chance baseline named
    assert re.search(r"JobSystem::WaitForJobs \(a wait for another thread; evidence: 9\d% of its runs end within", text)
    assert "(chance baseline, the midpoints of its runs: " in text
    assert len(text.splitlines()) <= 40


def test_window_arguments(imbalance) -> None:  # type: ignore[no-untyped-def]
    r = imbalance.thread_report(frames=(10, 19))
    assert r.window_what == "frames 10..19"
    assert r.table["thread"][0] == "JobWorker 2"
    whole = imbalance.thread_report(start_ns=0, end_ns=imbalance.get_last_time())
    assert whole.window == (0, imbalance.get_last_time())
    with pytest.raises(ValueError):
        imbalance.thread_report(start_ns=10, end_ns=5)
    with pytest.raises(ValueError):
        imbalance.thread_report(frames=(5, 100000))


def test_wrappers_do_not_make_threads_busy() -> None:
    """tracypy records a zone around every Python thread's whole life: busy must count only the work inside."""
    p = [c for c in all_captures() if c.name.startswith("tracypy")]
    if not p:
        pytest.skip("tracypy capture not found")
    with open_capture(p[0]) as cap:
        t = cap.thread_report().table
        assert (t["busy"] < 0.6).all()
        assert (t["wrapper_ns"] > 0).all()


def test_planted_waits_are_recognised() -> None:
    """The frame pacer is a wait in every planted capture; no worker zone is. In the lock capture the main thread's
    wait for the render thread is one too (its runs end after the render thread's work; the answers call it a
    wait), told beside six busy job workers whose work ends at every moment."""
    for name in ("slow_frames", "regression_a", "memory_leak", "alloc_churn", "lock_contention"):
        with open_capture(planted(f"{name}.tracy")) as cap:
            w = cap.thread_report().tables["waits"]
            extra = ["Game::WaitForRenderThread"] if name == "lock_contention" else []
            assert list(w["name"]) == [*extra, "Renderer::Present"], name
            assert list(w["kind"]) == ["waits for other threads"] * len(extra) + ["paces the frame"], name


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    with open_capture(path) as cap:
        r = cap.thread_report()
        text = r.summary()
        assert text and len(text.splitlines()) <= 40
        t = r.table
        assert len(t["thread"]) > 0
        assert ((t["busy"] >= 0) & (t["busy"] <= 1.0001)).all()
        assert (t["working"] <= t["busy"] + 1e-9).all()
        run = t["running"][t["running_ns"] >= 0]
        assert ((run >= 0) & (run <= 1.0001)).all()


def test_lock_waits_are_waiting_not_working() -> None:
    """Six workers inside zones the whole window, part of it blocked on a lock: the lock wait (lock events, inside
    their zones) is subtracted from working and said so; busy and working are called wall time, not CPU time."""
    with open_capture(planted("lock_contention.tracy")) as cap:
        r = cap.thread_report()
        lo, hi = r.window
        locks = cap.lock_contention(start_ns=lo, end_ns=hi).tables["threads"]
        host = cap.get_host_info()
    t = r.table
    workers = t[t["pool"] == "JobWorker"].set_index("thread")
    assert len(workers) == 6 and (workers["busy"] > 0.999).all()
    assert (workers["working_ns"] == workers["busy_ns"] - workers["waiting_ns"] - workers["lock_wait_ns"]).all()
    lock_wait = locks.groupby("thread")["wait_ns"].sum()
    for name, row in workers.iterrows():
        assert row["lock_wait_ns"] == pytest.approx(lock_wait[name], rel=0.02), name
    # the threads that wait most for the lock work least
    assert set(workers["working"].nsmallest(2).index) == {"JobWorker 0", "JobWorker 1"}
    text = r.summary()
    assert "Lock waits count as waiting, not working" in text and "JobWorker 1 11.8%" in text
    # no context switches: "not CPU time", -1 in both running columns (not a NaN beside a -1)
    assert "Busy and working are wall time inside zones, not CPU time (no context switches recorded)." in text
    assert (t["running_ns"] == -1).all() and (t["running"] == -1).all()
    # six workers inside zones all the time on a 2-core machine: the wall time cannot all be running time
    assert "CPU cores: 2" in host
    # the main thread's wait for the render thread is no work: 5.9 cores, not 6.1
    assert "More work than cores: the threads' working time adds up to 5.9 cores on a 2-core machine" in text


def test_off_cpu_time_is_split_by_why(shared_dir: Path) -> None:
    """With context switches, a thread's window is on a CPU + asleep + waiting for a core after waking + preempted;
    the split agrees with the thread's own switch records, and the summary says where busy threads were."""
    with open_capture(shared_dir / "captures" / "clientapp-0.14.0.tracy") as cap:
        r = cap.thread_report()
        lo, hi = r.window
        cs = runs_cut_per_cpu(cap.context_switches(), cap.get_last_time())
    t = r.table.set_index("thread")
    span = hi - lo
    for name in ("Worker A", "Worker B", "Worker C", "Main thread"):
        row = t.loc[name]
        whole = row["running_ns"] + row["asleep_ns"] + row["ready_ns"] + row["preempted_ns"]
        assert whole == pytest.approx(span, rel=0.01), name
    # Worker B's gaps, from its records: switched out runnable (R) -> preempted; else asleep until the wakeup
    b = cs[cs["thread"] == "Worker B"].sort_values("start_ns")
    b = b[(b["start_ns"] >= lo) & (b["end_ns"] <= hi)]
    gap = b["start_ns"].to_numpy()[1:] - b["end_ns"].to_numpy()[:-1]
    runnable = b["state"].astype(str).str.startswith("R").to_numpy()[:-1]
    assert t.loc["Worker B", "preempted_ns"] == pytest.approx(gap[runnable].sum(), rel=0.01)
    text = r.summary()
    assert (
        "Off a CPU (context switches), of the window (the calls they blocked in: ctx.hot_functions(blocked=True)):"
        in text
    )
    wb = cs[cs["thread"] == "Worker B"]
    on = (wb["end_ns"].clip(upper=hi) - wb["start_ns"].clip(lower=lo)).clip(lower=0).sum() / span
    assert f"  Worker B: on a CPU {on:.1%}; asleep" in text
    # where it was off a CPU: the zone open as each run ended, weighted by the time off, from its records
    wb = wb.sort_values("start_ns")
    gap_a = np.maximum(wb["end_ns"].to_numpy()[:-1], lo)
    gap_b = np.minimum(wb["start_ns"].to_numpy()[1:], hi)
    off = gap_b > gap_a
    with open_capture(shared_dir / "captures" / "clientapp-0.14.0.tracy") as cap:
        names = cap.zone_at(wb["end_ns"].to_numpy()[:-1][off], "Worker B").names()
    in_iter = int((gap_b - gap_a)[off][np.asarray(names) == "WorkerIteration"].sum())
    line = next(x for x in text.splitlines() if x.startswith("  Worker B: on a CPU"))
    assert f"; off a CPU mostly in WorkerIteration {in_iter / 1e9:.2f} s" in line
    # and the call it left the CPU in there, from the callstacks taken at its switches: the loop's sleep
    assert f"WorkerIteration {in_iter / 1e9:.2f} s, leaving the CPU in __GI___clock_nanosleep" in line
    assert "for a core on a 2-core machine (host info)" in text


def test_no_oversubscription_caveat_when_the_work_fits(imbalance) -> None:  # type: ignore[no-untyped-def]
    assert "More work than cores" not in imbalance.thread_report().summary()


def test_name_list_collapses_numbered_threads() -> None:
    from tracy_mcp.analysis.formatting import name_list

    assert name_list([f"JobWorker {i}" for i in (3, 2, 1, 0, 5)]) == "JobWorker 0-3, JobWorker 5"
    assert name_list(["Main thread", "IO 1"]) == "Main thread, IO 1"


def test_a_thread_mostly_asleep_inside_its_zones_is_not_called_the_busiest(shared_dir: Path) -> None:
    """medium's main thread sits in its Poll zone the whole time but is on a CPU under 1% of it (context switches):
    Poll is a wait (its thread asleep), and the headline names the threads that did run, by their running time from
    their own switch records, which ran mostly outside their zones."""
    with open_capture(shared_dir / "captures" / "medium-0.14.0.tracy") as cap:
        r = cap.thread_report()
        lo, hi = r.window
        cs = runs_cut_per_cpu(cap.context_switches(), cap.get_last_time())
    head = r.summary().splitlines()[0]
    assert head.startswith("Most time on a CPU (context switches) in gameplay frames 1..985 (10.0 s): Heavy 1 ")
    assert "Main thread sits in its zones 100.0% of the window but waits there (on a CPU 0.8%)" in head
    waits = r.tables["waits"]
    assert list(waits[waits["name"] == "Poll"]["kind"]) == ["sleeps"]
    ran = {}
    for name in ("Heavy 0", "Heavy 1", "Heavy 2", "Heavy 3"):
        c = cs[cs["thread"] == name]
        ran[name] = (c["end_ns"].clip(upper=hi) - c["start_ns"].clip(lower=lo)).clip(lower=0).sum() / (hi - lo)
    # what else took the CPU: the profiler's own threads, by their (cut) runs; and the records' double booking said
    tracy = cs[cs["thread"].str.startswith("Tracy ")]
    used = (tracy["end_ns"].clip(upper=hi) - tracy["start_ns"].clip(lower=lo)).clip(lower=0).sum()
    text = r.summary()
    assert f"The profiler's own threads ran {used / 1e9:.2f} s on a CPU in the window" in text
    assert "The context-switch records book two threads on one CPU at once for " in text
    order = sorted(ran, key=lambda k: -ran[k])
    listed = head.split("(10.0 s): ")[1].split(". They ran")[0].split(", ")
    assert [x.rsplit(" ", 1)[0] for x in listed if not x.startswith("Main")] == order
    for x in listed[:4]:
        name, pct = x.rsplit(" ", 1)
        assert float(pct.rstrip("%")) == pytest.approx(ran[name] * 100, abs=0.2)


def test_cpu_runs_never_double_book_a_cpu_and_agree_with_the_samples(shared_dir: Path) -> None:
    """clientapp's records book two of its threads on one CPU at once (lost switch-outs): taken as they are, its
    threads ran for every cycle of the 2-core machine. Cut at the next run on the same CPU, each thread's running time
    matches its CPU samples (taken every 0.1 ms of running) within 5%."""
    from tracy_mcp.analysis.cpu_runs import thread_runs

    with open_capture(shared_dir / "captures" / "clientapp-0.14.0.tracy") as cap:
        raw = cap.context_switches()
        last = cap.get_last_time()
        runs = thread_runs(cap)
        labels = cap._thread_labels()
        samples = cap.samples()
        period = cap._db.meta_get("sampling_period")
    raw_total = (raw["end_ns"].where(raw["end_ns"] >= 0, last) - raw["start_ns"]).sum()
    assert raw_total >= 0.99 * 2 * last  # as recorded: the whole machine, which it cannot have been
    for k, r in runs.items():
        name = labels[k]
        if name in ("Worker A", "Worker B", "Worker C", "Main thread"):
            ran = int((r.end - r.start).sum())
            assert ran == pytest.approx(int((samples["thread"] == name).sum()) * period, rel=0.05), name
    # all threads together now fit the machine, and match the records cut independently (tests/cpu_records.py)
    total = sum(int((r.end - r.start).sum()) for r in runs.values())
    assert total < 0.8 * 2 * last
    cut = runs_cut_per_cpu(raw, last)
    assert total == pytest.approx(int((cut["end_ns"] - cut["start_ns"]).sum()), rel=0.001)


def test_fiber_records_are_not_cut_and_do_not_cut_their_workers(shared_dir: Path) -> None:
    """A fiber's context-switch records say when it ran on a worker thread (all on "CPU 0"), so they overlap that
    worker's runs by nature: they take no part in the cut. The workers' running time then matches their samples."""
    from tracy_mcp.analysis.cpu_runs import thread_runs

    with open_capture(shared_dir / "captures" / "fiberpool-0.14.0.tracy") as cap:
        runs = thread_runs(cap)
        labels = cap._thread_labels()
        raw = cap.context_switches()
        samples = cap.samples()
        period = cap._db.meta_get("sampling_period")
    for k, r in runs.items():
        name = labels[k]
        if name.startswith("Fiber worker"):
            ran = int((r.end - r.start).sum())
            assert ran == pytest.approx(int((samples["thread"] == name).sum()) * period, rel=0.1), name
        elif name.startswith("Fiber "):
            mine = raw[raw["thread"] == name]
            assert int((r.end - r.start).sum()) == int((mine["end_ns"] - mine["start_ns"]).sum()), name


def test_an_even_share_gives_the_frame_time_it_would_bring() -> None:
    """thread_imbalance: the main thread waits for JobWorker 2 every frame; shared out evenly the pool's work
    would shorten the frame by the busiest thread's excess over the pool's mean."""
    with open_capture(planted("thread_imbalance.tracy")) as c:
        r = c.thread_report()
        f = c.frames()
    even = next(x for x in r.lines if x.startswith("Shared out evenly, each of its 4 threads would work"))
    less = float(re.search(r"wait about ([\d.]+) ms less per frame", even)[1])  # type: ignore[index]
    after = float(re.search(r"to about ([\d.]+) ms \(before any frame pacing\)", even)[1])  # type: ignore[index]
    median = float(np.median(f["duration_ns"].to_numpy()[2:302])) / 1e6
    assert f"from a median {median:.2f} ms" in even and abs(after - (median - less)) < 0.02
