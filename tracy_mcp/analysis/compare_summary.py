"""The words of a comparison: the title and the findings of compare(), written from the zone names and call
paths it classified and the frame statistics of both captures. What leads the title is decided here (a regression,
new work, more calls, a move between threads, a faster frame), each with its figures."""

from __future__ import annotations

import os
import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.call_context import call_contexts, quote_kind
from tracy_mcp.analysis.capture_diff import (
    build_change,
    memory_totals,
    other_changes,
    program_functions,
    thread_changes,
)
from tracy_mcp.analysis.compare_frames import (
    HITCH_RATIO,
    alternation_change,
    crossed_interval,
    ended_calls,
    hitch_change,
    long_frames,
    other_sets,
    pacer_late,
    slack,
)
from tracy_mcp.analysis.compare_gpu import gpu_change, gpu_lines, gpu_title
from tracy_mcp.analysis.compare_memory import peak_change
from tracy_mcp.analysis.compare_threads import (
    frame_breakdown,
    gathered,
    move_hitch,
    move_waited,
    off_frame,
    thread_moves,
    threads_running,
    top_gain,
)
from tracy_mcp.analysis.compare_units import unit_latency
from tracy_mcp.analysis.compare_waits import waits_and_leaks
from tracy_mcp.analysis.cpu_runs import host_cores, time_split
from tracy_mcp.analysis.formatting import clause_before, clip_text, fmt_ns, fmt_pct
from tracy_mcp.analysis.frame_phases import frame_phases, markless, paired_marks
from tracy_mcp.analysis.machine_factor import MIN_CALLS, machine_factor, machine_words
from tracy_mcp.analysis.memory_report import allocations_by_zone
from tracy_mcp.analysis.pipeline import pipeline_change
from tracy_mcp.analysis.program_messages import one_off_after, one_off_before
from tracy_mcp.analysis.rank_test import (
    BEYOND_MIN,
    PART_TAIL_SHARE,
    TAIL_RATIO,
    mann_whitney,
    smallest_p,
)
from tracy_mcp.analysis.startup import program_startup_ns, startup_what, startup_window
from tracy_mcp.analysis.wait_zones import wait_zones
from tracy_mcp.analysis.waited_job import started_later
from tracy_mcp.analysis.zone_paths import TEXT_KINDS, text_ids, zone_texts
from tracy_mcp.errors import NotFoundError

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
NEGLIGIBLE = 0.02  # a regression adding under this share of A's median frame per frame is not the news
RUNS_ONLY = 0.6  # a zone whose calls span at most this share of the capture runs in one stretch of it
NEAR_MESSAGE_NS = 200_000_000  # a one-off message this close to a stretch's end names it
CHANGED = ("regressed", "improved", "more calls", "fewer calls", "new", "gone")
UNIFORM_BEYOND = 1.3  # a zone this many times beyond the machine-wide factor regressed on top of it
ALLOC_RATIO = 2.0  # a regressed zone allocating this many times as often per call says so in the title
RARE_CALLS = 5  # a zone run fewer times than this on a side cannot be tested...
RARE_RATIO = 1.5  # ...and is named when its time per call moved this many times...
RARE_NS = 1_000_000  # ...and by this much at least
RARE_SHOWN = 3  # such zones listed
RARE_LEADS = 2.0  # a one-off that got slower leads when it added this many times the top regression's time...
RARE_INNER = 0.8  # ...with the one-off inside it that moved by this share of its change
NEW_LEADS = 1.5  # a zone only B has leads beside a regression when it added this many times the regression's time
NS_MIN = 3  # regressed zones sharing a namespace prefix (Anim::) that make it the subsystem that got slower...
NS_SHARE = 0.6  # ...when they hold this share of the regressions' added time
NS_SHOWN = 4  # namespaces listed
STARTUP_CHANGE = 0.1  # a start-up (to the first frame mark) this much longer or shorter leads the title...
STARTUP_EXPLAINS = 0.5  # ...naming the zone whose own time in it moved by this share of the change
STARTUP_DELTA_NS = 100_000_000  # ...when it moved by at least this much
PER_CALL_MOVED = 0.25  # a zone called more often whose time per call moved this much too says so
CLOCKED = 0.25  # a zone's call count that moved with the run's length to within this share: paced by the clock
CPU_HELD = 1.25  # a regressed zone whose time on a CPU per call grew less than this did not do more work
NEW_CALLER_SHARE = 0.5  # a call path only B has, holding this share of a zone's added calls, is named
ALSO_SHOWN = 3  # other regressions named in the title after the one with most impact...
ALSO_SHARE = 0.2  # ...adding this share of its time at least
WAIT_EXPLAINS = 0.5  # a wait that grew by this share of the frames' growth, no zone regressing, leads
SAMPLES_MIN = 20  # a function gaining this many CPU samples inside a regressed zone...
SAMPLES_SHARE = 0.2  # ...and this share of the zone's samples in B is named
NEW_THREAD_BUSY = 0.5  # a thread only B has, running zones this share of the capture, is load of B's own
THREADS_GREW = 1.5  # a regressed zone run on this many times as many threads in B (beyond the cores) says so
CONTEXT_ROWS = 20_000  # calls of a regressed zone read for their kind of call (an even sample beyond)
CONTEXT_SLOWER = 1.5  # a kind of call this much slower per call while others held (within CONTEXT_HELD) is named
CONTEXT_HELD = 1.15
SHOWN_THREADS = 3  # threads named where a zone held
AS_THEY_STAND = "as they stand"
NO_REGRESSION = "no zone regressed beyond noise"
GONE_SHARE = 0.05  # a zone only A has, this share of A's median frame per frame or more, is told in the title
SMALL_BESIDE = 0.1  # regressions adding under this share of the frame's growth follow a wait that explains it
SLIVER = 0.001  # a regression adding under this share of a frame (or of the run) is left out of the title
LOCK_EXPLAINS = 0.8  # a lock wait this share of a regression's added time explains it (no word on the cores)


