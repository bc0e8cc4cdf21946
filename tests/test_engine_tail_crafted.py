"""The engine's tail reader (GPU zones to the end of the payload) on small captures crafted here, for every file
version whose tail layout differs (0.11.0 .. 0.14.0): exact values in every tail table, and a clear error (never a
crash) for a tail cut short anywhere or claiming huge counts. Needs nothing from ../shared."""

from __future__ import annotations

import struct

import pytest
from engine_craft import make_capture

from tracy_mcp.engine import READY, NativeCapture
from tracy_mcp.errors import CaptureFormatError

VERSIONS = [(0, 11, 0), (0, 12, 2), (0, 12, 3), (0, 12, 4), (0, 13, 1), (0, 13, 4), (0, 14, 0)]

# The crafted file's string table (pointer, text); a StringIdx refers to the position + 1.
STRINGS = [
    (0x100, b"GPU ctx"),
    (0x108, b"GpuZone"),
    (0x110, b"gpu.cpp"),
    (0x118, b"Plot A"),
    (0x120, b"Pool X"),
    (0x128, b"Main"),
    (0x130, b"frame_fn"),
    (0x138, b"libdemo.so"),
    (0x140, b"app info line"),
]
IDX = {text.decode(): i for i, (_, text) in enumerate(STRINGS)}
PLOT_PTR, POOL_PTR = 0x900, 0x901


def p(fmt: str, *values) -> bytes:
    return struct.pack("<" + fmt, *values)


def u24(v: int) -> bytes:
    return p("I", v)[:3]


def sidx(text: str) -> bytes:
    """A stored StringIdx for one of STRINGS."""
    return u24(IDX[text] + 1)


def text_field(b: bytes) -> bytes:
    return p("Q", len(b)) + b


def front(v: tuple[int, int, int]) -> bytes:
    """Everything before the GPU section: one named thread (tid 7, compressed index 1), one static source location
    (id 1, "GpuZone"), no zones, locks or messages."""
    out = b"tracy" + bytes(v)
    if v < (0, 12, 3):
        out += p("q", 0)  # delay, dropped by later versions
    out += p("qdqQQqBI", 1, 1.0, 5000, 0, 42, 100000, 2, 0) + b"GenuineTest!" + b"\x00"
    out += text_field(b"crafted") + text_field(b"prog") + p("QQ", 0, 0) + text_field(b"host")
    out += p("Q", 0)  # CPU topology
    out += p("QqQI", 0, 0, 0, 0)  # crash event
    out += p("QQBQ", 1, 0, 1, 0)  # base frame set, no frames
    if v >= (0, 13, 5):
        out += p("QQ", 0, 0)
    elif v == (0, 13, 4):
        out += p("Q", 0)
    out += p("Q", len(STRINGS)) + b"".join(p("QQ", ptr, len(t)) + t for ptr, t in STRINGS)
    out += p("Q", 2) + p("QQ", PLOT_PTR, 0x118) + p("QQ", POOL_PTR, 0x120)  # string ids
    out += p("Q", 1) + p("QQ", 7, 0x128)  # thread names
    out += p("Q", 0)  # external names
    out += p("Q", 2) + p("QQ", 0, 7)  # local thread compression: index 1 = tid 7
    out += p("Q", 3) + p("QQQ", 0, 7, 99)  # external thread compression

    def ref(text: str) -> bytes:  # StringRef by index, active
        return p("QB", IDX[text], 3)

    out += p("Q", 1) + p("Q", 0xAAA) + ref("GpuZone") + ref("GpuZone") + ref("gpu.cpp") + p("II", 10, 0)
    out += p("Q", 2) + p("QQ", 0, 0xAAA)  # srcloc id -> pointer
    out += p("Q", 0)  # dynamic srclocs
    out += p("Q", 0) + p("Q", 0)  # CPU / GPU zone counts per srcloc
    out += p("Q", 0) + p("Q", 0)  # locks, messages
    out += p("Q", 1) + bytes(12)  # zone extras: the placeholder
    out += p("QQQ", 0, 0, 1)  # zones, child lists, threads
    out += p("QQQB", 7, 0, 0, 0) + (p("i", 0) if v >= (0, 11, 1) else b"")
    out += p("I", 0) + p("QQQ", 0, 0, 0)  # no zones, messages, context-switch samples, samples
    return out


