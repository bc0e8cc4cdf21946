"""The program's own log messages (not Tracy's diagnostics) grouped by kind, and the kinds that speak of given names.

A kind is a message with its numbers, quoted names and file names blanked ("loaded 'a.pak' in 3 ms" and "loaded
'b.pak' in 5 ms" are one kind). A message speaks of a zone, thread or pool when it shares at least two words with
their names (or abbreviations of them: "enc" and "encoder"), taken apart at case changes and separators
("JobSystem::WaitForJobs" -> job, system, wait; plural s dropped): how an analysis puts the log line that explains
its finding beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases

I64 = np.int64

FILE_NAME = re.compile(r"\b[\w-]+\.[A-Za-z]\w{1,4}\b")  # "canyon_props.pak": a name, not the message
NUMBER = re.compile(r"\d+(\.\d+)?")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")  # "HTTPServer" -> HTTP, Server; "encode_slice" -> encode, slice
COMMON = {"the", "and", "for", "with", "from", "into", "per", "not", "all", "are", "was", "has", "its", "thread"}
MIN_SHARED = 2  # words a message shares with the names to speak of them


@attrs.frozen
class MessageKind:
    template: str
    text: str  # the first message of the kind
    count: int
    first_ns: int  # time of the first one
    severity: str
    thread: str


def message_kinds(ctx: Capture) -> list[MessageKind]:
    """The program's messages by kind, errors and warnings first, then by first appearance."""

    def build() -> list[MessageKind]:
        if not ctx._db.rows("messages"):
            return []
        m = ctx.messages(as_frame=False)
        groups: dict[str, list[int]] = {}
        for i, src in enumerate(m["source"]):
            if src != "tracy":
                groups.setdefault(template(str(m["text"][i])), []).append(i)
        rank = {"error": 0, "warning": 1}
        order = sorted(groups.items(), key=lambda kv: (rank.get(str(m["severity"][kv[1][0]]), 2), kv[1][0]))
        return [
            MessageKind(
                t,
                str(m["text"][g[0]]),
                len(g),
                int(m["time_ns"][g[0]]),
                str(m["severity"][g[0]]),
                str(m["thread"][g[0]]),
            )
            for t, g in order
        ]

    return ctx._db.cached("message_kinds", build)


def template(text: str) -> str:
    """A message with its numbers and quoted names blanked: the messages one log line makes."""
    return NUMBER.sub("#", FILE_NAME.sub("…", QUOTED.sub("'…'", text)))


def words(text: str) -> set[str]:
    """Lower-case words of three letters or more, split at case changes and separators, plural s dropped."""
    out = set()
    for w in WORD.findall(text):
        w = w.lower()
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        if len(w) >= 3 and w not in COMMON:
            out.add(w)
    return out


def speaking_of(ctx: Capture, names: list[str], limit: int = 2) -> list[MessageKind]:
    """The message kinds that share the most words (at least MIN_SHARED) with `names` (zones, threads, pools)."""
    want: set[str] = set()
    for n in names:
        want |= words(n)
    if not want:
        return []
    scored = [(_shared(words(k.text), want), i, k) for i, k in enumerate(message_kinds(ctx))]
    scored = [s for s in scored if s[0] >= MIN_SHARED]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [k for _, _, k in scored[:limit]]


def _shared(a: set[str], b: set[str]) -> int:
    """Words of `a` that are words of `b`, or abbreviate one ("enc" for "encoder") or are abbreviated by one."""
    return sum(1 for x in a if any(x.startswith(y) or y.startswith(x) for y in b))


def in_frames(ctx: Capture, ph: FramePhases, frames: np.ndarray) -> list[dict[str, Any]]:
    """The messages logged in each of `frames` (frame, time_ns, thread, text, before); for a frame with none, those
    logged in the median frame's time before it (`before` True): they often announce what the frame waits for."""
    labels = ctx._thread_labels()
    db = ctx._db
    n = db.rows("messages")
    if n == 0 or len(frames) == 0:
        return []
    tm = db.col("messages", "time")
    order = np.argsort(tm, kind="stable") if n > 1 and bool(np.any(tm[1:] < tm[:-1])) else None
    if order is not None:
        tm = tm[order]
    txt = db.col("messages", "text")
    thr = db.col_or("messages", "thread", np.full(n, -1, I64))
    out = []
    for f in frames.tolist():
        a = int(np.searchsorted(tm, ph.start[f], "left"))
        b = int(np.searchsorted(tm, ph.end[f], "left"))
        before = a == b  # none inside: what was logged just before it (a median frame's time), which often
        if before:  # announces what the frame then waits for
            a = int(np.searchsorted(tm, ph.start[f] - ph.median_ns, "left"))
        for i in range(a, b):
            j = int(order[i]) if order is not None else i
            k = int(thr[j])
            out.append(
                {
                    "frame": int(f),
                    "time_ns": int(tm[i]),
                    "thread": labels[k] if 0 <= k < len(labels) else "?",
                    "text": ctx._str(txt[j]),
                    "before": before,
                }
            )
    return out


