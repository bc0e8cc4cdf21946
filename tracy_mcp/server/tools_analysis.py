"""Tools that answer a question about a loaded instance in one call: summarize_capture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tracy_mcp import tracking
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance
from tracy_mcp.server.schemas import hints
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S, TIMED_OUT


def register(mcp: MCPServer, core: Core) -> None:
    """Analysis tools."""

    @mcp.tool(annotations=hints(read_only=True, idempotent=True), structured_output=False)
    async def summarize_capture(
        instance_id: Annotated[str | None, Field(description="Id or alias; optional when one is loaded.")] = None,
    ) -> str:
        """Call after load_capture: what the capture holds and its headline findings (= ctx.summary())."""
        inst = core.instance(instance_id)
        return await run_on_instance(core, inst, "summarize_capture", lambda: str(inst.capture.summary()))


async def run_on_instance(core: Core, inst: Instance, what: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` as a task on `inst` (a worker thread under the eval time limit, stoppable) and return its result;
    a failure or timeout becomes a ToolError with the reason."""
    limit = core.settings.eval_time_limit_s
    task = core.tasks.submit(
        what,
        fn,
        instance_id=inst.id,
        description=what,
        time_limit_s=limit,
        on_finish=lambda _t: inst.touch(),
        call_id=tracking.current_call_id(),
    )
    await wait_task(task, (limit + STOP_GRACE_S + 1.0) if limit else None)
    if not task.done:
        raise ToolError(f"{what} exceeded {limit:g} s inside native code; it goes on as task {task.id}")
    if task.status == COMPLETED:
        return task.result
    if task.status == TIMED_OUT:
        raise ToolError(f"{what} stopped: it ran past the time limit of {limit:g} s (TRACY_MCP_EVAL_TIME_LIMIT_S)")
    raise ToolError(task.error or task.status)
