"""Start-up: the time from the capture's start to the program's first gameplay frame (a game loading its level,
an editor opening), where a program that takes long to start spends it: the chain of zones that holds most of it on
the thread that runs it, and the threads that finish their part early and sit idle."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.formatting import clip_text, fmt_ns, fmt_pct, name_list
from tracy_mcp.analysis.frame_phases import STARTUP, frame_phases, markless
from tracy_mcp.analysis.lock_timeline import union
from tracy_mcp.analysis.program_messages import one_off_after
from tracy_mcp.analysis.wait_zones import joined_work

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

STARTUP_MIN_NS = 500_000_000  # a start-up shorter than this is not worth a finding...
STARTUP_SHARE = 0.2  # ...nor one under this share of the capture
NO_ZONE_SHARE = 0.5  # a start-up this much without any zone says so
MAIN = "Main thread"  # the name Tracy's client gives the program's main thread
OPENING_NS = 200_000_000  # a program without frames: its main thread's first zone starts this soon...
OPENING_AFTER = 0.5  # ...and this share of the other threads' top-level zones start after it ends: its start-up
CHAIN_SHARE = 0.5  # a child holding this share of its parent's time continues the chain down
WAITING = 0.8  # a zone mostly self time that ends right after another thread's work: a wait for it
LOCK_SHARE = 0.2  # lock waits adding up to this share of the start-up are named
IDLE_SHARE = 0.3  # a thread whose work ends this share of the start-up before its end sits idle...
IDLE_MIN_ZONES = 3  # ...when it ran at least this many zones in it
SHUTDOWN_HELD = 0.5  # a shut-down is told when one zone holds this share of the time after the last frame
SAID_BEFORE_NS = 200_000_000  # a one-off message this close to the last gameplay frame's end names the shut-down


def startup_window(ctx: Capture) -> tuple[int, int] | None:
    """(capture start, the program's first frame mark): the base set's frames 0 (the client's own start) and 1 (the
    program's, up to its first frame mark) when frame 1 is a start-up frame; for a program that marks no frames (a
    service), up to the end of the main thread's first zone when it opens the capture (Service::Startup, App::Init);
    None when neither is found or the first frame is an ordinary one."""
    if markless(ctx):
        opening = _opening_zone(ctx)
        return None if opening is None else (int(ctx.get_first_time()), int(ctx._cpu().end[opening]))
    ph = frame_phases(ctx)
    if ph is None or len(ph.start) < 3 or len(ph.gameplay) == 0 or int(ph.kind[1]) != STARTUP:
        return None
    lo, hi = int(ctx.get_first_time()), int(ph.start[2])
    return (lo, hi) if hi > lo else None


def _opening_zone(ctx: Capture) -> int | None:
    """The main thread's first top-level zone when it starts within OPENING_NS of the capture's start and other
    threads' zones come mostly after it ends: a service's start-up; None otherwise. Found once per capture
    generation (the summary, compare and the unit of work all ask)."""
    return ctx._db.cached("opening_zone", lambda: _find_opening_zone(ctx))


def _find_opening_zone(ctx: Capture) -> int | None:
    t = ctx._cpu()
    labels = ctx._thread_labels()
    if MAIN not in labels or t.n == 0:
        return None
    main = labels.index(MAIN)
    first = int(ctx.get_first_time())
    roots = np.flatnonzero((t.depth == 0) & (t.owner == main) & t.valid)
    if not len(roots):
        return None
    r = int(roots[np.argmin(t.start[roots])])
    if t.start[r] - first > OPENING_NS or t.dur[r] < STARTUP_MIN_NS:
        return None
    later = t.valid & (t.depth == 0) & (t.owner != main)
    after = float((t.start[later] >= t.end[r]).mean()) if later.any() else 1.0
    return r if after >= OPENING_AFTER else None


def startup_what(ctx: Capture) -> str:
    """What the start-up runs to: "the first frame mark", or the opening zone of a program without frames."""
    if not markless(ctx):
        return "the first frame mark"
    r = _opening_zone(ctx)
    return "the end of its first zone" if r is None else f"the end of {ctx._srclocs().name[int(ctx._cpu().srcloc[r])]}"


def startup_ns(ctx: Capture) -> int:
    """How long the program took to reach its first gameplay frame (0 when it has none)."""
    win = startup_window(ctx)
    return 0 if win is None else win[1] - win[0]


def program_startup_ns(ctx: Capture) -> int:
    """startup_ns without the profiler's own start (frame 0: the client starting up before the program runs, which
    varies by a tenth of a second from run to run): what a change of the program can move."""
    win = startup_window(ctx)
    if win is None:
        return 0
    if markless(ctx):
        return win[1] - win[0]
    ph = frame_phases(ctx)
    return win[1] - int(ph.start[1]) if ph is not None and len(ph.start) > 1 else win[1] - win[0]


def startup_line(ctx: Capture) -> str | None:
    """The start-up finding when it is long (STARTUP_MIN_NS, STARTUP_SHARE of the capture); None otherwise."""
    win = startup_window(ctx)
    if win is None:
        return None
    lo, hi = win
    span = max(int(ctx.get_last_time()) - lo, 1)
    dur = hi - lo
    if dur < STARTUP_MIN_NS or dur < STARTUP_SHARE * span:
        return None
    text = f"Start-up: {fmt_ns(dur)} to {startup_what(ctx)} ({fmt_pct(dur / span)} of the capture)"
    chain = _chain(ctx, lo, hi)
    return text + chain + ("" if chain.endswith(".") else "." + _locks(ctx, lo, hi) + _no_zone(ctx, lo, hi))


def shutdown_line(ctx: Capture) -> str | None:
    """'Shut-down: 3.36 s after the last gameplay frame (51% of the capture; logged then: "quit requested"); on Main
    thread, Game::Shutdown takes ...' when the program spends long (STARTUP_MIN_NS, STARTUP_SHARE of the capture)
    between its last gameplay frame and the capture's end with zones running; None otherwise."""
    if markless(ctx):
        return None
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) == 0:
        return None
    lo, hi = int(ph.end[ph.gameplay[-1]]), int(ctx.get_last_time())
    first = int(ctx.get_first_time())
    span, dur = max(hi - first, 1), hi - lo
    if dur < STARTUP_MIN_NS or dur < STARTUP_SHARE * span:
        return None
    t, roots = ctx._cpu(), _roots(ctx, lo, hi)
    if not len(roots) or (np.minimum(t.end[roots], hi) - t.start[roots]).max() < SHUTDOWN_HELD * dur:
        return None  # no zone holds the time after the last frame: a program that hung or idled, not one quitting
    chain = _chain(ctx, lo, hi, descend=False)  # a shut-down's steps side by side: what to cut, and in what order
    said = one_off_after(ctx, lo - SAID_BEFORE_NS, 2 * SAID_BEFORE_NS)
    logged = f'; logged then: "{clip_text(said.text, 80)}"' if said else ""
    return (
        f"Shut-down: {fmt_ns(dur)} after the last gameplay frame ({fmt_pct(dur / span)} of the capture{logged})"
        + chain
        + ("" if chain.endswith(".") else "." + _locks(ctx, lo, hi))
    )


