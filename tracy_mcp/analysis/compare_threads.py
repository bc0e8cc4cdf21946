"""Work that moved between threads from A to B, and what made a faster frame faster.

A zone that left the thread it ran on (animation moved to the job workers) is the same work per call and in total,
so the per-name classes call it unchanged. Off the frame's thread it is the gain ("did the optimization work?"
answered first when it outweighs the top regression); onto it, the frames it now runs in are the hitch (a roster
load moved from the network thread onto the main thread); off it while the thread now waits as long for it, no gain
("we parallelized physics but the frame is no faster")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.frame_self_time import frame_self_time, frame_thread

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

HOME_SHARE = 0.5  # a zone's home thread ran at least this share of it in A...
MOVED_OFF = 0.5  # the thread that ran most of a zone in A keeps at most this share of it in B...
MOVED_TO = 0.5  # ...and the other threads gain at least this share of what it lost: the work moved
MOVE_KINDS = ("count changed only", "unchanged", "improved", "more calls", "fewer calls")
MOVE_MIN_SHARE = 0.02  # a zone looked at for a move holds at least this share of A's frame time
SPREAD_TOP = 0.7  # a zone whose busiest thread ran at most this share of it in A...
GATHERED_TOP = 0.95  # ...and at least this share in B, the same work (SAME_TOTAL), was gathered onto that thread
SAME_TOTAL = 0.25
SLOW_FRAMES = 1.5  # the frames a moved zone runs in, at this many times B's median frame, are its hitch
SHOWN_THREADS = 4
WAIT_ATE = 0.5  # the thread's wait grew by this share of the time moved off it: the move bought little
LOOP_SAMPLE = 60  # frames sampled to find the loop's thread
OFF_FRAME = 0.1  # a regression with at most this share of its time on the loop's thread runs off it...
NOT_WAITED = 0.5  # ...and the median frame grew by less than this share of its added time: nothing waits for it
TAIL_GREW = 1.2  # B's p99 frame this much longer: its hitches may wait for the work off the loop's thread
GREW = 0.01  # the median frame grew by this share: a regression on the loop's thread may account for it...
EXPLAINS = (0.5, 2.0)  # ...when its time added per frame there is within these multiples of the growth


@attrs.frozen
class Move:
    name: str
    home: str  # the thread that ran most of it in A
    to: tuple[str, ...]  # the threads that gained it in B, most first
    by_thread_a: dict[str, int]
    by_thread_b: dict[str, int]

    def where(self) -> str:
        to = self.to
        more = f" and {len(to) - SHOWN_THREADS} more" if len(to) > SHOWN_THREADS else ""
        return ", ".join(to[:SHOWN_THREADS]) + more

    def line(self) -> str:
        ta, tb = self.by_thread_a, self.by_thread_b
        return f"Moved between threads: {self.name} (total per thread, A -> B): " + "; ".join(
            f"{k} {fmt_ns(ta.get(k, 0))} -> {fmt_ns(tb.get(k, 0))}" for k in [self.home, *self.to[:SHOWN_THREADS]]
        )


@attrs.frozen
class Gain:
    saved_ns: float  # per frame, on the thread it left (a move) or in own time (a faster zone)
    text: str  # the title's words: "Anim::Evaluate moved off Main thread onto ..."
    line: str  # the evidence line ("" for a zone the improved list already shows)
    name: str


WRAPS = 0.9  # a zone holding this share of its depth's time on the loop thread ...
WRAPS_COUNT = 0.1  # ... and running once a frame (to within this share) wraps the frame: its parts tell it
BREAKDOWN_DEPTH = 3  # wrappers looked through at most
BREAKDOWN_MIN = 0.03  # parts this share of B's mean frame or more are told ...
BREAKDOWN_SHOWN = 6  # ... up to this many


def _by_thread(ctx: Capture, name: str) -> dict[str, int]:
    """Total time of zone `name` per thread name."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows]]
    if not len(rows):
        return {}
    names = ctx._thread_names_by_id()
    owners, inv = np.unique(t.owner[rows], return_inverse=True)
    sums = np.bincount(inv, weights=t.dur[rows].astype(np.float64))
    out: dict[str, int] = {}
    for o, s in zip(owners.tolist(), sums.tolist(), strict=True):
        key = names[int(o)] if 0 <= int(o) < len(names) else f"thread {o}"
        out[key] = out.get(key, 0) + int(s)
    return out


