"""The save_trace tool: writes an instance as a .tracy file through the engine's writer, as a task."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tracy_mcp import tracking
from tracy_mcp.server.core import Core, task_outcome, wait_task
from tracy_mcp.server.schemas import hints


def register(mcp: MCPServer, core: Core) -> None:
    """The save tool."""
    settings = core.settings

    @mcp.tool(annotations=hints(destructive=True))
    async def save_trace(
        instance_id: Annotated[str, Field(description="Instance id or alias.")],
        path: Annotated[str, Field(description="Absolute, or a bare name in the captures folder.")],
        level: Annotated[int, Field(ge=1, le=22, description="zstd level.")] = 3,
        streams: Annotated[int, Field(ge=1, le=64, description="Parallel streams.")] = 4,
        overwrite: Annotated[bool, Field(description="Replace an existing file.")] = False,
        async_mode: Annotated[bool, Field(description="Return a task_id at once.")] = True,
        compression: Annotated[Literal["zstd", "lz4"], Field(description="Codec.")] = "zstd",
    ) -> dict[str, Any]:
        """Save a capture or live session as a .tracy file (Tracy 0.14 format), as a task unless
        async_mode=False."""
        from tracy_mcp.export.save import SaveError, check_save_options, resolve_save_path

        inst = core.instance(instance_id)
        try:
            check_save_options(compression, level, streams)
            target = resolve_save_path(path, settings.captures_dir)
            exists, folder = target.exists(), target.parent.is_dir()
        except SaveError as exc:
            raise ToolError(str(exc)) from None
        except OSError as exc:
            raise ToolError(f"cannot save to {path!r}: {exc.strerror or exc}") from None
        if exists and not overwrite:
            raise ToolError(f"{target} exists; pass overwrite=True to replace it")
        if not folder:
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
        await wait_task(task, None)
        return task_outcome(task)
