"""tracy-mcp: query Tracy profiler captures and live sessions from Python and from AI assistants (MCP)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracy_mcp._version import __version__

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture, open_capture
    from tracy_mcp.analysis.compare import compare_captures as compare
    from tracy_mcp.analysis.series import compare_series_of as compare_series

__all__ = ["__version__", "Capture", "compare", "compare_series", "open_capture", "sql"]

# The public names, imported on first use: `import tracy_mcp.engine` (a load, the CLI's quick commands) then pays
# neither the analyses' import time nor numpy's memory.
_LAZY = {
    "Capture": ("tracy_mcp.analysis.capture", "Capture"),
    "open_capture": ("tracy_mcp.analysis.capture", "open_capture"),
    "compare": ("tracy_mcp.analysis.compare", "compare_captures"),
    "compare_series": ("tracy_mcp.analysis.series", "compare_series_of"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tracy_mcp' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def sql(query: str, captures: Any, *, arrow: bool = False) -> Any:
    """Run one SQL query (DuckDB) over several captures: `captures` maps a name to each capture (or is a list of
    captures, named by file name), and every table gets a leading `capture` column, so A/B questions are one query:
    ``tracy_mcp.sql("SELECT capture, name, avg(duration_ns) FROM zones GROUP BY ALL", captures={"a": a, "b": b})``.
    Returns a pandas DataFrame, or a pyarrow Table with arrow=True. Needs the `sql` extra."""
    from tracy_mcp.tables.query import sql as run

    return run(query, captures, arrow=arrow)
