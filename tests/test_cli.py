"""The `tracy-mcp` command line: help, settings errors, status/stop without a server, info."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_support import CAPTURES, cli, server_env

from tracy_mcp.cli import build_parser


def test_subcommands_and_help() -> None:
    parser = build_parser()
    help_text = parser.format_help()
    for command in ("serve", "stdio", "status", "stop", "info", "analyze"):
        assert command in help_text
    args = parser.parse_args(["serve", "--sse", "--port", "5000"])
    assert (args.transport, args.port) == ("sse", 5000)
    assert parser.parse_args(["serve", "--transport", "streamable-http"]).transport == "streamable-http"


def test_status_and_stop_without_a_server(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    status = cli(env, "status")
    assert status.returncode == 3 and "no tracy-mcp server is running" in status.stdout
    stop = cli(env, "stop")
    assert stop.returncode == 0 and "no tracy-mcp server is running" in stop.stdout


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    env = server_env(tmp_path, TRACY_MCP_MAX_INSTANCES="lots")
    r = cli(env, "status")
    assert r.returncode == 1 and "TRACY_MCP_MAX_INSTANCES='lots' is not an integer" in r.stderr
    r = cli(server_env(tmp_path, TRACY_MCP_TRANSPORT="websocket"), "serve")
    assert r.returncode == 1 and "websocket" in r.stderr


def test_info_prints_headline_facts(tmp_path: Path) -> None:
    capture = CAPTURES / "clientapp-0.14.0.tracy"
    if not capture.is_file():
        pytest.skip(f"reference capture not found at {capture}")
    r = cli(server_env(tmp_path), "info", str(capture))
    assert r.returncode == 0, r.stderr
    assert "capture_program" in r.stdout or "program" in r.stdout


def test_analyze_the_demo_capture(tmp_path: Path) -> None:
    """The README's first command: the bundled demo capture, its summary, then how to go on."""
    r = cli(server_env(tmp_path), "analyze", "demo")
    assert r.returncode == 0, r.stderr
    assert "loaded demo.tracy in" in r.stderr and "zones" in r.stderr
    assert "tracy-mcp serve" in r.stdout and "tracy-mcp stdio" in r.stdout
    assert len(r.stdout.splitlines()) > 5


def test_analyze_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    r = cli(server_env(tmp_path), "analyze", str(tmp_path / "missing.tracy"))
    assert r.returncode == 1 and "cannot analyze" in r.stderr and "Traceback" not in r.stderr
