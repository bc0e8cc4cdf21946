"""Source locations: upstream ids, zone names, and the grouping of source locations by zone name."""

from __future__ import annotations

import attrs
import numpy as np

from tracy_mcp.engine.data import CaptureData
from tracy_mcp.engine.strings import StringPool


@attrs.frozen
class SrclocTable:
    """Per source-location row: upstream id, zone name (custom name, else function), function, file, line, color,
    and the index of its name in `names` (rows sharing a name share the index)."""

    ids: np.ndarray  # int64 upstream-facing ids
    name: list[str]  # zone name per row
    function: list[str]
    file: list[str]
    line: np.ndarray  # int64
    color: np.ndarray  # int64
    name_idx: np.ndarray  # int64 row -> index into `names`
    names: list[str]  # distinct names, in order of first row
    rows_by_name: dict[str, np.ndarray]
    row_by_id: dict[int, int]

    def __len__(self) -> int:
        return len(self.name)

    def rows_of(self, name: str) -> np.ndarray:
        return self.rows_by_name.get(name, np.zeros(0, dtype=np.int64))

    def upstream_ids(self, rows: np.ndarray) -> np.ndarray:
        """Upstream id (int32) of each source-location row in `rows`; 0 for rows out of range. The engine lists
        static locations (ids 1..S) before dynamic ones (-1..-D), so this is arithmetic, not a lookup per row."""
        n = len(self.ids)
        r = np.asarray(rows)
        if n == 0:
            return np.zeros(len(r), np.int16)
        static = int((self.ids > 0).sum())
        out_type = np.int16 if n < 2**15 else np.int32
        if np.array_equal(self.ids, _layout_ids(n, static)):
            # one pass, straight into the narrow type
            out = (
                np.add(r, 1, dtype=out_type)
                if static == n
                else np.where(r < static, r.astype(np.int32) + 1, static - r.astype(np.int32) - 1)
            )
        else:
            out = self.ids.astype(out_type)[np.clip(r, 0, n - 1)]
        if len(r) and (int(r.max()) >= n or (r.dtype.kind == "i" and int(r.min()) < 0)):
            out = np.where((r >= 0) & (r < n), out, 0)
        return out.astype(out_type, copy=False)


def _layout_ids(n: int, static: int) -> np.ndarray:
    r = np.arange(n, dtype=np.int64)
    return np.where(r < static, r.astype(np.int32) + 1, static - r.astype(np.int32) - 1)


def load_srclocs(db: CaptureData, strings: StringPool) -> SrclocTable:
    def build() -> SrclocTable:
        n = db.rows("srclocs")
        ids = np.asarray(db.col_or("srclocs", "id"), dtype=np.int64) if n else np.zeros(0, np.int64)
        name_sid = db.col_or("srclocs", "name")
        func_sid = db.col_or("srclocs", "function")
        file_sid = db.col_or("srclocs", "file")
        function = [strings.get(s) for s in func_sid.tolist()] if len(func_sid) else [""] * n
        file = [strings.get(s) for s in file_sid.tolist()] if len(file_sid) else [""] * n
        names: list[str] = []
        if len(name_sid):
            for i, s in enumerate(name_sid.tolist()):
                names.append(strings.get(s) if s >= 0 else function[i])
        else:
            names = list(function)
        line = np.asarray(db.col_or("srclocs", "line"), dtype=np.int64) if n else np.zeros(0, np.int64)
        color = np.asarray(db.col_or("srclocs", "color"), dtype=np.int64) if n else np.zeros(0, np.int64)
        if len(line) != n:
            line = np.zeros(n, np.int64)
        if len(color) != n:
            color = np.zeros(n, np.int64)
        distinct: dict[str, int] = {}
        name_idx = np.empty(n, dtype=np.int64)
        for i, nm in enumerate(names):
            name_idx[i] = distinct.setdefault(nm, len(distinct))
        groups: dict[str, list[int]] = {}
        for i, nm in enumerate(names):
            groups.setdefault(nm, []).append(i)
        return SrclocTable(
            ids=ids,
            name=names,
            function=function,
            file=file,
            line=line,
            color=color,
            name_idx=name_idx,
            names=list(distinct),
            rows_by_name={k: np.asarray(v, dtype=np.int64) for k, v in groups.items()},
            row_by_id={int(v): i for i, v in enumerate(ids.tolist())},
        )

    return db.cached("srclocs", build)
