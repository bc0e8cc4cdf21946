"""Call paths of the CPU zones, computed by the engine in one pass (``tshim_zone_paths``): every zone's path id (the
chain of zone names from its thread's top-level zone down to it) and per-path sums over the whole capture. Built
once per capture generation; the call tree, hot paths, flame graphs and speedscope export start from it.
"""

from __future__ import annotations

import attrs
import numpy as np

from tracy_mcp.engine.data import CaptureData
from tracy_mcp.engine.srclocs import SrclocTable


@attrs.frozen
class ZonePaths:
    """Per zone row: `row_path`. Per path (a parent's id is below its children's): `parent` (-1 top level), `label`
    (index into SrclocTable.names, -1 unknown), `owner` (thread row), and over its zones with a valid end: `count`,
    `total`, `self_ns` (duration minus direct children's), `max_ns` (int64 ns)."""

    row_path: np.ndarray  # int32
    parent: np.ndarray  # int64
    label: np.ndarray
    owner: np.ndarray
    count: np.ndarray
    total: np.ndarray
    self_ns: np.ndarray
    max_ns: np.ndarray

    def __len__(self) -> int:
        return len(self.parent)


def load_zone_paths(db: CaptureData, srclocs: SrclocTable) -> ZonePaths:
    """The per-thread call paths of the CPU zones, labelled by zone name (cached per data generation)."""

    def build() -> ZonePaths:
        db.ensure()
        r = db.native.zone_paths(srclocs.name_idx, per_thread=True)
        i64 = {k: r[k].astype(np.int64) for k in ("parent", "label", "thread", "count", "total", "self", "max")}
        return ZonePaths(
            row_path=r["row_path"],
            parent=i64["parent"],
            label=i64["label"],
            owner=i64["thread"],
            count=i64["count"],
            total=i64["total"],
            self_ns=i64["self"],
            max_ns=i64["max"],
        )

    return db.cached("zone_paths", build)


def window_sums(
    db: CaptureData, zp: ZonePaths, start: int | None, end: int | None, threads: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(count, total, self, max) per path over the zones overlapping [start, end) (None: open), clipped to it, of
    the given thread rows (None: all), summed by the engine over the zones in the window only."""
    lo = np.iinfo(np.int64).min if start is None else int(start)
    hi = np.iinfo(np.int64).max if end is None else int(end)
    mask = None
    if threads is not None:
        mask = np.zeros(db.rows("threads"), dtype=bool)
        mask[np.asarray(threads, dtype=np.int64)] = True
    r = db.native.zone_path_sums(zp.row_path, len(zp), (lo, hi), mask)
    return r["count"], r["total"], r["self"], r["max"]
