#!/bin/sh
# Builds the libFuzzer target of the live protocol decoder and fuzzes it for a bounded time.
#   shim/fuzz/run_live.sh [SECONDS] [BUILD_DIR]      (default 60 s, build/fuzz)
# Needs clang. Seeds: a few hand-made valid event streams of both protocols (fuzz/live_seeds.py).
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build/fuzz}
CXX=${CXX:-clang++} CC=${CC:-clang} cmake -S "$root/shim" -B "$build" -DTSHIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target tshim_fuzz_live
corpus=$build/corpus_live
mkdir -p "$corpus" "$build/findings_live"
python3 "$root/shim/fuzz/live_seeds.py" "$corpus"
exec "$build/tshim_fuzz_live" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$build/findings_live/" "$corpus"
