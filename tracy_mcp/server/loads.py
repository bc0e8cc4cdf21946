"""Loading capture files for the server: a bounded number at once, each under a time limit, stopped when the client
gives up.

The engine reads a file on its own thread; this side only polls its state (no Python thread is held per load), so
a load never occupies a worker that control calls (list_instances, unload_capture, task) need. A load beyond
`max_loads` waits a few seconds for a slot (most loads take under one: several assistants loading at once should
not see "busy"), then is refused with a "busy" answer rather than queued longer: six abandoned loads of a hostile
file once held 11 GB and starved every other call. A waiting call holds no memory and ends when its client gives
up. A load that runs past its time limit, or whose call the client cancels, is cancelled in the engine (it stops
within about one compressed block) and its memory released.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs

from tracy_mcp.analysis.capture import Capture, open_capture

log = logging.getLogger("tracy_mcp.server.loads")

ProgressReport = Callable[[int, int, str], Awaitable[None]]
POLL_S = 0.1


class LoadRefused(Exception):
    """The load was not started (busy) or did not finish (failed, timed out); the message says why."""


@attrs.define(eq=False)
class _Running:
    path: Path
    capture: Capture
    started: float = attrs.field(factory=time.monotonic)

    def describe(self) -> dict[str, Any]:
        done, total, stage = self.capture.progress()
        return {
            "path": str(self.path),
            "stage": stage,
            "percent": round(100.0 * done / total, 1) if total else None,
            "elapsed_s": round(time.monotonic() - self.started, 1),
        }


class Loads:
    """The loads of one server. Used from the event loop only."""

    def __init__(self, max_loads: int, time_limit_s: float, slot_wait_s: float = 15.0) -> None:
        self.max_loads = max_loads
        self.time_limit_s = time_limit_s
        self.slot_wait_s = slot_wait_s  # how long a load beyond max_loads waits for a slot before "busy"
        self._running: list[_Running] = []

    def running(self) -> list[dict[str, Any]]:
        """Loads in progress, for list_instances."""
        out = []
        for r in self._running:
            try:
                out.append(r.describe())
            except Exception:  # noqa: BLE001 - a load that just ended has no progress to show
                continue
        return out

    async def load(self, path: Path, report: ProgressReport | None = None) -> Capture:
        """The capture at `path` once its tables are readable. Raises LoadRefused (busy, failed, timed out);
        a cancelled call cancels the load."""
        waited = time.monotonic()
        while len(self._running) >= self.max_loads and time.monotonic() - waited < self.slot_wait_s:
            await asyncio.sleep(POLL_S)
        if len(self._running) >= self.max_loads:
            now = ", ".join(f"{r['path']} ({r['stage']}, {r['elapsed_s']} s)" for r in self.running())
            raise LoadRefused(
                f"busy: {len(self._running)} capture load(s) already running ({now}), still after "
                f"{self.slot_wait_s:g} s; this server loads at most {self.max_loads} at once (TRACY_MCP_MAX_LOADS). "
                "Try again when one has finished."
            )
        try:
            capture = open_capture(path, wait=False)
        except Exception as exc:  # noqa: BLE001 - an unreadable path is the caller's answer
            raise LoadRefused(f"cannot load {path}: {exc}") from None
        entry = _Running(path, capture)
        self._running.append(entry)
        try:
            await self._wait(entry, report)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                log.info("load of %s cancelled: the client gave up on the call", path)
            capture.cancel_load()
            _close_in_background(capture)
            raise
        finally:
            self._running.remove(entry)
        return capture

    async def _wait(self, entry: _Running, report: ProgressReport | None) -> None:
        capture, limit = entry.capture, self.time_limit_s
        last: tuple[int, int, str] | None = None
        while True:
            try:
                if capture.wait(complete=False, timeout=0):
                    return
            except Exception as exc:  # noqa: BLE001 - every load failure is one clear answer
                raise LoadRefused(f"cannot load {entry.path}: {exc}") from None
            elapsed = time.monotonic() - entry.started
            if limit and elapsed >= limit:
                log.warning("load of %s stopped after its time limit of %g s", entry.path, limit)
                raise LoadRefused(
                    f"loading {entry.path} stopped after its time limit of {limit:g} s "
                    f"(TRACY_MCP_LOAD_TIME_LIMIT_S); the file may be damaged, or too large for this limit"
                )
            current = capture.progress()
            if report is not None and current != last:
                last = current
                try:
                    await report(*current)
                except Exception:  # noqa: BLE001 - a client gone mid-load must not break the load
                    pass
            await asyncio.sleep(POLL_S)


def _close_in_background(capture: Capture) -> None:
    """Release a cancelled load without blocking the event loop (the engine joins its loader thread on close)."""
    threading.Thread(target=capture.close, name="tracy-mcp-load-close", daemon=True).start()
