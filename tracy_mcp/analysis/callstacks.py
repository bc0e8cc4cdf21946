"""Callstacks: the frames of a callstack index (upstream-compatible), resolved through the engine's tables
callstacks -> callstack_frame_ids -> callstack_frames -> callstack_frame_entries."""

from __future__ import annotations

import os
from typing import Any

from tracy_mcp.analysis.query_base import QueryBase


class CallstackQueries(QueryBase):
    def get_callstack_count(self) -> int:
        """Number of callstacks; valid indices are 1..count (0 means "no callstack")."""
        return max(0, self._db.rows("callstacks") - 1)

    def get_callstack_frames(self, callstack_idx: int) -> list[dict[str, Any]]:
        """Frames of one callstack, innermost first; inlined frames come before the function they were inlined
        into. Each: {name, file, line, addr (symbol address)}. A frame the client could not resolve reads
        "[unknown] + <address>" with file "[unknown]" and line 0; index 0 and unknown indices give []."""
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


# frames of the toolchain's and the system's code: inlined standard-library templates a return address lands in,
# libc's start-up; a call site is named by the program's own frames around them
LIBRARY_FILES = ("/usr/include/", "/usr/lib/", "/usr/src/", "./csu/", "../sysdeps/", "[unknown]")
TEMPLATE_SHOWN = 24  # template arguments longer than this are elided in a call site's text


def site_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The program's own frames of a callstack (innermost first): without the profiler's frames, the library
    code inlined into them, and frames the client could not resolve."""
    return [
        f
        for f in program_frames(frames)
        if not str(f.get("file", "")).startswith(LIBRARY_FILES) and not str(f.get("name", "")).startswith("[unknown]")
    ]


def short_function(name: str) -> str:
    """A demangled function name without its return type, parameter list and long template arguments:
    'Entities::Update(int, std::mt19937&)' -> 'Entities::Update'."""
    if name.startswith("["):  # "[unknown] + address"
        return name
    depth, cut = 0, len(name)
    for k, ch in enumerate(name):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(depth - 1, 0)
        elif ch == "(" and depth == 0 and not name[:k].endswith("operator"):
            cut = k
            break
    head = name[:cut]
    depth, start = 0, 0
    for k, ch in enumerate(head):  # the return type ends at the last space outside template arguments
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(depth - 1, 0)
        elif ch == " " and depth == 0 and not head[:k].endswith("operator"):
            start = k + 1
    return _elide_templates(head[start:]) or name


def _elide_templates(name: str) -> str:
    out: list[str] = []
    depth, opened = 0, 0
    for k, ch in enumerate(name):
        if ch == "<":
            if depth == 0:
                opened = k
                out.append(ch)
            depth += 1
            continue
        if ch == ">" and depth:
            depth -= 1
            if depth == 0:
                inner = name[opened + 1 : k]
                out.append(inner if len(inner) <= TEMPLATE_SHOWN else "...")
                out.append(ch)
            continue
        if depth == 0:
            out.append(ch)
    return "".join(out)


def frame_text(f: dict[str, Any]) -> str:
    """'Loot::Drop (dungeon.cpp:321)': a frame's short function name and its source line."""
    file = os.path.basename(str(f.get("file", "")))
    line = int(f.get("line") or 0)
    where = f" ({file}:{line})" if file and not file.startswith("[") and line else ""
    return short_function(str(f.get("name", ""))) + where


def call_site(frames: list[dict[str, Any]], depth: int = 4, skip: str = "", lines: bool = True) -> str:
    """A callstack as its call site: the program's innermost `depth` frames, innermost first, 'a < b < c', after
    leading frames of the function `skip` (a wrapper every call goes through); "" when none are the program's.
    `lines=False`: the functions only (callstacks through the same functions from other lines are one site)."""
    own = site_frames(frames)
    while skip and own and short_function(str(own[0].get("name", ""))) == skip:
        own = own[1:]
    if not lines:
        return " < ".join(short_function(str(f.get("name", ""))) for f in own[:depth])
    return " < ".join(frame_text(f) for f in own[:depth])


WRAPPER_SHARE = 0.9  # the innermost program function of this share of the callstacks is a wrapper around the call


def common_wrapper(callstack_frames: list[list[dict[str, Any]]], weights: list[int]) -> str:
    """The program's function innermost in (nearly) every one of these callstacks, called from several places: a
    wrapper (an allocator's, a logger's) that says nothing about the call site; "" when there is none."""
    firsts: dict[str, int] = {}
    callers: set[str] = set()
    total = 0
    for frames, w in zip(callstack_frames, weights, strict=True):
        own = site_frames(frames)
        if not own:
            continue
        total += w
        name = short_function(str(own[0].get("name", "")))
        firsts[name] = firsts.get(name, 0) + w
        if len(own) > 1:
            callers.add(name + "<" + short_function(str(own[1].get("name", ""))))
    if not firsts:
        return ""
    name, n = max(firsts.items(), key=lambda kv: kv[1])
    several = sum(c.startswith(name + "<") for c in callers) > 1
    return name if several and n >= WRAPPER_SHARE * total else ""
