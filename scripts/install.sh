#!/usr/bin/env sh
# Installs tracy-mcp and everything it needs on Debian/Ubuntu: system packages, then a virtual environment .venv/
# holding the package (editable) and its test and development tools.
# Usage: scripts/install.sh        (PYTHON=python3.12 scripts/install.sh picks the interpreter;
#                                   TRACY_MCP_DEV_TOOLS=1 also installs clang for the fuzz target;
#                                   TRACY_MCP_JAVA=0 skips the Java runtime the Spark test needs)
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if command -v apt-get >/dev/null 2>&1; then
    # compiler, compression libraries, and the tools the network-namespace tests use
    pkgs="g++ liblz4-dev libzstd-dev iproute2 util-linux"
    "$PYTHON" -c "import venv, ensurepip" 2>/dev/null || pkgs="$pkgs python3-venv"
    missing=""
    for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        $SUDO apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    fi
else
    echo "not a Debian system: install a C++17 compiler and the lz4 and zstd development packages yourself" >&2
fi
# Java for the Spark test of the capture dataset (pyspark, in the dev extras, runs on a JVM); TRACY_MCP_JAVA=0 skips
# it, and that test then skips and says why.
if [ "${TRACY_MCP_JAVA:-1}" = 1 ] && command -v apt-get >/dev/null 2>&1 && ! command -v java >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless
fi
# Optional, for developers: clang for the capture reader's fuzz target (shim/fuzz/run.sh).
if [ "${TRACY_MCP_DEV_TOOLS:-0}" = 1 ] && command -v apt-get >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
# The real Tracy clients that the live and broadcast tests run inside a network namespace (tracypy needs Python
# 3.13); optional: without them those tests skip and say why. Installing them does not start them.
if PYENV_VERSION="${PYENV_VERSION:-}${PYENV_VERSION:+:}3.13.0" python3.13 -m pip install -q tracypy pytracy \
        >/dev/null 2>&1; then
    echo "test clients tracypy and pytracy installed for python3.13"
else
    echo "note: no python3.13 to install the tracypy/pytracy test clients into; the live-client tests will skip"
fi
echo "tracy-mcp installed in .venv: $(.venv/bin/tracy-mcp --version)"
