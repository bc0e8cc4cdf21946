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


PROFILER_DEPTH = 8  # the capturing call sits within this many innermost frames
PROFILER = "tracy::"  # the profiler's own functions: the client records the call that captured the stack too


def program_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A callstack (innermost first) without the profiler's own frames: those of the capturing call itself (the
    profiler's functions and what they called, innermost) and profiler frames inlined further out (a zone's
    destructor), so that the first frame is the program's."""
    ours = [str(f.get("name", "")).startswith(PROFILER) for f in frames]
    first = next((i for i, x in enumerate(ours[:PROFILER_DEPTH]) if x), None)
    if first is not None:  # the capturing call: the first profiler frame, its callees and its profiler callers
        while first + 1 < len(frames) and ours[first + 1]:
            first += 1
        frames, ours = frames[first + 1 :], ours[first + 1 :]
    return [f for f, x in zip(frames, ours, strict=True) if not x]