def _work_rows(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The zone names in both captures that do work (no waits), called often enough to compare per call."""
    return [
        r
        for r in names
        if not r.get("wait")
        and r["kind"] not in ("new", "gone")
        and min(r["count_a"], r["count_b"]) >= MIN_CALLS
        and r["self_a_ns"] > 0
        and np.isfinite(r["self_ratio"])
    ]


@attrs.frozen
class Uniform:
    """A machine-wide factor (machine_factor) over the zone names that do work: `moved` went with it, `beyond` (the
    regressed ones over UNIFORM_BEYOND times it) regressed on top of it, of `compared` names in all."""

    factor: float
    moved: list[dict[str, Any]]
    beyond: list[dict[str, Any]]
    compared: int

    def words(self, build: str = "") -> str:
        return machine_words(self.factor, len(self.moved), self.compared, build) + (
            "; beyond that factor" if self.beyond else "; no zone beyond it"
        )


def _new_busy_thread(a: Capture, b: Capture) -> str:
    """'; B's new thread Telemetry runs zones 88% of the time, on a 2-core machine: it competes with the others for
    the cores' beside a machine-wide slowdown, when a thread only B has is that busy (the "other load" is B's own)."""
    cores = host_cores(b)
    added = thread_changes(a, b)[0]
    if cores <= 0 or not added:
        return ""
    t = b._cpu()
    lo, hi = int(b.get_first_time()), int(b.get_last_time())
    names = b._thread_names_by_id()
    top = np.flatnonzero((t.depth == 0) & t.valid)
    best: tuple[float, str] = (0.0, "")
    for th in {i for i, n in enumerate(names) if n in added}:
        mine = top[t.owner[top] == th]
        busy = float(np.sum(t.dur[mine])) / max(hi - lo, 1)
        if busy > best[0]:
            best = (busy, names[th])
    if best[0] < NEW_THREAD_BUSY:
        return ""
    return (
        f"; B's new thread {best[1]} runs zones {best[0]:.0%} of the time, on a {cores}-core machine: it competes "
        "with the others for the cores"
    )


def _uniform_factor(names: list[dict[str, Any]]) -> Uniform | None:
    """The machine-wide factor when (nearly) every zone's own time per call moved by about the same factor, None
    otherwise."""
    rows = _work_rows(names)
    found = machine_factor(
        np.asarray([r["self_ratio"] for r in rows]), np.asarray([r["self_a_ns"] for r in rows], np.float64)
    )
    if found is None:
        return None
    factor, near = found
    # a slower machine moves the typical call too; preemption on a loaded one stretches the slow calls alone, which
    # moves the means by one factor while the medians hold
    typical = [(r["p50_b_ns"] / r["p50_a_ns"], r["self_a_ns"]) for r, x in zip(rows, near.tolist(), strict=True) if x]
    typical = [(q, w) for q, w in typical if np.isfinite(q) and q > 0]
    if typical:
        q = np.asarray([x[0] for x in typical])
        w = np.cumsum(np.asarray([x[1] for x in typical], np.float64)[np.argsort(q)])
        mid = float(np.sort(q)[min(int(np.searchsorted(w, w[-1] / 2)), len(q) - 1)])
        if (mid - 1) * (factor - 1) <= 0 or abs(np.log(mid)) < abs(np.log(factor)) / 2:
            return None
    beyond = [r for r in rows if r["self_ratio"] >= factor * UNIFORM_BEYOND and r["kind"] == "regressed"]
    return Uniform(factor, [r for r, x in zip(rows, near.tolist(), strict=True) if x], beyond, len(rows))


def _allocating(a: Capture, b: Capture, r: dict[str, Any]) -> str:
    """'; it makes 44.1 allocations per call, 4.1 before' when a regressed zone allocates far more often per call
    (the allocations' own cost is inside its time); '' otherwise."""
    na, nb = allocations_by_zone(a).get(str(r["name"]), 0), allocations_by_zone(b).get(str(r["name"]), 0)
    pa, pb = na / max(int(r["count_a"]), 1), nb / max(int(r["count_b"]), 1)
    if pb - pa < 1 or pb < ALLOC_RATIO * max(pa, 1e-9):
        return ""
    return f"; it makes {pb:.3g} allocations per call, {pa:.3g} before"


def _gone_words(
    title: str,
    gone: list[dict[str, Any]],
    paired: set[int],
    fa: dict[str, Any] | None,
    side: str = "a",
) -> str:
    """The title with '; gone in B: Minimap::Render (3.02 ms per gameplay frame in A, 240 calls)' (or, `side` "b",
    '; new in B: UI::DrawKillfeed (1.04 ms per gameplay frame, 260 calls)') when a zone only one side has (not one
    renamed or replaced) took GONE_SHARE of A's frame: work removed offsets what grew, work added is part of the
    change, and a frame that held hides both."""
    if not fa or not fa["frames"]:
        return title
    total, count = f"total_{side}_ns", f"count_{side}"
    big = [
        g
        for g in sorted(gone, key=lambda g: -g[total])
        if id(g) not in paired
        and g[total] / fa["frames"] >= GONE_SHARE * fa["median_ns"]
        and f"{g['name']} " not in title
    ]
    if not big:
        return title
    where = " in A" if side == "a" else ""
    said = ", ".join(
        f"{g['name']} ({fmt_ns(g[total] / fa['frames'])} per {fa['what']}{where}, {g[count]} calls)"
        if g[count] >= fa["frames"] / 4
        else f"{g['name']} ({fmt_ns(g[total])}{where}, {g[count]} call{'s' if g[count] != 1 else ''})"
        for g in big[:2]
    )
    return title[:-1] + f"; {'gone' if side == 'a' else 'new'} in B: {said}."


def _negligible(
    r: dict[str, Any], fa: dict[str, Any] | None, share: float = NEGLIGIBLE, b: Capture | None = None
) -> bool:
    """A regression whose total per frame is under `share` of A's median frame (beside a frame that hitches less,
    it is not the news); without frames, under `share` of B's run when `b` is given."""
    if fa is not None:
        return abs(r["impact_ns"]) / max(fa["frames"], 1) < share * fa["median_ns"]
    return b is not None and abs(r["impact_ns"]) < share * max(int(b.get_last_time()), 1)


def _per_call(r: dict[str, Any]) -> str:
    return (
        f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call ({r['mean_ratio']:.2f}x; p50 "
        f"{fmt_ns(r['p50_a_ns'])} -> {fmt_ns(r['p50_b_ns'])})"
    )


def _apart(a: Capture, b: Capture, name: str) -> str:
    """'every call in B took longer than every call in A (own time: A at most X, B at least Y)' when the two runs'
    own times per call do not overlap: plainer evidence than a p-value; '' otherwise."""
    xa, xb = _own_times(a, name), _own_times(b, name)
    if len(xa) < 3 or len(xb) < 3:
        return ""
    if int(xb.min()) > int(xa.max()):
        return (
            f"every call in B took longer than every call in A (own time: A at most {fmt_ns(int(xa.max()))}, "
            f"B at least {fmt_ns(int(xb.min()))})"
        )
    return ""


def _slow_part(a: Capture, b: Capture, name: str, share: float) -> str:
    """'; its slowest 31.6% of calls: a median 9.03 ms in A -> 14.21 ms in B (own time)': the calls that moved (an
    area of the level, one kind of request) against the same share of A's, when only a part of a zone's calls got
    slower; '' when there are too few."""
    xa, xb = np.sort(_own_times(a, name)), np.sort(_own_times(b, name))
    ka, kb = int(round(share * len(xa))), int(round(share * len(xb)))
    if ka < 3 or kb < 3:
        return ""
    far = xb[xb >= TAIL_RATIO * float(xa[-1])]
    if BEYOND_MIN <= len(far) < kb:  # a few calls far beyond all of A's: those, not a share's median, moved
        return (
            f"; {len(far)} of its {len(xb)} calls in B took {fmt_ns(float(far[0]))}..{fmt_ns(float(far[-1]))} of "
            f"own time (A's slowest {fmt_ns(float(xa[-1]))})"
        )
    top_a, top_b = float(np.median(xa[-ka:])), float(np.median(xb[-kb:]))
    return (
        f"; its slowest {fmt_pct(share)} of calls: a median {fmt_ns(top_a)} in A -> {fmt_ns(top_b)} in B "
        f"({top_b / max(top_a, 1.0):.2f}x, own time)"
    )


def _own_moved(r: dict[str, Any]) -> str:
    """For a zone whose own time per call fell while its calls grew (its work moved into new child zones): its own
    time per call, which is what improved."""
    own_a, own_b = r["self_a_ns"] / max(r["count_a"], 1), r["self_b_ns"] / max(r["count_b"], 1)
    return f"its own time per call {fmt_ns(own_a)} -> {fmt_ns(own_b)}: the rest moved into zones inside it"


def _improved(r: dict[str, Any]) -> str:
    """The title's figure for an improved zone: per call, or its own time per call when the calls as a whole grew
    (0.315 ms -> 0.990 ms read as an improvement otherwise)."""
    if r["mean_ratio"] <= 1:
        return f"{r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
    own_a, own_b = r["self_a_ns"] / max(r["count_a"], 1), r["self_b_ns"] / max(r["count_b"], 1)
    return (
        f"{own_b / max(own_a, 1.0):.2f}x its own time per call ({fmt_ns(own_a)} -> {fmt_ns(own_b)}; with the zones "
        f"inside it {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
    )


def _count_by_text(a: Capture, b: Capture, name: str) -> str:
    """'; by its text: 'Physics.Islands' 2400 -> 24000' when the zone's calls carry a few distinct texts (a custom
    lock's name, an endpoint) and one of them moved the count; '' otherwise."""
    counts = []
    for c in (a, b):
        ids, n = np.unique(text_ids(c, ended_calls(c, name)), return_counts=True)
        if not 2 <= len(ids) <= TEXT_KINDS or ids[0] < 0:  # a call without a text: not a zone split by its text
            return ""
        counts.append({c._str(int(i)): int(k) for i, k in zip(ids.tolist(), n.tolist(), strict=True)})
    names = set(counts[0]) | set(counts[1])
    top = max(names, key=lambda x: abs(counts[1].get(x, 0) - counts[0].get(x, 0)))
    return f"; by its text: '{clip_text(top, 60)}' {counts[0].get(top, 0)} -> {counts[1].get(top, 0)}"


def _own_times(ctx: Capture, name: str) -> np.ndarray:
    """Own (self) time of each ended call of zone `name`."""
    return ctx.self_time_array()[ended_calls(ctx, name)]


def _by_context(a: Capture, b: Capture, name: str) -> tuple[str, str]:
    """(title part, line) when zone `name` got slower for one kind of call and held for the others, the kind told
    by the text of the zone or of the ancestor it runs under (a query's statement, a request's endpoint): the
    calls that regressed, not the zone as a whole; ("", "") otherwise."""
    own: dict[str, tuple[list[float], list[float]]] = {}
    where = ""
    for side, c in enumerate((a, b)):
        rows = _sampled_calls(c, name)
        kinds, owners = call_contexts(c, rows)
        for k, o, v in zip(kinds, owners, c.self_time_array()[rows].tolist(), strict=True):
            own.setdefault(k, ([], []))[side].append(v)
            where = where or (o if k else "")
    slower, held = _slower_and_held(own)
    if not where or not slower or not held:
        return "", ""

    def one(g: tuple[str, np.ndarray, np.ndarray]) -> str:
        k, x, y = g
        per_call = f"{fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call"
        return f"{quote_kind(k)} {per_call} ({len(x)} -> {len(y)} calls)"

    under = "its calls" if where == name else f"its calls under {where}"
    k, x, y = slower[0]
    title = (
        f"; only {under} {quote_kind(k)} got slower, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call, "
        f"its other kinds of call held"
        if len(slower) == 1
        else f"; most in {under} {quote_kind(k)}, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per call"
    )
    line = (
        f"  {name} by the text of {'the zone' if where == name else where} (own time per call, A -> B): slower: "
        + "; ".join(one(g) for g in slower[:3])
        + "; held: "
        + "; ".join(one(g) for g in held[:3])
        + (f"; ... {len(held) - 3} more" if len(held) > 3 else "")
    )
    return title, line


def _by_thread_split(a: Capture, b: Capture, name: str) -> str:
    """'; only its calls on AI (under AI::Tick) got slower, 4.06 ms -> 9.04 ms per call; it held on the other
    threads (Main thread 3.05 ms -> 3.03 ms, ...)' when zone `name` runs on several threads (one plain name for
    different functions, "Update") and got slower on one while it held on the others; '' otherwise."""
    own: dict[str, tuple[list[float], list[float]]] = {}
    parents: dict[str, list[int]] = {}
    for side, c in enumerate((a, b)):
        rows = _sampled_calls(c, name)
        t, names = c._cpu(), c._thread_names_by_id()
        for r, th, v in zip(rows.tolist(), t.owner[rows].tolist(), c.self_time_array()[rows].tolist(), strict=True):
            label = names[th] if 0 <= th < len(names) else f"thread {th}"
            own.setdefault(label, ([], []))[side].append(v)
            if side == 1 and t.parent[r] >= 0:
                parents.setdefault(label, []).append(int(c._srclocs().name_idx[t.srcloc[t.parent[r]]]))
    slower, held = _slower_and_held(own)
    if len(slower) != 1 or not held:
        return ""
    order = list(own)
    held.sort(key=lambda g: order.index(g[0]))  # the threads where it held in the capture's order
    k, x, y = slower[0]
    up = parents.get(k)
    under = f" (under {b._srclocs().names[int(np.bincount(up).argmax())]})" if up else ""
    others = ", ".join(
        f"{h} {fmt_ns(float(hx.mean()))} -> {fmt_ns(float(hy.mean()))}" for h, hx, hy in held[:SHOWN_THREADS]
    )
    return (
        f"; only its calls on {k}{under} got slower, {fmt_ns(float(x.mean()))} -> {fmt_ns(float(y.mean()))} per "
        f"call; it held on the other threads ({others})"
    )


def _sampled_calls(ctx: Capture, name: str) -> np.ndarray:
    """ended_calls, an even sample of CONTEXT_ROWS of them beyond that many (it stands for them all)."""
    rows = ended_calls(ctx, name)
    return rows[np.linspace(0, len(rows) - 1, CONTEXT_ROWS).astype(np.int64)] if len(rows) > CONTEXT_ROWS else rows


Group = tuple[str, np.ndarray, np.ndarray]


def _slower_and_held(own: dict[str, tuple[list[float], list[float]]]) -> tuple[list[Group], list[Group]]:
    """Of the groups of calls (own time per call in A and in B, five calls or more on each side): those
    CONTEXT_SLOWER slower per call, most time added first, and those that held within CONTEXT_HELD, most calls
    first; both empty with fewer than two groups."""
    groups = [(k, np.asarray(x), np.asarray(y)) for k, (x, y) in own.items() if len(x) >= 5 and len(y) >= 5]
    if len(groups) < 2:
        return [], []
    ratio = {k: float(y.mean()) / max(float(x.mean()), 1.0) for k, x, y in groups}
    slower = sorted((g for g in groups if ratio[g[0]] >= CONTEXT_SLOWER), key=lambda g: -(g[2].sum() - g[1].sum()))
    held = sorted((g for g in groups if 1 / CONTEXT_HELD <= ratio[g[0]] <= CONTEXT_HELD), key=lambda g: -len(g[1]))
    return slower, held


def _text_counts(ctx: Capture, name: str) -> dict[str, int]:
    """Calls of zone `name` per zone text (ZoneText / ZoneValue with its hex part dropped), when it has any."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    counts: dict[str, int] = {}
    for x in zone_texts(ctx, rows, plain=True):
        counts[x] = counts.get(x, 0) + 1
    return {} if set(counts) <= {""} or len(counts) > 20 else counts


def _texts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k or '(no text)'} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:6])


def _totals(r: dict[str, Any]) -> str:
    d = r["total_b_ns"] - r["total_a_ns"]
    return (
        f"{r['count_a']} -> {r['count_b']} calls, total {fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])} "
        f"({'+' if d >= 0 else '-'}{fmt_ns(abs(d))})"
    )


def _new_inside(
    b: Capture, grew: list[dict[str, Any]], paths: list[dict[str, Any]], new_names: set[str]
) -> tuple[float, str] | None:
    """(added ns, 'most impact: Orders::Hydrate 8.26x per call (0.327 ms -> 2.70 ms), +790.3 ms in total, from calls
    new inside it: Db::Query (2506 calls, 787.1 ms; by text: 'SELECT * FROM customers WHERE id=?' 2506); its own
    time per call held') for the zone that grew most through a call path B alone has (a zone that existed before,
    now called from inside it: a query per item; a zone new by name is told as such); None when none did."""
    best: tuple[float, str] | None = None
    for r in grew:
        new = [
            p
            for p in paths
            if p["kind"] == "new"
            and " > " in p["name"]
            and p["name"].split(" > ")[-2] == r["name"]
            and p["name"].rsplit(" > ", 1)[-1] not in new_names
        ]
        if not new:
            continue
        added = r["total_a_ns"] * (r["total_ratio"] - 1)  # B's total as compared (per frame, or as it stands)
        if best is not None and added <= best[0]:
            continue
        child = max(new, key=lambda p: p["total_b_ns"])
        leaf = child["name"].rsplit(" > ", 1)[-1]
        texts = _texts_under(b, leaf, r["name"])
        best = (
            added,
            f"most impact: {r['name']} {r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> "
            f"{fmt_ns(r['mean_b_ns'])}), +{fmt_ns(added)} in total, from calls new inside it: {leaf} "
            f"({child['count_b']} calls, {fmt_ns(child['total_b_ns'])}"
            + (f"; by text: {texts}" if texts else "")
            + "); its own time per call held",
        )
    return best


def _texts_under(ctx: Capture, name: str, parent: str) -> str:
    """The texts of zone `name`'s calls made directly inside zone `parent`, with their counts, when a few kinds
    cover them: "'SELECT * FROM customers WHERE id=?' 2506"; "" otherwise."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = t.stat_rows(sl.rows_of(name))
    par = t.parent[rows].astype(I64)
    ok = par >= 0
    rows, par = rows[ok], par[ok]
    rows = rows[np.isin(t.srcloc[par], sl.rows_of(parent))]
    counts: dict[str, int] = {}
    for x in zone_texts(ctx, rows, plain=True):
        counts[x] = counts.get(x, 0) + 1
    if not counts or "" in counts or len(counts) > 3:
        return ""
    return ", ".join(f"'{clip_text(k, 60)}' {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def scale_of(fa: dict[str, Any] | None, fb: dict[str, Any] | None) -> float:
    """B's totals scaled to A's length: per frame when both have frames, as they stand otherwise."""
    return fa["frames"] / fb["frames"] if fa and fb and fb["frames"] else 1.0


def _too_rare(r: dict[str, Any], alpha: float) -> bool:
    """Whether zone row `r` ran too few times on a side for the rank test: under RARE_CALLS, or so few that even
    calls wholly apart could not reach `alpha` (6 against 6 gives p = 0.005 at best)."""
    na, nb = int(r["count_a"]), int(r["count_b"])
    return min(na, nb) < RARE_CALLS or smallest_p(na, nb) >= alpha


def _rare_moves(same: list[dict[str, Any]], alpha: float) -> list[dict[str, Any]]:
    """The zones too rarely run for a test (_too_rare) whose time per call moved by RARE_RATIO or more and by
    RARE_NS at least, the largest change first."""
    out = [
        r
        for r in same
        if _too_rare(r, alpha)
        and min(r["count_a"], r["count_b"]) > 0
        and abs(r["mean_b_ns"] - r["mean_a_ns"]) >= RARE_NS
        and not 1 / RARE_RATIO < r["mean_ratio"] < RARE_RATIO
    ]
    return sorted(out, key=lambda r: -abs(r["mean_b_ns"] - r["mean_a_ns"]))


def _rare_leads(
    a: Capture,
    b: Capture,
    title: str,
    lead: str,
    rare: list[dict[str, Any]],
    top: dict[str, Any],
    fa: dict[str, Any],
    fb: dict[str, Any],
) -> str:
    """The title led by a one-off that got far slower (a level unload 28 -> 290 ms) when it added RARE_LEADS times
    the top regression's time and B's longest frame is HITCH_RATIO times A's: the hitch the user saw, which no test
    can rank; `title` as it was otherwise."""
    slower = [r for r in rare if r["mean_ratio"] > 1]
    if not slower or fb["max_ns"] < HITCH_RATIO * fa["max_ns"]:
        return title
    r = slower[0]
    added = r["total_b_ns"] - r["total_a_ns"]
    if added < RARE_LEADS * abs(top["impact_ns"]):
        return title
    # a one-off inside it that moved nearly as much: where the time went
    inner = [x for x in slower[1:2] if x["total_b_ns"] - x["total_a_ns"] >= RARE_INNER * added]
    words = "; ".join(_rare_words(a, b, x) for x in [r, *inner])
    return (
        f"{lead}most impact, run too rarely to test: {words}; B's longest gameplay frame {fmt_ns(fb['max_ns'])} "
        f"(A's {fmt_ns(fa['max_ns'])}); beside it: {title[len(lead) :]}"
    )


def _rare_words(a: Capture, b: Capture, r: dict[str, Any]) -> str:
    """'SaveSystem::WriteSnapshot 30.02 ms -> 90.42 ms (3.01x; 1 -> 1 calls; its text 'autosave_02 1200' ->
    'autosave_02 3600')'."""
    ta, tb = _text_counts(a, r["name"]), _text_counts(b, r["name"])
    texts = (
        f"; its text {', '.join(repr(clip_text(x.replace(chr(10), ' '), 40)) for x in ta)} -> "
        f"{', '.join(repr(clip_text(x.replace(chr(10), ' '), 40)) for x in tb)}"
        if ta and tb and ta != tb and len(ta) <= 2 and len(tb) <= 2
        else ""
    )
    return (
        f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} ({r['mean_ratio']:.2f}x; "
        f"{r['count_a']} -> {r['count_b']} calls{texts})"
    )


def _namespace(name: str) -> str:
    return name.split("::", 1)[0] + "::" if "::" in name else ""


def _by_namespace(names: list[dict[str, Any]], reg: list[dict[str, Any]]) -> tuple[str, str] | None:
    """("; 5 of them in Anim:: (+1.33 s of own time there in total, 1.43x-1.81x per call)", 'By namespace (own
    time, work or waiting): Anim:: 1.97 s -> 3.30 s (+1.33 s), ...') when at least NS_MIN regressed zones share a
    prefix (Anim::Update, Anim::SolveIK) that holds most of the regressions' added time: the subsystem that got
    slower, spread over zones none of which stands out; None otherwise."""
    spaces = {_namespace(str(r["name"])) for r in names} - {""}
    if len(reg) < NS_MIN or len(spaces) < 2:
        return None
    mine: dict[str, list[dict[str, Any]]] = {}
    for r in reg:
        mine.setdefault(_namespace(str(r["name"])), []).append(r)
    top = max((k for k in mine if k), key=lambda k: sum(r["impact_ns"] for r in mine[k]), default="")
    added = sum(max(r["impact_ns"], 0.0) for r in reg)
    if not top or len(mine[top]) < NS_MIN or sum(r["impact_ns"] for r in mine[top]) < NS_SHARE * added:
        return None
    own: dict[str, list[float]] = {}
    for r in names:
        k = _namespace(str(r["name"]))
        if k:
            x = own.setdefault(k, [0.0, 0.0, 0.0])
            x[0] += r["self_a_ns"]
            x[1] += r["self_b_ns"]
            x[2] += r["impact_ns"]
    ratios = [float(r["mean_ratio"]) for r in mine[top]]
    said = (
        f"; {len(mine[top])} of them in {top} (+{fmt_ns(own[top][2])} of own time there in total, "
        f"{min(ratios):.2f}x-{max(ratios):.2f}x per call)"
    )
    order = sorted(own, key=lambda k: -abs(own[k][2]))[:NS_SHOWN]
    line = "By namespace (own time, work or waiting): " + "; ".join(
        f"{k} {fmt_ns(own[k][0])} -> {fmt_ns(own[k][1])} ({'+' if own[k][2] >= 0 else '-'}{fmt_ns(abs(own[k][2]))})"
        for k in order
    )
    return said, line


def _children(name: str, paths: list[dict[str, Any]]) -> list[str]:
    """Changed zones under `name` in the call paths (what an inclusive-only change comes from)."""
    out: list[str] = []
    for r in sorted(paths, key=lambda r: r["kind"] != "wait grew"):  # a wait that grew first: where the time went
        parts = r["name"].split(" > ")
        if (r["kind"] in CHANGED or r["kind"] == "wait grew") and name in parts[:-1]:
            s = f"{parts[-1]} ({r['kind']})"
            if s not in out:
                out.append(s)
    return out[:3]


def _counterparts(
    gone: list[dict[str, Any]], new: list[dict[str, Any]], paths: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any], str, bool]]:
    """(A's row, B's row, the parent path, same cost) for each zone name only in A that has a counterpart only in B
    under the same parent paths with the same call count (within 10 %): renamed when the per-call time is the same
    too (within 25 %), replaced (a new implementation) when not."""

    def parents(name: str, kind: str) -> set[str]:
        return {
            p["name"].rsplit(" > ", 1)[0] if " > " in p["name"] else ""
            for p in paths
            if p["kind"] == kind and p["name"].rsplit(" > ", 1)[-1] == name
        }

    def same_cost(g: dict[str, Any], n: dict[str, Any]) -> bool:
        return abs(n["p50_b_ns"] - g["p50_a_ns"]) <= 0.25 * max(g["p50_a_ns"], 1.0)

    cands = {
        g["name"]: [
            n
            for n in new
            if parents(g["name"], "gone")
            and parents(n["name"], "new") == parents(g["name"], "gone")
            and abs(n["count_b"] - g["count_a"]) <= 0.1 * max(g["count_a"], 1)
        ]
        for g in gone
    }
    out: list[tuple[dict[str, Any], dict[str, Any], str, bool]] = []
    used: set[str] = set()
    # renames first (the same cost); then each other name to the most alike name left (resize_bilinear ->
    # resize_lanczos, not to whichever came first)
    for renames in (True, False):
        for g in gone:
            if any(x[0] is g for x in out):
                continue
            left = [n for n in cands[g["name"]] if n["name"] not in used and same_cost(g, n) == renames]
            if not left:
                continue
            n = max(left, key=lambda n: SequenceMatcher(None, g["name"], n["name"]).ratio())
            used.add(n["name"])
            out.append((g, n, sorted(parents(g["name"], "gone"))[0], renames))
    return out


def _place(where: str) -> str:
    """A parent path as a place: its last two zones ("… > _WorkItem.run > process_image > …"), or "top level"."""
    if not where:
        return "top level"
    parts = where.split(" > ")
    return ("… > " if len(parts) > 2 else "") + " > ".join(parts[-2:]) + " > …"


def _pair_text(g: dict[str, Any], n: dict[str, Any], where: str) -> str:
    return (
        f"{g['name']} -> {n['name']} ({_place(where)}; {g['count_a']} -> "
        f"{n['count_b']} calls, p50 {fmt_ns(g['p50_a_ns'])} -> {fmt_ns(n['p50_b_ns'])})"
    )


@attrs.define
class _Draft:
    """What summarize() writes from (the classified zone names and paths, the frame statistics), what its steps
    decided on the way, and the title and findings as they grow. The steps run in a fixed order, each rewriting the
    title when what it finds outweighs what leads so far: the order is the ranking of the findings."""

    a: Capture
    b: Capture
    names: list[dict[str, Any]]
    paths: list[dict[str, Any]]
    fa: dict[str, Any] | None
    fb: dict[str, Any] | None
    per: str
    min_change: float
    alpha: float
    locs: list[dict[str, Any]]
    by: dict[str, list[dict[str, Any]]]
    lead: str
    reg_all: list[dict[str, Any]]  # every regressed name
    reg: list[dict[str, Any]]  # the regressions the title can tell (no slivers; a regressed location first)
    pairs: list[Any]  # (gone, new, place, same cost) at the same place
    worse: list[Any]  # replacements that cost more, most added first
    split: set[str]  # names told by their source locations or texts instead
    waits_on_lock: str  # the top regression when its added time is mostly a lock wait
    lock_or_leak: str  # title words: the lock the top regression now waits on, a leak one run alone has
    lock_or_leak_lines: list[str]
    top: dict[str, Any] | None  # the regressed name with most impact
    title: str = ""
    lines: list[str] = attrs.field(factory=list)
    job_moves: list[Any] = attrs.field(factory=list)
    uniform: Uniform | None = None
    off_words: str = ""
    context_line: str = ""
    cpu_line: str = ""
    added: list[dict[str, Any]] = attrs.field(factory=list)  # names only B has and no pair explains
    more: list[dict[str, Any]] = attrs.field(factory=list)  # called more often, most added time first
    clocked: set[str] = attrs.field(factory=set)
    more_lines: list[str] = attrs.field(factory=list)
    rival: float = 0.0  # the time added by what leads so far (a regression, more calls)
    gain: Any = None
    moves: list[Any] = attrs.field(factory=list)
    halves: str = ""  # the side that marks two frames per loop, when only one does

    @property
    def body(self) -> str:
        """The title after its lead ("B (...) vs A (...): ")."""
        return self.title[len(self.lead) :]

    def put_first(self, words: str) -> None:
        """Puts `words` first after the lead."""
        self.title = self.title[: len(self.lead)] + words + "; " + self.body


def summarize(
    a: Capture,
    b: Capture,
    names: list[dict[str, Any]],
    paths: list[dict[str, Any]],
    fa: dict[str, Any] | None,
    fb: dict[str, Any] | None,
    per: str,
    min_change: float,
    alpha: float,
    locs: list[dict[str, Any]],
) -> tuple[str, list[str]]:
    """(title, lines) of a comparison: `names` and `paths` as compare() classified them (sorted by impact), the
    frame statistics of each side (None without frames), what counts and totals were compared by (`per`), and the
    parts (source locations, zone texts) that moved where their name's figures hid it."""
    # names by kind, the regressions the title can tell, the pairs of gone and new names, the lock a regressed zone
    # now waits on and a leak one run alone has
    by: dict[str, list[dict[str, Any]]] = {}
    for r in names:
        by.setdefault(r["kind"], []).append(r)
    # a zone that regressed by a sliver of a frame (9x of a microsecond, 21 calls) is listed below, not in the title
    reg_all = by.get("regressed", [])
    reg = [r for r in reg_all if not _negligible(r, fa, SLIVER, b)]
    if locs and (not reg or locs[0]["impact_ns"] >= reg[0]["impact_ns"]):
        # a name several source locations share: the one location that regressed leads, in place of its name
        shared = str(locs[0]["name"]).rsplit(" (", 1)[0]
        reg = [locs[0], *[r for r in reg if r["name"] != shared]]
    pairs = _counterparts(by.get("gone", []), by.get("new", []), paths)
    replaced = [(g, n, w) for g, n, w, same in pairs if not same]
    worse = sorted(
        (x for x in replaced if x[1]["total_b_ns"] > x[0]["total_a_ns"]),
        key=lambda x: -(x[1]["total_b_ns"] - x[0]["total_a_ns"]),
    )
    lead = f"B ({os.path.basename(b.path)}) vs A ({os.path.basename(a.path)}): "
    split = {str(r["name"]).rsplit(" (", 1)[0] for r in locs}  # names told by their parts instead
    top = max(reg_all, key=lambda r: r["impact_ns"], default=None)
    said, more, locked = waits_and_leaks(a, b, top, memory_totals(a)[2], memory_totals(b)[2])
    # a regression whose added time is mostly a lock wait: its calls wait for each other, not for the cores
    waits_on_lock = str(top["name"]) if top is not None and locked >= LOCK_EXPLAINS else ""
    d = _Draft(
        a, b, names, paths, fa, fb, per, min_change, alpha, locs, by, lead, reg_all, reg, pairs, worse, split,
        waits_on_lock, said, more, top,
    )  # fmt: skip
    for step in (
        _lead_words,
        _regression_title,
        _new_work_titles,
        _more_calls_title,
        _weighed_leads,
        _frame_titles,
        _startup_and_improved,
        _finding_lines,
        _rare_and_split_titles,
        _frame_lines,
        _whole_run_titles,
        _beside_the_zones,
    ):
        step(d)
    if d.halves:  # said first, over whatever leads: the frame counts and times of one side are halves
        d.title = f"{d.halves} marks two frames per loop (its frame times are halves, not faster frames); " + d.title
    return d.title, d.lines


def _lead_words(d: _Draft) -> None:
    """The lead: the run's length for the same job (and a step that moved threads), a server's request latency."""
    a, b = d.a, d.b
    if d.per.startswith(AS_THEY_STAND):  # the same work: how much longer it took is the first figure asked for
        sa, sb = (max(c.get_last_time() - c.get_first_time(), 1) for c in (a, b))
        d.lead += (
            f"the run took {fmt_ns(sa)} -> {fmt_ns(sb)} ({(sb - sa) / sa:+.1%}) on the same job (most zones ran "
            "exactly as often); "
        )
        d.job_moves = thread_moves(a, b, d.names, {"median_ns": sa, "frames": 1})
        if d.job_moves:  # a batch job's step moved onto other threads: what bought (or cost) the time
            d.job_moves.sort(key=lambda m: m.by_thread_b.get(m.home, 0) - m.by_thread_a[m.home])  # most moved first
            m = d.job_moves[0]
            d.lead += (
                f"{m.name} moved off {m.home} onto {m.where()} ({m.home}: {fmt_ns(m.by_thread_a[m.home])} -> "
                f"{fmt_ns(m.by_thread_b.get(m.home, 0))}); "
            )
    if d.fa is None or d.fa["what"] != "gameplay frame":  # no main frames (a server): its requests' latency first
        d.lead += unit_latency(a, b, d.alpha)


def _regression_title(d: _Draft) -> None:
    """The title of the regressions (beyond a machine-wide factor, on the frame's path), or that none regressed."""
    a, b, fa, fb = d.a, d.b, d.fa, d.fb
    d.uniform = _uniform_factor([r for r in d.names if r["name"] not in d.split])
    if d.uniform is not None:
        # the zones that rose beyond the machine-wide factor are the regressions; the others only followed it
        parts = [r for r in d.locs if r["self_ratio"] >= d.uniform.factor * UNIFORM_BEYOND]
        d.reg = sorted(d.uniform.beyond + parts, key=lambda r: -r["impact_ns"])
    if d.reg and fa and fb and fa["what"] == "gameplay frame":
        d.reg, d.off_words = off_frame(a, b, d.reg, d.names, fa, fb)
    reg, lead = d.reg, d.lead
    if reg:
        r = reg[0]
        per_frame_reg = (
            f" ({'+' if r['impact_ns'] >= 0 else '-'}"
            f"{fmt_ns(abs(r['total_b_ns'] / fb['frames'] - r['total_a_ns'] / fa['frames']))} per {fa['what']}"
            f"{_summed_over(b, r['name'])})"
            if fa and fb
            else ""
        )
        title = (
            f"{lead}{len(reg)} zone(s) regressed; most impact: {r['name']} "
            f"{r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}), "
            f"{'+' if r['impact_ns'] >= 0 else '-'}{fmt_ns(abs(r['impact_ns']))} in total{per_frame_reg}"
            f"{_runs_only(b, str(r['name']))}."
        )
        context_title, d.context_line = _by_context(a, b, str(r["name"]))
        if not context_title:  # one plain name on several threads: the thread that regressed
            context_title = _by_thread_split(a, b, str(r["name"]))
        cpu_title, d.cpu_line = _on_cpu(a, b, reg)
        d.title = (
            title[:-1]
            + context_title
            + cpu_title
            + _samples_inside(a, b, str(r["name"]))
            + _allocating(a, b, r)
            + ("" if r["name"] == d.waits_on_lock else _more_threads(a, b, str(r["name"])))
            + d.off_words
            + _also_slower(reg)
            + _also_rare(a, b, _rare_moves(d.by.get("unchanged", []), d.alpha), reg[0], title)
            + "."
        )
    else:
        slight = f" by more than {SLIVER:.1%} of a {fa['what'] if fa else 'run'}" if d.reg_all else ""
        d.title = f"{lead}{NO_REGRESSION}{slight}{_wait_grew(a, b, d.by.get('wait grew', []), fa, fb, d.names)}."
    if d.uniform is not None:
        rest = d.body
        if not reg and rest.startswith(NO_REGRESSION):
            # what follows the machine-wide factor says it
            rest = re.sub(r"^ by more than [\d.]+% of a [^;.]*", "", rest[len(NO_REGRESSION) :]).lstrip("; ")
        text = d.uniform.words(build_change(a, b)) + _new_busy_thread(a, b)
        d.title = lead + text + (f": {rest}" if reg else f"; {rest}" if rest not in ("", ".") else ".")


def _new_work_titles(d: _Draft) -> None:
    """New work leads where nothing present in both regressed: a zone only B has (and the zone it runs in), new
    work inside an old zone, or a new implementation in the old one's place that costs more."""
    b, reg, lead, worse = d.b, d.reg, d.lead, d.worse
    paired = {n["name"] for _, n, _, _ in d.pairs}
    d.added = sorted((n for n in d.by.get("new", []) if n["name"] not in paired), key=lambda n: -n["total_b_ns"])
    added = d.added
    grew = d.by.get("through children (slower)", [])
    if added and not reg and not worse:  # new work in an old place is what got slower: say where it runs
        n = added[0]
        host = next((r for r in grew if f"{n['name']} (new)" in _children(r["name"], d.paths)), None)
        rest = d.body
        # after "no zone regressed" (and what follows it), or after the machine-wide factor that said why
        tail = (
            "); no zone present in both regressed beyond noise" + rest[len(NO_REGRESSION) :]
            if rest.startswith(NO_REGRESSION)
            else "); beside it: " + rest
        )
        d.title = (
            f"{lead}most impact: a zone only B has, {n['name']} ({n['count_b']} calls, {fmt_ns(n['total_b_ns'])} "
            f"in total{_new_detail(b, n, d.paths, d.fb)}"
            + (
                f"; inside {host['name']}, which went {fmt_ns(host['mean_a_ns'])} -> {fmt_ns(host['mean_b_ns'])} "
                f"per call, {host['mean_ratio']:.2f}x"
                if host is not None
                else ""
            )
            + tail
        )
    inside = _new_inside(b, grew, d.paths, {n["name"] for n in d.by.get("new", [])})
    if inside is not None and not reg and not worse and inside[0] > (added[0]["total_b_ns"] if added else 0):
        d.title = f"{lead}{inside[1]}; no zone present in both regressed beyond noise" + (
            f"; a zone only B has: {added[0]['name']} ({added[0]['count_b']} calls, {fmt_ns(added[0]['total_b_ns'])})."
            if added
            else "."
        )
    if worse and worse[0][1]["total_b_ns"] - worse[0][0]["total_a_ns"] > (reg[0]["impact_ns"] if reg else 0):
        g, n, w = worse[0]  # a new implementation in the old one's place costs more than any zone slowed per call
        d.title = (
            f"{lead}most impact: {g['name']} replaced by {n['name']} at the same place "
            f"({_place(w)}; {g['count_a']} -> {n['count_b']} calls), "
            f"{n['mean_b_ns'] / max(g['mean_a_ns'], 1.0):.2f}x per call ({fmt_ns(g['mean_a_ns'])} -> "
            f"{fmt_ns(n['mean_b_ns'])}), +{fmt_ns(n['total_b_ns'] - g['total_a_ns'])} in total"
            + (f"; beside it: {d.body}" if reg else ".")
        )


def _more_calls_title(d: _Draft) -> None:
    """The same work called more often leads when it added more than any zone slowed per call (with its calls by
    zone text when the texts changed)."""
    a, b, fa, fb, reg, per = d.a, d.b, d.fa, d.fb, d.reg, d.per
    d.clocked = _clocked(a, b, d.by.get("more calls", [])) if per.startswith(AS_THEY_STAND) else set()
    d.more = sorted(
        (r for r in d.by.get("more calls", []) if r["name"] not in d.split and r["name"] not in d.clocked),
        key=lambda r: -(r["total_b_ns"] - r["total_a_ns"]),
    )
    if not d.more or (reg and d.more[0]["total_b_ns"] - d.more[0]["total_a_ns"] <= reg[0]["impact_ns"]):
        return
    r = d.more[0]
    diff = r["total_b_ns"] - r["total_a_ns"]
    frame_d = (
        f" ({'+' if diff >= 0 else '-'}{fmt_ns(abs(r['total_b_ns'] / fb['frames'] - r['total_a_ns'] / fa['frames']))}"
        f" per {fa['what']}{_summed_over(b, r['name'])})"
        if fa and fb
        else ""
    )
    slower = (
        f"; {len(reg)} zone(s) also slower per call, most: {reg[0]['name']} {reg[0]['mean_ratio']:.2f}x"
        if reg
        else "; no zone slower per call beyond noise"
    )
    # the ratio the counts were compared by: per frame, or per second when the runs differ in length
    times = r["count_ratio"] if np.isfinite(r["count_ratio"]) else r["count_b"] / max(r["count_a"], 1)
    rate = f" {per.split(' (')[0]}" if per and not per.startswith(AS_THEY_STAND) else ""
    per_frame = (
        f", {r['count_a'] / fa['frames']:.3g} -> {r['count_b'] / fb['frames']:.3g} per {fa['what']}"
        if fa and fb
        else ""
    )
    # a side with a few calls tests nothing per call: say the times, not that they held
    held = not _too_rare(r, d.alpha) or 1 / RARE_RATIO < r["mean_ratio"] < RARE_RATIO
    per_call = f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}"
    same_time = (
        f"at the same time per call ({per_call})"
        if held and abs(np.log(max(r["mean_ratio"], 1e-9))) <= np.log(1 + PER_CALL_MOVED)
        else f"each call {r['mean_ratio']:.2f}x as long ({per_call})"
        if held
        else f"(per call {per_call}; too few calls on one side to test)"
    )
    d.title = (
        f"{d.lead}most impact: {r['name']} is called {times:.2f}x "
        f"as often{rate} ({r['count_a']} -> {r['count_b']} calls{per_frame}) {same_time}, "
        f"+{fmt_ns(diff)} in total{frame_d}{_new_caller(r, d.paths, fb)}{slower}."
    )
    texts = _text_counts(a, r["name"]), _text_counts(b, r["name"])
    if texts[0] != texts[1] and (texts[0] or texts[1]):  # what the extra calls are for, by their zone text
        d.more_lines = [
            f"{r['name']} by zone text: A " + (_texts(texts[0]) or "(none)") + "; B " + (_texts(texts[1]) or "(none)")
        ]