def logged_in_each(
    ctx: Capture, starts: np.ndarray, ends: np.ndarray, *, threads: np.ndarray | None = None, share: float = 0.8
) -> str:
    """The message (numbers blanked) logged inside at least `share` of the windows [starts[i], ends[i]) (on
    thread row threads[i], when given), as one of them was logged, with in how many windows: '"text" (11 of 11)';
    "" when none is."""
    found = most_logged(ctx, starts, ends, threads=threads)
    if found is None or found[1] < share * len(starts):
        return ""
    _, count, first, varied = found
    return f'{"e.g. " if varied else ""}"{first}" ({count} of {len(starts)})'


def most_logged(
    ctx: Capture,
    starts: np.ndarray,
    ends: np.ndarray,
    *,
    threads: np.ndarray | None = None,
    key: Callable[[str], str] = template,
) -> tuple[str, int, str, bool] | None:
    """The kind of message (`key` of its text: numbers blanked by default) logged inside the most of the windows
    [starts[i], ends[i]) (on thread row threads[i], when given): (kind, in how many windows, the first text, whether
    the texts differ); None when no message falls in any."""
    db = ctx._db
    n = db.rows("messages")
    if n == 0 or len(starts) == 0:
        return None
    tm = db.col("messages", "time").astype(np.int64)
    order = np.argsort(tm, kind="stable")
    tm = tm[order]
    txt = db.col("messages", "text")[order]
    thr = db.col_or("messages", "thread", np.full(n, -1, np.int64))[order]
    seen: dict[str, tuple[int, str]] = {}
    varied: set[str] = set()  # kinds whose texts differ (their numbers): quoted as an example, not as every one
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        lo, hi = int(np.searchsorted(tm, a, "left")), int(np.searchsorted(tm, b, "left"))
        kinds: dict[str, str] = {}
        for j in range(lo, hi):
            if threads is not None and int(thr[j]) != int(threads[i]):
                continue
            x = ctx._str(txt[j])
            kinds.setdefault(key(x), x)
        for k, x in kinds.items():
            c, first = seen.get(k, (0, x))
            seen[k] = (c + 1, first)
            if x != first:
                varied.add(k)
    best = max(seen.items(), key=lambda kv: kv[1][0], default=None)
    if best is None:
        return None
    return best[0], best[1][0], best[1][1], best[0] in varied


def one_off_before(ctx: Capture, at: int, within: int) -> MessageKind | None:
    """The program's one-off message (a kind logged once) closest before `at`, at most `within` ns before it: what
    the program said as something changed (a backend added, a level loaded); None when there is none."""
    near = [k for k in message_kinds(ctx) if k.count == 1 and at - within <= k.first_ns <= at]
    return max(near, key=lambda k: k.first_ns, default=None)


def one_off_after(ctx: Capture, at: int, within: int) -> MessageKind | None:
    """The program's one-off message closest after `at`, at most `within` ns after it; None when there is none."""
    near = [k for k in message_kinds(ctx) if k.count == 1 and at <= k.first_ns <= at + within]
    return min(near, key=lambda k: k.first_ns, default=None)


def sys_trace_off(ctx: Capture) -> str:
    """The profiler's own message saying system tracing (context switches, CPU samples) was turned off, as
    logged ("TRACY: Sys Trace was disabled by 'TRACY_NO_SYS_TRACE=1'"); "" when there is none."""
    db = ctx._db
    n = db.rows("messages")
    if n == 0:
        return ""
    for x in db.col("messages", "text")[: min(n, 50)].tolist():  # the client says so as it starts
        text = ctx._str(x)
        if "Sys Trace was disabled" in text:
            return text
    return ""