def _roots(ctx: Capture, lo: int, hi: int) -> np.ndarray:
    """The ended top-level zones that start in [lo, hi)."""
    t = ctx._cpu()
    return np.flatnonzero((t.depth == 0) & t.valid & (t.start >= lo) & (t.start < hi))


def _chain(ctx: Capture, lo: int, hi: int, descend: bool = True) -> str:
    """'; on Main thread, Game::Load > Level::Stream takes 2.1 s (80% of it): 120 x ...' : the chain of zones that
    holds most of [lo, hi) on the thread that runs it (only its top zone unless `descend`), and the threads that sit
    idle meanwhile ('; no zone runs in it.' when none starts in it)."""
    t, sl = ctx._cpu(), ctx._srclocs()
    labels = ctx._thread_labels()
    dur = hi - lo
    roots = _roots(ctx, lo, hi)
    if len(roots) == 0:
        return "; no zone runs in it."
    chain = [int(roots[np.argmax(np.minimum(t.end[roots], hi) - t.start[roots])])]
    while descend:
        r = chain[-1]
        kids = t.children(r)
        kids = kids[t.valid[kids]]
        if len(kids) == 0:
            break
        k = int(kids[np.argmax(t.dur[kids])])
        if t.dur[k] < CHAIN_SHARE * t.dur[r]:
            break
        chain.append(k)
    node = chain[-1]
    home = int(t.owner[node])
    names = [str(sl.name[int(t.srcloc[x])]) for x in chain]
    text = (
        f"; on {labels[home]}, {' > '.join(names)} takes {fmt_ns(int(t.dur[node]))} "
        f"({fmt_pct(int(t.dur[node]) / dur)} of it)"
    )
    joined = joined_work(ctx, home, t.start[[node]], t.end[[node]])
    if ctx.self_time_array()[node] >= WAITING * t.dur[node] and joined is not None:
        text += f", a wait for {joined.thread}'s work ({joined.evidence}; who waits for what: thread_report frames 1)"
    else:
        text += _steps(ctx, node)
    idle = _idle_threads(ctx, lo, hi, home)
    return text + (f". {idle}" if idle else "")


