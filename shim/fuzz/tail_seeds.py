"""Writes seeds for the tail fuzz target (fuzz_tail.cpp): for each capture, the tail sections (GPU zones to the
end of the payload) re-encoded from the engine's tables with only a few items per section, so that seeds stay
small and still reach every tail section. Byte 0 of a seed selects the file version the target reads it as
(VERSIONS, in the order of fuzz_tail.cpp's kVersions); every capture is re-encoded in the layout of each of them.

usage: python shim/fuzz/tail_seeds.py OUT_DIR CAPTURE.tracy...
"""

import os
import struct
import sys

import numpy as np

from tracy_mcp.engine import READY, NativeCapture


def enc(cap, ver, N=40):
    out = bytearray()

    def col(t, c):
        return cap.column(t, c)

    def P(fmt, *v):
        out.extend(struct.pack("<" + fmt, *v))

    def u24(v):
        out.extend(struct.pack("<I", v)[:3])

    # GPU
    P("QQ", 0, 0)
    nctx = cap.rows("gpu_contexts")
    P("Q", nctx)
    z = {c: col("gpu_zones", c) for c in cap.columns("gpu_zones")}
    for i in range(nctx):
        P(
            "QBQfB",
            int(col("gpu_contexts", "tid")[i]),
            int(col("gpu_contexts", "calibration")[i]),
            int(col("gpu_contexts", "count")[i]),
            float(col("gpu_contexts", "period")[i]),
            int(col("gpu_contexts", "type")[i]),
        )
        if ver >= 0x000706:
            u24(1)  # name
        if ver >= 0x000709:
            P("Q", 0)  # overflow
        if ver >= 0x000C04:
            P("Q", 1)
            P("q", 5)
            u24(2)
        tb, te = int(col("gpu_contexts", "timeline_begin")[i]), int(col("gpu_contexts", "timeline_end")[i])
        P("Q", te - tb)
        for t in range(tb, te):
            zb = int(col("gpu_timelines", "zone_begin")[t])

            # first root subtree only, children capped
            def emit(r, ref):
                P("q", int(z["cpu_start"][r]) - ref[0])
                ref[0] = int(z["cpu_start"][r])
                P("q", int(z["gpu_start"][r]) - ref[1])
                ref[1] = int(z["gpu_start"][r])
                P("h", int(z["srcloc_id"][r]))
                u24(int(z["callstack"][r]))
                P("H", int(z["thread_index"][r]))
                kids = []
                k = r + 1
                while k < int(z["subtree_end"][r]) and len(kids) < 3:
                    kids.append(k)
                    k = int(z["subtree_end"][k])
                P("Q", len(kids))
                for k in kids:
                    emit(k, ref)
                P("q", int(z["cpu_end"][r]) - ref[0])
                ref[0] = int(z["cpu_end"][r])
                P("q", int(z["gpu_end"][r]) - ref[1])
                ref[1] = int(z["gpu_end"][r])
                if ver >= 0x000C04:
                    P("H", int(z["query_id"][r]))

            P("QQ", int(col("gpu_timelines", "tid")[t]), 1)
            emit(zb, [0, 0])
        if ver >= 0x000C04:
            P("Q", 1)
            P("HQ", 3, 1)
            P("qd", 7, 1.5)
    # plots (file plots only)
    pt = col("plots", "type")
    pool = col("plots", "pool")
    rows = [i for i in range(len(pt)) if pool[i] < 0]
    P("Q", len(rows))
    for i in rows:
        P("BB", int(pt[i]), int(col("plots", "format")[i]))
        if ver >= 0x000803:
            P("BBI", int(col("plots", "show_steps")[i]), int(col("plots", "fill")[i]), int(col("plots", "color")[i]))
        P("Qdd", int(col("plots", "name_ptr")[i]), float(col("plots", "min")[i]), float(col("plots", "max")[i]))
        if ver >= 0x00070A:
            P("d", float(col("plots", "sum")[i]))
        b, e = int(col("plots", "point_begin")[i]), int(col("plots", "point_end")[i])
        e = min(e, b + N)
        P("Q", e - b)
        ref = 0
        for k in range(b, e):
            t = int(col("plot_points", "time")[k])
            P("qd", t - ref, float(col("plot_points", "value")[k]))
            ref = t
    # memory
    pools = list(range(cap.rows("mem_pools")))
    if ver >= 0x000703:
        P("QQ", len(pools), 0)
    else:  # one unnamed pool: the default one (or an empty one)
        pools = [i for i in pools if int(col("mem_pools", "key")[i]) == 0][:1]
        if not pools:
            P("Q" * 6, 0, 0, 0, 0, 0, 0)
    for i in pools:
        b, e = int(col("mem_pools", "event_begin")[i]), int(col("mem_pools", "event_end")[i])
        e = min(e, b + N)
        if ver >= 0x000703:
            P("Q", int(col("mem_pools", "key")[i]))
        P("QQQ", e - b, 0, 0)
        ref = 0
        for k in range(b, e):
            P("QQ", int(col("mem_events", "ptr")[k]), int(col("mem_events", "size")[k]))
            u24(int(col("mem_events", "cs_alloc")[k]))
            u24(int(col("mem_events", "cs_free")[k]))
            ta, tf = int(col("mem_events", "time_alloc")[k]), int(col("mem_events", "time_free")[k])
            P(
                "qqHH",
                ta - ref,
                tf - ta if tf >= 0 else tf,
                int(col("mem_events", "thread_alloc")[k]),
                int(col("mem_events", "thread_free")[k]),
            )
            ref = ta
        P("QQQ", int(col("mem_pools", "high")[i]), int(col("mem_pools", "low")[i]), int(col("mem_pools", "usage")[i]))
        if ver >= 0x000703:
            P("Q", int(col("mem_pools", "name_ptr")[i]))
    # callstacks
    n = min(cap.rows("callstacks") - 1, N)
    P("Q", n)
    for i in range(1, n + 1):
        b, e = int(col("callstacks", "frame_begin")[i]), int(col("callstacks", "frame_end")[i])
        P("H", e - b)
        for k in range(b, e):
            P("Q", int(col("callstack_frame_ids", "id")[k]))
    n = min(cap.rows("callstack_frames"), N)
    P("Q", n)
    for i in range(n):
        b, e = int(col("callstack_frames", "entry_begin")[i]), int(col("callstack_frames", "entry_end")[i])
        P("QB", int(col("callstack_frames", "id")[i]), e - b)
        u24(3)
        for k in range(b, e):
            u24(4)
            u24(0)
            P("IQ", int(col("callstack_frame_entries", "line")[k]), int(col("callstack_frame_entries", "sym_addr")[k]))
    P("Q", 2)
    P("QB", 0, 3)
    P("QB", 12345, 2)  # app info
    if ver >= 0x000708:
        P("I", 4)
        out.extend(b"dict")
    P("Q", 1)
    P("HHB", 4, 4, 0)
    out.extend(bytes(8))  # frame images
    # context switches
    nt = min(cap.rows("ctx_switch_threads"), 4)
    P("Q", nt)
    for i in range(nt):
        b, e = int(col("ctx_switch_threads", "switch_begin")[i]), int(col("ctx_switch_threads", "switch_end")[i])
        e = min(e, b + N)
        P("QQ", int(col("ctx_switch_threads", "tid")[i]), e - b)
        ref = 0
        for k in range(b, e):
            w, s, en = (
                int(col("ctx_switches", "wakeup")[k]),
                int(col("ctx_switches", "start")[k]),
                int(col("ctx_switches", "end")[k]),
            )
            P(
                "qqqBbb",
                w - ref,
                s - w,
                en - s,
                int(col("ctx_switches", "cpu")[k]),
                int(col("ctx_switches", "reason")[k]),
                int(col("ctx_switches", "state")[k]),
            )
            if ver >= 0x00070C:
                P("Q", int(col("ctx_switches", "other_tid")[k]))
            ref = en
            if ver >= 0x000B03:
                P("B", int(col("ctx_switches", "wakeup_cpu")[k]))
    cpu = col("cpu_switches", "cpu")
    P("Q", 0)
    for c in range(256):
        rows = np.nonzero(cpu == c)[0][:8]
        P("Q", len(rows))
        ref = 0
        for k in rows:
            s, en = int(col("cpu_switches", "start")[k]), int(col("cpu_switches", "end")[k])
            P("qqH", s - ref, en - s, int(col("cpu_switches", "thread_index")[k]))
            ref = en
    n = min(cap.rows("tid_pids"), N)
    P("Q", n)
    for i in range(n):
        P("QQ", int(col("tid_pids", "tid")[i]), int(col("tid_pids", "pid")[i]))
    n = min(cap.rows("cpu_thread_data"), N)
    P("Q", n)
    for i in range(n):
        P(
            "QqII",
            int(col("cpu_thread_data", "tid")[i]),
            int(col("cpu_thread_data", "running_time")[i]),
            int(col("cpu_thread_data", "running_regions")[i]),
            int(col("cpu_thread_data", "migrations")[i]),
        )
    n = min(cap.rows("symbols"), N)
    P("QQQ", n, 0, n)
    for i in range(n):
        P("Q", int(col("symbols", "addr")[i]))
        u24(1)
        u24(2)
        P("I", int(col("symbols", "line")[i]))
        u24(0)
        u24(0)
        P("IB", 0, int(col("symbols", "is_inline")[i]))
        u24(int(col("symbols", "size")[i]))
    P("Q", 2)
    P("QI", 0x1000, 4)
    out.extend(b"\x90\x90\xc3\x00")
    P("QI", 0x2000, 0)
    if ver < 0x000805:  # code addresses per source line
        P("QQHQQ", 1, 1 << 32 | 7, 2, 0x1000, 0x10)
    if ver >= 0x000709:  # code -> symbol map, hardware samples
        P("Q", 1)
        P("QQ", 0x1001, 0x1000)
        P("Q", 1)
        P("Q", 0x1001)
        for _kind in range(6):
            P("Q", 2)
            P("qq", 10, 5)
    P("Q", 1)
    P("I", 5)
    out.extend(b"a.cpp")
    P("I", 3)
    out.extend(b"x=1")
    return bytes(out)


# Byte 0 of a seed -> file version, as fuzz_tail.cpp's kVersions: every tail layout from 0.7.0 to 0.14.
VERSIONS = [
    0x000E00, 0x000D01, 0x000C03, 0x000B02, 0x000A00, 0x000804, 0x000802, 0x00070C, 0x000708, 0x000702, 0x000700,
]  # fmt: skip

for p in sys.argv[2:]:
    if not os.path.isfile(p):  # an unmatched glob (e.g. no captures/incoming)
        continue
    cap = NativeCapture(p)
    cap.wait(READY, timeout=120)
    own = cap.meta()["file_version"]
    stem = p.split("/")[-1].removesuffix(".tracy")
    for sel, ver in enumerate(VERSIONS):  # the capture's own layout (or 0.14's) with more items, the others with few
        full = ver == own or (sel == 0 and own not in VERSIONS)
        open(f"{sys.argv[1]}/{stem}-v{sel}", "wb").write(bytes([sel]) + enc(cap, ver, 40 if full else 10))