def thread_moves(a: Capture, b: Capture, names: list[dict[str, Any]], fa: dict[str, Any]) -> list[Move]:
    """The zones (of the kinds a move hides in, holding MOVE_MIN_SHARE of A's frame time or more) that left the
    thread running most of them in A for other threads in B."""
    out = []
    floor = MOVE_MIN_SHARE * float(fa["median_ns"]) * fa["frames"]
    for r in names:
        if r["kind"] not in MOVE_KINDS or r["total_a_ns"] < floor:
            continue
        ta, tb = _by_thread(a, str(r["name"])), _by_thread(b, str(r["name"]))
        if not ta or not tb:
            continue
        home = max(ta, key=lambda k: ta[k])
        if ta[home] < HOME_SHARE * sum(ta.values()):  # spread over a pool in A (requests on any worker): no home
            continue
        lost = ta[home] - tb.get(home, 0)
        gained = {k: tb[k] - ta.get(k, 0) for k in tb if k != home and tb[k] > ta.get(k, 0)}
        if tb.get(home, 0) > MOVED_OFF * ta[home] or sum(gained.values()) < MOVED_TO * lost:
            continue
        out.append(Move(str(r["name"]), home, tuple(sorted(gained, key=lambda k: -gained[k])), ta, tb))
    return out


def gathered(a: Capture, b: Capture, names: list[dict[str, Any]], fa: dict[str, Any], fb: dict[str, Any]) -> str:
    """'Physics::SolveIslands now runs on Job 0 alone (per gameplay frame: Job 0 9.64 ms -> 19.28 ms, Job 1 9.60 ms
    -> 0 ns; the same work)': the largest zone (MOVE_MIN_SHARE of A's frame time or more) that A spread over several
    threads and B gathered onto one, its total held; '' when none was. The threads left idle are the imbalance a
    wait for them grew by."""
    floor = MOVE_MIN_SHARE * float(fa["median_ns"]) * fa["frames"]
    best: tuple[float, str] = (0.0, "")
    for r in names:
        if r["total_a_ns"] < floor or abs(r["total_b_ns"] / max(r["total_a_ns"], 1) - 1) > SAME_TOTAL:
            continue
        ta, tb = _by_thread(a, str(r["name"])), _by_thread(b, str(r["name"]))
        if len(ta) < 2 or not tb:
            continue
        top = max(tb, key=lambda k: tb[k])
        if max(ta.values()) > SPREAD_TOP * sum(ta.values()) or tb[top] < GATHERED_TOP * sum(tb.values()):
            continue
        moved = tb[top] / fb["frames"] - ta.get(top, 0) / fa["frames"]
        if moved <= best[0]:
            continue
        left = sorted((k for k in ta if k != top), key=lambda k: -ta[k])[: SHOWN_THREADS - 1]
        per = ", ".join(
            f"{k} {fmt_ns(ta.get(k, 0) / fa['frames'])} -> {fmt_ns(tb.get(k, 0) / fb['frames'])}" for k in [top, *left]
        )
        best = (moved, f"{r['name']} now runs on {top} alone (per {fa['what']}: {per}; {_work_words(r)})")
    return best[1]


def _work_words(r: dict[str, Any]) -> str:
    same = abs(r["total_b_ns"] / max(r["total_a_ns"], 1) - 1) < 0.1
    return f"in total {fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])}, " + (
        "the same work" if same else "not the same work"
    )


def top_gain(names: list[dict[str, Any]], moves: list[Move], fa: dict[str, Any], fb: dict[str, Any]) -> Gain | None:
    """The largest saving per frame behind a faster frame: a zone faster per call, or work moved off its thread;
    None without a saving."""
    gains = []
    for r in names:
        if r["kind"] == "improved" and r["mean_ratio"] < 1:
            saved = r["self_a_ns"] / fa["frames"] - r["self_b_ns"] / fb["frames"]
            text = (
                f"{r['name']} {r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}), "
                f"-{fmt_ns(max(saved, 0.0))} of its own time per {fa['what']}"
            )
            gains.append(Gain(saved, text, "", str(r["name"])))
    rows = {str(r["name"]): r for r in names}
    for m in moves:
        per_a, per_b = m.by_thread_a[m.home] / fa["frames"], m.by_thread_b.get(m.home, 0) / fb["frames"]
        text = (
            f"{m.name} moved off {m.home} onto {m.where()} ({m.home}: {fmt_ns(per_a)} -> {fmt_ns(per_b)} per "
            f"{fa['what']}; {_work_words(rows[m.name])})"
        )
        gains.append(Gain(per_a - per_b, text, m.line(), m.name))
    gains = [g for g in gains if g.saved_ns > 0]
    return max(gains, key=lambda g: g.saved_ns) if gains else None


