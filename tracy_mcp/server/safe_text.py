"""Text that can always be sent: every string leaving the server is valid UTF-8.

Python strings may hold lone surrogates (`'\\udcff'`: an undecodable byte of a file name, `os.fsdecode(b'\\xff')`, a
JSON argument with an unpaired escape). The SDK cannot encode them, and a stdio server died of it on the way out.
`valid_text` turns each lone surrogate into U+FFFD (a valid pair is kept as the character it stands for);
`make_tools_safe` applies it to what every tool returns or raises (before the SDK converts a result to JSON), and
`SafeTextMiddleware` to every result the server sends.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (the string itself when it has none)."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def has_invalid_text(value: Any) -> bool:
    """Whether a string anywhere in `value` (dicts, lists, tuples) holds a lone surrogate."""
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_invalid_text(k) or has_invalid_text(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_invalid_text(v) for v in value)
    return False


def valid_data(value: Any) -> Any:
    """A copy of `value` (dicts, lists, tuples, strings) with valid_text applied to every string."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_data(k): valid_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [valid_data(v) for v in value]
    return value


class SafeTextMiddleware:
    """Makes the result of every request sendable; results without lone surrogates pass unchanged."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if isinstance(result, BaseModel):
            data = result.model_dump(by_alias=True, exclude_unset=True)
            if has_invalid_text(data):
                return type(result).model_validate(valid_data(data))
        elif isinstance(result, dict) and has_invalid_text(result):
            return valid_data(result)
        return result


def make_tools_safe(mcp: MCPServer) -> None:
    """Wrap every registered tool so its return value and ToolError text hold valid text (call after registering).
    Uses the SDK's tool table; if that is not where this SDK keeps it, the middleware alone still protects the
    transport (a tool whose result cannot be converted then fails with the SDK's generic error)."""
    tools = getattr(getattr(mcp, "_tool_manager", None), "list_tools", None)
    if tools is None:
        log.warning("cannot wrap the tools for valid text: this SDK keeps its tools elsewhere")
        return
    for tool in tools():
        if getattr(tool, "is_async", False) and callable(getattr(tool, "fn", None)):
            tool.fn = _safe(tool.fn)


def _safe(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def call(**kwargs: Any) -> Any:
        try:
            result = await fn(**kwargs)
        except ToolError as exc:
            if has_invalid_text(str(exc)):
                raise type(exc)(valid_text(str(exc))) from exc.__cause__
            raise
        return valid_data(result) if has_invalid_text(result) else result

    return call
