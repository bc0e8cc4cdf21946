"""Comparisons whose answer is not a slower function: a pool that doubled and serializes on a lock, hitches that the
average hides, a job kicked later in the frame, one kind of call by its text, a new caller (tests/data/stampede-*,
tailgrow-*, chainhitch-*, latekick-*, texttype-*, lineofsight-*, see README.md there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_pool_that_doubled_and_serializes_is_not_told_as_unwaited_work() -> None:
    """B's 4 workers do less each than A's 2, and their added time is waiting for Jobs::ResultLock: the main thread
    waits for them in Jobs::WaitAll, so no 'does not wait for it' and no word on the cores."""
    with open_capture(DATA / "stampede-regress_a.tracy") as a, open_capture(DATA / "stampede-regress_b.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
    assert "most impact: Jobs::Animate 1.77x per call" in lead
    assert "inside it, waiting for Jobs::ResultLock: 0 ns -> 3.36 s in total" in lead
    assert "does not wait for it" not in lead
    assert "more threads than cores" not in lead


def test_hitches_under_the_same_mean_frame_say_the_average_hides_them() -> None:
    with open_capture(DATA / "tailgrow-regress_a.tracy") as a, open_capture(DATA / "tailgrow-regress_b.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
        mean_a = a.frames()["duration_ns"].iloc[2:-1].mean() / 1e6
        mean_b = b.frames()["duration_ns"].iloc[2:-1].mean() / 1e6
    assert lead.startswith("B hitches more often: 17 slow frame(s), ")
    assert "B's from Streaming::DecodeTextureSync (Main thread), 14.53 ms..17.70 ms" in lead
    assert f"; the mean frame holds ({mean_a:.2f} ms -> {mean_b:.2f} ms, p99 " in lead
    assert "the average hides them" in lead


def test_a_long_first_frame_spent_waiting_is_start_up() -> None:
    """Both programs sleep ~300 ms before their loop: the first frame holds one regular frame's work at most."""
    for name in ("tailgrow-regress_b.tracy", "chainhitch-calm.tracy"):
        with open_capture(DATA / name) as cap:
            phases = cap.slow_frames().tables["phases"]
        first = phases[phases["frame"] == 1]
        assert len(first) == 1 and first["kind"].iloc[0] == "start-up", name
        assert first["duration_ns"].iloc[0] > 290e6
        assert first["reason"].iloc[0].startswith("its threads run zones through ")
        assert first["reason"].iloc[0].endswith(": it waits")


def test_the_frame_loops_parts_are_told_side_by_side() -> None:
    """movedwork: the raycasts join the main thread's frame (0 -> ~4.2 ms) while the wait for them goes; stampede:
    the main thread's parts barely move when the workers double."""
    with open_capture(DATA / "movedwork-regress_a.tracy") as a, open_capture(DATA / "movedwork-regress_b.tracy") as b:
        moved = next(x for x in a.compare(b).lines if " per gameplay frame (mean, A -> B" in x)
    assert moved.startswith("Main thread per gameplay frame (mean, A -> B): Physics::RaycastChunk 0 ns -> 4.")
    assert "Jobs::WaitAll 0.495 ms -> " in moved and "Game::UpdateLogic 4.0" in moved
    assert moved.endswith("; the frame 11.50 ms -> 15.32 ms.")
    with open_capture(DATA / "stampede-regress_a.tracy") as a, open_capture(DATA / "stampede-regress_b.tracy") as b:
        scaled = next(x for x in a.compare(b).lines if " per gameplay frame (mean, A -> B" in x)
    assert scaled.startswith("Main thread per gameplay frame (mean, A -> B): Jobs::ParallelAnimate 9.23 ms -> 8.96 ms")
    assert "Scene::MergeResults 8.33 ms -> 8.11 ms" in scaled


def test_one_plain_zone_name_on_several_threads_names_the_thread_that_regressed() -> None:
    """samename: `Update` runs on three threads; only the AI thread's got slower (4 -> 9 ms)."""
    a_path, b_path = DATA / "samename-regress_a.tracy", DATA / "samename-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        lead = a.compare(b).title.split(": ", 1)[1]
        ai = b.zones(name="Update", as_frame=True)
    ai = ai[ai["thread"].astype(str) == "AI"]["duration_ns"]
    assert "most impact: Update " in lead
    assert f"; only its calls on AI (under AI::Tick) got slower, 4.06 ms -> {ai.mean() / 1e6:.2f} ms per call" in lead
    assert "it held on the other threads (Main thread 3.05 ms -> 3.03 ms, Physics 2.05 ms -> 2.02 ms)" in lead


def test_a_new_busy_thread_beside_a_machine_wide_slowdown_is_named() -> None:
    """newthread: every zone 1.30x per call, a Telemetry thread only B has busy most of the time on 2 cores."""
    a_path, b_path = DATA / "newthread-regress_a.tracy", DATA / "newthread-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        lead = a.compare(b).title.split(": ", 1)[1]
    assert "most impact: a zone only B has, Telemetry::Compress (877 calls" in lead
    assert "; beside it: every zone is about 1.30x slower per call" in lead  # not spliced into "noise"
    assert "; B's new thread Telemetry runs zones 8" in lead
    assert "% of the time, on a 2-core machine: it competes with the others for the cores." in lead


