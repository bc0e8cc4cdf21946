"""The texts an assistant reads: the server instructions, the short start every assistant reads (tracy://prompt),
the topic guides read when needed (tracy://eval-guide, tracy://guide/workflows, tracy://guide/methods generated
from the code, tracy://sql-schema generated from the SQL tables), and the analyse_capture prompt. Files in
resources/ are re-read on every request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mcp.server.mcpserver import MCPServer

from tracy_mcp.server.core import Core

RESOURCES = Path(__file__).parent / "resources"
PROMPT_FILE = RESOURCES / "prompt.md"
EVAL_GUIDE_FILE = RESOURCES / "eval_guide.md"
WORKFLOWS_FILE = RESOURCES / "workflows.md"
MISSING = "# {name}\n\n(missing from this build: in eval, `help(ctx)` and `dir(ctx)` describe the capture object)\n"

INSTRUCTIONS = (
    "Performance questions about Tracy profiler captures: read tracy://prompt first (short), then load_capture, "
    "analyze, and eval Python on `ctx`."
)


def read_resource(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return MISSING.format(name=name)


def method_reference() -> str:
    from tracy_mcp.server.method_table import method_table

    return method_table()


def sql_schema() -> str:
    try:
        from tracy_mcp.tables.catalog import schema_markdown
    except ImportError as exc:
        return f"# SQL tables\n\nSQL needs the `sql` extra (pip install 'tracy-mcp[sql]'): {exc}\n"
    return "# SQL tables\n\nTimes in ns; what is missing is NULL; `*_id` refers to another table's `id`.\n\n" + (
        schema_markdown()
    )


def _file(path: Path, title: str) -> Callable[[], str]:
    return lambda: read_resource(path, title)


prompt_text = _file(PROMPT_FILE, "tracy-mcp: start here")


# (uri, name, description, text) of each guide, in the order resources/list gives them
GUIDES: tuple[tuple[str, str, str, Callable[[], str]], ...] = (
    (
        "tracy://prompt",
        "prompt",
        "Start here (2 k characters): how to answer questions about a capture, what to call first, the conventions.",
        prompt_text,
    ),
    (
        "tracy://guide/methods",
        "guide-methods",
        "Every ctx method with its arguments and return shape, generated from the code.",
        method_reference,
    ),
    (
        "tracy://eval-guide",
        "eval-guide",
        "The ctx tables, ids and joins, worked examples, caveats, differences from upstream Tracy.",
        _file(EVAL_GUIDE_FILE, "Eval guide"),
    ),
    (
        "tracy://guide/workflows",
        "guide-workflows",
        "How to investigate slow frames, lock contention, memory, GPU, threads and A/B comparisons.",
        _file(WORKFLOWS_FILE, "Analysis workflows"),
    ),
    (
        "tracy://sql-schema",
        "sql-schema",
        "Every table and column that ctx.sql() / sql() can query, with units and meanings.",
        sql_schema,
    ),
)


def register(mcp: MCPServer, core: Core) -> None:
    """Resources and prompts."""
    for uri, name, description, text in GUIDES:
        mcp.resource(uri, name=name, mime_type="text/markdown", description=description)(text)

    @mcp.prompt(
        name="analyse_capture",
        title="Analyse a Tracy capture",
        description="Start a performance investigation of a capture with the start guide loaded.",
    )
    def analyse_capture_prompt(path: str = "", question: str = "") -> str:
        guide = prompt_text()
        target = f"the capture {path}" if path else "a capture (list_captures shows them)"
        ask = question or "Where does the time go, and what would make it faster?"
        return f"{guide}\n\n---\n\nLoad {target} with load_capture, then answer: {ask}"
