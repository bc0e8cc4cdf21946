"""SQL over captures with DuckDB: `run_sql` registers the tables a query names (Arrow views of the engine's
columns, no copy) on a fresh DuckDB connection, runs the query, and returns a DataFrame or an Arrow table.

One in-memory DuckDB database serves the process; each query gets its own connection (a cursor), so concurrent
queries never see each other's tables. The query runs in a helper thread while the caller waits in short steps,
so a stop of the caller (the eval time limit, a cancel) interrupts DuckDB instead of waiting for it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError as exc:  # an optional extra
    raise ImportError(f"SQL over captures needs DuckDB and pyarrow: pip install 'tracy-mcp[sql]' ({exc})") from exc

from tracy_mcp.errors import TracyMcpError
from tracy_mcp.tables.catalog import TABLES
from tracy_mcp.tables.schema import Column, TableSpec, literal, quote

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture


class SqlError(TracyMcpError):
    """The query failed (syntax, unknown table or column, ...); the message is DuckDB's, plus a hint."""


_database: duckdb.DuckDBPyConnection | None = None
_database_lock = threading.Lock()


def connection() -> duckdb.DuckDBPyConnection:
    """A new connection (cursor) to the process's DuckDB database; close it when done."""
    global _database
    with _database_lock:
        if _database is None:
            db = duckdb.connect(":memory:")
            # A table name the query does not define must be an error, not a scan of some Python variable.
            db.execute("SET python_enable_replacements = false")
            _database = db
        return _database.cursor()


def sql(query: str, captures: Mapping[str, Capture] | Sequence[Capture], *, arrow: bool = False) -> Any:
    """`tracy_mcp.sql`: one query over several captures, every table with a leading `capture` column."""
    return run_sql(query, named_captures(captures), capture_column=True, arrow=arrow)


def named_captures(captures: Any) -> dict[str, Capture]:
    """{name: capture} from a mapping, or from a sequence of captures named by their file names."""
    if isinstance(captures, Mapping):
        items = list(captures.items())
    elif isinstance(captures, Sequence) and not isinstance(captures, (str, bytes)):
        items = []
        seen: dict[str, int] = {}
        for ctx in captures:
            stem = Path(str(getattr(ctx, "path", "capture"))).stem or "capture"
            seen[stem] = seen.get(stem, 0) + 1
            items.append((stem if seen[stem] == 1 else f"{stem}-{seen[stem]}", ctx))
    else:
        raise SqlError(
            f"captures must map names to captures, e.g. {{'a': ctx_a, 'b': ctx_b}}; got {type(captures).__name__}"
        )
    for name, ctx in items:
        if not isinstance(name, str) or not name:
            raise SqlError(f"capture names must be non-empty strings, got {name!r}")
        if not hasattr(ctx, "_db"):
            raise SqlError(
                f"captures[{name!r}] is a {type(ctx).__name__}, not a capture (tracy_mcp.open_capture(path))"
            )
    return dict(items)


def run_sql(query: str, captures: Mapping[str, Capture], *, capture_column: bool, arrow: bool = False) -> Any:
    """Run `query` over the tables of `captures` (name -> Capture). With `capture_column` every table gets a
    leading `capture` column holding the capture's name (the tables of all captures are stacked)."""
    if not isinstance(query, str) or not query.strip():
        raise SqlError('sql() needs a query string, e.g. "SELECT name, count(*) FROM zones GROUP BY name"')
    if not captures:
        raise SqlError("sql() needs at least one capture")
    con = connection()
    try:
        tables, wanted = _parse(con, query)
        named = [spec for name, spec in TABLES.items() if tables and name in tables]
        if not named:  # SHOW TABLES, information_schema, ...: every table's columns, without building any data
            for spec in TABLES.values():
                _register_schema(con, spec, capture_column)
        for spec in named:
            register(con, spec, captures, wanted, capture_column)
        result = _execute(con, query)
    finally:
        con.close()
    result = _narrow_integers(result)
    return result if arrow else to_pandas(result)


