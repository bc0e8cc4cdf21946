"""Capture load speed and memory of the native engine, against upstream Tracy's own figures for the same file.

Each run is a fresh Python process (so peak RSS is that of one load): it imports the engine, opens the capture and
waits until READY (tables usable) and COMPLETE (statistics built, upstream's "background done"). Printed: median
seconds (wall and CPU), MB/s of the file and of the decompressed payload, zones/s, peak RSS, and the ratios against
upstream's median load time and peak RSS (from ../shared/golden/<capture>.json "timing", measured the same way: a fresh
python3.11 process per run, create + background, ru_maxrss).

The 20 M-zone shape (`--synthetic`, a capture bench/synthetic.py writes with our writer: 20 M zones, zstd 3, 4
streams) has no upstream figure measured on the same file: upstream's engine is not installed here. It is compared
with the figure issue 16 states for upstream 0.14.0 on a 20 M-zone capture of that shape (26 MB zstd, 4 streams:
0.87 s, 723 MiB; fresh process, median of 3, this machine kind), and, per zone, with upstream's rate on
medium-0.14.0 (the golden timing: same file, same method).

With `--reference CMD`, another engine is measured in the same run, each of its runs right after one of ours (so
both see the same machine): CMD is run as `CMD CAPTURE` in a fresh process and prints one JSON line holding
`total_s` (open to statistics done) and `peak_rss_kb`, e.g. a small harness around upstream's engine that you build
outside this repository. Its verdict is printed first: a reference measured beside ours beats figures from another
session of the machine.

Usage: python bench/load.py [CAPTURE.tracy | --synthetic] [--runs 5] [--reference CMD]
       (default: the largest shared capture)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from shared_data import CAPTURES, SHARED, largest_capture
from synthetic import synthetic_capture

# Issue 16: upstream 0.14.0's engine through its Python binding, a 20 M-zone capture (26 MB, zstd 3, 4 streams).
ISSUE_UPSTREAM_20M = {"zones": 20_000_000, "total_s": 0.87, "peak_rss_kb": 723 * 1024}
# The same table's figures for two shared captures (another run of this machine kind than the golden timing, which
# says 0.201 s and 0.297 s): both references are printed, the stricter one is the issue's.
ISSUE_UPSTREAM = {"medium-0.14.0": (0.156, 176 * 1024), "tracypy-0.13.1": (0.199, 210 * 1024)}
SPEED_GOAL = 1.5  # at least 1.5x upstream's speed ...
RSS_GOAL = 0.8  # ... at no more than 0.8x its peak RSS

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from tracy_mcp.engine import COMPLETE, READY, NativeCapture
t_import = time.perf_counter()
before = resource.getrusage(resource.RUSAGE_SELF)
base_kb = before.ru_maxrss
cap = NativeCapture(sys.argv[1])
cap.wait(READY)
t_ready = time.perf_counter()
cap.wait(COMPLETE)
t_done = time.perf_counter()
m = cap.meta()
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"ready_s": t_ready - t_import, "total_s": t_done - t_import, "base_kb": base_kb, "cpu_s": cpu,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "zones": m["zone_count"], "payload": m["payload_size"], "size": m["file_size"]}))
"""