def tail(v: tuple[int, int, int]) -> bytes:
    notes = v >= (0, 12, 4)
    out = p("QQ", 2, 1)
    # One unbound GPU context; thread 7 has a root zone with one child.
    out += p("Q", 1) + p("QBQfB", 0, 1, 2, 1.0, 7) + sidx("GPU ctx") + p("Q", 0)
    if notes:
        out += p("Q", 1) + p("q", 5) + sidx("Main")
    out += p("Q", 1) + p("QQ", 7, 1)
    out += p("qqh", 100, 1000, 1) + u24(0) + p("H", 1) + p("Q", 1)
    out += p("qqh", 10, 10, 1) + u24(2) + p("H", 1) + p("Q", 0) + p("qq", 20, 20) + (p("H", 9) if notes else b"")
    out += p("qq", 30, 30) + (p("H", 8) if notes else b"")
    if notes:
        out += p("Q", 1) + p("HQ", 3, 1) + p("qd", 7, 2.5)
    # One user plot, points stored out of order (only files before 0.13.3 may do that; they get sorted).
    out += p("Q", 1) + p("BBBBIQddd", 0, 0, 0, 1, 0xFF, PLOT_PTR, 1.0, 3.0, 6.0)
    out += p("Q", 3) + p("qd", 10, 1.0) + p("qd", 20, 3.0) + p("qd", -10, 2.0)
    # One memory pool: 64 bytes at 50 freed at 75, 32 bytes at 60 never freed.
    out += p("QQ", 1, 2) + p("QQQQ", POOL_PTR, 2, 1, 1)
    out += p("QQ", 0x1000, 64) + u24(1) + u24(0) + p("qqHH", 50, 25, 1, 1)
    out += p("QQ", 0x2000, 32) + u24(0) + u24(0) + p("qqHH", 10, -1, 1, 0)
    out += p("QQQQ", 0x2000, 0x1000, 32, POOL_PTR)
    # Callstacks [0x10, 0x20] and [0x30]; frames for 0x10 (1 entry) and 0x20 (2 entries); 0x30 unresolved.
    out += p("Q", 2) + p("H", 2) + p("QQ", 0x10, 0x20) + p("H", 1) + p("Q", 0x30)
    out += p("Q", 2)
    out += p("QB", 0x10, 1) + sidx("libdemo.so") + sidx("frame_fn") + sidx("gpu.cpp") + p("IQ", 5, 0x10)
    out += p("QB", 0x20, 2) + sidx("libdemo.so")
    out += sidx("GpuZone") + sidx("gpu.cpp") + p("IQ", 6, 0x20) + sidx("Main") + u24(0) + p("IQ", 7, 0x21)
    out += p("Q", 1) + p("QB", IDX["app info line"], 3)  # app info
    out += p("I", 3) + b"dic" + p("Q", 1) + p("HHB", 4, 4, 1) + bytes(range(8))  # frame images
    # Context switches of tid 7: one run (start 105, end 155), then one still running (end -1).
    wake = v >= (0, 11, 3)
    out += p("Q", 1) + p("QQ", 7, 2)
    out += p("qqqBbbQ", 100, 5, 50, 2, -2, 3, 7) + (p("B", 1) if wake else b"")
    out += p("qqqBbbQ", 10, 5, -171, 3, 100, 0, 0) + (p("B", 3) if wake else b"")
    # Per-CPU timelines: CPU 1 ran external index 1 then 2.
    out += p("Q", 2) + b"".join(
        p("Q", 2) + p("qqH", 10, 10, 1) + p("qqH", 10, 10, 2) if cpu == 1 else p("Q", 0) for cpu in range(256)
    )
    out += p("Q", 1) + p("QQ", 7, 42)  # tid -> pid
    out += p("Q", 1) + p("QqII", 7, 50, 1, 0)  # CPU thread data
    # Symbols (stored out of address order), symbol code, code -> symbol, hardware samples, source files.
    out += p("QQQ", 1, 1, 2)
    out += p("Q", 0x20) + sidx("GpuZone") + sidx("gpu.cpp") + p("I", 3) + sidx("libdemo.so") + u24(0) + p("IB", 0, 0)
    out += u24(16)
    out += p("Q", 0x10) + sidx("frame_fn") + sidx("gpu.cpp") + p("I", 4) + sidx("libdemo.so") + sidx("gpu.cpp")
    out += p("IB", 9, 1) + u24(0)
    out += p("Q", 1) + p("QI", 0x10, 3) + b"\x90\x90\xc3"
    out += p("Q", 1) + p("QQ", 0x11, 0x10)
    out += p("Q", 1) + p("Q", 0x11) + p("Q", 2) + p("qq", 5, 5) + p("Q", 0) * 5
    out += p("Q", 1) + p("I", 5) + b"a.cpp" + p("I", 7) + b"int x;\n"
    return out


