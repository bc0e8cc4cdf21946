"""What the tool list tells a client about each tool: the typed results (output schemas), the annotations (read
only, destructive, idempotent, open world) and compact JSON schemas.

Every assistant reads the whole tool list before its first call, so the schemas are kept small: pydantic's
generated "title" keys (a repeat of each property name) are dropped.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from typing_extensions import NotRequired, TypedDict


def hints(
    *,
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
    open_world: bool = False,
) -> ToolAnnotations:
    """The four MCP tool annotations, each decided here for every tool. A value equal to the protocol's default
    (read_only False, destructive True, idempotent False, open_world True) is left out: clients apply the
    default, and every assistant reads the tool list, so the list stays short."""
    return ToolAnnotations(
        read_only_hint=read_only or None,
        destructive_hint=None if destructive else False,
        idempotent_hint=idempotent or None,
        open_world_hint=None if open_world else False,
    )


class CaptureFile(TypedDict):
    path: str
    size_bytes: int
    mtime: str


class CaptureList(TypedDict):
    captures_dir: str | None
    captures: list[CaptureFile]
    note: NotRequired[str]


class InstanceList(TypedDict):
    # each instance: id, aliases, path, live, address, connected, idle_seconds, background_done, memory_bytes
    # (Instance.describe); left untyped in the schema, which every assistant reads before its first call
    instances: list[dict[str, Any]]
    max_instances: int
    loading: NotRequired[list[dict[str, Any]]]


class Loaded(TypedDict):
    instance_id: str
    background_done: bool
    path: NotRequired[str]
    load_seconds: NotRequired[float]
    memory_mb: NotRequired[float]
    reused: NotRequired[bool]
    note: NotRequired[str]
    evicted: NotRequired[list[str]]
    warnings: NotRequired[list[str]]


class Discovery(TypedDict):
    host: str
    listening_ports: list[int]
    broadcasts: NotRequired[list[dict[str, Any]]]
    broadcasts_error: NotRequired[str]
    next: NotRequired[str]


class Connected(TypedDict):
    instance_id: str
    address: str
    memory_limit_mb: int
    program: dict[str, Any] | None
    note: NotRequired[str]
    evicted: NotRequired[list[str]]


class TaskInfo(TypedDict):
    task_id: str
    kind: str
    label: str
    instance_id: str | None
    status: str
    elapsed_s: float
    note: NotRequired[str]
    result: NotRequired[Any]
    error: NotRequired[str]
    output_before_error: NotRequired[str]
    message: NotRequired[str]
    poll: NotRequired[str]


class TaskList(TypedDict):
    tasks: list[TaskInfo]
    hidden: int


def _compact(schema: Any) -> Any:
    """The same JSON schema in fewer characters: no generated titles, `anyOf [X, null]` as `type: [X, "null"]`,
    no `default: null`."""
    if isinstance(schema, list):
        return [_compact(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" or (key == "default" and value is None):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _compact(v) for name, v in value.items()}
        elif key == "anyOf" and isinstance(value, list) and _nullable_simple(value):
            out["type"] = [value[0]["type"], "null"]
        else:
            out[key] = _compact(value)
    return out


def _drop_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _drop_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_drop_required(v) for v in schema]
    return schema


def _nullable_simple(options: list[Any]) -> bool:
    return (
        len(options) == 2
        and options[1] == {"type": "null"}
        and isinstance(options[0], dict)
        and set(options[0]) == {"type"}
        and isinstance(options[0]["type"], str)
    )


def _one_paragraph(text: str | None) -> str:
    return " ".join((text or "").split())


def compact_schemas(mcp: MCPServer) -> None:
    """Every registered tool's description on one line and its schemas compacted (see _compact; an output
    schema also without "required": results are validated against their types here, not by clients)."""
    for tool in mcp._tool_manager.list_tools():  # noqa: SLF001 - the SDK exposes no public hook for this
        tool.description = _one_paragraph(tool.description)
        tool.parameters = _compact(tool.parameters)
        meta = tool.fn_metadata
        if meta.output_schema is not None:
            meta.output_schema = _drop_required(_compact(meta.output_schema))
            tool.__dict__.pop("output_schema", None)  # a cached copy of the old one
