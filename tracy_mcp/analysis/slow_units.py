"""slow_units: slow_frames for a program without frames (a server, a batch job): the slow runs of its repeated unit
of work (a request, a job, an item) and what made them slow.

The unit is the zone name with the most time across all threads, run at least MIN_RUNS times, outside zones that
wrap a thread (wait_zones.unit_of_work). A run is slow over `factor` x the median run (or over a budget). Each run
is broken into the self time per zone name inside it; per slow run, the name whose time grew most over its median
in the typical runs is what made it slow, and the name that did so in the most slow runs is the culprit. Beside
that: the unit's zone texts that the slow runs carry more often than the others (an endpoint, a kind of job), the
culprit's texts (a query), the lock waits and messages inside the slow runs, and whether the slow runs come in
bursts across threads, with what other threads run in every burst (a writer holding a lock, a compaction).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.call_context import common_kind, kind_of, quote_kind
from tracy_mcp.analysis.cpu_runs import host_cores, time_split, who_ran
from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct, name_list
from tracy_mcp.analysis.lock_contention import lock_waits_in_windows
from tracy_mcp.analysis.lock_timeline import union
from tracy_mcp.analysis.program_messages import template
from tracy_mcp.analysis.rank_test import mann_whitney
from tracy_mcp.analysis.report import frame
from tracy_mcp.analysis.request_wait import request_wait
from tracy_mcp.analysis.startup import startup_window
from tracy_mcp.analysis.wait_zones import UNIT_MIN_RUNS, unit_of_work, work_waited_for, wrapper_mask
from tracy_mcp.analysis.zone_paths import path_groups, zone_texts

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.slow_frames import SlowFrames

I64 = np.int64
CLIMB = 0.8  # a culprit adding under this share of its parent zone's growth: the parent (its steps together) is it
CLIMB_EXPLAINS = 0.5  # ...which then stands for the slow runs where it grew by this share of the excess or more
MIN_RUNS = UNIT_MIN_RUNS  # fewer runs of the unit than this: no tail to speak of
DETAIL = 200  # at most this many of the slowest runs are broken down by zone name ...
TYPICAL = 2000  # ... against about this many typical runs
TAIL_GAP = 2.0  # the slowest runs stand apart when the next shorter one is this much shorter (above p90)...
TAIL_MIN, TAIL_MAX = 3, 0.05  # ...and they are this many, and at most this share of the runs
TAIL_COMMON = 0.8  # a zone in this share of them...
TAIL_RARE = 0.1  # ...and in at most this share of the others sets them apart,
TAIL_PART = 0.05  # ...if it is this share of the shortest of them at least
TAIL_LONGER = 3.0  # ...or one that takes this many times as long in them as in the others (median)
SHOWN = 10  # slow runs listed
OVER = 3.0  # a text carried this many times more often by slow runs than by all is named
LOCK_NOTABLE = 0.25  # a lock wait adding this share of the slow runs' excess is named...
LOCK_LEADS = 0.5  # ...and in the title when it adds this share
BURSTY = 0.5  # slow runs overlapping others on other threads at least this share: they come in bursts...
CHANCE_TRIES = 20  # ...and more of them than in any of this many tries with the runs placed at random
IN_BURSTS = 0.8  # a zone of another thread running in this share of the bursts...
RARE = 3.0  # ...with at most this many runs per burst overall, is what the bursts have in common
WAITED_MIN = 3  # the culprit's runs in the slow runs needed to tell what they wait for
ONE_THREAD = 0.4  # one thread holding this share of the slow runs (twice its share of all runs) is named,
ONE_THREAD_MIN = 10  # ...when they are at least this many
SLOW_THREAD = 1.3  # one thread's runs this many times the others' median (Mann-Whitney p below SLOW_THREAD_P)...
SLOW_THREAD_P = 1e-3
SLOW_THREAD_MIN = 10  # ...over at least this many runs on it: the thread is named
OFF_CPU_LEADS = 0.5  # slow runs whose excess is this much waiting for a core (or asleep) say so
TEXT_NUMBER = 3.0  # a labelled number in the slow runs' texts this many times the others' (median) is named
LABELLED = re.compile(r"([A-Za-z_][A-Za-z_]{0,30})\s*[=:]\s*(-?\d+(?:\.\d+)?)(?![\w.])")
TEXT_ROWS = 100_000  # runs whose texts are compared one by one; more: an even sample of the typical ones
UNIT_COLS = ("zone_id", "thread", "start_ns", "duration_ns", "x_median", "text", "zone", "typical_ns", "slow_ns")


def slow_units(ctx: Capture, res: SlowFrames, factor: float, budget_ns: float | None, unit: str | None = None) -> bool:
    """Fill `res` (a slow_frames result for a capture without gameplay frames) from the unit of work's runs (or
    those of zone `unit`); False when there is no repeated unit of work to stand in for frames."""
    t = ctx._cpu()
    if t.n == 0:
        return False
    threads = list(range(ctx._db.rows("threads")))
    win = startup_window(ctx) if unit is None else None
    # a service's unit of work is what it does once started: zones only its start-up runs (cache warmers) are not
    found = unit_of_work(ctx, threads, lo=win[1], min_runs=MIN_RUNS) if win is not None else None
    if found is not None:
        found = unit_of_work(ctx, threads, min_runs=MIN_RUNS, name=str(ctx._srclocs().names[found[0]]))
    if found is None:
        found = unit_of_work(ctx, threads, min_runs=MIN_RUNS, name=unit)
    if found is None or len(found[1]) < MIN_RUNS:
        return False
    idx, runs = found
    name = str(ctx._srclocs().names[idx])
    runs = runs[t.valid[runs]]
    dur = t.dur[runs].astype(np.float64)
    med = float(np.median(dur))
    thr = float(budget_ns) if budget_ns is not None else factor * med
    labels = ctx._thread_labels()
    owners = t.owner[runs].astype(I64)
    res.frame_set, res.median_ns, res.threshold_ns = f"runs of {name}", med, thr
    slow = runs[dur > thr]
    p = np.percentile(dur, [90, 99])
    dist = (
        f"{len(runs)} runs on {len(set(owners.tolist()))} thread(s): median {fmt_ns(med)}, p90 {fmt_ns(p[0])}, "
        f"p99 {fmt_ns(p[1])}, max {fmt_ns(dur.max())}"
    )
    rule = f"over the {fmt_ns(thr)} budget" if budget_ns is not None else f"over {factor:g}x the median = {fmt_ns(thr)}"
    queue = request_wait(ctx, idx, runs)
    queued = f"{queue.headline()[0].upper()}{queue.headline()[1:]}. " if queue is not None and queue.queueing else ""
    res.lines = [queue.line()] if queue is not None else []
    if len(slow) == 0:
        res.title = (
            f"{queued}No slow run of {name} (the capture has no frames; its unit of work stands in): {dist}; none "
            f"{rule}."
        )
        res.table = frame({k: np.zeros(0) for k in UNIT_COLS})
        return True
    slow = slow[np.argsort(-t.dur[slow], kind="stable")]
    detail = slow[:DETAIL]
    typical = runs[dur <= thr]
    rng = np.random.default_rng(0)
    if len(typical) > TYPICAL:
        typical = np.sort(rng.choice(typical, TYPICAL, replace=False))
    names, per_slow, per_typ = _self_by_name(ctx, detail, typical)
    typ_med = np.median(per_typ, axis=0) if len(typical) else np.zeros(len(names))
    growth = per_slow - typ_med[None, :]
    top = np.argmax(growth, axis=1)
    votes = Counter(top.tolist())
    # the zone that explains most of the slow runs' extra time: a few huge stalls outweigh many small misses
    explained = {k: float(growth[top == k, k].sum()) for k in votes}
    culprit = max(votes, key=lambda k: (explained[k], votes[k]))
    cname = names[culprit]
    mine = top == culprit
    usual = float(np.median(t.dur[typical])) if len(typical) else med  # what a slow run's growth is over
    excess = np.maximum(t.dur[detail].astype(np.float64) - usual, 1.0)
    c_slow, c_typ, steps = per_slow[:, culprit], float(typ_med[culprit]), ""
    up = _enclosing(ctx, detail, mine, cname, name, names, per_slow, per_typ, excess)
    if up is not None:  # the growth is shared by the steps of one zone (a query and a scoring pass): that zone
        culprit, c_slow, c_typ, mine, steps = up
        cname = names[culprit]
        top = np.where(mine, culprit, top)
        growth[:, culprit] = c_slow - c_typ
        votes = Counter(top.tolist())
        explained = {k: float(growth[top == k, k].sum()) for k in votes}
    share = (c_slow[mine] - c_typ) / excess[mine]
    res.culprit = cname
    res.culprit_thread = _threads(labels, t.owner[detail[mine]])
    where = _path(ctx, detail[mine], cname, name)
    lock, lock_share, lock_short = _lock_line(ctx, detail, typical, usual)
    waiting = f", {lock_short}," if lock_share >= LOCK_LEADS else ""  # the grown time is a lock wait: said first
    kind = common_kind(ctx, detail[mine], 1.0)  # the culprit's runs are all one kind of request: which
    res.title = (
        f"{queued}{len(slow)} slow run(s) of {name} of {len(runs)} ({fmt_pct(len(slow) / len(runs))}; the capture "
        f"has no frames: its unit of work stands in), {rule}: culprit "
        + (
            f"{cname}{where}{waiting}{steps} in {int(mine.sum())} of the {len(detail)} slow runs analysed"
            + (f" (all of them {quote_kind(kind)})" if kind else "")
            + (
                f" ({fmt_pct(explained[culprit] / max(float(excess.sum()), 1.0))} of their extra time)"
                if votes[culprit] < max(votes.values())  # not the most frequent: the time is what counts
                else ""
            )
            + f", {_span(c_slow[mine])} in them vs a median {fmt_ns(c_typ)} in the other runs; "
            f"its growth is {_span_pct(share)} of each run's excess over the typical run ({fmt_ns(usual)})"
            if cname != name
            else f"{name}'s own time (outside its child zones) in {int(mine.sum())} of the {len(detail)} slow runs: "
            f"{_span(per_slow[mine, culprit])} vs a median {fmt_ns(typ_med[culprit])}"
        )
        + _slowest_elsewhere(ctx, detail, top, culprit, names, per_slow, typ_med)
        + f". {dist[0].upper()}{dist[1:]}."
        + _slow_thread(ctx, runs)
        + _longer_elsewhere(ctx, idx, runs)
    )
    tail = _tail(ctx, runs, dur, rng)
    if tail:  # the slowest runs stand apart from the rest (the p99 a service is judged by): what sets them apart
        res.title = res.title.rstrip(".") + f"; {tail[0].lower()}{tail[1:]}."
    lines = res.lines
    lines += _one_thread(labels, t.owner[runs], t.owner[slow])
    lines += _texts(ctx, runs, slow, "its runs", without=True) or _text_numbers(ctx, runs, slow)
    if cname != name:
        inside, in_slow = _culprit_rows(ctx, runs, slow, cname)
        lines += _texts(ctx, inside, in_slow, f"{cname} inside them")
        waited = "" if waiting else _waits_for_other_work(ctx, in_slow, runs)  # a lock wait says it already
        if waited:
            res.title = res.title.replace(f"culprit {cname}{where}", f"culprit {cname}{where} ({waited})", 1)
    if lock:
        lines.append(lock)
    off = _off_cpu(ctx, detail, typical)
    if off:
        lines.append(off)
    bursts = _bursts(ctx, detail)  # the slowest DETAIL: the chance test is quadratic in them
    if bursts:
        lines.append(bursts)
    lines += _messages(ctx, detail[:50])
    rows = []
    texts = zone_texts(ctx, detail, plain=True)
    for i, r in enumerate(detail[:SHOWN].tolist()):
        k = int(top[i])
        here, usual_k = (c_slow[i], c_typ) if k == culprit else (per_slow[i, k], typ_med[k])
        rows.append(
            f"  {labels[int(t.owner[r])]} at {t.start[r] / 1e9:.3f} s: {fmt_ns(t.dur[r])} ({t.dur[r] / med:.1f}x)"
            + (f" {texts[i]!r}" if texts[i] else "")
            + f"; {names[k]} {fmt_ns(here)} (typical {fmt_ns(usual_k)})"
        )
    lines.append("Slowest runs:")
    lines += rows
    res.lines = lines
    res.table = frame(
        {
            "zone_id": detail.astype(I64),
            "thread": np.asarray([labels[int(x)] for x in t.owner[detail]], object),
            "start_ns": t.start[detail].astype(I64),
            "duration_ns": t.dur[detail].astype(I64),
            "x_median": t.dur[detail] / med,
            "text": np.asarray(texts, object),
            "zone": np.asarray([names[int(k)] for k in top], object),
            "typical_ns": typ_med[top],
            "slow_ns": per_slow[np.arange(len(detail)), top],
        }
    )
    return True


def _waits_for_other_work(ctx: Capture, rows: np.ndarray, runs: np.ndarray) -> str:
    """'it waits for <work> (<thread>): ...' when the culprit's runs in the slow runs end right after work on a
    thread outside the unit's (a compaction the writes wait for; wait_zones.work_waited_for); '' otherwise."""
    t = ctx._cpu()
    rows = rows[(t.end[rows] >= 0) & (t.dur[rows] > 0)]
    if len(rows) < WAITED_MIN:
        return ""
    found = work_waited_for(ctx, t.start[rows], t.end[rows], set(np.unique(t.owner[runs]).tolist()))
    if found is None:
        return ""
    work, thread, share, eps = found
    return (
        f"it waits for {work} ({thread}): {fmt_pct(share)} of its runs in the slow runs end within {fmt_ns(eps)} "
        "after it ends"
    )


