"""ctx.crash() and ctx.crash_report(): a program that died under the profiler. Tracy's client reports a crash (a
signal: a bad memory access, an abort from a failed assert) with the thread, the time, the signal as text and a
callstack; the capture keeps it. The report puts beside it what the program was doing then: the zones open on
every thread, the locks held or waited for, the frame in progress, the last messages and live memory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import clip_text, fmt_bytes, fmt_ns
from tracy_mcp.analysis.frame_phases import TRAILING, frame_phases
from tracy_mcp.analysis.memory_report import live_curve
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.zone_at import innermost, rows_of_tids
from tracy_mcp.analysis.zone_paths import path_groups

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
LAST_MESSAGES = 5  # the program's messages quoted before the crash
SHOWN_FRAMES = 6  # callstack frames quoted from the first one of the program's own
MAX_THREADS = 12  # other threads listed at the crash (those inside a zone first)
IDLE_SHOWN = 3  # threads with no zone open listed even when many others were inside one
# frames of the crash handler and the C library's signal and abort machinery, above the code that crashed
STOPPED_MIN_NS = 1_000_000_000  # a trailing frame this long at least (and STOPPED_FACTOR x the median frame)...
STOPPED_FACTOR = 20.0  # ...with zones opened in it still open at the end: the program stopped making frames
OPEN_SHOWN = 3  # threads listed with what they had open then
HANDLER_NAMES = ("tracy::", "__restore_rt", "__pthread_kill", "pthread_kill", "raise", "abort", "__assert_fail")
HANDLER_FILES = ("sysdeps/", "nptl/", "/signal/", "stdlib/abort", "assert/assert")


@attrs.define
class Crash:
    """The crash Tracy's client reported: `thread` (name), `thread_id` (row of the threads table, -1 when the
    capture lists no such thread), `tid` (OS thread id), `time_ns`, `message` (the signal as the client wrote it),
    `callstack_id` (0 when none) and `frames` ("function (file:line)", outermost last, the handler's own frames
    dropped)."""

    thread: str
    thread_id: int
    tid: int
    time_ns: int
    message: str
    callstack_id: int
    frames: list[str]

    @property
    def reason(self) -> str:
        """The signal's text on one line ("Invalid memory reference. Address not mapped to object. ...")."""
        lines = [x.strip() for x in self.message.splitlines() if x.strip()]
        if lines and lines[0].startswith("Abort signal"):  # its "fault address" is the sender's process id
            lines = [x for x in lines if not x.startswith("Fault address")]
        return " ".join(lines)


def _program_frames(ctx: Capture, callstack_id: int) -> list[str]:
    """The callstack's frames from the first one below the crash handler and the C library's signal code."""
    if callstack_id <= 0:
        return []
    try:
        frames = ctx.get_callstack_frames(callstack_id)
    except Exception:  # noqa: BLE001 - a callstack the capture cannot resolve leaves the crash itself readable
        return []

    def handler(f: dict[str, Any]) -> bool:
        name, file = str(f.get("name", "")), str(f.get("file", ""))
        return name.startswith(HANDLER_NAMES) or any(p in file for p in HANDLER_FILES)

    first = 0
    while first < len(frames) and handler(frames[first]):  # the handler's frames lead (innermost first)
        first += 1
    out = []
    for f in frames[first:]:
        file = str(f.get("file", ""))
        where = f" ({file.rsplit('/', 1)[-1]}:{f.get('line', 0)})" if file and file != "[unknown]" else ""
        out.append(f"{f.get('name', '?')}{where}")
    return out


def crash(ctx: Capture) -> Crash | None:
    """The crash the program reported before it ended, or None when it did not crash (or was not profiled to the
    end: a client killed outright reports nothing)."""
    time = int(ctx._db.meta_get("crash_time") or 0)
    tid = int(ctx._db.meta_get("crash_thread") or 0)
    if not time and not tid:
        return None
    row = int(rows_of_tids(ctx, np.asarray([tid], np.uint64))[0])
    name = ctx.get_thread_name(tid) if row >= 0 else f"thread {tid}"
    cs = int(ctx._db.meta_get("crash_callstack") or 0)
    message = str(ctx._db.meta_get("crash_message_text") or "")
    return Crash(name, row, tid, time, message, cs, _program_frames(ctx, cs))


