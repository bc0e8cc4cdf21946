"""HTTP-only behaviour of the shared server: DNS-rebinding checks, the bearer token, shutdown_server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from server_support import cli, connect, running_server, server_env, text

from tracy_mcp.server import singleton


def http(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", body: bytes | None = None
) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=body)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read(4096).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


INIT = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
def test_host_and_origin_checks(tmp_path: Path, transport: str) -> None:
    with running_server(server_env(tmp_path), "--transport", transport) as server:
        assert server.url
        base = server.url.rsplit("/", 1)[0]
        port = base.rsplit(":", 1)[1]
        status, body = http(f"{base}/ping")
        assert status == 200 and json.loads(body)["pid"] == server.proc.pid
        # A page that rebinds attacker.example to 127.0.0.1 still sends its own name as Host.
        status, body = http(server.url, {"Host": f"attacker.example:{port}", **MCP_HEADERS}, "POST", INIT)
        assert status == 421 and "DNS-rebinding" in body
        status, _ = http(f"{base}/ping", {"Host": "attacker.example"})
        assert status == 421
        # A browser page from another origin.
        status, body = http(server.url, {"Origin": "http://attacker.example", **MCP_HEADERS}, "POST", INIT)
        assert status == 403 and "Origin" in body
        # localhost by name is this server too.
        status, _ = http(f"http://localhost:{port}/ping")
        assert status == 200


def test_bearer_token(tmp_path: Path) -> None:
    env = server_env(tmp_path, TRACY_MCP_TOKEN="s3cret-token")
    with running_server(env) as server:
        assert server.url
        status, body = http(server.url, MCP_HEADERS, "POST", INIT)
        assert status == 401 and "token" in body
        status, _ = http(server.url, {"Authorization": "Bearer wrong", **MCP_HEADERS}, "POST", INIT)
        assert status == 401
        # /ping stays open so `tracy-mcp status` works without the token.
        assert cli(env, "status").returncode == 0

        async def scenario() -> None:
            async with connect(
                "streamable-http", server.url, headers={"Authorization": "Bearer s3cret-token"}
            ) as client:
                tools = await client.list_tools()
                assert any(t.name == "eval" for t in tools.tools)

        anyio.run(scenario)


def test_an_oversized_request_gets_the_reason_and_the_server_keeps_serving(tmp_path: Path) -> None:
    # Issue 17 #4: a request over 4 MiB (the SDK's limit) came back as a bare "Server returned an error response".
    with running_server(server_env(tmp_path)) as server:
        assert server.url

        async def scenario() -> None:
            async with connect("streamable-http", server.url, mode="legacy") as client:
                with pytest.raises(MCPError, match=r"the request is 6,\d{3},\d{3} bytes; .* at most 4,194,304 bytes"):
                    await client.call_tool("eval", {"code": "x = 1\n" * 900_000})
                assert not (await client.call_tool("list_instances", {})).is_error

        anyio.run(scenario)


def test_shutdown_server_tool_stops_the_process_and_removes_its_files(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    with running_server(env) as server:
        assert server.url
        files = singleton.RuntimeFiles(Path(env["XDG_RUNTIME_DIR"]) / "tracy-mcp")
        assert files.pid_file.exists()

        async def scenario() -> None:
            async with connect("streamable-http", server.url or "") as client:
                result = await client.call_tool("shutdown_server", {})
                assert not result.is_error and "shutting down" in text(result)

        anyio.run(scenario)
        assert server.proc.wait(15) == 0
        assert not files.pid_file.exists() and not files.port_file.exists()
        assert cli(env, "status").returncode == 3
