"""The ``tracy-mcp`` command line (also ``python -m tracy_mcp``)."""

from __future__ import annotations

import argparse
import sys

from tracy_mcp._version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracy-mcp", description="MCP server for Tracy profiler captures")
    parser.add_argument("--version", action="version", version=f"tracy-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("serve", help="run the shared per-user server (streamable-http or SSE)")
    sub.add_parser("stdio", help="serve one MCP client over stdin/stdout")
    sub.add_parser("status", help="report whether the shared server is running")
    sub.add_parser("stop", help="stop the shared server")
    info = sub.add_parser("info", help="load a capture and print its headline facts")
    info.add_argument("path")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "info":
        from tracy_mcp.engine import NativeCapture

        cap = NativeCapture(args.path)
        cap.wait()
        for key, value in sorted(cap.meta().items()):
            print(f"{key}: {value}")
        return 0
    print(f"tracy-mcp {args.command}: not implemented yet", file=sys.stderr)
    return 2
