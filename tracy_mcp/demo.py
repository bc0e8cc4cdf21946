"""The demo capture shipped with tracy-mcp, for a first run without a capture of one's own.

A game-like Python loop (120 frames, every 30th slowed by streaming a level chunk, two worker threads) profiled
by the tracypy Tracy client and recorded with tracy-mcp's own live capture and writer (scripts/demo/record.py).
Its name is "demo" wherever a capture path is asked for: `load_capture("demo")`, `tracy-mcp analyze demo`.
"""

from __future__ import annotations

from pathlib import Path

from tracy_mcp.errors import CaptureNotFoundError

DEMO_NAME = "demo"
DEMO_FILE = Path(__file__).parent / "data" / "demo.tracy"


def demo_capture_path() -> Path:
    """Where the demo capture is installed."""
    if not DEMO_FILE.is_file():
        raise CaptureNotFoundError(f"the demo capture is missing from this installation ({DEMO_FILE})")
    return DEMO_FILE


def resolve_capture(path: str) -> Path:
    """A capture path as given, or the demo capture for "demo" (when no file of that name exists)."""
    p = Path(path).expanduser()
    if path == DEMO_NAME and not p.exists():
        return demo_capture_path()
    return p