def move_hitch(b: Capture, names: list[dict[str, Any]], moves: list[Move], fa: dict[str, Any]) -> tuple[float, str]:
    """(its time in those frames, title words) for the moved zone whose calls on its new thread fall in B's slow
    frames: 'Match::LoadRoster moved onto Main thread from Net (...); the 3 frames it runs in there take 126.9 ms
    median, against B's median frame 16.68 ms (A's longest 28.67 ms)'; (0, '') when none does."""
    ph = frame_phases(b)
    if ph is None or not len(ph.gameplay) or not moves:
        return 0.0, ""
    rows = {str(r["name"]): r for r in names}
    best: tuple[float, str] = (0.0, "")
    g = ph.gameplay
    starts, ends, durs = ph.start[g], ph.end[g], ph.dur[g]
    names_by_id = np.asarray(b._thread_names_by_id(), dtype=object)
    t = b._cpu()
    for m in moves:
        calls = t.stat_rows(b._srclocs().rows_of(m.name))
        calls = calls[t.valid[calls]]
        calls = calls[names_by_id[t.owner[calls]] == m.to[0]]
        if not len(calls):
            continue
        idx = np.searchsorted(starts, t.start[calls], side="right") - 1
        idx = np.unique(idx[(idx >= 0) & (t.start[calls] < ends[np.clip(idx, 0, None)])])
        if not len(idx):
            continue
        slow = durs[idx]
        if float(np.median(slow)) < SLOW_FRAMES * float(np.median(durs)):
            continue
        r = rows[m.name]
        text = (
            f"{m.name} moved onto {m.to[0]} from {m.home} ({r['count_b']} calls, {fmt_ns(r['mean_a_ns'])} -> "
            f"{fmt_ns(r['mean_b_ns'])} per call; {_work_words(r)}); the {len(idx)} frame(s) it runs in there take "
            f"{fmt_ns(float(np.median(slow)))} median, against B's median frame {fmt_ns(float(np.median(durs)))} "
            f"(A's longest {fmt_ns(float(fa['max_ns']))})"
        )
        cost = float(t.dur[calls].sum())
        if cost > best[0]:
            best = (cost, text)
    return best


def move_waited(
    a: Capture, b: Capture, names: list[dict[str, Any]], moves: list[Move], fa: dict[str, Any], fb: dict[str, Any]
) -> str:
    """'Physics::Solve moved off Main thread onto Worker 3, ... (Main thread: 3.14 ms -> 0 ns per gameplay frame),
    but Main thread now waits for it in Jobs::Wait (529 ns -> 4.01 ms per call, +4.01 ms per gameplay frame): no
    gain on Main thread' when work left a thread that now waits about as long for other threads (parallelized work
    that still holds up the frame); '' otherwise."""
    grew = [r for r in names if r["kind"] == "wait grew"] if moves else []
    per_thread = {str(r["name"]): (_by_thread(a, str(r["name"])), _by_thread(b, str(r["name"]))) for r in grew}
    best: tuple[float, str] = (0.0, "")
    for m in moves:
        before, after = m.by_thread_a[m.home] / fa["frames"], m.by_thread_b.get(m.home, 0) / fb["frames"]
        if before <= after:
            continue
        for r in grew:
            name = str(r["name"])
            wa, wb = per_thread[name]
            added = wb.get(m.home, 0) / fb["frames"] - wa.get(m.home, 0) / fa["frames"]
            if added >= WAIT_ATE * (before - after) and added > best[0]:
                best = (
                    added,
                    f"{m.name} moved off {m.home} onto {m.where()} ({m.home}: {fmt_ns(before)} -> {fmt_ns(after)} per "
                    f"{fa['what']}), but {m.home} now waits for it in {name} ({fmt_ns(r['mean_a_ns'])} -> "
                    f"{fmt_ns(r['mean_b_ns'])} per call, +{fmt_ns(added)} per {fa['what']}): no gain on {m.home}",
                )
    return best[1]


