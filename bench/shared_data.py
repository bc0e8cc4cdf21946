"""Where the benchmarks find the reference data: ../shared beside the repository, or $TRACY_MCP_SHARED."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("TRACY_MCP_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
CAPTURES = SHARED / "captures"


def largest_capture() -> Path | None:
    """The largest .tracy file in the shared captures, None when there is none."""
    found = sorted(CAPTURES.glob("*.tracy"), key=lambda p: p.stat().st_size)
    return found[-1] if found else None
