"""tracy-mcp: query Tracy profiler captures and live sessions from Python and from AI assistants (MCP)."""

from tracy_mcp._version import __version__
from tracy_mcp.analysis.capture import Capture, open_capture
from tracy_mcp.analysis.compare import compare_captures as compare

__all__ = ["__version__", "Capture", "compare", "open_capture"]
