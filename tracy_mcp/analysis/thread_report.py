"""thread_report: how busy each thread is inside a window (by default the gameplay frames), which thread is the
bottleneck, which are idle, what dominates each one, and the imbalance inside thread pools.

busy     time inside the thread's zones, as self time, so that a zone wrapping the whole thread (a Python client's
         thread function, a `main` zone) does not make it look 100 % busy: only its children count;
waiting  self time of zones that wait rather than work (wait_zones: frame pacers, waits for other threads);
lock wait  time waiting to acquire a lock (lock events) inside a zone counted as busy;
working  busy - waiting - lock wait;
running  time on a CPU from context switches, when the capture has them; -1 in `running_ns` and `running` when
         not recorded (no context switches for that thread);
off CPU  the gaps between its runs, split into asleep (switched out sleeping or blocked, until its wakeup), waiting
         for a core after a wakeup, and preempted (switched out while still runnable): what a busy zone with little
         CPU time was doing.
A pool is a set of threads whose names differ only by a trailing number ("JobWorker 0".."JobWorker 3").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.cpu_runs import RUNNABLE_STATES, double_booked_ns, fiber_rows, host_cores, thread_runs
from tracy_mcp.analysis.fibers import fiber_runs
from tracy_mcp.analysis.formatting import clip_text, fmt_ns, fmt_pct, name_list, pool_of
from tracy_mcp.analysis.frame_phases import FramePhases, frame_phases
from tracy_mcp.analysis.hot_functions import NO_ZONE as NO_ZONE_LABEL
from tracy_mcp.analysis.hot_functions import PROFILER_THREAD, blocked_calls_by_zone
from tracy_mcp.analysis.idle_tail import idle_tail
from tracy_mcp.analysis.lock_contention import lock_wait_in_zones
from tracy_mcp.analysis.program_messages import speaking_of
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.scope import frame_pair
from tracy_mcp.analysis.thread_focus import focus
from tracy_mcp.analysis.wait_zones import WaitZone, frame_waits, unit_of_work
from tracy_mcp.analysis.window_profile import WindowProfile, window_profile
from tracy_mcp.analysis.zone_at import innermost
from tracy_mcp.analysis.zone_paths import zone_texts
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
Rows = list[dict[str, Any]]  # a table as row dicts (threads, pools, top zones)
WHOLE = "the whole capture"
IDLE = 0.25  # a pool member working less than this share of the window is called idle
SHOWN = 20
ACTIVE_PART = 0.8  # a pool whose zones cover less of the window than this gets its shares over its own span
NUMBER = re.compile(r"\d+")
SATURATED = 0.95  # every member of a pool working this share of the window: the pool is saturated
CLOSE = 0.9  # threads working at least this share of the busiest one's time are named beside it
TIE = 0.005  # threads whose working shares differ by less than this (of the window) tie for busiest
OFF_CPU = 0.1  # a thread busy this share of the window more than it ran on a CPU gets its off-CPU split

THREAD_COLS = (
    "thread_id",
    "thread",
    "tid",
    "pool",
    "zones",
    "busy_ns",
    "waiting_ns",
    "lock_wait_ns",
    "working_ns",
    "wrapper_ns",
    "running_ns",
    "asleep_ns",
    "ready_ns",
    "preempted_ns",
    "busy",
    "working",
    "running",
    "top_zone",
    "top_zone_self_ns",
    "top_zone_count",
)
TOP_COLS = ("thread_id", "thread", "name", "count", "self_ns", "share_of_busy", "wait")
POOL_COLS = ("pool", "threads", "working_ns", "busiest", "busiest_share", "max_over_mean")
WAIT_COLS = ("thread_id", "thread", "name", "kind", "evidence")


@attrs.define(repr=False)
class ThreadReport(Report):
    """Result of ``ctx.thread_report()``. `table`: one row per thread with zones in the window (sorted by working
    time; `busy`, `working`, `running` are shares of the window; `running_ns` / `running` are -1 when not recorded,
    i.e. without context switches; off a CPU: `asleep_ns`, `ready_ns` (waiting for a core after a wakeup),
    `preempted_ns`, -1 likewise); `tables`: "top_zones" (per thread, by self time), "pools", "waits" (the zones
    counted as waiting)."""

    window: tuple[int, int] = (0, 0)
    window_what: str = ""


def _columns(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: np.asarray([r[k] for r in rows]) if rows else np.zeros(0) for k in keys}


def thread_report(
    ctx: Capture,
    start_ns: int | None = None,
    end_ns: int | None = None,
    frames: int | str | tuple[int, int] | None = None,
    frame_set: str | None = None,
    top: int = 3,
    thread: int | str | None = None,
) -> ThreadReport:
    """Per thread inside a window (default: the gameplay frames; or [start_ns, end_ns); or frames=(first, last)
    inclusive): busy time (self time of its zones, so a zone wrapping the whole thread does not count), waiting
    (zones recognised as waits: frame pacers, waits for other threads), working = busy - waiting, CPU running time
    from context switches when present, the top zones by self time; pools of threads named "<name> <n>" with their
    imbalance. Sorted by working time: the first thread is the bottleneck. `thread` (a name, glob, thread_id or
    OS tid): that thread's time first, where it goes and what it waits for ("where does it spend its time?")."""
    ph = frame_phases(ctx, frame_set)
    lo, hi, what = _window(ctx, ph, start_ns, end_ns, frames)
    res = ThreadReport(title="", window=(lo, hi), window_what=what)
    res.table = frame(_columns([], THREAD_COLS))
    res.tables = {
        k: frame(_columns([], c)) for k, c in (("top_zones", TOP_COLS), ("pools", POOL_COLS), ("waits", WAIT_COLS))
    }
    if ctx._cpu().n == 0:
        res.title = "thread_report: none recorded (the capture has no CPU zones)."
        return res
    prof = window_profile(ctx, lo, hi)
    waits = frame_waits(ctx, lo, hi, ph)
    labels = ctx._thread_labels()
    skip = {(w.thread_row, int(x)) for w in waits for x in ctx._srclocs().rows_of(ctx._srclocs().names[w.name_idx])}
    locked = lock_wait_in_zones(ctx, lo, hi, skip)
    rows, top_rows = _thread_rows(ctx, prof, waits, labels, _cpu_time(ctx, lo, hi), locked)
    if not rows:
        res.title = f"thread_report: none recorded (no zone runs in {what})."
        return res
    pools = _pools(rows)
    sl = ctx._srclocs()
    res.table = frame(_columns(rows, THREAD_COLS))
    res.tables["top_zones"] = frame(_columns(top_rows, TOP_COLS))
    res.tables["pools"] = frame(_columns(pools, POOL_COLS))
    res.tables["waits"] = frame(
        _columns(
            [
                {
                    "thread_id": w.thread_row,
                    "thread": labels[w.thread_row],
                    "name": sl.names[w.name_idx],
                    "kind": w.kind,
                    "evidence": w.evidence,
                }
                for w in waits
            ],
            WAIT_COLS,
        )
    )
    res.title = _busiest_title(ctx, rows, pools, waits, what, lo, hi)
    res.lines, waits = _report_lines(ctx, rows, pools, waits, prof, lo, hi, ph, top)
    if thread is not None:
        _focus_on(ctx, res, thread, rows, top_rows, waits, what)
    return res


