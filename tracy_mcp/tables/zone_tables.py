"""SQL tables of zones and what they refer to: zones, gpu_zones, gpu_contexts, srclocs, threads, captures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from tracy_mcp.analysis.call_paths import call_paths
from tracy_mcp.analysis.gpu import GPU_CONTEXT_TYPES
from tracy_mcp.tables.arrow import code_labels, labels, pool_labels, present, row_ids, view, with_nulls
from tracy_mcp.tables.columns import engine_col, id_column, thread_columns
from tracy_mcp.tables.schema import Column, TableSpec

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

DURATION = "end_ns - start_ns"  # NULL when end_ns is
ID_DOC = "row number in this table (0..n-1); the key other tables refer to"


def srcloc_ids(ctx: Capture, rows: np.ndarray) -> pa.Array:
    """srclocs.id (upstream's source-location id) of source-location rows; NULL for rows out of range."""
    return present(ctx._srclocs().upstream_ids(rows), (rows >= 0) & (rows < len(ctx._srclocs())))


def _self_time(tree: ZoneTree) -> pa.Array:
    return with_nulls(tree.self_time(), tree.valid)


def _zone_extra_string(ctx: Capture, column: str) -> pa.Array:
    """A string column of zone_extras (text, name) per zone row, NULL where the zone has none."""
    db = ctx._db
    n = db.rows("zones")
    if not (n and db.has("zones", "extra") and db.has("zone_extras", column)):
        return pa.nulls(n, pa.string())
    extra = db.col("zones", "extra")
    strings = db.col("zone_extras", column)
    ok = (extra > 0) & (extra < len(strings))
    sids = np.where(ok, strings[np.where(ok, extra, 0)], -1)
    return pool_labels(sids, db, ctx._strings)


ZONES = TableSpec(
    "zones",
    "CPU zones (every thread and fiber), one row per zone in each thread's timeline order.",
    (
        id_column("zones", ID_DOC),
        Column("thread_id", "INTEGER", "threads.id of the thread (or fiber)", make=lambda c: view(c._cpu().owner)),
        Column(
            "thread",
            "VARCHAR",
            "thread name (with its OS id when names repeat)",
            make=lambda c: labels(c._cpu().owner, c._thread_labels()),
        ),
        Column(
            "srcloc_id",
            "INTEGER",
            "srclocs.id of the zone's source location",
            make=lambda c: srcloc_ids(c, c._cpu().srcloc),
            lazy=True,
        ),
        Column("name", "VARCHAR", "zone name", make=lambda c: labels(c._cpu().srcloc, c._srclocs().name)),
        Column("start_ns", "BIGINT", "start time", make=lambda c: view(c._cpu().start)),
        Column("end_ns", "BIGINT", "end time; NULL if the zone never ended", make=lambda c: present(c._cpu().end)),
        Column("duration_ns", "BIGINT", "end_ns - start_ns; NULL if the zone never ended", expr=DURATION),
        Column(
            "self_ns",
            "BIGINT",
            "duration minus the durations of its direct children; NULL if the zone never ended",
            make=lambda c: _self_time(c._cpu()),
            lazy=True,
        ),
        Column(
            "depth",
            "INTEGER",
            "nesting depth on its thread, 0 for a top-level zone",
            make=lambda c: view(c._cpu().depth),
        ),
        Column(
            "parent_id",
            "INTEGER",
            "zones.id of the enclosing zone, -1 for a top-level zone",
            make=lambda c: view(c._cpu().parent),
        ),
        Column(
            "text",
            "VARCHAR",
            "text attached to the zone (ZoneText / ZoneValue), NULL if none",
            make=lambda c: _zone_extra_string(c, "text"),
            lazy=True,
        ),
        Column(
            "zone_name",
            "VARCHAR",
            "the name ZoneName gave this one zone (Tracy shows it instead of `name`, e.g. an asset's), NULL if none",
            make=lambda c: _zone_extra_string(c, "name"),
            lazy=True,
        ),
        Column(
            "path_id",
            "INTEGER",
            "call_paths.id: the chain of zone names from its thread's top-level zone to it",
            make=lambda c: view(call_paths(c).path_of_row),
            lazy=True,
        ),
    ),
)


CALL_PATHS = TableSpec(
    "call_paths",
    "Call paths: zones whose chains of names from their thread's top-level zone are equal share a path, across "
    "threads (Tracy's flame graph as a table; aggregate zones by zones.path_id).",
    (
        Column("id", "INTEGER", "path id (zones.path_id)", make=lambda c: view(row_ids(c._db, len(call_paths(c))))),
        Column(
            "parent_id",
            "INTEGER",
            "call_paths.id of the path it extends, -1 for a top-level zone's",
            make=lambda c: view(call_paths(c).parent),
        ),
        Column(
            "name",
            "VARCHAR",
            "the last zone's name",
            make=lambda c: labels(call_paths(c).name_idx, call_paths(c).names),
        ),
        Column("depth", "INTEGER", "zones in the path - 1", make=lambda c: view(call_paths(c).depth)),
        Column(
            "path",
            "VARCHAR",
            'the names joined with " > ", root first',
            make=lambda c: pa.array(call_paths(c).strings(), pa.string()),
        ),
    ),
)


GPU_ZONES = TableSpec(
    "gpu_zones",
    "GPU zones; times are GPU times converted to the capture's clock.",
    (
        id_column("gpu_zones", ID_DOC),
        Column("context_id", "INTEGER", "gpu_contexts.id", make=lambda c: view(c._gpu().owner)),
        *thread_columns(
            lambda c: c._gpu_issuers(engine_col(c, "gpu_zones", "thread", np.int32), c._gpu().owner),
            "threads.id of the CPU thread that issued it (its context's thread when the zone names none), NULL if "
            "unknown",
            "name of that thread",
        ),
        Column("srcloc_id", "INTEGER", "srclocs.id", make=lambda c: srcloc_ids(c, c._gpu().srcloc), lazy=True),
        Column("name", "VARCHAR", "zone name", make=lambda c: labels(c._gpu().srcloc, c._srclocs().name)),
        Column("start_ns", "BIGINT", "GPU start time", make=lambda c: view(c._gpu().start)),
        Column("end_ns", "BIGINT", "GPU end time; NULL if it never ended", make=lambda c: present(c._gpu().end)),
        Column("duration_ns", "BIGINT", "GPU time (end_ns - start_ns)", expr=DURATION),
        Column(
            "self_ns", "BIGINT", "duration minus its direct children's", make=lambda c: _self_time(c._gpu()), lazy=True
        ),
        Column(
            "cpu_start_ns",
            "BIGINT",
            "CPU time the zone was issued",
            make=lambda c: view(c._db.col_or("gpu_zones", "cpu_start")),
        ),
        Column(
            "cpu_end_ns",
            "BIGINT",
            "CPU time the zone's end was issued",
            make=lambda c: present(c._db.col_or("gpu_zones", "cpu_end")),
        ),
        Column("depth", "INTEGER", "nesting depth in its context", make=lambda c: view(c._gpu().depth)),
        Column(
            "parent_id",
            "INTEGER",
            "gpu_zones.id of the enclosing zone, -1 for a top-level zone",
            make=lambda c: view(c._gpu().parent),
        ),
    ),
)


GPU_CONTEXTS = TableSpec(
    "gpu_contexts",
    "GPU contexts (one per GPU queue the program instrumented).",
    (
        id_column("gpu_contexts", "context row", lazy=False),
        Column(
            "name",
            "VARCHAR",
            "context name, NULL if unnamed",
            make=lambda c: pool_labels(engine_col(c, "gpu_contexts", "name", np.int32), c._db, c._strings),
        ),
        Column(
            "type",
            "VARCHAR",
            "API: opengl, vulkan, opencl, direct3d11, direct3d12, metal, cuda, ...",
            make=lambda c: code_labels(
                engine_col(c, "gpu_contexts", "type", np.uint8), dict(enumerate(GPU_CONTEXT_TYPES))
            ),
        ),
        Column(
            "tid",
            "BIGINT",
            "OS id of the thread it is bound to, 0 if none",
            make=lambda c: view(engine_col(c, "gpu_contexts", "tid", np.uint64)),
        ),
        Column(
            "zone_count",
            "BIGINT",
            "GPU zones recorded in it",
            make=lambda c: view(engine_col(c, "gpu_contexts", "count", np.uint64)),
        ),
    ),
)


def _srcloc_strings(ctx: Capture, which: str) -> pa.Array:
    sl = ctx._srclocs()
    return pa.array(getattr(sl, which), pa.string())


SRCLOCS = TableSpec(
    "srclocs",
    "Source locations: where zones (and locks) were declared in the program.",
    (
        Column(
            "id",
            "INTEGER",
            "source-location id (upstream's, as get_src_loc takes it): static locations 1.., dynamic -1..",
            make=lambda c: view(c._srclocs().ids),
        ),
        Column(
            "name",
            "VARCHAR",
            "zone name (the custom name, else the function)",
            make=lambda c: _srcloc_strings(c, "name"),
        ),
        Column("function", "VARCHAR", "function", make=lambda c: _srcloc_strings(c, "function")),
        Column("file", "VARCHAR", "source file", make=lambda c: _srcloc_strings(c, "file")),
        Column("line", "INTEGER", "source line", make=lambda c: view(c._srclocs().line)),
        Column("color", "BIGINT", "color as 0xRRGGBB, 0 for the default", make=lambda c: view(c._srclocs().color)),
    ),
)


THREADS = TableSpec(
    "threads",
    "Threads and fibers of the profiled program.",
    (
        id_column("threads", "thread row; <table>.thread_id refers to it", lazy=False),
        Column("tid", "BIGINT", "OS thread id", make=lambda c: view(c._thread_tids())),
        Column("name", "VARCHAR", "thread name", make=lambda c: pa.array(c._thread_names_by_id(), pa.string())),
        Column(
            "is_fiber",
            "BOOLEAN",
            "a fiber rather than an OS thread",
            make=lambda c: view(engine_col(c, "threads", "is_fiber", np.uint8)),
        ),
        Column(
            "zone_count",
            "BIGINT",
            "zones recorded on it",
            make=lambda c: view(engine_col(c, "threads", "zone_count", np.uint64)),
        ),
        Column(
            "listed",
            "BOOLEAN",
            "listed by get_threads() (threads of the profiler itself may not be)",
            make=lambda c: pa.array(engine_col(c, "threads", "list_index", np.int32) >= 0),
        ),
    ),
)


def _info(ctx: Capture, key: str) -> pa.Array:
    info = ctx._db.cached("sql_capture_info", ctx.info)
    return pa.array([info.get(key)])


CAPTURES = TableSpec(
    "captures",
    "One row describing the capture.",
    (
        Column("name", "VARCHAR", "capture name (program @ time)", make=lambda c: _info(c, "name")),
        Column("program", "VARCHAR", "program name", make=lambda c: _info(c, "program")),
        Column("path", "VARCHAR", "capture file", make=lambda c: _info(c, "path")),
        Column(
            "capture_time", "BIGINT", "when it was recorded (Unix seconds)", make=lambda c: _info(c, "capture_time")
        ),
        Column("file_version", "VARCHAR", "Tracy version that wrote the file", make=lambda c: _info(c, "file_version")),
        Column("first_ns", "BIGINT", "time of the first event", make=lambda c: _info(c, "first_time_ns")),
        Column("last_ns", "BIGINT", "time of the last event", make=lambda c: _info(c, "last_time_ns")),
        Column("span_ns", "BIGINT", "last_ns - first_ns", make=lambda c: _info(c, "span_ns")),
        Column("zone_count", "BIGINT", "CPU zones", make=lambda c: _info(c, "zone_count")),
        Column("frame_count", "BIGINT", "frames of the base frame set", make=lambda c: _info(c, "frame_count")),
        Column("host_info", "VARCHAR", "machine description the client sent", make=lambda c: _info(c, "host_info")),
    ),
    key="name",
)
