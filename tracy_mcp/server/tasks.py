"""Background work the server runs in threads: evals and saves, each a `Task` that can be polled and stopped.

Python cannot kill a thread. To stop one we raise an exception inside it (``PyThreadState_SetAsyncExc``); the
interpreter delivers it at the thread's next bytecode, so pure-Python loops stop at once, while a thread busy
inside one long native call (a big numpy operation, the engine, a blocking read) stops only when that call
returns. `Task.stop` says which of the two happened.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import attrs

PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMED_OUT = (
    "pending",
    "running",
    "completed",
    "failed",
    "cancelled",
    "timed_out",
)
FINISHED = (COMPLETED, FAILED, CANCELLED, TIMED_OUT)
# How long `stop` waits for the thread to honour the injected exception before reporting it could not.
STOP_GRACE_S = 2.0
# Stack of a task's thread: room for deep recursion in user code (evaluator.MAX_RECURSION_LIMIT derives from it).
# Address space only: pages are committed as the stack grows.
TASK_STACK_BYTES = 64 * 2**20
# Alternate signal stack of a task's thread, where the fatal-error handler (faulthandler, crash.log) runs when the
# thread's own stack is exhausted; without one a stack overflow killed the server leaving crash.log empty.
SIGNAL_STACK_BYTES = 64 * 2**10
# Finished tasks remembered for `task poll`/`list`.
KEEP_FINISHED = 200
# How long a finished background task stays in the default `task list`.
RECENT_S = 600.0


_stack_size_lock = threading.Lock()  # threading.stack_size is process-wide: set it only around our own start()


class _StackT(ctypes.Structure):  # Linux's stack_t
    _fields_ = [("ss_sp", ctypes.c_void_p), ("ss_flags", ctypes.c_int), ("ss_size", ctypes.c_size_t)]


@contextlib.contextmanager
def _signal_stack() -> Iterator[None]:
    """An alternate signal stack for this thread while the block runs (Linux; elsewhere nothing)."""
    libc = _libc()
    if libc is None:
        yield
        return
    buf = ctypes.create_string_buffer(SIGNAL_STACK_BYTES)
    installed = libc.sigaltstack(ctypes.byref(_StackT(ctypes.addressof(buf), 0, len(buf))), None) == 0
    try:
        yield
    finally:
        if installed:  # SS_DISABLE before the buffer is freed
            libc.sigaltstack(ctypes.byref(_StackT(None, 2, 0)), None)


@functools.cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


class TaskStopped(BaseException):
    """Raised inside a task's thread to stop it. A BaseException so `except Exception` in user code won't eat it."""


class TaskCancelled(TaskStopped):
    pass


class TaskTimedOut(TaskStopped):
    pass


class UnknownTaskError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown task"


def _inject(thread_id: int, exc: type[BaseException] | None) -> int:
    """Schedule `exc` in the thread (None clears it). Returns how many thread states were modified."""
    return int(
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)
    )


@attrs.define(eq=False)
class Task:
    """One unit of background work. `fn` runs in its own daemon thread; its return value becomes `result`."""

    id: str
    kind: str
    instance_id: str | None
    description: str
    fn: Callable[[], Any]
    time_limit_s: float | None = None
    on_finish: Callable[[Task], None] | None = None
    call_id: str | None = None  # the tracked tool call that started it (tracking.current_call_id)
    background: bool = True  # started to be polled (async eval, save); a synchronous eval is not listed by default
    status: str = PENDING
    result: Any = None
    error: str | None = None
    note: str | None = None
    created: float = attrs.field(factory=time.time)
    started: float | None = None
    finished: float | None = None
    _thread: threading.Thread | None = None
    _done: threading.Event = attrs.field(factory=threading.Event)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)
    _stop_reason: str | None = None
    _finishing: bool = False
    _timer: threading.Timer | None = None
    _done_callbacks: list[Callable[[], None]] = attrs.field(factory=list)

    # -- running ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"tracy-mcp-{self.kind}-{self.id}", daemon=True)
        self.status = RUNNING
        self.started = time.time()
        with _stack_size_lock:
            try:
                previous = threading.stack_size(TASK_STACK_BYTES)
            except (ValueError, RuntimeError):  # the platform sets no thread stack size: keep its default
                self._thread.start()
            else:
                try:
                    self._thread.start()
                finally:
                    threading.stack_size(previous)
        if self.time_limit_s:
            self._timer = threading.Timer(self.time_limit_s, self.stop, kwargs={"reason": TIMED_OUT})
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        # At most one stop exception is ever injected (see `stop`). Everything up to the clearing call below is
        # inside the outer `try`, so wherever it lands it is caught; after it, none can be pending.
        try:
            try:
                with _signal_stack():
                    result = self.fn()
            finally:
                with self._lock:
                    self._finishing = True
                _inject(threading.get_ident(), None)
        except TaskStopped:
            self.status = TIMED_OUT if self._stop_reason == TIMED_OUT else CANCELLED
            self.error = self._stop_message()
            if self.note:
                self.note = "the stop took effect once the native call it was in returned"
        except BaseException as exc:  # noqa: BLE001 - everything the user code raises is reported, never raised
            self.status = FAILED
            self.error = getattr(exc, "formatted", None) or f"{type(exc).__name__}: {exc}"
            self.result = getattr(exc, "partial_output", None)
        else:
            if self._stop_reason is not None:
                self.note = f"a stop ({self._stop_reason}) was requested but the work had already finished"
            self.status = COMPLETED
            self.result = result
        self.finished = time.time()
        if self._timer is not None:
            self._timer.cancel()
        if self.on_finish is not None:
            try:
                self.on_finish(self)
            except Exception:  # noqa: BLE001 - bookkeeping must not kill the worker thread
                pass
        with self._lock:
            self._done.set()
            callbacks, self._done_callbacks = self._done_callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - a waiter gone away must not kill the worker thread
                pass

    def _stop_message(self) -> str:
        if self._stop_reason == TIMED_OUT:
            return f"stopped after its time limit of {self.time_limit_s:g} s"
        return "cancelled"

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call `callback()` once the task has finished: at once if it has, else from the task's thread."""
        with self._lock:
            if not self._done.is_set():
                self._done_callbacks.append(callback)
                return
        callback()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def stop(self, reason: str = CANCELLED, grace_s: float = STOP_GRACE_S) -> str:
        """Stop the work. Returns a sentence saying what happened (stopped, already finished, or could not)."""
        if self.done:
            return f"task {self.id} had already finished ({self.status})"
        with self._lock:
            if self._stop_reason is not None:
                return self._pending_stop_message()
            if self._finishing or self._thread is None or self._thread.ident is None:
                stopped_now = False
            else:
                self._stop_reason = reason
                exc = TaskTimedOut if reason == TIMED_OUT else TaskCancelled
                stopped_now = _inject(self._thread.ident, exc) == 1
        if not stopped_now:
            self.wait(grace_s)
            return f"task {self.id} finished before it could be stopped ({self.status})"
        if self.wait(grace_s):
            return f"task {self.id} stopped ({self.status})"
        self.note = (
            "stop requested but not yet effective: the task is inside a native call (or code that catches "
            "BaseException) that Python cannot interrupt; it stops when that call returns"
        )
        return self._pending_stop_message()

    def _pending_stop_message(self) -> str:
        if self.done:
            return f"task {self.id} stopped ({self.status})"
        return (
            f"task {self.id} could not be stopped yet: it is inside a native call (e.g. a long numpy or engine "
            "operation) that Python cannot interrupt. It will stop when that call returns; poll it to see."
        )

    # -- reporting ----------------------------------------------------------------------------------------------
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.time()) - self.started

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "task_id": self.id,
            "kind": self.kind,
            "label": self.description,
            "instance_id": self.instance_id,
            "status": self.status,
            "elapsed_s": round(self.elapsed(), 3),
        }
        if self.note:
            out["note"] = self.note
        return out

    def report(self) -> dict[str, Any]:
        out = self.summary()
        if self.status == COMPLETED:
            out["result"] = self.result
        elif self.status in FINISHED:
            out["error"] = self.error
            if self.result:
                out["output_before_error"] = self.result
        return out


