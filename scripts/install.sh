#!/usr/bin/env sh
# Installs tracy-mcp with everything it needs on Debian/Ubuntu: system libraries, then the package and test tools.
# Usage: scripts/install.sh            (uses the `python3` on PATH; set PYTHON=... to choose another)
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if command -v apt-get >/dev/null 2>&1; then
    pkgs="g++ liblz4-dev libzstd-dev iproute2 util-linux"
    missing=""
    for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        $SUDO apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    fi
else
    echo "not a Debian system: install a C++17 compiler and the lz4 and zstd development packages yourself" >&2
fi
"$PYTHON" -m pip install -q --upgrade pip
"$PYTHON" -m pip install -q -e ".[dev]"
echo "tracy-mcp installed: $("$PYTHON" -m tracy_mcp --version)"
