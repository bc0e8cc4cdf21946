"""call_tree / hot_paths (zones merged by call path, from the engine's one-pass path ids) and the speedscope export:
time is conserved against zone statistics and within the tree, windows clip exactly, the planted culprits come out
on top, and the speedscope file keeps the format's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from conftest import CAPTURES, require_shared
from cpu_records import runs_cut_per_cpu
from planted import answers, planted

from tracy_mcp import open_capture
from tracy_mcp.analysis.call_tree import tree_columns

# captures with every feature (locks, memory, GPU, fibers, old file versions) but a quick load
CAPTURE_NAMES = ["clientapp-0.14.0.tracy", "clientapp-0.11.1.tracy", "fiberpool-0.14.0.tracy"]


@pytest.fixture(scope="module", params=CAPTURE_NAMES)
def cap(request: pytest.FixtureRequest) -> Any:
    require_shared()
    with open_capture(CAPTURES / request.param) as c:
        yield c


@pytest.fixture(scope="module")
def slow() -> Any:
    with open_capture(planted("slow_frames.tracy")) as c:
        yield c


def test_totals_and_self_agree_with_zone_stats(cap: Any) -> None:
    cols = tree_columns(cap.call_tree())
    zs = cap.zone_stats(as_frame=False, percentiles=None)
    total: dict[str, int] = {}
    self_ns: dict[str, int] = {}
    count: dict[str, int] = {}
    for name, t, s, c in zip(cols["name"], cols["total_ns"], cols["self_ns"], cols["count"], strict=True):
        total[name] = total.get(name, 0) + int(t)
        self_ns[name] = self_ns.get(name, 0) + int(s)
        count[name] = count.get(name, 0) + int(c)
    assert total == {n: int(t) for n, t in zip(zs["name"], zs["total_ns"], strict=True) if n in total}
    assert self_ns == {n: int(s) for n, s in zip(zs["name"], zs["self_ns"], strict=True) if n in self_ns}
    # counts: every zone with a valid end (zone_stats skips the zero-length ones)
    z = cap.zones(as_frame=False)
    ended = z["end_ns"] >= 0
    names, per_name = np.unique(z["name"][ended], return_counts=True)
    assert count == dict(zip(names.tolist(), per_name.tolist(), strict=True))


def test_parent_total_is_self_plus_children(cap: Any) -> None:
    for per_thread in (True, False):
        cols = tree_columns(cap.call_tree(per_thread=per_thread))
        child = np.bincount(
            cols["parent_id"][cols["parent_id"] >= 0],
            weights=cols["total_ns"][cols["parent_id"] >= 0],
            minlength=len(cols["id"]),
        )
        assert np.array_equal(cols["total_ns"], cols["self_ns"] + child.astype(np.int64))
        assert np.array_equal(cols["id"], np.arange(len(cols["id"])))
        assert (cols["parent_id"] < cols["id"]).all()  # depth-first: a parent comes first
        assert cols["max_ns"].max() <= cols["total_ns"].max()


def test_merging_threads_sums_the_per_thread_paths(cap: Any) -> None:
    per = tree_columns(cap.call_tree())
    merged = tree_columns(cap.call_tree(per_thread=False))
    by_path: dict[str, list[int]] = {}
    for p, c, t, s, m in zip(per["path"], per["count"], per["total_ns"], per["self_ns"], per["max_ns"], strict=True):
        acc = by_path.setdefault(p, [0, 0, 0, 0])
        acc[0] += int(c)
        acc[1] += int(t)
        acc[2] += int(s)
        acc[3] = max(acc[3], int(m))
    got = {
        p: [int(c), int(t), int(s), int(m)]
        for p, c, t, s, m in zip(*(merged[k] for k in ("path", "count", "total_ns", "self_ns", "max_ns")), strict=True)
    }
    assert got == by_path
    assert set(merged["thread"].tolist()) == {""} and (merged["thread_id"] == -1).all()


def test_windows_clip_and_add_up(cap: Any) -> None:
    last = int(cap.get_last_time())
    mid = last // 2 + 12345
    whole = tree_columns(cap.call_tree(start=0, end=last + 1))
    unwindowed = tree_columns(cap.call_tree())
    assert int(whole["total_ns"].sum()) == int(unwindowed["total_ns"].sum())
    a = tree_columns(cap.call_tree(start=0, end=mid))
    b = tree_columns(cap.call_tree(start=mid, end=last + 1))

    def totals(cols: dict[str, np.ndarray]) -> dict[tuple[str, str], tuple[int, int]]:
        return {
            (th, p): (int(t), int(s))
            for th, p, t, s in zip(cols["thread"], cols["path"], cols["total_ns"], cols["self_ns"], strict=True)
        }

    ta, tb, tw = totals(a), totals(b), totals(whole)
    for key, (t, s) in tw.items():
        assert ta.get(key, (0, 0))[0] + tb.get(key, (0, 0))[0] == t, key
        assert ta.get(key, (0, 0))[1] + tb.get(key, (0, 0))[1] == s, key


def test_a_frame_window_holds_its_frame_time(slow: Any) -> None:
    frame = 43
    b, e = slow.get_frame_boundaries()[frame]
    cols = tree_columns(slow.call_tree(frame_range=frame, thread="Main thread"))
    roots = cols["depth"] == 0
    assert 0 < int(cols["total_ns"][roots].sum()) <= e - b
    assert set(cols["thread"].tolist()) == {"Main thread"}
    same = tree_columns(slow.call_tree(start=b, end=e, thread="Main thread"))
    assert np.array_equal(same["total_ns"], cols["total_ns"])


def test_rerooting_at_a_name(slow: Any) -> None:
    tree = slow.call_tree(name="Renderer::Draw", per_thread=False)
    cols = tree_columns(tree)
    roots = np.flatnonzero(cols["depth"] == 0)
    assert cols["name"][roots].tolist() == ["Renderer::Draw"]
    stats = slow.get_all_zone_stats()["Renderer::Draw"]
    assert int(cols["total_ns"][roots[0]]) == stats.total and int(cols["count"][roots[0]]) == stats.count
    assert all(p.startswith("Renderer::Draw") for p in cols["path"])
    assert "inside Renderer::Draw" in tree.summary()


def test_summary_text(slow: Any) -> None:
    text = slow.call_tree().summary()
    assert text.splitlines()[0].startswith("Call tree (whole capture): 23 call paths")
    assert "TextureStreamer::UploadMips" in text and "Main thread" in text
    assert len(text.splitlines()) <= 41
    hot = slow.hot_paths(5)
    assert len(tree_columns(hot)["path"]) == 5
    assert hot.summary().splitlines()[1].lstrip().startswith("1. 4.21 s self (47.1%), 450 calls")


def test_nothing_in_scope_is_none_recorded(slow: Any) -> None:
    # a window inside frame 0, before any zone
    first = int(slow.zones(as_frame=False)["start_ns"].min())
    tree = slow.call_tree(start=0, end=max(first, 1))
    assert "none recorded" in tree.summary()
    assert "none recorded" in slow.hot_paths(start=0, end=max(first, 1)).summary()


def test_bad_arguments_are_clear_errors(slow: Any) -> None:
    with pytest.raises(LookupError, match="no thread named 'Nope'"):
        slow.call_tree(thread="Nope")
    with pytest.raises(LookupError, match="no thread with thread_id or OS tid"):
        slow.call_tree(thread=10**9)
    with pytest.raises(IndexError, match="outside the frames"):
        slow.call_tree(frame_range=(5, 100000))
    with pytest.raises(ValueError, match="empty time window"):
        slow.call_tree(start=100, end=50)
    with pytest.raises(KeyError, match="no zone named"):
        slow.call_tree(name="NoSuchZone")
    with pytest.raises(ValueError, match="frame_range='frame 43'"):
        slow.call_tree(frame_range="frame 43")
    with pytest.raises(TypeError, match="frame_range"):
        slow.call_tree(frame_range=4.5)
    # a frame typed as text is that frame (an assistant writes frames="53")
    assert tree_columns(slow.hot_paths(1, frame_range="43")) == tree_columns(slow.hot_paths(1, frame_range=43))
    assert slow.slow_frames(frames="43").title == slow.slow_frames(frames=43).title
    assert slow.slow_frames(frames="42-44").title == slow.slow_frames(frames=(42, 44)).title


# -- planted problems ------------------------------------------------------------------------------------------
def test_hot_path_of_each_slow_frame_is_the_planted_culprit(slow: Any) -> None:
    expected = answers()["slow_frames"]["expected"]
    for frame in expected["slow_frames"]:
        top = tree_columns(slow.hot_paths(1, frame_range=frame))
        assert top["path"][0].split(" > ")[-1] == expected["culprit_zone"], frame
        assert top["path"][0] == expected["culprit_parent_chain"] + " > " + expected["culprit_zone"]


def test_hot_paths_put_the_busy_worker_first() -> None:
    path = planted("thread_imbalance.tracy")
    expected = answers()["thread_imbalance"]["expected"]
    with open_capture(path) as c:
        top = tree_columns(c.hot_paths(2))
        alone = tree_columns(c.hot_paths(2, per_thread=True))
    # the pool's threads are one path, naming the member that holds most of it
    assert (expected["busy_thread"], expected["dominant_zone"]) in list(zip(top["busiest"], top["path"], strict=True))
    assert (expected["busy_thread"], expected["dominant_zone"]) in list(
        zip(alone["thread"], alone["path"], strict=True)
    )


def test_hot_paths_show_the_regressed_zone_and_the_lock_holder() -> None:
    expected = answers()
    with open_capture(planted("regression_b.tracy")) as c:
        top = tree_columns(c.hot_paths(3))
    assert any(p.endswith(expected["regression_ab"]["expected"]["regressed_zone"]) for p in top["path"])
    with open_capture(planted("lock_contention.tracy")) as c:
        top = tree_columns(c.hot_paths(3, per_thread=False))
    assert any(p.endswith(expected["lock_contention"]["expected"]["zone_held"]) for p in top["path"])


def test_hot_paths_merge_recursion_and_keep_self_time() -> None:
    """A recursive function is one hot path with the calls and self time of every depth; per depth without merging."""
    require_shared()
    with open_capture(CAPTURES / "tracypy-0.13.1.tracy") as c:
        merged = tree_columns(c.hot_paths(200))
        split = tree_columns(c.hot_paths(1000, merge_recursive=False))
        z = c.zones(name="fib")
        text = c.hot_paths().summary()
    fib = [i for i, p in enumerate(merged["path"]) if p.endswith("worker > fib (recursive)")]
    assert len(fib) == 3 and all(merged["levels"][i] > 10 for i in fib)  # one row per worker thread
    assert not any(" > fib > fib" in p for p in merged["path"])
    ends = [i for i, p in enumerate(merged["path"]) if p.rsplit(" > ", 1)[-1] in ("fib", "fib (recursive)")]
    assert int(sum(merged["self_ns"][i] for i in ends)) == int(z["self_ns"].sum())  # main thread's fib too
    assert int(sum(merged["count"][i] for i in ends)) == len(z)
    assert sum(" > fib > fib" in p for p in split["path"]) > 10 and set(split["levels"]) == {1}
    # the other paths are the same either way, and no self time is lost or counted twice
    assert int(merged["self_ns"].sum()) <= int(split["self_ns"].sum())
    assert "calls at 14 depths, outermost mean" in text


def test_self_time_on_a_cpu_from_context_switches() -> None:
    """Each path's self time splits into time on a CPU (context switches) and off it: per thread the paths' CPU
    parts add up to the thread's running time inside its top-level zones, counted here straight from its records."""
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as c:
        cols = tree_columns(c.call_tree(thread="Worker B"))
        hot = c.hot_paths(3, thread="Worker B")
        part = tree_columns(c.hot_paths(50, frame_range=(100, 120)))
        cs = runs_cut_per_cpu(c.context_switches(), c.get_last_time())
        z = c.zones(thread="Worker B")
    assert (cols["self_cpu_ns"] >= 0).all() and (cols["self_cpu_ns"] <= cols["self_ns"]).all()
    runs = cs[cs["thread"] == "Worker B"].sort_values("start_ns")
    rs, re_ = runs["start_ns"].to_numpy(), runs["end_ns"].to_numpy()
    top = z[z["depth"] == 0]
    expected = 0
    for a, b in zip(top["start_ns"].to_numpy(), top["end_ns"].to_numpy(), strict=True):
        expected += int(np.maximum(np.minimum(re_, b) - np.maximum(rs, a), 0).sum())
    assert int(cols["self_cpu_ns"].sum()) == pytest.approx(expected, rel=0.001)
    # WorkerIteration's own time is mostly not on a CPU (it sleeps there)
    text = hot.summary()
    assert "[Worker B] WorkerIteration" in text.splitlines()[1] and "3% of it on a CPU" in text.splitlines()[1]
    assert '"on a CPU" (context switches) tells which' in text
    assert ((part["self_cpu_ns"] >= 0) & (part["self_cpu_ns"] <= part["self_ns"])).all()
    # a capture whose context switches carry no valid times says nothing about CPU time
    with open_capture(CAPTURES / "tracypy-0.13.1.tracy") as c:
        none = c.hot_paths(3)
    assert (tree_columns(none)["self_cpu_ns"] == -1).all() and "on a CPU" not in none.summary()


