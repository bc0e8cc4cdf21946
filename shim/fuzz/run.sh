#!/bin/sh
# Builds the libFuzzer targets and fuzzes one of them for a bounded time.
#   shim/fuzz/run.sh [TARGET] [SECONDS] [BUILD_DIR]
#     TARGET: load (the whole capture reader; default), tail (GPU zones to the end of the payload),
#             live (the live protocol decoder and snapshot build)
#     SECONDS: default 60; BUILD_DIR: default build/fuzz
# Needs clang (TRACY_MCP_DEV_TOOLS=1 scripts/install.sh). Seeds: payload prefixes of the captures in
# ../shared/captures and captures/incoming (or $TRACY_MCP_SHARED/...) for load, plus the real 0.9.1 capture converted
# into every 0.7 / 0.8 layout (tests/legacy_versions.py); small payloads re-encoded from them in every tail layout
# 0.7.0 .. 0.14 for tail (needs the package installed in $PYTHON, default python3); hand-made event streams of both
# protocols for live.
# Crashes are written to BUILD_DIR/findings-TARGET/ and fail the run.
set -eu
target=${1:-load}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${3:-$root/build/fuzz}
shared=${TRACY_MCP_SHARED:-$root/../shared}
python=${PYTHON:-python3}
case "$target" in
  load) max_len=400000 ;;
  tail) max_len=40000 ;;
  live) max_len=65536 ;;
  *) echo "unknown fuzz target '$target' (load, tail or live)" >&2; exit 2 ;;
esac
CXX=${CXX:-clang++} CC=${CC:-clang} cmake -S "$root/shim" -B "$build" -DTSHIM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target "tshim_fuzz_$target" tshim_payload_dump
corpus=$build/corpus-$target
findings=$build/findings-$target
mkdir -p "$corpus" "$findings"
case "$target" in
  load)
    if [ -d "$shared/captures" ]; then
      for c in "$shared"/captures/*.tracy "$shared"/captures/incoming/*.tracy; do
        [ -f "$c" ] || continue
        stem=$(basename "$c" .tracy)
        for n in 4096 65536 400000; do "$build/tshim_payload_dump" "$c" "$corpus/$stem-$n" "$n"; done
      done
      # file versions 0.7.0 .. 0.8.x: the real 0.9.1 capture converted into each older layout
      for c in "$shared"/captures/incoming/clientapp-0.9.1.tracy "$shared"/captures/clientapp-0.9.1.tracy; do
        if [ -f "$c" ]; then "$python" "$root/tests/legacy_versions.py" "$corpus" "$c"; fi
      done
    fi ;;
  tail)
    if [ -d "$shared/captures" ]; then
      "$python" "$root/shim/fuzz/tail_seeds.py" "$corpus" "$shared"/captures/*.tracy "$shared"/captures/incoming/*.tracy
    fi ;;
  live)
    "$python" "$root/shim/fuzz/live_seeds.py" "$corpus" ;;
esac
exec "$build/tshim_fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$findings/" "$corpus"
