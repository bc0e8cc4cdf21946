"""SQL over captures (DuckDB, an optional extra): documented tables built as Arrow views of the engine's columns.

`ctx.sql(query)` queries one capture, `tracy_mcp.sql(query, captures={...})` several at once (with a `capture`
column), and `tracy_mcp.export.dataset` writes the same tables of many captures as a Parquet dataset.
"""