def _threads_at(ctx: Capture, time: int) -> Any:
    """Per listed thread: the path of the zones open on it at `time` (outermost first) with the innermost one's
    start, and the last zone it ended before then."""
    tids = ctx._thread_tids()
    rows = np.arange(len(tids), dtype=I64)
    inner = innermost(ctx, np.full(len(rows), time, I64), rows) if len(rows) else np.zeros(0, I64)
    pid, paths = path_groups(ctx, inner)
    t = ctx._cpu()
    names = ctx._srclocs().name
    # the last zone each thread ended before then: the latest end per owner, in one pass
    last_name = [""] * len(rows)
    last_end = [-1] * len(rows)
    if t.n:
        done = np.flatnonzero((t.end >= 0) & (t.end <= time))
        done = done[np.argsort(t.end[done], kind="stable")][::-1]
        owners, first = np.unique(t.owner[done].astype(I64), return_index=True)
        for o, k in zip(owners.tolist(), done[first].tolist(), strict=True):
            if 0 <= o < len(rows):
                last_name[o] = names[int(t.srcloc[k])]
                last_end[o] = int(t.end[k])
    return frame(
        {
            "thread_id": rows,
            "thread": ctx._thread_labels(),
            "open_zones": np.asarray([*paths, ""], dtype=object)[pid],
            "open_since_ns": np.where(inner >= 0, t.start[np.maximum(inner, 0)] if t.n else -1, -1).astype(I64),
            "last_zone": last_name,
            "last_zone_end_ns": last_end,
        }
    )


def _locks_at(ctx: Capture, time: int) -> list[str]:
    """Locks held or waited for at `time`, each with its threads. An exclusive release does not say whose it is
    (the table may give it the next holder's thread): it ends the current hold, whoever took it."""
    out = []
    for lk in ctx.get_locks():
        ev = ctx.lock_events(lk, as_frame=False)
        keep = np.asarray(ev["time_ns"], I64) <= time
        if not keep.any():
            continue
        threads = np.asarray(ev["thread"])[keep].astype(str).tolist()
        types = np.asarray(ev["type"])[keep].astype(str).tolist()
        holder: str | None = None
        shared: list[str] = []
        waiting: list[str] = []
        for th, ty in zip(threads, types, strict=True):
            if ty.startswith("wait"):
                waiting = [*[w for w in waiting if w != th], th]
            elif ty == "obtain":
                holder, waiting = th, [w for w in waiting if w != th]
            elif ty == "obtain_shared":
                shared, waiting = [*shared, th], [w for w in waiting if w != th]
            elif ty == "release":
                holder = None
            elif ty == "release_shared" and shared:
                shared.remove(th if th in shared else shared[0])
        parts = [f"held by {holder}"] if holder else []
        parts += [f"held shared by {', '.join(dict.fromkeys(shared))}"] if shared else []
        parts += [f"waited for by {', '.join(waiting)}"] if waiting else []
        if parts:
            out.append(f"{lk.name} {'; '.join(parts)}")
    return out


def _frame_line(ctx: Capture, time: int) -> str:
    sets = ctx._frame_sets()
    if not sets:
        return ""
    start, _, dur = ctx._frame_bounds(sets[0])
    k = int(np.searchsorted(start, time, side="right")) - 1
    if k < 0:
        return f"The crash came before the first frame (at {fmt_ns(int(start[0]))} if any)." if len(start) else ""
    done = dur[:k][dur[:k] > 0]
    typical = f" (median frame {fmt_ns(float(np.median(done)))})" if len(done) else ""
    return f"The crash came {fmt_ns(time - int(start[k]))} into frame {k}{typical}."


def _messages_before(ctx: Capture, time: int) -> list[str]:
    m = ctx.messages(as_frame=False)
    if not len(m["time_ns"]):
        return []
    t = np.asarray(m["time_ns"], I64)
    ours = (np.asarray(m["source"]).astype(str) != "tracy") & (t <= time)
    idx = np.flatnonzero(ours)[-LAST_MESSAGES:]
    return [
        f"{fmt_ns(time - int(t[i]))} before: [{m['thread'][i]}] {clip_text(str(m['text'][i]), 120)!r}"
        for i in idx[::-1].tolist()
    ]


def _memory_line(ctx: Capture, time: int) -> str:
    if not ctx._db.rows("mem_events"):
        return ""
    ev = ctx.memory_events(as_frame=False)
    curve = live_curve(
        np.asarray(ev["alloc_ns"], I64), np.asarray(ev["free_ns"], I64), np.asarray(ev["size_bytes"], I64)
    )

    def live_at(when: int) -> int:
        k = int(np.searchsorted(curve.time, when, side="right")) - 1
        return int(curve.live[k]) if k >= 0 else 0

    a_second = time - 1_000_000_000
    trend = f", {fmt_bytes(live_at(a_second))} a second before" if a_second > 0 else ""
    peak = int(curve.live.max()) if len(curve.live) else 0
    return f"Live memory at the crash: {fmt_bytes(live_at(time))}{trend} (peak of the run {fmt_bytes(peak)})."


def crash_title(ctx: Capture, c: Crash) -> str:
    """'CRASH on Worker 2 at 4.10 s: <the signal>, inside Jobs::Run > Inventory::ApplyTrade (open 3.71 ms)': the
    crash and the zones open on its thread then (the summary's line, crash_report's title)."""
    title = f"CRASH on {c.thread} at {fmt_ns(c.time_ns)}: {clip_text(c.reason.rstrip('.'), 140)}"
    if c.thread_id < 0:
        return title
    inner = innermost(ctx, np.asarray([c.time_ns], I64), np.asarray([c.thread_id], I64))
    pid, paths = path_groups(ctx, inner)
    if pid[0] < 0:
        return title
    return title + f", inside {paths[int(pid[0])]} (open {fmt_ns(c.time_ns - int(ctx._cpu().start[int(inner[0])]))})"


