#!/usr/bin/env sh
# Installs whatever is missing (scripts/install.sh), then runs the test suite; what .ci/run runs.
# Usage: scripts/test.sh [PYTEST ARGS]     (e.g. scripts/test.sh tests/test_server.py -x)
set -eu
cd "$(dirname "$0")/.."
scripts/install.sh
# One worker per core (pytest-xdist), each test file on one worker (its module fixtures load a capture once): the
# suite takes about half the time on 2 cores. Every test isolates its servers (own dirs, ports), so they can overlap.
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile "$@"