def _weighed_leads(d: _Draft) -> None:
    """The regressions' subsystem; new work that outweighs what changed in the old zones; a wait that grew by most
    of the frame's growth where the regressions add little of it."""
    a, b, fa, fb, reg, lead, added, more = d.a, d.b, d.fa, d.fb, d.reg, d.lead, d.added, d.more
    spaces = _by_namespace(d.names, reg)
    if spaces is not None:  # the regressions share a subsystem's prefix: that is the answer to "which subsystem"
        said, line = spaces
        d.title = d.title[:-1] + said + "."
        d.more_lines.append(line)
    d.rival = max(
        [reg[0]["impact_ns"] if reg else 0.0] + [float(more[0]["total_b_ns"] - more[0]["total_a_ns"]) if more else 0.0]
    )
    if added and d.rival > 0 and added[0]["total_b_ns"] * scale_of(fa, fb) >= NEW_LEADS * d.rival:
        n = added[0]  # new work (a save, a wait for space) outweighs what changed in the old zones: it leads
        body = d.body
        body = body[len("most impact: ") :] if body.startswith("most impact: ") else body
        d.title = (
            f"{lead}most impact: a zone only B has, {n['name']} ({n['count_b']} calls, {fmt_ns(n['total_b_ns'])} in "
            f"total{_new_detail(b, n, d.paths, fb)}); beside it: {body}"
        )
    if (
        reg
        and d.uniform is None
        and fa
        and fb
        and fb["median_ns"] > fa["median_ns"]
        and d.title.startswith(f"{lead}{len(reg)} zone(s) regressed")
    ):
        # the regressions add a small part of the frame's growth, a wait grew by most of it: the wait leads
        grown = sum(abs(x["total_b_ns"] / fb["frames"] - x["total_a_ns"] / fa["frames"]) for x in reg)
        waited = _wait_grew(a, b, d.by.get("wait grew", []), fa, fb, d.names)
        if waited and grown < SMALL_BESIDE * (fb["median_ns"] - fa["median_ns"]):
            d.title = f"{lead}{waited.lstrip('; ')}; beside it: {d.body}"


