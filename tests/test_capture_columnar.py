"""Beyond upstream: columnar tables, statistics per source location, self time, percentiles, time ranges."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CAPTURES, require_shared

from tracy_mcp import Capture, open_capture


@pytest.fixture(scope="module")
def ctx() -> Capture:
    require_shared()
    return open_capture(CAPTURES / "clientapp-0.14.0.tracy")


def test_zones_columns_are_consistent(ctx: Capture) -> None:
    z = ctx.zones(as_frame=False)
    n = ctx.get_zone_count()
    assert all(len(v) == n for v in z.values())
    valid = z["end_ns"] >= 0
    assert np.array_equal(z["duration_ns"][valid], z["end_ns"][valid] - z["start_ns"][valid])
    assert np.all(z["self_ns"][valid] <= z["duration_ns"][valid])
    tids = ctx.threads(as_frame=False)["tid"]
    assert set(tids[np.unique(z["thread_id"])].tolist()) <= {t["id"] for t in ctx.get_threads()}
    assert (z["name"] == "MainFrame").sum() == ctx.get_all_zone_stats()["MainFrame"].count
    roots = z["depth"] == 0
    assert np.all(z["parent_id"][roots] == -1) and np.all(z["parent_id"][~roots] >= 0)


def test_zone_filters(ctx: Capture) -> None:
    main = [t["id"] for t in ctx.get_threads() if t["name"] == "Main thread"][0]
    z = ctx.zones(thread=main, as_frame=False)
    assert len(z["start_ns"]) and np.all(z["thread"] == "Main thread")
    w = ctx.zones(name="LeafWork", as_frame=False)
    assert set(w["name"].tolist()) == {"LeafWork"}
    lo, hi = 500_000_000, 600_000_000
    r = ctx.zones_in_range(lo, hi, as_frame=False)
    assert len(r["start_ns"]) and np.all(r["start_ns"] < hi) and np.all((r["end_ns"] > lo) | (r["end_ns"] < 0))


def test_zone_stats_by_name_match_upstream_method(ctx: Capture) -> None:
    table = ctx.zone_stats(as_frame=False)
    stats = ctx.get_all_zone_stats()
    assert set(table["name"].tolist()) == set(stats)
    for i, name in enumerate(table["name"].tolist()):
        s = stats[name]
        assert (table["count"][i], table["total_ns"][i], table["min_ns"][i], table["max_ns"][i]) == (
            s.count,
            s.total,
            s.min,
            s.max,
        )
        assert table["mean_ns"][i] == pytest.approx(s.avg)
        d = np.asarray(ctx.get_zone_durations(name, 2**62))
        assert table["p50_ns"][i] == pytest.approx(np.percentile(d, 50))
        assert table["p99_ns"][i] == pytest.approx(np.percentile(d, 99))
        if s.count > 1:
            assert table["std_ns"][i] == pytest.approx(d.std(ddof=1), rel=1e-6)
    assert list(table["total_ns"]) == sorted(table["total_ns"], reverse=True)


def test_zone_stats_by_srcloc_match_get_zone_stats(ctx: Capture) -> None:
    table = ctx.zone_stats(by="srcloc", as_frame=False)
    by_id = ctx.get_all_zone_stats_by_srcloc()
    assert set(table["id"].tolist()) == set(by_id)
    for i, sid in enumerate(table["id"].tolist()):
        assert table["count"][i] == ctx.get_zone_stats(sid).count == by_id[sid].count
        assert table["name"][i] == ctx.get_zone_name(sid)
        assert table["line"][i] == ctx.get_src_loc(sid).line


def test_self_time_is_duration_minus_children(ctx: Capture) -> None:
    z = ctx.zones(as_frame=False)
    st = ctx.self_time_array()
    assert np.array_equal(st, z["self_ns"])
    parent = z["parent_id"]
    child_sum = np.zeros(len(st), np.int64)
    has = parent >= 0
    np.add.at(child_sum, parent[has], np.maximum(z["duration_ns"][has], 0))
    valid = z["end_ns"] >= 0
    assert np.array_equal(st[valid], (z["duration_ns"] - child_sum)[valid])
    table = ctx.zone_stats(as_frame=False)
    i = table["name"].tolist().index("MainFrame")
    assert 0 <= table["self_ns"][i] < table["total_ns"][i]


def test_zone_stats_are_computed_once_per_arguments_and_handed_out_as_copies(ctx: Capture) -> None:
    first = ctx.zone_stats(percentiles=(50, 99), as_frame=False)
    first["count"][:] = -1  # the caller's copy: the next call does not see it
    again = ctx.zone_stats(percentiles=(50.0, 99.0), as_frame=False)
    assert (again["count"] > 0).all() and list(again) == list(first)
    other = ctx.zone_stats(percentiles=(10,), as_frame=False)  # other arguments: computed for them
    assert "p10_ns" in other and "p50_ns" not in other
    np.testing.assert_array_equal(other["total_ns"], again["total_ns"])


def test_percentiles(ctx: Capture) -> None:
    p = ctx.zone_percentiles("LeafWork")
    d = ctx.zone_durations("LeafWork")
    assert p["p50"] == pytest.approx(np.percentile(d, 50)) and p["p50"] <= p["p90"] <= p["p99"]
    fp = ctx.frame_percentiles()
    ft = np.asarray(ctx.get_frame_times())
    assert fp["p90"] == pytest.approx(np.percentile(ft, 90))
    sid = ctx.zone_stats(by="srcloc", as_frame=False)["id"][0]
    assert ctx.zone_percentiles(srcloc=int(sid))["p50"] > 0


def test_frames_and_zones_in_frame(ctx: Capture) -> None:
    f = ctx.frames(as_frame=False)
    assert len(f["start_ns"]) == ctx.get_frame_count()
    assert f["duration_ns"].tolist() == ctx.get_frame_times()
    render = ctx.frames("Render", as_frame=False)
    assert render["duration_ns"].tolist() == ctx.get_frame_times_named("Render")
    # the analyses spell the set frame_set=; the accessors take that too
    assert ctx.frames(frame_set="Render", as_frame=False)["duration_ns"].tolist() == render["duration_ns"].tolist()
    assert ctx.frame_percentiles(frame_set="Render") == ctx.frame_percentiles("Render")
    z = ctx.zones_in_frame(10, as_frame=False)
    b, e = ctx.get_frame_boundaries()[10]
    assert len(z["start_ns"]) and np.all(z["start_ns"] < e)
    upstream = ctx.get_zones_in_frame(10)
    starts_inside = (z["start_ns"] >= b) & (z["end_ns"] >= 0)
    assert sum(v["count"] for v in upstream.values()) <= int(starts_inside.sum())


def test_thread_busy_time(ctx: Capture) -> None:
    busy = ctx.thread_busy_time()
    assert set(busy) == {t["id"] for t in ctx.get_threads()}
    span = ctx.get_last_time() - ctx.get_first_time()
    assert all(0 <= v <= span for v in busy.values())
    window = ctx.thread_busy_time(0, 100_000_000)
    assert all(window[t] <= busy[t] and window[t] <= 100_000_000 for t in busy)


def test_other_tables(ctx: Capture) -> None:
    m = ctx.messages(as_frame=False)
    assert len(m["time_ns"]) == ctx.get_message_count() and m["text"].dtype == object
    mem = ctx.memory_events(as_frame=False)
    assert len(mem["ptr"]) == sum(p.alloc_count for p in ctx.get_memory_pools())
    assert len(ctx.memory_events("Pool A", as_frame=False)["ptr"]) == 2825
    g = ctx.gpu_zones(as_frame=False)
    assert len(g["start_ns"]) == ctx.get_gpu_zone_count()
    s = ctx.samples(as_frame=False)
    assert 0 < len(s["time_ns"]) <= ctx.get_callstack_sample_count()
    cs = ctx.context_switches(as_frame=False)
    assert len(cs["start_ns"]) == ctx.get_context_switch_count()
    le = ctx.lock_events(as_frame=False)
    assert len(le["time_ns"]) == ctx.get_lock_count()
    pts = ctx.plot_points("Load %", as_frame=False)
    assert len(pts["time_ns"]) == 200
    assert np.array_equal(ctx.plot_points(name="Load %", as_frame=False)["value"], pts["value"])
    allp = ctx.plot_points(as_frame=False)
    assert len(allp["time_ns"]) == sum(p.count for p in ctx.get_plots())
    assert np.array_equal(allp["value"][allp["plot"] == "Load %"], pts["value"])
    assert ctx.plots(as_frame=False)["count"].tolist() == [p.count for p in ctx.get_plots()]


def test_pandas_dataframes_when_installed(ctx: Capture) -> None:
    pd = pytest.importorskip("pandas")
    df = ctx.zones()
    assert isinstance(df, pd.DataFrame) and len(df) == ctx.get_zone_count()
    assert isinstance(ctx.zone_stats(), pd.DataFrame)
    assert isinstance(ctx.zones(as_frame=False), dict)


@pytest.mark.parametrize("stem", ["clientapp-0.14.0", "clientapp-0.13.1"])
def test_engine_statistics_equal_numpy_recomputation(stem: str) -> None:
    require_shared()
    with open_capture(CAPTURES / f"{stem}.tracy") as c:
        tree = c._cpu()
        engine, ours = tree.srcloc_stats(), tree.computed_srcloc_stats()
        for field in ("count", "total", "min", "max", "sum_sq"):
            assert np.array_equal(getattr(engine, field), getattr(ours, field)), field


def test_lock_contention_replay_matches_summary(ctx: Capture) -> None:
    from tracy_mcp.analysis.locks import lock_is_contended, wait_durations

    for lock in ctx.get_locks():
        ev = ctx.lock_events(lock.name, as_frame=False)
        assert len(ev["time_ns"]) > 0
        # get_locks()' own objects select the same events as their names
        assert np.array_equal(ctx.lock_events(lock, as_frame=False)["time_ns"], ev["time_ns"])
        assert len(ctx.lock_events([lock], as_frame=False)["time_ns"]) == len(ev["time_ns"])
        assert lock.is_contended  # both locks of the reference program are fought over
    assert lock_is_contended(np.array([1, 0, 2, 1, 2]), np.array([0, 1, 0, 1, 1]), False)  # held while 1 waits
    assert not lock_is_contended(np.array([0, 1, 2, 0, 1, 2]), np.array([0, 0, 0, 1, 1, 1]), False)
    waits = wait_durations(np.array([10, 15, 20, 30]), np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]))
    assert waits.tolist() == [10, 15]


def test_string_pool_decodes_many_ids_at_once_as_one_at_a_time(ctx: Capture) -> None:
    pool = ctx._strings
    n = len(pool)
    ids = np.concatenate([[-1, n, n + 5], np.arange(n)[::-1]])  # out of range, then every id
    assert pool.decode(ids, default="?") == [pool.get(int(i), "?") for i in ids.tolist()]
    assert pool.texts(ids.tolist()) == [pool.get(int(i)) for i in ids.tolist()]
