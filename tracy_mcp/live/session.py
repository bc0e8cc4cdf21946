"""Attaching to a running Tracy-instrumented program: the live engine behind ``live_connect``.

`connect` is the one entry point the server calls (after its UDP broadcast pre-flight, broadcast.py). It returns a
:class:`LiveCapture`: the same capture API as a loaded file (``tracy_mcp.Capture``), whose data grows while the
program runs. Each public call reads one consistent, frozen snapshot of what has arrived; a new snapshot is taken
when new data arrived (at most every `min_refresh_s`, and always once the session ended), so a call never sees
half an update and the network thread is never held up by a query.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from tracy_mcp import engine
from tracy_mcp.analysis.capture import Capture
from tracy_mcp.analysis.query_base import QueryBase
from tracy_mcp.errors import TracyMcpError, UnsupportedVersionError, error_for_status

SUPPORTED_PROTOCOLS = {82: "Tracy 0.14.x", 76: "Tracy 0.13.x"}
HANDSHAKE_TIMEOUT_S = 20.0


class LiveUnavailableError(NotImplementedError):
    """This build has no live engine (kept for callers that test for it)."""


class LiveConnectionError(TracyMcpError):
    """Attaching to the program failed (nobody listening, busy with another profiler, handshake refused)."""


class ProtocolMismatchError(LiveConnectionError, UnsupportedVersionError):
    """The program's Tracy client speaks a protocol version this engine does not."""


# Calls that must not take a new snapshot first (they manage the session or cost nothing).
_NO_REFRESH = frozenset(
    {
        "close",
        "closed",
        "is_connected",
        "disconnect",
        "shutdown",
        "live_status",
        "refresh",
        "wait_disconnected",
        "state",
        "wait",
        "progress",
        "is_background_done",
        "memory_bytes",
    }
)


def connect(
    address: str, port: int, memory_limit_bytes: int, *, protocol: int = 0, timeout: float = HANDSHAKE_TIMEOUT_S
) -> LiveCapture:
    """Connect to the Tracy client at address:port and start receiving its data; stop receiving once the capture
    holds more than `memory_limit_bytes` (0 = no limit). Raises on handshake failure with the reason. `protocol`
    (82 or 76) skips trying the other one when the broadcast already told which the client speaks."""
    native = engine.NativeLive(address, port, memory_limit_bytes, protocol)
    state = native.wait(until_ended=False, timeout=timeout)
    if state == engine.LIVE_CONNECTING:
        native.close()
        raise LiveConnectionError(
            f"the Tracy client at {address}:{port} did not complete the handshake within {timeout:.0f} s"
        )
    if state == engine.LIVE_FAILED:
        status, message = native.error_status(), native.error()
        native.close()
        if status == -6:
            raise ProtocolMismatchError(message)
        err = error_for_status(status, message)
        raise LiveConnectionError(str(err)) from None
    return LiveCapture(native)


