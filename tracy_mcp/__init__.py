"""tracy-mcp: query Tracy profiler captures and live sessions from Python and from AI assistants (MCP)."""

from tracy_mcp._version import __version__

__all__ = ["__version__"]