def _parse(con: duckdb.DuckDBPyConnection, query: str) -> tuple[set[str] | None, frozenset[str] | None]:
    """(lower-cased names of the tables the query reads, or None when unknown; lower-cased names of the columns
    it refers to, or None when it may refer to any: a `*`, COLUMNS(...), or a statement DuckDB does not
    serialise, such as DESCRIBE or SHOW)."""
    try:
        rows = con.execute("SELECT json_serialize_sql(?::VARCHAR)", [query]).fetchall()
        tree = json.loads(rows[0][0]) if rows else {"error": True}
    except (duckdb.Error, ValueError):
        tree = {"error": True}
    if tree.get("error"):
        try:
            named = {n.lower().rsplit(".", 1)[-1] for n in duckdb.get_table_names(query)}
        except duckdb.Error:
            return None, None  # DuckDB reports the problem, if any, when it runs the query
        return named, None
    tables: set[str] = set()
    columns: set[str] | None = set()
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            cls = node.get("class")
            if cls == "STAR" or cls == "COLUMNS":
                columns = None
            elif cls == "COLUMN_REF" and columns is not None and node.get("column_names"):
                columns.add(str(node["column_names"][-1]).lower())
            elif node.get("type") == "BASE_TABLE" and node.get("table_name"):
                tables.add(str(node["table_name"]).lower())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tables, None if columns is None else frozenset(columns)


def register(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    captures: Mapping[str, Capture],
    wanted: frozenset[str] | None,
    capture_column: bool,
) -> None:
    """Make `spec` a view on `con`: its raw Arrow table per capture, stacked (with `capture` when asked)."""
    columns = spec.included(wanted)
    selects = []
    for i, (name, ctx) in enumerate(captures.items()):
        raw = f"__tracy_{spec.name}_{i}"
        con.register(raw, raw_table(spec, ctx, columns))
        head = f"{literal(name)} AS capture, " if capture_column else ""
        selects.append(f"SELECT {head}{spec.select_list(columns)} FROM {quote(raw)}")
    con.execute(f"CREATE TEMP VIEW {quote(spec.name)} AS " + " UNION ALL ".join(selects))


def _register_schema(con: duckdb.DuckDBPyConnection, spec: TableSpec, capture_column: bool) -> None:
    """`spec` as an empty view with every documented column."""
    head = "NULL::VARCHAR AS capture, " if capture_column else ""
    cols = ", ".join(f"NULL::{c.type} AS {quote(c.name)}" for c in spec.columns)
    con.execute(f"CREATE TEMP VIEW {quote(spec.name)} AS SELECT {head}{cols} WHERE false")


def raw_table(spec: TableSpec, ctx: Capture, columns: list[Column]) -> pa.Table:
    """The raw Arrow table of `spec` for one capture; each raw column is built once per capture and cached."""
    db = ctx._db
    arrays: dict[str, pa.Array] = {}
    for c in columns:
        if c.make is not None:
            arrays[c.name] = db.cached(("sql", spec.name, c.name), functools.partial(c.make, ctx))
    return pa.table(arrays)


def _execute(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            relation = con.sql(query)  # runs every statement; the last one's rows, if it has any, are the result
            box["result"] = relation.to_arrow_table() if relation is not None else pa.table({})
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="tracy-mcp-sql", daemon=True).start()
    try:
        while not done.wait(0.05):
            pass
    except BaseException:
        # The caller is being stopped: stop DuckDB too, wait until it has let go of the connection, then let the
        # stop go on. (An Event, not Thread.join: a join interrupted by an exception forgets the thread.)
        con.interrupt()
        done.wait()
        raise
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, duckdb.Error):
            raise SqlError(f"{exc}\n{_hint()}") from None
        raise exc
    result = box.get("result")
    return result if isinstance(result, pa.Table) else pa.table({})


def _narrow_integers(table: pa.Table) -> pa.Table:
    """DuckDB sums integers into 128-bit integers (Arrow decimal128(38, 0)), which pandas turns into floats;
    give them back as int64 where every value fits."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type) and field.type.scale == 0:
            try:
                narrowed = pc.cast(table.column(i), pa.int64())
            except pa.ArrowInvalid:
                continue
            table = table.set_column(i, pa.field(field.name, pa.int64(), field.nullable), narrowed)
    return table


def to_pandas(table: pa.Table) -> Any:
    """A DataFrame; integer columns holding NULLs become pandas' nullable integers (not floats)."""
    df = table.to_pandas()
    for i, field in enumerate(table.schema):
        if pa.types.is_integer(field.type) and table.column(i).null_count:
            df.isetitem(i, table.column(i).to_pandas(types_mapper=_nullable_integer))
    return df


def _nullable_integer(t: pa.DataType) -> Any:
    import pandas as pd

    return (
        pd.api.types.pandas_dtype(str(t).replace("int", "Int").replace("uInt", "UInt"))
        if pa.types.is_integer(t)
        else None
    )


def _hint() -> str:
    return "tables: " + ", ".join(TABLES) + " (tracy_mcp.tables.schema_markdown() lists every column)"