def _one_thread(labels: list[str], owners: np.ndarray, slow_owners: np.ndarray) -> list[str]:
    """A line when most slow runs are on one thread that runs far fewer of all (a hot key, a bad shard)."""
    if len(slow_owners) == 0 or len(np.unique(owners)) < 2:
        return []
    vals, cnt = np.unique(slow_owners, return_counts=True)
    k = int(np.argmax(cnt))
    share_slow = cnt[k] / len(slow_owners)
    share_all = float((owners == vals[k]).mean())
    if cnt[k] < ONE_THREAD_MIN or share_slow < ONE_THREAD or share_slow < 2 * share_all:
        return []
    return [
        f"By thread: {labels[int(vals[k])]} holds {int(cnt[k])} of the {len(slow_owners)} slow runs "
        f"({fmt_pct(share_slow)}) but {fmt_pct(share_all)} of all runs: its work is what is slow (ctx.thread_report())."
    ]


def _text_numbers(ctx: Capture, runs: np.ndarray, slow: np.ndarray) -> list[str]:
    """A line when the runs' texts carry a labelled number ('tokens=4012', 'rows: 80') whose values in the slow runs
    lie far above (or below) the others': what makes a run slow is its size."""
    if len(slow) < 3 or len(runs) > TEXT_ROWS:
        return []
    texts = zone_texts(ctx, runs, plain=True)
    found: dict[str, list[tuple[int, float]]] = {}
    for i, text in enumerate(texts):
        for label, value in LABELLED.findall(text or ""):
            found.setdefault(label, []).append((i, float(value)))
    is_slow = np.isin(runs, slow)
    best = None
    for label, pairs in found.items():
        if len(pairs) < 0.8 * len(runs):
            continue
        idx = np.asarray([i for i, _ in pairs])
        vals = np.asarray([v for _, v in pairs])
        mine, rest = vals[is_slow[idx]], vals[~is_slow[idx]]
        if len(mine) < 3 or len(rest) < 3:
            continue
        a, b = float(np.median(mine)), float(np.median(rest))
        lo, hi = sorted((abs(a), abs(b)))
        if hi < TEXT_NUMBER * max(lo, 1e-9) or mann_whitney(rest, mine)[0] >= SLOW_THREAD_P:
            continue
        if best is None or hi / max(lo, 1e-9) > best[0]:
            best = (hi / max(lo, 1e-9), label, mine, rest)
    if best is None:
        return []
    _, label, mine, rest = best
    big = float(np.median(mine)) > float(np.median(rest))
    edge = float(np.percentile(rest, 99 if big else 1))
    beyond = int(((mine > edge) if big else (mine < edge)).sum())
    return [
        f"Their texts' {label}: {_num(mine.min())}..{_num(mine.max())} (median {_num(np.median(mine))}) in the "
        f"slow runs vs a median {_num(np.median(rest))} ({'p99' if big else 'p1'} {_num(edge)}) in the others; "
        f"{beyond} of the {len(mine)} slow runs lie beyond that: the slow runs are the "
        f"{'large' if big else 'small'} ones."
    ]


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _slow_thread(ctx: Capture, runs: np.ndarray) -> str:
    """'Slower on one thread: ...' when the unit's runs on one thread take SLOW_THREAD x or more the median of the
    other threads' (beyond noise): a thread-local cause (its own cache, a pinned core, its share of the input),
    with the zone name whose time per run differs most between them and its calls per run; '' otherwise."""
    t = ctx._cpu()
    owners = t.owner[runs].astype(I64)
    ids, counts = np.unique(owners, return_counts=True)
    if len(ids) < 3:
        return ""
    dur = t.dur[runs].astype(np.float64)
    best = None
    for k, c in zip(ids.tolist(), counts.tolist(), strict=True):
        mine = owners == k
        if c < SLOW_THREAD_MIN:
            continue
        ratio = float(np.median(dur[mine])) / max(float(np.median(dur[~mine])), 1.0)
        if ratio >= SLOW_THREAD and mann_whitney(dur[~mine], dur[mine])[0] < SLOW_THREAD_P:
            if best is None or ratio > best[1]:
                best = (k, ratio)
    if best is None:
        return ""
    k, ratio = best
    mine_rows, other_rows = runs[owners == k], runs[owners != k]
    names, per_mine, per_other = _self_by_name(ctx, mine_rows, other_rows)
    gap = per_mine.mean(axis=0) - per_other.mean(axis=0)
    j = int(np.argmax(gap))
    total_gap = float(dur[owners == k].mean() - dur[owners != k].mean())
    inside, _ = _culprit_rows(ctx, np.sort(runs), mine_rows, names[j])
    on_k = int((t.owner[inside] == k).sum())
    labels = ctx._thread_labels()
    why = (
        f"; the difference is {names[j]}: {on_k / len(mine_rows):.1f} calls and {fmt_ns(per_mine[:, j].mean())} per "
        f"run there vs {(len(inside) - on_k) / len(other_rows):.1f} calls and {fmt_ns(per_other[:, j].mean())} "
        f"elsewhere ({fmt_pct(gap[j] / total_gap)} of the gap)"
        if total_gap > 0 and gap[j] > 0
        else ""
    )
    return (
        f" Slower on one thread: the runs on {labels[k]} take a median {fmt_ns(np.median(dur[owners == k]))} vs "
        f"{fmt_ns(np.median(dur[owners != k]))} on the other {len(ids) - 1} threads ({ratio:.2f}x; "
        f"{len(mine_rows)} of {len(runs)} runs){why}."
    )


