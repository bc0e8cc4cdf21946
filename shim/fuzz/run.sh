#!/bin/sh
# Builds the libFuzzer target and fuzzes the capture reader for a bounded time.
#   shim/fuzz/run.sh [SECONDS] [BUILD_DIR]      (default 60 s, build/fuzz)
# Needs clang (apt-get install clang). Seeds: payload prefixes of the captures in ../shared/captures when present
# (or $TRACY_MCP_SHARED/captures); findings are written to BUILD_DIR/findings and fail the run.
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build/fuzz}
shared=${TRACY_MCP_SHARED:-$root/../shared}
CXX=${CXX:-clang++} CC=${CC:-clang} cmake -S "$root/shim" -B "$build" -DTSHIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target tshim_fuzz tshim_payload_dump
corpus=$build/corpus
mkdir -p "$corpus" "$build/findings"
if [ -d "$shared/captures" ]; then
  for c in "$shared"/captures/*.tracy; do
    stem=$(basename "$c" .tracy)
    for n in 4096 65536 400000; do "$build/tshim_payload_dump" "$c" "$corpus/$stem-$n" "$n"; done
  done
fi
exec "$build/tshim_fuzz" -max_total_time="$seconds" -max_len=400000 -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$build/findings/" "$corpus"
