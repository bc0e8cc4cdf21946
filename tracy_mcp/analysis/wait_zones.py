"""Zones whose time is not work, recognised from timing and structure (names only as a last resort, below).

- Wrappers: zones with children that last at least half of their thread's recorded activity (a Python client's
  thread function, a `main` zone). The gaps between their children are not work.
- "paces the frame": about one run per gameplay frame that ends on the frame grid while its start moves with the
  work before it (the spread of its end, relative to the frame start, is at most half of its start's), and it
  ends at the frame boundary: a vsync / frame-limiter sleep.
- "waits for other threads": mostly self time, and in at least 90 % of its runs it ends right after a unit of
  work on another thread ends (50 µs, else 200 µs or 1 ms: a busy machine wakes late), at least 3 times as often
  as a random instant inside it (its midpoint, the control), which does so in at most 25 % (with many threads
  working, at least 95 % within 50 µs and twice the control, at most 50 %), and 3 times as often
  as another thread's work ends right after it (work in lockstep with other threads ends beside theirs on both
  sides; a wait only after them).
- A zone run too few times for those rates (a join at the end of a phase: once, or a handful of times), mostly self
  time, 1 % of the window: each run ends right after another thread's unit of work ends, and the chance of that
  (the other threads' rate of ends inside the runs, times the wake-up delay) multiplied over its runs is under
  FEW_RUNS_CHANCE.
- Names count only as a last resort: a zone named as a sleep or a wait off the main thread (Worker::Sleep on
  "Worker 2", Streaming::WaitForRequest), all its own time and a real part of the thread's, is a wait where the
  tests above found nothing (a timed sleep ends on its timeout as often as on a wake-up).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.cpu_runs import Runs, fiber_rows, thread_runs, time_split
from tracy_mcp.analysis.fibers import FiberRuns, fiber_runs
from tracy_mcp.analysis.formatting import pool_of
from tracy_mcp.analysis.frame_phases import frame_phases

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.frame_phases import FramePhases
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
# a waiter wakes this soon after the work it waits for ends (tightest first: an idle machine wakes a waiter in
# 10-20 µs, where the other threads' ends seldom fall by chance; a busy one later)
WAKE_EPS_NS = (20_000, 30_000, 50_000, 200_000, 1_000_000)
WAKE_EPS_SHARE = 0.2  # ...at most this share of the candidate's median run
WAITED_EPS_NS = (200_000, 1_000_000, 2_000_000)  # a run that waited for work ends this soon after it does...
WAITED_SHARE = 0.8  # ...in this share of the runs (work_waited_for),
WAITED_CONTROL = 0.1  # ...while their midpoints fall that close after it at most this often
ONE_JOB = 0.8  # one zone name ending last before this share of a wait's runs, on no one thread: that job is waited for
CROWDED_EPS_NS = 50_000  # the wake-up delays at which a pool's dense ends still tell a wait (see _find)
MIN_RUNS = 10
ONE_THREAD_EPS_NS = (50_000, 200_000, 500_000, 1_000_000)  # wake-up delays for one thread's ends at a time...
ONE_THREAD_SHARE = 0.4  # ...at most this share of the candidate's median run
WAITED_RUN_NS = 100_000  # runs of a candidate wait shorter than this found the other thread done: left out...
WAITED_RUNS_SHARE = 0.1  # ...when the rest are this share of its runs or more
WAIT_NAMED = re.compile(r"(Poll|Wait|Sleep|Idle|Select|Epoll|Spin)[A-Za-z]*$")  # the function part of a zone name...
MAIN_THREAD = "Main thread"  # the name Tracy's client gives the program's main thread
SLEEP_NAMED = re.compile(r"(Wait|Sleep|Idle)[A-Za-z]*$")  # a zone named as a sleep (not a poll: polls do work)...
SLEEP_SELF = 0.9  # ...that is this share its own time...
SLEEP_WINDOW = 0.05  # ...and this share of the window (summed over its runs on the thread): a wait by its name
WAIT_NAMED_SHARE = 0.3  # ...is passed over as a unit of work for one with this share of its time
UNIT_MIN_RUNS = 30  # runs of a zone that make it a unit of work to stand in for frames
PYTHON_BLOCKING = {  # (file, zone name) of the standard library's calls that block until another thread acts
    ("threading.py", name)
    for name in ("Condition.wait", "Event.wait", "Thread.join", "Semaphore.acquire", "Barrier.wait")
} | {("queue.py", "Queue.get"), ("queue.py", "Queue.put"), ("_base.py", "Future.result"), ("_base.py", "wait")}
PASSES = 3  # scans for waits, each without the waits found before
TASK_THREADS = 8  # threads each running one zone of a name, so many: a thread per task, not a pool...
TASK_LIFE = 0.25  # ...living a median of under this share of the capture
LOCKSTEP_MIN_NS = 50_000  # other threads' units of work shorter than this are hand-offs, not work in lockstep
FEW_RUNS_CHANCE = 0.01  # a join seen a few times only: how unlikely its runs' endings must be by chance
SAMPLE = 1000  # runs checked per candidate zone
PACES = "paces the frame"  # ends on the frame grid, absorbing the work before it (vsync, a limiter)
GPU = "waits for the GPU"
ASLEEP = "sleeps"  # its thread was asleep (context switches) most of the zone's time: it waits, whatever for
ASLEEP_SHARE = 0.8  # ...this share of its runs' time
FIBER_WORK = "waits for work"  # a fiber-running worker between jobs: it ends as the next fiber starts on its thread
FIBER_START_NS = 200_000  # ...this soon after
IDLE = "waits for input"  # an event loop's wait at the start of each frame: the user, not the program, sets it
IDLE_START_NS = 200_000  # ...it opens this soon after a frame starts,
IDLE_SPREAD = 10.0  # ...and its longest run is this many times its median (a pause of the user's)
IDLE_SPREAD_NAMED = 3.0  # ...or this many, for a zone named as a wait (App::WaitEvents)
IDLE_SHARE_NAMED = 0.5  # ...whose median run is this share of the median frame or more
GPU_WAIT_MIN_NS = 100_000  # runs shorter than this did not wait (the GPU was done already): left out of the test
# a wait's length varies with when it began while its end keeps close to the GPU's: the spread (IQR) of its lengths
# is this many times that of its delays after the GPU's ends at least (a zone of steady length that happens to end
# after a GPU pass, each frame on the same schedule, is work)
GPU_WAIT_SPREAD = 2.0


@attrs.frozen
class WaitZone:
    thread_row: int
    name_idx: int  # index into the capture's zone names
    kind: str  # "paces the frame" | "waits for other threads"
    evidence: str
    waits_for: str = ""  # the thread whose work most often ended just before a wait for other threads ended
    waits_for_work: str = ""  # the one job (zone name) that ends last before it, whichever thread runs it
    evidence_by_thread: str = ""  # the evidence naming the thread rather than that job (when the job is a wait)

    @property
    def label(self) -> str:
        """What the zone is, in plain words, to put before the evidence."""
        return kind_words(self.kind) if self.kind != "waits for other threads" else "a wait for another thread"


def kind_words(kind: str) -> str:
    """A wait zone's kind in plain words: "the frame-pacing wait", "a wait for the GPU", "a wait for other
    threads"."""
    return {
        PACES: "the frame-pacing wait",
        GPU: "a wait for the GPU",
        IDLE: "a wait for input",
        FIBER_WORK: "a wait for work (a job's fiber to run)",
        ASLEEP: "a wait off the CPU (its thread asleep)",
    }.get(kind, "a wait for other threads")


