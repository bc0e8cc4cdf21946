"""The checks every HTTP request passes before it reaches the MCP transports.

- Host header must name this server (loopback names on its port, or TRACY_MCP_ALLOWED_HOSTS): a web page that
  rebinds its own DNS name to 127.0.0.1 then sends its own name as Host and is refused (DNS rebinding).
- Origin, when a browser sends one, must be a loopback origin (or TRACY_MCP_ALLOWED_ORIGINS).
- With a token configured, ``Authorization: Bearer <token>`` is required (the /ping liveness route excepted: it
  reveals only the PID and URL, and `tracy-mcp status` must work without the token).
- A body declared larger than the MCP transports accept (4 MiB) is refused with the sizes, before it is read.

Refusals are JSON-RPC error objects, so an MCP client shows the reason instead of a bare HTTP status.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable

from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_BODY_BYTES = DEFAULT_MAX_REQUEST_BODY_SIZE  # what the SDK's HTTP transports accept (they refuse more, tersely)
_INVALID_REQUEST = -32600


def allowed_hosts(bind_host: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    names = list(LOOPBACK_NAMES)
    if bind_host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::", ""):
        names.append(f"[{bind_host}]" if ":" in bind_host else bind_host)
    return [f"{n}:{port}" for n in names] + list(extra)


def allowed_origins(hosts: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    return [f"http://{h}" for h in hosts if not h.endswith(":*")] + list(extra)


def _matches(value: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if value == pattern:
            return True
        if pattern.endswith(":*") and value.rsplit(":", 1)[0] == pattern[:-2]:
            return True
    return False


class RequestGuard:
    """ASGI middleware applying the Host, Origin and token checks."""

    def __init__(
        self, app: ASGIApp, hosts: list[str], origins: list[str], token: str | None, open_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = origins
        self.token = token
        self.open_paths = set(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if not _matches(host, self.hosts):
            await _refuse(
                send,
                421,
                f"Host {host!r} is not this server (DNS-rebinding protection); "
                "add it to TRACY_MCP_ALLOWED_HOSTS if it should be accepted",
            )
            return
        origin = headers.get("origin")
        if origin and not _matches(origin, self.origins):
            await _refuse(
                send, 403, f"Origin {origin!r} is not allowed; add it to TRACY_MCP_ALLOWED_ORIGINS if it should be"
            )
            return
        if self.token and scope.get("path") not in self.open_paths:
            auth = headers.get("authorization", "")
            scheme, _, given = auth.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
                await _refuse(
                    send,
                    401,
                    "missing or wrong bearer token (TRACY_MCP_TOKEN)",
                    extra=[(b"www-authenticate", b"Bearer")],
                )
                return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            await _refuse(
                send,
                413,
                f"the request is {int(length):,} bytes; this server accepts at most {MAX_BODY_BYTES:,} bytes "
                f"({MAX_BODY_BYTES // 2**20} MiB) per request: put large inputs in a file and read it from eval",
            )
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": _INVALID_REQUEST, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
