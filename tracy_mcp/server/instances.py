"""The loaded captures and live sessions of one server, by id, with their lifecycle rules.

- An unchanged file (same resolved path and mtime) is loaded once; loading it again returns the same instance.
- At most `max_instances` are kept: adding one more evicts the least recently used evictable instance. A
  connected live session is never evicted, nor one a running task is using.
- A periodic sweep unloads file captures and disconnected live sessions left idle past their TTLs
  (a file capture is still on disk, so nothing is lost).
- An instance has one id and any number of aliases; both work wherever an instance id is asked for.
- An instance whose capture was closed behind the registry's back (`ctx.close()` in eval) is dropped the next time
  the registry is consulted, so it is neither reused nor listed; loading its file again makes a fresh one.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

log = logging.getLogger("tracy_mcp.server.instances")


class UnknownInstanceError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown instance"


class InstanceBusyError(RuntimeError):
    pass


@attrs.define(eq=False)
class Instance:
    id: str
    capture: Any  # tracy_mcp.Capture (or a live capture with the same API)
    live: bool = False
    path: str | None = None
    mtime: float | None = None
    address: str | None = None
    port: int | None = None
    aliases: set[str] = attrs.field(factory=set)
    # load_capture calls that returned this instance and have not been matched by an unload_capture: on a shared
    # server another client may still be using it (clients often connect per call, so sessions cannot tell)
    loads: int = 1
    created: float = attrs.field(factory=time.time)
    last_used: float = attrs.field(factory=time.time)

    def touch(self) -> None:
        self.last_used = time.time()

    def idle_seconds(self, now: float | None = None) -> float:
        return max(0.0, (now or time.time()) - self.last_used)

    def connected(self) -> bool:
        if not self.live:
            return False
        try:
            return bool(self.capture.is_connected())
        except Exception:  # noqa: BLE001 - a broken session counts as disconnected
            return False

    def background_done(self) -> bool | None:
        try:
            return bool(self.capture.is_background_done())
        except Exception:  # noqa: BLE001
            return None

    def memory_bytes(self) -> int | None:
        try:
            return int(self.capture.memory_bytes())
        except Exception:  # noqa: BLE001
            return None

    def describe(self, now: float | None = None) -> dict[str, Any]:
        mem = self.memory_bytes()
        return {
            "id": self.id,
            "aliases": sorted(self.aliases),
            "path": self.path,
            "live": self.live,
            "address": f"{self.address}:{self.port}" if self.live else None,
            "connected": self.connected(),
            "idle_seconds": round(self.idle_seconds(now), 1),
            "background_done": self.background_done(),
            "memory_bytes": mem,
            "loads": self.loads,  # load_capture calls holding it (unload_capture releases one)
        }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "capture"


def _differing_folder(path: Path, other: Path) -> str | None:
    """The nearest folder of `path` whose name is not the one `other` has at the same height."""
    mine, theirs = path.parents, other.parents
    for i, folder in enumerate(mine):
        if folder.name and (i >= len(theirs) or theirs[i].name != folder.name):
            return folder.name
    return None


GONE_KEPT = 256  # names of unloaded instances remembered, to say why a request for one fails


class Registry:
    """Thread-safe map of instance id -> Instance, applying the lifecycle rules above."""

    def __init__(
        self,
        max_instances: int = 8,
        file_idle_ttl_s: float = 3600.0,
        disconnected_ttl_s: float = 1800.0,
        in_use: Callable[[str], bool] | None = None,
    ) -> None:
        self.max_instances = max_instances
        self.file_idle_ttl_s = file_idle_ttl_s
        self.disconnected_ttl_s = disconnected_ttl_s
        # Tells whether a task is running on an instance (such an instance is never evicted or unloaded).
        self._in_use = in_use or (lambda _id: False)
        self._items: dict[str, Instance] = {}
        # id or alias -> what became of an instance no longer loaded, to answer a later request for it
        self._gone: dict[str, str] = {}
        self._lock = threading.RLock()

    # -- lookup -------------------------------------------------------------------------------------------------
    def get(self, name: str) -> Instance:
        """By id or alias; touches it (it counts as used)."""
        with self._lock:
            inst = self._resolve(name)
            inst.touch()
            return inst

    def _resolve(self, name: str) -> Instance:
        self._drop_closed()
        inst = self._items.get(name)
        if inst is None:
            inst = next((i for i in self._items.values() if name in i.aliases), None)
        if inst is None:
            names = sorted(self._items)
            hint = f"loaded: {', '.join(names)}" if names else "nothing is loaded; use load_capture or live_connect"
            if name in self._gone:
                hint = f"{self._gone[name]}. {hint}"
            raise UnknownInstanceError(f"no instance {name!r} ({hint})")
        return inst

    def _drop_closed(self) -> None:
        """Forget instances whose capture was closed from outside (they could answer nothing)."""
        for inst_id, inst in list(self._items.items()):
            closed = getattr(inst.capture, "closed", None)
            if callable(closed) and closed():
                del self._items[inst_id]
                self._remember(inst, "its capture was closed (ctx.close() in eval); load it again")
                log.info("dropped %s: its capture was closed outside the registry (ctx.close() in eval)", inst_id)

    def find_file(self, path: str | os.PathLike[str]) -> Instance | None:
        """The loaded instance of this exact, unchanged file, if any."""
        resolved, mtime = file_key(path)
        with self._lock:
            self._drop_closed()
            for inst in self._items.values():
                if not inst.live and inst.path == resolved and inst.mtime == mtime:
                    return inst
        return None

    def all(self) -> list[Instance]:
        with self._lock:
            self._drop_closed()
            return list(self._items.values())

    def captures(self) -> dict[str, Any]:
        """id -> capture, for `instances` in eval (aliases included)."""
        with self._lock:
            self._drop_closed()
            out: dict[str, Any] = {}
            for inst in self._items.values():
                out[inst.id] = inst.capture
                for alias in inst.aliases:
                    out.setdefault(alias, inst.capture)
            return out

    def __len__(self) -> int:
        with self._lock:
            self._drop_closed()
            return len(self._items)

    # -- changes ------------------------------------------------------------------------------------------------
    def new_id(self, base: str, path: str | None = None) -> str:
        """`base` (a file's stem) if free; else, for a file, `folder-base` with the nearest folder in which its path
        differs from the file holding that name (`blind203-run1`, not `run1-2`, for blind203/neutral/run1.tracy
        beside blind202/neutral/run1.tracy); else `base-N`."""
        with self._lock:
            self._drop_closed()
            base = _slug(base)
            candidates = [base]
            holder = self._items.get(base)
            if path and holder is not None and holder.path:
                folder = _differing_folder(Path(path), Path(holder.path))
                if folder:
                    candidates.append(f"{_slug(folder)}-{base}")
            for candidate in candidates:
                if candidate not in self._items and not any(candidate in i.aliases for i in self._items.values()):
                    return candidate
            for n in range(2, 10_000):
                candidate = f"{base}-{n}"
                if candidate not in self._items:
                    return candidate
        raise RuntimeError("no free instance id")

    def add(self, inst: Instance) -> list[str]:
        """Register `inst` under its id; an instance that already had that name (as id or alias) is replaced, as a
        reload under the same name should. Returns the ids evicted to stay within the cap."""
        with self._lock:
            self._drop_closed()
            self._release_name(inst.id)
            self._gone.pop(inst.id, None)
            self._items[inst.id] = inst
            return self._evict_for_capacity(keep=inst.id)

    def add_alias(self, inst: Instance, alias: str) -> None:
        with self._lock:
            if alias == inst.id or alias in inst.aliases:
                return
            self._release_name(alias)
            inst.aliases.add(alias)

    def _release_name(self, name: str) -> None:
        """Free `name`: drop it as an alias, or unload the instance it names (an alias overwrites on collision)."""
        for inst in list(self._items.values()):
            inst.aliases.discard(name)
        if name in self._items:
            if not self._evictable(self._items[name]):
                raise InstanceBusyError(
                    f"the name {name!r} belongs to an instance in use (a running task or a "
                    "connected live session); choose another alias"
                )
            self._unload(name, "replaced by a new instance of the same name")

    def remove(self, name: str, force: bool = True) -> tuple[Instance, bool]:
        """Unload one instance by id or alias; refuses while a task uses it. Without `force`, an instance that more
        loads than this one hold only counts one load fewer (allowed while another client's task uses it):
        (instance, whether it was unloaded)."""
        with self._lock:
            inst = self._resolve(name)
            if not force and inst.loads > 1:
                inst.loads -= 1
                return inst, False
            if self._in_use(inst.id):
                raise InstanceBusyError(
                    f"instance {inst.id!r} is in use by a running task; cancel it with task(action='cancel') first"
                )
            self._unload(inst.id, "unloaded on request")
            return inst, True

    def reuse(self, inst: Instance) -> None:
        """One more load_capture returned `inst` (see Instance.loads)."""
        with self._lock:
            inst.loads += 1
            inst.touch()

    def _remember(self, inst: Instance, what: str) -> None:
        """Keep what became of `inst` under its id and aliases (the newest GONE_KEPT names)."""
        for name in (inst.id, *inst.aliases):
            self._gone.pop(name, None)
            self._gone[name] = what
        while len(self._gone) > GONE_KEPT:
            del self._gone[next(iter(self._gone))]

    def _unload(self, inst_id: str, why: str) -> None:
        inst = self._items.pop(inst_id)
        log.info("unloading %s (%s)", inst_id, why)
        again = f"; load_capture({inst.path!r}) loads it again" if inst.path and not inst.live else ""
        self._remember(inst, f"unloaded at {time.strftime('%H:%M:%S', time.localtime())} ({why}){again}")
        try:
            if inst.live and inst.connected():
                inst.capture.disconnect()
        except Exception:  # noqa: BLE001
            log.exception("disconnecting %s failed", inst_id)
        try:
            inst.capture.close()
        except Exception:  # noqa: BLE001
            log.exception("closing %s failed", inst_id)

    def _evictable(self, inst: Instance) -> bool:
        return not (inst.live and inst.connected()) and not self._in_use(inst.id)

    def _evict_for_capacity(self, keep: str) -> list[str]:
        evicted: list[str] = []
        while len(self._items) > self.max_instances:
            candidates = [i for i in self._items.values() if i.id != keep and self._evictable(i)]
            if not candidates:
                log.warning(
                    "%d instances exceed the cap of %d but none can be evicted", len(self._items), self.max_instances
                )
                break
            victim = min(candidates, key=lambda i: i.last_used)
            self._unload(
                victim.id,
                f"to make room: the server keeps at most {self.max_instances} captures loaded "
                "(TRACY_MCP_MAX_INSTANCES) and this was the least recently used",
            )
            evicted.append(victim.id)
        return evicted

    def sweep(self, now: float | None = None) -> list[str]:
        """Unload instances idle past their TTL. Returns their ids."""
        now = now or time.time()
        evicted: list[str] = []
        with self._lock:
            for inst in list(self._items.values()):
                if not self._evictable(inst):
                    continue
                ttl = self.disconnected_ttl_s if inst.live else self.file_idle_ttl_s
                if ttl and inst.idle_seconds(now) >= ttl:
                    kind = "disconnected live session" if inst.live else "file capture"
                    self._unload(inst.id, f"{kind} idle for {inst.idle_seconds(now):.0f} s")
                    evicted.append(inst.id)
        return evicted

    def close_all(self) -> None:
        """Unload everything at shutdown, except what a task still runs on (freed with the process instead:
        closing a capture under native code that is reading it would crash)."""
        with self._lock:
            for inst_id in list(self._items):
                if not self._in_use(inst_id):
                    self._unload(inst_id, "server shutting down")


def file_key(path: str | os.PathLike[str]) -> tuple[str, float]:
    """(resolved path, mtime): what identifies an unchanged capture file."""
    p = Path(path).expanduser().resolve()
    return str(p), p.stat().st_mtime
