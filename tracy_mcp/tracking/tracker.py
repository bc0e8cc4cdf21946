"""The tracker: each call's records written through on the call path, statistics kept by one writer thread.

A call's start line is written before the call runs and its entry before the call returns, each in one unbuffered
write under a lock: a crash of the server (a fault in eval, a SIGKILL) loses at most the record being written, and
entries of concurrent calls are written whole, one after another, in the order they finish. Counting, rankings,
global statistics, stuck-call notices and session summaries stay on the writer thread. A failing disk never fails
a call (errors are counted and logged), and a disk so slow that a write takes over ``_SLOW_WRITE_S`` moves the
writing to the writer thread for a while, so it cannot hold calls up.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import os
import queue
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from tracy_mcp.tracking.markdown import (
    duration,
    format_entry,
    format_header,
    format_start,
    latency,
    markdown_table,
    percent,
    utc,
)
from tracy_mcp.tracking.records import SUCCESS_STATUSES, CallOutcome, CallState, SessionInfo, Status
from tracy_mcp.tracking.rotation import SessionLog
from tracy_mcp.tracking.settings import TrackingSettings
from tracy_mcp.tracking.stats import ToolStats, format_ranking, merge_global, write_atomic

log = logging.getLogger(__name__)

_current: contextvars.ContextVar[CallState | None] = contextvars.ContextVar("tracy_mcp_tracking_call", default=None)

# Depth of recently finished calls, so a call linked to an earlier one (a task poll -> its eval) sits one deeper.
_RECENT_DEPTHS_MAX = 4096
_recent_depths: OrderedDict[str, int] = OrderedDict()
_depths_lock = threading.Lock()

_OPEN_LOGS_MAX = 32  # open file handles kept between writes; older ones are closed and reopened on demand
_ERROR_LOG_INTERVAL_S = 60.0
# The writer polls the queue instead of blocking on it: a call never wakes it (waking a thread on every call
# costs more than the record itself), and one wake-up counts a whole batch.
_POLL_BUSY_S = 0.05
_POLL_IDLE_S = 0.25
_QUEUE_MAX = 100_000
_BATCH_MAX = 4096
# A call waits at most this long for another thread's write to the logs, then leaves its record to the writer.
_LOCK_WAIT_S = 0.2
# A single write slower than this (a hung network drive?) hands writing to the writer thread for _SLOW_PAUSE_S.
_SLOW_WRITE_S = 0.5
_SLOW_PAUSE_S = 60.0
_session_numbers = itertools.count(1)


def _remember_depth(call_id: str, depth: int) -> None:
    with _depths_lock:
        _recent_depths[call_id] = depth
        if len(_recent_depths) > _RECENT_DEPTHS_MAX:
            _recent_depths.popitem(last=False)


def new_session_id() -> str:
    """A sortable id for sessions the transport did not name: ``20261121-183000-4242-1`` (UTC, pid, counter)."""
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{os.getpid()}-{next(_session_numbers)}"


def safe_session_id(session_id: str) -> str:
    """The session id as a file-name stem (transport ids are client-visible text: keep them harmless)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in session_id)[:100].lstrip(".")
    return cleaned or "session"


# --- what tools call while they run ---------------------------------------------------------------------------


def current_call_id() -> str | None:
    """Id (``{session_id}#{seq}``) of the tool call running in this context, or None outside a tracked call.

    Context variables follow ``asyncio`` tasks and ``anyio.to_thread`` workers, so work that a tool starts in the
    background (an ``eval`` task) still sees the id of the call that started it: store it with the task and pass
    it to ``link_parent`` when a later call (``task`` poll or cancel) refers to that task.
    """
    call = _current.get()
    return call.call_id if call is not None else None


def link_parent(parent_call_id: str | None) -> None:
    """Record that the running call refers to an earlier call (e.g. ``task`` poll -> the ``eval`` that started it).

    The entry shows the parent id and the call's depth becomes the parent's depth + 1. No-op outside a tracked
    call or for ``None``.
    """
    call = _current.get()
    if call is None or not parent_call_id or parent_call_id == call.call_id:
        return
    call.parent_id = parent_call_id
    with _depths_lock:
        parent_depth = _recent_depths.get(parent_call_id, 0)
    call.depth = parent_depth + 1


