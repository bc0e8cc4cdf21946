"""The texts an assistant reads: the server instructions, the tracy://prompt and tracy://eval-guide resources
(files in resources/, re-read on every request), the tracy://sql-schema resource (generated from the SQL tables)
and the analyse_capture prompt."""

from __future__ import annotations

from pathlib import Path

from mcp.server.mcpserver import MCPServer

from tracy_mcp.server.core import Core

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


def read_resource(path: Path, placeholder: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return placeholder


def register(mcp: MCPServer, core: Core) -> None:
    """Resources and prompts."""

    # -- resources ----------------------------------------------------------------------------------------------
    @mcp.resource(
        "tracy://prompt",
        name="prompt",
        mime_type="text/markdown",
        description="How to analyse a Tracy capture well: workflows for slow frames, lock contention, "
        "memory and GPU. Read it before the first eval.",
    )
    def prompt_resource() -> str:
        return read_resource(PROMPT_FILE, "# tracy-mcp analysis guide\n\n(missing from this build)\n")

    @mcp.resource(
        "tracy://eval-guide",
        name="eval-guide",
        mime_type="text/markdown",
        description="The `ctx` object model for eval: units (ns), ids and joins, worked examples.",
    )
    def eval_guide_resource() -> str:
        return read_resource(EVAL_GUIDE_FILE, EVAL_GUIDE_PLACEHOLDER)

    @mcp.resource(
        "tracy://sql-schema",
        name="sql-schema",
        mime_type="text/markdown",
        description="Every table and column that ctx.sql() / sql() can query, with units and meanings.",
    )
    def sql_schema_resource() -> str:
        try:
            from tracy_mcp.tables.catalog import schema_markdown
        except ImportError as exc:
            return f"# SQL tables\n\nSQL needs the `sql` extra (pip install 'tracy-mcp[sql]'): {exc}\n"
        return "# SQL tables\n\nTimes in ns; what is missing is NULL; `*_id` refers to another table's `id`.\n\n" + (
            schema_markdown()
        )

    @mcp.prompt(
        name="analyse_capture",
        title="Analyse a Tracy capture",
        description="Start a performance investigation of a capture with the analysis guide loaded.",
    )
    def analyse_capture_prompt(path: str = "", question: str = "") -> str:
        guide = read_resource(PROMPT_FILE, "")
        target = f"the capture {path}" if path else "a capture (list_captures shows them)"
        ask = question or "Where does the time go, and what would make it faster?"
        return f"{guide}\n\n---\n\nLoad {target} with load_capture, read tracy://eval-guide, then answer: {ask}"
