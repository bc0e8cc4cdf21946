"""Tools for capture files and loaded instances: list_captures, list_instances, load_capture, compare_captures,
unload_capture."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tracy_mcp import tracking
from tracy_mcp.analysis.series import compare_series
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance, InstanceBusyError, UnknownInstanceError, file_key
from tracy_mcp.server.loads import LoadRefused
from tracy_mcp.server.safe_text import valid_text
from tracy_mcp.server.schemas import CaptureFile, CaptureList, InstanceList, Loaded, hints
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S

InstanceId = Annotated[str, Field(description="Instance id or alias.")]


def _nested_captures(folder: Path, limit: int = 10_000) -> dict[str, int]:
    """How many .tracy files each subfolder holds (at any depth; the walk stops after `limit` files)."""
    counts: dict[str, int] = {}
    seen = 0
    for p in folder.glob("*/**/*.tracy"):
        top = p.relative_to(folder).parts[0]
        counts[top] = counts.get(top, 0) + 1
        seen += 1
        if seen >= limit:
            break
    return dict(sorted(counts.items()))


def register(mcp: MCPServer, core: Core) -> None:
    """Capture and instance tools."""
    settings = core.settings

    # -- captures and instances ---------------------------------------------------------------------------------
    @mcp.tool(annotations=hints(read_only=True, idempotent=True))
    async def list_captures(
        recursive: Annotated[bool, Field(description="Include subfolders.")] = False,
    ) -> CaptureList:
        """The .tracy files in the captures folder (TRACY_CAPTURES_DIR), to pass to load_capture."""
        folder = settings.captures_dir
        if folder is None:
            return {
                "captures_dir": None,
                "captures": [],
                "note": 'TRACY_CAPTURES_DIR is not set: load_capture takes an absolute path, or "demo"',
            }
        if not folder.is_dir():
            raise ToolError(f"TRACY_CAPTURES_DIR {str(folder)!r} is not a folder")
        pattern = "**/*.tracy" if recursive else "*.tracy"
        found: list[CaptureFile] = []
        for p in sorted(folder.glob(pattern)):
            try:
                st = p.stat()
            except OSError:
                continue
            found.append(
                {
                    "path": str(p),
                    "size_bytes": st.st_size,
                    "mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(st.st_mtime)),
                }
            )
        out: CaptureList = {"captures_dir": str(folder), "captures": found}
        if not recursive:
            nested = _nested_captures(folder)
            if nested:
                where = ", ".join(f"{name}/ ({n})" for name, n in nested.items())
                out["note"] = f"more captures in subfolders: {where}; list_captures(recursive=true) lists them"
        return out

    @mcp.tool(annotations=hints(read_only=True, idempotent=True))
    async def list_instances() -> InstanceList:
        """Loaded captures and live sessions (a shared server: unload_capture what you are done with)."""
        now = time.time()
        instances = [i.describe(now) for i in core.registry.all()]
        out: InstanceList = {"instances": instances, "max_instances": settings.max_instances}
        loading = core.loads.running()
        if loading:
            out["loading"] = loading
        return out

    @mcp.tool(annotations=hints(idempotent=True))
    async def load_capture(
        path: Annotated[
            str,
            Field(description='A path, a file name in the captures folder, or "demo" (an example).'),
        ],
        alias: Annotated[str | None, Field(description="An instance_id instead of the default.")] = None,
        ctx: Context | None = None,
    ) -> Loaded:
        """Load a .tracy file; returns its instance_id (default: the file name without .tracy), reused while the
        file is unchanged. Past TRACY_MCP_MAX_INSTANCES (8) the least recently used is evicted."""
        return await _load(core, path, alias, ctx)

    @mcp.tool(annotations=hints(idempotent=True), structured_output=False)
    async def compare_captures(
        base: Annotated[str, Field(description="Before: id, alias, path or file name.")],
        target: Annotated[str, Field(description="After: id, alias, path or file name.")],
        min_change: Annotated[float, Field(ge=0, description="Smallest change reported.")] = 0.05,
        then: Annotated[list[str], Field(description="Later ones, in order.")] = [],  # noqa: B006
        ctx: Context | None = None,
    ) -> str:
        """A/B of two runs of one program (paths get loaded): what got slower or faster beyond noise, what else
        changed."""
        a = await _instance_or_path(core, base, ctx)
        b = await _instance_or_path(core, target, ctx)
        more = [await _instance_or_path(core, x, ctx) for x in then]
        limit = core.settings.eval_time_limit_s

        def work() -> str:
            if more:
                caps = [x.capture for x in (a, b, *more)]
                return compare_series(caps, labels=[x.id for x in (a, b, *more)], min_change=min_change).summary()
            return a.capture.compare(b.capture, min_change=min_change).summary()

        def touch(_task: Any) -> None:
            for x in (a, b, *more):
                x.touch()

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
            if more:
                ids = ", ".join(x.id for x in (a, b, *more))
                return f"{task.result}\n(instances {ids}; unload_capture them when done)"
            return f"{task.result}\n(A = instance {a.id}, B = instance {b.id}; unload_capture them when done)"
        raise ToolError(task.error or f"compare_captures {task.status}")

    @mcp.tool(annotations=hints(destructive=True, idempotent=True), structured_output=False)
    async def unload_capture(
        instance_id: InstanceId,
        force: Annotated[bool, Field(description="Even if other loads hold it.")] = False,
    ) -> str:
        """Unload a capture or live session (kept while other loads of it remain, unless force)."""
        try:
            inst, unloaded = core.registry.remove(instance_id, force=force)
        except (UnknownInstanceError, InstanceBusyError) as exc:
            raise ToolError(str(exc)) from None
        if unloaded:
            return f"unloaded {inst.id}"
        others = inst.loads
        return (
            f"released {inst.id}; it stays loaded for {others} other load_capture call(s) that have not unloaded it "
            "(another client may be using it); force=true unloads it now"
        )


def _capture_path(core: Core, path: str) -> Path:
    """The file a load_capture `path` means ("demo": the bundled capture); a clear error saying what to do when
    there is none."""
    settings = core.settings
    if path.strip().lower() == "demo":
        from tracy_mcp.demo import demo_capture_path

        return demo_capture_path()
    p = Path(path).expanduser()
    if not p.is_absolute() and settings.captures_dir is not None and (settings.captures_dir / p).is_file():
        p = settings.captures_dir / p
    if p.is_file():
        return p
    if p.is_dir():
        raise ToolError(f"{path} is a folder: pass one .tracy file in it (list_captures lists them)")
    if not p.is_absolute() and settings.captures_dir is None:
        raise ToolError(
            f"no capture file {path!r}: pass an absolute path, set TRACY_CAPTURES_DIR to the folder of your "
            'captures, or load "demo"'
        )
    hint = " (list_captures shows the available files)" if settings.captures_dir else ""
    raise ToolError(f"no such capture file: {path}{hint}")


async def _load(core: Core, path: str, alias: str | None, ctx: Context | None) -> Loaded:
    """load_capture: a path (absolute, relative to TRACY_CAPTURES_DIR, or "demo") to an instance, reusing a loaded
    one."""
    p = _capture_path(core, path)
    resolved, _ = file_key(p)
    async with core.load_lock(resolved):
        existing = core.registry.find_file(p)
        if existing is not None:
            try:
                if alias:
                    core.registry.add_alias(existing, alias)
            except InstanceBusyError as exc:
                raise ToolError(str(exc)) from None
            core.registry.reuse(existing)
            return {
                "instance_id": existing.id,
                "reused": True,
                "background_done": bool(existing.background_done()),
                "note": "this unchanged file was already loaded (perhaps by another client); reusing it. "
                "unload_capture releases your load; it stays loaded while other loads hold it",
            }
        return await _load_new(core, p, alias, ctx)


async def _instance_or_path(core: Core, name: str, ctx: Context | None) -> Instance:
    """An instance id / alias, or a capture path (loaded, or the instance already holding it)."""
    try:
        return core.registry.get(name)
    except UnknownInstanceError:
        pass
    if name != "demo" and not name.endswith(".tracy") and not Path(name).expanduser().is_file():
        loaded = ", ".join(i.id for i in core.registry.all()) or "none"
        raise ToolError(f"{name!r} is neither a loaded instance (loaded: {loaded}) nor a .tracy file")
    out = await _load(core, name, None, ctx)
    return core.registry.get(out["instance_id"])


async def _load_new(core: Core, p: Path, alias: str | None, ctx: Context | None) -> Loaded:
    t0 = time.monotonic()

    async def report(done: int, total: int, stage: str) -> None:
        if ctx is not None:
            await ctx.report_progress(done, total or None, valid_text(f"loading {p.name}: {stage}"))

    try:
        capture = await core.loads.load(p, report)
    except LoadRefused as exc:
        raise ToolError(str(exc)) from None
    resolved, mtime = file_key(p)
    inst = Instance(id=alias or core.registry.new_id(p.stem, resolved), capture=capture, path=resolved, mtime=mtime)
    try:
        evicted = core.registry.add(inst)
    except InstanceBusyError as exc:
        capture.close()
        raise ToolError(str(exc)) from None
    done = bool(inst.background_done())
    out: Loaded = {
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
    if not alias and inst.id != p.stem:  # a shared server: another user's file of that name holds the plain one
        named = f"another loaded file is named {p.stem!r}: pass instance_id {inst.id!r} for this one"
        out["note"] = f"{named}; {out['note']}" if "note" in out else named
    if evicted:
        out["evicted"] = evicted
    warnings = capture.warnings()
    if warnings:
        out["warnings"] = warnings
    if ctx is not None:
        try:
            await ctx.report_progress(1, 1, valid_text(f"loaded {p.name}"))
        except Exception:  # noqa: BLE001
            pass
    return out
