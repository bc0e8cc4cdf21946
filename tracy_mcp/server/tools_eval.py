"""The eval tool (Python against `ctx`) and the task tool (poll, list, cancel background work)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp.types import CallToolResult, ContentBlock, TextContent
from pydantic import Field

from tracy_mcp import tracking
from tracy_mcp.server import evaluator
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance
from tracy_mcp.server.schemas import hints
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S, TIMED_OUT, UnknownTaskError, label_of


def register(mcp: MCPServer, core: Core) -> None:
    """Eval and task tools."""
    settings = core.settings

    # -- eval and tasks -----------------------------------------------------------------------------------------
    @mcp.tool(
        name="eval",
        annotations=hints(destructive=True, open_world=True),
        structured_output=False,
    )
    async def eval_tool(
        code: Annotated[
            str,
            Field(description="Python; `ctx`: the capture (also `instances`, `np`, `pd`, `sql`)."),
        ],
        instance_id: Annotated[str | None, Field(description="Id or alias; optional when one is loaded.")] = None,
        async_mode: Annotated[bool, Field(description="Run in the background; returns a task_id.")] = False,
        max_chars: Annotated[
            int | None, Field(ge=200, le=1_000_000, description="Output budget (default 20000).")
        ] = None,
        label: Annotated[str | None, Field(description="Name in task list.")] = None,
    ) -> str:
        """Run Python on a capture (`ctx`) to drill down past analyze. Prints the last value, capped at
        max_chars; a picture comes back as an image. Runs with the server's rights; stopped after 120 s."""
        inst = core.instance(instance_id)
        max_code = settings.eval_max_code_chars
        try:
            evaluator.check_code_size(code, max_code)
        except evaluator.EvalError as exc:
            raise ToolError(exc.formatted) from None
        namespace = _eval_namespace(core, inst)
        limit = settings.task_time_limit_s if async_mode else settings.eval_time_limit_s
        budget = max_chars or settings.eval_max_output_chars
        images: list[bytes] | None = None if async_mode else []  # pictures the code returns (sync evals only)
        task = core.tasks.submit(
            "eval",
            # compiled in the task's thread, under its time limit, not on the event loop
            lambda: evaluator.run_code(code, namespace, budget, images, max_code),
            instance_id=inst.id,
            description=(label or label_of(code))[:120],
            time_limit_s=limit,
            on_finish=lambda _t: inst.touch(),
            call_id=tracking.current_call_id(),
            background=async_mode,
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
                f"eval stopped: it ran past its time limit of {limit:g} s (TRACY_MCP_EVAL_TIME_LIMIT_S), in the "
                "code or in showing its result; use async_mode=True for long analyses, or return less"
            )
        if task.result:
            text = f"{task.result}\n{text}"
        raise ToolError(text)

    @mcp.tool(annotations=hints(destructive=True, idempotent=True))
    async def task(
        action: Annotated[
            Literal["list", "poll", "cancel"],
            Field(description="What to do."),
        ],
        task_id: Annotated[str | None, Field(description="For poll and cancel.")] = None,
        all: Annotated[  # noqa: A002 - the argument name a caller types
            bool, Field(description="list every task.")
        ] = False,
    ) -> dict[str, Any]:
        """Follow background work (async evals, saves): list, poll for the result, or cancel."""
        if action == "list":
            shown = core.tasks.listed(everything=all)
            return {"tasks": [t.summary() for t in shown], "hidden": len(core.tasks.all()) - len(shown)}
        if not task_id:
            raise ToolError(f"action {action!r} needs a task_id (task(action='list') shows them)")
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

    names = {
        "ctx": inst.capture,
        "instances": core.registry.captures(),
        "tracy_mcp": tracy_mcp,
        "np": np,
        "sql": _loaded_sql(core, inst),
    }
    try:  # the tables are DataFrames when pandas is installed: code written against them expects `pd` too
        import pandas as pd

        names["pd"] = pd
    except ImportError:
        pass
    return names


def _loaded_sql(core: Core, here: Instance) -> Any:
    """`sql(query, captures=None, arrow=False)` of eval: SQL over loaded instances, each table with a `capture`
    column holding the instance's id (or the alias or name it was given)."""

    def sql(query: str, captures: Any = None, arrow: bool = False) -> Any:
        """SQL (DuckDB) over captures, each table with a leading `capture` column: this eval's capture by default
        (others may have loaded captures into a shared server), "all" for every loaded one, a list of instance ids /
        aliases, or a {name: capture} dict."""
        import tracy_mcp

        loaded = core.registry.captures()
        chosen: Any
        if captures is None:
            chosen = {here.id: here.capture}
        elif captures == "all":
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
