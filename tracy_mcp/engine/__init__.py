"""The bridge to the native engine: loading the library (`_native`), handles on captures and live sessions
(`handles`), and the read-only views the analysis layer builds on (`data`, `strings`, `srclocs`, `zonetree`).

Nothing in this package interprets the data for users; it hands out columns. The handle API is re-exported here, so
callers write ``from tracy_mcp import engine`` and ``engine.NativeCapture``.
"""

from tracy_mcp.engine.handles import (
    COMPLETE,
    FAILED,
    LIVE_CONNECTING,
    LIVE_DISCONNECTED,
    LIVE_END_NAMES,
    LIVE_FAILED,
    LIVE_FINISHING,
    LIVE_STATE_NAMES,
    LIVE_STREAMING,
    LOADING,
    READY,
    NativeCapture,
    NativeLive,
)

__all__ = [
    "COMPLETE",
    "FAILED",
    "LIVE_CONNECTING",
    "LIVE_DISCONNECTED",
    "LIVE_END_NAMES",
    "LIVE_FAILED",
    "LIVE_FINISHING",
    "LIVE_STATE_NAMES",
    "LIVE_STREAMING",
    "LOADING",
    "READY",
    "NativeCapture",
    "NativeLive",
]
