#!/usr/bin/env sh
# The first run: installs whatever is missing (scripts/install.sh), then loads the demo capture shipped with
# tracy-mcp and prints what it holds and its headline findings, and how to start the server for an assistant.
# Usage: scripts/demo.sh [CAPTURE]     (default: the bundled demo capture)
set -eu
cd "$(dirname "$0")/.."
scripts/install.sh >&2
exec .venv/bin/tracy-mcp analyze "${1:-demo}"