def _longer_elsewhere(ctx: Capture, idx: int, runs: np.ndarray) -> str:
    """' Longer still: ...' when another repeated top-level zone on the unit's threads (a write beside reads) has
    runs longer than the unit's longest: the tail a user may be asking about, and the call that explains it."""
    t, sl = ctx._cpu(), ctx._srclocs()
    threads = np.unique(t.owner[runs])
    top = np.flatnonzero(np.isin(t.owner[: t.n], threads) & t.valid & ~wrapper_mask(ctx))
    top = top[t.depth[top] <= t.depth[runs].min()]
    names = sl.name_idx[t.srcloc[top]]
    longest = float(t.dur[runs].max())
    out = []
    for k in np.flatnonzero(np.bincount(names) >= MIN_RUNS).tolist():
        if k == idx:
            continue
        d = t.dur[top[names == k]].astype(np.float64)
        if d.max() > longest:
            out.append(
                (
                    float(d.max()),
                    f"{sl.names[k]} up to {fmt_ns(d.max())} (median {fmt_ns(np.median(d))})",
                    str(sl.names[k]),
                )
            )
    if not out:
        return ""
    out.sort(reverse=True)
    return f" Longer still: runs of {out[0][1]}: slow_frames(frame_set={out[0][2]!r}) explains them."


