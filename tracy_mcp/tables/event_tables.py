"""SQL tables of timed events beside zones: frames, messages, plots, locks, memory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from tracy_mcp.analysis.events import PLOT_FORMATS, PLOT_TYPES, SEVERITIES, SOURCES
from tracy_mcp.analysis.locks import EVENT_TYPES, LOCK_TYPES
from tracy_mcp.tables.arrow import code_labels, labels, pool_labels, present, view
from tracy_mcp.tables.columns import engine_col, id_column, thread_columns
from tracy_mcp.tables.schema import Column, TableSpec
from tracy_mcp.tables.zone_tables import srcloc_ids

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64


def _callstack(values: np.ndarray) -> pa.Array:
    """A callstack column: NULL where it is 0 (no callstack)."""
    return present(values, values != 0)


def _owner_of_ranges(begin: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """int32 per element of a table of n rows: the index i of the range [begin[i], end[i]) holding it, -1 if
    none."""
    out = np.full(n, -1, np.int32)
    for i, (b, e) in enumerate(zip(begin.tolist(), end.tolist(), strict=False)):
        if e > b:
            out[max(0, b) : min(n, e)] = i
    return out


# -- frames ------------------------------------------------------------------------------------------------------
def _frame_sets(ctx: Capture) -> list[dict[str, Any]]:
    return ctx._frame_sets()


def _frames(ctx: Capture) -> dict[str, np.ndarray]:
    def build() -> dict[str, np.ndarray]:
        parts: dict[str, list[np.ndarray]] = {"set": [], "index": [], "start": [], "end": [], "duration": []}
        for fs in _frame_sets(ctx):
            b, e, t = ctx._frame_bounds(fs)
            parts["set"].append(np.full(len(b), fs["row"], np.int32))
            parts["index"].append(np.arange(len(b), dtype=np.int32))
            parts["start"].append(b)
            parts["end"].append(e)
            parts["duration"].append(t)
        return {
            k: np.concatenate(v) if v else np.zeros(0, np.int32 if k in ("set", "index") else I64)
            for k, v in parts.items()
        }

    return ctx._db.cached("sql_frames", build)


FRAME_SETS = TableSpec(
    "frame_sets",
    'Frame sets: the base set "Frame" (FrameMark) and every named set (FrameMarkNamed, FrameMarkStart/End).',
    (
        Column(
            "id",
            "INTEGER",
            "frame set row",
            make=lambda c: view(np.asarray([fs["row"] for fs in _frame_sets(c)], np.int32)),
        ),
        Column(
            "name", "VARCHAR", "set name", make=lambda c: pa.array([fs["name"] for fs in _frame_sets(c)], pa.string())
        ),
        Column(
            "continuous",
            "BOOLEAN",
            "frames follow each other (FrameMark) rather than being start/end pairs",
            make=lambda c: pa.array([fs["continuous"] for fs in _frame_sets(c)], pa.bool_()),
        ),
        Column(
            "frame_count",
            "BIGINT",
            "frames in the set",
            make=lambda c: pa.array([fs["end"] - fs["begin"] for fs in _frame_sets(c)], pa.int64()),
        ),
    ),
)

FRAMES = TableSpec(
    "frames",
    "Frames of every frame set, with upstream's frame timing (frame 0 of the base set runs from the capture start "
    "to the profiler client's start, where Tracy marks a frame; frame 1 to the program's first mark; a continuous "
    "set's last frame ends at the capture's last event).",
    (
        Column("frame_set_id", "INTEGER", "frame_sets.id", make=lambda c: view(_frames(c)["set"])),
        Column(
            "frame_set",
            "VARCHAR",
            'frame set name ("Frame" for the base set)',
            make=lambda c: labels(_frames(c)["set"], [fs["name"] for fs in _frame_sets(c)]),
        ),
        Column(
            "id",
            "INTEGER",
            "frame number within its set (upstream's frame index); the key is (frame_set_id, id)",
            make=lambda c: view(_frames(c)["index"]),
        ),
        Column("start_ns", "BIGINT", "frame start", make=lambda c: view(_frames(c)["start"])),
        Column("end_ns", "BIGINT", "frame end", make=lambda c: view(_frames(c)["end"])),
        Column("duration_ns", "BIGINT", "frame time", make=lambda c: view(_frames(c)["duration"])),
    ),
    key="frame_set_id, id",
)


# -- messages ----------------------------------------------------------------------------------------------------
def _message_codes(ctx: Capture, column: str, names: dict[int, str]) -> pa.Array:
    n = ctx._db.rows("messages")
    if not ctx._db.has("messages", column):
        return pa.nulls(n, pa.string())
    return code_labels(ctx._db.col("messages", column), names)


MESSAGES = TableSpec(
    "messages",
    "Log messages (TracyMessage and Tracy's own), in time order.",
    (
        id_column("messages"),
        Column("time_ns", "BIGINT", "when it was logged", make=lambda c: view(engine_col(c, "messages", "time"))),
        *thread_columns(lambda c: engine_col(c, "messages", "thread", np.int32), "threads.id of the logging thread"),
        Column(
            "text",
            "VARCHAR",
            "message text",
            make=lambda c: pool_labels(engine_col(c, "messages", "text", np.int32), c._db, c._strings),
        ),
        Column(
            "severity",
            "VARCHAR",
            "trace, debug, info, warning, error or fatal",
            make=lambda c: _message_codes(c, "severity", SEVERITIES),
        ),
        Column(
            "source",
            "VARCHAR",
            "user (the program) or tracy (the profiler itself)",
            make=lambda c: _message_codes(c, "source", SOURCES),
        ),
        Column(
            "color",
            "BIGINT",
            "color as 0xRRGGBB, 0 for the default",
            make=lambda c: view(engine_col(c, "messages", "color", np.uint32)),
        ),
        Column(
            "callstack_id",
            "INTEGER",
            "callstack_frames.callstack_id, NULL if none",
            make=lambda c: _callstack(engine_col(c, "messages", "callstack", np.uint32)),
        ),
    ),
)


# -- plots -------------------------------------------------------------------------------------------------------
def _plot_names(ctx: Capture) -> list[str]:
    return ctx._db.cached(
        "sql_plot_names", lambda: [ctx._plot_name(int(s)) for s in engine_col(ctx, "plots", "name", np.int32).tolist()]
    )


def _plot_span(ctx: Capture) -> dict[str, np.ndarray]:
    """Per plot: count of points, times of the first and last point (-1 without points)."""

    def build() -> dict[str, np.ndarray]:
        begin, end = engine_col(ctx, "plots", "point_begin"), engine_col(ctx, "plots", "point_end")
        times = engine_col(ctx, "plot_points", "time")
        count = np.maximum(end - begin, 0)
        has = (count > 0) & (end <= len(times))
        first, last = np.full(len(count), -1, I64), np.full(len(count), -1, I64)
        first[has] = times[begin[has]]
        last[has] = times[end[has] - 1]
        return {"count": count.astype(I64), "first": first, "last": last}

    return ctx._db.cached("sql_plot_span", build)


def _plot_of_point(ctx: Capture) -> np.ndarray:
    db = ctx._db
    return db.cached(
        "sql_plot_of_point",
        lambda: _owner_of_ranges(
            engine_col(ctx, "plots", "point_begin"), engine_col(ctx, "plots", "point_end"), db.rows("plot_points")
        ),
    )


PLOTS = TableSpec(
    "plots",
    "Plots (TracyPlot values, memory usage per pool, CPU usage, power).",
    (
        id_column("plots", "plot row", lazy=False),
        Column(
            "name",
            "VARCHAR",
            "plot name (as upstream: the default memory pool's and CPU usage plots carry the base frame set's name)",
            make=lambda c: pa.array(_plot_names(c), pa.string()),
        ),
        Column(
            "type",
            "VARCHAR",
            "User, Memory, SysTime or Power",
            make=lambda c: code_labels(engine_col(c, "plots", "type", np.uint8), dict(enumerate(PLOT_TYPES))),
        ),
        Column(
            "format",
            "VARCHAR",
            "how the values read: Number, Memory (bytes), Percentage or Watt",
            make=lambda c: code_labels(engine_col(c, "plots", "format", np.uint8), dict(enumerate(PLOT_FORMATS))),
        ),
        Column("count", "BIGINT", "points in plot_points", make=lambda c: view(_plot_span(c)["count"])),
        Column("min", "DOUBLE", "smallest value", make=lambda c: view(engine_col(c, "plots", "min", np.float64))),
        Column("max", "DOUBLE", "largest value", make=lambda c: view(engine_col(c, "plots", "max", np.float64))),
        Column("mean", "DOUBLE", "mean value; NULL without points", expr='"sum" / NULLIF("count", 0)'),
        Column("sum", "DOUBLE", "sum of the values", make=lambda c: view(engine_col(c, "plots", "sum", np.float64))),
        Column("first_ns", "BIGINT", "time of the first point", make=lambda c: present(_plot_span(c)["first"])),
        Column("last_ns", "BIGINT", "time of the last point", make=lambda c: present(_plot_span(c)["last"])),
        Column(
            "label",
            "VARCHAR",
            'what the plot shows, in words: a program plot\'s name, "CPU usage (whole machine, %)", "memory in use: '
            'pool X"',
            make=lambda c: pa.array(list(c._plot_labels()), pa.string()),
        ),
        Column(
            "memory_pool_id",
            "INTEGER",
            "memory_pools.id of a memory plot, else NULL",
            make=lambda c: present(engine_col(c, "plots", "pool", np.int32)),
        ),
    ),
)

PLOT_POINTS = TableSpec(
    "plot_points",
    "Every point of every plot, each plot's points in time order.",
    (
        id_column("plot_points"),
        Column("plot_id", "INTEGER", "plots.id", make=lambda c: present(_plot_of_point(c))),
        Column("plot", "VARCHAR", "plot name", make=lambda c: labels(_plot_of_point(c), _plot_names(c))),
        Column(
            "label",
            "VARCHAR",
            "what the plot shows (plots.label; unique where names repeat)",
            make=lambda c: labels(_plot_of_point(c), list(c._plot_labels())),
        ),
        Column("time_ns", "BIGINT", "time of the point", make=lambda c: view(engine_col(c, "plot_points", "time"))),
        Column("value", "DOUBLE", "value", make=lambda c: view(engine_col(c, "plot_points", "value", np.float64))),
    ),
)


# -- locks -------------------------------------------------------------------------------------------------------
def _lock_table(ctx: Capture) -> dict[str, Any]:
    """Per valid lock row: id, name, type, srcloc, announce/terminate times, counts, contended."""

    def build() -> dict[str, Any]:
        db = ctx._db
        rows = np.asarray(ctx._lock_rows(), np.int64)
        if len(rows) == 0:
            z = np.zeros(0, np.int32)
            return {
                "id": z,
                "name": [],
                "type": np.zeros(0, np.uint8),
                "srcloc": z,
                "announce": np.zeros(0, I64),
                "terminate": np.zeros(0, I64),
                "threads": np.zeros(0, I64),
                "events": np.zeros(0, I64),
                "contended": [],
            }
        return {
            "id": rows.astype(np.int32),
            "name": [ctx._lock_name(int(r)) for r in rows.tolist()],
            "type": db.col("locks", "type")[rows],
            "srcloc": db.col("locks", "srcloc")[rows].astype(np.int32),  # a source-location row
            "announce": db.col("locks", "time_announce")[rows],
            "terminate": db.col("locks", "time_terminate")[rows],
            "threads": (db.col("locks", "threads_end")[rows] - db.col("locks", "threads_begin")[rows]).astype(I64),
            "events": (db.col("locks", "events_end")[rows] - db.col("locks", "events_begin")[rows]).astype(I64),
            "contended": [ctx._lock_contended(int(r)) for r in rows.tolist()],
        }

    return ctx._db.cached("sql_locks", build)


def _lock_names_by_row(ctx: Capture) -> list[str | None]:
    t = _lock_table(ctx)
    names: list[str | None] = [None] * ctx._db.rows("locks")
    for i, nm in zip(t["id"].tolist(), t["name"], strict=True):
        names[i] = nm
    return names


def _lock_event_lock(ctx: Capture) -> np.ndarray:
    db = ctx._db
    return db.cached(
        "sql_lock_event_lock",
        lambda: _owner_of_ranges(
            engine_col(ctx, "locks", "events_begin"), engine_col(ctx, "locks", "events_end"), db.rows("lock_events")
        ),
    )


def _lock_event_thread(ctx: Capture) -> np.ndarray:
    """Thread row of each lock event (an event stores an index into its lock's own thread list)."""

    def build() -> np.ndarray:
        db = ctx._db
        n = db.rows("lock_events")
        lock = _lock_event_lock(ctx).astype(I64)
        if n == 0 or not db.has("lock_threads", "thread"):
            return np.full(n, -1, np.int32)
        first = engine_col(ctx, "locks", "threads_begin")
        count = engine_col(ctx, "locks", "threads_end") - first
        local = db.col("lock_events", "thread").astype(I64)
        ok = lock >= 0
        ok[ok] &= local[ok] < count[lock[ok]]
        threads = db.col("lock_threads", "thread").astype(I64)
        idx = np.where(ok, first[np.maximum(lock, 0)] + local, 0)
        ok &= idx < len(threads)
        return np.where(ok, threads[np.where(ok, idx, 0)], -1).astype(np.int32)

    return ctx._db.cached("sql_lock_event_thread", build)


LOCKS = TableSpec(
    "locks",
    "Locks (TracyLockable / TracySharedLockable).",
    (
        Column("id", "INTEGER", "lock row", make=lambda c: view(_lock_table(c)["id"])),
        Column(
            "name",
            "VARCHAR",
            "lock name (custom name, else the declaring source location's)",
            make=lambda c: pa.array(_lock_table(c)["name"], pa.string()),
        ),
        Column(
            "type",
            "VARCHAR",
            "lockable or shared_lockable",
            make=lambda c: code_labels(np.asarray(_lock_table(c)["type"], np.uint8), dict(enumerate(LOCK_TYPES))),
        ),
        Column(
            "srcloc_id",
            "INTEGER",
            "srclocs.id where it was declared",
            make=lambda c: srcloc_ids(c, _lock_table(c)["srcloc"]),
        ),
        Column("announce_ns", "BIGINT", "when it was created", make=lambda c: view(_lock_table(c)["announce"])),
        Column(
            "terminate_ns",
            "BIGINT",
            "when it was destroyed (0 if never)",
            make=lambda c: view(_lock_table(c)["terminate"]),
        ),
        Column("thread_count", "BIGINT", "threads that used it", make=lambda c: view(_lock_table(c)["threads"])),
        Column("event_count", "BIGINT", "rows in lock_events", make=lambda c: view(_lock_table(c)["events"])),
        Column(
            "contended",
            "BOOLEAN",
            "a thread waited while another held it (upstream's is_contended)",
            make=lambda c: pa.array(_lock_table(c)["contended"], pa.bool_()),
        ),
    ),
)

LOCK_EVENTS = TableSpec(
    "lock_events",
    "Lock events, each lock's in time order. A wait lasts from a thread's wait (wait_shared) to its next obtain "
    "(obtain_shared) on the same lock.",
    (
        id_column("lock_events"),
        Column("lock_id", "INTEGER", "locks.id", make=lambda c: present(_lock_event_lock(c))),
        Column("lock", "VARCHAR", "lock name", make=lambda c: labels(_lock_event_lock(c), _lock_names_by_row(c))),
        Column("time_ns", "BIGINT", "event time", make=lambda c: view(engine_col(c, "lock_events", "time"))),
        *thread_columns(_lock_event_thread, "threads.id of the thread"),
        Column(
            "tid",
            "BIGINT",
            "its OS thread id",
            make=lambda c: present(c._tid_of_rows(_lock_event_thread(c)), _lock_event_thread(c) >= 0),
            lazy=True,
        ),
        Column(
            "type",
            "VARCHAR",
            "wait, obtain, release, wait_shared, obtain_shared or release_shared",
            make=lambda c: code_labels(engine_col(c, "lock_events", "type", np.uint8), EVENT_TYPES),
        ),
    ),
)


# -- memory ------------------------------------------------------------------------------------------------------
def _freed(ctx: Capture) -> np.ndarray:
    return engine_col(ctx, "mem_events", "time_free") >= 0


def _mem_thread(ctx: Capture, which: str) -> np.ndarray:
    """Thread row of the allocating / freeing thread of each allocation (-1: not profiled, or never freed)."""

    def build() -> np.ndarray:
        rows = ctx._thread_id_of_tids(ctx._mem_tids(which))
        return rows if which == "alloc" else np.where(_freed(ctx), rows, -1).astype(np.int32)

    return ctx._db.cached(("sql_mem_thread", which), build)


def _pool_names(ctx: Capture) -> list[str]:
    return ctx._db.cached("sql_pool_names", ctx._pool_names)


MEMORY_POOLS = TableSpec(
    "memory_pools",
    'Memory pools: "(default)" for plain allocations (TracyAlloc), one per named pool (TracyAllocN).',
    (
        id_column("mem_pools", "pool row", lazy=False),
        Column(
            "name",
            "VARCHAR",
            'pool name, "(default)" for the unnamed pool',
            make=lambda c: pa.array(_pool_names(c), pa.string()),
        ),
        Column(
            "event_count",
            "BIGINT",
            "allocations in memory_events",
            make=lambda c: view(
                np.maximum(engine_col(c, "mem_pools", "event_end") - engine_col(c, "mem_pools", "event_begin"), 0)
            ),
        ),
        Column(
            "usage_bytes",
            "BIGINT",
            "bytes still allocated at the end of the capture",
            make=lambda c: view(engine_col(c, "mem_pools", "usage", np.uint64)),
        ),
        Column(
            "low_address",
            "UBIGINT",
            "lowest address allocated",
            make=lambda c: view(engine_col(c, "mem_pools", "low", np.uint64)),
        ),
        Column(
            "high_address",
            "UBIGINT",
            "highest address allocated",
            make=lambda c: view(engine_col(c, "mem_pools", "high", np.uint64)),
        ),
    ),
)

MEMORY_EVENTS = TableSpec(
    "memory_events",
    "Allocations, one row per allocation with its free (if any), pool by pool, each in allocation order.",
    (
        id_column("mem_events"),
        Column(
            "pool_id",
            "INTEGER",
            "memory_pools.id",
            make=lambda c: present(engine_col(c, "mem_events", "pool", np.int32)),
        ),
        Column(
            "pool",
            "VARCHAR",
            "pool name",
            make=lambda c: labels(engine_col(c, "mem_events", "pool", np.int32), _pool_names(c)),
        ),
        Column("ptr", "UBIGINT", "address", make=lambda c: view(engine_col(c, "mem_events", "ptr", np.uint64))),
        Column("size_bytes", "BIGINT", "size", make=lambda c: view(engine_col(c, "mem_events", "size", np.uint64))),
        Column("alloc_ns", "BIGINT", "allocation time", make=lambda c: view(engine_col(c, "mem_events", "time_alloc"))),
        Column(
            "free_ns",
            "BIGINT",
            "free time; NULL if never freed (a leak, or still in use at the end)",
            make=lambda c: present(engine_col(c, "mem_events", "time_free")),
        ),
        Column("alloc_tid", "BIGINT", "OS id of the allocating thread", make=lambda c: view(c._mem_tids("alloc"))),
        *thread_columns(
            lambda c: _mem_thread(c, "alloc"),
            "threads.id of the allocating thread, NULL if not profiled",
            prefix="alloc_",
            lazy=True,
        ),
        Column(
            "free_tid",
            "BIGINT",
            "OS id of the freeing thread (NULL if never freed)",
            make=lambda c: present(c._mem_tids("free"), _freed(c)),
        ),
        *thread_columns(
            lambda c: _mem_thread(c, "free"),
            "threads.id of the freeing thread, NULL if not freed or not profiled",
            prefix="free_",
            lazy=True,
        ),
        Column(
            "alloc_callstack_id",
            "INTEGER",
            "callstack_frames.callstack_id at allocation, NULL if none",
            make=lambda c: _callstack(engine_col(c, "mem_events", "cs_alloc", np.uint32)),
        ),
        Column(
            "free_callstack_id",
            "INTEGER",
            "callstack at free, NULL if none",
            make=lambda c: _callstack(engine_col(c, "mem_events", "cs_free", np.uint32)),
        ),
    ),
)
