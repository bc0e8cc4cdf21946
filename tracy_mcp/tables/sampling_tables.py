"""SQL tables of sampling data: CPU samples, callstack frames, context switches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from tracy_mcp.analysis.sampling import SWITCH_REASONS, SWITCH_STATES, expand_ranges
from tracy_mcp.tables.arrow import code_labels, labels, pool_labels, present, view
from tracy_mcp.tables.columns import engine_col, id_column, thread_columns
from tracy_mcp.tables.schema import Column, TableSpec

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64


SAMPLES = TableSpec(
    "samples",
    "CPU samples (callstack sampling), context-switch samples excluded, each thread's in time order.",
    (
        Column(
            "id",
            "INTEGER",
            "the sample's row among all samples (context-switch samples included, so ids have gaps)",
            make=lambda c: view(c._cpu_samples().row),
            lazy=True,
        ),
        Column("time_ns", "BIGINT", "sample time", make=lambda c: view(c._cpu_samples().time)),
        *thread_columns(lambda c: c._cpu_samples().thread, "threads.id of the sampled thread"),
        Column(
            "callstack_id", "INTEGER", "callstack_frames.callstack_id", make=lambda c: view(c._cpu_samples().callstack)
        ),
        Column(
            "symbol_addr",
            "UBIGINT",
            "symbol address of the innermost frame, NULL when it does not resolve",
            make=lambda c: _sample_symbols(c)[0],
            lazy=True,
        ),
        Column("symbol", "VARCHAR", "that symbol's name", make=lambda c: _sample_symbols(c)[1], lazy=True),
    ),
)


def _sample_symbols(ctx: Capture) -> tuple[pa.Array, pa.Array]:
    """(innermost symbol address, its name) per CPU sample."""

    def build() -> tuple[pa.Array, pa.Array]:
        cs = ctx._cpu_samples().callstack
        first, ok = ctx._callstack_first_symbol()
        resolved = ok[cs] if len(cs) else np.zeros(0, bool)
        addr = np.where(resolved, first[cs], 0).astype(np.uint64) if len(cs) else np.zeros(0, np.uint64)
        distinct, index = np.unique(addr, return_inverse=True)
        names = [name or None for name in ctx._symbol_names(distinct)]
        return present(addr, resolved), labels(np.where(resolved, index.reshape(-1), -1).astype(np.int32), names)

    return ctx._db.cached("sql_sample_symbols", build)


def _callstack_frames(ctx: Capture) -> dict[str, np.ndarray]:
    """One row per resolved frame entry of every callstack (inlined entries before the function they were
    inlined into), innermost first."""

    def build() -> dict[str, np.ndarray]:
        db = ctx._db
        n = db.rows("callstacks")
        empty: dict[str, np.ndarray] = {
            "callstack": np.zeros(0, np.int32),
            "depth": np.zeros(0, np.int32),
            "entry": np.zeros(0, I64),
            "frame": np.zeros(0, I64),
        }
        if n <= 1 or db.rows("callstack_frame_ids") == 0 or db.rows("callstack_frame_entries") == 0:
            return empty
        owner, fidx = expand_ranges(db.col("callstacks", "frame_begin")[1:], db.col("callstacks", "frame_end")[1:])
        frame = db.col("callstack_frame_ids", "frame")[fidx].astype(I64)
        ok = frame >= 0
        owner, frame = owner[ok] + 1, frame[ok]
        eb = db.col("callstack_frames", "entry_begin")[frame]
        ee = db.col("callstack_frames", "entry_end")[frame]
        sub, entry = expand_ranges(eb, ee)
        callstack = owner[sub].astype(np.int32)
        # position within each callstack: rows of one callstack are consecutive
        starts = np.flatnonzero(np.r_[True, callstack[1:] != callstack[:-1]]) if len(callstack) else np.zeros(0, I64)
        lengths = np.diff(np.r_[starts, len(callstack)])
        depth = (np.arange(len(callstack)) - np.repeat(starts, lengths)).astype(np.int32)
        return {"callstack": callstack, "depth": depth, "entry": entry, "frame": frame[sub]}

    return ctx._db.cached("sql_callstack_frames", build)


def _entry_col(ctx: Capture, column: str) -> np.ndarray:
    return ctx._db.col("callstack_frame_entries", column)[_callstack_frames(ctx)["entry"]]


def _frame_image(ctx: Capture) -> pa.Array:
    db = ctx._db
    images = db.col_or("callstack_frames", "image", np.zeros(db.rows("callstack_frames"), np.int32))
    return pool_labels(images[_callstack_frames(ctx)["frame"]], db, ctx._strings)


CALLSTACK_FRAMES = TableSpec(
    "callstack_frames",
    "Frames of every callstack that samples, zones, messages or allocations refer to, innermost first "
    "(depth 0); an inlined function comes before the function it was inlined into. Frames the program sent no "
    "symbol for are left out; one it could not name reads '[unknown] + address' (file '[unknown]').",
    (
        Column(
            "callstack_id",
            "INTEGER",
            "the callstack (samples.callstack_id, ...)",
            make=lambda c: view(_callstack_frames(c)["callstack"]),
        ),
        Column(
            "depth",
            "INTEGER",
            "position in the callstack, 0 = innermost",
            make=lambda c: view(_callstack_frames(c)["depth"]),
        ),
        Column("name", "VARCHAR", "function", make=lambda c: pool_labels(_entry_col(c, "name"), c._db, c._strings)),
        Column("file", "VARCHAR", "source file", make=lambda c: pool_labels(_entry_col(c, "file"), c._db, c._strings)),
        Column("line", "INTEGER", "source line", make=lambda c: view(_entry_col(c, "line"))),
        Column("addr", "UBIGINT", "symbol address", make=lambda c: view(_entry_col(c, "sym_addr"))),
        Column("image", "VARCHAR", "binary image (executable or library)", make=_frame_image),
    ),
    key="callstack_id, depth",
)


def _switch_thread(ctx: Capture) -> np.ndarray:
    """Thread row of each context switch's thread (-1 for threads of other processes)."""

    def build() -> np.ndarray:
        db = ctx._db
        owner = db.col_or("ctx_switches", "owner", np.zeros(0, np.int32)).astype(I64)
        rows = db.col_or("ctx_switch_threads", "thread", np.zeros(0, np.int32)).astype(I64)
        ok = (owner >= 0) & (owner < len(rows))
        return np.where(ok, rows[np.where(ok, owner, 0)], -1).astype(np.int32)

    return ctx._db.cached("sql_switch_thread", build)


