"""The single hook: an MCP server middleware that records every ``tools/call`` the server handles."""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import logging
import os
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from tracy_mcp._version import __version__
from tracy_mcp.tracking.records import CallState, SessionInfo, Status
from tracy_mcp.tracking.settings import TrackingSettings
from tracy_mcp.tracking.tracker import Tracker, _current, status_of_result

log = logging.getLogger(__name__)

_STATE_KEY = "tracy_mcp.tracking.session"  # our entry in the SDK's per-connection scratch dict


def _reset(token: contextvars.Token[CallState | None]) -> None:
    with contextlib.suppress(ValueError):  # a token from another context: nothing of ours to undo there
        _current.reset(token)


def _client_label(connection: Any) -> str:
    params = getattr(connection, "client_params", None)
    info = getattr(params, "client_info", None)
    if info is None:
        return ""
    version = getattr(info, "version", "")
    return f"{info.name} {version}".strip()


class TrackingMiddleware:
    """Records each ``tools/call`` request; every other message passes straight through.

    Sessions: a transport session id (stateful streamable HTTP) names the session; a handshake connection (stdio,
    SSE, in-memory) is one session ending when the connection closes; the 2026 per-request protocol carries no
    session, so its calls are grouped per stream (stdio) or per client name (stateless HTTP, in-process), and such a
    session ends after ``idle_session_s`` without calls or when the tracker closes.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        try:
            params = ctx.params or {}
            call: CallState | None = self.tracker.begin_call(
                self._session(ctx), str(params.get("name", "?")), params.get("arguments") or {}
            )
            token = _current.set(call)
        except Exception:  # tracking must never break a call
            log.exception("tracking: cannot record this call")
            call = None
        if call is None:
            return await call_next(ctx)
        try:
            result = await call_next(ctx)
        except BaseException as exc:  # protocol errors, cancellation: record, then let them through unchanged
            _reset(token)
            if isinstance(exc, anyio.get_cancelled_exc_class()):
                error = "cancelled (the client cancelled the request or went away)"
            else:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._finish(call, "error", None, error)
            raise
        _reset(token)
        self._finish(call, None, result, None)
        return result

    def _finish(self, call: CallState, status: Status | None, result: Any, error: str | None) -> None:
        try:
            self.tracker.finish_call(call, status or status_of_result(result), result, error)
        except Exception:
            log.exception("tracking: cannot record the end of call %s", call.call_id)

    def _session(self, ctx: ServerRequestContext[Any, Any]) -> SessionInfo:
        tracker = self.tracker
        # The SDK keeps the connection private on the per-request session; without it, one process-wide session.
        connection = getattr(ctx.session, "_connection", None)
        state = getattr(connection, "state", None)
        if connection is None or not isinstance(state, dict):
            return tracker.session_for_key(("process",))
        info = state.get(_STATE_KEY)
        if isinstance(info, SessionInfo) and not info.ended:
            return info
        client = _client_label(connection)
        protocol = str(getattr(connection, "protocol_version", "") or "")
        session_id = getattr(connection, "session_id", None)
        if session_id is None and protocol in MODERN_PROTOCOL_VERSIONS:
            # A fresh connection per request: group by the stream when there is one, else by client name.
            if getattr(connection, "has_standalone_channel", False):
                return tracker.session_for_key(
                    ("stream", id(connection.outbound)), anchor=connection.outbound, client=client, protocol=protocol
                )
            return tracker.session_for_key(("client", client), client=client, protocol=protocol)
        # A connection that lives as long as the client's session: the session ends with it.
        info = tracker.open_session(session_id, client=client, protocol=protocol)
        state[_STATE_KEY] = info
        connection.exit_stack.callback(tracker.end_session, info.session_id)
        return info


def install_tracking(server: MCPServer[Any], tracker: Tracker | None = None) -> Tracker:
    """Record every tool call of ``server`` (wire once, before the server runs): returns the ``Tracker``.

    Appends one middleware to ``server.middleware`` (the SDK's hook around every inbound message), so no tool
    needs to know about tracking. A call's start line is written before it runs and its entry before it returns
    (a crash of the server loses at most the record being written); a failing disk never fails a call.
    ``tracker`` defaults to one built from the environment (``TrackingSettings.from_env()``):
    ``TRACY_MCP_TRACKING_DIR`` (default ``tracking/`` in the per-user state directory),
    ``TRACY_MCP_TRACKING_ROTATE_MB`` (5), ``TRACY_MCP_TRACKING_STUCK_S`` (60), ``TRACY_MCP_TRACKING=0`` to disable.

    At shutdown call ``tracker.close()`` (summary blocks for open sessions, final statistics); an ``atexit`` hook
    does it too if the process exits normally. Calling this twice on one server returns the first tracker.

    Tools can add facts to the call they are running in: ``tracking.note_instance(3)``,
    ``tracking.note_resolution("alias 'a' -> instance 3")``, and for a call that refers to an earlier one
    (a ``task`` poll of an ``eval``), ``tracking.link_parent(task.call_id)`` with the id that
    ``tracking.current_call_id()`` returned inside the earlier call.
    """
    existing = getattr(server, "_tracy_mcp_tracker", None)
    if isinstance(existing, Tracker):
        return existing
    if tracker is None:
        tracker = Tracker(TrackingSettings.from_env())
    tracker.server_label = f"{server.name} (tracy-mcp {__version__}, pid {os.getpid()})"
    server._tracy_mcp_tracker = tracker  # type: ignore[attr-defined]
    if not tracker.enabled:
        log.info("tracking: disabled")
        return tracker
    tracker.start()
    server.middleware.append(TrackingMiddleware(tracker))
    atexit.register(tracker.close)
    log.info("tracking: tool calls are recorded in %s", tracker.directory)
    return tracker
