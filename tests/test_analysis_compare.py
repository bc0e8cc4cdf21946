"""compare against the planted A/B answers, and on the shared captures."""

from __future__ import annotations

import numpy as np
import pytest
from planted import all_captures, answers, planted

import tracy_mcp
from tracy_mcp import open_capture


@pytest.fixture(scope="module")
def ab():  # type: ignore[no-untyped-def]
    with open_capture(planted("regression_a.tracy")) as a, open_capture(planted("regression_b.tracy")) as b:
        yield a, b


def kinds(table) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(zip(table["name"], table["kind"], strict=True))


def test_planted_regression(ab) -> None:  # type: ignore[no-untyped-def]
    a, b = ab
    exp = answers()["regression_ab"]["expected"]
    r = a.compare(b)
    k = kinds(r.table)
    assert k[exp["regressed_zone"]] == "regressed"
    assert k[exp["count_changed_zone"]] == "count changed only"
    assert [n for n, v in k.items() if v in ("regressed", "improved")] == [exp["regressed_zone"]]
    for z in exp["unchanged_zones"]:
        assert k[z] == "unchanged", z
    for z in exp["inclusive_parents_grow"]:
        assert k[z] == "through children (slower)", z
    assert k["Renderer::Present"] == "wait shrank"
    row = list(r.table["name"]).index(exp["regressed_zone"])
    assert abs(r.table["mean_ratio"][row] - exp["ratio"]) < 0.05 * exp["ratio"]
    assert r.table["name"][0] == exp["regressed_zone"]  # sorted by impact
    paths = kinds(r.tables["paths"].rename(columns={"path": "name"}))
    assert paths["Game::Tick > Renderer::Draw > Renderer::SortDrawCalls"] == "regressed"
    frames = r.tables["frames"]
    np.testing.assert_allclose(
        np.asarray(frames["median_ns"]) / 1e6, [exp["median_frame_ms_a"], exp["median_frame_ms_b"]], atol=0.01
    )


def test_planted_regression_summary(ab) -> None:  # type: ignore[no-untyped-def]
    a, b = ab
    text = a.compare(b).summary()
    first = text.splitlines()[0]
    assert "1 zone(s) regressed" in first and "Renderer::SortDrawCalls 2.48x per call" in first
    assert "AI::PathfindBatch: 1200 -> 2400 calls (2.00x)" in text
    assert "Renderer::Draw 1.297x" in text and "includes Renderer::SortDrawCalls (regressed)" in text
    assert "no change beyond noise" in text
    # the frame pacer took up the extra work: the slack it left per frame, from its own mean per call
    t = a.compare(b).table
    present = t[t["name"] == "Renderer::Present"].iloc[0]
    slack = present["mean_b_ns"] / 1e6
    assert "The frame time held because Renderer::Present (the frame-pacing wait) absorbed the change" in text
    assert f"so the slack left before frames slow down is {slack:.2f} ms (less than before)." in text
    assert len(text.splitlines()) <= 40
    # one name per category: the count line and the section heading agree
    assert "2 through children (slower)" in text and "\nThrough children (only a child changed;" in text
    assert "inclusive only" not in text
    assert "locks (2 declared, never locked in either run)" in text and "0 events" not in text
    # plain evidence beside the p-value: the two runs' calls do not overlap
    sa = a.zones(name="Renderer::SortDrawCalls")["self_ns"]
    sb = b.zones(name="Renderer::SortDrawCalls")["self_ns"]
    assert sb.min() > sa.max()
    assert "Renderer::SortDrawCalls: every call in B took longer than every call in A" in text
    assert "(+1.20 ms per gameplay frame)" in first


def test_reverse_direction_is_an_improvement(ab) -> None:  # type: ignore[no-untyped-def]
    a, b = ab
    k = kinds(b.compare(a).table)
    assert k["Renderer::SortDrawCalls"] == "improved"
    assert k["Renderer::Present"] == "wait grew"
    assert k["AI::PathfindBatch"] == "count changed only"
    assert "regressed" not in k.values()


def test_paths_and_module_function(ab) -> None:  # type: ignore[no-untyped-def]
    a, _ = ab
    r = tracy_mcp.compare(a.path, planted("regression_b.tracy"))
    assert r.table["name"][0] == "Renderer::SortDrawCalls"
    with pytest.raises(ValueError):
        a.compare(a, min_change=0)


def test_same_capture_has_no_change() -> None:
    caps = all_captures()
    if not caps:
        pytest.skip("shared captures not found")
    for p in caps[:3]:
        with open_capture(p) as a, open_capture(p) as b:
            r = a.compare(b)
            assert set(r.table["kind"]) == {"unchanged"}, p.name
            assert "no zone regressed" in r.summary().splitlines()[0]


def test_other_changes_beside_zone_timings(ab) -> None:  # type: ignore[no-untyped-def]
    a, b = ab
    lines = a.compare(b).summary().splitlines()
    at = lines.index("Other changes (B vs A):")
    rest = lines[at + 1 :]
    # B splits AI::PathfindBatch into twice as many calls: more zones; the program's own plot (frame time) is steady,
    # the machine's CPU usage (Tracy's SysTime plot) moved and is named as the whole machine's
    assert any(x.strip().startswith(f"zones {a.get_zone_count()} -> {b.get_zone_count()}") for x in rest), rest
    plots = next(x.strip() for x in rest if x.strip().startswith("plots 2 -> 2: values moved: 'CPU usage"))
    assert (
        "'CPU usage (whole machine, %)' mean 19.36 -> 14.86 (-23.3%" in plots and "steady: 'Frame time (ms)'" in plots
    )
    assert "whole machine, other load counts too" in plots
    assert rest[-1].strip().startswith("same in both: threads (3), messages")


def test_other_changes_name_threads_messages_and_memory() -> None:
    with open_capture(planted("memory_leak.tracy")) as a, open_capture(planted("alloc_churn.tracy")) as b:
        text = a.compare(b).summary()
    assert "new in B: AudioMixer; gone in B: NavWorker" in text
    assert "only in B: 'Session ended'" in text  # message texts with their numbers masked
    assert "never freed 442.4 kB (432.0 KiB) -> 0 B" in text
    with open_capture(planted("slow_frames.tracy")) as a, open_capture(planted("slow_frames.tracy")) as b:
        assert "Other changes (B vs A): none." in a.compare(b).summary()


def test_unrelated_captures_say_so() -> None:
    caps = {p.name: p for p in all_captures()}
    if "fiberpool-0.14.0.tracy" not in caps or "slow_frames.tracy" not in caps:
        pytest.skip("shared captures not found")
    r = tracy_mcp.compare(caps["fiberpool-0.14.0.tracy"], caps["slow_frames.tracy"])
    assert "do not look like two runs of the same program" in r.summary()
    assert set(r.table["kind"]) == {"new", "gone"}


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture_against_a_neighbour(path) -> None:  # type: ignore[no-untyped-def]
    caps = all_captures()
    other = caps[(caps.index(path) + 1) % len(caps)]
    r = tracy_mcp.compare(path, other)
    assert r.summary() and len(r.summary().splitlines()) <= 40