def _frame_titles(d: _Draft) -> None:
    """With frames in both: what bought a faster frame, work moved onto the thread whose frames it holds up, or
    parallel work waited for; the median frame's change, an interval crossed and a pacer late."""
    a, b, fa, fb, lead = d.a, d.b, d.fa, d.fb, d.lead
    if fa is None or fb is None:
        return
    d.moves = thread_moves(a, b, d.names, fa)
    p_frames = mann_whitney(fa["durs"], fb["durs"])[0]
    top_new = d.added[0]["total_b_ns"] * scale_of(fa, fb) if d.added else 0.0
    body = d.body
    if p_frames < d.alpha and fb["median_ns"] < (1 - d.min_change) * fa["median_ns"]:
        d.gain = top_gain(d.names, d.moves, fa, fb)
        if d.gain is not None and d.gain.saved_ns * fa["frames"] > max(d.rival, top_new):
            # the frame got faster: what bought it answers first, what got worse beside it
            d.title = f"{lead}most gain: {d.gain.text}; " + (
                body if body.startswith(NO_REGRESSION) else f"beside it: {body}"
            )
        else:
            d.gain = None
    cost, hitch = move_hitch(b, d.names, d.moves, fa)
    waited = move_waited(a, b, d.names, d.moves, fa, fb) if d.gain is None else ""
    if d.gain is None and hitch and cost > max(d.rival, top_new):
        # the same work, moved onto the thread whose frames it now holds up
        d.title = f"{lead}most impact: {hitch}; " + (
            "no zone slower per call beyond noise." if body.startswith(NO_REGRESSION) else f"beside it: {body}"
        )
    elif waited:  # parallelized, and waited for: "why did the frame not get faster?"
        d.title = f"{lead}{waited}; " + (body if body.startswith(NO_REGRESSION) else f"beside it: {body}")
    if p_frames < d.alpha and abs(fb["median_ns"] / fa["median_ns"] - 1) >= d.min_change / 5:
        d.title = d.title.replace(
            ": ",
            f": median {fa['what']} {fmt_ns(fa['median_ns'])} -> {fmt_ns(fb['median_ns'])} "
            f"({fb['median_ns'] / fa['median_ns'] - 1:+.1%}); ",
            1,
        )
    d.title = d.title[:-1] + crossed_interval(a, b, d.names, fa, fb) + "."
    late = pacer_late(a, b)
    figures = f"({fb['median_ns'] / fa['median_ns'] - 1:+.1%}); "
    if late and figures in d.title:  # the frames grew in their limiter: that leads whatever else moved
        d.title = d.title.replace(figures, f"{figures}{late}; ", 1)
    elif late:
        d.title = f"{d.title[:-1]}; {late}."


