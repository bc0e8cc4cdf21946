"""Every SQL table, in the order the schema documents them."""

from __future__ import annotations

from tracy_mcp.tables.event_tables import (
    FRAME_SETS,
    FRAMES,
    LOCK_EVENTS,
    LOCKS,
    MEMORY_EVENTS,
    MEMORY_POOLS,
    MESSAGES,
    PLOT_POINTS,
    PLOTS,
)
from tracy_mcp.tables.sampling_tables import CALLSTACK_FRAMES, CONTEXT_SWITCHES, SAMPLES
from tracy_mcp.tables.schema import TableSpec, markdown
from tracy_mcp.tables.zone_tables import CALL_PATHS, CAPTURES, GPU_CONTEXTS, GPU_ZONES, SRCLOCS, THREADS, ZONES

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        ZONES,
        CALL_PATHS,
        SRCLOCS,
        THREADS,
        FRAME_SETS,
        FRAMES,
        MESSAGES,
        LOCKS,
        LOCK_EVENTS,
        MEMORY_POOLS,
        MEMORY_EVENTS,
        PLOTS,
        PLOT_POINTS,
        GPU_CONTEXTS,
        GPU_ZONES,
        SAMPLES,
        CALLSTACK_FRAMES,
        CONTEXT_SWITCHES,
        CAPTURES,
    )
}


def schema_summary() -> str:
    """One line per table with its columns: the schema as the eval guide's SQL section lists it."""
    return "\n".join(f"- `{t.name}`: {', '.join(t.column_names())}" for t in TABLES.values())


def schema_markdown() -> str:
    """The documented schema of every table (the eval guide's SQL section and the dataset's _SCHEMA.md)."""
    return markdown(list(TABLES.values()))
