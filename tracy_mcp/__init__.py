"""tracy-mcp: query Tracy profiler captures and live sessions from Python and from AI assistants (MCP)."""

from typing import Any

from tracy_mcp._version import __version__
from tracy_mcp.analysis.capture import Capture, open_capture
from tracy_mcp.analysis.compare import compare_captures as compare
from tracy_mcp.analysis.series import compare_series_of as compare_series

__all__ = ["__version__", "Capture", "compare", "compare_series", "open_capture", "sql"]


def sql(query: str, captures: Any, *, arrow: bool = False) -> Any:
    """Run one SQL query (DuckDB) over several captures: `captures` maps a name to each capture (or is a list of
    captures, named by file name), and every table gets a leading `capture` column, so A/B questions are one query:
    ``tracy_mcp.sql("SELECT capture, name, avg(duration_ns) FROM zones GROUP BY ALL", captures={"a": a, "b": b})``.
    Returns a pandas DataFrame, or a pyarrow Table with arrow=True. Needs the `sql` extra."""
    from tracy_mcp.tables.query import sql as run

    return run(query, captures, arrow=arrow)