def _startup_and_improved(d: _Draft) -> None:
    """A start-up that took longer (or shorter) first; the improvements last."""
    a, b = d.a, d.b
    # the program's own part: the profiler's start before it varies by a tenth of a second from run to run
    sa, sb = program_startup_ns(a), program_startup_ns(b)
    if sa and sb and abs(sb - sa) >= max(STARTUP_CHANGE * sa, STARTUP_DELTA_NS):  # the run took longer to start
        way = "+" if sb > sa else "-"
        shift = f"{fmt_ns(sa)} -> {fmt_ns(sb)} ({way}{fmt_ns(abs(sb - sa))}, {sb / sa - 1:+.0%})"
        what = startup_what(b) if markless(b) else "the first frame mark, from the program's start"
        d.title = d.title.replace(": ", f": start-up (to {what}) {shift}{_startup_growth(a, b)}; ", 1)
    if d.by.get("improved"):
        r = d.by["improved"][0]
        most = f", most: {r['name']} {_improved(r)}" if d.gain is None or d.gain.name != r["name"] else ""
        d.title = d.title[:-1] + f"; {len(d.by['improved'])} improved{most}."


def _finding_lines(d: _Draft) -> None:
    """The findings by kind of change: regressed (a part of the calls that moved may lead the title), improved,
    count changed, more or fewer calls, new and gone, renamed and replaced, through children, waits."""
    a, b, fa, by, lines = d.a, d.b, d.fa, d.by, d.lines
    lines.append(
        "Beyond noise = Mann-Whitney p < "
        f"{d.alpha:g} (or, when a part of the calls moved, far more than a tenth of one run's calls beyond the other's "
        f"p90) and a change of at least {fmt_pct(d.min_change)}"
        + (f"; counts and totals compared {d.per}" if d.per else "")
        + ". Zone names: "
        + ", ".join(f"{len(v)} {k}" for k, v in sorted(by.items(), key=lambda kv: kv[0] == "unchanged"))
        + "."
    )
    lines += [m.line() for m in d.job_moves[:3]]
    if d.names and all(r["kind"] in ("new", "gone") for r in d.names):
        lines.append("The captures share no zone name: they do not look like two runs of the same program.")
    elif a.get_capture_program() != b.get_capture_program():
        lines.append(f"Note: different programs ({a.get_capture_program()!r} vs {b.get_capture_program()!r}).")
    slivers = [r for r in d.reg_all if r not in d.reg]
    if slivers:
        lines.append(
            f"Regressed by under {SLIVER:.1%} of a {fa['what'] if fa else 'run'} (left out of the title): "
            + "; ".join(f"{r['name']}: {_per_call(r)}; {_totals(r)}" for r in slivers[:3])
        )
    if d.reg:
        _regressed_lines(d)
    if by.get("improved"):
        lines.append("Improved (own time per call down):")
        lines.extend(
            f"  {r['name']}: {_per_call(r)}; {_totals(r)}" + (f"; {_own_moved(r)}" if r["mean_ratio"] > 1 else "")
            for r in by["improved"][:6]
        )
    if by.get("count changed only"):
        lines.append("Call count changed, total time did not (the same work in more or fewer calls; not a regression):")
        lines.extend(
            f"  {r['name']}: {r['count_a']} -> {r['count_b']} calls ({r['count_ratio']:.2f}x), total "
            f"{fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])} ({r['total_ratio']:.3f}x), per call "
            f"{fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} ({r['mean_ratio']:.2f}x)"
            + _count_by_text(a, b, str(r["name"]))
            for r in by["count changed only"][:6]
        )
    lines.extend(d.more_lines)
    lines.extend(m.line() for m in d.moves)
    for kind, what in (
        ("more calls", "Called more often (the time per call held unless given)"),
        ("fewer calls", "Called less often (the time per call held unless given)"),
    ):
        if by.get(kind):
            lines.append(
                f"{what}: "
                + "; ".join(
                    f"{r['name']} ({_totals(r)}"
                    + (
                        f", per call {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])}"
                        if abs(np.log(max(r["mean_ratio"], 1e-9))) > np.log(1 + PER_CALL_MOVED)
                        else ""
                    )
                    + (
                        "; in step with the run's length: a loop that runs as long as the job)"
                        if r["name"] in d.clocked
                        else ")"
                    )
                    for r in by[kind][:5]
                )
            )
    for kind, what, side in (("new", "Only in B", "b"), ("gone", "Only in A", "a")):
        rows = by.get(kind, [])
        if rows:
            lines.append(
                f"{what}: "
                + "; ".join(
                    f"{r['name']} ({r[f'count_{side}']} calls, {fmt_ns(r[f'total_{side}_ns'])})" for r in rows[:5]
                )
                + (f"; ... {len(rows) - 5} more" if len(rows) > 5 else "")
            )
    renamed = [_pair_text(g, n, w) for g, n, w, same in d.pairs if same]
    if renamed:
        lines.append(
            "Likely renamed (only in A -> only in B at the same place, same calls and cost): " + "; ".join(renamed)
        )
    replaced = [(g, n, w) for g, n, w, same in d.pairs if not same]
    if replaced:
        lines.append(
            "Replaced (only in A -> only in B at the same place, same calls, another cost): "
            + "; ".join(
                f"{_pair_text(g, n, w)[:-1]}, total {fmt_ns(g['total_a_ns'])} -> {fmt_ns(n['total_b_ns'])})"
                for g, n, w in replaced
            )
        )
    incl = by.get("through children (slower)", []) + by.get("through children (faster)", [])
    if incl:
        lines.append("Through children (only a child changed; own time unchanged; not regressions):")
        for r in incl[:6]:
            kids = _children(r["name"], d.paths)
            lines.append(
                f"  {r['name']} {r['mean_ratio']:.3f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
                + (f": includes {', '.join(kids)}" if kids else "")
            )
    waits = by.get("wait shrank", []) + by.get("wait grew", [])
    if waits:
        lines.append("Waits (their time follows the work around them; neither regressions nor improvements):")
        lines.extend(
            f"  {r['name']} ({r['wait']}): {_per_call(r)}; total {'+' if r['impact_ns'] >= 0 else '-'}"
            f"{fmt_ns(abs(r['impact_ns']))}"
            for r in waits[:4]
        )