def wrapper_rows(ctx: Capture) -> np.ndarray:
    """Zone rows that wrap their thread: they have children and last at least half of the thread's zone span.
    Zones that long all contain the span's midpoint, so they are found on the chain of zones open there. A thread
    started for one task (task_threads) has no wrapper: its one zone is the task."""

    def build() -> np.ndarray:
        t = ctx._cpu()
        db = ctx._db
        if t.n == 0 or not db.has("threads", "zones_begin"):
            return np.zeros(0, I64)
        out: list[int] = []
        zb = db.col("threads", "zones_begin").tolist()
        ze = db.col("threads", "zones_end").tolist()
        tasks = task_threads(ctx)
        for k, (a, z) in enumerate(zip(zb, ze, strict=False)):
            if z <= a or k in tasks:
                continue
            st = t.start[a:z]
            roots = a + np.flatnonzero(t.depth[a:z] == 0)
            ends = t.end[roots]
            lo, hi = int(st[0]), int(ends.max()) if len(ends) else int(st[-1])
            span = hi - lo
            if span <= 0:
                continue
            r = a + int(np.searchsorted(st, lo + span // 2, "right")) - 1
            while r >= 0:
                e = int(t.end[r])
                if e >= 0 and 2 * (e - int(t.start[r])) >= span and int(t.subtree_end[r]) > r + 1:
                    out.append(r)
                r = int(t.parent[r])
        return np.asarray(sorted(out), I64)

    return ctx._db.cached("wrapper_rows", build)


def task_threads(ctx: Capture) -> set[int]:
    """Thread rows started for one task each (a thread per job, not a pool): each runs one top-level zone, of a
    name at least TASK_THREADS threads run that way, and they live a median of under TASK_LIFE of the capture."""

    def build() -> set[int]:
        t, db = ctx._cpu(), ctx._db
        if t.n == 0 or not db.has("threads", "zones_begin"):
            return set()
        zb = db.col("threads", "zones_begin").tolist()
        ze = db.col("threads", "zones_end").tolist()
        name_of = ctx._srclocs().name_idx
        lone: dict[int, list[tuple[int, int]]] = {}  # root name -> (thread, its root's length)
        for k, (a, z) in enumerate(zip(zb, ze, strict=False)):
            if z <= a or int(t.srcloc[a]) >= len(name_of):  # no zones, or a root of no known source location
                continue
            if int(t.subtree_end[a]) == z and t.end[a] >= 0:  # one root zone holds all of it
                lone.setdefault(int(name_of[t.srcloc[a]]), []).append((k, int(t.end[a] - t.start[a])))
        span = max(int(t.end.max() - t.start.min()), 1)
        out: set[int] = set()
        for runs in lone.values():
            if len(runs) >= TASK_THREADS and float(np.median([d for _, d in runs])) < TASK_LIFE * span:
                out.update(k for k, _ in runs)
        return out

    return ctx._db.cached("task_threads", build)


def wrapper_mask(ctx: Capture) -> np.ndarray:
    """wrapper_rows as a mask over the zone rows."""

    def build() -> np.ndarray:
        m = np.zeros(ctx._cpu().n, bool)
        m[wrapper_rows(ctx)] = True
        return m

    return ctx._db.cached("wrapper_mask", build)


def top_work(ctx: Capture) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per thread row: (starts, ends, zone rows) of its top-level units of work (roots, or children of wrappers) in
    time order (they do not overlap, so starts and ends are both sorted). Zones without an end are left out."""

    def build() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        t = ctx._cpu()
        db = ctx._db
        nthreads = db.rows("threads")
        empty = np.zeros(0, I64)
        out = [(empty, empty, empty) for _ in range(nthreads)]
        if t.n == 0 or not db.has("threads", "zones_begin"):
            return out
        zb = db.col("threads", "zones_begin").tolist()
        ze = db.col("threads", "zones_end").tolist()
        wr = wrapper_rows(ctx)
        for k in range(min(nthreads, len(zb))):
            a, z = int(zb[k]), int(ze[k])
            if z <= a:
                continue
            parts = [a + np.flatnonzero(t.depth[a:z] == 0)]
            for w in wr[(wr >= a) & (wr < z)].tolist():
                b = int(t.subtree_end[w])
                parts.append(w + 1 + np.flatnonzero(t.parent[w + 1 : b] == w))
            rows = np.setdiff1d(np.concatenate(parts), wr)
            rows = rows[t.end[rows] >= 0]
            rows = rows[np.argsort(t.end[rows], kind="stable")]
            out[k] = (np.sort(t.start[rows]), t.end[rows], rows)
        return out

    return ctx._db.cached("top_work", build)


def unit_name(ctx: Capture) -> str | None:
    """The zone name of the capture's repeated unit of work over all threads (a request, a compile job), None when
    it has none: what stands in for frames in a capture without them."""
    found = unit_of_work(ctx, list(range(ctx._db.rows("threads"))), min_runs=UNIT_MIN_RUNS)
    return None if found is None else str(ctx._srclocs().names[found[0]])


def unit_of_work(
    ctx: Capture,
    threads: list[int],
    lo: int | None = None,
    hi: int | None = None,
    min_runs: int = 2,
    name: str | None = None,
) -> tuple[int, np.ndarray] | None:
    """(zone name index, its outermost runs in time order): the threads' repeated unit of work, the zone name with
    at least `min_runs` runs (inside [lo, hi)) holding the most time there, outside zones that wrap a thread. A
    parent holds at least its children's time, so the outermost repeated zone wins (a job, a chunk, an item).
    `name`: that zone name's runs instead (a server's writes beside its reads)."""
    t = ctx._cpu()
    if t.n == 0:
        return None
    keep = np.isin(t.owner, threads) & t.valid & ~wrapper_mask(ctx)
    if lo is not None:
        keep &= t.start >= lo
    if hi is not None:
        keep &= t.end <= hi
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return None
    sl = ctx._srclocs()
    names = sl.name_idx[t.srcloc[rows]]
    if name is not None:  # only that name's runs compete
        srcs = sl.rows_of(name)
        sel = names == sl.name_idx[srcs[0]] if len(srcs) else np.zeros(len(rows), bool)
        rows, names = rows[sel], names[sel]
        if len(rows) == 0:
            return None
    total = np.bincount(names, weights=t.dur[rows])
    total[np.bincount(names, minlength=len(total)) < min_runs] = 0
    if total.max() <= 0:
        return None
    if name is None:  # a zone its threads sleep through (a blocking pop, a condition wait) is no unit of work
        for _ in range(3):
            best = int(np.argmax(total))
            if total[best] <= 0 or not _slept_through(ctx, rows[names == best]):
                break
            total[best] = 0
        if total.max() <= 0:
            return None
    best = int(np.argmax(total))
    if name is None and WAIT_NAMED.search(str(sl.names[best])):
        # a zone named like a wait (an event loop's Loop::Poll) holds time without being work: another repeated
        # zone with a fair share of that time is the unit of work instead
        other = total.copy()
        for i in np.flatnonzero(other > 0).tolist():
            if WAIT_NAMED.search(str(sl.names[i])):
                other[i] = 0
        if other.max() >= WAIT_NAMED_SHARE * total[best]:
            best = int(np.argmax(other))
    runs = rows[names == best]
    runs = runs[t.depth[runs] == t.depth[runs].min()]  # the outermost runs: nested ones would count twice
    return best, runs[np.argsort(t.start[runs], kind="stable")]


def _slept_through(ctx: Capture, rows: np.ndarray) -> bool:
    """With context switches: the runs' threads were asleep ASLEEP_SHARE of the runs' time (an even sample)."""
    if not len(rows) or not thread_runs(ctx):
        return False
    pick = rows if len(rows) <= SAMPLE else rows[np.linspace(0, len(rows) - 1, SAMPLE).astype(I64)]
    split = time_split(ctx, pick)
    return split is not None and split[1] >= ASLEEP_SHARE * max(sum(split), 1.0)


def wait_zones(ctx: Capture, lo: int, hi: int, phases: FramePhases | None) -> list[WaitZone]:
    """The wait zones among the zones inside [lo, hi) (see the module doc); `phases` enables the frame-pacing
    test."""
    key = ("wait_zones", int(lo), int(hi), None if phases is None else (phases.set_name, phases.threshold_ns))
    return ctx._db.cached(key, lambda: _find(ctx, int(lo), int(hi), phases))


def frame_waits(ctx: Capture, lo: int, hi: int, phases: FramePhases | None) -> list[WaitZone]:
    """wait_zones over [lo, hi); over another frame set's frames (an audio callback's), also the main frames' own
    waits (their vsync): they pace no frame of that set, but are no work in it either."""
    found = {(w.thread_row, w.name_idx): w for w in wait_zones(ctx, lo, hi, phases)}
    if phases is not None and phases.set_name != "Frame":
        base = frame_phases(ctx)
        win = base.window() if base is not None and len(base.gameplay) else None
        if win is not None:
            for w in wait_zones(ctx, *win, base):
                found.setdefault((w.thread_row, w.name_idx), w)
    return list(found.values())


def wait_names(ctx: Capture) -> dict[str, str]:
    """{zone name: kind} of the zones that wait rather than work, over the gameplay frames (the whole capture
    without frames)."""
    if ctx._cpu().n == 0:
        return {}
    ph = frame_phases(ctx)
    win = ph.window() if ph is not None else None
    if win is None:
        win = (int(ctx.get_first_time()), int(ctx.get_last_time()) + 1)
    names = ctx._srclocs().names
    return {names[w.name_idx]: w.kind for w in wait_zones(ctx, *win, ph)}


def _find(ctx: Capture, lo: int, hi: int, phases: FramePhases | None) -> list[WaitZone]:
    """Up to PASSES passes: the waits found so far are left out of the other threads' work in the second, so that a
    chain of waits that wake one after another (a pipeline's queues) neither reads as work in lockstep nor as the
    work waited for."""
    found = {(w.thread_row, w.name_idx): w for w in _scan(ctx, lo, hi, phases, top_work(ctx))}
    left_out: set[tuple[int, int]] = set()
    for _ in range(PASSES - 1):  # each pass may find the next wait of a chain
        waits = {key for key, w in found.items() if w.kind == "waits for other threads"}
        if waits == left_out:
            break
        left_out = waits
        found.update({(w.thread_row, w.name_idx): w for w in _scan(ctx, lo, hi, phases, _without(ctx, waits))})
    # then the steps of the units: a hand-over in the middle of another thread's unit of work
    waits = {key for key, w in found.items() if w.kind == "waits for other threads"}
    for w in _scan(ctx, lo, hi, phases, _without(ctx, waits, inner_work(ctx))):
        found.setdefault((w.thread_row, w.name_idx), w)
    for w in _python_blocking(ctx, lo, hi):  # the standard library's blocking calls: known waits by their source
        found.setdefault((w.thread_row, w.name_idx), w)
    for w in _same_wait_elsewhere(ctx, found, lo, hi):
        found.setdefault((w.thread_row, w.name_idx), w)
    for w in _named_sleeps(ctx, found, lo, hi):
        found.setdefault((w.thread_row, w.name_idx), w)
    # a wait is never the one job another wait is for (a queue's pops, waiting on every thread in turn)
    names = ctx._srclocs().names
    waited = {str(names[w.name_idx]) for w in found.values()}
    return [
        attrs.evolve(w, waits_for_work="", evidence=w.evidence_by_thread) if w.waits_for_work in waited else w
        for w in found.values()
    ]


def _named_sleeps(ctx: Capture, found: dict[tuple[int, int], WaitZone], lo: int, hi: int) -> list[WaitZone]:
    """A zone named as a sleep or a wait (Worker::Sleep, Streaming::WaitForRequest) on a thread other than the main
    one, its own time only (no zones inside it) and a real part of its thread's time, where the timing tests found
    nothing: a condition variable with a timeout ends on the timeout as often as on the wake-up, so its ends do not
    follow other threads' work. Its name is the evidence: a zone that only sleeps is no work."""
    t, sl = ctx._cpu(), ctx._srclocs()
    if t.n == 0:
        return []
    selft = ctx.self_time_array()
    labels = ctx._thread_labels()
    out: list[WaitZone] = []
    for name_idx, name in enumerate(sl.names):
        if not SLEEP_NAMED.search(str(name)):
            continue
        rows = t.stat_rows(sl.rows_of(str(name)))
        rows = rows[t.valid[rows] & (t.start[rows] >= lo) & (t.end[rows] <= hi)]
        if len(rows) < MIN_RUNS:
            continue
        owners = t.owner[rows].astype(I64)
        for k in np.unique(owners).tolist():
            mine = rows[owners == k]
            # a worker, streamer or mixer sleeping between its jobs; the main thread's waits are judged by what they
            # wait for (slow_frames follows them to the work)
            if (k, name_idx) in found or len(mine) < MIN_RUNS or labels[k] == MAIN_THREAD:
                continue
            own, total = float(selft[mine].sum()), float(t.dur[mine].sum())
            if total <= 0 or own < SLEEP_SELF * total or own < SLEEP_WINDOW * (hi - lo):
                continue
            out.append(
                WaitZone(
                    int(k),
                    name_idx,
                    "waits for other threads",
                    f"named as a sleep or wait, and {own / total:.0%} of its time is its own (no zones inside): "
                    "its thread waits there",
                )
            )
    return out


def _same_wait_elsewhere(ctx: Capture, found: dict[tuple[int, int], WaitZone], lo: int, hi: int) -> list[WaitZone]:
    """A zone named as a wait (JobSystem::WaitForWork) that waits for other threads on one thread of a pool waits on
    its siblings (the pool's other threads: one name with another number) too, where the timing test missed it
    (woken in the middle of another thread's zone, not at an end of one): the same code, the same role."""
    t, sl = ctx._cpu(), ctx._srclocs()
    labels = ctx._thread_labels()
    selft = ctx.self_time_array()
    out: list[WaitZone] = []
    done: set[int] = set()
    for (k, name_idx), w in list(found.items()):
        if w.kind != "waits for other threads" or name_idx in done or not WAIT_NAMED.search(str(sl.names[name_idx])):
            continue
        done.add(name_idx)
        rows = t.stat_rows(sl.rows_of(str(sl.names[name_idx])))
        rows = rows[t.valid[rows] & (t.start[rows] >= lo) & (t.end[rows] <= hi)]
        owners = t.owner[rows]
        pool = pool_of(labels[k])
        for k2 in np.unique(owners).tolist():
            mine = owners == k2
            if (k2, name_idx) in found or pool_of(labels[k2]) != pool or pool == labels[k]:
                continue
            if selft[rows[mine]].sum() < 0.01 * (hi - lo):
                continue
            out.append(
                WaitZone(
                    int(k2),
                    name_idx,
                    "waits for other threads",
                    f"named as a wait, and the same zone waits for other threads on {labels[k]} ({w.evidence})",
                )
            )
    return out


def _python_blocking(ctx: Capture, lo: int, hi: int) -> list[WaitZone]:
    """Zones of Python's own blocking calls (threading's Condition.wait, queue's Queue.get, ...; a Python client
    records every function) that hold their time themselves, 1 % of the window or more per thread. They block in
    C until another thread acts; behind the interpreter lock the waiter wakes too late for the timing tests."""
    t, sl = ctx._cpu(), ctx._srclocs()
    out: list[WaitZone] = []
    for r in range(len(sl)):
        where = (os.path.basename(str(sl.file[r])), str(sl.name[r]))
        if where not in PYTHON_BLOCKING:
            continue
        rows = t.stat_rows(np.asarray([r]))
        rows = rows[t.valid[rows] & (t.start[rows] >= lo) & (t.end[rows] <= hi)]
        if len(rows) == 0:
            continue
        selft = ctx.self_time_array()[rows]
        for k in np.unique(t.owner[rows]).tolist():
            mine = t.owner[rows] == k
            if selft[mine].sum() < 0.8 * t.dur[rows[mine]].sum() or selft[mine].sum() < 0.01 * (hi - lo):
                continue
            out.append(
                WaitZone(
                    int(k),
                    int(sl.name_idx[r]),
                    "waits for other threads",
                    f"a blocking call of Python's standard library ({where[0]}): it returns when another thread acts",
                )
            )
    return out


def inner_work(ctx: Capture) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per thread row, as top_work: the steps of its units of work (their direct children). A thread that hands
    work over in the middle of its unit (a main thread that passes the command lists on, then presents) wakes the
    waiting thread at the end of a step, not of the unit."""

    def build() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        t = ctx._cpu()
        work = top_work(ctx)
        empty = np.zeros(0, I64)
        if t.n == 0 or not any(len(units) for _st, _en, units in work):
            return [(empty, empty, empty) for _ in work]
        # one pass over the parent column for all threads (a capture can have thousands of threads, millions of
        # units): a thread's zones are one row range, so its units' children are the flagged rows in that range
        is_unit = np.zeros(t.n, bool)
        for _st, _en, units in work:
            is_unit[units] = True
        parent = t.parent
        kids = np.flatnonzero((parent >= 0) & is_unit[np.maximum(parent, 0)])
        kids = kids[t.end[kids] >= 0]
        zb = ctx._db.col("threads", "zones_begin")
        ze = ctx._db.col("threads", "zones_end")
        out = []
        for k in range(len(work)):
            lo, hi = np.searchsorted(kids, [int(zb[k]), int(ze[k])]) if k < len(zb) else (0, 0)
            rows = kids[lo:hi]
            rows = rows[np.argsort(t.end[rows], kind="stable")]
            out.append((np.sort(t.start[rows]), t.end[rows], rows))
        return out

    return ctx._db.cached("inner_work", build)


def _without(
    ctx: Capture, waits: set[tuple[int, int]], work: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """top_work (or `work`) without the runs of the given (thread row, zone name) waits."""
    t, sl = ctx._cpu(), ctx._srclocs()
    out = []
    for k, (st, en, rows) in enumerate(top_work(ctx) if work is None else work):
        mine = [n for (th, n) in waits if th == k]
        if mine and len(rows):
            keep = ~np.isin(sl.name_idx[t.srcloc[rows]], mine)
            rows, en = rows[keep], en[keep]
            st = np.sort(t.start[rows])
        out.append((st, en, rows))
    return out


def _scan(
    ctx: Capture,
    lo: int,
    hi: int,
    phases: FramePhases | None,
    work: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> list[WaitZone]:
    t = ctx._cpu()
    sl = ctx._srclocs()
    if t.n == 0 or len(sl) == 0:
        return []
    span = max(hi - lo, 1)
    st = t.srcloc_stats()
    # source locations that can hold a wait: long zones (mean 25 µs+ overall) adding up to 1 % of the window
    cand = np.flatnonzero((st.total >= 0.01 * span) & (st.total >= 25_000 * st.count))
    if len(cand) == 0:
        return []
    selft = ctx.self_time_array()
    wr = wrapper_rows(ctx)
    gs = ge = np.zeros(0, I64)
    if phases is not None:
        g = phases.gameplay
        gs, ge = phases.start[g], phases.end[g]
    ends: list[np.ndarray] | None = None
    long_ends: list[np.ndarray] = []
    fibers = fiber_runs(ctx)
    cpu = thread_runs(ctx)
    is_fiber = fiber_rows(ctx)  # a fiber's records say when it ran on a worker, not when it slept
    found: dict[tuple[int, int], WaitZone] = {}
    for s in cand.tolist():
        rows = t.stat_rows(np.asarray([s]))
        rows = rows[(t.start[rows] >= lo) & (t.end[rows] <= hi)]
        rows = rows[~np.isin(rows, wr)]
        own = t.owner[rows]
        for k in np.unique(own).tolist():
            rk = np.sort(rows[own == k])
            name_idx = int(sl.name_idx[s])
            d = t.dur[rk]
            sf = selft[rk]
            # mostly self time, 1 % of the window, runs of 50 µs or more on average
            if (k, name_idx) in found or sf.sum() < 0.8 * d.sum():
                continue
            if sf.sum() < 0.01 * span or d.mean() < 50_000:
                continue
            if ends is None:
                ends = [e for _, e, _ in work]
                # lockstep is told by other work ending right after: a hand-off of a few µs (a queue push or pop
                # that did not block) is no work of its own
                long_ends = [e[(e - t.start[r]) >= LOCKSTEP_MIN_NS] for _, e, r in work]
            if len(rk) < MIN_RUNS:
                joined = joined_work(ctx, k, t.start[rk], t.end[rk], work)
                if joined:
                    found[(k, name_idx)] = WaitZone(
                        k, name_idx, "waits for other threads", joined.evidence, joined.thread
                    )
                continue
            why = _paces(t, rk, gs, ge) if phases is not None else None
            if why:
                found[(k, name_idx)] = WaitZone(k, name_idx, PACES, why)
                continue
            named = bool(WAIT_NAMED.search(str(ctx._srclocs().names[name_idx])))
            idle = _idles(t, rk, gs, named) if phases is not None else None
            if idle:
                found[(k, name_idx)] = WaitZone(k, name_idx, IDLE, idle)
                continue
            gpu = _waits_for_gpu(ctx, rk)
            if gpu is not None:
                found[(k, name_idx)] = gpu
                continue
            between = _between_fibers(t, rk, fibers.get(k))
            if between:
                found[(k, name_idx)] = WaitZone(k, name_idx, FIBER_WORK, between)
                continue
            asleep = None if is_fiber[k] else _asleep(cpu.get(k), t.start[rk], t.end[rk])
            if asleep:
                found[(k, name_idx)] = WaitZone(k, name_idx, ASLEEP, asleep)
                continue
            # a wait that mostly found the other thread done already (the render thread ahead in town, behind in
            # the forest) is told by the runs that did wait
            waited = rk[t.dur[rk] >= WAITED_RUN_NS]
            rk_test = waited if MIN_RUNS <= len(waited) < len(rk) and len(waited) >= WAITED_RUNS_SHARE * len(rk) else rk
            pick = rk_test if len(rk_test) <= SAMPLE else rk_test[np.linspace(0, len(rk_test) - 1, SAMPLE).astype(I64)]
            e = t.end[pick]
            mid = t.start[pick] + (e - t.start[pick]) // 2
            last_of, before, _ = _other_ends(ends, k, e)
            after = _other_ends(long_ends, k, e)[2]
            before_mid = _other_ends(ends, k, mid)[1]
            typical = float(np.median(t.dur[pick]))
            hit = False
            for eps in WAKE_EPS_NS:  # the tightest wake-up delay that shows it (a busy machine wakes late)
                if eps > WAKE_EPS_SHARE * typical:  # a delay a fair part of the run itself: work in a pipeline's
                    break  # lockstep ends that close to the other thread's by its phase, not by waiting
                f_end = float((before <= eps).mean())
                f_mid = float((before_mid <= eps).mean())
                # work in lockstep with other threads ends next to theirs on both sides; a wait ends after them
                f_next = float((after <= eps).mean())
                usual = f_end >= 0.9 and f_mid <= 0.25 and f_end >= 3 * max(f_mid, f_next)
                # many other threads' work ends at all times (a pool of eight): the control is high, but a wait
                # still ends within the tightest delay after theirs almost every time
                crowded = eps <= CROWDED_EPS_NS and f_end >= 0.95 and f_mid <= 0.5 and f_end >= 2 * max(f_mid, f_next)
                if usual or crowded:
                    last, share = _last_to_finish(ctx, last_of, before, eps)
                    job, work_share = _last_work(ctx, last_of, before, eps, e, work)
                    one_job = bool(job) and work_share >= ONE_JOB and share < ONE_JOB  # a job, on any thread
                    base = (
                        f"{f_end:.0%} of its runs end within {eps // 1000} µs after a zone on another thread ends "
                        f"(chance baseline, the midpoints of its runs: {f_mid:.0%})"
                    )
                    by_thread = base + (
                        f"; the work ending last before it: mostly {last}'s ({share:.0%} of them)" if last else ""
                    )
                    found[(k, name_idx)] = WaitZone(
                        k,
                        name_idx,
                        "waits for other threads",
                        base
                        + f"; the work ending last before it: {job} ({work_share:.0%} of them), on whichever thread "
                        f"ran it (mostly {last}'s: {share:.0%})"
                        if one_job
                        else by_thread,
                        waits_for=last,
                        waits_for_work=job if one_job else "",
                        evidence_by_thread=by_thread,
                    )
                    hit = True
                    break
            if not hit and named:  # a busy pool's ends everywhere hide a wait by name: one thread's ends at a time
                one = _one_thread(ends, long_ends, k, e, mid, typical)
                if one is not None:
                    k2, eps, f_end, f_mid = one
                    label = ctx._thread_labels()[k2]
                    evidence = (
                        f"{f_end:.0%} of its runs end within {eps // 1000} µs after a zone on {label} ends (chance "
                        f"baseline, the midpoints of its runs: {f_mid:.0%})"
                    )
                    found[(k, name_idx)] = WaitZone(
                        k, name_idx, "waits for other threads", evidence, waits_for=label, evidence_by_thread=evidence
                    )
    return list(found.values())


def _one_thread(
    ends: list[np.ndarray], long_ends: list[np.ndarray], own: int, e: np.ndarray, mid: np.ndarray, typical: float
) -> tuple[int, int, float, float] | None:
    """(thread, delay, share of runs, chance share) for the one other thread whose units of work end just before the
    runs `e` end, at the tightest delay that shows it (ONE_THREAD_EPS_NS, at most ONE_THREAD_SHARE of the run):
    a wait on a machine loaded enough to wake it late, beside a pool whose ends fall everywhere."""
    best: tuple[int, int, float, float] | None = None
    for eps in ONE_THREAD_EPS_NS:
        if eps > ONE_THREAD_SHARE * typical:
            break
        for k2, e2 in enumerate(ends):
            if k2 == own or len(e2) == 0:
                continue
            j = np.searchsorted(e2, e, "right") - 1
            f_end = float(((j >= 0) & (e - e2[np.maximum(j, 0)] <= eps)).mean())
            jm = np.searchsorted(e2, mid, "right") - 1
            f_mid = float(((jm >= 0) & (mid - e2[np.maximum(jm, 0)] <= eps)).mean())
            le = long_ends[k2]
            nxt = np.searchsorted(le, e, "left")
            f_next = (
                float(((nxt < len(le)) & (le[np.minimum(nxt, max(len(le) - 1, 0))] - e <= eps)).mean())
                if len(le)
                else 0.0
            )
            if f_end >= 0.9 and f_mid <= 0.25 and f_end >= 3 * max(f_mid, f_next) and (best is None or f_end > best[2]):
                best = (k2, eps, f_end, f_mid)
        if best is not None:
            return best
    return None


def _waits_for_gpu(ctx: Capture, rk: np.ndarray) -> WaitZone | None:
    """A zone whose runs (those over GPU_WAIT_MIN_NS) end right after a GPU zone ends, far more often than their
    midpoints do: the CPU waiting for the GPU (a fence, a present), named with the GPU zone that ends last before
    it most often."""
    g = ctx._gpu()
    if g.n == 0:
        return None
    gend, grow = _gpu_ends(ctx)
    t = ctx._cpu()
    rk = rk[t.dur[rk] >= GPU_WAIT_MIN_NS]
    if len(rk) < 3:
        return None
    e = t.end[rk]
    mid = t.start[rk] + (e - t.start[rk]) // 2

    def gap(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        j = np.searchsorted(gend, times, "right") - 1
        return np.where(j >= 0, times - gend[np.maximum(j, 0)], np.iinfo(I64).max), j

    before, j = gap(e)
    before_mid, _ = gap(mid)
    for eps in WAKE_EPS_NS:
        f_end, f_mid = float((before <= eps).mean()), float((before_mid <= eps).mean())
        if f_end >= 0.8 and f_mid <= 0.25 and f_end >= 3 * f_mid:
            near = (before <= eps) & (j >= 0)
            if _iqr(t.dur[rk][near]) < GPU_WAIT_SPREAD * _iqr(before[near]):
                return None  # its length holds steadier than its end's delay after the GPU: work on a schedule
            hit = j[near]
            names = ctx._srclocs().names
            idx = ctx._srclocs().name_idx[g.srcloc[grow[hit]]]
            top_name = names[int(np.bincount(idx).argmax())] if len(idx) else ""
            return WaitZone(
                int(t.owner[rk[0]]),
                int(ctx._srclocs().name_idx[t.srcloc[rk[0]]]),
                GPU,
                f"{f_end:.0%} of its runs over {GPU_WAIT_MIN_NS // 1000} µs end within {eps // 1000} µs after a GPU "
                f"zone ends (chance baseline, the midpoints of its runs: {f_mid:.0%})"
                + (f"; the GPU work ending last before it: mostly {top_name}" if top_name else ""),
                waits_for=f"the GPU ({top_name})" if top_name else "the GPU",
            )
    return None


def _iqr(x: np.ndarray) -> float:
    return float(np.subtract(*np.percentile(x, [75, 25]))) if len(x) else 0.0


def _gpu_ends(ctx: Capture) -> tuple[np.ndarray, np.ndarray]:
    """(end times in order, their GPU zone rows) of the top-level GPU zones of every context, made once."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        g = ctx._gpu()
        top = np.flatnonzero((g.depth == 0) & g.valid)
        order = np.argsort(g.end[top], kind="stable")
        return g.end[top][order], top[order]

    return ctx._db.cached("gpu_top_ends", build)


def _other_ends(ends: list[np.ndarray], own: int, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per time: (the other thread whose unit of work ended last at or before it (-1: none), how long before, how
    soon after it another thread's unit of work ends); a huge gap where there is none."""
    huge = np.iinfo(I64).max
    best = np.full(len(times), -1, I64)
    before = np.full(len(times), huge, I64)
    after = np.full(len(times), huge, I64)
    for k, e in enumerate(ends):
        if k == own or len(e) == 0:
            continue
        j = np.searchsorted(e, times, "right") - 1
        gap = np.where(j >= 0, times - e[np.maximum(j, 0)], huge)
        closer = gap < before
        best[closer], before[closer] = k, gap[closer]
        nxt = np.searchsorted(e, times, "left")
        after = np.minimum(after, np.where(nxt < len(e), e[np.minimum(nxt, len(e) - 1)] - times, huge))
    return best, before, after


@attrs.frozen
class Joined:
    """Runs of a zone that each end right after another thread's unit of work ends (see joined_work)."""

    evidence: str
    thread: str  # the thread whose work most often ended just before
    chance: float
    rows: np.ndarray  # per run: the zone row of the unit of work that ended just before it (-1: none)


def joined_work(
    ctx: Capture,
    own: int,
    st: np.ndarray,
    en: np.ndarray,
    work: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> Joined | None:
    """When each of a few runs [st, en) on thread row `own` ends right after another thread's unit of work ends,
    and that is unlikely by chance (module doc): what they waited for; None otherwise."""
    work = top_work(ctx) if work is None else work
    ends = [e for _, e, _ in work]
    last_of, before, _ = _other_ends(ends, own, en)
    others = [e for k, e in enumerate(ends) if k != own]
    n_ends = sum(
        (np.searchsorted(e, en, "right") - np.searchsorted(e, st, "left")).astype(float) for e in others if len(e)
    )
    rate = np.asarray(n_ends, float) / np.maximum(en - st, 1)  # other threads' ends per ns inside each run
    for eps in WAKE_EPS_NS:
        if not np.all(before <= eps):
            continue
        chance = float(np.prod(np.minimum(1.0, rate * eps)))
        if chance > FEW_RUNS_CHANCE:
            return None
        last, _share = _last_to_finish(ctx, last_of, before, eps)
        runs = "its run ends" if len(en) == 1 else f"each of its {len(en)} runs ends"
        rows = _rows_ended(work, last_of, before <= eps, en)
        odds = f"{chance:.1%}" if chance >= 0.001 else "under 0.1%"
        return Joined(
            f"{runs} within {eps // 1000} µs after {last}'s work ends (chance of that, from the other threads' "
            f"rate of ends: {odds})",
            last,
            chance,
            rows,
        )
    return None


def work_ended_before(
    ctx: Capture,
    own: int,
    times: np.ndarray,
    eps: int,
    work: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """Per time: the zone row of the unit of work on a thread other than row `own` that ended last at or before it,
    at most `eps` ns before (-1: none)."""
    work = top_work(ctx) if work is None else work
    last_of, before, _ = _other_ends([e for _, e, _ in work], own, times)
    return _rows_ended(work, last_of, before <= eps, times)


def _rows_ended(
    work: list[tuple[np.ndarray, np.ndarray, np.ndarray]], last_of: np.ndarray, keep: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """Per time: the zone row of thread last_of's unit of work ending last at or before it, where `keep` (-1
    elsewhere)."""
    rows = np.full(len(times), -1, I64)
    for j in np.flatnonzero(keep & (last_of >= 0)).tolist():
        _, ke, kr = work[int(last_of[j])]
        rows[j] = kr[int(np.searchsorted(ke, times[j], "right")) - 1]
    return rows


def work_waited_for(
    ctx: Capture, st: np.ndarray, en: np.ndarray, exclude: set[int]
) -> tuple[str, str, float, int] | None:
    """(work, thread, share, wake-up delay) when runs [st, en) of a zone (on any threads) end right after a unit of
    work on a thread outside `exclude` ends, in at least WAITED_SHARE of them, while their midpoints fall that close
    after one in at most WAITED_CONTROL (a write stall that lasts until a compaction ends); None otherwise."""
    empty = np.zeros(0, I64)
    ends = [empty if k in exclude else e for k, (_, e, _) in enumerate(top_work(ctx))]
    last_of, before, _ = _other_ends(ends, -1, en)
    before_mid = _other_ends(ends, -1, st + (en - st) // 2)[1]
    for eps in WAITED_EPS_NS:
        f_end, f_mid = float((before <= eps).mean()), float((before_mid <= eps).mean())
        if f_end >= WAITED_SHARE and f_mid <= WAITED_CONTROL:
            work, _ = _last_work(ctx, last_of, before, eps, en, top_work(ctx))
            thread, _ = _last_to_finish(ctx, last_of, before, eps)
            return work, thread, f_end, eps
    return None


def _last_work(
    ctx: Capture,
    best: np.ndarray,
    gap: np.ndarray,
    eps: int,
    times: np.ndarray,
    work: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[str, float]:
    """(zone name, share of the waits): per wait, the unit of work that ended closest before it (within `eps`), by
    name: a job that ends last whichever thread runs it (the frame's critical path); ('', 0) when none."""
    keep = (gap <= eps) & (best >= 0)
    hit = np.flatnonzero(keep)
    if len(hit) == 0:
        return "", 0.0
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = _rows_ended(work, best, keep, times)[hit]
    names = sl.name_idx[t.srcloc[rows]]
    vals, cnt = np.unique(names, return_counts=True)
    top = int(np.argmax(cnt))
    if float(np.median(t.dur[rows[names == vals[top]]])) < LOCKSTEP_MIN_NS:
        return "", 0.0  # a hand-off of a few µs (a queue operation) is not the job waited for
    return str(sl.names[int(vals[top])]), float(cnt[top] / len(hit))


def _last_to_finish(ctx: Capture, best: np.ndarray, gap: np.ndarray, eps: int) -> tuple[str, float]:
    """(thread, share of the waits): per wait, the other thread whose unit of work ended closest before the wait
    did (within `eps`; `best` and `gap` from _other_ends), the one the wait was for; the most frequent one ('' when
    none)."""
    known = best[gap <= eps]
    if len(known) == 0:
        return "", 0.0
    vals, cnt = np.unique(known, return_counts=True)
    top = int(np.argmax(cnt))
    return ctx._thread_labels()[int(vals[top])], float(cnt[top] / len(known))


def _asleep(runs: Runs | None, st: np.ndarray, en: np.ndarray) -> str | None:
    """A zone whose thread was asleep (context switches: switched out not runnable) most of its runs' time waits,
    whatever for; None without context switches for the thread or when it was not."""
    if runs is None or len(runs.start) < 2:
        return None
    total = float((en - st).sum())
    share = float(runs.asleep_between(st, en).sum()) / max(total, 1.0)
    if share < ASLEEP_SHARE:
        return None
    on = float(runs.running_between(st, en).sum()) / max(total, 1.0)
    return f"its thread was asleep {share:.0%} of its runs' time and on a CPU {on:.0%} (context switches)"


def _between_fibers(t: ZoneTree, rk: np.ndarray, runs: FiberRuns | None) -> str | None:
    """A worker's zone between the fibers it runs: nearly every run ends as a fiber starts running on its thread
    (the job it waited for); None when the thread runs no fibers or the runs do not end so."""
    if runs is None or len(runs.start) == 0:
        return None
    e = t.end[rk]
    j = np.searchsorted(runs.start, e, "left")
    gap = np.where(j < len(runs.start), runs.start[np.minimum(j, len(runs.start) - 1)] - e, np.iinfo(I64).max)
    share = float((gap <= FIBER_START_NS).mean())
    if share < 0.9:
        return None
    return (
        f"{share:.0%} of its runs end within {FIBER_START_NS // 1000} µs before a fiber starts running on its thread "
        f"(the thread runs jobs as fibers, whose zones are on the fibers' rows)"
    )


def _mad(x: np.ndarray) -> float:
    return float(np.median(np.abs(x - np.median(x))))


def _idles(t: ZoneTree, rk: np.ndarray, gs: np.ndarray, named: bool = False) -> str | None:
    """An event loop's wait for input: it opens about every frame at the frame's start (the loop redraws only
    after something happened), and lasts anything from nothing to many frames' worth (the user paused); None
    otherwise. `named`: its name says it waits (App::WaitEvents), so a narrower spread does (a typist's pauses,
    a loop that wakes at least every half second)."""
    if len(gs) < MIN_RUNS:
        return None
    fi = np.searchsorted(gs, t.start[rk], "right") - 1
    ok = fi >= 0
    rk, fi = rk[ok], fi[ok]
    at_start = ((t.start[rk] - gs[fi]) <= IDLE_START_NS) & _first_in_frame(t, rk, gs[fi])
    # once a frame, opening it: most of its runs start the frame, and most frames start with one
    if not (
        0.8 <= len(rk) / len(gs) <= 1.2 and at_start.mean() >= 0.8 and len(np.unique(fi[at_start])) >= 0.8 * len(gs)
    ):
        return None
    d = t.dur[rk].astype(np.float64)
    med = float(np.median(d))
    if named:
        # ...and it is most of a typical frame (the loop's thread has little else to do): a render thread's wait
        # for the main thread, named alike, is a small part of a busy frame and its long runs are slow frames
        frame_len = np.diff(gs)
        typical = float(np.median(frame_len)) if len(frame_len) else 0.0
        if med <= 0 or float(d.max()) < IDLE_SPREAD_NAMED * med or med < IDLE_SHARE_NAMED * typical:
            return None
    elif med <= 0 or float(d.max()) < IDLE_SPREAD * med or float(np.std(d)) < float(np.mean(d)):
        return None
    return (
        f"it opens each frame ({at_start.mean():.0%} of its runs start within {IDLE_START_NS // 1000} µs of a "
        f"frame's start) and lasts a median {med / 1e6:.2f} ms but up to {d.max() / 1e6:.1f} ms: the loop waits "
        "there for input, and a frame it makes long is idle, not slow"
    )


def _first_in_frame(t: ZoneTree, rk: np.ndarray, frame_start: np.ndarray) -> np.ndarray:
    """Per run: nothing else ran on its thread in its frame before it (work before it, e.g. an input poll and an
    update ahead of a zone deep in the frame, makes it a step of the frame's work, not the loop's wait for input).
    Zones that open their parent (the row before is the parent) are climbed first."""
    top = rk.astype(np.int64)
    parent = t.parent
    for _ in range(64):
        up = (top > 0) & (parent[top] == top - 1)
        if not up.any():
            break
        top = np.where(up, top - 1, top)
    before = np.maximum(top - 1, 0)
    owner = t.owner
    return (top == 0) | (owner[before] != owner[top]) | (t.end[before] <= frame_start)


def _paces(t: ZoneTree, rk: np.ndarray, gs: np.ndarray, ge: np.ndarray) -> str | None:
    if len(gs) < MIN_RUNS:
        return None
    fi = np.searchsorted(gs, t.start[rk], "right") - 1
    ok = fi >= 0
    rk, fi = rk[ok], fi[ok]
    inside = t.end[rk] <= ge[fi]
    rk, fi = rk[inside], fi[inside]
    if not 0.8 <= len(rk) / len(gs) <= 1.2:
        return None
    s0 = t.start[rk] - gs[fi]
    period = float(np.percentile(ge - gs, 25))  # the interval: frames that missed one take two
    e0 = t.end[rk] - gs[fi]
    e0 = e0 - period * np.round(e0 / period)  # on the grid of intervals: frames of one and of two end alike
    gap = float(np.median(ge[fi] - t.end[rk]))
    ms, me = _mad(s0), _mad(e0)
    if ms <= 0 or me > 0.5 * ms or gap > 0.01 * float(np.median(ge - gs)):
        return None
    if _mad((t.end[rk] - t.start[rk]).astype(np.float64)) < 0.5 * ms:  # a pacer absorbs the work before it: its
        return None  # length moves with its start (the last step of a frame, of steady length, does not)
    return (
        f"it ends at the same point of every frame (spread {me / 1e3:.0f} µs, {gap / 1e3:.0f} µs before the next "
        f"frame) while its start moves with the work before it (spread {ms / 1e3:.0f} µs)"
    )