def load(tmp_path, payload: bytes, name: str = "crafted.tracy") -> NativeCapture:
    path = tmp_path / name
    path.write_bytes(make_capture(payload))
    cap = NativeCapture(path)
    cap.wait(READY, timeout=60)
    return cap


def col(cap: NativeCapture, table: str, column: str) -> list:
    return cap.column(table, column).tolist()


def text(cap: NativeCapture, sid: int) -> str | None:
    if sid < 0:
        return None
    o = int(cap.column("strings", "offset")[sid])
    n = int(cap.column("strings", "size")[sid])
    return cap.column("string_bytes", "data")[o : o + n].tobytes().decode()


@pytest.mark.parametrize("v", VERSIONS, ids=lambda v: ".".join(map(str, v)))
def test_every_tail_section(tmp_path, v):
    cap = load(tmp_path, front(v) + tail(v))
    meta = cap.meta()
    assert meta["payload_trailing_bytes"] == 0
    assert meta["gpu_zone_count"] == 2 and meta["context_switch_count"] == 2 and meta["plot_count"] == 3

    assert text(cap, col(cap, "gpu_contexts", "name")[0]) == "GPU ctx"
    assert col(cap, "gpu_contexts", "type") == [7] and col(cap, "gpu_contexts", "tid") == [0]
    assert col(cap, "gpu_timelines", "tid") == [7]
    assert col(cap, "gpu_zones", "cpu_start") == [100, 110] and col(cap, "gpu_zones", "cpu_end") == [160, 130]
    assert col(cap, "gpu_zones", "gpu_start") == [1000, 1010] and col(cap, "gpu_zones", "gpu_end") == [1060, 1030]
    assert col(cap, "gpu_zones", "depth") == [0, 1] and col(cap, "gpu_zones", "parent") == [-1, 0]
    assert col(cap, "gpu_zones", "subtree_end") == [2, 2] and col(cap, "gpu_zones", "callstack") == [0, 2]
    assert col(cap, "gpu_zones", "srcloc_id") == [1, 1] and col(cap, "gpu_zones", "thread_index") == [1, 1]
    thread_rows = col(cap, "gpu_zones", "thread")
    assert [col(cap, "threads", "tid")[r] for r in thread_rows] == [7, 7]
    notes = v >= (0, 12, 4)
    assert col(cap, "gpu_zones", "query_id") == ([8, 9] if notes else [0, 0])
    assert col(cap, "gpu_notes", "value") == ([2.5] if notes else [])
    assert [text(cap, s) for s in col(cap, "gpu_note_names", "name")] == (["Main"] if notes else [])

    # The file's plot, then the memory plot derived from the pool.
    assert [text(cap, s) for s in col(cap, "plots", "name")] == ["Plot A", "Pool X"]
    assert col(cap, "plots", "type") == [0, 1] and col(cap, "plots", "pool") == [-1, 0]
    times = col(cap, "plot_points", "time")
    values = col(cap, "plot_points", "value")
    if v < (0, 13, 3):
        assert times[:3] == [10, 20, 30] and values[:3] == [1.0, 2.0, 3.0]
    else:
        assert times[:3] == [10, 30, 20]
    assert times[3:] == [0, 50, 60, 75] and values[3:] == [0.0, 64.0, 96.0, 32.0]
    assert col(cap, "plots", "max")[1] == 96.0 and col(cap, "plots", "sum")[1] == 192.0

    assert col(cap, "mem_pools", "key") == [POOL_PTR] and text(cap, col(cap, "mem_pools", "name")[0]) == "Pool X"
    assert col(cap, "mem_pools", "usage") == [32] and col(cap, "mem_pools", "plot") == [1]
    assert col(cap, "mem_events", "time_alloc") == [50, 60] and col(cap, "mem_events", "time_free") == [75, -1]
    assert col(cap, "mem_events", "cs_alloc") == [1, 0] and col(cap, "mem_events", "tid_alloc") == [7, 7]
    assert col(cap, "mem_events", "tid_free") == [7, 0]

    assert col(cap, "callstacks", "frame_begin") == [0, 0, 2] and col(cap, "callstacks", "frame_end") == [0, 2, 3]
    assert col(cap, "callstack_frame_ids", "frame") == [0, 1, -1]
    assert col(cap, "callstack_frames", "entry_begin") == [0, 1]
    assert [text(cap, s) for s in col(cap, "callstack_frame_entries", "name")] == ["frame_fn", "GpuZone", "Main"]
    assert col(cap, "callstack_frame_entries", "file")[2] == -1
    assert col(cap, "callstack_frame_entries", "sym_addr") == [0x10, 0x20, 0x21]
    assert [text(cap, s) for s in col(cap, "app_info", "text")] == ["app info line"]
    assert col(cap, "frame_images", "width") == [4] and col(cap, "frame_images", "flip") == [1]

    assert col(cap, "ctx_switch_threads", "tid") == [7] and col(cap, "ctx_switch_threads", "running_time") == [50]
    assert col(cap, "ctx_switches", "wakeup") == [100, 165] and col(cap, "ctx_switches", "start") == [105, 170]
    assert col(cap, "ctx_switches", "end") == [155, -1] and col(cap, "ctx_switches", "reason") == [-2, 100]
    assert col(cap, "ctx_switches", "wakeup_cpu") == ([1, 3] if v >= (0, 11, 3) else [2, 3])
    assert col(cap, "cpu_switches", "cpu") == [1, 1] and col(cap, "cpu_switches", "start") == [10, 30]
    assert col(cap, "cpu_switches", "end") == [20, 40] and col(cap, "cpu_switches", "tid") == [7, 99]
    # tid 7 belongs to the program (its pid is the capture's), tid 99 does not.
    assert col(cap, "cpu_usage", "time") == [0, 10, 20, 30, 40]
    assert col(cap, "cpu_usage", "own") == [0, 1, 0, 0, 0] and col(cap, "cpu_usage", "other") == [0, 0, 0, 1, 0]
    assert col(cap, "tid_pids", "pid") == [42] and col(cap, "cpu_thread_data", "running_time") == [50]

    assert col(cap, "symbols", "addr") == [0x10, 0x20] and col(cap, "symbols", "is_inline") == [1, 0]
    assert [text(cap, s) for s in col(cap, "symbols", "name")] == ["frame_fn", "GpuZone"]
    assert col(cap, "symbols", "call_line") == [9, 0] and col(cap, "symbols", "size") == [0, 16]
    assert cap.column("symbol_code_bytes", "data").tobytes() == b"\x90\x90\xc3"
    assert col(cap, "code_symbols", "sym_addr") == [0x10]
    assert col(cap, "hw_samples", "time") == [5, 10] and col(cap, "hw_samples", "kind") == [0, 0]
    assert [text(cap, s) for s in col(cap, "source_files", "name")] == ["a.cpp"]
    assert cap.column("source_file_bytes", "data").tobytes() == b"int x;\n"


