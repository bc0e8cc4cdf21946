"""Deprecated alias of `tracy_mcp.analysis.capture` (moved when the package was split into layers; kept one release)."""

from __future__ import annotations

from typing import Any

from tracy_mcp._moved import forward


def __getattr__(name: str) -> Any:
    return forward(__name__, "tracy_mcp.analysis.capture", name)
