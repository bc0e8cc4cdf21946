"""slow_frames and the frame classification it rests on, against the planted answers and on every shared capture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from planted import all_captures, answers, planted

from tracy_mcp import open_capture
from tracy_mcp.analysis.frame_phases import GAMEPLAY, STARTUP, TEARDOWN, TRAILING, frame_phases
from tracy_mcp.analysis.report import Report


@pytest.fixture(scope="module")
def slow_cap():  # type: ignore[no-untyped-def]
    with open_capture(planted("slow_frames.tracy")) as cap:
        yield cap


def test_planted_slow_frames_exact_set_and_culprit(slow_cap) -> None:  # type: ignore[no-untyped-def]
    exp = answers()["slow_frames"]["expected"]
    r = slow_cap.slow_frames()
    t = r.table
    assert list(t["frame"]) == exp["slow_frames"]
    assert r.culprit == exp["culprit_zone"]
    assert r.culprit != "Renderer::Present"
    np.testing.assert_allclose(np.asarray(t["duration_ns"]) / 1e6, exp["slow_frame_ms"], rtol=0.01)
    np.testing.assert_allclose(np.asarray(t["start_ns"]) / 1e6, exp["slow_frame_start_ms"], rtol=0.001)
    # how often it hitches, from the slow frames' starts
    gaps = np.diff(np.asarray(exp["slow_frame_start_ms"])) / 1e3
    assert f"Slow frames come every {gaps.min():.2f}-{gaps.max():.2f} s (median {np.median(gaps):.2f} s)" in r.summary()
    np.testing.assert_allclose(np.asarray(t["slow_ns"]) / 1e6, exp["culprit_ms_in_slow_frames"], rtol=0.02)
    assert list(t["zone"]) == [exp["culprit_zone"]] * 7
    typical = np.asarray(t["typical_ns"]) / 1e6
    assert np.all((typical > 0.5 * exp["culprit_typical_ms"]) & (typical < 2 * exp["culprit_typical_ms"]))
    assert abs(r.median_ns / 1e6 - exp["median_frame_ms"]) < 0.05
    # every slow frame logged the texture it loaded
    msgs = r.tables["messages"]
    assert sorted(msgs["text"]) == sorted(exp["hint_messages"])


def test_planted_slow_frames_summary_names_culprit_first(slow_cap) -> None:  # type: ignore[no-untyped-def]
    r = slow_cap.slow_frames()
    text = r.summary()
    assert isinstance(r, Report) and repr(r) == text
    first = text.splitlines()[0]
    assert "7 slow frame" in first and "TextureStreamer::UploadMips" in first
    assert "0.302 ms" in first  # typical per frame
    assert "Game::Tick > Renderer::Draw > Renderer::UpdateResources > TextureStreamer::UploadMips" in text
    assert "Renderer::Present" in text and "wait" in text  # named as the pacer that shrank, not as a cause
    # the plain label first, the evidence after it
    assert "Renderer::Present typical 9.51 ms -> mean 0.040 ms: the frame-pacing wait, which absorbs" in text
    assert "not a cause (evidence: it ends at the same point of every frame" in text
    for f in (43, 99, 160, 205, 268, 333, 404):
        assert f"\n{f:>6} " in text
    assert "frame 0 start-up" in text and "frame 1 start-up" in text and "frame 452 trailing partial" in text
    assert len(text.splitlines()) <= 40
    # the texture pool steps up by one 4k texture at each hitch; the program's own frame-time plot is left out
    pool = slow_cap.plot_points("Texture pool (MB)")
    steps = np.diff(pool["value"].to_numpy())
    assert len(steps[steps > 1]) == 7 and np.isclose(np.median(steps[steps > 1]), 21.3, atol=0.1)
    assert "Plots that move in these frames and hold still in typical ones: Texture pool (MB) +21.3 in each" in text
    assert "Frame time (ms)" not in next(x for x in text.splitlines() if x.startswith("Plots that move"))


def test_explain_one_named_frame(slow_cap) -> None:  # type: ignore[no-untyped-def]
    """slow_frames(frames=...) answers "what got slower in frame N?": that frame against the typical ones."""
    exp = answers()["slow_frames"]["expected"]
    f = exp["slow_frames"][1]
    r = slow_cap.slow_frames(frames=(f, f))
    assert list(r.table["frame"]) == [f]
    assert r.culprit == exp["culprit_zone"]
    first = r.summary().splitlines()[0]
    assert first.startswith(f"Frame {f} of set 'Frame': ") and "grew most" in first and "culprit" not in first
    assert (
        abs(float(r.table["slow_ns"][0]) / 1e6 - exp["culprit_ms_in_slow_frames"][1])
        < 0.02 * exp["culprit_ms_in_slow_frames"][1]
    )
    text = r.summary()
    assert f"Messages logged in frame {f} (1):" in text and "-> mean" not in text
    # the frame's time over the median, as work added minus the pacing wait that absorbed part of it
    balance = next(t for t in text.splitlines() if t.startswith(f"Frame {f}: +"))
    assert "of self time added on Main thread" in balance and "shrunk there" in balance, balance
    assert f"Shrank in frame {f}: Renderer::Present" in text and "frame-pacing wait" in text
    # a zone of another thread that only ran more often is said to
    assert "it ran more often at its usual time per call" in text
    assert len(text.splitlines()) <= 40


def test_a_frame_that_woke_late_from_its_pacing_wait(slow_cap) -> None:  # type: ignore[no-untyped-def]
    """The next-worst gameplay frame (19.25 ms, frame 53) did no more work: its extra time is in Renderer::Present,
    which it left late; the report says so rather than leave a +0.05 ms zone as the answer."""
    exp = answers()["slow_frames"]["expected"]
    f = slow_cap.frames()
    d = f["duration_ns"].to_numpy()
    gameplay = [i for i in range(2, len(d) - 1) if i not in set(exp["slow_frames"])]
    worst = max(gameplay, key=lambda i: d[i])
    r = slow_cap.slow_frames(frames=(worst, worst))
    present = slow_cap.zones(name="Renderer::Present")
    in_frame = present[(present["start_ns"] >= f["start_ns"][worst]) & (present["end_ns"] <= f["end_ns"][worst])]
    assert len(in_frame) == 1 and in_frame["duration_ns"].iloc[0] > np.median(present["duration_ns"]) + 2_000_000
    assert "; but most of the time added on Main thread is in Renderer::Present, the frame-pacing wait (+" in r.title
    assert r.title.endswith("it did not do more work.")


def test_explain_a_typical_frame_and_a_range(slow_cap) -> None:  # type: ignore[no-untyped-def]
    exp = answers()["slow_frames"]["expected"]
    slow = set(exp["slow_frames"])
    calm = next(f for f in range(100, 200) if f not in slow)
    r = slow_cap.slow_frames(frames=(calm, calm))
    assert f"Frame {calm} is within 5% of the median gameplay frame: not slow" in r.summary()
    assert r.culprit != exp["culprit_zone"]
    # a range holding one slow frame: the zone that added the most time over it, not the one top in most frames
    f = exp["slow_frames"][0]
    r = slow_cap.slow_frames(frames=(f - 5, f + 5))
    assert list(r.table["frame"]) == list(range(f - 5, f + 6))
    assert r.culprit == exp["culprit_zone"]
    assert r.summary().splitlines()[0].startswith(f"Frames {f - 5}-{f + 5} of set 'Frame': 11 frames")
    with pytest.raises(ValueError, match=r"has frames 0\.\.452"):
        slow_cap.slow_frames(frames=(453, 453))
    with pytest.raises(ValueError, match="has frames"):
        slow_cap.slow_frames(frames=(10, 5))
    with pytest.raises(ValueError, match="a frame index"):
        slow_cap.slow_frames(frames=(10,))
    assert slow_cap.slow_frames(frames=calm).summary() == slow_cap.slow_frames(frames=(calm, calm)).summary()


def test_planted_start_up_frames_are_structural() -> None:
    for name in (
        "slow_frames",
        "lock_contention",
        "regression_a",
        "regression_b",
        "thread_imbalance",
        "alloc_churn",
        "memory_leak",
    ):
        with open_capture(planted(f"{name}.tracy")) as cap:
            ph = frame_phases(cap)
            assert ph is not None
            n = len(ph.dur)
            assert ph.kind[0] == STARTUP and ph.kind[1] == STARTUP, name
            assert ph.kind[2] == GAMEPLAY, name
            assert ph.kind[n - 1] == TRAILING, name
    with open_capture(planted("memory_leak.tracy")) as cap:
        ph = frame_phases(cap)
        assert ph is not None
        assert ph.kind[len(ph.dur) - 2] == TEARDOWN  # Game::Shutdown: zones that never ran before
        assert "never ran before" in ph.reason[len(ph.dur) - 2]


def test_planted_window_matches_answers() -> None:
    exp = answers()["thread_imbalance"]["expected"]["window_ms"]
    with open_capture(planted("thread_imbalance.tracy")) as cap:
        ph = frame_phases(cap)
        assert ph is not None
        lo, hi = ph.window()  # type: ignore[misc]
        assert abs(lo / 1e6 - exp[0]) < 0.01 and abs(hi / 1e6 - exp[1]) < 0.01


def test_budget_and_factor(slow_cap) -> None:  # type: ignore[no-untyped-def]
    r = slow_cap.slow_frames(budget_ns=17_000_000)
    frames = list(r.table["frame"])
    assert set(answers()["slow_frames"]["expected"]["slow_frames"]) <= set(frames)
    assert 0 not in frames and 1 not in frames and 452 not in frames
    assert "over the 17.00 ms budget" in r.summary()
    assert list(slow_cap.slow_frames(factor=3.0).table["frame"]) == []
    with pytest.raises(ValueError):
        slow_cap.slow_frames(budget_ns=0)
    with pytest.raises(ValueError):
        slow_cap.slow_frames(factor=0.5)
    with pytest.raises(KeyError):
        slow_cap.slow_frames(frame_set="no such set")


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    with open_capture(path) as cap:
        for fs in [None, *[s["name"] for s in cap._frame_sets()[1:]]]:
            r = cap.slow_frames(frame_set=fs)
            text = r.summary()
            assert text and len(text.splitlines()) <= 40
            ph = frame_phases(cap, fs)
            assert ph is not None
            # never a start-up or partial frame among the slow ones
            assert all(ph.kind[int(f)] == GAMEPLAY for f in r.table["frame"])
            if fs is None:
                assert ph.kind[0] == STARTUP  # frame 0 is the span before the profiler client's start
                assert "frame 0 start-up" in text


def test_capture_without_zones_or_frames(tmp_path: Path) -> None:
    """A capture with no CPU zone and no frame mark (crafted: GPU zones, plots, memory only): every analysis here
    says "none recorded" instead of failing."""
    from engine_craft import make_capture
    from test_engine_tail_crafted import front, tail

    v = (0, 14, 0)
    p = tmp_path / "bare.tracy"
    p.write_bytes(make_capture(front(v) + tail(v)))
    with open_capture(p) as cap:
        assert cap.get_zone_count() == 0 and cap.get_frame_count() == 0
        for r in (cap.slow_frames(), cap.thread_report(), cap.compare(cap)):
            assert "none recorded" in r.summary() or "no zone regressed" in r.summary()
            assert len(r.table) == 0
        assert "none recorded" in cap.slow_frames().summary()
        assert "none recorded" in cap.thread_report().summary()


def test_times_are_int64_ns_and_share_of_excess_is_explained(slow_cap) -> None:  # type: ignore[no-untyped-def]
    r = slow_cap.slow_frames()
    for name, t in (("table", r.table), *r.tables.items()):
        for col in t.columns:
            if col.endswith("_ns"):
                assert t[col].dtype == np.int64, (name, col)
    # the culprit's growth can exceed the frame's excess over the median when the frame-pacing wait shrank
    assert (r.table["share_of_excess"] > 1).any()
    assert "share_of_excess" in (type(r).__doc__ or "") and "exceeds 1" in (type(r).__doc__ or "")
