#!/bin/sh
# Builds the tail fuzz target and fuzzes the tail reader (GPU zones to the end of the payload) for a bounded time.
#   shim/fuzz/run_tail.sh [SECONDS] [BUILD_DIR]      (default 60 s, build/fuzz)
# Needs clang and the installed package (seeds are re-encoded from the shared captures by tail_seeds.py).
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build/fuzz}
shared=${TRACY_MCP_SHARED:-$root/../shared}
CXX=${CXX:-clang++} CC=${CC:-clang} cmake -S "$root/shim" -B "$build" -DTSHIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target tshim_fuzz_tail
corpus=$build/corpus_tail
mkdir -p "$corpus" "$build/findings"
if [ -d "$shared/captures" ]; then
  python "$root/shim/fuzz/tail_seeds.py" "$corpus" "$shared"/captures/*.tracy
fi
exec "$build/tshim_fuzz_tail" -max_total_time="$seconds" -max_len=40000 -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$build/findings/" "$corpus"