def _switch_tid(ctx: Capture) -> np.ndarray:
    db = ctx._db
    owner = db.col_or("ctx_switches", "owner", np.zeros(0, np.int32)).astype(I64)
    tids = db.col_or("ctx_switch_threads", "tid", np.zeros(0, np.uint64))
    ok = (owner >= 0) & (owner < len(tids))
    return np.where(ok, tids[np.where(ok, owner, 0)], 0)


def _switch_thread_names(ctx: Capture) -> pa.Array:
    db = ctx._db
    names = [
        ctx.get_thread_name(int(t)) for t in db.col_or("ctx_switch_threads", "tid", np.zeros(0, np.uint64)).tolist()
    ]
    return labels(db.col_or("ctx_switches", "owner", np.zeros(0, np.int32)), names)


def _switch_col(ctx: Capture, column: str, dtype: type = I64) -> np.ndarray:
    return engine_col(ctx, "ctx_switches", column, dtype)


CONTEXT_SWITCHES = TableSpec(
    "context_switches",
    "When each thread ran on a CPU (system tracing): one row per running period, each thread's in time order.",
    (
        id_column("ctx_switches", "row number (0..n-1)"),
        Column(
            "thread_id",
            "INTEGER",
            "threads.id, NULL for a thread the capture did not profile",
            make=lambda c: present(_switch_thread(c)),
            lazy=True,
        ),
        Column("tid", "BIGINT", "OS thread id", make=lambda c: view(_switch_tid(c)), lazy=True),
        Column("thread", "VARCHAR", "thread name", make=_switch_thread_names),
        Column("start_ns", "BIGINT", "switched in", make=lambda c: view(_switch_col(c, "start"))),
        Column(
            "end_ns",
            "BIGINT",
            "switched out; NULL if still running at the end",
            make=lambda c: present(_switch_col(c, "end")),
        ),
        Column("duration_ns", "BIGINT", "running time (end_ns - start_ns)", expr="end_ns - start_ns"),
        Column(
            "wakeup_ns",
            "BIGINT",
            "when it was woken up (before start_ns)",
            make=lambda c: view(_switch_col(c, "wakeup")),
        ),
        Column("cpu", "INTEGER", "CPU it ran on", make=lambda c: view(_switch_col(c, "cpu", np.uint8))),
        Column(
            "wakeup_cpu", "INTEGER", "CPU that woke it", make=lambda c: view(_switch_col(c, "wakeup_cpu", np.uint8))
        ),
        Column(
            "reason",
            "VARCHAR",
            "why it was switched out (Windows wait reasons; none/unknown on Linux)",
            make=lambda c: code_labels(_switch_col(c, "reason", np.int8), SWITCH_REASONS),
        ),
        Column(
            "state",
            "VARCHAR",
            "its state when switched out: running, sleeping, disk_sleep, ... (Linux), waiting, ready, ... (Windows)",
            make=lambda c: code_labels(_switch_col(c, "state", np.int8), SWITCH_STATES),
        ),
    ),
)