def _busiest_title(ctx: Capture, rows: Rows, pools: Rows, waits: list[WaitZone], what: str, lo: int, hi: int) -> str:
    """The busiest thread (or the threads that tie), its top zone and who waits for it; a job the frame waits for,
    a run that ends on one thread's last job, or zone time mostly off a CPU lead instead."""
    span = hi - lo
    b = rows[0]
    dom = ""
    if b["_work"]:
        nm, (v, c) = b["_work"][0]
        # a lock wait inside a zone is in its self time: share it of working + lock-wait time, and say so
        of = b["working_ns"] + b["lock_wait_ns"]
        lw = "time working or waiting for locks" if b["lock_wait_ns"] else "working time"
        dom = (
            f"; its top zone {nm}: {fmt_ns(v)} self time = {fmt_pct(v / max(of, 1))} of its {lw} "
            f"({c} runs, mean {fmt_ns(v / max(c, 1))})"
        )
    tied = [r["thread"] for r in rows if b["working"] - r["working"] <= TIE]
    if len(tied) > 1:  # no single busiest thread: name them all rather than pick one
        title = (
            f"Busiest threads: {len(tied)} threads tie at {fmt_pct(b['working'])} working of {what} "
            f"({fmt_ns(span)}): {name_list(tied)}; e.g. {b['thread']}{dom.replace('; its', ', its', 1)}."
        )
    else:
        close = [r for r in rows[1:] if r["working"] >= CLOSE * b["working"]][:3]
        beside = (
            " (close behind: " + ", ".join(f"{r['thread']} {fmt_pct(r['working'])}" for r in close) + ")"
            if close
            else ""
        )
        title = (
            f"Busiest thread: {b['thread']}, working {fmt_pct(b['working'])} of {what} ({fmt_ns(span)}){beside}{dom}."
        )
    title = title[:-1] + _waiters(ctx, rows, waits, b, span, lo, hi) + "."
    critical = _critical_job(ctx, rows, waits, lo, hi, framed=what != WHOLE)
    if critical:  # the frame waits for one job, whichever thread runs it: that, not the busiest thread, limits it
        title = f"{critical} {title}"
    tail = idle_tail(ctx, pools, waits, lo, hi) if what == WHOLE else ""
    if tail:  # a run without frames that ends on one thread: its last job, not the busiest thread, sets the end
        title = f"{tail} {title}"
    asleep = _mostly_off_cpu(rows, b, what, span)
    if asleep:  # zone time that context switches show was spent off a CPU: say so first, and who did run
        title = asleep
    return title


def _report_lines(
    ctx: Capture,
    rows: Rows,
    pools: Rows,
    waits: list[WaitZone],
    prof: Any,
    lo: int,
    hi: int,
    ph: FramePhases | None,
    top: int,
) -> tuple[list[str], list[WaitZone]]:
    """(the summary lines: per thread and pool, oversubscription, time off a CPU, the profiler's own threads; the
    waits by their share of the window, biggest first)."""
    sl, labels, span = ctx._srclocs(), ctx._thread_labels(), hi - lo
    logs = {
        p["pool"]: [*_active_line(ctx, p, lo, hi), *_unit_lines(ctx, p, lo, hi, ph, waits), *_log_on(ctx, p)]
        for p in pools
    }
    # each wait's share of the window, biggest first: of a thread's several waits, the small one is not the story
    share = {
        (w.thread_row, w.name_idx): float(prof.self_ns[w.thread_row, sl.rows_of(sl.names[w.name_idx])].sum())
        / max(span, 1)
        for w in waits
    }
    waits = sorted(waits, key=lambda w: -share[(w.thread_row, w.name_idx)])
    fibered = {k: runs.covered(lo, hi) / max(hi - lo, 1) for k, runs in fiber_runs(ctx).items()}
    fibers = set(np.flatnonzero(fiber_rows(ctx)).tolist())
    lines = _summary(
        rows,
        pools,
        waits,
        sl.names,
        labels,
        lo,
        hi,
        ph,
        top,
        ctx._db.rows("ctx_switches"),
        logs,
        share,
        fibered,
        fibers,
    )
    cores = host_cores(ctx)
    lines[1:1] = _oversubscribed(rows, cores)
    lines.extend(_off_cpu(ctx, rows, lo, hi, cores))
    lines.extend(_profiler_and_records(ctx, lo, hi, cores))
    return lines, waits


def _focus_on(
    ctx: Capture,
    res: ThreadReport,
    thread: int | str,
    rows: Rows,
    top_rows: Rows,
    waits: list[WaitZone],
    what: str,
) -> None:
    """The chosen thread's time first (where it goes, what it waits for), the whole report after it."""
    lo, hi = res.window
    chosen = set(np.flatnonzero(ctx._thread_mask(thread)).tolist())
    picked = [r for r in rows if r["thread_id"] in chosen]
    if not picked:
        raise NotFoundError(f"no thread matching {thread!r} has zones in {what}; ctx.threads() lists them")
    title, more = focus(ctx, picked[0], top_rows, waits, lo, hi, what)
    others = [focus(ctx, r, top_rows, waits, lo, hi, what)[0] for r in picked[1:4]]
    res.lines = [*more, *others, f"All threads: {res.title}", *res.lines]
    res.title = title


