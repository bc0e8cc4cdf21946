"""Synthetic captures of a chosen size for the benchmarks, built by the engine (tshim_synthetic) and written with
our own writer like a capture tool writes them (zstd level 3, 4 streams). Cached, since building one takes a while:
in $TRACY_MCP_BENCH_DIR, else the system's temporary folder (never in the repository: they are large).

    python bench/synthetic.py [--zones 20000000] [--threads 4]      # prints the path
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracy_mcp.engine import NativeCapture
from tracy_mcp.export.save import save_capture

CACHE = Path(os.environ.get("TRACY_MCP_BENCH_DIR") or Path(tempfile.gettempdir()) / "tracy-mcp-bench")


def synthetic_capture(zones: int = 20_000_000, threads: int = 4, seed: int = 1, verbose: bool = True) -> Path:
    """The path of a synthetic capture with about `zones` worker zones, built on first use."""
    path = CACHE / f"synthetic-{zones}-{threads}t-s{seed}.tracy"
    if not path.is_file():
        # Built in a child process: a benchmark's fresh processes are forked from this one, and Linux carries a
        # process's peak RSS across exec, so building it here would show as every later run's peak RSS.
        cmd = [sys.executable, __file__, "--zones", str(zones), "--threads", str(threads), "--seed", str(seed)]
        subprocess.run(cmd, check=True, stdout=None if verbose else subprocess.DEVNULL)
    return path


def _build(path: Path, zones: int, threads: int, seed: int) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    native = NativeCapture.synthetic(zones, threads, seed)
    result = save_capture(native, path, compression="zstd", level=3, streams=4, overwrite=True)
    del native
    print(
        f"built {path.name}: {result.compressed_bytes / 1e6:.1f} MB ({result.uncompressed_bytes / 1e6:.0f} MB "
        f"payload) in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", type=int, default=20_000_000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    path = CACHE / f"synthetic-{args.zones}-{args.threads}t-s{args.seed}.tracy"
    if not path.is_file():
        _build(path, args.zones, args.threads, args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