def crash_report(ctx: Capture) -> Report:
    """What the program was doing when it crashed: the signal, the crashing thread's open zones and callstack,
    every other thread's open zones, locks held or waited for, the frame in progress, the last messages, live
    memory. `table`: per thread its open zones at the crash (`open_zones`, outermost first) or the last zone it
    finished. Without a crash, says so and what was still open when the capture ended."""
    c = crash(ctx)
    when = c.time_ns if c else int(ctx.get_last_time())
    table = _threads_at(ctx, when)
    lines: list[str] = []
    if c is None:
        title = "No crash reported: the program did not crash while it was profiled."
        still = [
            f"{th}: {zones}"
            for th, zones in zip(table["thread"], table["open_zones"], strict=True)
            if zones and str(th) != "Tracy Symbol Worker"
        ]
        if still:
            lines.append("Zones still open when the capture ended (cut short, or waiting at exit): " + "; ".join(still))
        return Report(title=title, lines=lines, table=table)
    title = crash_title(ctx, c)
    if c.frames:
        lines.append("Callstack (innermost first): " + " < ".join(c.frames[:SHOWN_FRAMES]))
    lines += [x for x in [_frame_line(ctx, c.time_ns)] if x]
    msgs = _messages_before(ctx, c.time_ns)
    if msgs:
        lines.append("Last messages before it:")
        lines += [f"  {x}" for x in msgs]
    busy: list[str] = []
    idle: list[str] = []
    for r, th, zones, since, last, end in zip(
        table["thread_id"],
        table["thread"],
        table["open_zones"],
        table["open_since_ns"],
        table["last_zone"],
        table["last_zone_end_ns"],
        strict=True,
    ):
        if int(r) == c.thread_id or str(th) == "Tracy Symbol Worker":
            continue
        if zones:
            busy.append(f"  {th}: in {zones} (since {fmt_ns(c.time_ns - int(since))})")
        elif end >= 0:
            idle.append(f"  {th}: no zone open (last: {last}, ended {fmt_ns(c.time_ns - int(end))} before)")
    if busy or idle:  # threads in a zone first; a program of many threads lists the rest by count
        lines.append("Other threads at the crash:")
        shown = busy[:MAX_THREADS] + idle[: max(MAX_THREADS - len(busy), IDLE_SHOWN)]
        lines += shown
        left = len(busy) + len(idle) - len(shown)
        if left > 0:
            lines.append(f"  ... {left} more thread(s) (crash_report().table lists every thread)")
    locks = _locks_at(ctx, c.time_ns)
    if locks:
        lines.append("Locks at the crash: " + "; ".join(locks))
    mem = _memory_line(ctx, c.time_ns)
    if mem:
        lines.append(mem)
    return Report(title=title, lines=lines, table=table)


def stopped_title(ctx: Capture) -> str:
    """'STOPPED: no frame for the last 2.62 s of the capture (the last frame mark at 4.474 s; frames took a median
    16.67 ms); still open at the end: Main thread in Game::Frame > Jobs::WaitForCompletion (open 2.61 s); ...' when
    the program stopped marking frames and zones opened since are still open when the capture ends (a hang the user
    killed, a wait that never ended); "" otherwise."""
    ph = frame_phases(ctx)
    if ph is None or len(ph.dur) < 3 or int(ph.kind[-1]) != TRAILING or not np.isfinite(ph.median_ns):
        return ""
    last, began = float(ph.dur[-1]), int(ph.start[-1])
    if last < max(STOPPED_MIN_NS, STOPPED_FACTOR * ph.median_ns):
        return ""
    end = int(ctx.get_last_time())
    tab = _threads_at(ctx, end)
    held = [
        (str(th), str(z), int(since))
        for th, z, since in zip(tab["thread"], tab["open_zones"], tab["open_since_ns"], strict=True)
        if z and str(th) != "Tracy Symbol Worker" and since >= began - ph.median_ns
    ]
    if not held:
        return ""  # nothing left open: the program stopped marking frames on purpose (a shutdown, a pause)
    held.sort(key=lambda x: x[2])  # the longest open first: where it got stuck
    shown = "; ".join(f"{th} in {z} (open {fmt_ns(end - since)})" for th, z, since in held[:OPEN_SHOWN])
    more = f"; {len(held) - OPEN_SHOWN} more thread(s)" if len(held) > OPEN_SHOWN else ""
    return (
        f"STOPPED: no frame for the last {fmt_ns(last)} of the capture (the last frame mark at "
        f"{(began - ctx.get_first_time()) / 1e9:.3f} s; frames took a median {fmt_ns(ph.median_ns)}); still open at "
        f"the end: {shown}{more}"
    )
