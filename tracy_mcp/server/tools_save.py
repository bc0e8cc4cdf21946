"""The save_trace tool: writes an instance as a .tracy file through the engine's writer, as a task."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from tracy_mcp import tracking
from tracy_mcp.server.core import Core, task_outcome, wait_task


def register(mcp: MCPServer, core: Core) -> None:
    """The save tool."""
    settings = core.settings

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
        from tracy_mcp.export.save import SaveError, resolve_save_path

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
        await wait_task(task, None)
        return task_outcome(task)