class TaskManager:
    """All tasks of this server. Thread-safe."""

    def __init__(self) -> None:
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(
        self,
        kind: str,
        fn: Callable[[], Any],
        *,
        instance_id: str | None = None,
        description: str = "",
        time_limit_s: float | None = None,
        on_finish: Callable[[Task], None] | None = None,
        call_id: str | None = None,
        background: bool = True,
    ) -> Task:
        with self._lock:
            task = Task(
                id=f"t{next(self._ids)}",
                kind=kind,
                instance_id=instance_id,
                description=description,
                fn=fn,
                time_limit_s=time_limit_s or None,
                on_finish=on_finish,
                call_id=call_id,
                background=background,
            )
            self._tasks[task.id] = task
            self._forget_old()
        task.start()
        return task

    def _forget_old(self) -> None:
        finished = [t.id for t in self._tasks.values() if t.done]
        for task_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._tasks[task_id]

    def get(self, task_id: str) -> Task:
        with self._lock:
            task = self._tasks.get(task_id)
            known = list(self._tasks)
        if task is None:
            hint = f"known tasks: {', '.join(known[-10:])}" if known else "there are no tasks"
            raise UnknownTaskError(f"no task {task_id!r} ({hint})")
        return task

    def all(self) -> list[Task]:
        with self._lock:
            return list(self._tasks.values())

    def listed(self, everything: bool = False, recent_s: float = RECENT_S) -> list[Task]:
        """What `task list` shows: running tasks, and background tasks that finished in the last `recent_s`
        seconds; with `everything`, every task still remembered (synchronous evals too)."""
        now = time.time()
        return [
            t
            for t in self.all()
            if everything or not t.done or (t.background and now - (t.finished or now) <= recent_s)
        ]

    def running(self) -> list[Task]:
        return [t for t in self.all() if not t.done]

    def running_on(self, instance_id: str) -> list[Task]:
        return [t for t in self.running() if t.instance_id == instance_id]


_NOISE = re.compile(r"^\s*(#|import\s|from\s+\S+\s+import\s|$)")


def label_of(code: str, limit: int = 80) -> str:
    """A readable label for a piece of code: its first line that is not blank, a comment or an import."""
    lines = code.splitlines()
    first = next((ln.strip() for ln in lines if not _NOISE.match(ln)), lines[0].strip() if lines else "")
    return first if len(first) <= limit else first[: limit - 1] + "…"