def _off_cpu(ctx: Capture, slow: np.ndarray, typical: np.ndarray) -> str:
    """With context switches: the slow and typical runs' time split into on a CPU, waiting for a core (runnable,
    not running) and asleep, and who ran while the slow runs waited for a core; '' without them."""
    if not len(typical):
        return ""
    t = ctx._cpu()
    split_slow, split_typ = time_split(ctx, slow), time_split(ctx, typical)
    if split_slow is None or split_typ is None:
        return ""
    (on, asleep, core), (on_t, asleep_t, core_t) = (
        tuple(x / len(slow) for x in split_slow),
        tuple(x / len(typical) for x in split_typ),
    )
    excess = float(np.mean(t.dur[slow])) - float(np.mean(t.dur[typical]))
    line = (
        f"On a CPU (context switches): the slow runs {fmt_ns(on)} each (waiting for a core {fmt_ns(core)}, asleep "
        f"{fmt_ns(asleep)}), the typical runs {fmt_ns(on_t)} (waiting for a core {fmt_ns(core_t)}, asleep "
        f"{fmt_ns(asleep_t)})"
    )
    if excess > 0 and core - core_t >= OFF_CPU_LEADS * excess:
        ran = who_ran(ctx, *union(t.start[slow], t.end[slow]), int(np.bincount(t.owner[slow]).argmax()))[:4]
        line += (
            f": {fmt_pct(min((core - core_t) / excess, 1.0))} of their excess is waiting for a core, not their own "
            "work growing"
            + ("; the CPUs ran meanwhile: " + ", ".join(f"{n} {fmt_ns(v)}" for n, v in ran) if ran else "")
        )
    elif excess > 0 and asleep - asleep_t >= OFF_CPU_LEADS * excess:
        line += f": {fmt_pct(min((asleep - asleep_t) / excess, 1.0))} of their excess is asleep (blocked), not work"
    return line + "."


