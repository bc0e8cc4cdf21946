"""Picture methods of `Capture`: frame times, a flame graph of the call tree, a timeline. Each returns a matplotlib
Figure (an eval that ends with one returns it as an image) and, given `path`, also writes it as a PNG file.
matplotlib is the optional extra ``plot``; without it these methods raise an ImportError saying so."""

from __future__ import annotations

import os
from typing import Any


class PlotMethods:
    def plot_frames(
        self, *, frame_set: str | None = None, budget_ns: int | None = None, path: str | os.PathLike[str] | None = None
    ) -> Any:
        """Frame times over the capture (slow and start-up frames marked, median and budget lines) beside their
        distribution; a frame set other than the base one by name."""
        from tracy_mcp.plots.frames import plot_frames

        return _saved(plot_frames(self, frame_set=frame_set, budget_ns=budget_ns), path)  # type: ignore[arg-type]

    def plot_flame(
        self,
        thread: Any = None,
        start: int | None = None,
        end: int | None = None,
        frame_range: Any = None,
        name: str | None = None,
        per_thread: bool = True,
        *,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """Flame graph of the call tree (arguments as for call_tree): box width = total time of a call path."""
        from tracy_mcp.plots.flame import plot_flame

        fig = plot_flame(
            self,  # type: ignore[arg-type]
            thread=thread,
            start=start,
            end=end,
            frame_range=frame_range,
            name=name,
            per_thread=per_thread,
        )
        return _saved(fig, path)

    def plot_timeline(
        self,
        start: int | None = None,
        end: int | None = None,
        *,
        thread: Any = None,
        frame_range: Any = None,
        max_depth: int = 12,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """Zones of [start, end) ns (or of frame_range) per thread, stacked by depth, with frame boundaries and
        messages; zones under a pixel wide are left out."""
        from tracy_mcp.plots.timeline import plot_timeline

        fig = plot_timeline(
            self,  # type: ignore[arg-type]
            start,
            end,
            thread=thread,
            frame_range=frame_range,
            max_depth=max_depth,
        )
        return _saved(fig, path)


def _saved(fig: Any, path: str | os.PathLike[str] | None) -> Any:
    if path is not None:
        from tracy_mcp.plots.figure import save_png

        save_png(fig, os.fspath(path))
    return fig
