"""tracy-mcp: query Tracy profiler captures and live sessions from Python and from AI assistants (MCP)."""

from tracy_mcp._version import __version__
from tracy_mcp.analysis.capture import Capture, open_capture

__all__ = ["__version__", "Capture", "open_capture"]
