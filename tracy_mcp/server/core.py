"""What every tool of one server process shares: `Core` (settings, loaded instances, tasks) and the helpers
the tool groups use to wait for tasks."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from tracy_mcp import tracking
from tracy_mcp.server.instances import Instance, Registry, UnknownInstanceError
from tracy_mcp.server.loads import Loads
from tracy_mcp.server.settings import Settings
from tracy_mcp.server.tasks import COMPLETED, Task, TaskManager

log = logging.getLogger("tracy_mcp.server")


class Core:
    """State shared by every tool of one server process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tasks = TaskManager()
        self.registry = Registry(
            max_instances=settings.max_instances,
            file_idle_ttl_s=settings.file_idle_ttl_s,
            disconnected_ttl_s=settings.disconnected_ttl_s,
            in_use=lambda inst_id: bool(self.tasks.running_on(inst_id)),
        )
        self.started = time.time()
        self.transport = "stdio"
        self.url: str | None = None
        self._load_locks: dict[str, asyncio.Lock] = {}
        self.loads = Loads(settings.max_loads, settings.load_time_limit_s, settings.load_slot_wait_s)
        # Set by the transport runner: asks the process to stop serving.
        self.request_shutdown: Callable[[], None] = lambda: None
        self.tracker: Any = None

    def instance(self, instance_id: str | None) -> Instance:
        if not instance_id:
            loaded = self.registry.all()
            if len(loaded) == 1:
                loaded[0].touch()
                tracking.note_instance(loaded[0].id)
                tracking.note_resolution(f"no instance_id -> the only loaded instance {loaded[0].id}")
                return loaded[0]
            if not loaded:
                raise ToolError("nothing is loaded: call load_capture (or live_connect) first")
            raise ToolError(f"several instances are loaded ({', '.join(i.id for i in loaded)}): pass instance_id")
        try:
            inst = self.registry.get(instance_id)
        except UnknownInstanceError as exc:
            raise ToolError(str(exc)) from None
        tracking.note_instance(inst.id)
        if inst.id != instance_id:
            tracking.note_resolution(f"alias {instance_id!r} -> instance {inst.id}")
        return inst

    def namesake_note(self, inst: Instance) -> str:
        """'[run1 is /a/run1.tracy; also loaded from a file of that name: blind321-run1 (/b/run1.tracy)]' when
        other loaded files share this one's name (an id guessed from the file name may be the wrong one); ''."""
        if inst.live or not inst.path:
            return ""
        stem = Path(inst.path).stem
        others = [
            i for i in self.registry.all() if i is not inst and not i.live and i.path and Path(i.path).stem == stem
        ]
        if not others:
            return ""
        rest = ", ".join(f"{i.id} ({i.path})" for i in others[:3])
        return f"[{inst.id} is {inst.path}; also loaded from a file of that name: {rest}]\n"

    def load_lock(self, key: str) -> asyncio.Lock:
        return self._load_locks.setdefault(key, asyncio.Lock())

    async def sweep_loop(self) -> None:
        """Periodic eviction sweep; its log line is the heartbeat (a hung server stops writing it)."""
        while True:
            await anyio.sleep(self.settings.sweep_interval_s)
            try:
                evicted = self.registry.sweep()
            except Exception:  # noqa: BLE001 - the heartbeat must go on
                log.exception("sweep failed")
                evicted = []
            log.info(
                "heartbeat: up %.0f s, %d instance(s), %d running task(s), rss %s%s",
                time.time() - self.started,
                len(self.registry),
                len(self.tasks.running()),
                _rss(),
                f", evicted {', '.join(evicted)}" if evicted else "",
            )
            for handler in logging.getLogger().handlers:
                handler.flush()

    def close(self) -> None:
        for task in self.tasks.running():
            task.stop(grace_s=0.5)
        self.registry.close_all()
        if self.tracker is not None:
            try:
                self.tracker.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the tool-call tracker failed")


def _rss() -> str:
    """Resident memory of this process, for the heartbeat."""
    try:
        with open("/proc/self/statm") as f:
            return f"{int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20:.0f} MB"
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource

            return f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        except ImportError:
            return "unknown"


async def wait_task(task: Task, limit: float | None) -> None:
    """Wait for `task` without blocking the event loop (woken by the task's thread the moment it finishes, no
    polling); if the client cancels the call, stop the task too."""
    loop = asyncio.get_running_loop()
    finished = loop.create_future()

    def wake() -> None:
        if not finished.done():
            finished.set_result(None)

    def wake_from_thread() -> None:
        loop.call_soon_threadsafe(wake)

    task.when_done(wake_from_thread)
    try:
        await asyncio.wait({finished}, timeout=limit)
    except asyncio.CancelledError:
        await anyio.to_thread.run_sync(task.stop)
        raise


def task_outcome(task: Task) -> dict[str, Any]:
    if task.status == COMPLETED:
        return task.report()
    raise ToolError(task.error or task.status)
