"""The eval tool (Python against `ctx`) and the task tool (poll, list, cancel background work)."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp.types import CallToolResult, ContentBlock, TextContent

from tracy_mcp import tracking
from tracy_mcp.server import evaluator
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S, TIMED_OUT, UnknownTaskError


def register(mcp: MCPServer, core: Core) -> None:
    """Eval and task tools."""
    settings = core.settings

    # -- eval and tasks -----------------------------------------------------------------------------------------
    @mcp.tool(name="eval")
    async def eval_tool(code: str, instance_id: str | None = None, async_mode: bool = False) -> str:
        """Run Python against an instance, bound as `ctx` (instance_id may be omitted when one is loaded).

        Also bound: `instances` (id -> capture of every loaded instance, for comparisons), `tracy_mcp`, `np`.
        What the code prints is returned, then the value of its last expression (like an interactive prompt); a
        last value that is a picture (e.g. ctx.plot_frames(), a matplotlib figure) comes back as an image.
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
        images: list[bytes] | None = None if async_mode else []  # pictures the code returns (sync evals only)
        task = core.tasks.submit(
            "eval",
            lambda: evaluator.run_code(compiled, namespace, max_chars, images),
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
        await wait_task(task, (limit + STOP_GRACE_S + 1.0) if limit else None)
        if not task.done:
            raise ToolError(
                f"eval exceeded its time limit of {limit:g} s and could not be stopped: it is inside a native call "
                f"Python cannot interrupt. It goes on as task {task.id} (poll or cancel it with the task tool). "
                "Use async_mode=True for long analyses."
            )
        if task.status == COMPLETED:
            if images:
                # text and image content; the structured result stays {"result": text} as the schema says
                return _with_images(str(task.result), images)  # type: ignore[return-value]
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


def _eval_namespace(core: Core, inst: Instance) -> dict[str, Any]:
    import numpy as np

    import tracy_mcp

    return {
        "ctx": inst.capture,
        "instances": core.registry.captures(),
        "tracy_mcp": tracy_mcp,
        "np": np,
        "sql": _loaded_sql(core),
    }


def _loaded_sql(core: Core) -> Any:
    """`sql(query, captures=None, arrow=False)` of eval: SQL over loaded instances, each table with a `capture`
    column holding the instance's id (or the alias or name it was given)."""

    def sql(query: str, captures: Any = None, arrow: bool = False) -> Any:
        """SQL (DuckDB) over the loaded captures: every one by default, or a list of instance ids / aliases, or a
        {name: capture} dict. Each table has a leading `capture` column. ctx.sql(query) queries ctx alone."""
        import tracy_mcp

        loaded = core.registry.captures()
        chosen: Any
        if captures is None:
            chosen = {inst.id: inst.capture for inst in core.registry.all()}
        elif isinstance(captures, (list, tuple)):
            missing = [c for c in captures if isinstance(c, str) and c not in loaded]
            if missing:
                raise KeyError(f"no loaded instance named {', '.join(map(repr, missing))}; loaded: {', '.join(loaded)}")
            chosen = {c: loaded[c] for c in captures} if all(isinstance(c, str) for c in captures) else captures
        else:
            chosen = captures
        return tracy_mcp.sql(query, chosen, arrow=arrow)

    return sql


def _with_images(text: str, images: list[bytes]) -> CallToolResult:
    """The eval's text plus its pictures as MCP image content (PNG); the structured result stays the text."""
    content: list[ContentBlock] = [TextContent(type="text", text=text)]
    content += [Image(data=png, format="png").to_image_content() for png in images]
    return CallToolResult(content=content, structured_content={"result": text})