def note_resolution(step: str) -> None:
    """Add a step to the running call's resolution chain, e.g. ``"alias 'a' -> instance 3"``, ``"evicted -> reloaded"``.

    A call that succeeds after resolution steps is logged with status ``resolved`` and its chain. No-op outside a
    tracked call.
    """
    call = _current.get()
    if call is None:
        return
    if call.resolution is None:
        call.resolution = [step]
    else:
        call.resolution.append(step)


def note_instance(instance: object) -> None:
    """Name the capture instance the running call worked on (shown as ``instance:``; default ``server``)."""
    call = _current.get()
    if call is not None:
        call.instance = str(instance)


# --- the tracker ------------------------------------------------------------------------------------------------


class _SessionTotals:
    __slots__ = ("tools", "max_depth", "counted")

    def __init__(self) -> None:
        self.tools: dict[str, ToolStats] = {}
        self.max_depth = 0
        self.counted = False  # already counted in the global number of sessions


class Tracker:
    """Records every tool call of one server process into markdown files in ``settings.directory``.

    Files: ``{session_id}.md`` (append-only, rotated into ``{session_id}.N.md``), ``{session_id}_ranking.md``
    (snapshot), ``_global_stats.md`` and ``_global_stats.json`` (all sessions, all server processes).

    Thread-safe. The call path (``begin_call``/``finish_call``) writes the call's start line and its entry to the
    session log before returning and queues the outcome for the writer thread, which keeps the statistics.
    ``flush`` waits until everything queued is on disk; ``close`` ends every open session (summary blocks), writes
    the statistics and stops the writer.
    """

    def __init__(self, settings: TrackingSettings | None = None, *, server_label: str = "tracy-mcp") -> None:
        self.settings = settings if settings is not None else TrackingSettings.from_env()
        self.directory = self.settings.directory
        self.server_label = server_label
        self._queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._inflight: dict[str, CallState] = {}
        self._keyed: dict[Hashable, tuple[SessionInfo, weakref.ref[Any] | None]] = {}
        self._keyed_lock = threading.Lock()  # guards _keyed and _open
        self._open: dict[str, SessionInfo] = {}  # sessions handed out and not ended, by id
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()  # set for flush/stop requests; calls only queue
        self._closed = False
        # Guarded by _io_lock: the session logs and which sessions they hold records of.
        self._io_lock = threading.Lock()
        self._logs: dict[str, SessionLog] = {}
        self._open_order: OrderedDict[str, None] = OrderedDict()
        self._sessions: dict[str, SessionInfo] = {}  # sessions with records and no summary yet
        self._ended: OrderedDict[str, None] = OrderedDict()  # recently ended: late entries add no new session
        self._slow_until = 0.0  # monotonic time until which records go through the writer (a slow disk)
        # Owned by the writer thread.
        self._totals: dict[str, _SessionTotals] = {}
        self._dirty: set[str] = set()
        self._global_delta: dict[str, ToolStats] = {}
        self._new_sessions = 0
        self._last_snapshot = 0.0
        self._last_stuck_check = 0.0
        self._last_idle_check = 0.0
        self._last_error_log = -_ERROR_LOG_INTERVAL_S
        self._suppressed_errors = 0
        self.write_errors = 0  # failed writes since start (visible to tests and diagnostics)
        self.dropped = 0  # records dropped because the writer fell too far behind

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> Tracker:
        """Create the directory (a failure is logged, calls still work) and start the writer thread."""
        with self._start_lock:
            if self._thread is not None or self._closed:
                return self
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                log.warning("tracking: cannot create %s (%s); tool calls are not recorded", self.directory, exc)
            self._thread = threading.Thread(target=self._run, name="tracy-mcp-tracking", daemon=True)
            self._thread.start()
        return self

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every record queued so far is written, with rankings and global stats. False on timeout."""
        if self._thread is None or not self._thread.is_alive():
            return False
        done = threading.Event()
        self._queue.put(("flush", done))
        self._wake.set()
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """End every open session (summary blocks), write the statistics, stop the writer. Idempotent."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is None or not thread.is_alive():
            return
        done = threading.Event()
        self._queue.put(("stop", done))
        self._wake.set()
        done.wait(timeout)
        thread.join(timeout)

    # -- sessions -------------------------------------------------------------------------------------------

    def open_session(self, session_id: str | None = None, *, client: str = "", protocol: str = "") -> SessionInfo:
        """A new session; ``session_id`` defaults to a fresh sortable id. Its log file appears with its first call."""
        sid = safe_session_id(session_id) if session_id else new_session_id()
        info = SessionInfo(sid, client=client, protocol=protocol)
        with self._keyed_lock:
            self._open[sid] = info
        return info

    def session_for_key(
        self, key: Hashable, *, anchor: object = None, client: str = "", protocol: str = ""
    ) -> SessionInfo:
        """The open session grouped under ``key`` (for transports without sessions), created on first use.

        With ``anchor``, the session also ends when that object is garbage-collected, and a new object that
        happens to reuse a key (``id()`` values are recycled) gets a new session.
        """
        with self._keyed_lock:
            found = self._keyed.get(key)
            if found is not None:
                info, ref = found
                if not info.ended and (ref is None or ref() is anchor):
                    return info
            info = SessionInfo(new_session_id(), client=client, protocol=protocol)
            self._open[info.session_id] = info
            ref = None
            if anchor is not None:
                try:
                    ref = weakref.ref(anchor)
                    weakref.finalize(anchor, self.end_session, info.session_id)
                except TypeError:  # not weak-referenceable: the session lives until idle or close
                    ref = None
            self._keyed[key] = (info, ref)
            return info

    def end_session(self, session_id: str) -> None:
        """Append the session's summary block and write its final ranking. Later calls start a new session."""
        with self._keyed_lock:
            info = self._open.pop(session_id, None)
            if info is not None:
                info.ended = True
            for key, (keyed, _) in list(self._keyed.items()):
                if keyed.session_id == session_id:
                    del self._keyed[key]
        self._queue.put(("end", session_id, time.time()))

    # -- the call path --------------------------------------------------------------------------------------

    def begin_call(self, session: SessionInfo, tool: str, arguments: Any, *, parent_id: str | None = None) -> CallState:
        """Start recording a call: its start line is in the log when this returns (write it before running the call).

        A call started inside another tracked call is its child (depth + 1).
        """
        outer = _current.get()
        if parent_id is None and outer is not None:
            call = CallState(session, tool, arguments, parent_id=outer.call_id, depth=outer.depth + 1)
        else:
            call = CallState(session, tool, arguments, parent_id=parent_id)
        session.last_mono = call.started_mono
        self._inflight[call.call_id] = call
        self._write(session, format_start(call))
        return call

    def finish_call(self, call: CallState, status: Status, result: Any = None, error: str | None = None) -> None:
        """Write the entry of a finished call (``success``/``error``; ``success`` with resolution steps ->
        ``resolved``) and queue it for the statistics."""
        latency_ms = (time.perf_counter() - call.started_mono) * 1000.0
        self._inflight.pop(call.call_id, None)
        if status == "success" and call.resolution:
            status = "resolved"
        _remember_depth(call.call_id, call.depth)
        self._put(("call", CallOutcome(call, status, latency_ms, None, error)))  # counted even if formatting fails
        self._write(call.session, format_entry(CallOutcome(call, status, latency_ms, result, error)))

    def _put(self, item: tuple[Any, ...]) -> None:
        if self._queue.qsize() >= _QUEUE_MAX:  # the writer is hung (a dead network drive?): keep memory bounded
            self.dropped += 1
            return
        self._queue.put(item)

    def _write(self, session: SessionInfo, text: str) -> None:
        """Append ``text`` to the session's log now, or leave it to the writer thread while writing is slow."""
        if self._closed:
            return
        if (
            self._thread is None
            or time.monotonic() < self._slow_until
            or not self._io_lock.acquire(timeout=_LOCK_WAIT_S)
        ):
            self._put(("text", session, text))
            return
        try:
            started = time.perf_counter()
            self._append(session, text)
            took = time.perf_counter() - started
        finally:
            self._io_lock.release()
        if took > _SLOW_WRITE_S:
            self._slow_until = time.monotonic() + _SLOW_PAUSE_S
            log.warning(
                "tracking: a write to %s took %.1f s; records are written in the background for %.0f s",
                self.directory,
                took,
                _SLOW_PAUSE_S,
            )

    # -- the writer thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        idle_tick = min(_POLL_IDLE_S, self.settings.snapshot_interval_s, self.settings.stuck_after_s / 4)
        tick = idle_tick
        stop: threading.Event | None = None
        while stop is None:
            self._wake.wait(tick)
            self._wake.clear()
            batch: list[tuple[Any, ...]] = []
            try:
                while len(batch) < _BATCH_MAX:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                pass
            if len(batch) >= _BATCH_MAX:
                tick = 0.0  # more is waiting
            else:
                tick = min(_POLL_BUSY_S, idle_tick) if batch else idle_tick
            waiters: list[threading.Event] = []
            for item in batch:
                kind = item[0]
                try:
                    if kind == "call":
                        self._on_outcome(item[1])
                    elif kind == "text":
                        with self._io_lock:
                            self._append(item[1], item[2])
                    elif kind == "end":
                        self._on_end(item[1], item[2])
                    elif kind == "flush":
                        waiters.append(item[1])
                    elif kind == "stop":
                        stop = item[1]
                except Exception:  # a bug here must not kill the writer: the next records still get written
                    log.exception("tracking: failed to record %s", kind)
            try:
                now = time.perf_counter()
                self._check_stuck(now)
                self._check_idle(now)
                if stop is not None:
                    self._shutdown()
                if (
                    waiters
                    or stop is not None
                    or (self._dirty or self._global_delta)
                    and (now - self._last_snapshot >= self.settings.snapshot_interval_s)
                ):
                    self._write_snapshots()
                    self._last_snapshot = now
            except Exception:
                log.exception("tracking: writer step failed")
            for event in waiters:
                event.set()
        self._close_logs()
        stop.set()

    def _failed(self, what: object, exc: OSError) -> None:
        """Log a write failure, at most once a minute; the call it belongs to is unaffected."""
        self.write_errors += 1
        now = time.monotonic()
        if now - self._last_error_log >= _ERROR_LOG_INTERVAL_S:
            n = self._suppressed_errors
            more = f" ({n} more failures since the last report)" if n else ""
            log.warning("tracking: cannot write %s: %s; tool calls are unaffected%s", what, exc, more)
            self._last_error_log = now
            self._suppressed_errors = 0
        else:
            self._suppressed_errors += 1

    def _log_failed(self, session_log: SessionLog, exc: OSError) -> None:
        """A session log could not be written: report the failure (rate-limited) and close the log's file."""
        self._failed(session_log.path, exc)
        with contextlib.suppress(OSError):
            session_log.close()

    def _log_for(self, session: SessionInfo) -> SessionLog:
        """The session's log, opened on demand (hold ``_io_lock``)."""
        sid = session.session_id
        session_log = self._logs.get(sid)
        if session_log is None:
            session_log = SessionLog(
                self.directory,
                sid,
                self.settings.rotate_bytes,
                lambda part: format_header(session, self.server_label, part),
            )
            self._logs[sid] = session_log
        if sid not in self._ended:
            self._sessions[sid] = session
        self._open_order[sid] = None
        self._open_order.move_to_end(sid)
        if len(self._open_order) > _OPEN_LOGS_MAX:
            oldest, _ = self._open_order.popitem(last=False)
            self._logs[oldest].close()
        return session_log

    def _append(self, session: SessionInfo, text: str) -> None:
        """Write ``text`` to the session's log (hold ``_io_lock``); a failure is counted and logged, never raised."""
        session_log = self._log_for(session)
        try:
            session_log.append(text)
        except OSError as exc:
            self._log_failed(session_log, exc)

    def _on_outcome(self, outcome: CallOutcome) -> None:
        """Count a finished call (its entry is already written)."""
        call = outcome.call
        sid = call.session.session_id
        self._global_delta.setdefault(call.tool, ToolStats()).add(outcome.status, outcome.latency_ms)
        if sid in self._ended:
            return  # a call that outlived its session: logged and counted globally, the summary is written
        totals = self._totals.get(sid)
        if totals is None:
            totals = self._totals[sid] = _SessionTotals()
        if not totals.counted:
            totals.counted = True
            self._new_sessions += 1
        totals.tools.setdefault(call.tool, ToolStats()).add(outcome.status, outcome.latency_ms)
        totals.max_depth = max(totals.max_depth, call.depth)
        self._dirty.add(sid)

    def _check_stuck(self, now: float) -> None:
        if not self._inflight or now - self._last_stuck_check < 0.25:
            return
        self._last_stuck_check = now
        limit = self.settings.stuck_after_s
        for call in list(self._inflight.values()):
            if not call.stuck_reported and now - call.started_mono >= limit:
                call.stuck_reported = True
                with self._io_lock:
                    self._append(call.session, format_entry(CallOutcome(call, "stuck", None, final=False)))

    def _check_idle(self, now: float) -> None:
        if now - self._last_idle_check < 5.0:
            return
        self._last_idle_check = now
        busy = {c.session.session_id for c in list(self._inflight.values())}
        limit = self.settings.idle_session_s
        with self._keyed_lock:
            idle = [
                (key, info)
                for key, (info, _) in self._keyed.items()
                if now - info.last_mono >= limit and info.session_id not in busy
            ]
            for key, info in idle:
                info.ended = True
                del self._keyed[key]
                self._open.pop(info.session_id, None)
        for _, info in idle:
            self._on_end(info.session_id, time.time())

    def _on_end(self, session_id: str, ended_wall: float) -> None:
        totals = self._totals.pop(session_id, None)
        with self._io_lock:
            session = self._sessions.pop(session_id, None)
            if session is None:
                return  # no call was ever recorded (or the summary is already written)
            self._ended[session_id] = None
            if len(self._ended) > 4096:
                self._ended.popitem(last=False)
            running = [c for c in list(self._inflight.values()) if c.session.session_id == session_id]
            now = time.perf_counter()
            stuck = sum(1 for c in running if now - c.started_mono >= self.settings.stuck_after_s)
            tools = totals.tools if totals is not None else {}
            self._append(session, self._summary(session, tools, totals, stuck, len(running) - stuck, ended_wall))
            session_log = self._logs.pop(session_id, None)
            self._open_order.pop(session_id, None)
            if session_log is not None:
                try:
                    session_log.close()
                except OSError as exc:
                    self._failed(session_log.path, exc)
        self._write_ranking(session_id, tools)
        self._dirty.discard(session_id)

    def _summary(
        self,
        session: SessionInfo,
        tools: dict[str, ToolStats],
        totals: _SessionTotals | None,
        stuck: int,
        running: int,
        ended_wall: float,
    ) -> str:
        done = ToolStats()
        for s in tools.values():
            done.merge(s)
        total = done.calls + stuck + running
        row = [
            total,
            done.successes,
            done.errors,
            stuck,
            percent(done.successes, total),
            latency(done.avg_latency_ms) if done.latency_count else "–",
            totals.max_depth if totals is not None else 0,
            duration(max(0.0, ended_wall - session.started_wall)),
        ]
        headers = ["total calls", "successes", "errors", "stuck", "success rate", "avg latency", "max depth"]
        headers.append("duration")
        table = markdown_table(headers, [row], [True] * len(headers))
        extra = f"\n{running} call(s) were still running (under the stuck threshold).\n" if running else ""
        return f"## Session summary\n\nEnded {utc(ended_wall, ms=False)}.\n\n{table}{extra}\n"

    def _write_ranking(self, session_id: str, tools: dict[str, ToolStats]) -> None:
        path = self.directory / f"{session_id}_ranking.md"
        try:
            write_atomic(path, format_ranking(session_id, tools))
        except OSError as exc:
            self._failed(path, exc)

    def _write_snapshots(self) -> None:
        for sid in list(self._dirty):
            totals = self._totals.get(sid)
            if totals is not None:
                self._write_ranking(sid, totals.tools)
        self._dirty.clear()
        if self._global_delta or self._new_sessions:
            try:
                merge_global(self.directory, self._global_delta, self._new_sessions)
            except OSError as exc:
                self._failed(self.directory / "_global_stats.json", exc)  # the counts stay queued for next time
            else:
                self._global_delta = {}
                self._new_sessions = 0

    def _shutdown(self) -> None:
        ended = time.time()
        with self._keyed_lock:
            for info in self._open.values():
                info.ended = True
            self._open.clear()
            self._keyed.clear()
        with self._io_lock:
            sessions = list(self._sessions)
        for sid in sessions:
            self._on_end(sid, ended)
        # The process is ending: calls still running will never finish, they count as stuck.
        for call in list(self._inflight.values()):
            self._global_delta.setdefault(call.tool, ToolStats()).add("stuck", None)
        self._inflight.clear()

    def _close_logs(self) -> None:
        with self._io_lock:
            for session_log in self._logs.values():
                try:
                    session_log.close()
                except OSError:
                    pass
            self._logs.clear()
            self._open_order.clear()


def status_of_result(result: Any) -> Status:
    """``error`` for an ``is_error`` tool result (dict from the SDK or a model), else ``success``."""
    if isinstance(result, dict):
        return "error" if result.get("isError") else "success"
    return "error" if getattr(result, "is_error", False) else "success"


__all__ = [
    "SUCCESS_STATUSES",
    "Tracker",
    "current_call_id",
    "status_of_result",
    "link_parent",
    "new_session_id",
    "note_instance",
    "note_resolution",
]
