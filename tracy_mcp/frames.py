"""Frame sets: counts, statistics, boundaries and frame times (upstream-compatible) plus percentiles."""

from __future__ import annotations

from tracy_mcp.query_base import QueryBase


class FrameQueries(QueryBase):
    def get_frame_count(self) -> int:
        """Frames of the base frame set."""
        v = self._db.meta_get("frame_count")
        return int(v) if isinstance(v, int) else 0