# -- speedscope ------------------------------------------------------------------------------------------------
# The file format as speedscope's spec (src/lib/file-format-spec.ts) and importer (src/lib/file-format.ts,
# src/lib/profile.ts) define it: the structure here, the ordering rules in check_speedscope.
SPEEDSCOPE_SCHEMA = {
    "type": "object",
    "required": ["$schema", "shared", "profiles"],
    "properties": {
        "$schema": {"const": "https://www.speedscope.app/file-format-schema.json"},
        "name": {"type": "string"},
        "exporter": {"type": "string"},
        "activeProfileIndex": {"type": "integer", "minimum": 0},
        "shared": {
            "type": "object",
            "required": ["frames"],
            "properties": {
                "frames": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "file": {"type": "string"},
                            "line": {"type": "number"},
                            "col": {"type": "number"},
                        },
                    },
                }
            },
        },
        "profiles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "name", "unit", "startValue", "endValue", "events"],
                        "properties": {
                            "type": {"const": "evented"},
                            "name": {"type": "string"},
                            "unit": {
                                "enum": ["none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"]
                            },
                            "startValue": {"type": "number"},
                            "endValue": {"type": "number"},
                            "events": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["type", "at", "frame"],
                                    "properties": {
                                        "type": {"enum": ["O", "C"]},
                                        "at": {"type": "number"},
                                        "frame": {"type": "integer", "minimum": 0},
                                    },
                                },
                            },
                        },
                    },
                    {
                        "type": "object",
                        "required": ["type", "name", "unit", "startValue", "endValue", "samples", "weights"],
                        "properties": {
                            "type": {"const": "sampled"},
                            "name": {"type": "string"},
                            "unit": {"type": "string"},
                            "startValue": {"type": "number"},
                            "endValue": {"type": "number"},
                            "samples": {
                                "type": "array",
                                "items": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                            },
                            "weights": {"type": "array", "items": {"type": "number"}},
                        },
                    },
                ]
            },
        },
    },
}


