"""A Parquet dataset of many captures (a CI farm's, a fleet's): the SQL tables of each capture, partitioned Hive
style as ``OUT/capture=<name>/table=<table>/part-0.parquet``, with the schema in ``OUT/_SCHEMA.md``.

DuckDB, Polars, pyarrow.dataset and Spark read it as is (the capture and table names come from the directory
names). Exporting a capture again replaces its partition; other captures' partitions are left alone, so a
dataset grows one capture at a time.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracy_mcp.errors import TracyMcpError
from tracy_mcp.tables.catalog import TABLES, schema_markdown
from tracy_mcp.tables.query import connection, register
from tracy_mcp.tables.schema import literal

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

SCHEMA_FILE = "_SCHEMA.md"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class DatasetError(TracyMcpError):
    """A capture name or output path that cannot make a dataset partition."""


def capture_name(path: str | os.PathLike[str]) -> str:
    """A partition name from a capture file's name: its stem, with characters other than letters, digits, '_',
    '.' and '-' replaced by '_'."""
    stem = Path(path).stem
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip("._-")
    return name or "capture"


def export_dataset(
    out: str | os.PathLike[str],
    captures: Mapping[str, Any],
    *,
    tables: list[str] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Write `captures` (partition name -> Capture or capture file) into the dataset at `out`. Files are opened
    one at a time and closed after. `tables` limits the tables (default: all). `progress(capture, table)` is
    called before each table. Returns {capture: {table: rows}}."""
    names = list(TABLES) if tables is None else list(tables)
    unknown = [t for t in names if t not in TABLES]
    if unknown:
        raise DatasetError(f"unknown table(s) {', '.join(unknown)}; tables: {', '.join(TABLES)}")
    for name in captures:
        if not _NAME.match(name):
            raise DatasetError(
                f"capture name {name!r} cannot be a partition: use letters, digits, '_', '.' and '-' (not first)"
            )
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    (root / SCHEMA_FILE).write_text(schema_document(), encoding="utf-8")
    written: dict[str, dict[str, int]] = {}
    for name, source in captures.items():
        written[name] = _export_one(root, name, source, names, progress)
    return written


def _export_one(
    root: Path, name: str, source: Any, tables: list[str], progress: Callable[[str, str], None] | None
) -> dict[str, int]:
    from tracy_mcp.analysis.capture import Capture, open_capture

    ctx: Capture = source if isinstance(source, Capture) else open_capture(source)
    # Written beside the final directory under a name readers skip ('.' prefix), then swapped in.
    staging = root / f".capture={name}.partial-{os.getpid()}"
    final = root / f"capture={name}"
    shutil.rmtree(staging, ignore_errors=True)
    rows: dict[str, int] = {}
    try:
        con = connection()
        try:
            for table in tables:
                if progress is not None:
                    progress(name, table)
                register(con, TABLES[table], {name: ctx}, None, capture_column=False)
                folder = staging / f"table={table}"
                folder.mkdir(parents=True)
                target = literal(str(folder / "part-0.parquet"))
                con.execute(f'COPY (SELECT * FROM "{table}") TO {target} (FORMAT parquet, COMPRESSION zstd)')
                rows[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
        finally:
            con.close()
        old = root / f".capture={name}.old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if ctx is not source:
            ctx.close()
    return rows


def schema_document() -> str:
    return f"""# tracy-mcp capture dataset

Layout: `capture=<name>/table=<table>/part-0.parquet` (Hive partitioning). Each table's files share one schema;
the `capture` and `table` columns come from the directory names. Times are int64 nanoseconds from the capture's
start; `*_id` columns refer to the `id` of another table of the same capture.

Read one table of every capture:

- DuckDB: `SELECT * FROM read_parquet('OUT/capture=*/table=zones/*.parquet', hive_partitioning = true)`
- Polars: `pl.scan_parquet('OUT/capture=*/table=zones/*.parquet', hive_partitioning=True)`
- pyarrow: `ds.dataset(glob.glob('OUT/capture=*/table=zones/*.parquet'), partitioning='hive', partition_base_dir='OUT')`
- Spark: `spark.read.option('basePath', 'OUT').parquet('OUT/capture=*/table=zones')`

(A capture name that looks like a number is read as one by DuckDB and Spark unless told otherwise, e.g. DuckDB's
`hive_types = {{'capture': 'VARCHAR'}}`.)

## Tables

{schema_markdown()}"""
