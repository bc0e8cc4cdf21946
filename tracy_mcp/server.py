"""The MCP server: tools and resources over the `mcp` SDK's MCPServer, and the transports that carry them.

`Core` holds what the tools share (settings, the instance registry, the tasks); `build_mcp` registers the tools
and resources on an MCPServer; `serve_http` / `serve_stdio` run it. The singleton rules (one shared HTTP server
per user) are applied by the CLI through singleton.py before `serve_http` is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import functools
import logging
import logging.handlers
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tracy_mcp import broadcast, evaluator, live, tracking
from tracy_mcp._version import __version__
from tracy_mcp.http_security import RequestGuard, allowed_hosts, allowed_origins
from tracy_mcp.instances import Instance, InstanceBusyError, Registry, UnknownInstanceError, file_key
from tracy_mcp.settings import Settings
from tracy_mcp.singleton import PING_PATH, SERVER_NAME
from tracy_mcp.tasks import COMPLETED, STOP_GRACE_S, TIMED_OUT, Task, TaskManager, UnknownTaskError

log = logging.getLogger("tracy_mcp.server")

RESOURCES = Path(__file__).parent / "resources"
PROMPT_FILE = RESOURCES / "prompt.md"
EVAL_GUIDE_FILE = RESOURCES / "eval_guide.md"
EVAL_GUIDE_PLACEHOLDER = (
    "# tracy-mcp eval guide\n\nThe full guide is not part of this build yet. In `eval`, `ctx` is the capture "
    "(see `help(ctx)` and `dir(ctx)`), `instances` maps every loaded instance id to its capture, times are "
    "integer nanoseconds, and the value of the last expression is returned.\n"
)

INSTRUCTIONS = (
    "Query Tracy profiler captures. Start with list_captures/load_capture (or live_connect), then use eval to run "
    "Python against the capture bound as `ctx`. Read tracy://prompt (how to analyse) and tracy://eval-guide "
    "(the ctx API) before the first eval. Times are nanoseconds. Unload captures you are done with."
)


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


# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------


def _read_resource(path: Path, placeholder: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return placeholder


async def _wait_task(task: Task, limit: float | None) -> None:
    """Wait for `task` without blocking the event loop; if the client cancels the call, stop the task too."""
    deadline = None if limit is None else time.monotonic() + limit
    delay = 0.005
    try:
        while not task.done:
            if deadline is not None and time.monotonic() >= deadline:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
    except asyncio.CancelledError:
        await anyio.to_thread.run_sync(task.stop)
        raise


def _parse_port_range(port_range: str) -> range:
    try:
        first, _, last = port_range.partition("-")
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise ToolError(f"port_range {port_range!r} is not like '8086-8095'") from None
    if not (0 < lo <= hi < 65536) or hi - lo > 1024:
        raise ToolError(f"port_range {port_range!r} must be within 1-65535 and span at most 1024 ports")
    return range(lo, hi + 1)


def build_mcp(core: Core) -> MCPServer:
    settings = core.settings
    mcp: MCPServer = MCPServer(
        "tracy-mcp",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level=settings.log_level,  # type: ignore[arg-type]
    )

    # -- resources ----------------------------------------------------------------------------------------------
    @mcp.resource(
        "tracy://prompt",
        name="prompt",
        mime_type="text/markdown",
        description="How to analyse a Tracy capture well: workflows for slow frames, lock contention, "
        "memory and GPU. Read it before the first eval.",
    )
    def prompt_resource() -> str:
        return _read_resource(PROMPT_FILE, "# tracy-mcp analysis guide\n\n(missing from this build)\n")

    @mcp.resource(
        "tracy://eval-guide",
        name="eval-guide",
        mime_type="text/markdown",
        description="The `ctx` object model for eval: units (ns), ids and joins, worked examples.",
    )
    def eval_guide_resource() -> str:
        return _read_resource(EVAL_GUIDE_FILE, EVAL_GUIDE_PLACEHOLDER)

    @mcp.prompt(
        name="analyse_capture",
        title="Analyse a Tracy capture",
        description="Start a performance investigation of a capture with the analysis guide loaded.",
    )
    def analyse_capture_prompt(path: str = "", question: str = "") -> str:
        guide = _read_resource(PROMPT_FILE, "")
        target = f"the capture {path}" if path else "a capture (list_captures shows them)"
        ask = question or "Where does the time go, and what would make it faster?"
        return f"{guide}\n\n---\n\nLoad {target} with load_capture, read tracy://eval-guide, then answer: {ask}"

    # -- captures and instances ---------------------------------------------------------------------------------
    @mcp.tool()
    async def list_captures(recursive: bool = False) -> dict[str, Any]:
        """List the .tracy capture files in the TRACY_CAPTURES_DIR folder (subfolders too with recursive=True),
        with size and modification time. Pass a path from here to load_capture."""
        folder = settings.captures_dir
        if folder is None:
            return {
                "captures_dir": None,
                "captures": [],
                "note": "TRACY_CAPTURES_DIR is not set; load_capture accepts any absolute path",
            }
        if not folder.is_dir():
            raise ToolError(f"TRACY_CAPTURES_DIR {str(folder)!r} is not a folder")
        pattern = "**/*.tracy" if recursive else "*.tracy"
        found = []
        for p in sorted(folder.glob(pattern)):
            try:
                st = p.stat()
            except OSError:
                continue
            found.append(
                {
                    "path": str(p),
                    "size_mb": round(st.st_size / 2**20, 2),
                    "size_bytes": st.st_size,
                    "mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(st.st_mtime)),
                }
            )
        return {"captures_dir": str(folder), "captures": found}

    @mcp.tool()
    async def list_instances() -> dict[str, Any]:
        """List the loaded captures and live sessions: id, aliases, path, mtime, live, connected, idle_seconds,
        background_done (statistics finished), memory held. Each holds its whole trace in memory while this
        shared server runs: unload_capture what you no longer need. Automatic eviction is only a backstop:
        least recently used beyond TRACY_MCP_MAX_INSTANCES (never a connected live session), and after an idle
        time (TRACY_MCP_FILE_IDLE_TTL_S, TRACY_MCP_DISCONNECTED_TTL_S)."""
        now = time.time()
        return {"instances": [i.describe(now) for i in core.registry.all()], "max_instances": settings.max_instances}

    @mcp.tool()
    async def load_capture(path: str, alias: str | None = None, ctx: Context | None = None) -> dict[str, Any]:
        """Load a .tracy capture file (absolute path; see list_captures) and return its instance id.

        alias: optional name for the instance (replaces whatever had that name). Loading an unchanged file that
        is already loaded returns the same instance at once. Returns as soon as the data is queryable; derived
        statistics may still be computing in the background (background_done tells), and queries needing them
        wait for them. Progress notifications are sent while loading."""
        p = Path(path).expanduser()
        if not p.is_absolute() and settings.captures_dir is not None and (settings.captures_dir / p).is_file():
            p = settings.captures_dir / p
        if not p.is_file():
            hint = " (list_captures shows the available files)" if settings.captures_dir else ""
            raise ToolError(f"no such capture file: {path}{hint}")
        resolved, _ = file_key(p)
        async with core.load_lock(resolved):
            existing = core.registry.find_file(p)
            if existing is not None:
                try:
                    if alias:
                        core.registry.add_alias(existing, alias)
                except InstanceBusyError as exc:
                    raise ToolError(str(exc)) from None
                existing.touch()
                return {
                    "instance_id": existing.id,
                    "reused": True,
                    "background_done": existing.background_done(),
                    "note": "this unchanged file was already loaded; reusing it",
                }
            return await _load_new(core, p, alias, ctx)

    @mcp.tool()
    async def unload_capture(instance_id: str) -> str:
        """Unload an instance (file capture or live session) and release its memory. Do this as soon as you are
        done with a capture: it is held in memory by a server shared by all your assistants."""
        try:
            inst = core.registry.remove(instance_id)
        except (UnknownInstanceError, InstanceBusyError) as exc:
            raise ToolError(str(exc)) from None
        return f"unloaded {inst.id}"

    @mcp.tool()
    async def discover_instances(
        port_range: str = "8086-8095", host: str = "127.0.0.1", listen_seconds: float = 0.0
    ) -> dict[str, Any]:
        """Find running Tracy-instrumented programs: scans TCP ports port_range on host for listeners (Tracy
        clients listen on 8086 and up). With listen_seconds > 0 also listens that long (3.5 s catches every
        client) for the UDP broadcasts clients send, which name the program and its Tracy version."""
        ports = _parse_port_range(port_range)

        async def probe(port: int) -> int | None:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=0.3)
            except (OSError, asyncio.TimeoutError):
                return None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
            return port

        async def hear() -> list[broadcast.Broadcast]:
            if listen_seconds <= 0:
                return []
            return await anyio.to_thread.run_sync(broadcast.listen, min(listen_seconds, 10.0))

        heard, *probed = await asyncio.gather(hear(), *(probe(p) for p in ports), return_exceptions=True)
        open_ports = [r for r in probed if isinstance(r, int)]
        out: dict[str, Any] = {"host": host, "listening_ports": open_ports}
        if isinstance(heard, BaseException):
            out["broadcasts_error"] = f"cannot listen on UDP {broadcast.BROADCAST_PORT}: {heard}"
        elif isinstance(heard, list) and listen_seconds > 0:
            out["broadcasts"] = [b.describe() for b in heard]
        if open_ports:
            out["next"] = "live_connect(address=host, port=<port>) attaches to one"
        return out

    @mcp.tool()
    async def live_connect(
        address: str = "127.0.0.1", port: int = 8086, alias: str | None = None, memory_limit_mb: int | None = None
    ) -> dict[str, Any]:
        """Attach to a running Tracy-instrumented program and make its data queryable while it runs.

        First listens up to ~3.5 s for the program's UDP broadcast to check its Tracy protocol version (this
        server speaks Tracy 0.14.x and 0.13.x clients); a mismatch is reported without connecting.
        memory_limit_mb caps the session's memory (default TRACY_MCP_LIVE_MEMORY_LIMIT_MB, 8 GiB): past it the
        session stops receiving, and what arrived stays queryable."""
        limit_mb = memory_limit_mb or settings.live_memory_limit_mb
        if limit_mb <= 0:
            raise ToolError("memory_limit_mb must be positive")
        heard, listen_error = await _preflight(address, port, settings.broadcast_listen_s)
        target = next((b for b in heard if broadcast.matches(b, address, port)), None)
        others = [b.describe() for b in heard if b is not target]
        if target is not None and not target.supported:
            raise ToolError(target.mismatch_message())
        try:
            capture = await anyio.to_thread.run_sync(
                functools.partial(
                    live.connect, address, port, limit_mb * 2**20, protocol=target.protocol if target else 0
                )
            )
        except live.LiveUnavailableError as exc:
            raise ToolError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - every handshake failure is reported, with likely causes
            raise ToolError(_handshake_failure(address, port, exc, target, others, listen_error)) from None
        inst_id = alias or core.registry.new_id(target.program if target else f"live-{address}-{port}")
        inst = Instance(id=inst_id, capture=capture, live=True, address=address, port=port)
        try:
            evicted = core.registry.add(inst)
        except InstanceBusyError as exc:
            capture.disconnect()
            raise ToolError(str(exc)) from None
        out: dict[str, Any] = {
            "instance_id": inst.id,
            "address": f"{address}:{port}",
            "memory_limit_mb": limit_mb,
            "program": target.describe() if target else None,
        }
        if target is None:
            out["note"] = (
                "no broadcast was heard from this client (on-demand mode, another broadcast port, or a "
                "firewall); connected anyway"
            )
        if evicted:
            out["evicted"] = evicted
        return out

    @mcp.tool()
    async def save_trace(
        instance_id: str,
        path: str,
        level: int = 3,
        streams: int = 4,
        fi_dict: bool = False,
        overwrite: bool = False,
        async_mode: bool = True,
        compression: str = "zstd",
    ) -> dict[str, Any]:
        """Save an instance (live session or loaded capture) as a .tracy file that Tracy 0.14 opens. path: absolute,
        or a bare name placed in TRACY_CAPTURES_DIR (".tracy" appended). level: zstd level; streams: parallel
        compression streams; compression: "zstd" or "lz4"; fi_dict: accepted (no frame-image data is kept).
        Runs as a task by default (async_mode): poll it with the task tool; its note shows the progress."""
        from tracy_mcp.save import SaveError, resolve_save_path

        inst = core.instance(instance_id)
        try:
            target = resolve_save_path(path, settings.captures_dir)
        except SaveError as exc:
            raise ToolError(str(exc)) from None
        if target.exists() and not overwrite:
            raise ToolError(f"{target} exists; pass overwrite=True to replace it")
        if not target.parent.is_dir():
            raise ToolError(f"folder {target.parent} does not exist")
        box: dict[str, Any] = {}

        def on_progress(done: int, total: int) -> None:
            task = box.get("task")
            if task is not None and total:
                task.note = f"saving: {min(100.0, 100.0 * done / total):.0f}% ({done} of ~{total} bytes)"

        def work() -> dict[str, Any]:
            result = inst.capture.save(
                str(target),
                compression=compression,
                level=level,
                streams=streams,
                overwrite=overwrite,
                fi_dict=fi_dict,
                progress=on_progress,
            )
            return result.as_dict()

        task = core.tasks.submit(
            "save",
            work,
            instance_id=inst.id,
            description=f"save {inst.id} to {target}",
            time_limit_s=settings.task_time_limit_s,
            call_id=tracking.current_call_id(),
        )
        box["task"] = task
        if async_mode:
            return {"task_id": task.id, "status": task.status, "poll": f"task(action='poll', task_id='{task.id}')"}
        await _wait_task(task, None)
        return _task_outcome(task)

    # -- eval and tasks -----------------------------------------------------------------------------------------
    @mcp.tool(name="eval")
    async def eval_tool(code: str, instance_id: str | None = None, async_mode: bool = False) -> str:
        """Run Python against an instance, bound as `ctx` (instance_id may be omitted when one is loaded).

        Also bound: `instances` (id -> capture of every loaded instance, for comparisons), `tracy_mcp`, `np`.
        What the code prints is returned, then the value of its last expression (like an interactive prompt).
        An exception returns its traceback. Read tracy://prompt and tracy://eval-guide first; times are ns.
        A synchronous eval is stopped after TRACY_MCP_EVAL_TIME_LIMIT_S (default 120 s): use async_mode=True for
        longer work, which returns a task_id to poll with the task tool."""
        inst = core.instance(instance_id)
        try:
            compiled = evaluator.compile_code(code)
        except evaluator.EvalError as exc:
            raise ToolError(exc.formatted) from None
        namespace = _eval_namespace(core, inst)
        first_line = next((line.strip() for line in code.splitlines() if line.strip()), "")
        limit = settings.task_time_limit_s if async_mode else settings.eval_time_limit_s
        max_chars = settings.eval_max_output_chars
        task = core.tasks.submit(
            "eval",
            lambda: evaluator.run_code(compiled, namespace, max_chars),
            instance_id=inst.id,
            description=first_line[:120],
            time_limit_s=limit,
            on_finish=lambda _t: inst.touch(),
            call_id=tracking.current_call_id(),
        )
        if async_mode:
            return (
                f"started task {task.id} on {inst.id}; poll it with task(action='poll', task_id='{task.id}'), "
                f"stop it with task(action='cancel', task_id='{task.id}')"
            )
        await _wait_task(task, (limit + STOP_GRACE_S + 1.0) if limit else None)
        if not task.done:
            raise ToolError(
                f"eval exceeded its time limit of {limit:g} s and could not be stopped: it is inside a native call "
                f"Python cannot interrupt. It goes on as task {task.id} (poll or cancel it with the task tool). "
                "Use async_mode=True for long analyses."
            )
        if task.status == COMPLETED:
            return str(task.result)
        text = task.error or task.status
        if task.status == TIMED_OUT:
            text = (
                f"eval stopped: it ran past its time limit of {limit:g} s (TRACY_MCP_EVAL_TIME_LIMIT_S); use "
                "async_mode=True for long analyses, or a cheaper query"
            )
        if task.result:
            text = f"{task.result}\n{text}"
        raise ToolError(text)

    @mcp.tool()
    async def task(action: str, task_id: str | None = None) -> dict[str, Any]:
        """Manage background tasks (async evals and saves). action: 'list' (all tasks), 'poll' (status, and the
        result or error once finished) or 'cancel' (stops the task; says so when it cannot stop at once because
        it is inside native code)."""
        action = action.strip().lower()
        if action == "list":
            return {"tasks": [t.summary() for t in core.tasks.all()]}
        if action not in ("poll", "cancel"):
            raise ToolError(f"unknown action {action!r}: use 'list', 'poll' or 'cancel'")
        if not task_id:
            raise ToolError(f"action {action!r} needs a task_id")
        try:
            t = core.tasks.get(task_id)
        except UnknownTaskError as exc:
            raise ToolError(str(exc)) from None
        tracking.link_parent(t.call_id)
        if action == "poll":
            return t.report()
        message = await anyio.to_thread.run_sync(t.stop)
        return {**t.summary(), "message": message}

    @mcp.tool()
    async def shutdown_server() -> str:
        """Shut down this tracy-mcp server (shared by every client of this user): unloads everything and stops
        running tasks. The next `tracy-mcp serve` (or stdio client) starts a fresh one."""
        asyncio.get_running_loop().call_later(0.3, core.request_shutdown)
        return f"tracy-mcp server (pid {os.getpid()}) is shutting down"

    @mcp.custom_route(PING_PATH, methods=["GET"])
    async def ping_route(_request: Request) -> Response:
        return JSONResponse(
            {
                "server": SERVER_NAME,
                "pid": os.getpid(),
                "version": __version__,
                "transport": core.transport,
                "url": core.url,
                "uptime_s": round(time.time() - core.started, 1),
            }
        )

    _install_tracking(mcp, core)
    return mcp


def _install_tracking(mcp: MCPServer, core: Core) -> None:
    """The one place tool-call tracking (issue 6) is wired in: a markdown log of every tool call."""
    try:
        core.tracker = tracking.install_tracking(mcp)
    except Exception:  # noqa: BLE001 - tracking must never keep the server from starting
        log.exception("tool-call tracking could not be installed")


def _eval_namespace(core: Core, inst: Instance) -> dict[str, Any]:
    import numpy as np

    import tracy_mcp

    return {"ctx": inst.capture, "instances": core.registry.captures(), "tracy_mcp": tracy_mcp, "np": np}


def _task_outcome(task: Task) -> dict[str, Any]:
    if task.status == COMPLETED:
        return task.report()
    raise ToolError(task.error or task.status)


async def _load_new(core: Core, p: Path, alias: str | None, ctx: Context | None) -> dict[str, Any]:
    from tracy_mcp.capture import open_capture

    progress: dict[str, Any] = {"value": (0, 0, "opening")}
    t0 = time.monotonic()

    def work() -> Any:
        cap = open_capture(p, wait=False)
        try:
            cap.wait(complete=False, progress=lambda done, total, stage: progress.update(value=(done, total, stage)))
        except BaseException:
            cap.close()
            raise
        return cap

    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, work)
    last: tuple[int, int, str] | None = None
    while not future.done():
        try:
            await asyncio.wait({future}, timeout=0.25)
        except asyncio.CancelledError:
            # The client gave up: the load cannot be interrupted, so free the capture once it is done.
            future.add_done_callback(lambda f: not f.cancelled() and f.exception() is None and f.result().close())
            raise
        current = progress["value"]
        if ctx is not None and current != last and not future.done():
            last = current
            done, total, stage = current
            try:
                await ctx.report_progress(done, total or None, f"loading {p.name}: {stage}")
            except Exception:  # noqa: BLE001 - a client gone mid-load must not break the load
                pass
    try:
        capture = future.result()
    except Exception as exc:  # noqa: BLE001 - every load failure is reported as a tool error
        raise ToolError(f"cannot load {p}: {exc}") from None
    resolved, mtime = file_key(p)
    inst = Instance(id=alias or core.registry.new_id(p.stem), capture=capture, path=resolved, mtime=mtime)
    try:
        evicted = core.registry.add(inst)
    except InstanceBusyError as exc:
        capture.close()
        raise ToolError(str(exc)) from None
    done = inst.background_done()
    out: dict[str, Any] = {
        "instance_id": inst.id,
        "path": resolved,
        "load_seconds": round(time.monotonic() - t0, 3),
        "background_done": done,
        "memory_mb": round((inst.memory_bytes() or 0) / 2**20, 1),
    }
    if not done:
        out["note"] = (
            "data is queryable now; background statistics are still being computed (queries needing "
            "them wait for them; list_instances shows background_done)"
        )
    if evicted:
        out["evicted"] = evicted
    if ctx is not None:
        try:
            await ctx.report_progress(1, 1, f"loaded {p.name}")
        except Exception:  # noqa: BLE001
            pass
    return out


async def _preflight(address: str, port: int, seconds: float) -> tuple[list[broadcast.Broadcast], str | None]:
    """Listen for broadcasts, stopping early once the target has announced itself."""
    if seconds <= 0:
        return [], None

    def run() -> list[broadcast.Broadcast]:
        return broadcast.listen(seconds, until=lambda b: broadcast.matches(b, address, port))

    try:
        return await anyio.to_thread.run_sync(run), None
    except OSError as exc:
        return [], f"could not listen on UDP {broadcast.BROADCAST_PORT}: {exc}"


def _handshake_failure(
    address: str,
    port: int,
    exc: BaseException,
    target: broadcast.Broadcast | None,
    others: list[dict[str, Any]],
    listen_error: str | None,
) -> str:
    text = str(exc)
    lines = [f"could not attach to the Tracy client at {address}:{port}: {text}"]
    refused = "refused" in text.lower() or isinstance(exc, ConnectionRefusedError)
    mismatch = type(exc).__name__ == "ProtocolMismatchError" or "protocol" in text.lower()
    if refused:
        causes = [
            "nothing listens on that port: is the program running, and on which port? (discover_instances "
            "scans ports; each further Tracy client on a machine takes the next port from 8086)"
        ]
    elif mismatch:
        causes = ["the program's Tracy version is not one this server speaks (Tracy 0.14.x and 0.13.x clients)"]
    else:
        causes = [
            "another profiler (Tracy's GUI or tracy-capture) is already attached: a client serves one at a time",
            "the program was built with TRACY_ON_DEMAND and is busy with another profiler",
            "the program is exiting, or a firewall drops the connection",
        ]
    lines.append("likely cause" + ("s: " if len(causes) > 1 else ": ") + "; ".join(causes))
    if target is not None:
        lines.append(f"its broadcast: {_brief(target.describe())}")
    if listen_error:
        lines.append(listen_error)
    if others:
        lines.append("other Tracy clients heard: " + "; ".join(_brief(o) for o in others))
    return "\n".join(lines)


def _brief(b: dict[str, Any]) -> str:
    pid = f" pid {b['pid']}" if b.get("pid") else ""
    return f"'{b['program']}'{pid} at {b['address']}:{b['port']}, {b['tracy']}"


# ---------------------------------------------------------------------------------------------------------------
# Process setup and transports
# ---------------------------------------------------------------------------------------------------------------

_crash_file: Any = None


def setup_logging(settings: Settings, to_stderr: bool = True) -> Path:
    """Server log (rotated) and crash log (faulthandler: tracebacks of every thread on a fatal error)."""
    global _crash_file
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_file = settings.log_dir / "server.log"
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    fmt = logging.Formatter(f"%(asctime)s [{os.getpid()}] %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    file_handler.setFormatter(fmt)
    root.addHandler(file_handler)
    if to_stderr:
        err = logging.StreamHandler(sys.__stderr__)
        err.setFormatter(fmt)
        root.addHandler(err)
    # The SDK's per-request lines are noise at INFO.
    for noisy in (
        "mcp.server.lowlevel.server",
        "mcp.server.streamable_http",
        "mcp.server.sse",
        "uvicorn.access",
        "httpx",
        "httpx2",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _crash_file = open(settings.log_dir / "crash.log", "a", encoding="utf-8")  # noqa: SIM115 - lives as long as us
    faulthandler.enable(file=_crash_file, all_threads=True)
    if hasattr(signal, "SIGUSR1"):
        # `kill -USR1 <pid>` writes every thread's stack to crash.log: the way to see where a hung server hangs.
        faulthandler.register(signal.SIGUSR1, file=_crash_file, all_threads=True)
    return log_file


def build_http_app(core: Core, mcp: MCPServer, port: int) -> Any:
    settings = core.settings
    hosts = allowed_hosts(settings.host, port, settings.allowed_hosts)
    origins = allowed_origins(hosts, settings.allowed_origins)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )
    if settings.transport == "sse":
        app = mcp.sse_app(sse_path=settings.path, transport_security=security, host=settings.host)
    else:
        app = mcp.streamable_http_app(
            streamable_http_path=settings.path, transport_security=security, host=settings.host
        )
    return RequestGuard(app, hosts, origins, settings.token, open_paths=[PING_PATH])


async def serve_http(settings: Settings, sock: socket.socket, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve MCP over HTTP on the already-bound `sock` until shutdown_server, SIGINT or SIGTERM."""
    import uvicorn

    port = sock.getsockname()[1]
    core = Core(settings)
    core.transport = settings.transport
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    core.url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{port}{settings.path}"
    mcp = build_mcp(core)
    app = build_http_app(core, mcp, port)
    config = uvicorn.Config(
        app,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=2,
        access_log=False,
        log_level=settings.log_level.lower(),
    )

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown, killing the process before our cleanup
        (PID files, tracker) runs; here the signal only starts the graceful shutdown and we return normally."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    server = Server(config)

    def shutdown() -> None:
        server.should_exit = True

    core.request_shutdown = shutdown

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await anyio.sleep(0.02)
        log.info("tracy-mcp %s serving %s (pid %d)", __version__, core.url, os.getpid())
        if on_ready is not None:
            on_ready(core.url or "")

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(core.sweep_loop)
            tg.start_soon(announce)
            await server.serve(sockets=[sock])
            tg.cancel_scope.cancel()
    finally:
        core.close()
        log.info("tracy-mcp server (pid %d) stopped", os.getpid())


async def serve_stdio(settings: Settings) -> None:
    """Serve one client over stdin/stdout until it closes the pipe or calls shutdown_server."""
    core = Core(settings)
    core.transport = "stdio"
    mcp = build_mcp(core)
    try:
        async with anyio.create_task_group() as tg:
            core.request_shutdown = tg.cancel_scope.cancel
            tg.start_soon(core.sweep_loop)
            await mcp.run_stdio_async()
            tg.cancel_scope.cancel()
    finally:
        core.close()
