"""Chrome trace-event JSON export (opens in Perfetto UI and chrome://tracing).

CPU zones become complete ("X") events on (pid, OS tid); GPU zones go to one extra process per GPU context;
messages are instant ("i") events and plots counter ("C") events. Times are microseconds with ns precision.
Written in chunks, so large captures do not build the whole document in memory.
"""

from __future__ import annotations

import json
import os
from typing import IO, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

CHUNK = 200_000
GPU_PID_OFFSET = 1_000_000


def _us(ns: np.ndarray) -> list[str]:
    return [f"{v:.3f}" for v in (ns.astype(np.float64) / 1000.0).tolist()]


def _in_window(times: np.ndarray, start: int | None, end: int | None) -> np.ndarray:
    """Mask of the instants in [start, end); a bound given as None is open."""
    sel = np.ones(len(times), dtype=bool)
    if start is not None:
        sel &= times >= start
    if end is not None:
        sel &= times < end
    return sel


def write_chrome_trace(
    ctx: Capture,
    out: IO[str],
    *,
    start: int | None = None,
    end: int | None = None,
    min_duration: int = 0,
    gpu: bool = True,
    messages: bool = True,
    plots: bool = True,
) -> int:
    """Write the trace to a text stream; returns the number of events written."""
    pid = int(ctx.get_pid()) or 1
    last = int(ctx.get_last_time())
    count = 0
    first = True

    def emit(lines: list[str]) -> None:
        nonlocal first, count
        if not lines:
            return
        out.write(("" if first else ",\n") + ",\n".join(lines))
        first = False
        count += len(lines)

    out.write(
        '{{"displayTimeUnit":"ns","otherData":{},"traceEvents":[\n'.format(
            json.dumps({"capture": ctx.get_capture_name(), "program": ctx.get_capture_program()})
        )
    )
    meta = [
        json.dumps(
            {
                "ph": "M",
                "name": "process_name",
                "pid": pid,
                "tid": 0,
                "args": {"name": ctx.get_capture_program() or "process"},
            }
        )
    ]
    for t in ctx.get_threads():
        meta.append(
            json.dumps({"ph": "M", "name": "thread_name", "pid": pid, "tid": t["id"], "args": {"name": t["name"]}})
        )
    emit(meta)

    # CPU zones
    zt = ctx._cpu()  # the zone columns as numbers: no per-zone strings for a table that may hold millions
    srcl = ctx._srclocs()
    name_json = {int(i): json.dumps(n) for i, n in zip(srcl.ids.tolist(), srcl.name, strict=False)}
    zend = np.where(zt.valid, zt.end, last)
    keep_mask = zend - zt.start >= min_duration
    if start is not None:
        keep_mask &= zend > start
    if end is not None:
        keep_mask &= zt.start < end
    keep = np.nonzero(keep_mask)[0]
    for a in range(0, len(keep), CHUNK):
        rows = keep[a : a + CHUNK]
        ts, du = _us(zt.start[rows]), _us(zend[rows] - zt.start[rows])
        tids = ctx._tid_of_rows(zt.owner[rows]).tolist()
        ids = srcl.upstream_ids(zt.srcloc[rows]).tolist()
        depth = zt.depth[rows].tolist()
        emit(
            [
                '{"ph":"X","cat":"zone","name":%s,"pid":%d,"tid":%d,"ts":%s,"dur":%s,"args":{"depth":%d}}'  # noqa: UP031 - JSON braces
                % (name_json.get(i, '""'), pid, t, s, d, dp)
                for i, t, s, d, dp in zip(ids, tids, ts, du, depth, strict=False)
            ]
        )

    # GPU zones: one process per context
    if gpu and ctx._db.rows("gpu_zones"):
        g = ctx.gpu_zones(as_frame=False)
        contexts = ctx.get_gpu_contexts()
        emit(
            [
                json.dumps(
                    {
                        "ph": "M",
                        "name": "process_name",
                        "pid": GPU_PID_OFFSET + i,
                        "tid": 0,
                        "args": {"name": f"GPU: {c.name or c.type}"},
                    }
                )
                for i, c in enumerate(contexts)
            ]
        )
        gstart = g["start_ns"]
        gend = np.where(g["end_ns"] >= 0, g["end_ns"], gstart)
        sel = np.ones(len(gstart), dtype=bool)
        if start is not None:
            sel &= gend > start
        if end is not None:
            sel &= gstart < end
        rows = np.nonzero(sel & (gstart >= 0))[0]
        ts, du = _us(gstart[rows]), _us(gend[rows] - gstart[rows])
        emit(
            [
                '{"ph":"X","cat":"gpu","name":%s,"pid":%d,"tid":%d,"ts":%s,"dur":%s}'  # noqa: UP031 - JSON braces
                % (json.dumps(n), GPU_PID_OFFSET + int(c), int(c), s, d)
                for n, c, s, d in zip(g["name"][rows].tolist(), g["context_id"][rows].tolist(), ts, du, strict=False)
            ]
        )

    if messages and ctx._db.rows("messages"):
        m = ctx.messages(as_frame=False)
        rows = np.nonzero(_in_window(m["time_ns"], start, end))[0]
        message_tids = ctx._tid_of_rows(m["thread_id"])
        emit(
            [
                json.dumps(
                    {"ph": "i", "s": "t", "cat": "message", "name": x, "pid": pid, "tid": int(t), "ts": float(s)}
                )
                for x, t, s in zip(
                    m["text"][rows].tolist(),
                    message_tids[rows].tolist(),
                    (m["time_ns"][rows] / 1000.0).tolist(),
                    strict=False,
                )
            ]
        )

    if plots:
        for plot_id, p in enumerate(ctx.get_plots()):
            pts = ctx.plot_points(plot_id, as_frame=False)
            sel = _in_window(pts["time_ns"], start, end)
            nm = json.dumps(p.name)
            emit(
                [
                    '{"ph":"C","cat":"plot","name":%s,"pid":%d,"tid":0,"ts":%s,"args":{"value":%s}}'  # noqa: UP031 - JSON braces
                    % (nm, pid, s, json.dumps(v))
                    for s, v in zip(_us(pts["time_ns"][sel]), pts["value"][sel].tolist(), strict=False)
                ]
            )
    out.write("\n]}\n")
    return count


def export_chrome_trace(ctx: Capture, path: str | os.PathLike[str], **options: object) -> int:
    """Write a Chrome trace-event JSON file; returns the number of events."""
    with open(path, "w", encoding="utf-8") as f:
        return write_chrome_trace(ctx, f, **options)  # type: ignore[arg-type]
