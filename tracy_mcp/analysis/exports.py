"""Export methods of `Capture`: Chrome trace JSON, tracy-csvexport-compatible CSV, Parquet."""

from __future__ import annotations

import os
from typing import Any

from tracy_mcp.export import chrome as export_chrome
from tracy_mcp.export import csv as export_csv
from tracy_mcp.export import parquet as export_parquet


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
