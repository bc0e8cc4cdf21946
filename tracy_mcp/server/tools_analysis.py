"""The tool that answers a common question about a loaded instance in one call: analyze (the answer-shaped
analyses' summaries, the same text `print(ctx.<analysis>())` shows in an eval)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tracy_mcp import tracking
from tracy_mcp.analysis.scope import frame_pair, resolve_scope
from tracy_mcp.server.core import Core, wait_task
from tracy_mcp.server.instances import Instance
from tracy_mcp.server.schemas import hints
from tracy_mcp.server.tasks import COMPLETED, STOP_GRACE_S, TIMED_OUT

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

Analysis = Literal[
    "summary",
    "slow_frames",
    "frame_trend",
    "lock_contention",
    "memory_report",
    "thread_report",
    "call_tree",
    "hot_paths",
    "hot_functions",
]
ANALYSES: tuple[str, ...] = get_args(Analysis)
# the keyword each analysis gives the tool's `name` option (the others take no name)
NAME_ARGUMENT = {
    "slow_frames": "frame_set",  # another loop's frames (an audio callback, a physics step)
    "frame_trend": "frame_set",
    "thread_report": "frame_set",
    "lock_contention": "lock",
    "memory_report": "pool",
    "call_tree": "name",
    "hot_paths": "name",
    "hot_functions": "name",
}
TAKES_THREAD = {"lock_contention", "memory_report", "call_tree", "hot_paths", "hot_functions", "thread_report"}
# how each analysis takes a frame window: a frame range itself, or the window's times (found from the frames)
FRAMES_ARGUMENT = {
    "call_tree": "frame_range",
    "hot_paths": "frame_range",
    "hot_functions": "frame_range",
    "thread_report": "frames",
    "slow_frames": "frames",  # the frames to explain against typical ones
}
TAKES_FRAMES = {*FRAMES_ARGUMENT, "lock_contention", "memory_report"}


def analysis_arguments(
    analysis: str, thread: str | None = None, name: str | None = None, frames: str | None = None
) -> dict[str, Any]:
    """The keyword arguments of `ctx.<analysis>()` for the tool's options (a frame window for an analysis that
    takes times as `frames_window`, resolved by `analysis_text`); ValueError naming the fix for an option the
    analysis does not take."""
    if analysis not in ANALYSES:
        raise ValueError(f"unknown analysis {analysis!r}; one of {', '.join(ANALYSES)}")
    kwargs: dict[str, Any] = {}
    if thread is not None:
        if analysis not in TAKES_THREAD:
            raise ValueError(f"{analysis} takes no thread; thread= works with {', '.join(sorted(TAKES_THREAD))}")
        kwargs["thread"] = int(thread) if thread.strip().isdigit() else thread
    if name is not None:
        if analysis not in NAME_ARGUMENT:
            raise ValueError(f"{analysis} takes no name; name= works with {', '.join(sorted(NAME_ARGUMENT))}")
        kwargs[NAME_ARGUMENT[analysis]] = name
    if frames is not None:
        if analysis not in TAKES_FRAMES:
            raise ValueError(f"{analysis} takes no frames; frames= works with {', '.join(sorted(TAKES_FRAMES))}")
        kwargs[FRAMES_ARGUMENT.get(analysis, "frames_window")] = frame_pair(frames, "frames")
    return kwargs


def analysis_text(capture: Capture, analysis: str, kwargs: dict[str, Any]) -> str:
    """The summary of `ctx.<analysis>(**kwargs)`, then the eval call that gives its tables."""
    window = kwargs.pop("frames_window", None)
    if window is not None:  # the frames' time window, as the call-tree analyses find it
        scope = resolve_scope(capture, frame_range=window)
        kwargs["start_ns"], kwargs["end_ns"] = scope.start, scope.end
    report = getattr(capture, analysis)(**kwargs)
    call = f"ctx.{analysis}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    named = ", ".join(f"r.tables[{k!r}]" for k in getattr(report, "tables", {}) or {})
    return f"{report.summary()}\nTables (eval): r = {call}; r.table" + (f", {named}" if named else "")


def register(mcp: MCPServer, core: Core) -> None:
    """Analysis tools."""

    @mcp.tool(annotations=hints(read_only=True, idempotent=True), structured_output=False)
    async def analyze(
        analysis: Annotated[
            Analysis,
            Field(description="Which question: see tracy://prompt step 2."),
        ] = "summary",
        instance_id: Annotated[str | None, Field(description="Id or alias; optional when one is loaded.")] = None,
        thread: Annotated[
            str | None,
            Field(description="One thread (name or id); thread_report: where its time goes."),
        ] = None,
        name: Annotated[
            str | None, Field(description="Lock, pool (memory_report), zone (call trees) or frame set (frames).")
        ] = None,
        frames: Annotated[
            str | None,
            Field(description="Frame '160' or frames '150-170' (not summary; slow_frames: what grew there)."),
        ] = None,
    ) -> str:
        """Answer a common question in one call, the finding first with numbers (= print(ctx.<analysis>()) in
        eval; .table holds the data)."""
        try:
            kwargs = analysis_arguments(analysis, thread, name, frames)
        except ValueError as exc:
            raise ToolError(str(exc)) from None
        inst = core.instance(instance_id)
        text = await run_on_instance(
            core, inst, f"analyze {analysis}", lambda: analysis_text(inst.capture, analysis, kwargs)
        )
        return core.namesake_note(inst) + text


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
