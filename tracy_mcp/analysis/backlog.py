"""backlog: when a program's queue plot climbs, whether the threads that drain it are at capacity, and the rates.

A queue grows when work arrives faster than it is done. The threads that do it are the ones working (outside wait
zones) nearly all of the climb; their repeated unit of work (an item, a request, a job) gives how many are done
per second and how long each takes, so capacity = threads / mean time per unit. When the plot counts items (whole
values), the arrival rate is what is done plus what the queue gains per second (a least-squares slope over the
climb), and the per-unit time the threads would need to keep up follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct, name_list, pool_of
from tracy_mcp.analysis.program_messages import one_off_before
from tracy_mcp.analysis.wait_zones import top_work, unit_of_work, wait_names

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
SATURATED = 0.9  # a thread working this share of the climb is at capacity
MIN_UNITS = 20  # fewer units done over the climb: no rate to speak of
LOGGED_BEFORE = 0.2  # a one-off message this share of the climb's length before it began is quoted with it
CLIMB_START = 0.1  # the climb starts at the last point within this share of the rise above the starting level


@attrs.frozen
class Backlog:
    plot: str
    lo: int  # the climb: the last point near the plot's starting level to its highest (see _climb)
    hi: int
    threads: list[str]  # the saturated threads draining it
    working: float  # their mean share of the climb spent working
    idle: list[str]  # the rest of their pool (named like them), not at capacity
    idle_working: float  # the rest's mean share of the climb spent working
    unit: str  # their repeated unit of work
    done: int  # units ended inside the climb
    mean_ns: float  # mean duration of those units
    count_plot: str  # the plot whose growth is read: the first climbing plot of whole values (a count of items)
    growth_per_s: float  # its least-squares slope over the climb
    counts_items: bool  # it takes whole values only
    step: str  # the unit's child zone holding the most of its time ("" if none)
    step_share: float
    logged: str = ""  # a one-off message of the program's just before the climb, with its time

    @property
    def done_per_s(self) -> float:
        return self.done / max((self.hi - self.lo) / 1e9, 1e-9)

    @property
    def capacity_per_s(self) -> float:
        return len(self.threads) * 1e9 / max(self.mean_ns, 1.0)

    def line(self) -> str:
        """The finding in one sentence or three."""
        many = len(self.threads) > 1
        who = f"{name_list(self.threads)} ({len(self.threads)} thread{'s' if many else ''})"
        out = (
            f"A backlog: over {self.plot}'s climb ({self.lo / 1e9:.3f} s -> {self.hi / 1e9:.3f} s) {who} "
            f"work{'' if many else 's'} "
            f"{fmt_pct(self.working)} of the time, doing {self.unit} {self.done_per_s:,.1f} per second ({self.done} "
            f"runs, mean {fmt_ns(self.mean_ns)}: at most {self.capacity_per_s:,.1f}/s on {len(self.threads)} "
            f"thread{'s' if many else ''})"
        )
        if self.counts_items and self.growth_per_s > 0:
            arrive = self.done_per_s + self.growth_per_s
            need = len(self.threads) * 1e9 / arrive
            out += (
                f"; {self.count_plot} grows {self.growth_per_s:,.1f} per second, so work arrives at about "
                f"{arrive:,.1f}/s, "
                f"{arrive / max(self.done_per_s, 1e-9):.2f}x what is done: to keep up, {self.unit} must take at most "
                f"{fmt_ns(need)} per run on these threads (now {fmt_ns(self.mean_ns)})"
                + ("" if self.idle else f", or {int(np.ceil(arrive * self.mean_ns / 1e9))} threads")
            )
        else:
            out += f"; {self.count_plot} grows {self.growth_per_s:,.3g} per second over the climb"
        if self.idle:
            out += (
                f". The rest of their pool, {name_list(self.idle)}, works only {fmt_pct(self.idle_working)} of the "
                f"time: the work is not shared out (each queue or key has its own thread?)"
            )
            whole = (len(self.threads) + len(self.idle)) * 1e9 / max(self.mean_ns, 1.0)
            if self.counts_items and self.growth_per_s > 0 and whole >= self.done_per_s + self.growth_per_s:
                out += f"; the whole pool could do {whole:,.0f}/s"
        if self.logged:
            out += f". Logged as the climb began: {self.logged}"
        if self.step:
            out += f". Most of {self.unit}'s time: {self.step} ({fmt_pct(self.step_share)})"
        return out + "."


def backlog(ctx: Capture, plot_ids: list[int]) -> Backlog | None:
    """The backlog behind the climb of the first of plots `plot_ids` whose climb some threads work nearly all of
    (see the module doc), its growth per second read from the first of them that counts items; None when no
    thread works nearly all of any climb (the queue grows for another reason: its consumers wait or stall) or too
    few units are done."""
    points = {q: _points(ctx, q) for q in plot_ids}
    counts = [q for q in plot_ids if _whole(points[q][1])]
    # a queue's own climb first: a latency plot keeps climbing while the queue drains after the input ends
    for pid in counts + [q for q in plot_ids if q not in counts]:
        times, values = points[pid]
        if len(times) < 3:
            continue
        lo, hi = _climb(times, values)
        found = _drained_by(ctx, lo, hi)
        if found is None:
            continue
        members, working, name_idx, done, idle, share_of = found
        count = counts[0] if counts else pid
        ct, cv = points[count]
        window = (ct >= lo) & (ct <= hi)
        slope = float(np.polyfit((ct[window] - lo) / 1e9, cv[window], 1)[0]) if window.sum() >= 2 else 0.0
        t = ctx._cpu()
        step, share = _biggest_child(ctx, done)
        labels = ctx._thread_labels()
        return Backlog(
            plot=_plot_name(ctx, pid),
            lo=lo,
            hi=hi,
            threads=[labels[r] for r in members],
            working=working,
            idle=[labels[r] for r in idle],
            idle_working=float(np.mean([share_of[r] for r in idle])) if idle else 0.0,
            unit=ctx._srclocs().names[name_idx],
            done=len(done),
            mean_ns=float((t.end[done] - t.start[done]).astype(np.float64).mean()),
            count_plot=_plot_name(ctx, count),
            growth_per_s=slope,
            counts_items=_whole(cv),
            step=step,
            step_share=share,
            logged=_logged_before(ctx, lo, hi),
        )
    return None


def _logged_before(ctx: Capture, lo: int, hi: int) -> str:
    """The program's one-off message closest before the climb's start (within LOGGED_BEFORE of the climb, at least
    a second): '"text" (2.132 s, thread)'."""
    k = one_off_before(ctx, lo, max(int(LOGGED_BEFORE * (hi - lo)), 1_000_000_000))
    return f'"{k.text}" ({k.first_ns / 1e9:.3f} s, {k.thread})' if k is not None else ""


def _points(ctx: Capture, plot_id: int) -> tuple[np.ndarray, np.ndarray]:
    pts = ctx.plot_points(plot_id, as_frame=True)
    return pts["time_ns"].to_numpy(I64), pts["value"].to_numpy(np.float64)


def _plot_name(ctx: Capture, plot_id: int) -> str:
    return str(ctx.plots(as_frame=True).loc[plot_id, "name"])


def _whole(values: np.ndarray) -> bool:
    return len(values) > 0 and bool(np.all(values == np.round(values)))


def _climb(times: np.ndarray, values: np.ndarray) -> tuple[int, int]:
    """[lo, hi]: from the last point still near the plot's starting level (within CLIMB_START of the rise) to its
    highest point: the climb, without a flat stretch before it."""
    top = int(np.argmax(values))
    base = float(values[: top + 1].min())
    near = np.flatnonzero(values[: top + 1] <= base + CLIMB_START * (values[top] - base))
    first = int(near[-1]) if len(near) else 0
    return int(times[first]), int(times[top])


def _drained_by(
    ctx: Capture, lo: int, hi: int
) -> tuple[list[int], float, int, np.ndarray, list[int], dict[int, float]] | None:
    """(thread rows, their mean working share, their unit of work's name index, its runs ended in [lo, hi), the
    rest of their pool (threads named like them that are not saturated), every thread's working share) for the
    biggest pool of threads working nearly all of [lo, hi)."""
    if hi - lo <= 0:
        return None
    share_of = _working(ctx, lo, hi)
    rows = [r for r, x in share_of.items() if x >= SATURATED]
    if not rows:
        return None
    labels = ctx._thread_labels()
    pools: dict[str, list[int]] = {}
    for r in rows:
        pools.setdefault(pool_of(labels[r]), []).append(r)
    members = max(pools.values(), key=len)  # the biggest pool of saturated threads drains the queue
    pool = pool_of(labels[members[0]])
    idle = [r for r in share_of if pool_of(labels[r]) == pool and r not in members]
    found = unit_of_work(ctx, members, lo, hi, min_runs=MIN_UNITS)
    if found is None:
        return None
    name_idx, runs = found
    t = ctx._cpu()
    done = runs[(t.end[runs] >= lo) & (t.end[runs] < hi)]
    if len(done) < MIN_UNITS:
        return None
    return members, float(np.mean([share_of[r] for r in members])), name_idx, done, idle, share_of


def _working(ctx: Capture, lo: int, hi: int) -> dict[int, float]:
    """Per thread row with zones: the share of [lo, hi) inside its top-level units of work that are not waits."""
    waits = wait_names(ctx)
    names = ctx._srclocs()
    wait_idx = [i for i, n in enumerate(names.names) if n in waits]
    t = ctx._cpu()
    out = {}
    for k, (_, _, z) in enumerate(top_work(ctx)):
        if len(z) == 0:
            continue
        s, e = t.start[z], t.end[z]
        keep = (e > lo) & (s < hi)
        if wait_idx:
            keep &= ~np.isin(names.name_idx[t.srcloc[z]], wait_idx)
        out[k] = float((np.minimum(e[keep], hi) - np.maximum(s[keep], lo)).sum()) / (hi - lo)
    return out


def _biggest_child(ctx: Capture, runs: np.ndarray) -> tuple[str, float]:
    """(name, share of the runs' time) of the direct child zone name holding the most of `runs`' time."""
    t = ctx._cpu()
    total = float((t.end[runs] - t.start[runs]).sum())
    if total <= 0:
        return "", 0.0
    lo, hi = int(runs.min()), int(t.subtree_end[runs].max())
    span = np.arange(lo, hi)
    kids = span[np.isin(t.parent[lo:hi], runs) & (t.end[lo:hi] >= 0)]
    if len(kids) == 0:
        return "", 0.0
    names = ctx._srclocs().name_idx[t.srcloc[kids]]
    per = np.bincount(names, weights=(t.end[kids] - t.start[kids]).astype(np.float64))
    best = int(np.argmax(per))
    return ctx._srclocs().names[best], float(per[best] / total)