def _waiters(
    ctx: Capture, rows: list[dict[str, Any]], waits: list[WaitZone], b: dict[str, Any], span: int, lo: int, hi: int
) -> str:
    """'; <thread> waits N% of that span: <zone> M% (for <thread>), ...' for threads other than the busiest that
    spend a quarter of the window or more in waits for other threads, the longest wait first: what the busiest
    thread holds up."""
    t, sl = ctx._cpu(), ctx._srclocs()
    out = []
    for r in rows:
        if r is b or r["waiting_ns"] < WAITER * span:
            continue
        timed = []
        for w in waits:
            if w.thread_row != r["thread_id"] or w.kind != "waits for other threads":
                continue
            mine = t.stat_rows(sl.rows_of(str(sl.names[w.name_idx])))
            mine = mine[t.valid[mine] & (t.owner[mine] == w.thread_row)]
            ns = float((np.minimum(t.end[mine], hi) - np.maximum(t.start[mine], lo)).clip(0).sum())
            timed.append((ns, w))
        if timed:
            timed.sort(key=lambda x: -x[0])
            parts = [
                f"{sl.names[w.name_idx]} {fmt_pct(ns / span)}" + (f" (for {w.waits_for})" if w.waits_for else "")
                for ns, w in timed[:3]
            ]
            out.append(f"{r['thread']} waits {fmt_pct(r['waiting_ns'] / span)} of that span: {', '.join(parts)}")
    return "; " + "; ".join(out[:2]) if out else ""


def _critical_job(
    ctx: Capture, rows: list[dict[str, Any]], waits: list[WaitZone], lo: int, hi: int, *, framed: bool = True
) -> str:
    """'Critical path: ...' when a thread waits WAITER of the window or more for one job (a zone name that ends
    last before its waits end, on whichever thread runs it): how long that job runs, how late it starts after the
    wait begins, and how little its threads work otherwise; '' when no wait is for one job."""
    t = ctx._cpu()
    sl, labels = ctx._srclocs(), ctx._thread_labels()
    by_row = {r["thread_id"]: r for r in rows}
    for w in waits:
        r = by_row.get(w.thread_row)
        if not w.waits_for_work or r is None or r["waiting_ns"] < WAITER * (hi - lo):
            continue
        job = t.stat_rows(sl.rows_of(w.waits_for_work))
        job = job[t.valid[job] & (t.start[job] >= lo) & (t.end[job] <= hi)]
        mine = t.stat_rows(sl.rows_of(str(sl.names[w.name_idx])))
        mine = mine[t.valid[mine] & (t.owner[mine] == w.thread_row) & (t.start[mine] >= lo) & (t.end[mine] <= hi)]
        if len(job) == 0 or len(mine) == 0:
            continue
        in_wait = float(t.dur[mine].sum())  # this wait's own share, not the thread's waits together
        if in_wait < WAITER * (hi - lo):
            continue
        order = np.argsort(t.end[job])
        ends = t.end[job][order]
        k = np.searchsorted(ends, t.end[mine], "right") - 1  # the job run ending last before each wait ends
        ok = k >= 0
        pair = job[order][k[ok]]
        ok_pair = t.end[pair] >= t.start[mine[ok]]  # it ended inside the wait
        late = (t.start[pair] - t.start[mine[ok]])[ok_pair]
        on = sorted({labels[int(x)] for x in t.owner[job].tolist()})
        members = [x for x in rows if x["thread"] in on]
        busy = f"{fmt_pct(min(x['working'] for x in members))}-{fmt_pct(max(x['working'] for x in members))}"
        return (
            f"Critical path: {labels[w.thread_row]} waits {fmt_pct(in_wait / (hi - lo))} of the window in "
            f"{sl.names[w.name_idx]} for one job, {w.waits_for_work} (a median {fmt_ns(float(np.median(t.dur[job])))}; "
            + (
                f"it starts a median {fmt_ns(float(np.median(late)))} after the wait begins; "
                if len(late) and float(np.median(late)) > 0
                else ""
            )
            + f"run on {name_list(on)} in turn, which work {busy} of the window each): "
            + (
                "that job bounds the frame, not a busy thread; start it first, split it, or overlap it with the next "
                "frame."
                if framed
                else "that job bounds the run, not a busy thread; start the longest first, or split it."
            )
        )
    return ""


def _frames_in(ph: FramePhases | None, lo: int, hi: int) -> int:
    """Gameplay frames wholly inside [lo, hi) (0 without frames)."""
    if ph is None:
        return 0
    g = ph.gameplay
    return int(((ph.start[g] >= lo) & (ph.end[g] <= hi)).sum())


def _split_of_top_zone(members: list[dict[str, Any]], ph: FramePhases | None, lo: int, hi: int) -> str:
    """How the pool's biggest zone is shared out: runs per frame (or in all) and mean self time per run on each
    thread, and whether the imbalance is in how many runs each gets or how long they take."""
    totals: dict[str, float] = {}
    for m in members:
        for nm, (v, _) in m["_work"]:
            totals[nm] = totals.get(nm, 0.0) + v
    if not totals or len(members) < 2:
        return ""
    top = max(totals, key=lambda k: totals[k])
    per = []
    for m in members:
        v, c = next(((v, c) for nm, (v, c) in m["_work"] if nm == top), (0.0, 0))
        per.append((m["thread"], c, v / c if c else 0.0))
    nframes = _frames_in(ph, lo, hi)
    unit = " per frame" if nframes >= MIN_FRAMES_PER_RUN else ""

    def runs(c: int) -> str:
        return f"{c / nframes:.1f}" if unit else str(c)

    counts = [c for _, c, _ in per if c]
    means = [mu for _, c, mu in per if c]
    shown = ", ".join(f"{t} {runs(c)} ({fmt_ns(mu)})" if c else f"{t} 0" for t, c, mu in per)
    why = ""
    if len(counts) >= 2 and max(counts) >= SPLIT * max(min(counts), 1) and max(means) <= 1.5 * min(means):
        why = ": some threads get more runs, not longer ones"
    elif len(counts) >= 2 and max(counts) <= 1.5 * min(counts) and max(means) >= SPLIT * min(means):
        why = ": the runs take longer on some threads, not more of them"
    return f" Its top zone {top}, runs{unit} (mean self time): {shown}{why}."


