"""Export methods of `Capture`: Chrome trace JSON, tracy-csvexport-compatible CSV, Parquet, speedscope JSON."""

from __future__ import annotations

import os
from typing import Any

from tracy_mcp.analysis.call_tree import tree_columns
from tracy_mcp.analysis.scope import resolve_scope, zone_rows
from tracy_mcp.export import chrome as export_chrome
from tracy_mcp.export import csv as export_csv
from tracy_mcp.export import parquet as export_parquet
from tracy_mcp.export import speedscope as speedscope_file


class ExportMethods:
    def export_chrome_trace(
        self,
        path: str | os.PathLike[str],
        *,
        start: int | None = None,
        end: int | None = None,
        min_duration: int = 0,
        gpu: bool = True,
        messages: bool = True,
        plots: bool = True,
    ) -> int:
        """Write a Chrome trace-event JSON file (open it in ui.perfetto.dev); optional time window [start, end)
        and minimum zone duration (ns) keep big captures small. Returns the number of events."""
        return export_chrome.export_chrome_trace(
            self,  # type: ignore[arg-type]
            path,
            start=start,
            end=end,
            min_duration=min_duration,
            gpu=gpu,
            messages=messages,
            plots=plots,
        )

    def export_csv(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        self_time: bool = False,
        sep: str = ",",
        filter: str = "",
        case_sensitive: bool = False,
    ) -> Any:  # noqa: A002
        """Zone statistics per source location with tracy-csvexport's columns. Returns the text when `path` is
        None, else writes the file and returns the number of rows."""
        opts = {"self_time": self_time, "sep": sep, "filter": filter, "case_sensitive": case_sensitive}
        if path is None:
            return export_csv.csv_text(self, **opts)  # type: ignore[arg-type]
        return export_csv.export_csv(self, path, **opts)  # type: ignore[arg-type]

    def export_parquet(self, path: str | os.PathLike[str], table: str = "zones") -> int:
        """Write one columnar table (zones, gpu_zones, messages, plots, frames, memory_events, samples,
        context_switches, lock_events, zone_stats) as Parquet; needs pyarrow."""
        return export_parquet.export_parquet(self, path, table)  # type: ignore[arg-type]

    def export_speedscope(
        self,
        path: str | os.PathLike[str],
        *,
        mode: str = "evented",
        thread: Any = None,
        start: int | None = None,
        end: int | None = None,
        frame_range: Any = None,
        min_duration: int = 0,
    ) -> int:
        """Write a speedscope JSON file (open it at www.speedscope.app), one profile per thread. mode "evented":
        every zone with its real start and end (zones shorter than min_duration ns are left out with their
        subtrees); "sampled": one stack per call path weighted by self time (small even for huge captures).
        thread, [start, end) and frame_range restrict it as for call_tree. Returns the number of events/stacks."""
        ctx: Any = self
        if mode not in speedscope_file.MODES:
            raise ValueError(f"mode must be one of {', '.join(speedscope_file.MODES)}, not {mode!r}")
        scope = resolve_scope(ctx, thread=thread, start=start, end=end, frame_range=frame_range)
        rows = tree = None
        if mode == "evented":
            rows = zone_rows(ctx, scope, include_unfinished=True)
            if min_duration > 0:
                rows = speedscope_file.keep_long_zones(ctx, rows, int(min_duration))
            first = int(ctx._cpu().start[rows].min()) if len(rows) else 0
        else:
            tree = tree_columns(
                ctx.call_tree(thread=thread, start=start, end=end, frame_range=frame_range, per_thread=True)
            )
            first = 0
        lo = scope.start if scope.start is not None else min(first, 0)
        hi = scope.end if scope.end is not None else int(ctx.get_last_time())
        return speedscope_file.export_speedscope(ctx, path, mode=mode, window=(lo, hi), rows=rows, tree=tree)
