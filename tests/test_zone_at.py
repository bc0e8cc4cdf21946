"""ctx.zone_at against a brute-force numpy answer on real captures (incl. fibers), and its argument handling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CAPTURES, require_shared
from planted import all_captures

import tracy_mcp
from tracy_mcp.analysis.zone_at import rows_of_tids
from tracy_mcp.errors import NotFoundError

I64 = np.int64
FIBER_REASON = 99


def _open(name: str) -> tracy_mcp.Capture:
    require_shared()
    path = CAPTURES / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    return tracy_mcp.open_capture(path)


def _brute(ctx: tracy_mcp.Capture, times: np.ndarray, row: int) -> np.ndarray:
    """Innermost zone open at each time on thread row `row`, by testing every zone of the thread."""
    db = ctx._db
    b, e = int(db.col("threads", "zones_begin")[row]), int(db.col("threads", "zones_end")[row])
    start = db.col("zones", "start")[b:e].astype(I64)
    end = db.col("zones", "end")[b:e].astype(I64)
    end = np.where(end < 0, np.iinfo(I64).max, end)
    depth = db.col("zones", "depth")[b:e].astype(I64)
    out = np.full(len(times), -1, I64)
    for lo in range(0, len(times), 256):
        t = times[lo : lo + 256, None]
        open_ = (start[None, :] <= t) & (t < end[None, :])
        score = np.where(open_, depth[None, :], -1)
        best = score.argmax(axis=1)
        hit = score[np.arange(len(best)), best] >= 0
        out[lo : lo + 256] = np.where(hit, best + b, -1)
    return out


def _probe_times(ctx: tracy_mcp.Capture, row: int, rng: np.random.Generator, n: int = 1500) -> np.ndarray:
    """Random times over the thread's span plus exact zone starts and ends (the edges of the half-open intervals)."""
    db = ctx._db
    b, e = int(db.col("threads", "zones_begin")[row]), int(db.col("threads", "zones_end")[row])
    start = db.col("zones", "start")[b:e].astype(I64)
    end = db.col("zones", "end")[b:e].astype(I64)
    lo, hi = int(start.min()) - 1000, int(max(end.max(), start.max())) + 1000
    pick = rng.integers(0, e - b, size=n // 3)
    return np.concatenate([rng.integers(lo, hi, size=n - 2 * (n // 3)), start[pick], end[pick], [lo, hi]])


@pytest.mark.parametrize(
    "name",
    ["clientapp-0.14.0.tracy", "fiberpool-0.14.0.tracy", "clientapp-0.11.1.tracy", "planted/lock_contention.tracy"],
)
def test_matches_brute_force_on_every_thread(name: str) -> None:
    ctx = _open(name)
    rng = np.random.default_rng(12)
    zb, ze = ctx._db.col("threads", "zones_begin"), ctx._db.col("threads", "zones_end")
    checked = 0
    for row in range(ctx._db.rows("threads")):
        if ze[row] <= zb[row]:
            continue
        times = _probe_times(ctx, row, rng)
        rng.shuffle(times)  # unsorted input
        got = ctx.zone_at(times, row, fibers=False)
        np.testing.assert_array_equal(got.zone_id, _brute(ctx, times, row))
        assert np.all((got.zone_thread_id == row) | (got.zone_id < 0))
        checked += 1
    assert checked > 0


def test_os_threads_resolve_through_the_fiber_they_ran() -> None:
    ctx = _open("fiberpool-0.14.0.tracy")
    db = ctx._db
    reason = db.col("ctx_switches", "reason")
    runs = np.nonzero(reason == FIBER_REASON)[0]
    assert len(runs) > 100
    fiber_row = db.col("ctx_switch_threads", "thread")[db.col("ctx_switches", "owner")[runs]].astype(I64)
    os_row = rows_of_tids(ctx, db.col("ctx_switches", "other_tid")[runs])
    start = db.col("ctx_switches", "start")[runs].astype(I64)
    end = db.col("ctx_switches", "end")[runs].astype(I64)
    rng = np.random.default_rng(3)
    pick = rng.choice(len(runs), size=600, replace=False)
    times = start[pick] + (rng.random(len(pick)) * (end[pick] - start[pick])).astype(I64)
    got = ctx.zone_at(times, os_row[pick])
    want = np.concatenate([_brute(ctx, times[i : i + 1], int(fiber_row[pick[i]])) for i in range(len(pick))])
    np.testing.assert_array_equal(got.zone_id, want)
    found = want >= 0
    assert found.mean() > 0.5
    np.testing.assert_array_equal(got.zone_thread_id[found], fiber_row[pick][found])
    # without fiber resolution the OS threads (which record no zones of their own) have none
    assert np.all(ctx.zone_at(times, os_row[pick], fibers=False).zone_id == -1)


def test_names_paths_and_table() -> None:
    ctx = _open("planted/lock_contention.tracy")
    z = ctx.zones(name="SceneGraph::ApplyTransforms")
    t = np.asarray(z["start_ns"])[:50] + 1
    res = ctx.zone_at(t, "JobWorker 0")
    hit = res.zone_id >= 0
    assert hit.any()
    assert set(res.names()[hit]) == {"SceneGraph::ApplyTransforms"}
    assert set(res.paths()[hit]) == {"Animation::SkinningJob > Animation::CommitPose > SceneGraph::ApplyTransforms"}
    assert "SceneGraph::ApplyTransforms" in res.summary()
    assert len(res.table) == len(t)


def test_thread_arguments() -> None:
    ctx = _open("clientapp-0.14.0.tracy")
    threads = ctx.get_threads()
    name, tid = threads[0]["name"], threads[0]["id"]
    row = int(rows_of_tids(ctx, np.asarray([tid], np.uint64))[0])
    times = np.linspace(0, ctx.get_last_time(), 200).astype(I64)
    by_name = ctx.zone_at(times, name).zone_id
    np.testing.assert_array_equal(by_name, ctx.zone_at(times, row).zone_id)
    np.testing.assert_array_equal(by_name, ctx.zone_at(times, tid).zone_id)
    np.testing.assert_array_equal(by_name, ctx.zone_at(times, [name] * len(times)).zone_id)
    assert ctx.zone_at(int(times[100]), name).zone_id.shape == (1,)
    with pytest.raises(NotFoundError, match="no thread named"):
        ctx.zone_at(times, "no such thread")
    with pytest.raises(ValueError, match="one per time"):
        ctx.zone_at(times, [name, name])
    with pytest.raises(ValueError, match="nanoseconds"):
        ctx.zone_at(["a"], name)
    mixed = ctx.zone_at(times[:3], [row, -1, row])  # -1: an event without a thread answers "no zone"
    assert mixed.zone_id[1] == -1 and mixed.thread_id[1] == -1
    empty = ctx.zone_at(np.zeros(0, I64), name)
    assert len(empty.zone_id) == 0 and "no look-ups" in empty.summary()


def test_capture_without_zones(tmp_path: Path) -> None:
    ctx = _open("fiberpool-0.14.0.tracy")
    # a thread that recorded no zones of its own answers -1 everywhere
    rows = [
        r
        for r in range(ctx._db.rows("threads"))
        if ctx._db.col("threads", "zones_end")[r] == ctx._db.col("threads", "zones_begin")[r]
    ]
    assert rows
    res = ctx.zone_at(np.arange(0, 10**9, 10**6, dtype=I64), rows[-1], fibers=False)
    assert np.all(res.zone_id == -1)


def _reference(ctx: tracy_mcp.Capture, times: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Another algorithm: per thread the last zone started at or before t, then up the parents while ended."""
    db = ctx._db
    start, end, parent = db.col("zones", "start"), db.col("zones", "end"), db.col("zones", "parent")
    zb, ze = db.col("threads", "zones_begin"), db.col("threads", "zones_end")
    out = np.full(len(times), -1, I64)
    for r in np.flatnonzero(np.bincount(rows)).tolist():
        q = np.flatnonzero(rows == r)
        b, e = int(zb[r]), int(ze[r])
        cur = np.searchsorted(start[b:e], times[q], side="right") - 1 + b
        pend = np.flatnonzero(cur >= b)
        while len(pend):
            z = cur[pend]
            hit = (end[z] < 0) | (end[z] > times[q[pend]])
            out[q[pend[hit]]] = z[hit]
            pend = pend[~hit]
            cur[pend] = parent[z[~hit]]
            pend = pend[cur[pend] >= 0]
    return out


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    ctx = tracy_mcp.open_capture(path)
    db = ctx._db
    counts = (db.col("threads", "zones_end") - db.col("threads", "zones_begin")).astype(I64)
    rng = np.random.default_rng(5)
    rows = rng.integers(0, len(counts), size=20_000)
    times = rng.integers(-1000, ctx.get_last_time() + 1000, size=len(rows))
    got = ctx.zone_at(times, rows, fibers=False)  # the reference knows no fibers (tested above)
    np.testing.assert_array_equal(got.zone_id, _reference(ctx, times, rows) if db.rows("zones") else -1)
    assert got.summary().startswith("zone_at: 20000 look-ups")