def _regressed_lines(d: _Draft) -> None:
    """The regressed names and paths; when the top one's median held, the part of its calls that moved (which
    then leads its place in the title, over the mean of all its calls)."""
    a, b, reg, lines = d.a, d.b, d.reg, d.lines
    lines.append("Regressed (own time per call up):")
    lines.extend(
        f"  {r['name']}: {_per_call(r)}; {_totals(r)}; p={min(r['p_value'], r['p_part']):.1g}" for r in reg[:6]
    )
    apart = _apart(a, b, str(reg[0]["name"]))
    if apart:
        lines.append(f"  {reg[0]['name']}: {apart}")
    r = reg[0]
    if r["part_b"] >= PART_TAIL_SHARE and r["p50_b_ns"] < (1 + d.min_change) * r["p50_a_ns"]:
        part = _slow_part(a, b, str(r["name"]), float(r["part_b"]))
        lines.append(
            f"  {r['name']}: its median held, but {fmt_pct(r['part_b'])} of its calls in B took longer than 90% "
            f"of A's (A's p90 {fmt_ns(r['p90_a_ns'])}; about 10% by chance): a part of its calls got slower{part}"
        )
        if part and d.title.startswith(d.lead) and f"most impact: {r['name']} " in d.title:
            # the median held: the calls that moved are the finding, not the mean over all of them
            d.title = d.title.replace(
                f"most impact: {r['name']} ",
                f"most impact: {r['name']} ({part[2:]}; over all calls) ",
                1,
            )
    if d.context_line:
        lines.append(d.context_line)
    if d.cpu_line:
        lines.append(d.cpu_line)
    lines.extend(
        f"  path {r['name']}: {r['mean_ratio']:.2f}x per call"
        for r in [p for p in d.paths if p["kind"] == "regressed"][:4]
    )


def _rare_and_split_titles(d: _Draft) -> None:
    """Gone and new names that weigh in the frame; zones run too rarely to test whose time moved far; the same work
    cut into more (or fewer) calls; the unchanged names' largest move."""
    a, b, fa, fb, reg, lead = d.a, d.b, d.fa, d.fb, d.reg, d.lead
    same = d.by.get("unchanged", [])
    d.title = _gone_words(d.title, d.by.get("gone", []), {id(g) for g, *_ in d.pairs}, fa)
    d.title = _gone_words(d.title, d.by.get("new", []), {id(n) for _, n, *_ in d.pairs}, fa, side="b")
    rare = _rare_moves(same, d.alpha)
    if rare:  # run once or a few times: no test can tell, but a 3x save is no noise
        d.lines.append(
            "Run too rarely to test (a one-off or a few calls), per call: "
            + "; ".join(_rare_words(a, b, r) for r in rare[:RARE_SHOWN])
        )
        if NO_REGRESSION in d.title:
            r = rare[0]
            d.title = d.title.replace(
                NO_REGRESSION,
                f"{NO_REGRESSION} among the zones run often enough to test; run too rarely to test, "
                f"{'slower' if r['mean_ratio'] > 1 else 'faster'}: {_rare_words(a, b, r)}",
                1,
            )
        elif reg and fa and fb and re.match(r"(median [^;]*; )?\d+ zone\(s\) regressed", d.body):
            # only over a plain regression: a move or a new zone that leads already tells what made the one-off slow
            d.title = _rare_leads(a, b, d.title, lead, rare, reg[0], fa, fb)
    split_up = d.by.get("count changed only", [])
    if split_up and d.title.endswith(f"{NO_REGRESSION}."):  # the same work cut into more (or fewer) pieces
        r = max(split_up, key=lambda r: r["total_a_ns"])
        d.title = (
            d.title[:-1] + f"; the same work in {r['count_ratio']:.2f}x as many calls: {r['name']} {r['count_a']} -> "
            f"{r['count_b']} calls, {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call (total "
            f"{fmt_ns(r['total_a_ns'])} -> {fmt_ns(r['total_b_ns'])})."
        )
    if same:
        big = [r for r in same if r["count_a"] >= 10 and r["mean_ratio"] > 0]
        dev = max(big, key=lambda r: abs(np.log(r["mean_ratio"])), default=None)
        d.lines.append(
            f"Unchanged (within noise): {len(same)} zone names"
            + (
                f"; the largest per-call change among them: {dev['name']} {dev['mean_ratio']:.3f}x "
                f"({fmt_ns(dev['mean_a_ns'])} -> {fmt_ns(dev['mean_b_ns'])})"
                if dev
                else ""
            )
            + "."
        )