def _mostly_off_cpu(rows: list[dict[str, Any]], b: dict[str, Any], what: str, span: int) -> str:
    """The headline from context switches when zones tell the wrong story: the thread with the most zone time was
    on a CPU for less than half of it (its zones mostly wait without being recognised as waits), or the threads
    that ran most did so outside the zones (the busiest by zone work ran far less than they did); it names the
    threads that did run."""
    ran = sorted((r for r in rows if r["running_ns"] > 0), key=lambda r: -r["running_ns"])[:4]
    if not ran or b["running_ns"] < 0:
        return ""
    off = b["working_ns"] > 0 and b["running_ns"] < OFF_CPU_HEADLINE * b["working_ns"]
    outside = ran[0]["running"] >= CPU_LEADS and ran[0]["running"] >= 2 * b["working"]
    if not (off or outside):
        return ""
    head = f"Most time on a CPU (context switches) in {what} ({fmt_ns(span)}): " + ", ".join(
        f"{r['thread']} {fmt_pct(r['running'])}" for r in ran
    )
    if off:
        top = f"; its top zone by self time: {b['top_zone']}, {b['top_zone_count']} runs" if b["top_zone"] else ""
        return head + (
            f". The thread with the most zone time, {b['thread']} (inside zones {fmt_pct(b['working'])}), was on a "
            f"CPU only {fmt_pct(b['running'])} (asleep {fmt_pct(b['asleep_ns'] / span)}): most of that zone time is "
            f"waiting{top}."
        )
    sitting = max(rows, key=lambda r: r["waiting_ns"])
    sits = (
        f"; {sitting['thread']} sits in its zones {fmt_pct(sitting['busy'])} of the window but waits there (on a CPU "
        f"{fmt_pct(sitting['running'])})"
        if sitting["waiting_ns"] >= 0.5 * span and sitting["running_ns"] >= 0
        else ""
    )
    return head + (
        f". They ran mostly outside zones: the most work inside zones is {b['thread']}'s, {fmt_pct(b['working'])} "
        f"of the window{sits}."
    )


def _window(
    ctx: Capture,
    ph: FramePhases | None,
    start_ns: int | None,
    end_ns: int | None,
    frames: int | str | tuple[int, int] | None,
) -> tuple[int, int, str]:
    if frames is not None:
        if ph is None:
            raise ValueError("this capture has no frames: pass start_ns / end_ns instead of frames")
        a, b = frame_pair(frames, "frames")
        if not 0 <= a <= b < len(ph.start):
            raise ValueError(f"frames must be (first, last) with 0 <= first <= last <= {len(ph.start) - 1}")
        lo, hi, what = int(ph.start[a]), int(ph.end[b]), f"frames {a}..{b}"
    elif start_ns is not None or end_ns is not None:
        lo = int(start_ns) if start_ns is not None else int(ctx.get_first_time())
        hi = int(end_ns) if end_ns is not None else int(ctx.get_last_time())
        what = f"{lo / 1e9:.3f}-{hi / 1e9:.3f} s"
    elif ph is not None and ph.window() is not None:
        lo, hi = ph.window()  # type: ignore[misc]
        g = ph.gameplay
        what = (
            f"gameplay frames {g[0]}..{g[-1]}"
            if ph.set_name == "Frame"
            else f"frames {g[0]}..{g[-1]} of set {ph.set_name!r}"
        )
    else:
        lo, hi, what = int(ctx.get_first_time()), int(ctx.get_last_time()), WHOLE
    if hi <= lo:
        raise ValueError(f"empty window: start {lo} ns is not before end {hi} ns")
    return lo, hi, what


