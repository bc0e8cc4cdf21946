"""The restriction most analyses accept: one thread, a time window [start, end) and/or a range of frames.

Resolved once into thread row and window bounds, so every analysis reads `thread`, `start`, `end` and
`frame_range` the same way and reports the same errors for bad values.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture


@attrs.frozen
class Scope:
    threads: np.ndarray | None  # thread_ids (rows of table `threads`) in scope, None = all threads
    start: int | None  # ns, None = open
    end: int | None
    label: str  # how a report names the scope ("all zones", "frames 43-45", "Main thread, 1.0 s - 2.0 s")

    @property
    def windowed(self) -> bool:
        return self.start is not None or self.end is not None


def zone_rows(ctx: Capture, scope: Scope, *, include_unfinished: bool = False) -> np.ndarray:
    """Sorted rows of the CPU zones overlapping the scope (its threads, its window); zones that never ended count
    only with `include_unfinished` (they then last to the capture's end).

    A thread's zones are in DFS pre-order, so their starts never decrease: the zones starting inside the window are
    one block of rows (two binary searches), and the zones that started before it and are still open in it are the
    last zone starting before the window and its ancestors (a walk up a few parents). Nothing else is looked at."""
    t, db = ctx._cpu(), ctx._db
    ws = np.iinfo(np.int64).min if scope.start is None else scope.start
    we = np.iinfo(np.int64).max if scope.end is None else scope.end
    zb = db.col_or("threads", "zones_begin").astype(np.int64)
    ze = db.col_or("threads", "zones_end").astype(np.int64)
    parts = []
    # threads in the order of their zone rows, so the result comes out sorted
    order = np.argsort(zb, kind="stable")
    if scope.threads is not None:
        order = order[np.isin(order, scope.threads)]
    for th in order.tolist():
        a, b = int(zb[th]), int(ze[th])
        if b <= a:
            continue
        starts = t.start[a:b]
        i = a + int(np.searchsorted(starts, ws, "left"))
        j = a + int(np.searchsorted(starts, we, "left"))
        still_open = []
        r = i - 1
        while r >= a:
            e = int(t.end[r])
            if (e >= 0 and e > ws) or (e < 0 and include_unfinished):
                still_open.append(r)
            r = int(t.parent[r])
        block = np.arange(i, j)
        end = t.end[block]
        ok = end > ws
        ok = ok | (end < 0) if include_unfinished else ok & (end >= 0)
        parts.append(np.asarray(still_open[::-1], dtype=np.int64))
        parts.append(block[ok])
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def resolve_scope(
    ctx: Capture,
    *,
    thread: Any = None,
    start: int | None = None,
    end: int | None = None,
    frame_range: Any = None,
) -> Scope:
    """`thread`: a thread name or glob, thread_id, OS tid, or a list of these (as every `thread=` filter).
    `frame_range` is one frame index of the base frame set or an inclusive (first, last) pair; it narrows the
    window [start, end) further when both are given."""
    parts = []
    threads = None
    if thread is not None:
        threads = np.flatnonzero(ctx._thread_mask(thread))
        labels = ctx._thread_labels()
        parts.append(
            ", ".join(labels[i] for i in threads[:3]) + (f" and {len(threads) - 3} more" if len(threads) > 3 else "")
        )
    lo = None if start is None else int(start)
    hi = None if end is None else int(end)
    if frame_range is not None:
        first, last = frame_pair(frame_range)
        bounds = ctx.get_frame_boundaries()
        if not bounds:
            raise ValueError("frame_range given, but the capture has no frames")
        if first > last:
            raise ValueError(f"frame_range ({first}, {last}): the first frame comes after the last")
        if not (0 <= first <= last < len(bounds)):
            raise IndexError(f"frame_range {first}..{last} is outside the frames 0..{len(bounds) - 1}")
        fs, fe = bounds[first][0], bounds[last][1]
        lo = fs if lo is None else max(lo, fs)
        hi = fe if hi is None else min(hi, fe)
        parts.append(f"frame {first}" if first == last else f"frames {first}-{last}")
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError(f"empty time window: start {lo} ns is not before end {hi} ns")
    if frame_range is None and (lo is not None or hi is not None):
        parts.append(f"{_sec(lo)} - {_sec(hi)}")
    return Scope(threads, lo, hi, ", ".join(parts) if parts else "whole capture")


def frame_pair(frames: Any, what: str = "frame_range") -> tuple[int, int]:
    """(first, last) inclusive frame indices from a frame index (812), a (first, last) pair, or text as typed ('812',
    '800-820', '800..820'); ValueError / TypeError naming `what` otherwise (callers check the range)."""
    if isinstance(frames, (int, np.integer)) and not isinstance(frames, bool):
        return int(frames), int(frames)
    if isinstance(frames, (str, bytes)):
        text = frames.decode() if isinstance(frames, bytes) else frames
        m = re.fullmatch(r"\s*(\d+)\s*(?:(?:-|\.\.)\s*(\d+)\s*)?", text)
        if m is None:
            raise ValueError(f"{what}={frames!r}: give a frame index ('160') or an inclusive range ('150-170')")
        return int(m[1]), int(m[2] if m[2] is not None else m[1])
    try:
        first, last = frames
    except TypeError:
        raise TypeError(f"{what} must be a frame index or a (first, last) pair of frame indices") from None
    except ValueError:
        raise ValueError(f"{what}={frames!r}: give a frame index (812) or an inclusive range (800, 820)") from None
    return int(first), int(last)


def _sec(ns: int | None) -> str:
    return "…" if ns is None else f"{ns / 1e9:.3f} s"
