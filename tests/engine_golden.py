"""Helpers for the engine tests: computing upstream-shaped answers from our raw tables.

These reproduce only what the engine tests compare (metadata, counts, threads, frame stats, per-srcloc stats); the
analysis API (tracy_mcp.analysis.capture) is the real consumer of the tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from conftest import GOLDEN

from tracy_mcp.engine import NativeCapture


def golden_for(capture: Path) -> dict[str, Any] | None:
    p = GOLDEN / f"{capture.stem}.json"
    return json.loads(p.read_text()) if p.is_file() else None


class Strings:
    def __init__(self, cap: NativeCapture) -> None:
        self.offset = cap.column("strings", "offset")
        self.size = cap.column("strings", "size")
        self.data = cap.column("string_bytes", "data").tobytes()

    def __call__(self, sid: int, default: str | None = None) -> str | None:
        if sid < 0:
            return default
        o = int(self.offset[sid])
        return self.data[o : o + int(self.size[sid])].decode("utf-8", "replace")


def metadata(cap: NativeCapture) -> dict[str, Any]:
    m = cap.meta()
    return {
        "get_capture_name": m["capture_name"],
        "get_capture_program": m["capture_program"],
        "get_capture_time": m["capture_time"],
        "get_host_info": m["host_info"],
        "get_pid": m["pid"],
        "get_resolution": m["resolution"],
        "get_first_time": m["first_time"],
        "get_last_time": m["last_time"],
        "get_cpu_manufacturer": m["cpu_manufacturer"],
    }


def counts(cap: NativeCapture) -> dict[str, int]:
    m = cap.meta()
    fs_begin = cap.column("frame_sets", "frames_begin")
    fs_end = cap.column("frame_sets", "frames_end")
    return {
        "get_zone_count": m["zone_count"],
        "get_src_loc_count": m["srcloc_count"],
        "get_callstack_sample_count": m["sample_count"],
        "get_message_count": cap.rows("messages"),
        "get_frame_count": int(fs_end[0] - fs_begin[0]),
        "get_lock_count": cap.rows("lock_events"),
    }


def threads(cap: NativeCapture) -> list[dict[str, Any]]:
    s = Strings(cap)
    li = cap.column("threads", "list_index")
    out = []
    for row in np.argsort(li, kind="stable"):
        if li[row] < 0:
            continue
        name = s(int(cap.column("threads", "name")[row]))
        out.append(
            {
                "id": int(cap.column("threads", "tid")[row]),
                "count": int(cap.column("threads", "zone_count")[row]),
                "is_fiber": bool(cap.column("threads", "is_fiber")[row]),
                "name": name if name is not None else "???",
            }
        )
    return out


def _stats(count: int, total: int, mn: int, mx: int, sum_sq: float) -> dict[str, Any]:
    return {
        "min": mn,
        "max": mx,
        "total": total,
        "sum_sq": sum_sq,
        "count": count,
        "avg": total / count if count else 0.0,
    }


def frame_stats(cap: NativeCapture) -> list[dict[str, Any]]:
    s = Strings(cap)
    c = {k: cap.column("frame_sets", k) for k in cap.columns("frame_sets")}
    out = []
    for i in range(cap.rows("frame_sets")):
        n = int(c["frames_end"][i] - c["frames_begin"][i])
        st = _stats(
            n, int(c["stat_total"][i]), int(c["stat_min"][i]), int(c["stat_max"][i]), float(c["stat_sum_sq"][i])
        )
        st["name"] = s(int(c["name"][i]))
        out.append(st)
    return out


def zone_name(s: Strings, cap: NativeCapture, row: int) -> str | None:
    name = s(int(cap.column("srclocs", "name")[row]))
    return name if name is not None else s(int(cap.column("srclocs", "function")[row]))


def per_srcloc(cap: NativeCapture) -> dict[str, dict[str, Any]]:
    s = Strings(cap)
    c = {k: cap.column("srclocs", k) for k in cap.columns("srclocs")}
    out = {}
    for row in range(cap.rows("srclocs")):
        out[str(int(c["id"][row]))] = {
            "get_src_loc.line": int(c["line"][row]),
            "get_zone_name": zone_name(s, cap, row),
            "get_zone_stats": _stats(
                int(c["zone_count"][row]),
                int(c["zone_total"][row]),
                int(c["zone_min"][row]),
                int(c["zone_max"][row]),
                float(c["zone_sum_sq"][row]),
            ),
        }
    return out
