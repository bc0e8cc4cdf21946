"""Work that moved between threads, and what made a faster frame faster (tests/data/fasterb-*, msgflow-*,
coldstart-*, see README.md there): the per-name classes call moved work unchanged, so the comparison tells the move
itself, leads with the gain when the frame got faster, and with the frames a zone now holds up when it moved onto the
frame's thread."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _compare(a: str, b: str):  # type: ignore[no-untyped-def]
    with open_capture(DATA / a) as x, open_capture(DATA / b) as y:
        return x.compare(y)


def test_work_moved_off_the_main_thread_leads_a_faster_frame() -> None:
    cmp = _compare("fasterb-opt2_a.tracy", "fasterb-opt2_b.tracy")
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("median gameplay frame 14.06 ms -> 9.04 ms (-35.7%); most gain: Anim::Evaluate moved off")
    assert (
        "moved off Main thread onto Worker 0, Worker 1, Worker 2 (Main thread: 5.01 ms -> 0 ns per gameplay frame"
        in lead
    )
    assert "the same work" in lead
    # the 1.2 µs-per-frame regression is a sliver of a frame: listed, not in the title
    assert "Jobs::Dispatch" not in lead
    assert any(x.startswith("Regressed by under 0.1% of a gameplay frame") and "Jobs::Dispatch" in x for x in cmp.lines)
    moved = next(x for x in cmp.lines if x.startswith("Moved between threads: Anim::Evaluate"))
    assert "Main thread 2.10 s -> 0 ns" in moved


def test_an_optimization_that_worked_leads_and_the_regression_beside_it_stays() -> None:
    lead = _compare("fasterb-opt1_a.tracy", "fasterb-opt1_b.tracy").title.split(": ", 1)[1]
    assert lead.startswith("median gameplay frame 14.08 ms -> 12.36 ms (-12.2%); most gain: Physics::Solve 0.37x")
    assert "-2.52 ms of its own time per gameplay frame" in lead
    assert "beside it: 1 zone(s) regressed; most impact: UI::Layout 2.00x per call" in lead


def test_a_zone_moved_onto_the_main_thread_is_the_hitch() -> None:
    cmp = _compare("msgflow-baseline.tracy", "msgflow-stutter_on_match.tracy")
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("most impact: Match::LoadRoster moved onto Main thread from Net (3 calls")
    assert "the same work" in lead and "the 3 frame(s) it runs in there take 126.9 ms median" in lead
    assert "(A's longest 28.67 ms)" in lead


def test_fewer_hitches_lead_with_the_work_that_moved_and_the_price() -> None:
    lead = _compare("coldstart-precompile_a.tracy", "coldstart-precompile_b.tracy").title.split(": ", 1)[1]
    assert lead.startswith("B hitches less often: 0 slow frame(s), vs 25 in A")
    assert "A's from Shader::CompileVariant (Main thread)" in lead
    assert "most gain: Shader::CompileVariant moved off Main thread onto Loader" in lead
    assert "at a cost, run too rarely to test: Level::Load 866.9 ms -> 2.24 s" in lead


def test_the_same_work_cut_into_more_calls_is_named_when_nothing_regressed() -> None:
    title = _compare("navslice-regress_a.tracy", "navslice-regress_b.tracy").title
    assert "no zone regressed beyond noise; the same work in 2.98x as many calls: Nav::RebuildSlice 100 -> 298" in title


def test_a_servers_throughput_that_halved_at_the_same_latency() -> None:
    title = _compare("tmplsrv-regress_a.tracy", "tmplsrv-regress_b.tracy").title
    lead = title.split(": ", 1)[1]
    assert lead.startswith("throughput 769.1 -> 384.4 runs of Http::Handle per second (0.50x), on 6 -> 3 threads; ")
    assert "within noise" in lead


def test_a_regression_in_one_level_says_where_it_runs() -> None:
    lead = _compare("fpsstats-regress_a.tracy", "fpsstats-regress_b.tracy").title.split(": ", 1)[1]
    assert "most impact: Water::Simulate 2.49x per call (2.01 ms -> 5.01 ms)" in lead
    assert "it runs only 2.41-4.40 s of B's 7.50 s: from 'Level docks started' to" in lead


def test_vsynced_frames_that_now_miss_the_interval() -> None:
    lead = _compare("vsyncmiss-regress_a.tracy", "vsyncmiss-regress_b.tracy").title.split(": ", 1)[1]
    assert "most impact: Anim::Update 1.50x per call (3.01 ms -> 4.51 ms)" in lead
    assert "69 of B's 230 frames (30%) missed the 16.67 ms interval and took two or more (0 of A's 299)" in lead
    assert "(Sync::WaitForRender starts 11.15 ms -> 12.77 ms into the frame, mean)" in lead
    assert lead.endswith("on Main thread, Anim::Update grew most (3.01 ms -> 4.51 ms per call).")


def test_work_moved_to_workers_and_waited_for_is_no_gain() -> None:
    lead = _compare("budgetgame-regress_a.tracy", "budgetgame-regress_b.tracy").title.split(": ", 1)[1]
    assert "Physics::Solve moved off Main thread onto Worker 3, Worker 2, Worker 1, Worker 0" in lead
    assert (
        "but Main thread now waits for it in Jobs::Wait (529 ns -> 4.01 ms per call, +4.01 ms per gameplay frame)"
        in lead
    )
    assert "no gain on Main thread" in lead


def test_a_part_of_the_calls_that_waited_on_a_lock_is_a_regression() -> None:
    lead = _compare("errorpath-regress_a.tracy", "errorpath-regress_b.tracy").title.split(": ", 1)[1]
    # the calls that met the lock went far beyond all of A's: those are told, not a share's median
    assert "1 zone(s) regressed; most impact: Audit::Append (232 of its 1808 calls in B took 1.99 ms..18.96 ms" in lead
    assert "(A's slowest 1.25 ms)" in lead
    assert "19.22x per call (0.050 ms -> 0.968 ms)" in lead
    assert "waiting for Audit::FileLock: 0 ns -> 1.74 s in total" in lead


def test_a_part_of_the_calls_slower_in_one_area_is_a_regression_and_the_wait_is_a_wait() -> None:
    lead = _compare("renderbound-regress_a.tracy", "renderbound-regress_b.tracy").title.split(": ", 1)[1]
    assert lead.startswith("1 zone(s) regressed; most impact: Render::Submit (its slowest 22.4% of calls: a median")
    assert "Render::WaitForRenderThread" not in lead
