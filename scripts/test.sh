#!/usr/bin/env sh
# Installs whatever is missing (scripts/install.sh), then runs the test suite; what .ci/run runs.
# Usage: scripts/test.sh [PYTEST ARGS]     (e.g. scripts/test.sh tests/test_server.py -x)
set -eu
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