def _no_zone(ctx: Capture, lo: int, hi: int) -> str:
    """' No zone runs on any thread for 37.2 s of it (longest stretch 0.060-37.25 s): ...' when most of the
    start-up has no zone anywhere: the chain above is then a small part of it."""
    t = ctx._cpu()
    top = np.flatnonzero((t.depth == 0) & (t.start < hi) & ((t.end > lo) | ~t.valid))
    ends = np.where(t.valid[top], t.end[top], hi)
    s, e = union(np.maximum(t.start[top], lo), np.minimum(ends, hi))
    edges = np.concatenate([[lo], e]), np.concatenate([s, [hi]])
    gaps = edges[1] - edges[0]
    bare = int(np.clip(gaps, 0, None).sum())
    if bare < NO_ZONE_SHARE * (hi - lo):
        return ""
    k = int(np.argmax(gaps))
    first = float(ctx.get_first_time())
    return (
        f" No zone runs on any thread for {fmt_ns(bare)} of it (longest stretch {(edges[0][k] - first) / 1e9:.3f}-"
        f"{(edges[1][k] - first) / 1e9:.3f} s): code without zones, or a wait (a program that waits for the profiler "
        "to connect before it starts waits there)."
    )


def _locks(ctx: Capture, lo: int, hi: int) -> str:
    """' Threads wait 3.17 s for AssetRegistry::mutex in it, held meanwhile by Telemetry in Telemetry::Upload
    (ctx.lock_contention()).' when lock waits are a large part of the start-up; '' otherwise."""
    if not ctx._db.rows("lock_events"):
        return ""
    table = ctx.lock_contention(start_ns=lo, end_ns=hi).table
    waits = np.asarray(table["wait_ns"], dtype=np.int64) if len(table) else np.zeros(0, np.int64)
    if len(waits) == 0 or waits.max() < LOCK_SHARE * (hi - lo):
        return ""
    i = int(np.argmax(waits))
    name, blocker, zone = (str(np.asarray(table[c])[i]) for c in ("name", "blocker", "blocker_zone"))
    held = (f", held meanwhile by {blocker}" + (f" in {zone}" if zone else "")) if blocker else ""
    return f" Threads wait {fmt_ns(int(waits[i]))} for {name} in it{held} (ctx.lock_contention())."


def _steps(ctx: Capture, node: int) -> str:
    """': 120 x Shader::Compile (1.85 s, 10.4-21.7 ms each)': the child zone that holds most of the node's time."""
    t, sl = ctx._cpu(), ctx._srclocs()
    kids = t.children(node)
    kids = kids[t.valid[kids]]
    if len(kids) < 2:
        return ""
    codes = t.srcloc[kids]
    vals = np.unique(codes)
    totals = np.asarray([t.dur[kids[codes == v]].sum() for v in vals.tolist()])
    top = int(vals[int(np.argmax(totals))])
    mine = kids[codes == top]
    if len(mine) < 2 or t.dur[mine].sum() < CHAIN_SHARE * t.dur[node]:  # no one step: its largest, by name
        counts = np.asarray([int((codes == v).sum()) for v in vals.tolist()])
        order = np.argsort(-totals, kind="stable")[:3]
        return "; its largest steps: " + ", ".join(
            f"{sl.name[int(vals[i])]} {fmt_ns(int(totals[i]))}" + (f" ({counts[i]}x)" if counts[i] > 1 else "")
            for i in order.tolist()
        )
    d = t.dur[mine]
    return (
        f": {len(mine)} x {sl.name[top]} ({fmt_ns(int(d.sum()))}, {fmt_ns(int(d.min()))}-{fmt_ns(int(d.max()))} "
        "each, one after another)"
    )


def _idle_threads(ctx: Capture, lo: int, hi: int, home: int) -> str:
    """The threads that do their part of the start-up early and then sit idle while it goes on."""
    t = ctx._cpu()
    labels = ctx._thread_labels()
    inside = np.flatnonzero(t.valid & (t.depth == 0) & (t.start >= lo) & (t.start < hi))
    done: dict[int, int] = {}
    count: dict[int, int] = {}
    for r in inside.tolist():
        k = int(t.owner[r])
        done[k] = max(done.get(k, lo), int(t.end[r]))
        count[k] = count.get(k, 0) + 1
    idle = [k for k, e in done.items() if k != home and count[k] >= IDLE_MIN_ZONES and hi - e >= IDLE_SHARE * (hi - lo)]
    if not idle:
        return ""
    last = max(done[k] for k in idle)
    verb = "finish their part" if len(idle) > 1 else "finishes its part"
    return (
        f"{name_list(sorted(labels[k] for k in idle))} {verb} by {(last - lo) / 1e9:.3f} s and sit"
        f"{'' if len(idle) > 1 else 's'} idle for the last {fmt_ns(hi - last)} of it"
    )