def verdict(speed: float, rss: float) -> None:
    ok = speed >= SPEED_GOAL and rss <= RSS_GOAL
    print(
        f"speed {speed:.2f}x upstream (goal >= {SPEED_GOAL}), peak RSS {rss:.2f}x upstream (goal <= {RSS_GOAL}): "
        + ("meets" if ok else "MISSES")
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture", nargs="?", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--synthetic", action="store_true", help="the 20 M-zone synthetic capture (bench/synthetic.py)")
    ap.add_argument("--reference", help="a command measuring another engine on the capture, in the same run")
    args = ap.parse_args()
    capture = synthetic_capture() if args.synthetic else args.capture
    if capture is None:
        capture = largest_capture()
        if capture is None:
            print(f"no captures in {CAPTURES}; pass a capture path", file=sys.stderr)
            return 2

    runs, ref_runs = [], []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(capture)], check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout))
        if args.reference:
            out = subprocess.run([*args.reference.split(), str(capture)], check=True, capture_output=True, text=True)
            ref_runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in ("ready_s", "total_s", "cpu_s", "peak_rss_kb", "base_kb")}
    first = runs[0]
    mb = first["size"] / 1e6
    print(
        f"capture: {capture.name}  ({mb:.1f} MB file, {first['payload'] / 1e6:.1f} MB payload, {first['zones']} zones)"
    )
    print(f"runs: {args.runs}, fresh process each, median")
    best = min(r["total_s"] for r in runs)
    print(f"load to READY:    {med['ready_s']:.3f} s")
    print(f"load to COMPLETE: {med['total_s']:.3f} s  (best run {best:.3f} s)")
    print(
        f"CPU time of the load (all threads): {med['cpu_s']:.3f} s"
        "  (wall time suffers when other processes share the cores)"
    )
    print(
        f"speed: {mb / med['total_s']:.1f} MB/s file, {first['payload'] / 1e6 / med['total_s']:.1f} MB/s payload, "
        f"{first['zones'] / med['total_s'] / 1e6:.2f} M zones/s"
    )
    print(
        f"peak RSS: {med['peak_rss_kb'] / 1024:.0f} MiB (of which {med['base_kb'] / 1024:.0f} MiB before loading: "
        "interpreter, cffi, the engine library)"
    )

    if ref_runs:
        ref_s = statistics.median(r["total_s"] for r in ref_runs)
        ref_kb = statistics.median(r["peak_rss_kb"] for r in ref_runs)
        best_ref = min(r["total_s"] for r in ref_runs)
        print(
            f"reference (--reference, measured in this run): {ref_s:.3f} s (best {best_ref:.3f} s), "
            f"{ref_kb / 1024:.0f} MiB peak RSS"
        )
        verdict(ref_s / med["total_s"], med["peak_rss_kb"] / ref_kb)

    golden = SHARED / "golden" / f"{capture.stem}.json"
    up = json.loads(golden.read_text()).get("timing", {}).get("median") if golden.is_file() else None
    if up:
        print(
            f"upstream (golden timing, same file): {up['total_s']:.3f} s, {up['peak_rss_kb'] / 1024:.0f} MiB peak RSS"
        )
        verdict(up["total_s"] / med["total_s"], med["peak_rss_kb"] / up["peak_rss_kb"])
        if capture.stem in ISSUE_UPSTREAM:
            up_s, up_kb = ISSUE_UPSTREAM[capture.stem]
            print(f"upstream (issue 16's table, same file): {up_s:.3f} s, {up_kb / 1024:.0f} MiB peak RSS")
            verdict(up_s / med["total_s"], med["peak_rss_kb"] / up_kb)
    elif capture.name.startswith("synthetic-"):
        ref = ISSUE_UPSTREAM_20M
        scale = first["zones"] / ref["zones"]
        up_s, up_kb = ref["total_s"] * scale, ref["peak_rss_kb"] * scale
        print(
            f"upstream (issue 16, a 20 M-zone capture of this shape, scaled to {first['zones'] / 1e6:.1f} M zones): "
            f"{up_s:.3f} s, {up_kb / 1024:.0f} MiB peak RSS"
        )
        verdict(up_s / med["total_s"], med["peak_rss_kb"] / up_kb)
        medium = SHARED / "golden" / "medium-0.14.0.json"
        if medium.is_file():
            m_golden = json.loads(medium.read_text())
            m_up, m_zones = m_golden["timing"]["median"], m_golden["counts"]["get_zone_count"]
            ns = m_up["total_s"] / m_zones * 1e9
            print(
                f"upstream's rate on medium-0.14.0 (golden timing): {ns:.1f} ns/zone "
                f"-> {ns * first['zones'] / 1e9:.3f} s "
                f"for these zones; ours {med['total_s'] / first['zones'] * 1e9:.1f} ns/zone "
                f"(ratio {ns / (med['total_s'] / first['zones'] * 1e9):.2f})"
            )
    else:
        print("(no upstream figures for this capture)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
