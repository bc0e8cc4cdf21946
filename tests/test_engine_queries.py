"""Engine-side queries and derived data on real captures: columns derived on first read, zone statistics per group
(with self time and percentiles) against a numpy reference, and synthetic captures."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED, shared_captures

from tracy_mcp.engine import COMPLETE, NativeCapture
from tracy_mcp.errors import EngineError
from tracy_mcp.export.save import save_capture

CAPTURES = shared_captures()
needs_shared = pytest.mark.skipif(not CAPTURES, reason=f"no reference captures in {SHARED} (../shared absent)")
SMALL = [p for p in CAPTURES if p.stat().st_size < 8_000_000]


def _open(path) -> NativeCapture:
    cap = NativeCapture(path)
    assert cap.wait(COMPLETE, timeout=300) == COMPLETE
    return cap


def _reference(cap: NativeCapture, group_of: np.ndarray, ngroups: int, qs: tuple[float, ...]) -> dict[str, list]:
    """The same statistics with numpy, from the zone columns and the tree links."""
    start, end = cap.column("zones", "start"), cap.column("zones", "end")
    srcloc, parent = cap.column("zones", "srcloc").astype(np.int64), cap.column("zones", "parent")
    dur = np.where(end >= 0, end - start, 0)
    kids = parent >= 0
    child_sum = np.bincount(parent[kids], weights=np.maximum(dur[kids], 0), minlength=len(dur))
    self_time = dur - child_sum.astype(np.int64)
    known = srcloc < len(group_of)
    group = np.full(len(dur), -1)
    group[known] = group_of[srcloc[known]]
    counted = (dur > 0) & (group >= 0)
    out: dict[str, list] = {k: [] for k in ("count", "total", "min", "max", "self_total", "self_min", "self_max")}
    out["percentiles"] = []
    for g in range(ngroups):
        rows = np.nonzero(counted & (group == g))[0]
        d, s = dur[rows], self_time[rows]
        out["count"].append(len(d))
        for key, fn, v in (("total", np.sum, d), ("self_total", np.sum, s)):
            out[key].append(int(fn(v)))
        for key, fn, v in (("min", np.min, d), ("max", np.max, d), ("self_min", np.min, s), ("self_max", np.max, s)):
            out[key].append(int(fn(v)) if len(v) else 0)
        out["percentiles"].append(list(np.percentile(d, qs)) if len(d) else [np.nan] * len(qs))
    return out


@needs_shared
@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_tree_links_and_srcloc_lists_are_built_on_first_read(path):
    cap = _open(path)
    before = cap.memory_bytes()
    n = cap.rows("zones")
    parent = cap.column("zones", "parent")
    assert len(parent) == n and cap.memory_bytes() == before + 4 * n  # parent alone: subtree_end is its own part
    subtree_end = cap.column("zones", "subtree_end")
    assert len(subtree_end) == n and cap.memory_bytes() == before + 8 * n
    listed = cap.column("srcloc_zones", "zone")
    assert cap.memory_bytes() == before + 8 * n + 4 * len(listed) + 8 * cap.rows("srclocs")
    assert len(listed) == int(cap.column("srclocs", "zone_count").sum())


@needs_shared
@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_zone_group_stats_agree_with_numpy(path):
    cap = _open(path)
    nsrc = cap.rows("srclocs")
    qs = (0, 50, 90, 99, 99.9, 100)
    names = cap.column("srclocs", "name")
    by_name = np.unique(names, return_inverse=True)[1].astype(np.int32)  # srclocs sharing a name share a group
    for group_of, ngroups in ((np.arange(nsrc, dtype=np.int32), nsrc), (by_name, int(by_name.max()) + 1)):
        ours = cap.zone_group_stats(group_of, ngroups, qs)
        want = _reference(cap, group_of, ngroups, qs)
        for key in ("count", "total", "min", "max", "self_total", "self_min", "self_max"):
            assert ours[key].tolist() == want[key], key
        np.testing.assert_array_equal(ours["percentiles"], np.asarray(want["percentiles"]).reshape(ngroups, len(qs)))
        assert (ours["sum_sq"] >= 0).all()


@needs_shared
def test_zone_group_stats_skips_left_out_srclocs_and_refuses_bad_groups():
    cap = _open(SMALL[0])
    nsrc = cap.rows("srclocs")
    none = cap.zone_group_stats(np.full(nsrc, -1, np.int32), 1, (50,))
    assert none["count"].tolist() == [0] and np.isnan(none["percentiles"]).all()
    with pytest.raises(EngineError):
        cap.zone_group_stats(np.full(nsrc, 3, np.int32), 2)
    with pytest.raises(EngineError):
        cap.zone_group_stats(np.zeros(nsrc + 1, np.int32), 1)
    with pytest.raises(EngineError):
        cap.zone_group_stats(np.zeros(nsrc, np.int32), 1, (101,))


def test_synthetic_capture_has_the_promised_shape_and_survives_a_round_trip(tmp_path):
    cap = NativeCapture.synthetic(105 * 4 * 10, threads=4, seed=7)
    strings = cap.column("string_bytes", "data").tobytes()
    offset, size = cap.column("strings", "offset"), cap.column("strings", "size")
    names = [strings[offset[i] : offset[i] + size[i]].decode() for i in cap.column("srclocs", "name")]
    per_name = dict(zip(names, cap.column("srclocs", "zone_count").tolist(), strict=True))
    assert {k: per_name[k] for k in ("Batch", "Task", "Step", "Leaf")} == {
        "Batch": 40,
        "Task": 320,
        "Step": 1280,
        "Leaf": 2560,
    }
    again = NativeCapture.synthetic(105 * 4 * 10, threads=4, seed=7)
    assert np.array_equal(again.column("zones", "end"), cap.column("zones", "end"))  # the seed fixes the data
    save_capture(cap, tmp_path / "s.tracy")
    back = _open(tmp_path / "s.tracy")
    for col in ("start", "end", "srcloc", "depth", "parent", "subtree_end"):
        assert np.array_equal(back.column("zones", col), cap.column("zones", col)), col
    assert back.meta()["zone_count"] == cap.meta()["zone_count"]


def _links_reference(depth: np.ndarray, begins: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """parent and subtree_end by the definition, one thread at a time (rows no thread lists: -1 and 0)."""
    n = len(depth)
    parent, subtree_end = [-1] * n, [0] * n
    depths = depth.tolist()
    for b, e in zip(begins.tolist(), ends.tolist(), strict=True):
        open_rows: list[int] = []
        for r in range(b, e):
            while len(open_rows) > depths[r]:
                subtree_end[open_rows.pop()] = r
            parent[r] = open_rows[-1] if open_rows else -1
            open_rows.append(r)
        for r in open_rows:
            subtree_end[r] = e
    return np.asarray(parent), np.asarray(subtree_end)


def test_passes_split_over_the_cores_agree_with_references():
    # Large enough for the engine to split its passes over threads and to cut each thread's zones at depth-0 rows.
    cap = NativeCapture.synthetic(1_200_000, threads=3, seed=3)
    n = cap.rows("zones")
    start, end, depth = cap.column("zones", "start"), cap.column("zones", "end"), cap.column("zones", "depth")
    parent, subtree_end = _links_reference(
        depth, cap.column("threads", "zones_begin"), cap.column("threads", "zones_end")
    )
    assert np.array_equal(cap.column("zones", "parent"), parent)
    assert np.array_equal(cap.column("zones", "subtree_end"), subtree_end)

    dur = np.where(end >= 0, end - start, 0)
    sums = np.zeros(n + 1, np.int64)
    np.add.at(sums, parent, dur)
    times = cap.zone_times(n)
    assert np.array_equal(times["duration"], dur)
    assert np.array_equal(times["self_time"], dur - sums[:n])
    assert list(cap.zone_times(n, duration=False)) == ["self_time"]

    nsrc = cap.rows("srclocs")
    qs = (0, 1, 50, 90, 99, 99.9, 100)
    ours = cap.zone_group_stats(np.arange(nsrc, dtype=np.int32), nsrc, qs)  # groups of 100 k+ zones: histograms
    want = _reference(cap, np.arange(nsrc, dtype=np.int32), nsrc, qs)
    assert max(want["count"]) > 100_000
    for key in ("count", "total", "min", "max", "self_total", "self_min", "self_max"):
        assert ours[key].tolist() == want[key], key
    np.testing.assert_array_equal(ours["percentiles"], np.asarray(want["percentiles"]).reshape(nsrc, len(qs)))


def test_zone_codes_look_up_each_zones_key(tmp_path):
    built = NativeCapture.synthetic(4_000, threads=2, seed=5)
    save_capture(built, tmp_path / "s.tracy")
    cap = _open(tmp_path / "s.tracy")  # loaded: the few zones with extras are kept as (row, extra) pairs
    n = cap.rows("zones")
    lut = np.arange(1 << 20, dtype=np.int32) * 3
    from_pairs = cap.zone_codes("extra", lut, 0, np.int32, n)  # before the extra column exists
    assert np.array_equal(from_pairs, 3 * cap.column("zones", "extra").astype(np.int64))
    assert np.array_equal(cap.zone_codes("extra", lut, 0, np.int32, n), from_pairs)  # and after
    srcloc, thread = cap.column("zones", "srcloc").astype(np.int64), cap.column("zones", "thread").astype(np.int64)
    lut = np.asarray([7, -3, 100], np.int32)  # shorter than the srclocs: the others get `missing`
    want = np.where(srcloc < len(lut), lut[np.minimum(srcloc, len(lut) - 1)], -1)
    assert np.array_equal(cap.zone_codes("srcloc", lut, -1, np.int8, n), want)
    by_thread = np.where(thread < 2, 300 + 100 * thread, 0)  # a lut for the first two threads only
    assert np.array_equal(cap.zone_codes("thread", np.asarray([300, 400], np.int32), 0, np.int16, n), by_thread)
    extra = cap.column("zones", "extra")
    assert np.array_equal(cap.zone_codes("extra", np.arange(1 << 20, dtype=np.int32), 0, np.int32, n), extra)
    with pytest.raises(EngineError):  # 300 does not fit one byte
        cap.zone_codes("thread", np.asarray([300], np.int32), 0, np.int8, n)
    with pytest.raises(EngineError):
        cap.zone_codes("srcloc", lut, -1, np.int8, n + 1)


@needs_shared
def test_zone_group_stats_of_large_groups_with_long_outliers_agree_with_numpy():
    # tracypy: groups of 100 k - 2 M zones whose durations span many powers of two (the logarithmic histogram and
    # the second pass that picks the ranks' bins)
    path = next((p for p in CAPTURES if p.name == "tracypy-0.13.1.tracy"), None)
    if path is None:
        pytest.skip("tracypy-0.13.1.tracy is not among the reference captures")
    cap = _open(path)
    nsrc = cap.rows("srclocs")
    qs = (0, 0.1, 50, 90, 99, 99.9, 100)
    group_of = np.arange(nsrc, dtype=np.int32)
    ours = cap.zone_group_stats(group_of, nsrc, qs)
    want = _reference(cap, group_of, nsrc, qs)
    assert max(want["count"]) > 1_000_000 and max(want["max"]) > 1 << 20
    for key in ("count", "self_total", "self_min", "self_max"):
        assert ours[key].tolist() == want[key], key
    np.testing.assert_array_equal(ours["percentiles"], np.asarray(want["percentiles"]).reshape(nsrc, len(qs)))