def test_a_wait_that_grew_because_its_job_starts_later_says_so() -> None:
    """B kicks Physics::Step after the gameplay work instead of before it: the same step, waited for in full."""
    with open_capture(DATA / "latekick-regress_a.tracy") as a, open_capture(DATA / "latekick-regress_b.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
        starts = []
        for cap in (a, b):
            frames = cap.frames()
            step = cap.zones(name="Physics::Step")
            k = frames["start_ns"].searchsorted(step["start_ns"], side="right") - 1
            starts.append(float((step["start_ns"].to_numpy() - frames["start_ns"].to_numpy()[k]).mean()) / 1e6)
    assert "the frames grew in a wait: Jobs::WaitPhysics (waits for other threads)" in lead
    assert "it waits for Physics::Step (PhysicsWorker), 7.93 ms -> 7.97 ms per call" in lead
    assert "which starts later in the frame in B: 0.846 ms -> 8.40 ms after the frame begins" in lead
    assert starts[0] < 1.5 and starts[1] > 7.5  # the plain tables: the step starts ~0.8 ms -> ~8.4 ms into a frame


def test_one_kind_of_call_by_text_off_the_frame_thread_and_the_loop_that_sleeps_after_its_mark() -> None:
    """Only the png decodes got slower; the loop marks its frame, sleeps, then works: still the frame's thread."""
    with open_capture(DATA / "texttype-regress_a.tracy") as a, open_capture(DATA / "texttype-regress_b.tracy") as b:
        lead = a.compare(b).title.split(": ", 1)[1]
        png = [c.zones(name="Assets::Decode") for c in (a, b)]
    means = [float(z[z["text"] == "png"]["duration_ns"].mean()) / 1e6 for z in png]
    assert 2.8 < means[1] / means[0] < 3.2  # the plain tables: png decodes ~3x slower
    assert "most impact: Assets::Decode 1.34x per call (1.06 ms -> 1.42 ms)" in lead
    assert "only its calls 'png' got slower, 0.911 ms -> 2.70 ms per call, its other kinds of call held" in lead
    assert "Main thread does not wait for it" in lead


def test_a_zone_called_more_often_names_the_new_call_path() -> None:
    """B's AI::EvaluateCover calls Combat::ComputeLineOfSight 8 times a frame, which A never did."""
    a_path, b_path = DATA / "lineofsight-regress_a.tracy", DATA / "lineofsight-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        lead = a.compare(b).title.split(": ", 1)[1]
        counts = [len(c.zones(name="Combat::ComputeLineOfSight")) for c in (a, b)]
    assert counts == [1200, 3600]  # the plain tables
    assert "most impact: Combat::ComputeLineOfSight is called 3.00x as often (1200 -> 3600 calls" in lead
    assert (
        "; the added calls come from a call path only B has: Battle::Update > AI::PlanTurn > AI::EvaluateCover "
        "(2400 calls, 8 per gameplay frame)"
    ) in lead


def test_a_server_whose_median_request_held_while_its_tail_grew_says_the_tail_grew() -> None:
    """kvserver-cache: ~1% -> ~20% of requests miss the cache and wait ~40 ms in Db::Fetch: p50 holds at 2 ms,
    p90 goes 3 -> 42 ms."""
    with open_capture(DATA / "kvserver-cache_a.tracy") as a, open_capture(DATA / "kvserver-cache_b.tracy") as b:
        da = a.zones(name="Request::Handle", as_frame=True)["duration_ns"].to_numpy()
        db = b.zones(name="Request::Handle", as_frame=True)["duration_ns"].to_numpy()
        assert abs(np.median(db) / np.median(da) - 1) < 0.05 and np.percentile(db, 90) > 5 * np.percentile(da, 90)
        title = a.compare(b).title
    assert "the median within noise, but the tail grew: 20.9% of B's runs take longer than A's p99" in title
    assert "p90 3.22 ms -> 42.43 ms" in title and "most impact: Db::Fetch is called 20.60x as often" in title


def test_a_zone_run_six_times_that_doubled_is_told_though_no_test_can_pass() -> None:
    """cryptdelve-regress: Dungeon::GenerateRoom runs once per floor, 6 times a run: 6 calls against 6 cannot reach
    p < 0.001 however far apart they are, so it is told as too rare to test, not as unchanged."""
    with open_capture(DATA / "cryptdelve-regress_a.tracy") as a, open_capture(DATA / "cryptdelve-regress_b.tracy") as b:
        ga, gb = (c.zones(name="Dungeon::GenerateRoom", as_frame=True)["duration_ns"] for c in (a, b))
        assert len(ga) == len(gb) == 6 and gb.min() > 2 * ga.max()  # the tables: wholly apart
        title = a.compare(b).title
    assert "run too rarely to test, also slower: Dungeon::GenerateRoom 19.69 ms -> 44.18 ms (2.24x; 6 -> 6" in title
    assert "most impact: FOV::Compute 1.32x per call" in title


def test_the_rank_test_cannot_pass_a_strict_threshold_with_a_handful_of_calls() -> None:
    from tracy_mcp.analysis.rank_test import mann_whitney, smallest_p

    apart = mann_whitney(np.arange(6.0), np.arange(6.0) + 100)[0]
    assert abs(smallest_p(6, 6) - apart) < 1e-12 and apart > 1e-3
    assert smallest_p(10, 10) < 1e-3
