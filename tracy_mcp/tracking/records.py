"""What the tracker knows about a session and a call.

These objects are built on the call path, so they are plain slotted classes with no validation.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Literal

Status = Literal["success", "error", "stuck", "resolved"]

# The outcome a finished call is counted under: "resolved" is a success reached through resolution steps.
SUCCESS_STATUSES: frozenset[str] = frozenset({"success", "resolved"})


class SessionInfo:
    """One MCP session: the key of its log files and the counter numbering its calls."""

    __slots__ = ("session_id", "started_wall", "started_mono", "client", "protocol", "ended", "_seq", "last_mono")

    def __init__(self, session_id: str, *, client: str = "", protocol: str = "") -> None:
        self.session_id = session_id
        self.started_wall = time.time()
        self.started_mono = time.perf_counter()
        self.last_mono = self.started_mono
        self.client = client
        self.protocol = protocol
        self.ended = False
        self._seq = itertools.count(1)

    def next_seq(self) -> int:
        # next() on itertools.count is atomic under the GIL: concurrent calls never share a number.
        return next(self._seq)


class CallState:
    """A call in flight. Tools reach it through the ``current call`` context variable to add facts."""

    __slots__ = (
        "session",
        "seq",
        "call_id",
        "tool",
        "arguments",
        "args_json",
        "started_wall",
        "started_mono",
        "parent_id",
        "depth",
        "instance",
        "resolution",
        "stuck_reported",
    )

    def __init__(
        self,
        session: SessionInfo,
        tool: str,
        arguments: Any,
        *,
        parent_id: str | None = None,
        depth: int = 0,
    ) -> None:
        self.session = session
        self.seq = session.next_seq()
        self.call_id = f"{session.session_id}#{self.seq}"
        self.tool = tool
        self.arguments = arguments
        self.args_json: str | None = None  # compact JSON of the arguments, once the start line made it
        self.started_wall = time.time()
        self.started_mono = time.perf_counter()
        self.parent_id = parent_id
        self.depth = depth
        self.instance: str | None = None
        self.resolution: list[str] | None = None
        self.stuck_reported = False


class CallOutcome:
    """A finished (or stuck) call."""

    __slots__ = ("call", "status", "latency_ms", "result", "error", "final")

    def __init__(
        self,
        call: CallState,
        status: Status,
        latency_ms: float | None,
        result: Any = None,
        error: str | None = None,
        *,
        final: bool = True,
    ) -> None:
        self.call = call
        self.status = status
        self.latency_ms = latency_ms
        self.result = result  # the raw CallToolResult dict (or any object)
        self.error = error
        self.final = final  # False for the interim "stuck" entry of a call that is still running
