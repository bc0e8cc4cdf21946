"""Save speed: writes the largest shared capture with LZ4 and zstd (level 3) and prints MB/s of payload, the
compression ratio and, as a reference measured in the same run, how fast the same capture loads.

    python bench/save.py [capture.tracy] [--runs 3] [--streams 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shared_data import CAPTURES, largest_capture

from tracy_mcp import open_capture


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture", nargs="?", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--streams", type=int, default=4)
    args = ap.parse_args()
    path = args.capture
    if path is None:
        path = largest_capture()
        if path is None:
            print(f"no capture given and none found in {CAPTURES}", file=sys.stderr)
            return 2

    t0 = time.perf_counter()
    with open_capture(path) as ctx:
        load_s = time.perf_counter() - t0
        payload = int(ctx._require_native().meta()["payload_size"])
        print(
            f"{path.name}: {path.stat().st_size / 1e6:.1f} MB file, {payload / 1e6:.1f} MB payload, "
            f"loaded in {load_s:.2f} s ({payload / 1e6 / load_s:.0f} MB/s)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            for compression, level in (("lz4", 1), ("zstd", 3)):
                times = []
                for i in range(args.runs):
                    r = ctx.save(
                        Path(tmp) / f"{compression}-{i}.tracy",
                        compression=compression,
                        level=level,
                        streams=args.streams,
                    )
                    times.append(r.seconds)
                best, med = min(times), statistics.median(times)
                label = f"{compression} level {level}" if compression == "zstd" else compression
                print(
                    f"save {label:12} x{args.streams} streams: "
                    f"{r.uncompressed_bytes / 1e6 / med:7.0f} MB/s median ({r.uncompressed_bytes / 1e6 / best:.0f} "
                    f"best), ratio {r.ratio:.2f}, {r.compressed_bytes / 1e6:.1f} MB, {med:.2f} s, "
                    f"{med / load_s:.2f}x the load time"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
