"""Tools for capture files and loaded instances: list_captures, list_instances, load_capture, compare_captures,
unload_capture."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from tracy_mcp import tracking
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance, InstanceBusyError, UnknownInstanceError, file_key
from tracy_mcp.server.loads import LoadRefused
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S


def register(mcp: MCPServer, core: Core) -> None:
    """Capture and instance tools."""
    settings = core.settings

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
        out = {"instances": [i.describe(now) for i in core.registry.all()], "max_instances": settings.max_instances}
        loading = core.loads.running()
        if loading:
            out["loading"] = loading
        return out

    @mcp.tool()
    async def load_capture(path: str, alias: str | None = None, ctx: Context | None = None) -> dict[str, Any]:
        """Load a .tracy capture file (absolute path; see list_captures) and return its instance id.

        alias: optional name for the instance (replaces whatever had that name). Loading an unchanged file that
        is already loaded returns the same instance at once. Returns as soon as the data is queryable; derived
        statistics may still be computing in the background (background_done tells), and queries needing them
        wait for them. Progress notifications are sent while loading."""
        return await _load(core, path, alias, ctx)

    @mcp.tool()
    async def compare_captures(base: str, target: str, min_change: float = 0.05, ctx: Context | None = None) -> str:
        """Compare two captures of the same program (A/B): what got slower or faster from `base` (before) to
        `target` (after). Each is an instance id / alias or a .tracy path (loaded as an instance, or the loaded one
        reused). Returns the comparison summary: per zone name and call path, zones regressed / improved (own time
        per call, beyond noise by a rank test and at least `min_change`, default 5 %), zones whose call count
        changed but not their total, parents that grew only through a child, waits whose time follows the work,
        new / gone zones, and gameplay frame times side by side. Tables: eval
        `instances['<base>'].compare(instances['<target>']).table`."""
        a = await _instance_or_path(core, base, ctx)
        b = await _instance_or_path(core, target, ctx)
        limit = core.settings.eval_time_limit_s

        def work() -> str:
            return a.capture.compare(b.capture, min_change=min_change).summary()

        def touch(_task: Any) -> None:
            a.touch()
            b.touch()

        task = core.tasks.submit(
            "compare",
            work,
            instance_id=b.id,
            description=f"compare {a.id} -> {b.id}",
            time_limit_s=limit,
            on_finish=touch,
            call_id=tracking.current_call_id(),
        )
        await wait_task(task, (limit + STOP_GRACE_S + 1.0) if limit else None)
        if task.status == COMPLETED:
            return f"{task.result}\n(A = instance {a.id}, B = instance {b.id}; unload_capture them when done)"
        raise ToolError(task.error or f"compare_captures {task.status}")

    @mcp.tool()
    async def unload_capture(instance_id: str) -> str:
        """Unload an instance (file capture or live session) and release its memory. Do this as soon as you are
        done with a capture: it is held in memory by a server shared by all your assistants."""
        try:
            inst = core.registry.remove(instance_id)
        except (UnknownInstanceError, InstanceBusyError) as exc:
            raise ToolError(str(exc)) from None
        return f"unloaded {inst.id}"


async def _load(core: Core, path: str, alias: str | None, ctx: Context | None) -> dict[str, Any]:
    """load_capture: a path (absolute, or relative to TRACY_CAPTURES_DIR) to an instance, reusing a loaded one."""
    settings = core.settings
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


async def _instance_or_path(core: Core, name: str, ctx: Context | None) -> Instance:
    """An instance id / alias, or a capture path (loaded, or the instance already holding it)."""
    try:
        return core.registry.get(name)
    except UnknownInstanceError:
        pass
    if not name.endswith(".tracy") and not Path(name).expanduser().is_file():
        loaded = ", ".join(i.id for i in core.registry.all()) or "none"
        raise ToolError(f"{name!r} is neither a loaded instance (loaded: {loaded}) nor a .tracy file")
    out = await _load(core, name, None, ctx)
    return core.registry.get(out["instance_id"])


async def _load_new(core: Core, p: Path, alias: str | None, ctx: Context | None) -> dict[str, Any]:
    t0 = time.monotonic()

    async def report(done: int, total: int, stage: str) -> None:
        if ctx is not None:
            await ctx.report_progress(done, total or None, f"loading {p.name}: {stage}")

    try:
        capture = await core.loads.load(p, report)
    except LoadRefused as exc:
        raise ToolError(str(exc)) from None
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
    warnings = capture.warnings()
    if warnings:
        out["warnings"] = warnings
    if ctx is not None:
        try:
            await ctx.report_progress(1, 1, f"loaded {p.name}")
        except Exception:  # noqa: BLE001
            pass
    return out