def loop_thread(ctx: Capture) -> str | None:
    """The name of the thread the gameplay frames' loop runs on (frame_thread over a sample of the frames)."""
    ph = frame_phases(ctx)
    if ph is None or not len(ph.gameplay):
        return None
    g = ph.gameplay
    fr = g[np.unique(np.linspace(0, len(g) - 1, min(len(g), LOOP_SAMPLE)).astype(np.int64))]
    m = frame_self_time(ctx, fr, ph.start[fr], ph.end[fr])
    k = frame_thread(ctx, m, 0, ph.start[fr], ph.dur[fr])
    names = ctx._thread_names_by_id()
    return names[k] if 0 <= k < len(names) else None


def _lock_wait(ctx: Capture, thread: str) -> float:
    """Time `thread` waited for contended locks over the capture (lock_contention's per-thread table)."""
    t = ctx.lock_contention().tables.get("threads")
    if t is None or not len(t):
        return 0.0
    return float(t[t["thread"].astype(str) == thread]["wait_ns"].sum())


def threads_running(ctx: Capture, name: str) -> int:
    """How many threads run the zone (by thread, not name: a pool's threads share one name)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    return len(np.unique(t.owner[rows[t.valid[rows]]]))


def off_frame(
    a: Capture,
    b: Capture,
    reg: list[dict[str, Any]],
    names: list[dict[str, Any]],
    fa: dict[str, Any],
    fb: dict[str, Any],
) -> tuple[list[dict[str, Any]], str]:
    """(reg, title words) when the top regression runs off the frame loop's thread and the frames did not grow with
    it (nothing on that thread waits for it). When the frame did grow and a regression on the loop's thread accounts
    for it, that one comes first and the words name the other: '; off the frame's thread: AI::AStarSearch 1.97x per
    call (...), +3.19 ms per gameplay frame on Background, while the median frame moved +0.540 ms: Main thread does
    not wait for it'; else the words only say where the top one runs. (reg, '') otherwise, and with other frame sets
    (a loop of their own may wait for it) or a longer tail of frames in B (hitches may)."""
    if not reg or len(b._frame_sets()) > 1 or fb["p99_ns"] > TAIL_GREW * fa["p99_ns"]:
        return reg, ""
    home = loop_thread(b)
    seen: dict[str, dict[str, int]] = {}

    def where_b(name: str) -> dict[str, int]:
        """_by_thread in B, once per name."""
        if name not in seen:
            seen[name] = _by_thread(b, name)
        return seen[name]

    top = reg[0]
    where = where_b(str(top["name"]))
    if home is None or not where or where.get(home, 0) > OFF_FRAME * sum(where.values()):
        return reg, ""
    added = top["total_b_ns"] / max(fb["frames"], 1) - top["total_a_ns"] / max(fa["frames"], 1)
    on_threads = [k for k in where if where[k] >= OFF_FRAME * sum(where.values())]
    # spread over its threads, the frame would wait this much longer at most: per thread in B against per thread
    # in A (a pool that grew from 2 to 4 threads may do more in total and less on each)
    per_b = top["total_b_ns"] / max(fb["frames"], 1) / max(threads_running(b, str(top["name"])), 1)
    wall = per_b - top["total_a_ns"] / max(fa["frames"], 1) / max(threads_running(a, str(top["name"])), 1)
    grew = fb["median_ns"] - fa["median_ns"]
    if wall <= 0 or grew > NOT_WAITED * wall:
        return reg, ""

    def on_frame(r: dict[str, Any]) -> float:
        """Its time added per frame on the loop's thread (B's there against A's anywhere)."""
        return where_b(str(r["name"])).get(home, 0) / max(fb["frames"], 1) - r["total_a_ns"] / max(fa["frames"], 1)

    # a wait on the loop's thread that grew: it may be waiting for this work
    if any(r["kind"] == "wait grew" and on_frame(r) > NOT_WAITED * wall for r in names):
        return reg, ""
    # or a lock the loop's thread now waits for longer: the work may hold it, or hold up its holder (a chain)
    if _lock_wait(b, home) / max(fb["frames"], 1) - _lock_wait(a, home) / max(fa["frames"], 1) > NOT_WAITED * wall:
        return reg, ""
    threads = ", ".join(sorted(on_threads, key=lambda k: -where[k])[:SHOWN_THREADS])
    moved = f"the median frame moved {'+' if grew >= 0 else '-'}{fmt_ns(abs(grew))}: {home} does not wait for it"
    on = [r for r in reg[1:] if where_b(str(r["name"])).get(home, 0) >= 0.5 * max(r["total_b_ns"], 1)]
    explains = [r for r in on if EXPLAINS[0] * grew <= on_frame(r) <= EXPLAINS[1] * grew]
    if grew < GREW * fa["median_ns"]:
        return reg, f"; it runs off the frame's thread (on {threads}) and {moved}"
    if not explains:  # the frame grew and nothing on its thread accounts for it: it may wait after all
        return reg, ""
    first = explains[0]
    words = (
        f"; off the frame's thread: {top['name']} {top['mean_ratio']:.2f}x per call ({fmt_ns(top['mean_a_ns'])} -> "
        f"{fmt_ns(top['mean_b_ns'])}), +{fmt_ns(added)} per {fa['what']} on {threads}, while {moved}"
    )
    return [first] + [r for r in reg if r is not first], words