def _slowest_elsewhere(
    ctx: Capture,
    detail: np.ndarray,
    top: np.ndarray,
    culprit: int,
    names: list[str],
    per_slow: np.ndarray,
    typ_med: np.ndarray,
) -> str:
    """'; the slowest runs are another kind: Audit::Record grew most in 12 (all of them 'GET /api/orders ...'),
    7.72 ms..48.02 ms vs a median 0.030 ms' when the slowest run (`detail` is slowest first) is not the culprit's:
    the culprit explains the most extra time, the tail's worst is a second problem."""
    k = int(top[0])
    if k == culprit:
        return ""
    sel = np.flatnonzero(top == k)
    kind = common_kind(ctx, detail[sel], 1.0)
    return (
        f"; the slowest runs are another kind: {names[k]} grew most in {len(sel)}"
        + (f" (all of them {quote_kind(kind)})" if kind else "")
        + f", {_span(per_slow[sel, k])} vs a median {fmt_ns(typ_med[k])}"
    )


def _tail(ctx: Capture, runs: np.ndarray, dur: np.ndarray, rng: np.random.Generator) -> str:
    """'The slowest 50 runs (2.0%) stand apart: 53.2 ms..60.7 ms, the next 15.5 ms; in them: Retry::Backoff 20.2 ms
    (in 0% of the others), DB::Query 32.6 ms vs 2.10 ms': when the longest runs form a group of their own (a ratio
    gap of TAIL_GAP over p90, holding at most TAIL_MAX of the runs), the zones that set them apart; '' otherwise."""
    order = np.argsort(dur, kind="stable")
    s = dur[order]
    first = int(np.searchsorted(s, np.percentile(s, 90)))
    if len(s) - first < 2:
        return ""
    ratio = s[first + 1 :] / np.maximum(s[first:-1], 1.0)
    k = int(np.argmax(ratio))
    if ratio[k] < TAIL_GAP:
        return ""
    cut = first + k + 1  # the tail: s[cut:]
    n = len(s) - cut
    if n < TAIL_MIN or n > TAIL_MAX * len(s):
        return ""
    tail = runs[order[cut:]]
    rest = runs[order[:cut]]
    if len(rest) > TYPICAL:
        rest = np.sort(rng.choice(rest, TYPICAL, replace=False))
    names, in_tail, in_rest = _self_by_name(ctx, tail, rest)
    parts: list[str] = []
    for j in np.argsort(-(in_tail.mean(axis=0) - in_rest.mean(axis=0))).tolist():
        has_tail, has_rest = float((in_tail[:, j] > 0).mean()), float((in_rest[:, j] > 0).mean())
        if has_tail < TAIL_COMMON or len(parts) >= 3:
            continue
        mean_tail = float(in_tail[in_tail[:, j] > 0, j].mean())
        if mean_tail < TAIL_PART * s[cut]:  # a sliver of the run's time sets nothing apart
            continue
        with_rest = in_rest[in_rest[:, j] > 0, j]
        if has_rest <= TAIL_RARE:
            parts.append(f"{names[j]} {fmt_ns(mean_tail)} (in {has_rest:.0%} of the others)")
        elif len(with_rest) and mean_tail >= TAIL_LONGER * float(np.median(with_rest)):
            parts.append(f"{names[j]} {fmt_ns(mean_tail)} vs {fmt_ns(float(np.median(with_rest)))}")
    if not parts:
        return ""
    return (
        f"The slowest {n} runs ({n / len(s):.1%}) stand apart: {fmt_ns(s[cut])}..{fmt_ns(s[-1])}, the next "
        f"{fmt_ns(s[cut - 1])}; in them: " + ", ".join(parts)
    )