def _frame_lines(d: _Draft) -> None:
    """The frame statistics of A and B, and the loop's parts."""
    fa, fb = d.fa, d.fb
    if fa and fb:
        p = mann_whitney(fa["durs"], fb["durs"])[0]
        moved = p < d.alpha and abs(fb["median_ns"] / fa["median_ns"] - 1) >= d.min_change / 5
        longer = long_frames(fa, fb)  # more frames missed their interval: the frame time did not hold
        d.lines.append(
            f"{fa['what'][0].upper()}{fa['what'][1:]}s: A {fa['frames']}, median {fmt_ns(fa['median_ns'])}, "
            f"p90 {fmt_ns(fa['p90_ns'])}, "
            f"p99 {fmt_ns(fa['p99_ns'])}, max {fmt_ns(fa['max_ns'])}; B {fb['frames']}, median "
            f"{fmt_ns(fb['median_ns'])}, p90 {fmt_ns(fb['p90_ns'])}, p99 {fmt_ns(fb['p99_ns'])}, max "
            f"{fmt_ns(fb['max_ns'])}; "
            + (
                "a change beyond noise"
                if moved
                else "the median held, but the durations moved beyond noise"
                if p < d.alpha
                else "no change beyond noise"
            )
            + f" (p={p:.2g})."
            + longer
            + ("" if moved or longer or not (d.reg or d.by.get("improved")) else slack(d.names, fa))
        )
        loop_parts = frame_breakdown(d.a, d.b)
        if loop_parts:
            d.lines.append(loop_parts + ".")
    elif fa or fb:
        d.lines.append("Frames: only one of the captures has frame marks.")


def _whole_run_titles(d: _Draft) -> None:
    """What no zone's time shows, put first: half-loop frames on one side, frames queued longer between threads,
    hitches that come more (or less) often, frames that alternate; then the machine-wide factor and the source
    locations' lines."""
    a, b, fa, fb, lines = d.a, d.b, d.fa, d.fb, d.lines
    halves = {side: paired_marks(c, frame_phases(c)) for side, c in (("A", a), ("B", b))}
    if halves["A"] != halves["B"] and any(halves.values()):
        # one side marks two frames per loop: its frame count and times are halves, not a change of speed
        side = "A" if halves["A"] else "B"
        lines.insert(0, f"{side}: {halves[side]} Compare loops, not frames.")
        d.halves = side
    deeper = pipeline_change(a, b)
    if deeper:  # frames queued longer between threads: latency that no zone's time and no frame time shows
        lines.insert(0, deeper + "; ctx.frame_pipeline() on each.")
        if NO_REGRESSION in d.title:
            d.put_first(deeper)
    hitches, hitch_culprit = hitch_change(a, b, fa, fb)
    if hitches:  # one hitch coming more often moves no zone's per-call time: it leads
        fewer = " less often" in hitches.split(":")[0]
        # fewer hitches beside a regression is a side note, unless that regression is too small to matter; so
        # are fewer frames over 2x a median that itself grew (B's slow mark moved up with its frames)
        frames_grew = bool(fa and fb and fb["median_ns"] > (1 + d.min_change) * fa["median_ns"])
        told = bool(hitch_culprit) and f"{hitch_culprit} moved onto" in d.title  # the move already leads
        if not told and (not fewer or ((not d.reg or _negligible(d.reg[0], fa)) and not frames_grew)):
            extra = ""
            if fewer and fa and fb and d.gain is None:  # what took the hitches away: work moved off the frame's thread
                took = top_gain(d.names, d.moves, fa, fb)
                extra += f"; most gain: {took.text}" if took is not None else ""
            price = next((r for r in _rare_moves(d.by.get("unchanged", []), d.alpha) if r["mean_ratio"] > 1), None)
            if fewer and price is not None and "run too rarely to test" not in d.title:  # the price paid elsewhere
                extra += f"; at a cost, run too rarely to test: {_rare_words(a, b, price)}"
            d.put_first(hitches + extra)
        lines.insert(0, hitches + " (ctx.slow_frames() on each).")
    alternation = alternation_change(a, b, fa) if fa and fb else ""
    if alternation:  # the mean holds and few frames pass 2x the median: the unevenness is the change, first
        d.put_first(alternation)
        lines.insert(0, alternation + " (ctx.slow_frames() on each).")
    if d.uniform is not None:
        moved = sorted(d.uniform.moved, key=lambda r: -abs(r["impact_ns"]))
        lines.insert(
            0,
            f"Machine-wide: {len(moved)} zone names ran about {d.uniform.factor:.2f}x per call (their own time), the "
            "most added: "
            + "; ".join(
                f"{r['name']} {r['self_ratio']:.2f}x ({'+' if r['impact_ns'] >= 0 else '-'}"
                f"{fmt_ns(abs(r['impact_ns']))})"
                for r in moved[:4]
            )
            + ": the same factor everywhere is the machine, not the code.",
        )
    if d.locs:
        lines.append(
            "By source location or zone text (zone names that stand for several things: plain ZoneScoped's "
            "function names, a job zone with the job's type as its text): "
            + "; ".join(
                f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])} per call "
                f"({r['mean_ratio']:.2f}x), {'+' if r['impact_ns'] >= 0 else '-'}{fmt_ns(abs(r['impact_ns']))}"
                for r in d.locs[:3]
            )
            + "; the name's other parts held."
        )


def _on_cpu(a: Capture, b: Capture, reg: list[dict[str, Any]]) -> tuple[str, str]:
    """(title part, line) when both captures have context switches: the regressed zones' time on a CPU per call in
    A and B. When it held while the wall time grew, the zone's own work did not change: its thread waited for a
    core (other load took it) or slept more. ("", "") without context switches on their threads."""
    parts, first = [], ""
    for i, r in enumerate(reg[:4]):
        split = []
        for c in (a, b):
            rows = ended_calls(c, str(r["name"]))
            got = time_split(c, rows)
            if got is None:
                break
            split.append((*(x / max(len(rows), 1) for x in got),))
        if len(split) < 2:
            continue
        (on_a, _, _), (on_b, sleep_b, core_b) = split
        parts.append(
            f"{r['name']} {fmt_ns(on_a)} -> {fmt_ns(on_b)} (wall {fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
        )
        held = on_b <= CPU_HELD * on_a and r["mean_b_ns"] - r["mean_a_ns"] > 2 * max(on_b - on_a, 0.0)
        if i == 0 and held:
            why = (
                f"it waited for a core (runnable, not running) {fmt_ns(core_b)} per call in B"
                if core_b >= sleep_b
                else f"its thread slept {fmt_ns(sleep_b)} per call in B"
            )
            first = (
                f"; on a CPU it took {fmt_ns(on_a)} -> {fmt_ns(on_b)} per call (context switches): its own work "
                f"held, {why}"
            )
    if not parts:
        return "", ""
    return first, "  On a CPU per call (context switches): " + "; ".join(parts)


def _clocked(a: Capture, b: Capture, rows: list[dict[str, Any]]) -> set[str]:
    """The zones called more often only because the same job ran longer (a loop that polls or prefetches until the
    job ends): their count moved by the run's length ratio, to within CLOCKED."""
    sa, sb = (max(c.get_last_time() - c.get_first_time(), 1) for c in (a, b))
    run = sb / sa
    if abs(run - 1) < CLOCKED:
        return set()
    return {str(r["name"]) for r in rows if r["count_a"] > 0 and abs(r["count_b"] / r["count_a"] / run - 1) <= CLOCKED}


def _new_detail(b: Capture, n: dict[str, Any], paths: list[dict[str, Any]], fb: dict[str, Any] | None) -> str:
    """', 8.64 ms per gameplay frame; most of it in Render::WaitForGpuReadback, a wait for RenderThread': what a
    new zone costs a frame, and the new wait inside it that holds most of its time (a new sync point)."""
    # per frame only for work in most frames: a one-off's time spread over the frames says nothing
    out = (
        f", {fmt_ns(n['total_b_ns'] / fb['frames'])} per {fb['what']}"
        if fb and n["count_b"] >= fb["frames"] / 2
        else ""
    )
    inside = [r for r in paths if r["kind"] == "new" and f"{n['name']} > " in r["name"] and r.get("wait")]
    if not inside:
        return out
    w = max(inside, key=lambda r: r["total_b_ns"])
    if w["total_b_ns"] < 0.5 * n["total_b_ns"]:
        return out
    leaf = str(w["name"]).rsplit(" > ", 1)[-1]
    ph = frame_phases(b)
    win = ph.window() if ph is not None else None
    names = b._srclocs().names
    found = [z for z in wait_zones(b, *win, ph) if names[z.name_idx] == leaf] if win is not None else []
    whom = f", a wait for {found[0].waits_for}" if found and found[0].waits_for else f" ({w['wait']})"
    return out + f"; {fmt_pct(w['total_b_ns'] / n['total_b_ns'])} of it in {leaf}{whom}"


