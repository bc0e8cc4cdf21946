"""Tool-call tracking: a readable markdown log of every MCP tool call, with rotation, ranking and global stats.

Wire it once: ``tracker = install_tracking(server)``. Inside a tool, optionally: ``note_instance``,
``note_resolution``, ``current_call_id`` / ``link_parent``. ``tracy-mcp stats`` prints ``global_stats_table()``.
"""

from __future__ import annotations

from pathlib import Path

from tracy_mcp.tracking.middleware import TrackingMiddleware, install_tracking
from tracy_mcp.tracking.settings import TrackingSettings
from tracy_mcp.tracking.stats import GlobalStats, ToolStats, format_global_table, rank
from tracy_mcp.tracking.tracker import (
    Tracker,
    current_call_id,
    link_parent,
    note_instance,
    note_resolution,
)


def global_stats_table(directory: Path | None = None) -> str:
    """The per-tool table over all recorded sessions, read from ``_global_stats.json`` in the tracking directory."""
    directory = TrackingSettings.from_env().directory if directory is None else Path(directory)
    stats = GlobalStats.load(directory)
    if not stats.tools:
        return f"No tool calls recorded yet in {directory}.\n"
    return format_global_table(stats.tools, stats.sessions, stats.updated)


__all__ = [
    "GlobalStats",
    "ToolStats",
    "Tracker",
    "TrackingMiddleware",
    "TrackingSettings",
    "current_call_id",
    "format_global_table",
    "global_stats_table",
    "install_tracking",
    "link_parent",
    "note_instance",
    "note_resolution",
    "rank",
]
