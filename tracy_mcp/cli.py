"""The ``tracy-mcp`` command line (also ``python -m tracy_mcp``).

- ``serve``: the shared per-user server over streamable-http (``/mcp``) or SSE (``/sse``); one per user.
- ``stdio``: one client over stdin/stdout (what Claude Desktop, VS Code or Cursor spawn).
- ``status`` / ``stop``: the shared server, found through its PID and port files.
- ``info PATH``: load a capture and print its headline facts.
- ``export-dataset OUT CAPTURE...``: add captures to a Hive-partitioned Parquet dataset of their SQL tables.
- ``analyze PATH``: load a capture with a progress bar and print its summary (``demo`` is the bundled capture).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import TYPE_CHECKING

from tracy_mcp._version import __version__

if TYPE_CHECKING:
    from tracy_mcp.server.settings import Settings

EXIT_OK, EXIT_ERROR, EXIT_NOT_RUNNING = 0, 1, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracy-mcp", description="MCP server for Tracy profiler captures")
    parser.add_argument("--version", action="version", version=f"tracy-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the shared per-user server (streamable-http or SSE)",
        description="Run the shared per-user MCP server. If one is already running, print its "
        "URL and exit. Settings: see tracy_mcp/settings.py (TRACY_MCP_* variables).",
    )
    transport = serve.add_mutually_exclusive_group()
    transport.add_argument(
        "--transport", choices=["streamable-http", "sse"], help="default: TRACY_MCP_TRANSPORT or streamable-http"
    )
    transport.add_argument("--sse", dest="transport", action="store_const", const="sse", help="same as --transport sse")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; anything else exposes the server)")
    serve.add_argument("--port", type=int, help="first port to try (default TRACY_MCP_PORT or 47380)")
    sub.add_parser("stdio", help="serve one MCP client over stdin/stdout")
    sub.add_parser("status", help="report whether the shared server is running (exit 0 if so, 3 if not)")
    stop = sub.add_parser("stop", help="stop the shared server")
    stop.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for it to exit")
    info = sub.add_parser("info", help="load a capture and print its headline facts")
    info.add_argument("path")
    analyze = sub.add_parser(
        "analyze",
        help="load a capture and print what it holds and its headline findings",
        description='Load a capture (a .tracy file, or "demo" for the one shipped with tracy-mcp) with a progress '
        "bar, print its summary, and say how to ask an assistant about it.",
    )
    analyze.add_argument("path", help='a .tracy file, or "demo"')
    sub.add_parser("stats", help="print the tool-call statistics of all recorded sessions")
    dataset = sub.add_parser(
        "export-dataset",
        help="write captures' SQL tables into a Parquet dataset (DuckDB, Polars, pyarrow, Spark read it)",
        description="Write the SQL tables of each capture into OUT/capture=<name>/table=<table>/part-0.parquet "
        "(schema in OUT/_SCHEMA.md). A capture is named after its file, or NAME=PATH; exporting a name again "
        "replaces it, other captures stay.",
    )
    dataset.add_argument("out", help="dataset directory (created if missing)")
    dataset.add_argument("captures", nargs="+", metavar="CAPTURE", help="a .tracy file, or NAME=PATH")
    dataset.add_argument("--tables", help="comma-separated tables to write (default: all)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command == "info":
        return _info(args.path)
    if args.command == "export-dataset":
        return _export_dataset(args.out, args.captures, args.tables)
    if args.command == "analyze":
        from tracy_mcp.analyze import analyze

        return analyze(args.path)
    if args.command == "stats":
        from tracy_mcp.tracking import global_stats_table

        print(global_stats_table(), end="")
        return EXIT_OK
    from tracy_mcp.server.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(
            **({"transport": args.transport, "host": args.host, "port": args.port} if args.command == "serve" else {})
        )
    except SettingsError as exc:
        print(f"tracy-mcp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.command == "serve":
        return _serve(settings)
    if args.command == "stdio":
        return _stdio(settings)
    if args.command == "status":
        return _status(settings)
    if args.command == "stop":
        return _stop(settings, args.timeout)
    parser.error(f"unknown command {args.command}")
    return EXIT_ERROR


def _info(path: str) -> int:
    from tracy_mcp import open_capture
    from tracy_mcp.errors import TracyMcpError

    try:
        with open_capture(path) as cap:
            facts = cap.info()
    except (OSError, TracyMcpError) as exc:
        print(f"tracy-mcp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"{key:<{width}}  {value}")
    return EXIT_OK


def _export_dataset(out: str, captures: list[str], tables: str | None) -> int:
    from tracy_mcp.errors import TracyMcpError

    try:
        from tracy_mcp.export.dataset import capture_name, export_dataset

        named: dict[str, str] = {}
        for arg in captures:
            name, sep, path = arg.partition("=")
            if not sep or os.path.exists(arg):
                name, path = capture_name(arg), arg
            if name in named:
                raise TracyMcpError(f"two captures are named {name!r}; name them with NAME=PATH")
            named[name] = path
        chosen = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
        written = export_dataset(out, named, tables=chosen)
    except (ImportError, OSError, TracyMcpError) as exc:
        print(f"tracy-mcp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for name, counts in written.items():
        print(f"{name}: {sum(counts.values()):,} rows in {len(counts)} tables")
    print(f"dataset: {out} (schema: {os.path.join(out, '_SCHEMA.md')})")
    return EXIT_OK


def _serve(settings: Settings) -> int:
    from tracy_mcp.server import singleton

    files = singleton.RuntimeFiles(settings.state_dir)
    lock = None
    try:
        files.ensure_dir()
        import filelock

        lock = filelock.FileLock(str(files.lock_file), timeout=120)
        lock.acquire()
    except (OSError, filelock.Timeout) as exc:
        print(f"tracy-mcp: cannot take the start lock {files.lock_file}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            lock.release()

    try:
        state = files.state()
        if state.status == singleton.RUNNING:
            running = (state.info or {}).get("transport")
            if running and running != settings.transport:
                print(
                    f"tracy-mcp: the running server ({state.url}) uses {running}, not {settings.transport}; run "
                    "`tracy-mcp stop` first to switch",
                    file=sys.stderr,
                )
                return EXIT_ERROR
            print(f"{state.describe()} (already running)")
            return EXIT_OK
        avoid: set[int] = set()
        if state.status == singleton.HUNG:
            print(
                f"tracy-mcp: the recorded server (pid {state.pid}, port {state.port}) does not answer; starting a "
                f"new one on another port (inspect or kill pid {state.pid} yourself)",
                file=sys.stderr,
            )
            avoid.add(state.port or 0)
        elif state.status == singleton.STALE:
            print(f"tracy-mcp: the recorded server (pid {state.pid}) is gone; replacing it", file=sys.stderr)
        try:
            sock = singleton.bind_port(settings.host, settings.port, avoid)
        except OSError as exc:
            print(f"tracy-mcp: cannot bind {settings.host}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        port = sock.getsockname()[1]
        # Imported only now: a start that finds a server running stays quick.
        import anyio

        from tracy_mcp.server import app as server

        log_file = server.setup_logging(settings)
        files.write(os.getpid(), port, settings.host)

        def ready(url: str) -> None:
            # Unlock first: whoever reads the line below may act on this server at once.
            release()
            print(f"tracy-mcp {__version__} serving {url} (pid {os.getpid()}, log {log_file})", flush=True)

        # uvicorn shuts down gracefully on SIGTERM, then re-raises it; make that a normal exit so the PID and
        # port files are removed below.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            anyio.run(server.serve_http, settings, sock, ready)
        except KeyboardInterrupt:
            pass
        finally:
            files.clear(os.getpid())
        return EXIT_OK
    finally:
        release()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _stdio(settings: Settings) -> int:
    import anyio

    from tracy_mcp.server import app as server

    # stdout carries the protocol: logs go to the log file and stderr only.
    server.setup_logging(settings, to_stderr=True)
    try:
        anyio.run(server.serve_stdio, settings)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _status(settings: Settings) -> int:
    from tracy_mcp.server import singleton

    state = singleton.RuntimeFiles(settings.state_dir).state()
    print(state.describe())
    if state.status == singleton.RUNNING and state.info:
        print(
            f"version {state.info.get('version')}, transport {state.info.get('transport')}, "
            f"up {state.info.get('uptime_s')} s"
        )
    return EXIT_OK if state.status == singleton.RUNNING else EXIT_NOT_RUNNING


def _stop(settings: Settings, timeout: float) -> int:
    from tracy_mcp.server import singleton

    files = singleton.RuntimeFiles(settings.state_dir)
    state = files.state()
    if state.status == singleton.ABSENT:
        print("no tracy-mcp server is running")
        return EXIT_OK
    if state.status == singleton.STALE:
        assert state.pid is not None
        files.clear(state.pid)
        print(f"{state.describe()}; removed its files")
        return EXIT_OK
    if state.status == singleton.HUNG:
        # The PID may belong to an unrelated process that reused the number: never signal what we cannot verify.
        print(
            f"{state.describe()}; not stopping a process that does not confirm it is the server. If it is, "
            f"end it yourself (kill {state.pid}); the next `tracy-mcp serve` replaces it.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    assert state.pid is not None
    try:
        os.kill(state.pid, signal.SIGTERM)
    except OSError as exc:
        print(f"tracy-mcp: cannot signal pid {state.pid}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if singleton.wait_until_gone(state.pid, timeout):
        files.clear(state.pid)
        print(f"stopped tracy-mcp server pid {state.pid}")
        return EXIT_OK
    print(f"tracy-mcp: pid {state.pid} did not exit within {timeout:g} s", file=sys.stderr)
    return EXIT_ERROR
