"""Attaching to a running Tracy-instrumented program (the live engine plugs in here).

`connect` is the one entry point the server calls, after its UDP broadcast pre-flight (broadcast.py) has checked
that the program speaks a protocol we support. It returns an object with the capture API (tracy_mcp.Capture's
methods, plus is_connected() and disconnect()).
"""

from __future__ import annotations

from typing import Any


class LiveUnavailableError(NotImplementedError):
    """This build has no live engine."""


def connect(address: str, port: int, memory_limit_bytes: int) -> Any:
    """Connect to the Tracy client at address:port and start receiving its data; stop receiving once the capture
    holds more than `memory_limit_bytes`. Raises on handshake failure with the reason."""
    raise LiveUnavailableError(
        "live capture is not available in this build of tracy-mcp yet; save a .tracy file with Tracy's profiler "
        "or capture tool and use load_capture"
    )
