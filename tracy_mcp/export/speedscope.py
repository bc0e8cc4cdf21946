"""speedscope JSON export (https://www.speedscope.app; other flame-graph viewers read it too).

One profile per thread. "evented": every CPU zone as an open ("O") and a close ("C") event in nanoseconds, so the
viewer's time-order view shows the real timeline. "sampled": one stack per call path weighted by its self time (the
call tree), a small file even for millions of zones.

The rules of the file format the writer keeps: frames are shared by all profiles and referenced by index; in an
evented profile "at" never decreases and opens and closes are balanced, each close naming the frame on top of the
stack, between startValue and endValue; in a sampled profile there are as many positive weights as samples.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from tracy_mcp._version import __version__

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
MODES = ("evented", "sampled")
CHUNK = 200_000
I64 = np.int64


def frames_of(ctx: Capture) -> list[dict[str, Any]]:
    """One speedscope frame per zone name (index = the name's index, as in the call tree) with the file and line of
    the name's main source location, then one for zones whose source location is unknown."""
    sl = ctx._srclocs()
    out = []
    for name in sl.names:
        loc = ctx._main_location(sl.rows_of(name))
        frame: dict[str, Any] = {"name": name}
        if loc["file"]:
            frame["file"] = loc["file"]
            frame["line"] = int(loc["line"])
        out.append(frame)
    out.append({"name": "(unknown zone)"})
    return out


def _frame_index(ctx: Capture, rows: np.ndarray) -> np.ndarray:
    sl = ctx._srclocs()
    src = ctx._cpu().srcloc[rows].astype(I64)
    known = src < len(sl.name_idx)
    out = np.full(len(rows), len(sl.names), I64)
    out[known] = sl.name_idx[src[known]]
    return out


def evented_events(ctx: Capture, rows: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_open, frame, at) of one thread's zones `rows` (sorted rows of one thread, parents included), clipped to
    [lo, hi]; a zone that never ended closes at the capture's end."""
    t = ctx._cpu()
    n = len(rows)
    start = np.clip(t.start[rows], lo, hi)
    end = np.where(t.end[rows] >= 0, t.end[rows], int(ctx.get_last_time()))
    end = np.maximum(np.clip(end, lo, hi), start)
    # A zone closes right before the first of these rows outside its subtree opens, deeper zones first. Ordering
    # the events by that position keeps them balanced whatever the timestamps say.
    sub_end = t.subtree_end[rows].astype(I64) if len(t.subtree_end) == t.n else rows + 1
    pos = np.concatenate([np.arange(n, dtype=I64), np.searchsorted(rows, sub_end)])
    kind = np.concatenate([np.ones(n, I64), np.zeros(n, I64)])  # at one position, closes come before opens
    deeper_first = np.concatenate([np.zeros(n, I64), -t.depth[rows].astype(I64)])
    order = np.lexsort((deeper_first, kind, pos))
    at = np.concatenate([start, end])[order]
    np.maximum.accumulate(at, out=at)  # a zone that overran its parent must not make "at" go back
    frame = np.tile(_frame_index(ctx, rows), 2)[order]
    return kind[order] == 1, frame, at


def keep_long_zones(ctx: Capture, rows: np.ndarray, min_duration: int) -> np.ndarray:
    """The rows (sorted) to keep when zones shorter than min_duration ns are dropped with their whole subtree."""
    t = ctx._cpu()
    end = np.where(t.end[rows] >= 0, t.end[rows], int(ctx.get_last_time()))
    short = np.flatnonzero((end - t.start[rows]) < min_duration)
    mark = np.zeros(len(rows) + 1, I64)
    np.add.at(mark, short, 1)
    np.add.at(mark, np.searchsorted(rows, t.subtree_end[rows[short]].astype(I64)), -1)
    return rows[np.cumsum(mark[:-1]) == 0]


def _event_json(is_open: np.ndarray, frame: np.ndarray, at: np.ndarray) -> Iterator[str]:
    for a in range(0, len(at), CHUNK):
        yield ",\n".join(
            '{"type":"%s","frame":%d,"at":%d}' % ("O" if o else "C", f, v)  # noqa: UP031 - JSON braces
            for o, f, v in zip(
                is_open[a : a + CHUNK].tolist(), frame[a : a + CHUNK].tolist(), at[a : a + CHUNK].tolist(), strict=True
            )
        )


def write_speedscope(
    ctx: Capture,
    out: IO[str],
    *,
    mode: str,
    window: tuple[int, int],
    rows: np.ndarray | None = None,
    tree: dict[str, np.ndarray] | None = None,
) -> int:
    """Write the document. evented: `rows` = the sorted zone rows to export (every thread); sampled: `tree` = the
    call tree's columns (id, parent_id, thread_id, thread, name, self_ns). Returns the number of events or stacks."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    lo, hi = window
    names = {n: i for i, n in enumerate(ctx._srclocs().names)}
    header = {
        "$schema": SCHEMA,
        "exporter": f"tracy-mcp {__version__}",
        "name": ctx.get_capture_name() or os.path.basename(ctx.path),
        "shared": {"frames": frames_of(ctx)},
    }
    out.write(json.dumps(header)[:-1] + ',"profiles":[\n')
    weights: list[int] = []  # time per profile, to open the busiest one first
    written = 0

    def profile_head(kind: str, title: str, first: int, last: int) -> str:
        return (
            ("" if not weights else ",\n")
            + "{"
            + '"type":"%s","name":%s,"unit":"nanoseconds","startValue":%d,"endValue":%d,'  # noqa: UP031
            % (kind, json.dumps(title), first, last)
        )

    thread_names = dict(enumerate(ctx._thread_labels()))
    if mode == "evented":
        assert rows is not None
        t = ctx._cpu()
        owner = t.owner[rows]
        for th in np.unique(owner).tolist():
            mine = rows[owner == th]
            is_open, frame, at = evented_events(ctx, mine, lo, hi)
            out.write(profile_head("evented", thread_names.get(th, f"thread {th}"), lo, max(hi, int(at[-1]))))
            out.write('"events":[\n')
            for chunk in _event_json(is_open, frame, at):
                out.write(chunk)
            out.write("]}")
            weights.append(int(np.maximum(t.dur[mine[t.depth[mine] == 0]], 0).sum()))
            written += len(at)
    else:
        assert tree is not None
        unknown = len(names)
        stacks: list[list[int]] = []
        for p, nm in zip(tree["parent_id"].tolist(), tree["name"].tolist(), strict=True):
            stacks.append(([] if p < 0 else stacks[p]) + [names.get(nm, unknown)])
        for th in list(dict.fromkeys(tree["thread_id"].tolist())):
            sel = np.flatnonzero((tree["thread_id"] == th) & (tree["self_ns"] > 0))
            title = thread_names.get(th, "all threads") if th >= 0 else "all threads"
            out.write(profile_head("sampled", title, lo, hi))
            out.write(
                '"samples":[%s],"weights":[%s]}'  # noqa: UP031 - JSON braces
                % (
                    ",".join(json.dumps(stacks[i]) for i in sel.tolist()),
                    ",".join(str(int(w)) for w in tree["self_ns"][sel].tolist()),
                )
            )
            weights.append(int(tree["self_ns"][sel].sum()))
            written += len(sel)
    if not weights:  # nothing in scope: one empty profile keeps the file valid for viewers
        out.write(profile_head(mode, "(no zones)", lo, hi))
        out.write('"events":[]}' if mode == "evented" else '"samples":[],"weights":[]}')
    active = int(np.argmax(weights)) if weights else 0
    out.write('\n],"activeProfileIndex":%d}\n' % active)  # noqa: UP031 - JSON braces
    return written


def export_speedscope(ctx: Capture, path: str | os.PathLike[str], **options: Any) -> int:
    """Write a speedscope JSON file (see write_speedscope); returns the number of events or stacks."""
    with open(path, "w", encoding="utf-8") as f:
        return write_speedscope(ctx, f, **options)
