"""Callstacks: the frames of a callstack index (upstream-compatible), resolved through the engine's tables
callstacks -> callstack_frame_ids -> callstack_frames -> callstack_frame_entries."""

from __future__ import annotations

from typing import Any

from tracy_mcp.analysis.query_base import QueryBase


class CallstackQueries(QueryBase):
    def get_callstack_count(self) -> int:
        """Number of callstacks; valid indices are 1..count (0 means "no callstack")."""
        return max(0, self._db.rows("callstacks") - 1)

    def get_callstack_frames(self, callstack_idx: int) -> list[dict[str, Any]]:
        """Frames of one callstack, innermost first; inlined frames come before the function they were inlined
        into. Each: {name, file, line, addr (symbol address)}. Frames without symbol data are skipped; index 0
        and unknown indices give []."""
        idx = int(callstack_idx)
        cache: dict[int, list[dict[str, Any]]] = self._db.cached("callstack_frames_cache", dict)
        hit = cache.get(idx)
        if hit is not None:
            return [dict(f) for f in hit]
        frames = self._resolve_callstack(idx)
        cache[idx] = frames
        return [dict(f) for f in frames]

    def _resolve_callstack(self, idx: int) -> list[dict[str, Any]]:
        db = self._db
        if idx <= 0 or idx >= db.rows("callstacks"):
            return []
        fb = int(db.col("callstacks", "frame_begin")[idx])
        fe = int(db.col("callstacks", "frame_end")[idx])
        frame_rows = db.col("callstack_frame_ids", "frame")[fb:fe]
        out: list[dict[str, Any]] = []
        eb_col = db.col("callstack_frames", "entry_begin")
        ee_col = db.col("callstack_frames", "entry_end")
        names = db.col("callstack_frame_entries", "name")
        files = db.col("callstack_frame_entries", "file")
        lines = db.col("callstack_frame_entries", "line")
        addrs = db.col("callstack_frame_entries", "sym_addr")
        for fr in frame_rows.tolist():
            if fr < 0:
                continue
            for e in range(int(eb_col[fr]), int(ee_col[fr])):
                out.append(
                    {
                        "name": self._str(names[e]),
                        "file": self._str(files[e]),
                        "line": int(lines[e]),
                        "addr": int(addrs[e]),
                    }
                )
        return out
