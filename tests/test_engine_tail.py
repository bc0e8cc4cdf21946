"""The engine's tail tables (GPU, plots, memory, callstacks, context switches, CPU data, symbols) against upstream's
answers for the shared captures. The comparisons map the raw tables straight onto upstream's method results; the
analysis API proper is tested elsewhere."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, golden_module, shared_captures
from engine_golden import Strings

from tracy_mcp.analysis.events import PLOT_TYPES
from tracy_mcp.analysis.gpu import GPU_CONTEXT_TYPES as GPU_TYPES
from tracy_mcp.engine import READY, NativeCapture

CAPTURES = shared_captures()

pytestmark = pytest.mark.skipif(not CAPTURES, reason=f"no shared captures in {SHARED} (set TRACY_MCP_SHARED)")


@cache
def _dump_golden():
    return golden_module("dump_golden")


@cache
def _load(path: Path) -> tuple[NativeCapture, dict]:
    cap = NativeCapture(path)
    cap.wait(READY, timeout=120)
    golden = json.loads((SHARED / "golden" / f"{path.stem}.json").read_text())
    return cap, golden


def _cols(cap: NativeCapture, table: str) -> dict[str, list]:
    return {c: cap.column(table, c).tolist() for c in cap.columns(table)}


@pytest.fixture(params=CAPTURES, ids=[p.stem for p in CAPTURES])
def loaded(request):
    return _load(request.param)


def test_counts(loaded):
    cap, golden = loaded
    counts = golden["counts"]
    gpu = cap.column("gpu_contexts", "count")
    assert int(gpu.sum()) == counts["get_gpu_zone_count"]
    assert cap.rows("gpu_zones") == counts["get_gpu_zone_count"]
    assert cap.rows("ctx_switches") == counts["get_context_switch_count"]
    meta = cap.meta()
    assert meta["payload_trailing_bytes"] == 0  # the reader stayed aligned to the very end of the payload
    assert meta["gpu_zone_count"] == counts["get_gpu_zone_count"]
    assert meta["plot_count"] == counts["get_plot_count"]
    assert meta["context_switch_count"] == counts["get_context_switch_count"]
    # Row 0 is the "no callstack" placeholder.
    assert cap.rows("callstacks") == golden["hints"]["callstack_count"] + 1


def test_gpu_contexts(loaded):
    cap, golden = loaded
    s = Strings(cap)
    g = _cols(cap, "gpu_contexts")
    ours = [
        {"name": s(g["name"][i], ""), "count": g["count"][i], "type": GPU_TYPES[g["type"][i]], "thread": g["tid"][i]}
        for i in range(len(g["count"]))
    ]
    dg = _dump_golden()
    assert dg.store(ours) == golden["get_gpu_contexts"]


def test_gpu_zone_trees(loaded):
    cap, golden = loaded
    s = Strings(cap)
    z = {c: cap.column("gpu_zones", c) for c in cap.columns("gpu_zones")}
    n = len(z["depth"])
    # Tree invariants: pre-order, parent/depth/subtree_end consistent.
    for r in range(n):
        p = int(z["parent"][r])
        assert int(z["subtree_end"][r]) > r
        if p >= 0:
            assert (
                p < r
                and int(z["depth"][r]) == int(z["depth"][p]) + 1
                and int(z["subtree_end"][r]) <= int(z["subtree_end"][p])
            )
        else:
            assert int(z["depth"][r]) == 0
    # Durations per zone name, as upstream lists them (zones with a positive GPU span).
    names = cap.column("srclocs", "name")
    durations = defaultdict(list)
    for r in range(n):
        span = int(z["gpu_end"][r]) - int(z["gpu_start"][r])
        if int(z["gpu_end"][r]) >= 0 and span > 0:
            durations[s(int(names[int(z["srcloc"][r])]))].append(span)
    dg = _dump_golden()
    expected = {k: v["get_gpu_zone_durations"]["all"] for k, v in golden.get("per_gpu_zone_name", {}).items()}
    assert {k: dg.store(v) for k, v in durations.items()} == expected


def _plot_name(s: Strings, sid: int, ptr: int) -> str:
    # upstream resolves name pointer 0 to the base frame set's name (golden quirk 11)
    return "Frame" if ptr == 0 else s(sid, "")


def test_plots(loaded):
    cap, golden = loaded
    s = Strings(cap)
    p = _cols(cap, "plots")
    ours = []
    for i in range(len(p["type"])):
        count = p["point_end"][i] - p["point_begin"][i]
        ours.append(
            {
                "name": _plot_name(s, p["name"][i], p["name_ptr"][i]),
                "min": p["min"][i],
                "max": p["max"][i],
                "sum": p["sum"][i],
                "count": count,
                "avg": p["sum"][i] / count if count else 0.0,
                "type": PLOT_TYPES[p["type"][i]],
            }
        )
    dg = _dump_golden()
    assert dg.store(ours) == golden["get_plots"]
    t = cap.column("plot_points", "time")
    for b, e in zip(p["point_begin"], p["point_end"], strict=True):
        assert np.all(np.diff(t[b:e]) >= 0)


def test_memory(loaded):
    cap, golden = loaded
    s = Strings(cap)
    mp = _cols(cap, "mem_pools")
    names = ["(default)" if k == 0 else s(n, "") for k, n in zip(mp["key"], mp["name"], strict=True)]
    pools = [
        {
            "name": names[i],
            "high": mp["high"][i],
            "low": mp["low"][i],
            "usage": mp["usage"][i],
            "alloc_count": mp["event_end"][i] - mp["event_begin"][i],
        }
        for i in range(len(names))
    ]
    dg = _dump_golden()
    assert dg.store(pools) == golden["get_memory_pools"]
    me = _cols(cap, "mem_events")
    events = [
        {
            "pool": names[me["pool"][i]],
            "ptr": me["ptr"][i],
            "size": me["size"][i],
            "time_alloc": me["time_alloc"][i],
            "time_free": me["time_free"][i],
            "thread_alloc": me["thread_alloc"][i],
            "callstack_idx": me["cs_alloc"][i],
        }
        for i in range(len(me["ptr"]))
    ]
    assert dg.store(events) == golden["get_memory_events"]["all"]
    for name, expected in golden["get_memory_events"]["per_pool"].items():
        assert dg.store([e for e in events if e["pool"] == name]) == expected


def _callstack_frames(cap: NativeCapture, s: Strings, idx: int) -> list[dict]:
    cs = _cols(cap, "callstacks")
    fid_frame = cap.column("callstack_frame_ids", "frame")
    fr = _cols(cap, "callstack_frames")
    en = {c: cap.column("callstack_frame_entries", c) for c in cap.columns("callstack_frame_entries")}
    out = []
    for k in range(cs["frame_begin"][idx], cs["frame_end"][idx]):
        f = int(fid_frame[k])
        if f < 0:
            continue
        for e in range(fr["entry_begin"][f], fr["entry_end"][f]):
            out.append(
                {
                    "name": s(int(en["name"][e]), ""),
                    "file": s(int(en["file"][e]), ""),
                    "line": int(en["line"][e]),
                    "addr": int(en["sym_addr"][e]),
                }
            )
    return out


def test_callstack_frames(loaded):
    cap, golden = loaded
    s = Strings(cap)
    for idx, expected in golden["get_callstack_frames"].items():
        assert _callstack_frames(cap, s, int(idx)) == expected, idx


def test_context_switches(loaded):
    cap, golden = loaded
    th = _cols(cap, "ctx_switch_threads")
    cs = {c: cap.column("ctx_switches", c) for c in ("start", "end", "cpu", "reason")}
    dg = _dump_golden()
    by_tid = {tid: i for i, tid in enumerate(th["tid"])}
    for tid, expected in golden["get_thread_context_switches"].items():
        i = by_tid.get(int(tid))
        ours = []
        if i is not None:
            for r in range(th["switch_begin"][i], th["switch_end"][i]):
                if int(cs["end"][r]) >= 0:
                    ours.append(
                        {
                            "start": int(cs["start"][r]),
                            "end": int(cs["end"][r]),
                            "cpu": int(cs["cpu"][r]),
                            "reason": int(cs["reason"][r]),
                        }
                    )
        assert dg.store(ours) == expected["all"], tid


def test_cpu_thread_data(loaded):
    cap, golden = loaded
    d = _cols(cap, "cpu_thread_data")
    ours = {
        str(d["tid"][i]): {
            "running_time": d["running_time"][i],
            "running_regions": d["running_regions"][i],
            "migrations": d["migrations"][i],
        }
        for i in range(len(d["tid"]))
    }
    assert ours == golden["get_cpu_thread_data"]


def test_symbols(loaded):
    cap, golden = loaded
    s = Strings(cap)
    sym = _cols(cap, "symbols")
    assert sym["addr"] == sorted(sym["addr"])
    by_addr = {a: i for i, a in reversed(list(enumerate(sym["addr"])))}
    stats = golden["get_symbol_stats"]
    items = stats["head"] if isinstance(stats, dict) else stats
    for st in items:
        if "name" not in st:
            continue
        i = by_addr[st["addr"]]
        assert (s(sym["name"][i]), s(sym["file"][i]), sym["line"][i], s(sym["image"][i])) == (
            st["name"],
            st["file"],
            st["line"],
            st["image"],
        )


def test_no_hw_samples(loaded):
    cap, golden = loaded
    assert golden["get_hw_sample_summary"] == []
    assert cap.rows("hw_samples") == 0
