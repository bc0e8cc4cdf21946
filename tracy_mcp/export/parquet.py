"""Parquet export of the columnar tables (needs pyarrow)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.columnar import have_pandas

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

TABLES = (
    "zones",
    "gpu_zones",
    "messages",
    "plots",
    "frames",
    "memory_events",
    "samples",
    "context_switches",
    "lock_events",
    "plot_points",
    "threads",
    "zone_stats",
)


def export_parquet(ctx: Capture, path: str | os.PathLike[str], table: str = "zones") -> int:
    """Write one columnar table (see TABLES) to a Parquet file; returns its row count."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise ImportError("Parquet export needs pyarrow: pip install pyarrow") from e
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    if have_pandas():
        # categoricals become Parquet dictionary columns without a Python string per row
        frame = getattr(ctx, table)(as_frame=True)
        pq.write_table(pa.Table.from_pandas(frame.reset_index(), preserve_index=False), os.fspath(path))
        return len(frame)
    cols: dict[str, Any] = getattr(ctx, table)(as_frame=False)
    arrays = {
        k: (pa.array(v.tolist()) if isinstance(v, np.ndarray) and v.dtype == object else pa.array(v))
        for k, v in cols.items()
    }
    pq.write_table(pa.table(arrays), os.fspath(path))
    return len(next(iter(cols.values()))) if cols else 0
