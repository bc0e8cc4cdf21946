"""Exceptions raised by tracy_mcp, and the mapping from the engine's status codes."""

from __future__ import annotations


class TracyMcpError(Exception):
    """Base class of every error tracy_mcp raises on purpose."""


class EngineError(TracyMcpError):
    """The native engine failed or is unusable."""


class CaptureFormatError(EngineError):
    """The file is not a readable Tracy capture (bad magic, truncated, corrupt)."""


class UnsupportedVersionError(CaptureFormatError):
    """The capture was written by a Tracy version this engine does not read."""


class CaptureNotFoundError(TracyMcpError, FileNotFoundError):
    """The capture file does not exist or cannot be opened."""


class NotFoundError(TracyMcpError, KeyError):
    """A table, column, key or name is unknown."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


_STATUS = {
    -1: (EngineError, "invalid argument"),
    -2: (EngineError, "capture is not ready"),
    -3: (NotFoundError, "not found"),
    -4: (CaptureNotFoundError, "I/O error"),
    -5: (CaptureFormatError, "bad capture"),
    -6: (UnsupportedVersionError, "unsupported version"),
    -7: (EngineError, "out of memory"),
    -8: (EngineError, "internal error"),
}


def error_for_status(status: int, message: str) -> TracyMcpError:
    cls, default = _STATUS.get(status, (EngineError, "engine error"))
    return cls(message or default)
