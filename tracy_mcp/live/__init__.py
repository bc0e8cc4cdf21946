"""Live capture: attaching to a running Tracy-instrumented program (`session`) and hearing the UDP broadcasts such
programs send (`broadcast`). ``tracy_mcp.live.connect`` is the entry point."""

from tracy_mcp.live.session import (
    HANDSHAKE_TIMEOUT_S,
    SUPPORTED_PROTOCOLS,
    LiveCapture,
    LiveConnectionError,
    LiveUnavailableError,
    ProtocolMismatchError,
    connect,
)

__all__ = [
    "HANDSHAKE_TIMEOUT_S",
    "SUPPORTED_PROTOCOLS",
    "LiveCapture",
    "LiveConnectionError",
    "LiveUnavailableError",
    "ProtocolMismatchError",
    "connect",
]
