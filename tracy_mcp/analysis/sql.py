"""`ctx.sql(query)`: SQL over the capture's tables (DuckDB, an optional extra), defined in `tracy_mcp.tables`."""

from __future__ import annotations

from typing import Any


class SqlMethods:
    def sql(self, query: str, *, arrow: bool = False) -> Any:
        """Run a SQL query (DuckDB) over this capture's tables: zones, srclocs, threads, frame_sets, frames,
        messages, locks, lock_events, memory_pools, memory_events, plots, plot_points, gpu_contexts, gpu_zones,
        samples, callstack_frames, context_switches, captures (columns: `tracy_mcp.tables.schema_markdown()`).
        Returns a pandas DataFrame, or a pyarrow Table with arrow=True. Needs the `sql` extra."""
        from tracy_mcp.tables.query import run_sql

        return run_sql(query, {"capture": self}, capture_column=False, arrow=arrow)  # type: ignore[dict-item]