def _loop_parts(ctx: Capture, home: str, depth: int | None) -> tuple[int, dict[str, float], float, str] | None:
    """(depth, mean time per gameplay frame per zone name at that depth on thread `home`, mean frame, the wrapper
    zones above it): the loop thread's frame told by its parts. Without `depth`, the shallowest depth below zones
    that wrap the whole frame (one zone holding WRAPS of that depth's time, once a frame)."""
    ph = frame_phases(ctx)
    win = ph.window() if ph is not None else None
    if ph is None or win is None:
        return None
    t = ctx._cpu()
    rows = ctx._zone_rows_starting_in(*win)
    ids = [i for i, n in enumerate(ctx._thread_names_by_id()) if n == home]
    rows = rows[t.valid[rows] & np.isin(t.owner[rows], ids)]
    if not len(rows):
        return None
    frames = len(ph.gameplay)
    names = ctx._srclocs().names
    idx = ctx._srclocs().name_idx[t.srcloc[rows]]
    wrappers: list[str] = []
    k = 0 if depth is None else depth
    while True:
        at = t.depth[rows] == k
        if not at.any():
            return None
        per = np.bincount(idx[at], weights=t.dur[rows[at]].astype(np.float64))
        top = int(np.argmax(per))
        runs = int((idx[at] == top).sum())
        if depth is not None or per[top] < WRAPS * per.sum() or abs(runs - frames) > WRAPS_COUNT * frames:
            break
        wrappers.append(str(names[top]))
        k += 1
        if k > BREAKDOWN_DEPTH:
            return None
    parts = {str(names[i]): float(per[i]) / frames for i in np.flatnonzero(per > 0).tolist()}
    return k, parts, float(np.mean(ph.dur[ph.gameplay])), " > ".join(wrappers)


def frame_breakdown(a: Capture, b: Capture) -> str:
    """'Main thread per gameplay frame (mean, A -> B; the parts of Game::Frame): Jobs::ParallelAnimate 8.34 ms ->
    8.10 ms, Scene::MergeResults 8.06 ms -> 8.04 ms, ...; the frame 21.1 ms -> 20.9 ms': where the frame loop's
    time goes in each run (what did not shrink when work moved or threads were added); '' without a loop thread."""
    home = loop_thread(b)
    if home is None or home != loop_thread(a):
        return ""
    pb = _loop_parts(b, home, None)
    if pb is None:
        return ""
    depth, parts_b, frame_b, wrappers = pb
    pa = _loop_parts(a, home, depth)
    if pa is None:
        return ""
    _, parts_a, frame_a, _ = pa
    shown = sorted(set(parts_a) | set(parts_b), key=lambda n: (-max(parts_a.get(n, 0.0), parts_b.get(n, 0.0)), n))
    shown = [n for n in shown if max(parts_a.get(n, 0.0), parts_b.get(n, 0.0)) >= BREAKDOWN_MIN * frame_b]
    if not shown:
        return ""
    body = ", ".join(
        f"{n} {fmt_ns(parts_a.get(n, 0.0))} -> {fmt_ns(parts_b.get(n, 0.0))}" for n in shown[:BREAKDOWN_SHOWN]
    )
    under = f"; the parts of {wrappers}" if wrappers else ""
    return f"{home} per gameplay frame (mean, A -> B{under}): {body}; the frame {fmt_ns(frame_a)} -> {fmt_ns(frame_b)}"
