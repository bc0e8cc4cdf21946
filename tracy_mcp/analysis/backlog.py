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

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.thread_report import name_list, pool_of
from tracy_mcp.analysis.wait_zones import top_work, unit_of_work, wait_names

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
SATURATED = 0.9  # a thread working this share of the climb is at capacity
MIN_UNITS = 20  # fewer units done over the climb: no rate to speak of


@attrs.frozen
class Backlog:
    plot: str
    lo: int  # the climb: the plot's first point to its highest
    hi: int
    threads: list[str]  # the saturated threads draining it
    working: float  # their mean share of the climb spent working
    unit: str  # their repeated unit of work
    done: int  # units ended inside the climb
    mean_ns: float  # mean duration of those units
    growth_per_s: float  # the plot's least-squares slope over the climb
    counts_items: bool  # the plot takes whole values only: a count of queued items
    step: str  # the unit's child zone holding the most of its time ("" if none)
    step_share: float

    @property
    def done_per_s(self) -> float:
        return self.done / max((self.hi - self.lo) / 1e9, 1e-9)

    @property
    def capacity_per_s(self) -> float:
        return len(self.threads) * 1e9 / max(self.mean_ns, 1.0)

    def line(self) -> str:
        """The finding in one sentence or three."""
        who = f"{name_list(self.threads)} ({len(self.threads)} thread{'s' if len(self.threads) > 1 else ''})"
        out = (
            f"A backlog: over {self.plot}'s climb ({self.lo / 1e9:.3f} s -> {self.hi / 1e9:.3f} s) {who} work "
            f"{fmt_pct(self.working)} of the time, doing {self.unit} {self.done_per_s:,.1f} per second ({self.done} "
            f"runs, mean {fmt_ns(self.mean_ns)}: at most {self.capacity_per_s:,.1f}/s on {len(self.threads)} "
            f"thread{'s' if len(self.threads) > 1 else ''})"
        )
        if self.counts_items and self.growth_per_s > 0:
            arrive = self.done_per_s + self.growth_per_s
            need = len(self.threads) * 1e9 / arrive
            out += (
                f"; {self.plot} grows {self.growth_per_s:,.1f} per second, so work arrives at about {arrive:,.1f}/s, "
                f"{arrive / max(self.done_per_s, 1e-9):.2f}x what is done: to keep up, {self.unit} must take at most "
                f"{fmt_ns(need)} per run on these threads (now {fmt_ns(self.mean_ns)}), or "
                f"{int(np.ceil(arrive * self.mean_ns / 1e9))} threads"
            )
        else:
            out += f"; {self.plot} grows {self.growth_per_s:,.3g} per second over the climb"
        if self.step:
            out += f". Most of {self.unit}'s time: {self.step} ({fmt_pct(self.step_share)})"
        return out + "."


def backlog(ctx: Capture, plot_id: int) -> Backlog | None:
    """The backlog behind the climb of plot `plot_id` (see the module doc); None when no thread works nearly all
    of the climb (the queue grows for another reason: its consumers wait or stall) or too few units are done."""
    pts = ctx.plot_points(plot_id, as_frame=True)
    if len(pts) < 3:
        return None
    times = pts["time_ns"].to_numpy(I64)
    values = pts["value"].to_numpy(np.float64)
    top = int(np.argmax(values))
    lo, hi = int(times[0]), int(times[top])
    if hi - lo <= 0 or top < 2:
        return None
    rows = _saturated(ctx, lo, hi)
    if not rows:
        return None
    labels = ctx._thread_labels()
    pools: dict[str, list[int]] = {}
    for r, _ in rows:
        pools.setdefault(pool_of(labels[r]), []).append(r)
    members = max(pools.values(), key=len)  # the biggest pool of saturated threads drains the queue
    found = unit_of_work(ctx, members, lo, hi, min_runs=MIN_UNITS)
    if found is None:
        return None
    name_idx, runs = found
    t = ctx._cpu()
    done = runs[(t.end[runs] >= lo) & (t.end[runs] < hi)]
    if len(done) < MIN_UNITS:
        return None
    dur = (t.end[done] - t.start[done]).astype(np.float64)
    window = (times >= lo) & (times <= hi)
    slope = float(np.polyfit((times[window] - lo) / 1e9, values[window], 1)[0])
    step, share = _biggest_child(ctx, done)
    share_of = dict(rows)
    return Backlog(
        plot=str(pts["plot"].iloc[0]),
        lo=lo,
        hi=hi,
        threads=[labels[r] for r in members],
        working=float(np.mean([share_of[r] for r in members])),
        unit=ctx._srclocs().names[name_idx],
        done=len(done),
        mean_ns=float(dur.mean()),
        growth_per_s=slope,
        counts_items=bool(np.all(values == np.round(values))),
        step=step,
        step_share=share,
    )


def _saturated(ctx: Capture, lo: int, hi: int) -> list[tuple[int, float]]:
    """(thread row, share of [lo, hi) inside its top-level units of work that are not waits) for the threads
    working at least SATURATED of it."""
    waits = wait_names(ctx)
    names = ctx._srclocs()
    wait_idx = [i for i, n in enumerate(names.names) if n in waits]
    t = ctx._cpu()
    out = []
    for k, (_, _, z) in enumerate(top_work(ctx)):
        if len(z) == 0:
            continue
        s, e = t.start[z], t.end[z]
        keep = (e > lo) & (s < hi)
        if wait_idx:
            keep &= ~np.isin(names.name_idx[t.srcloc[z]], wait_idx)
        covered = float((np.minimum(e[keep], hi) - np.maximum(s[keep], lo)).sum())
        share = covered / (hi - lo)
        if share >= SATURATED:
            out.append((k, share))
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
