"""Capture load speed and memory of the native engine, against upstream Tracy's own figures for the same file.

Each run is a fresh Python process (so peak RSS is that of one load): it imports the engine, opens the capture and
waits until READY (tables usable) and COMPLETE (statistics built, upstream's "background done"). Printed: median
seconds (wall and CPU), MB/s of the file and of the decompressed payload, zones/s, peak RSS, and the ratios against
upstream's median load time and peak RSS (from ../shared/golden/<capture>.json "timing", measured the same way: a fresh
python3.11 process per run, create + background, ru_maxrss).

Usage: python bench/load.py [CAPTURE.tracy] [--runs 5]     (default: the largest capture in ../shared/captures)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from shared_data import CAPTURES, SHARED, largest_capture

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture", nargs="?", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    capture = args.capture
    if capture is None:
        capture = largest_capture()
        if capture is None:
            print(f"no captures in {CAPTURES}; pass a capture path", file=sys.stderr)
            return 2

    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(capture)], check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout))
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
        "interpreter, numpy, cffi)"
    )

    golden = SHARED / "golden" / f"{capture.stem}.json"
    if golden.is_file():
        up = json.loads(golden.read_text()).get("timing", {}).get("median")
        if up:
            print(f"upstream (golden timing): {up['total_s']:.3f} s total, {up['peak_rss_kb'] / 1024:.0f} MiB peak RSS")
            print(
                f"ratio upstream / ours: time {up['total_s'] / med['total_s']:.2f}, "
                f"peak RSS {up['peak_rss_kb'] / med['peak_rss_kb']:.2f}  (> 1: we are faster / smaller)"
            )
    else:
        print("(no upstream figures for this capture)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