def _thread_rows(
    ctx: Capture,
    prof: WindowProfile,
    waits: list[WaitZone],
    labels: list[str],
    running: dict[int, CpuTime],
    locked: dict[int, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sl = ctx._srclocs()
    names = [*sl.name, "?"]
    span = prof.hi - prof.lo
    tids = ctx._thread_tids()
    wait_ns = np.zeros(prof.self_ns.shape[0])
    wait_names: dict[int, set[str]] = {}
    for w in waits:
        wait_ns[w.thread_row] += prof.self_ns[w.thread_row, sl.rows_of(sl.names[w.name_idx])].sum()
        wait_names.setdefault(w.thread_row, set()).add(sl.names[w.name_idx])
    busy = prof.busy_ns
    rows: list[dict[str, Any]] = []
    top_rows: list[dict[str, Any]] = []
    for k in range(prof.self_ns.shape[0]):
        if prof.zone_count[k] == 0 and busy[k] <= 0:
            continue
        per_name: dict[str, list[float]] = {}
        for s in np.flatnonzero(prof.self_ns[k] > 0).tolist():
            acc = per_name.setdefault(names[s], [0.0, 0])
            acc[0] += float(prof.self_ns[k, s])
            acc[1] += int(prof.count[k, s])
        ranked = sorted(((n, (v, int(c))) for n, (v, c) in per_name.items()), key=lambda kv: -kv[1][0])
        waiting = wait_names.get(k, set())
        work = [kv for kv in ranked if kv[0] not in waiting]  # the top zone is work, never a wait
        for nm, (v, c) in ranked[:10]:
            top_rows.append(
                {
                    "thread_id": k,
                    "thread": labels[k],
                    "name": nm,
                    "count": c,
                    "self_ns": int(v),
                    "share_of_busy": v / busy[k] if busy[k] > 0 else 0.0,
                    "wait": nm in wait_names.get(k, set()),
                }
            )
        cpu = running.get(k, NO_CPU_TIME)
        run = cpu.running
        lw = min(locked.get(k, 0), int(busy[k] - wait_ns[k]))
        rows.append(
            {
                "thread_id": k,
                "thread": labels[k],
                "tid": int(tids[k]),
                "pool": pool_of(ctx.get_thread_name(int(tids[k]))),
                "zones": int(prof.zone_count[k]),
                "busy_ns": int(busy[k]),
                "waiting_ns": int(wait_ns[k]),
                "lock_wait_ns": lw,
                "working_ns": int(busy[k] - wait_ns[k] - lw),
                "wrapper_ns": int(prof.wrap_ns[k]),
                "running_ns": run,
                "asleep_ns": cpu.asleep,
                "ready_ns": cpu.ready,
                "preempted_ns": cpu.preempted,
                "busy": busy[k] / span,
                "working": (busy[k] - wait_ns[k] - lw) / span,
                "running": run / span if run >= 0 else -1.0,  # -1: not recorded, as running_ns
                "top_zone": work[0][0] if work else "",
                "top_zone_self_ns": int(work[0][1][0]) if work else 0,
                "top_zone_count": work[0][1][1] if work else 0,
                "_ranked": ranked,
                "_work": work,
                "_waits": waiting,
            }
        )
    rows.sort(key=lambda r: -r["working_ns"])
    rank = {r["thread_id"]: i for i, r in enumerate(rows)}
    top_rows.sort(key=lambda r: (rank[r["thread_id"]], -r["self_ns"]))
    return rows, top_rows


@attrs.frozen
class CpuTime:
    """A thread's time inside the window from its context switches: on a CPU, and off it between runs split into
    asleep (until its wakeup), waiting for a core after the wakeup, and preempted (switched out still runnable)."""

    running: int
    asleep: int
    ready: int
    preempted: int


NO_CPU_TIME = CpuTime(-1, -1, -1, -1)  # no usable context switches: unknown, not zero
MARK_MINE = 0.8  # a word in this share of the busiest member's texts...
MARK_OTHERS = 0.05  # ...and at most this share of the other members' marks the work it was given
TEXT_WORD = re.compile(r"[\s?&,;|]+")  # what splits a text into words ("GET /x?shard=3&tenant=a")
SPLIT = 2.0  # a 2x spread in runs (or run length) across a pool's threads is what its imbalance comes from
MIN_FRAMES_PER_RUN = 10  # runs are counted per frame when the window holds this many frames
FRAME_LIKE = 0.1  # a waiting thread's loop whose runs last within this share of the median frame is the frame
PROFILER_CORES = 0.1  # Tracy's threads using this many cores' worth of the window are worth a line
WAITER = 0.25  # a thread waiting for others this share of the window is named in the headline
CPU_LEADS = 0.02  # a thread on a CPU this share of the window, twice the busiest's zone work, leads the headline
OFF_CPU_HEADLINE = 0.5  # on a CPU for less than half of its zone time: the headline says it mostly waited


def _cpu_time(ctx: Capture, lo: int, hi: int) -> dict[int, CpuTime]:
    """Per thread row: CpuTime inside [lo, hi), from context switches (threads that have usable ones)."""

    def within(a: np.ndarray, b: np.ndarray) -> int:  # total length of the intervals [a, b) inside [lo, hi)
        return int(np.maximum(np.minimum(b, hi) - np.maximum(a, lo), 0).sum())

    out = {}
    for k, r in thread_runs(ctx).items():
        s, x = r.start, r.end
        # the gap after each run until the next: asleep until the wakeup, then waiting for a core; all waiting
        # when it was switched out runnable (preempted)
        gap_a, gap_b = x[:-1], np.maximum(s[1:], x[:-1])
        woke = np.clip(r.wakeup[1:], gap_a, gap_b)
        runnable = np.isin(r.state[:-1], RUNNABLE_STATES)
        out[k] = CpuTime(
            running=within(s, x),
            asleep=within(gap_a[~runnable], woke[~runnable]),
            ready=within(woke[~runnable], gap_b[~runnable]),
            preempted=within(gap_a[runnable], gap_b[runnable]),
        )
    return out


def _profiler_and_records(ctx: Capture, lo: int, hi: int, cores: int) -> list[str]:
    """From context switches: the CPU time Tracy's own threads took in the window (when it is a tenth of a core or
    more), and a note when the records double-booked CPUs (see cpu_runs)."""
    span = max(hi - lo, 1)
    labels = ctx._thread_labels()
    mine = {
        labels[k]: int(r.running_between(np.asarray([lo]), np.asarray([hi]))[0])
        for k, r in thread_runs(ctx).items()
        if 0 <= k < len(labels) and labels[k].startswith(PROFILER_THREAD)
    }
    out = []
    used = sum(mine.values())
    if used >= PROFILER_CORES * span:
        on = f" of a {cores}-core machine" if cores else ""
        top = ", ".join(f"{n} {fmt_ns(v)}" for n, v in sorted(mine.items(), key=lambda kv: -kv[1])[:3])
        out.append(
            f"The profiler's own threads ran {fmt_ns(used)} on a CPU in the window ({used / span:.2f} cores' worth"
            f"{on}: {top}), CPU time the program's threads competed for."
        )
    extra = double_booked_ns(ctx)
    if extra > 0.01 * span:
        out.append(
            f"The context-switch records book two threads on one CPU at once for {fmt_ns(extra)} in all (switch-outs "
            "lost on a busy machine): each run is taken to end where the next run on its CPU begins."
        )
    return out


def _pools(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["pool"], []).append(r)
    out = []
    for name, members in by.items():
        if len(members) < 2:
            continue
        w = np.asarray([m["working_ns"] for m in members], dtype=np.float64)
        total = float(w.sum())
        out.append(
            {
                "pool": name,
                "threads": len(members),
                "working_ns": int(total),
                "busiest": members[int(np.argmax(w))]["thread"],
                "busiest_share": float(w.max() / total) if total > 0 else float("nan"),
                "max_over_mean": float(w.max() / w.mean()) if total > 0 else float("nan"),
                "_members": members,
            }
        )
    out.sort(key=lambda p: -(p["max_over_mean"] if p["max_over_mean"] == p["max_over_mean"] else 0.0))
    return out


def _oversubscribed(rows: list[dict[str, Any]], cores: int) -> list[str]:
    """A caveat when, without context switches, the threads' working time adds up to more cores than the machine had:
    part of the wall time inside zones was then time the OS ran something else."""
    if not cores or any(r["running_ns"] >= 0 for r in rows):
        return []
    demand = sum(max(float(r["working"]), 0.0) for r in rows)
    if demand <= cores * 1.05:
        return []
    return [
        f"More work than cores: the threads' working time adds up to {demand:.1f} cores on a {cores}-core machine "
        "(host info), so part of the wall time inside zones is time those threads were not running: preempted, or "
        "asleep inside a zone (I/O, a wait). It shows the zones overlap more than the cores could run, not by itself "
        "a CPU shortage; record context switches to tell which."
    ]


def _off_cpu(ctx: Capture, rows: list[dict[str, Any]], lo: int, hi: int, cores: int) -> list[str]:
    """Where the busiest threads were while inside zones but not on a CPU (from context switches), and the time all
    threads waited for a core."""
    span = hi - lo
    known = [r for r in rows if r["running_ns"] >= 0]
    shown = [r for r in known[:4] if r["busy_ns"] - r["running_ns"] > OFF_CPU * span]
    if not shown:
        return []
    calls = " (the calls they blocked in: ctx.hot_functions(blocked=True))" if len(ctx._switch_samples().time) else ""
    lines = [f"Off a CPU (context switches), of the window{calls}:"]
    for r in shown:
        lines.append(
            f"  {r['thread']}: on a CPU {fmt_pct(r['running_ns'] / span)}; asleep {fmt_pct(r['asleep_ns'] / span)} "
            f"(blocked or sleeping until woken), waiting for a core {fmt_pct(r['ready_ns'] / span)} after waking "
            f"+ {fmt_pct(r['preempted_ns'] / span)} preempted" + _off_cpu_zones(ctx, r["thread_id"], lo, hi)
        )
    queued = sum(r["ready_ns"] + r["preempted_ns"] for r in known)
    if queued > OFF_CPU * span:
        on = f" on a {cores}-core machine (host info)" if cores else ""
        lines.append(
            f"  All threads together waited {fmt_ns(queued)} for a core{on}, {queued / span:.2f} cores' worth of the "
            "window: more runnable threads than cores, so adding threads will not add throughput."
        )
    return lines


def _off_cpu_zones(ctx: Capture, thread_row: int, lo: int, hi: int) -> str:
    """'; off a CPU mostly in <zone> (t), <zone> (t)': the innermost zone open when the thread left the CPU,
    weighted by how long it stayed off (inside the window)."""
    runs = thread_runs(ctx).get(thread_row)
    if runs is None or len(runs.start) < 2:
        return ""
    a = np.maximum(runs.end[:-1], lo)
    b = np.minimum(runs.start[1:], hi)
    keep = b > a
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return ""
    zone = innermost(ctx, runs.end[:-1][keep], np.full(len(a), thread_row, np.int64))
    t, sl = ctx._cpu(), ctx._srclocs()
    inside = zone >= 0
    names = np.full(len(a), -1, np.int64)
    names[inside] = sl.name_idx[t.srcloc[zone[inside]]]
    total = np.bincount(names + 1, weights=b - a)  # index 0: outside every zone
    top = [(int(k) - 1, float(total[k])) for k in np.argsort(-total, kind="stable")[:2] if total[k] > 0]
    calls = blocked_calls_by_zone(ctx, thread_row, lo, hi)
    shown = []
    for k, v in top:
        where = sl.names[k] if k >= 0 else NO_ZONE_LABEL
        call = f", leaving the CPU in {calls[where]}" if where in calls else ""
        shown.append(f"{where} {fmt_ns(v)}{call}")
    return f"; off a CPU mostly in {'; '.join(shown)}"


def _log_on(ctx: Capture, pool: dict[str, Any]) -> list[str]:
    """The program's messages that speak of a pool (its name, its busiest member's top zone): how the program
    says it shares out the work."""
    members = sorted(pool["_members"], key=lambda m: -m["working_ns"])
    about = speaking_of(ctx, [pool["pool"], *(m["top_zone"] for m in members[:1] if m["top_zone"])])
    if not about:
        return []
    return [
        "The program's log on it: "
        + "; ".join(f'"{clip_text(k.text, 120)}" ({k.thread}, x{k.count})' for k in about)
        + "."
    ]


def _active_line(ctx: Capture, pool: dict[str, Any], lo: int, hi: int) -> list[str]:
    """When a pool works in only part of the window (a bake, a load): the span its zones cover, and each member's
    shares of that span rather than of the whole window."""
    t = ctx._cpu()
    db = ctx._db
    if t.n == 0 or not db.has("threads", "zones_begin"):
        return []
    zb, ze = db.col("threads", "zones_begin"), db.col("threads", "zones_end")
    first, last = hi, lo
    for m in pool["_members"]:
        a, b = int(zb[m["thread_id"]]), int(ze[m["thread_id"]])
        if b <= a:
            continue
        st, en = t.start[a:b], np.where(t.valid[a:b], t.end[a:b], hi)
        inside = (en > lo) & (st < hi)
        if inside.any():
            first, last = min(first, int(st[inside].min())), max(last, int(en[inside].max()))
    first, last = max(first, lo), min(last, hi)
    active = last - first
    if active <= 0 or active >= ACTIVE_PART * (hi - lo):
        return []
    members = sorted(pool["_members"], key=lambda m: -m["working_ns"])
    parts = [
        f"{m['thread']} working {fmt_pct(m['working_ns'] / active)}"
        + (f", waiting for locks {fmt_pct(m['lock_wait_ns'] / active)}" if m["lock_wait_ns"] else "")
        + (f", waiting {fmt_pct(m['waiting_ns'] / active)}" if m["waiting_ns"] else "")
        for m in members[:6]
    ]
    return [
        f"Active only {first / 1e9:.3f}-{last / 1e9:.3f} s ({fmt_pct(active / (hi - lo))} of the window); over that "
        f"span: {'; '.join(parts)}."
    ]


def _waiter_then(
    ctx: Capture, waits: list[WaitZone], busiest: str, lo: int, hi: int, saved: float, ph: FramePhases | None
) -> str:
    """'; <thread>'s <unit> (a median X), which waits for it in <wait>, would take about Y': when the thread that
    waits for the pool's busiest member runs a loop of its own (an audio callback, a simulation step) rather than
    the frame, what an even share would make of that loop's runs; '' otherwise."""
    t = ctx._cpu()
    names = ctx._srclocs().names
    for w in waits:
        if w.kind != "waits for other threads" or w.waits_for != busiest:
            continue
        found = unit_of_work(ctx, [w.thread_row], lo, hi, min_runs=MIN_FRAMES_PER_RUN)
        if found is None or found[0] == w.name_idx:
            continue
        unit, runs = found
        med = float(np.median(t.dur[runs]))
        if ph is not None and abs(med - ph.median_ns) <= FRAME_LIKE * ph.median_ns:
            return ""  # the waiting loop is the frame loop: said per frame
        per = saved / len(runs)
        if per >= med:
            continue
        label = ctx._thread_labels()[w.thread_row]
        return (
            f"; {label}'s {names[unit]} (a median {fmt_ns(med)}), which waits for it in {names[w.name_idx]}, would "
            f"take about {fmt_ns(med - per)}"
        )
    return ""


def _unit_lines(
    ctx: Capture, pool: dict[str, Any], lo: int, hi: int, ph: FramePhases | None, waits: list[WaitZone]
) -> list[str]:
    """A pool's unit of work (unit_of_work over its members in [lo, hi)): a saturated pool's capacity, and an
    unbalanced one's zone texts per member."""
    members = sorted(pool["_members"], key=lambda m: -m["working_ns"])
    saturated = bool(members) and all(m["working"] >= SATURATED for m in members)
    unbalanced = len(members) >= 2 and pool["max_over_mean"] >= SPLIT
    if not (saturated or unbalanced):
        return []
    found = unit_of_work(ctx, [m["thread_id"] for m in members], lo, hi)
    if found is None:
        return []
    unit, runs = found
    name = ctx._srclocs().names[unit]
    even = []
    texts = np.asarray(zone_texts(ctx, runs, plain=True), dtype=object) if unbalanced else np.zeros(0, object)
    if unbalanced:  # what sharing the same work out evenly would give the busiest thread
        total = sum(m["working_ns"] for m in members)
        saved = members[0]["working_ns"] - total / len(members)
        nframes = _frames_in(ph, lo, hi)
        less = f"{fmt_ns(saved / nframes)} less per frame" if nframes >= MIN_FRAMES_PER_RUN else f"{fmt_ns(saved)} less"
        share = fmt_pct(total / len(members) / (hi - lo))
        frame_then, waiter_then = "", _waiter_then(ctx, waits, members[0]["thread"], lo, hi, saved, ph)
        if waiter_then:
            frame_then = waiter_then
        elif ph is not None and nframes >= MIN_FRAMES_PER_RUN and ph.median_ns > saved / nframes:
            after = ph.median_ns - saved / nframes  # the frame waits for the pool's busiest thread: it shrinks as much
            frame_then = (
                f"; a frame that waits for it would go from a median {fmt_ns(ph.median_ns)} to about "
                f"{fmt_ns(after)} (before any frame pacing)"
            )
        even = [
            f"Shared out evenly, each of its {len(members)} threads would work {share} of the window instead of "
            f"{members[0]['thread']}'s {fmt_pct(members[0]['working'])}: a thread waiting for the pool would wait "
            f"about {less}{frame_then}.",
            *_one_item(ctx, name, runs, texts, members[0]),
        ]
    return (
        (_capacity(ctx, name, runs, len(members), hi - lo) if saturated else [])
        + (_texts_by_member(ctx, name, runs, texts, members) if unbalanced else [])
        + even
    )


def _one_item(ctx: Capture, unit: str, runs: np.ndarray, texts: np.ndarray, busiest: dict[str, Any]) -> list[str]:
    """When the busiest member runs the same item every time (one zone text of `texts`, the runs' texts, on no
    other member: a track, a shard), an even share would need that item split: moved, it would take as long
    elsewhere."""
    t = ctx._cpu()
    mine = t.owner[runs] == busiest["thread_id"]
    own = runs[mine]
    items = set(texts[mine].tolist())
    if len(own) == 0 or len(items) != 1 or "" in items:
        return []
    item = items.pop()
    if (texts[~mine] == item).any():
        return []
    return [
        f"But {busiest['thread']} runs one item only ({item!r}: {len(own)} runs of {unit}, a median "
        f"{fmt_ns(float(np.median(t.dur[own])))} each): sharing out needs that item split or made cheaper; moved to "
        "another thread it would take as long there."
    ]


def _texts_by_member(
    ctx: Capture, unit: str, runs: np.ndarray, texts: np.ndarray, members: list[dict[str, Any]]
) -> list[str]:
    """The zone texts (an item, a stream, a job id; `texts`, one per run) of the unit of work's runs on the
    busiest and the least busy member: how the work is shared out."""
    if not (texts != "").any():
        return []
    owner = ctx._cpu().owner[runs]
    shown = []
    for m in (members[0], members[-1]):
        vals, first, cnt = np.unique(
            texts[(owner == m["thread_id"]) & (texts != "")], return_index=True, return_counts=True
        )
        if len(vals) == 0:
            continue
        order = np.lexsort((first, -cnt))  # most runs first, then in the order they came
        top = [str(v) for v in vals[order][:4]]
        shown.append(f"{m['thread']} {len(vals)} distinct ({', '.join(top)}{', …' if len(vals) > 4 else ''})")
    if len(shown) < 2:
        return []
    out = [f"Texts of its unit of work {unit}, busiest and least busy: " + "; ".join(shown) + "."]
    mine = owner == members[0]["thread_id"]
    marks = _marks(texts[mine & (texts != "")], texts[~mine & (texts != "")])
    if marks:
        out.append(
            f"What {members[0]['thread']}'s texts have in common and the others' lack (the key the work is given out "
            f"by?): " + ", ".join(marks) + "."
        )
    residue = _one_residue(texts[owner == members[0]["thread_id"]], len(members))
    if residue is not None:
        out.append(
            f"Every number {members[0]['thread']} got is {residue} modulo {len(members)}, the pool's size: work "
            f"given out by number % {len(members)} all lands on one thread when the numbers share a remainder."
        )
    return out


def _marks(mine: np.ndarray, others: np.ndarray) -> list[str]:
    """Words ("shard=3", "tenant=eu-42") in at least MARK_MINE of `mine` and at most MARK_OTHERS of `others`, with
    both shares."""
    if len(mine) == 0 or len(others) == 0:
        return []

    def share(texts: np.ndarray) -> dict[str, float]:
        seen: dict[str, int] = {}
        for x in texts.tolist():
            for w in set(TEXT_WORD.split(str(x))) - {""}:
                seen[w] = seen.get(w, 0) + 1
        return {w: c / len(texts) for w, c in seen.items()}

    a, b = share(mine), share(others)
    found = [(w, x, b.get(w, 0.0)) for w, x in a.items() if x >= MARK_MINE and b.get(w, 0.0) <= MARK_OTHERS]
    found.sort(key=lambda r: (r[2] - r[1], r[0]))
    return [f"{w} ({fmt_pct(x)} of its runs, {fmt_pct(y)} of the others')" for w, x, y in found[:3]]


def _one_residue(texts: np.ndarray, n: int) -> int | None:
    """The remainder modulo `n` that every numeric text shares (at least 4 distinct numbers), else None."""
    nums = set()
    for x in texts.tolist():
        found = NUMBER.findall(str(x))
        if len(found) == 1:  # "42", "stream 406": the one number in the text
            nums.add(int(found[0]))
    if len(nums) < 4 or n < 2:
        return None
    res = {v % n for v in nums}
    return res.pop() if len(res) == 1 else None


def _capacity(ctx: Capture, unit: str, runs: np.ndarray, threads: int, span: int) -> list[str]:
    """A saturated pool's unit of work, how long one takes, and so how many the pool can finish a second against
    how many it did: work offered faster than that queues up."""
    dur = ctx._cpu().dur[runs]
    if len(dur) < 2:
        return []
    mean = float(dur.mean())
    can = threads / (mean / 1e9)
    did = len(dur) / (span / 1e9)
    return [
        f"Its unit of work {unit} takes {fmt_ns(mean)} on average, so its {threads} threads finish at most "
        f"{can:.0f} a second (they finished {did:.0f} a second here): work offered faster than that waits."
    ]


def _summary(
    rows: list[dict[str, Any]],
    pools: list[dict[str, Any]],
    waits: list[WaitZone],
    names: list[str],
    labels: list[str],
    lo: int,
    hi: int,
    ph: FramePhases | None,
    top: int,
    switches: int,
    logs: dict[str, list[str]],
    share: dict[tuple[int, int], float],
    fibered: dict[int, float],  # thread row -> share of the window it ran fibers
    fibers: set[int],  # thread rows that are fibers: no threads to call idle
) -> list[str]:
    span = hi - lo
    frame_txt = f"; median frame {fmt_ns(ph.median_ns)}" if ph is not None and ph.median_ns == ph.median_ns else ""
    # a capture can hold context switches that carry no usable times (quirk of some recording machines)
    why = f"its {switches} context switches carry no valid times" if switches else "no context switches recorded"
    cpu = (
        ""
        if any(r["running_ns"] >= 0 for r in rows)
        else f" Busy and working are wall time inside zones, not CPU time ({why})."
    )
    lines = [f"Window {lo / 1e9:.3f}-{hi / 1e9:.3f} s{frame_txt}; shares below are of the window.{cpu}"]
    locked = sorted((r for r in rows if r["lock_wait_ns"] > 0), key=lambda r: -r["lock_wait_ns"])
    if locked:
        lines.append(
            "Lock waits count as waiting, not working (blocked acquiring a lock inside zones; ctx.lock_contention()): "
            + ", ".join(f"{r['thread']} {fmt_pct(r['lock_wait_ns'] / span)}" for r in locked[:6])
            + (f", ... {len(locked) - 6} more" if len(locked) > 6 else "")
            + "."
        )
    for p in pools:
        members = sorted(p["_members"], key=lambda m: -m["working_ns"])
        if all(int(m["thread_id"]) in fibered for m in members):  # its work is on the fibers' rows
            members = sorted(members, key=lambda m: -fibered[int(m["thread_id"])])
            lines.append(
                f"Pool {p['pool']!r} ({p['threads']} threads) runs jobs as fibers, whose zones are on the fibers' "
                "rows: running fibers "
                + ", ".join(f"{m['thread']} {fmt_pct(fibered[int(m['thread_id'])])}" for m in members)
                + " of the window; its own zones are what it does between them."
            )
            lines.extend(logs.get(p["pool"], []))
            continue
        # a member that waits for locks a quarter of the window is blocked, not idle
        blocked = [m for m in members if m["lock_wait_ns"] >= IDLE * span]
        idle = [
            m["thread"]
            for m in members
            if m["working"] < IDLE and m["lock_wait_ns"] < IDLE * span and int(m["thread_id"]) not in fibers
        ]
        lines.append(
            f"Pool {p['pool']!r} ({p['threads']} threads): working "
            + ", ".join(f"{m['thread']} {fmt_pct(m['working'])}" for m in members)
            + f"; {p['busiest']} does {fmt_pct(p['busiest_share'])} of the pool's work (busiest/mean "
            f"{p['max_over_mean']:.2f}x)"
            + (f"; idle (< {fmt_pct(IDLE)} working): {', '.join(idle)}" if idle else "")
            + (
                "; blocked on locks, not idle (waiting for a lock, share of the window): "
                + ", ".join(f"{m['thread']} {fmt_pct(m['lock_wait_ns'] / span)}" for m in blocked)
                if blocked
                else ""
            )
            + (
                "; saturated: every thread of the pool works all the window, so it cannot take on more (work "
                "offered faster than that waits in front of it)"
                if all(m["working"] >= SATURATED for m in members)
                else ""
            )
            + "."
            + _split_of_top_zone(members, ph, lo, hi)
        )
        lines.extend(logs.get(p["pool"], []))
    for r in rows:
        if r["waiting_ns"] > 0.1 * span:
            wz = [w for w in waits if w.thread_row == r["thread_id"]]
            desc = "; ".join(
                f"{names[w.name_idx]}"
                + (f" {fmt_pct(share[(w.thread_row, w.name_idx)])}" if len(wz) > 1 else "")
                + f" ({w.label}; evidence: {w.evidence})"
                for w in wz
            )
            lines.append(
                f"{r['thread']}: busy {fmt_pct(r['busy'])}, but {fmt_pct(r['waiting_ns'] / span)} of it waits in "
                f"{desc}; working {fmt_pct(r['working'])}."
            )
    wrapped = [r["thread"] for r in rows if r["wrapper_ns"] > 0]
    if wrapped:
        lines.append(
            f"Zones wrapping a whole thread ({', '.join(wrapped[:6])}) are not busy time: only their children count."
        )
    has_run = any(r["running_ns"] >= 0 for r in rows)
    lines.append(
        f"{'thread':<22} {'zones':>8} {'busy':>6} {'wait':>6} {'work':>6}"
        + (f" {'cpu':>6}" if has_run else "")
        + "  top zones by self time"
    )
    for r in rows[:SHOWN]:
        tops = ", ".join(
            f"{nm} {fmt_ns(v)} ({c}x{', wait' if nm in r['_waits'] else ''})" for nm, (v, c) in r["_ranked"][:top]
        )
        run = ""
        if has_run:
            run = f" {fmt_pct(r['running']) if r['running_ns'] >= 0 else '-':>6}"
        lines.append(
            f"{r['thread'][:22]:<22} {r['zones']:>8} {fmt_pct(r['busy']):>6} "
            f"{fmt_pct((r['waiting_ns'] + r['lock_wait_ns']) / span):>6} "
            f"{fmt_pct(r['working']):>6}{run}  {tops}"
        )
    if len(rows) > SHOWN:
        lines.append(f"  ... {len(rows) - SHOWN} more threads in .table")
    if has_run:
        lines.append("cpu = time running on a CPU (context switches); busy/work count zone time even when descheduled.")
    return lines