def _wait_grew(
    a: Capture,
    b: Capture,
    grew: list[dict[str, Any]],
    fa: dict[str, Any] | None,
    fb: dict[str, Any] | None,
    names: list[dict[str, Any]],
) -> str:
    """'; the frames grew in a wait: <zone> (waits for other threads) x -> y per call (+z per gameplay frame);
    threads gone in B: ...' when no zone regressed (or those that did add little) and a wait grew by most of the
    frames' growth: the work it waits for spread over fewer threads, gathered onto one (gathered), ran elsewhere, or
    started later in the frame (waited_job); '' otherwise."""
    if not grew or not fa or not fb:
        return ""
    w = max(grew, key=lambda r: r["impact_ns"])
    per_frame = w["impact_ns"] / max(fa["frames"], 1)
    frame_growth = fb["median_ns"] - fa["median_ns"]
    if frame_growth <= 0 or per_frame < WAIT_EXPLAINS * frame_growth:
        return ""
    _, gone, resized = thread_changes(a, b)
    fewer = [f"{n} x{na} -> x{nb}" for n, na, nb in resized if nb < na]
    out = (
        f"; the frames grew in a wait: {w['name']} ({w['wait']}) {fmt_ns(w['mean_a_ns'])} -> "
        f"{fmt_ns(w['mean_b_ns'])} per call (+{fmt_ns(per_frame)} per {fa['what']})"
    )
    if gone or fewer:  # the jobs queue for fewer threads: a job starting later is that, not an overlap lost
        return out + "; fewer threads in B: " + ", ".join([*(f"{n} gone" for n in sorted(set(gone))[:4]), *fewer[:3]])
    together = gathered(a, b, names, fa, fb)
    if together:  # the work it waits for no longer shares out over the threads
        return f"{out}: {together}"
    return out + started_later(a, b, str(w["name"]), float(w["mean_b_ns"] - w["mean_a_ns"]))


def _new_caller(r: dict[str, Any], paths: list[dict[str, Any]], fb: dict[str, Any] | None) -> str:
    """'; the added calls come from a call path only B has: Battle::Update > AI::PlanTurn > AI::EvaluateCover (2400
    calls, 8 per gameplay frame)' when one new path of zone `r` holds most of its added calls; '' otherwise."""
    leaf = f" > {r['name']}"
    new = [p for p in paths if p["kind"] == "new" and str(p["name"]).endswith(leaf)]
    added = int(r["count_b"]) - int(r["count_a"])
    if not new or added <= 0:
        return ""
    top = max(new, key=lambda p: int(p["count_b"]))
    if int(top["count_b"]) < NEW_CALLER_SHARE * added:
        return ""
    per = f", {int(top['count_b']) / fb['frames']:.3g} per {fb['what']}" if fb else ""
    caller = str(top["name"])[: -len(leaf)]
    return f"; the added calls come from a call path only B has: {caller} ({int(top['count_b'])} calls{per})"


def _also_rare(a: Capture, b: Capture, rare: list[dict[str, Any]], top: dict[str, Any], title: str) -> str:
    """'; run too rarely to test, also slower: Dungeon::GenerateRoom 19.69 ms -> 44.18 ms (2.24x; 6 -> 6 calls)':
    the zones run a handful of times (RARE_CALLS or more, yet too few for the test: `rare`, _rare_moves) whose own
    time grew by ALSO_SHARE of the top regression's added time at least (a floor change's generator that runs 6
    times; not its parents, which only contain it), ALSO_SHOWN at most, and not told in `title` already."""
    slower = [
        r
        for r in rare
        if r["mean_ratio"] > 1
        and min(r["count_a"], r["count_b"]) >= RARE_CALLS  # the one-offs lead or follow elsewhere (_rare_leads)
        and r["self_b_ns"] - r["self_a_ns"] >= ALSO_SHARE * top["impact_ns"]
        and f"{r['name']} {fmt_ns(r['mean_a_ns'])} -> " not in title
    ][:ALSO_SHOWN]
    return "; run too rarely to test, also slower: " + ", ".join(_rare_words(a, b, r) for r in slower) if slower else ""


def _also_slower(reg: list[dict[str, Any]]) -> str:
    """'; also slower: Hitbox::Resolve 1.91x per call (1.16 ms -> 2.21 ms), ...': the regressions after the first
    (`reg`, most impact first) adding ALSO_SHARE of its time at least, ALSO_SHOWN at most, so "what got slower" is
    answered whole in the title; '' without them."""
    rest = [x for x in reg[1:] if x["impact_ns"] >= ALSO_SHARE * reg[0]["impact_ns"]][:ALSO_SHOWN]
    if not rest:
        return ""
    return "; also slower: " + ", ".join(
        f"{r['name']} {r['mean_ratio']:.2f}x per call ({fmt_ns(r['mean_a_ns'])} -> {fmt_ns(r['mean_b_ns'])})"
        for r in rest
    )


def _startup_growth(a: Capture, b: Capture) -> str:
    """' (in it Routes::BuildTrie 144.0 ms -> 997.3 ms of own time)': the zone whose own time inside the start-up
    moved most, when it is most of the start-up's change ('' otherwise): a start-up zone runs once, too few calls
    for the per-call tests."""
    own = []
    for c in (a, b):
        win = startup_window(c)
        if win is None:
            return ""
        t, sl = c._cpu(), c._srclocs()
        rows = np.flatnonzero(t.valid & (t.start >= win[0]) & (t.end <= win[1]))
        per_name = np.bincount(sl.name_idx[t.srcloc[rows]], weights=c.self_time_array()[rows].astype(np.float64))
        own.append({str(sl.names[i]): float(per_name[i]) for i in np.flatnonzero(per_name)})
    names = set(own[0]) | set(own[1])
    delta = {n: own[1].get(n, 0.0) - own[0].get(n, 0.0) for n in names}
    top = max(names, key=lambda n: abs(delta[n]), default="")
    change = program_startup_ns(b) - program_startup_ns(a)
    if not top or abs(delta[top]) < STARTUP_EXPLAINS * abs(change) or delta[top] * change <= 0:
        return ""
    return f" (in it {top} {fmt_ns(own[0].get(top, 0.0))} -> {fmt_ns(own[1].get(top, 0.0))} of own time)"


def _samples_inside(a: Capture, b: Capture, name: str) -> str:
    """'; CPU samples inside it: compute_coeffs 0 -> 877 (only in B)' when both captures have CPU samples and one of
    the program's functions under the regressed zone gained most of its added samples: what the zone now does
    that its zones cannot show."""
    if not (a._db.rows("samples") and b._db.rows("samples")):
        return ""
    try:
        fa, fb = (program_functions(c.hot_functions(n=50, name=name).table, "incl_samples") for c in (a, b))
    except NotFoundError:
        return ""
    if not fb:
        return ""
    added = {f: fb.get(f, 0.0) - fa.get(f, 0.0) for f in set(fa) | set(fb)}
    top = max(added, key=lambda f: added[f])
    if added[top] < SAMPLES_MIN or added[top] < SAMPLES_SHARE * max(fb.values()):
        return ""
    only = " (only in B)" if top not in fa else ""
    return f"; CPU samples inside it: {top} {fa.get(top, 0.0):.0f} -> {fb[top]:.0f}{only}"


def _more_threads(a: Capture, b: Capture, name: str) -> str:
    """'; it ran on 8 threads in A and 32 in B, on a 2-core machine: ...' when a regressed zone ran on many more
    threads in B than there are cores (a grown pool: its calls share the cores and each takes longer)."""
    na, nb = threads_running(a, name), threads_running(b, name)
    cores = host_cores(b)
    if nb < THREADS_GREW * max(na, 1) or cores <= 0 or nb <= cores:
        return ""
    return (
        f"; it ran on {na} thread(s) in A and {nb} in B, on a {cores}-core machine: with more threads than cores "
        "its calls share them, so each takes longer"
    )


def _runs_only(ctx: Capture, name: str) -> str:
    """' (it runs only 2.43-4.43 s of B's 7.53 s: from "Level docks started" to "Loading level: city")' when zone
    `name` runs in one stretch of the capture (a level, a mode), named by the program's one-off messages at its ends:
    "which part of the game" answered; '' when it runs all along."""
    rows = ended_calls(ctx, name)
    if len(rows) < RARE_CALLS:
        return ""
    t = ctx._cpu()
    s, e = int(t.start[rows].min()), int(t.end[rows].max())
    first, last = int(ctx.get_first_time()), int(ctx.get_last_time())
    if e - s > RUNS_ONLY * (last - first):
        return ""
    near = int(max(NEAR_MESSAGE_NS, 0.02 * (last - first)))
    before, after = one_off_before(ctx, s, near), one_off_after(ctx, e, near)
    ends = (
        f": from {clip_text(before.text, 50)!r} to {clip_text(after.text, 50)!r}"
        if before and after
        else f": after {clip_text(before.text, 50)!r}"
        if before
        else f": until {clip_text(after.text, 50)!r}"
        if after
        else ""
    )
    return f"; it runs only {(s - first) / 1e9:.2f}-{(e - first) / 1e9:.2f} s of B's {(last - first) / 1e9:.2f} s{ends}"


def _summed_over(ctx: Capture, name: str) -> str:
    """ ", summed over its N threads" when zone `name` runs on more than one thread: its time per frame then adds
    the threads' times, which can exceed what the frame itself grew."""
    n = threads_running(ctx, name)
    return f", summed over the {n} threads it runs on" if n > 1 else ""


def _beside_the_zones(d: _Draft) -> None:
    """Beside the zone timings: the lock the top regression now waits on or a leak one run alone has, memory held
    at the peak, passes that moved on the GPU, another frame set's hitches; the lines on threads, messages, memory
    and locks last."""
    a, b = d.a, d.b
    lead = d.lead[: d.lead.index(": ") + 2]  # "B (...) vs A (...): ", without what the lead told after it
    if d.lock_or_leak:  # the cause beside the timings
        d.title = clause_before(d.title, d.lock_or_leak, "; gone in B: ", "; new in B: ")
    d.lines += d.lock_or_leak_lines
    peak, peak_line = peak_change(a, b)
    if peak:  # held at the peak, which no zone timing and no total allocated shows
        rest = d.title[len(lead) :]
        d.title = (
            lead + peak + "; " + rest
            if d.title.startswith(lead) and NO_REGRESSION in rest
            else d.title[:-1] + "; " + peak + "."
        )
        d.lines.append(peak_line)
    gpu = gpu_change(a, b, d.alpha, d.min_change)
    if gpu is not None:  # passes that moved on the GPU: the CPU sees them only as a longer wait for it
        said, gpu_waited = gpu_title(gpu, d.top, b)
        if said and gpu_waited and d.title.startswith(lead):  # the CPU's top regression is that wait: the GPU leads
            d.title = lead + said + "; " + d.title[len(lead) :]
        elif said:
            d.title = d.title[:-1] + "; " + said + "."
        d.lines += gpu_lines(gpu)
    set_lines, set_hitch = other_sets(a, b, d.alpha)
    d.lines += set_lines
    if set_hitch and NO_REGRESSION in d.title:  # another loop of the program hitches now: that is the news
        d.title = d.title.replace(lead, lead + set_hitch + "; ", 1)
    d.lines += other_changes(a, b)  # beside the zone timings: threads, messages, memory, locks
