"""SQL over captures (DuckDB): every table's answers agree with the upstream-compatible methods on every shared
capture; several captures in one query; the lazy columns are built only when a query can use them; bad queries
are clear errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CAPTURES, require_shared, shared_captures

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

import tracy_mcp  # noqa: E402
from tracy_mcp import open_capture  # noqa: E402
from tracy_mcp.tables.catalog import TABLES  # noqa: E402
from tracy_mcp.tables.query import SqlError  # noqa: E402

PLANTED = CAPTURES / "planted"
_open: dict[Path, Any] = {}


def capture(path: Path) -> Any:
    """One loaded capture per file for the whole module (the large ones take seconds to load)."""
    require_shared()
    if path not in _open:
        _open[path] = open_capture(path)
    return _open[path]


def teardown_module() -> None:
    for ctx in _open.values():
        ctx.close()
    _open.clear()


def rows(df: Any) -> list[tuple[Any, ...]]:
    return [tuple(None if _missing(v) else v for v in r) for r in df.itertuples(index=False)]


def _missing(v: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_scalar(v) and pd.isna(v))


CAPTURE_PARAMS = [pytest.param(p, id=p.stem) for p in shared_captures()] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"reference captures not found at {CAPTURES}"))
]


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_zone_statistics_match_upstream(path: Path) -> None:
    ctx = capture(path)
    got = ctx.sql(
        "SELECT name, count(*) AS c, sum(duration_ns) AS t, min(duration_ns) AS mn, max(duration_ns) AS mx "
        "FROM zones WHERE duration_ns > 0 AND name IS NOT NULL GROUP BY name"
    )
    want = ctx.get_all_zone_stats()
    assert {r[0]: r[1:] for r in rows(got)} == {k: (s.count, s.total, s.min, s.max) for k, s in want.items()}
    roots = ctx.sql(
        "SELECT name, count(*) AS c, sum(duration_ns) AS t FROM zones WHERE depth = 0 AND end_ns IS NOT NULL "
        "AND name IS NOT NULL GROUP BY name"
    )
    want_roots = ctx.get_root_zone_stats()
    assert {r[0]: r[1:] for r in rows(roots)} == {k: (s.count, s.total) for k, s in want_roots.items()}


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_zone_columns_match_the_engine(path: Path) -> None:
    ctx = capture(path)
    table = ctx.sql("SELECT id, parent_id, depth, self_ns, duration_ns, thread_id FROM zones ORDER BY id", arrow=True)
    tree = ctx._cpu()
    assert table.num_rows == ctx.get_zone_count() == tree.n
    assert np.array_equal(table["parent_id"].to_numpy(), tree.parent)
    assert np.array_equal(table["depth"].to_numpy(), tree.depth)
    assert np.array_equal(table["thread_id"].to_numpy(), tree.owner)
    self_ns = table["self_ns"].to_numpy(zero_copy_only=False)
    assert np.array_equal(np.nan_to_num(self_ns, nan=0).astype(np.int64), ctx.self_time_array())
    assert table["duration_ns"].null_count == int((~tree.valid).sum())
    # self time per name, against the numpy zone_stats
    got = dict(rows(ctx.sql("SELECT name, sum(self_ns) FROM zones WHERE duration_ns > 0 GROUP BY name")))
    stats = ctx.zone_stats(percentiles=None, as_frame=True)
    assert {n: int(v) for n, v in zip(stats["name"], stats["self_ns"], strict=True)} == {
        n: v for n, v in got.items() if n in set(stats["name"])
    }


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_threads_srclocs_and_frames_match_upstream(path: Path) -> None:
    ctx = capture(path)
    threads = {r[0]: r[1:] for r in rows(ctx.sql("SELECT tid, name, is_fiber, zone_count FROM threads"))}
    for t in ctx.get_threads():
        assert threads[t["id"]] == (t["name"], t["is_fiber"], t["count"])
    for uid, name, file, line in rows(ctx.sql("SELECT id, name, file, line FROM srclocs")):
        loc = ctx.get_src_loc(uid)
        assert (name, file, line) == (loc.name(), loc.file(), loc.line)
    frames = ctx.sql("SELECT frame_set, id, duration_ns FROM frames ORDER BY frame_set_id, id")
    for fs in ctx.get_all_frame_stats():
        mine = frames[frames["frame_set"] == fs.name]
        assert mine["id"].tolist() == list(range(fs.count))
        assert mine["duration_ns"].tolist() == ctx.get_frame_times_named(fs.name)
    counts = rows(ctx.sql("SELECT name, frame_count FROM frame_sets"))
    assert counts == [(fs.name, fs.count) for fs in ctx.get_all_frame_stats()]


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_messages_plots_and_gpu_match_upstream(path: Path) -> None:
    ctx = capture(path)
    msgs = ctx.sql("SELECT time_ns, text, severity, source FROM messages ORDER BY id")
    assert [(m.time, m.text) for m in ctx.get_messages()] == list(zip(msgs["time_ns"], msgs["text"], strict=True))
    assert set(msgs["severity"]) <= {"trace", "debug", "info", "warning", "error", "fatal"}
    plots = rows(ctx.sql("SELECT name, count, min, max, type FROM plots ORDER BY id"))
    want = [(p.name, p.count, p.min, p.max, p.type) for p in ctx.get_plots()]
    assert plots == want
    points = rows(ctx.sql("SELECT plot_id, count(*), min(value), max(value) FROM plot_points GROUP BY plot_id"))
    for pid, n, mn, mx in points:
        assert (n, mn, mx) == (want[pid][1], want[pid][2], want[pid][3])
    gpu = ctx.sql(
        "SELECT name, count(*), sum(duration_ns), max(duration_ns) FROM gpu_zones WHERE duration_ns > 0 GROUP BY name"
    )
    assert {r[0]: r[1:] for r in rows(gpu)} == {
        k: (s.count, s.total, s.max) for k, s in ctx.get_all_gpu_zone_stats().items()
    }
    contexts = rows(ctx.sql("SELECT name, zone_count, type, tid FROM gpu_contexts ORDER BY id"))
    assert contexts == [(c.name or None, c.count, c.type, c.thread) for c in ctx.get_gpu_contexts()]


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_locks_and_lock_waits_match_upstream(path: Path) -> None:
    ctx = capture(path)
    locks = rows(ctx.sql("SELECT name, contended, type, announce_ns, thread_count FROM locks ORDER BY id"))
    want = ctx.get_locks()
    assert locks == [(lk.name, lk.is_contended, lk.type, lk.time_announce, len(lk.threads)) for lk in want]
    # a wait lasts from a thread's wait to its next obtain on the same lock (upstream's get_lock_wait_stats)
    waits = ctx.sql(
        """WITH ev AS (
             SELECT lock, lock_id, type, time_ns, lead(type) OVER w AS next_type, lead(time_ns) OVER w AS next_ns
             FROM lock_events WHERE type IN ('wait', 'obtain', 'wait_shared', 'obtain_shared')
             WINDOW w AS (PARTITION BY lock_id, thread_id ORDER BY id))
           SELECT lock, count(*) AS n, sum(next_ns - time_ns) AS total
           FROM ev JOIN locks l ON l.id = ev.lock_id
           WHERE l.contended AND ev.type LIKE 'wait%' AND next_type LIKE 'obtain%' GROUP BY lock"""
    )
    assert {r[0]: r[1:] for r in rows(waits)} == {
        w["name"]: (w["contention_count"], w["total_wait_ns"]) for w in ctx.get_lock_wait_stats()
    }
    events = ctx.sql("SELECT lock, count(*) FROM lock_events GROUP BY lock")
    assert sum(events["count_star()"]) == ctx._db.rows("lock_events")


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_memory_matches_upstream(path: Path) -> None:
    ctx = capture(path)
    pools = rows(ctx.sql("SELECT name, event_count, usage_bytes, low_address, high_address FROM memory_pools"))
    assert pools == [(p.name, p.alloc_count, p.usage, p.low, p.high) for p in ctx.get_memory_pools()]
    ev = ctx.sql(
        "SELECT pool, count(*) AS n, sum(size_bytes) AS bytes, count(*) FILTER (free_ns IS NULL) AS live, "
        "sum(size_bytes) FILTER (free_ns IS NULL) AS live_bytes FROM memory_events GROUP BY pool"
    )
    want = ctx.memory_events(as_frame=True)
    for pool, n, total, live, live_bytes in rows(ev):
        mine = want[want["pool"] == pool]
        never = mine[mine["free_ns"] < 0]
        assert (n, total, live) == (len(mine), int(mine["size_bytes"].sum()), len(never))
        assert (live_bytes or 0) == int(never["size_bytes"].sum())
    head = ctx.sql("SELECT alloc_tid, alloc_thread_id, alloc_thread FROM memory_events LIMIT 50")
    tids = ctx._thread_tids()
    for tid, thread_id, name in rows(head):
        if thread_id is not None:
            assert tids[thread_id] == tid and name == ctx.get_thread_name(tid)


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_sampling_tables_match_upstream(path: Path) -> None:
    ctx = capture(path)
    samples = ctx.samples(as_frame=True)
    got = ctx.sql("SELECT count(*) AS n, count(DISTINCT callstack_id) AS cs FROM samples")
    assert got["n"][0] == len(samples) and got["cs"][0] == samples["callstack_id"].nunique()
    ids = ctx.sql("SELECT DISTINCT callstack_id FROM callstack_frames ORDER BY 1 LIMIT 5")["callstack_id"].tolist()
    for cs in ids:
        frames = rows(
            ctx.sql(f"SELECT name, file, line, addr FROM callstack_frames WHERE callstack_id = {cs} ORDER BY depth")
        )
        assert frames == [(f["name"], f["file"], f["line"], f["addr"]) for f in ctx.get_callstack_frames(cs)]
    switches = ctx.sql("SELECT tid, count(*) FILTER (end_ns IS NOT NULL) AS n FROM context_switches GROUP BY tid")
    for tid, n in rows(switches)[:5]:
        assert n == len(ctx.get_thread_context_switches(tid, max_samples=2**62))
    assert ctx.sql("SELECT count(*) AS n FROM context_switches")["n"][0] == ctx._db.rows("ctx_switches")


@pytest.mark.parametrize("path", CAPTURE_PARAMS)
def test_call_paths_match_the_analyses(path: Path) -> None:
    from tracy_mcp.analysis.call_paths import call_paths

    ctx = capture(path)
    cp = call_paths(ctx)
    per_path = ctx.sql("SELECT path_id, count(*) AS n FROM zones GROUP BY path_id ORDER BY path_id", arrow=True)
    counts = np.bincount(cp.path_of_row, minlength=len(cp))
    assert per_path["n"].to_pylist() == counts[counts > 0].tolist()
    paths = ctx.sql("SELECT id, parent_id, path FROM call_paths ORDER BY id")
    assert paths["path"].tolist() == cp.strings() and paths["parent_id"].tolist() == cp.parent.tolist()


def test_every_table_and_column_is_as_documented() -> None:
    ctx = capture(CAPTURES / "clientapp-0.14.0.tracy")
    for name, spec in TABLES.items():
        table = ctx.sql(f"SELECT * FROM {name} LIMIT 3", arrow=True)
        assert table.column_names == spec.column_names(), name
    described = ctx.sql("SELECT table_name, column_name FROM information_schema.columns")
    assert set(described["table_name"]) == set(TABLES)
    for name, spec in TABLES.items():
        assert described[described["table_name"] == name]["column_name"].tolist() == spec.column_names()


@pytest.mark.parametrize(
    "table",
    [
        "zones",
        "gpu_zones",
        "messages",
        "plots",
        "memory_events",
        "samples",
        "context_switches",
        "lock_events",
        "threads",
    ],
)
def test_same_vocabulary_as_the_dataframes(table: str) -> None:
    """A SQL table has every column of the DataFrame of the same name (same names, same ids, same labels)."""
    ctx = capture(CAPTURES / "clientapp-0.14.0.tracy")
    frame = getattr(ctx, table)(as_frame=True)
    got = ctx.sql(f"SELECT * FROM {table} ORDER BY id").set_index("id")
    assert set(frame.columns) <= set(got.columns), set(frame.columns) - set(got.columns)
    assert got.index.tolist() == frame.index.tolist()
    for column in frame.columns:
        if str(frame[column].dtype) in ("category", "object") or column in ("thread_id", "tid", "srcloc_id"):
            mine = [None if _missing(v) else v for v in got[column].tolist()]
            theirs = [None if _missing(v) or v == "" else v for v in frame[column].astype(object).tolist()]
            if column == "thread_id":  # none: -1 in a DataFrame, NULL in SQL
                theirs = [None if v == -1 else v for v in theirs]
            assert mine == theirs, (table, column)


def test_strings_are_dictionary_views_of_the_engine() -> None:
    from tracy_mcp.tables.query import raw_table

    ctx = capture(CAPTURES / "clientapp-0.14.0.tracy")
    spec = TABLES["zones"]
    raw = raw_table(spec, ctx, spec.included(frozenset()))
    assert str(raw.schema.field("name").type).startswith("dictionary")
    start = raw["start_ns"].chunk(0).buffers()[1]
    assert start.address == ctx._db.col("zones", "start").ctypes.data  # the engine's memory itself


def test_lazy_columns_are_built_only_when_referenced() -> None:
    require_shared()
    ctx = open_capture(CAPTURES / "clientapp-0.14.0.tracy")
    try:
        before = ctx.memory_bytes()
        ctx.sql("SELECT name, count(*), sum(duration_ns) FROM zones GROUP BY name")
        keys = {k[1] for k in ctx._db._cache}
        assert ("sql", "zones", "self_ns") not in keys and ("sql", "zones", "id") not in keys
        assert ctx.memory_bytes() - before < 0.1 * before
        ctx.sql("SELECT z.name, sum(z.self_ns) FROM zones z GROUP BY 1")
        assert ("sql", "zones", "self_ns") in {k[1] for k in ctx._db._cache}
        ctx.sql("SELECT * FROM zones LIMIT 1")
        assert ("sql", "zones", "text") in {k[1] for k in ctx._db._cache}
    finally:
        ctx.close()


def test_several_captures_in_one_query() -> None:
    a, b = capture(PLANTED / "regression_a.tracy"), capture(PLANTED / "regression_b.tracy")
    ratios = tracy_mcp.sql(
        """SELECT name,
             count(*) FILTER (capture = 'a') AS calls_a, count(*) FILTER (capture = 'b') AS calls_b,
             avg(duration_ns) FILTER (capture = 'b') / avg(duration_ns) FILTER (capture = 'a') AS mean_ratio,
             sum(duration_ns) FILTER (capture = 'b') / sum(duration_ns) FILTER (capture = 'a') AS total_ratio
           FROM zones WHERE duration_ns > 0 GROUP BY name ORDER BY mean_ratio DESC""",
        captures={"a": a, "b": b},
    ).set_index("name")
    assert ratios.index[0] == "Renderer::SortDrawCalls"
    assert ratios.loc["Renderer::SortDrawCalls", "mean_ratio"] == pytest.approx(2.485, rel=0.01)
    assert (ratios.loc["AI::PathfindBatch", "calls_a"], ratios.loc["AI::PathfindBatch", "calls_b"]) == (1200, 2400)
    assert ratios.loc["AI::PathfindBatch", "total_ratio"] == pytest.approx(1.002, rel=0.01)
    per = tracy_mcp.sql("SELECT capture, count(*) AS n FROM zones GROUP BY capture ORDER BY capture", [a, b])
    assert rows(per) == [("regression_a", a.get_zone_count()), ("regression_b", b.get_zone_count())]
    one = a.sql("SELECT count(*) AS n FROM zones")
    assert "capture" not in one.columns and one["n"][0] == a.get_zone_count()


def test_bad_queries_are_clear_errors() -> None:
    ctx = capture(PLANTED / "regression_a.tracy")
    with pytest.raises(SqlError, match="zonez"):
        ctx.sql("SELECT * FROM zonez")
    with pytest.raises(SqlError, match="syntax error"):
        ctx.sql("SELEC name FROM zones")
    with pytest.raises(SqlError, match="needs a query"):
        ctx.sql("")
    with pytest.raises(SqlError, match="not a capture"):
        tracy_mcp.sql("SELECT 1", captures={"a": "regression_a.tracy"})
    with pytest.raises(SqlError, match="at least one"):
        tracy_mcp.sql("SELECT 1", captures={})
    assert ctx.sql("SELECT 42 AS answer")["answer"][0] == 42


def test_results_keep_integers() -> None:
    ctx = capture(PLANTED / "regression_a.tracy")
    df = ctx.sql("SELECT sum(duration_ns) AS total, max(end_ns) AS last FROM zones")
    assert df["total"].dtype == np.int64
    with_null = ctx.sql("SELECT thread_id FROM gpu_zones UNION ALL SELECT NULL")
    assert str(with_null["thread_id"].dtype) == "Int32"


def test_eval_sql_over_loaded_instances(tmp_path: Path) -> None:
    """Through a real MCP client: eval's sql() spans the loaded instances when asked; a runaway query is stopped by the
    eval time limit (DuckDB is interrupted, not waited for)."""
    import anyio
    from server_support import connect, error, ok, server_env

    require_shared()
    env = server_env(tmp_path, TRACY_MCP_EVAL_TIME_LIMIT_S="20")

    async def scenario() -> None:
        async with connect("stdio", env) as client:
            with anyio.fail_after(120):
                for alias in ("regression_a", "regression_b"):
                    await ok(client, "load_capture", path=str(PLANTED / f"{alias}.tracy"), alias=alias)
                out = await ok(
                    client,
                    "eval",
                    instance_id="regression_a",
                    code="df = sql('SELECT capture, count(*) AS n FROM zones GROUP BY capture ORDER BY n', "
                    "captures='all')\n"
                    "mine = ctx.sql('SELECT count(*) FROM zones').iloc[0, 0]\n"
                    "[tuple(r) for r in df.itertuples(index=False)], int(mine)",
                )
                assert "6642" in out and "7842" in out
                # by default only the eval's own capture: a shared server holds other clients' captures too
                mine = await ok(
                    client,
                    "eval",
                    instance_id="regression_b",
                    code="sql('SELECT capture, count(*) AS n FROM zones GROUP BY capture').values.tolist()",
                )
                assert mine == "[['regression_b', 7842]]"
                picked = await ok(
                    client,
                    "eval",
                    code="sql('SELECT DISTINCT capture FROM zones', captures=['regression_b']).capture.tolist()",
                    instance_id="regression_b",
                )
                assert picked == "['regression_b']"
                assert "no loaded instance named 'nope'" in await error(
                    client, "eval", instance_id="regression_a", code="sql('SELECT 1', captures=['nope'])"
                )
                runaway = await error(
                    client,
                    "eval",
                    instance_id="regression_a",
                    code="ctx.sql('SELECT count(*) FROM range(1000000000) a, range(1000000000) b "
                    "WHERE a.range + b.range = -1')",
                )
                assert "time limit" in runaway
                assert await ok(client, "eval", instance_id="regression_a", code="6 * 7") == "42"

    anyio.run(scenario)


GUIDE = Path(__file__).resolve().parents[1] / "tracy_mcp" / "server" / "resources" / "eval_guide.md"


def _guide_sql() -> tuple[str, list[str]]:
    text = GUIDE.read_text()
    section = text[text.index("\n## SQL\n") :]
    section = section[: section.index("\n## ", 1)]
    return section, re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_guide_lists_the_schema() -> None:
    from tracy_mcp.tables.catalog import schema_summary

    section, _ = _guide_sql()
    listed = section.split("<!-- sql-schema")[1].split("-->", 1)[1].split("<!-- /sql-schema -->")[0]
    assert listed.strip() == schema_summary()


def test_guide_queries_give_the_planted_answers() -> None:
    """The guide's five worked queries, run as written on the planted captures, give ANSWERS.md's answers."""
    top, slow, waits, leaks, ab = _guide_sql()[1]
    imbalance = capture(PLANTED / "thread_imbalance.tracy").sql(top)
    assert imbalance["name"][0] == "Physics::SimulateIsland"

    frames = capture(PLANTED / "slow_frames.tracy").sql(slow)
    hitches = frames[frames["frame"] >= 2]  # frames 0 and 1 are start-up (ANSWERS.md)
    assert hitches["frame"].tolist() == [43, 99, 160, 205, 268, 333, 404]
    assert set(hitches["name"]) == {"TextureStreamer::UploadMips"}
    assert hitches["self_ms"].tolist() == pytest.approx(
        [30.316, 34.314, 39.306, 31.303, 37.325, 32.317, 36.301], rel=1e-3
    )

    per_thread = capture(PLANTED / "lock_contention.tracy").sql(waits)
    worst = per_thread[per_thread["lock"] == "SceneGraph::m_nodeMutex"].set_index("thread")
    assert worst.index[:2].tolist() == ["JobWorker 1", "JobWorker 0"]
    assert worst.loc["JobWorker 1", "waits"] == 5616
    assert worst["wait_ms"].sum() == pytest.approx(2446.2, rel=1e-3)
    assert worst.loc["JobWorker 3", "wait_ms"] == pytest.approx(315.2, rel=1e-3)

    leaked = capture(PLANTED / "memory_leak.tracy").sql(leaks)
    assert rows(leaked) == [("Game::Tick > Game::UpdateEntities > Decals::SpawnImpactDecal", 144, 442368)]

    a, b = capture(PLANTED / "regression_a.tracy"), capture(PLANTED / "regression_b.tracy")
    ratios = tracy_mcp.sql(ab, captures={"a": a, "b": b}).set_index("name")
    assert ratios.index[0] == "Renderer::SortDrawCalls"
    assert ratios.loc["Renderer::SortDrawCalls", "mean_ratio"] == pytest.approx(2.485, rel=0.01)
    path = ratios.loc["AI::PathfindBatch"]
    assert (path["calls_a"], path["calls_b"]) == (1200, 2400) and path["total_ratio"] == pytest.approx(1.0, abs=0.01)