def _self_by_name(ctx: Capture, slow: np.ndarray, typical: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(zone names, self time per name in each slow run, the same for each typical run): a run's time split by the
    zone names inside it (its own name included)."""
    t = ctx._cpu()
    sl = ctx._srclocs()
    self_t = t.self_time()
    runs = np.concatenate([slow, typical])
    parts, owner = [], []
    for i, r in enumerate(runs.tolist()):
        rows = np.arange(r, int(t.subtree_end[r]))
        parts.append(rows)
        owner.append(np.full(len(rows), i, I64))
    rows = np.concatenate(parts)
    who = np.concatenate(owner)
    rows_ok = t.end[rows] >= 0
    rows, who = rows[rows_ok], who[rows_ok]
    used, idx = np.unique(sl.name_idx[t.srcloc[rows]], return_inverse=True)
    m = np.zeros((len(runs), len(used)))
    np.add.at(m, (who, idx), self_t[rows].astype(np.float64))
    return [str(sl.names[int(u)]) for u in used], m[: len(slow)], m[len(slow) :]


def _enclosing(
    ctx: Capture,
    detail: np.ndarray,
    mine: np.ndarray,
    cname: str,
    unit: str,
    names: list[str],
    per_slow: np.ndarray,
    per_typ: np.ndarray,
    excess: np.ndarray,
) -> tuple[int, np.ndarray, float, np.ndarray, str] | None:
    """When the culprit is one of the steps of a zone that grew as a whole (a rebalance's query and its scoring,
    each half), that zone: (its column, its time in each slow run (its subtree's self times), its median in the
    typical runs, the slow runs it explains most of, ' (inside it: A x, B y per slow run)'); None when the culprit
    holds the growth itself (under CLIMB of the parent's) or its parent is the unit."""
    t, sl = ctx._cpu(), ctx._srclocs()
    _, rows = _culprit_rows(ctx, detail, detail[mine], cname)
    par = t.parent[rows]
    par = par[par >= 0]
    if not len(par):
        return None
    idx, cnt = np.unique(sl.name_idx[t.srcloc[par]], return_counts=True)
    pname = str(sl.names[int(idx[np.argmax(cnt)])])
    if pname == unit or pname not in names:
        return None
    _, prow = _culprit_rows(ctx, detail, detail, pname)
    under = np.unique(
        np.concatenate([sl.name_idx[t.srcloc[np.arange(r, int(t.subtree_end[r]))]] for r in prow.tolist()])
    )
    cols = [names.index(str(sl.names[int(k)])) for k in under.tolist() if str(sl.names[int(k)]) in names]
    p_slow = per_slow[:, cols].sum(axis=1)
    p_typ = float(np.median(per_typ[:, cols].sum(axis=1))) if len(per_typ) else 0.0
    c = names.index(cname)
    c_typ = float(np.median(per_typ[:, c])) if len(per_typ) else 0.0
    if float(np.mean(per_slow[mine, c] - c_typ)) >= CLIMB * float(np.mean(p_slow[mine] - p_typ)):
        return None
    theirs = p_slow - p_typ >= CLIMB_EXPLAINS * excess
    if theirs.sum() <= mine.sum():
        return None
    steps = [k for k in cols if names[k] != pname]
    per = {k: float(np.mean(per_slow[theirs, k])) for k in steps}
    shown = [f"{names[k]} {fmt_ns(v)}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])[:3] if v > 0]
    inside = f" (inside it: {', '.join(shown)} per slow run)" if shown else ""
    return names.index(pname), p_slow, p_typ, theirs, inside


def _culprit_rows(ctx: Capture, runs: np.ndarray, slow: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows of zone `name` inside any run, those inside the slow runs)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows]]
    order = np.argsort(runs)
    sr = runs[order]
    j = np.searchsorted(sr, rows, "right") - 1  # the run whose subtree a row may be in: the last run before it
    ok = j >= 0
    inside = np.zeros(len(rows), bool)
    inside[ok] = rows[ok] < t.subtree_end[sr[j[ok]]]
    in_slow = np.zeros(len(rows), bool)
    in_slow[ok] = inside[ok] & np.isin(sr[j[ok]], slow)
    return rows[inside], rows[in_slow]


def _texts(ctx: Capture, every: np.ndarray, slow: np.ndarray, what: str, without: bool = False) -> list[str]:
    """The texts (numbers blanked) that `slow` of `every` carry much more often than all of them do, each with one
    slow run's text as it is; `without`: and the runs' p99 without those that carry the first of them (what fixing
    that kind of run would give). Over TEXT_ROWS runs, the others are an even sample, counted for all of them."""
    if len(slow) == 0:
        return []
    is_slow = np.isin(every, slow)
    rows, weight = every, np.ones(len(every))
    if len(every) > TEXT_ROWS:  # every slow run, and an even sample of the others standing for all of them
        rest = every[~is_slow]
        pick = rest[np.linspace(0, len(rest) - 1, TEXT_ROWS).astype(I64)]
        rows = np.concatenate([every[is_slow], pick])
        weight = np.concatenate([np.ones(int(is_slow.sum())), np.full(len(pick), len(rest) / len(pick))])
        is_slow = np.arange(len(rows)) < int(is_slow.sum())
    raw = np.asarray(zone_texts(ctx, rows, plain=True), object)
    if not raw.any():
        return []
    blank = {x: kind_of(x) for x in set(raw.tolist())}  # each distinct text once: an endpoint's repeat
    kinds = np.asarray([blank[x] for x in raw], object)
    base = float(is_slow.sum() / weight.sum())
    out, found = [], []
    for k, n_slow in Counter(kinds[is_slow].tolist()).most_common(4):
        n_all = round(float(weight[kinds == k].sum()))
        if not k or n_slow / n_all < OVER * base:
            continue
        example = raw[(kinds == k) & is_slow][0]
        out.append(f"{k!r}: {n_slow} of its {n_all} runs slow ({fmt_pct(n_slow / n_all)}; e.g. {example!r})")
        found.append(k)
    if not out:
        return []
    lines = [f"Zone texts of {what} that the slow runs carry ({fmt_pct(base)} slow overall): " + "; ".join(out) + "."]
    if without and len(rows) == len(every):  # the p99 needs every run's kind
        t = ctx._cpu()
        rest = rows[kinds != found[0]]
        if len(rest) >= MIN_RUNS:
            d = t.dur[rest].astype(np.float64)
            lines.append(
                f"Without the {len(every) - len(rest)} runs that carry the first: p99 {fmt_ns(np.percentile(d, 99))} "
                f"(max {fmt_ns(d.max())}) of {len(rest)} runs; with them p99 "
                f"{fmt_ns(np.percentile(t.dur[every].astype(np.float64), 99))}."
            )
    return lines


def _lock_line(ctx: Capture, slow: np.ndarray, typical: np.ndarray, usual: float) -> tuple[str, float, str]:
    """(line, share of the excess, a few words) for the lock the slow runs waited for most beyond the typical runs,
    when that is a notable share of their excess over the typical run."""
    none = ("", 0.0, "")
    if not ctx._db.rows("lock_events"):
        return none
    t = ctx._cpu()
    excess = float(np.maximum(t.dur[slow] - usual, 0).sum())
    if excess <= 0:
        return none
    per: dict[str, list[float]] = {}
    held: dict[str, str] = {}
    for th in sorted(set(t.owner[slow].tolist())):
        s = slow[t.owner[slow] == th]
        ty = typical[t.owner[typical] == th][:500]
        rows = np.concatenate([s, ty])
        for w in lock_waits_in_windows(ctx, int(th), t.start[rows], t.end[rows]):
            add = float(w.wait_ns[: len(s)].sum()) - len(s) * float(np.median(w.wait_ns[len(s) :]) if len(ty) else 0)
            per.setdefault(w.lock, []).append(add)
            if w.holder and w.lock not in held:
                held[w.lock] = w.holder + (f" in {w.holder_zone}" if w.holder_zone else "")
    if not per:
        return none
    lock, adds = max(per.items(), key=lambda kv: sum(kv[1]))
    added = sum(adds)
    if added < LOCK_NOTABLE * excess:
        return none
    share = min(added / excess, 1.0)
    by = f"held meanwhile by {held[lock]}" if lock in held else ""
    line = (
        f"Lock wait: the slow runs waited for {lock} {fmt_ns(added / len(slow))} per run beyond the typical runs' "
        f"wait, {fmt_pct(share)} of their excess over the typical run"
        + (f"; {by}" if by else "")
        + f" (ctx.lock_contention({lock!r}))."
    )
    return line, share, f"waiting for lock {lock}" + (f" ({by})" if by else "")


def _bursts(ctx: Capture, slow: np.ndarray) -> str:
    """When the slow runs overlap slow runs on other threads (a stall that hits every thread at once): how many
    bursts, when, and which zone of another thread runs in (nearly) every burst and rarely otherwise."""
    t = ctx._cpu()
    if len(slow) < 3:
        return ""
    order = slow[np.argsort(t.start[slow], kind="stable")]
    s, e, th = t.start[order].astype(I64), t.end[order].astype(I64), t.owner[order]
    groups: list[list[int]] = []
    reach = -1
    for i in range(len(order)):
        if groups and s[i] < reach:
            groups[-1].append(i)
            reach = max(reach, int(e[i]))
        else:
            groups.append([i])
            reach = int(e[i])
    shared = [g for g in groups if len(set(th[g].tolist())) > 1]
    together = _overlapping(s, e, th)
    if together < BURSTY or len(shared) < 2 or together <= _by_chance(s, e, th):
        return ""
    bs = np.asarray([s[g].min() for g in shared], I64)
    be = np.asarray([e[g].max() for g in shared], I64)
    gap = float(np.median(np.diff(bs))) if len(bs) > 1 else 0.0
    line = (
        f"The slow runs come in {len(shared)} bursts that hit several threads at once (at "
        + ", ".join(f"{x / 1e9:.3f} s" for x in bs[:5])
        + (", …" if len(bs) > 5 else "")
        + (f"; median {fmt_ns(gap)} apart" if gap else "")
        + ")"
    )
    pool = set(th.tolist())
    cand = np.flatnonzero(~np.isin(t.owner, list(pool)) & t.valid & ~wrapper_mask(ctx))
    if len(cand) == 0:
        return line + "."
    sl = ctx._srclocs()
    nm = sl.name_idx[t.srcloc[cand]]
    best: tuple[float, int, float] | None = None
    for k in np.unique(nm).tolist():
        rows = cand[nm == k]
        if len(rows) > RARE * len(shared):
            continue
        hit = ((t.start[rows][None, :] < be[:, None]) & (t.end[rows][None, :] > bs[:, None])).any(axis=1)
        cover = float(hit.mean())
        if cover >= IN_BURSTS and (best is None or cover > best[0]):
            best = (cover, int(k), float(np.median(t.dur[rows])))
    if best is None:
        return line + "; nothing on another thread runs in most of them."
    cover, k, d = best
    rows = cand[nm == k]
    return (
        line + f"; in {fmt_pct(cover)} of them {sl.names[k]} ({_threads(ctx._thread_labels(), t.owner[rows])}) runs "
        f"(median {fmt_ns(d)}, {len(rows)} runs in all)"
        + _oversubscribed(ctx, [len(set(th[g].tolist())) for g in shared], rows, bs, be)
        + "."
    )


def _oversubscribed(ctx: Capture, hit_threads: list[int], rows: np.ndarray, bs: np.ndarray, be: np.ndarray) -> str:
    """When the threads with slow runs in a burst (`hit_threads` per burst) and the threads running `rows` in it
    outnumber the machine's cores: they compete for the CPU, which slows runs that wait for nothing (told only when
    the capture recorded the core count)."""
    cores = host_cores(ctx)
    if not cores:
        return ""
    t = ctx._cpu()
    hit = (t.start[rows][:, None] < be[None, :]) & (t.end[rows][:, None] > bs[None, :])
    per_burst = [n + len(set(t.owner[rows][hit[:, j]].tolist())) for j, n in enumerate(hit_threads)]
    busy = int(np.median(per_burst))
    if busy <= cores:
        return ""
    return (
        f"; {busy} threads run zones at once in them, on a machine with {cores} CPU core(s): they compete for the CPU"
    )


def _overlapping(s: np.ndarray, e: np.ndarray, th: np.ndarray) -> float:
    """The share of the runs [s, e) (sorted by start) that overlap a run of another thread."""
    hit = np.zeros(len(s), bool)
    for i in range(len(s)):
        j = np.flatnonzero((s < e[i]) & (e > s[i]) & (th != th[i]))
        hit[i] = len(j) > 0
    return float(hit.mean())


def _by_chance(s: np.ndarray, e: np.ndarray, th: np.ndarray) -> float:
    """How many of the runs overlap another thread's run when each keeps its length and thread but starts at
    random over the same span: the highest share of CHANCE_TRIES tries (bursts must beat it)."""
    rng = np.random.default_rng(0)
    d = e - s
    lo, hi = int(s.min()), int(e.max())
    best = 0.0
    for _ in range(CHANCE_TRIES):
        ns = rng.integers(lo, np.maximum(hi - d, lo + 1))
        order = np.argsort(ns, kind="stable")
        best = max(best, _overlapping(ns[order], ns[order] + d[order], th[order]))
    return best


def _messages(ctx: Capture, slow: np.ndarray) -> list[str]:
    """Messages logged inside the slow runs on their own thread (distinct texts, numbers blanked)."""
    db = ctx._db
    n = db.rows("messages")
    if n == 0 or len(slow) == 0:
        return []
    t = ctx._cpu()
    tm = db.col("messages", "time")
    thr = db.col_or("messages", "thread", np.full(n, -1, I64))
    txt = db.col("messages", "text")
    seen: dict[str, tuple[int, str]] = {}
    for r in slow.tolist():
        hit = np.flatnonzero((tm >= t.start[r]) & (tm < t.end[r]) & (thr == t.owner[r]))
        for j in hit.tolist():
            x = ctx._str(txt[j])
            k = template(x)
            c, first = seen.get(k, (0, x))
            seen[k] = (c + 1, first)
    if not seen:
        return []
    top = sorted(seen.items(), key=lambda kv: -kv[1][0])[:3]
    return ["Logged inside the slow runs: " + "; ".join(f'"{x}" (x{c})' for _, (c, x) in top) + "."]


def _path(ctx: Capture, rows: np.ndarray, name: str, unit: str) -> str:
    """ " (unit > ... > name)": where the culprit sits inside the unit, for the first of the runs."""
    t = ctx._cpu()
    if len(rows) == 0:
        return ""
    r = int(rows[0])
    inside = np.arange(r, int(t.subtree_end[r]))
    hit = inside[ctx._srclocs().name_idx[t.srcloc[inside]] == ctx._srclocs().names.index(name)]
    if len(hit) == 0:
        return ""
    _, paths = path_groups(ctx, hit[:1])
    path = paths[0] if paths else ""
    cut = path.find(unit)
    return f" ({path[cut:] if cut >= 0 else path})"


def _threads(labels: list[str], owners: np.ndarray) -> str:
    return name_list(sorted({labels[int(x)] for x in owners.tolist()}))


def _span(v: np.ndarray) -> str:
    lo, hi = float(np.min(v)), float(np.max(v))
    return fmt_ns(lo) if abs(hi - lo) <= 0.01 * max(hi, 1.0) else f"{fmt_ns(lo)}..{fmt_ns(hi)}"


def _span_pct(v: np.ndarray) -> str:
    lo, hi = float(np.min(v)), float(np.max(v))
    return fmt_pct(lo) if abs(hi - lo) < 0.01 else f"{fmt_pct(lo)}-{fmt_pct(hi)}"