def check_speedscope(path: Path) -> dict[str, Any]:
    """Validate a speedscope file: the schema, then the rules the importer enforces."""
    doc = json.loads(path.read_text())
    jsonschema.validate(doc, SPEEDSCOPE_SCHEMA)
    nframes = len(doc["shared"]["frames"])
    assert doc.get("activeProfileIndex", 0) < len(doc["profiles"])
    for p in doc["profiles"]:
        assert p["endValue"] >= p["startValue"]
        if p["type"] == "evented":
            stack: list[int] = []
            last = p["startValue"]
            for ev in p["events"]:
                assert ev["frame"] < nframes
                assert ev["at"] >= last, "event values must never decrease"
                last = ev["at"]
                if ev["type"] == "O":
                    stack.append(ev["frame"])
                else:
                    assert stack and stack.pop() == ev["frame"], "a close must name the frame on top of the stack"
            assert not stack, "every opened frame is closed"
            assert last <= p["endValue"]
        else:
            assert len(p["samples"]) == len(p["weights"])
            assert all(w > 0 for w in p["weights"])
            assert all(0 <= f < nframes for s in p["samples"] for f in s)
    return doc


def test_speedscope_evented_is_valid_and_complete(cap: Any, tmp_path: Path) -> None:
    out = tmp_path / "trace.speedscope.json"
    n = cap.export_speedscope(out)
    doc = check_speedscope(out)
    events = sum(len(p["events"]) for p in doc["profiles"])
    assert n == events == 2 * len(cap.zones(as_frame=False)["start_ns"])
    assert {p["name"] for p in doc["profiles"]} <= set(cap._thread_labels())