class LiveCapture(Capture):
    """A live session with the capture API. Besides the file API: :meth:`is_connected`, :meth:`disconnect`,
    :meth:`live_status`, :meth:`refresh` and :meth:`wait_disconnected`."""

    min_refresh_s = 0.5

    def __init__(self, live: engine.NativeLive) -> None:
        object.__setattr__(self, "_live", live)
        object.__setattr__(self, "_live_lock", threading.Lock())
        object.__setattr__(self, "_active", 0)
        object.__setattr__(self, "_local", threading.local())
        snap = live.snapshot()
        object.__setattr__(self, "_snap_generation", live.generation())
        object.__setattr__(self, "_snap_time", time.monotonic())
        object.__setattr__(self, "_snap_final", False)
        object.__setattr__(self, "_snap_cost", 0.0)
        super().__init__(snap)
        self.path = f"live://{live.address}:{live.port}"

    # -- snapshots --------------------------------------------------------------------------------------------------
    def __getattribute__(self, name: str) -> Any:
        attr = object.__getattribute__(self, name)
        if name[:1] == "_" or name in _NO_REFRESH or not callable(attr):
            return attr
        local = object.__getattribute__(self, "_local")
        if getattr(local, "depth", 0) > 0:
            return attr  # inside another public call: keep reading the same snapshot
        return _Call(self, attr)

    def _enter(self) -> None:
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        if local.depth > 1:
            return
        with self._live_lock:
            if self._active == 0 and self._native is not None:
                self._maybe_refresh()
            object.__setattr__(self, "_active", self._active + 1)

    def _leave(self) -> None:
        local = self._local
        local.depth -= 1
        if local.depth == 0:
            with self._live_lock:
                object.__setattr__(self, "_active", self._active - 1)

    def _maybe_refresh(self, force: bool = False) -> None:
        if self._snap_final or self._live is None:
            return
        status = self._live.status()
        ended = status["state_code"] in (engine.LIVE_DISCONNECTED, engine.LIVE_FAILED)
        if status["generation"] == self._snap_generation and not ended:
            return
        # Snapshots cost time proportional to the data: refresh at most every min_refresh_s, and never spend more
        # than a fifth of the time taking them while the program streams.
        wait = max(self.min_refresh_s, 4 * self._snap_cost)
        if not force and not ended and time.monotonic() - self._snap_time < wait:
            return
        t0 = time.perf_counter()
        snap = self._live.snapshot()
        object.__setattr__(self, "_snap_cost", time.perf_counter() - t0)
        self._swap(snap, status["generation"], ended)

    def _swap(self, snap: engine.NativeCapture, generation: int, final: bool) -> None:
        db = self._db
        db.clear()
        db.native = snap
        db.generation += 1
        object.__setattr__(self, "_native", snap)
        QueryBase.__init__(self, db)  # a fresh string pool: ids are per snapshot
        object.__setattr__(self, "_snap_generation", generation)
        object.__setattr__(self, "_snap_time", time.monotonic())
        object.__setattr__(self, "_snap_final", final)

    def refresh(self) -> bool:
        """Take a new snapshot now if new data arrived (waits for calls in flight). True when it did."""
        with self._live_lock:
            before = self._snap_generation
            if self._native is not None:
                self._maybe_refresh(force=True)
            return self._snap_generation != before

    # -- session ------------------------------------------------------------------------------------------------
    def is_connected(self) -> bool:
        if self._live is None:
            return False
        return self._live.state() in (engine.LIVE_STREAMING, engine.LIVE_FINISHING)

    def live_status(self) -> dict[str, Any]:
        """Connection state, protocol, bytes and events received, memory held, why it ended (if it did)."""
        if self._live is None:
            return {"state": "closed"}
        out = self._live.status()
        out["error"] = self._live.error() or None
        out["protocol_name"] = SUPPORTED_PROTOCOLS.get(out["protocol"])
        return out

    def wait_disconnected(self, timeout: float | None = None) -> bool:
        """Block until the session has ended (the program finished, was lost, or we disconnected)."""
        if self._live is None:
            return True
        state = self._live.wait(until_ended=True, timeout=timeout)
        return state in (engine.LIVE_DISCONNECTED, engine.LIVE_FAILED)

    def disconnect(self) -> None:
        """Ask the program to stop sending and end the session; what arrived stays queryable."""
        if self._live is None:
            return
        self._live.disconnect()
        self._live.wait(until_ended=True, timeout=10.0)
        self.refresh()

    def shutdown(self) -> None:
        self.disconnect()

    def is_background_done(self) -> bool:
        return True

    def close(self) -> None:
        live = self._live
        object.__setattr__(self, "_live", None)
        if live is not None:
            live.close()
        super().close()

    def __repr__(self) -> str:
        state = self._live.status()["state"] if self._live is not None else "closed"
        return f"<LiveCapture {self.path!r} {state}>"


class _Call:
    """A public method of a LiveCapture, run against one snapshot."""

    __slots__ = ("_cap", "_fn")

    def __init__(self, cap: LiveCapture, fn: Any) -> None:
        self._cap = cap
        self._fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        cap = self._cap
        cap._enter()
        try:
            return self._fn(*args, **kwargs)
        finally:
            cap._leave()

    def __getattr__(self, name: str) -> Any:  # keep help(), __doc__, __name__ of the wrapped method
        return getattr(self._fn, name)

    def __repr__(self) -> str:
        return repr(self._fn)