def test_tail_cut_anywhere_is_a_clear_error(tmp_path):
    v = (0, 14, 0)
    head, rest = front(v), tail(v)
    # Source files come last; a payload cut inside the tail must fail with a format error, never load or crash.
    for cut in list(range(0, len(rest), 97)) + [len(rest) - 1]:
        with pytest.raises(CaptureFormatError):
            load(tmp_path, head + rest[:cut], f"cut{cut}.tracy")


@pytest.mark.parametrize("offset", [0, 16, 24], ids=["gpu-zone-hint", "gpu-contexts", "gpu-context-tid"])
def test_huge_counts_are_refused(tmp_path, offset):
    v = (0, 14, 0)
    rest = bytearray(tail(v))
    if offset == 24:  # the first context's zone-tree count
        at = rest.index(p("QQ", 7, 1))
        rest[at + 8 : at + 16] = p("Q", 1 << 60)
    else:
        rest[offset : offset + 8] = p("Q", 1 << 60)
    if offset == 0:  # a progress hint only: loads fine
        cap = load(tmp_path, front(v) + bytes(rest))
        assert cap.rows("gpu_zones") == 2
        return
    with pytest.raises(CaptureFormatError):
        load(tmp_path, front(v) + bytes(rest))


def test_cpu_usage_with_an_unended_switch(tmp_path):
    v = (0, 14, 0)
    rest = tail(v)
    ended = p("Q", 2) + p("qqH", 10, 10, 1) + p("qqH", 10, 10, 2)
    # CPU 1: tid 7 from 10 with no recorded end, then tid 99 from 30 to 40.
    unended = p("Q", 2) + p("qqH", 10, -11, 1) + p("qqH", 31, 10, 2)
    assert rest.count(ended) == 1
    cap = load(tmp_path, front(v) + rest.replace(ended, unended))
    assert col(cap, "cpu_switches", "end") == [-1, 40]
    # The unended switch lasts until the next one on its CPU starts.
    assert col(cap, "cpu_usage", "time") == [0, 10, 30, 40]
    assert col(cap, "cpu_usage", "own") == [0, 1, 0, 0] and col(cap, "cpu_usage", "other") == [0, 0, 1, 0]