def test_speedscope_sampled_matches_the_call_tree(cap: Any, tmp_path: Path) -> None:
    out = tmp_path / "tree.speedscope.json"
    cap.export_speedscope(out, mode="sampled")
    doc = check_speedscope(out)
    weights = sum(sum(p["weights"]) for p in doc["profiles"])
    cols = tree_columns(cap.call_tree())
    assert weights == int(cols["self_ns"][cols["self_ns"] > 0].sum())


def test_speedscope_window_thread_and_min_duration(slow: Any, tmp_path: Path) -> None:
    out = tmp_path / "frame.speedscope.json"
    b, e = slow.get_frame_boundaries()[43]
    n = slow.export_speedscope(out, frame_range=(42, 44), thread="Main thread", min_duration=100_000)
    doc = check_speedscope(out)
    assert [p["name"] for p in doc["profiles"]] == ["Main thread"]
    assert n == len(doc["profiles"][0]["events"]) > 0
    names = [doc["shared"]["frames"][ev["frame"]]["name"] for ev in doc["profiles"][0]["events"]]
    assert "TextureStreamer::UploadMips" in names
    lo, hi = slow.get_frame_boundaries()[42][0], slow.get_frame_boundaries()[44][1]
    assert all(lo <= ev["at"] <= hi for ev in doc["profiles"][0]["events"]) and lo < b < e < hi
    empty = tmp_path / "empty.speedscope.json"
    assert slow.export_speedscope(empty, start=0, end=1) == 0
    check_speedscope(empty)
    with pytest.raises(ValueError, match="mode must be one of"):
        slow.export_speedscope(tmp_path / "x.json", mode="flame")
