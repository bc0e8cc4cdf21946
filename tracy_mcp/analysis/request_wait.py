"""request_wait: how long a unit of work (a request, a job) waited before its handling began, found by joining its
runs to an earlier stage's runs on another thread through the id both carry in their zone texts ("#1234" in
`Net::Accept` on the acceptor and "GET /api/orders #1234" in `Server::HandleRequest` on a worker).

A number in a run's text is an id when no other run of the same zone name carries it (so "v1" of "/api/v1" is not
one). The earlier stage is the zone name with texts, on other threads, whose runs start before the unit's runs for
the most ids. The wait from its end to the unit's start is queueing; from its start to the unit's end is the
request's latency end to end, which is what a user sees and the handling time alone does not show.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, name_list
from tracy_mcp.analysis.zone_paths import zone_texts

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
NUMBER = re.compile(r"\d+")
JOINED = 0.5  # at least this share of the unit's runs joined to an earlier stage's run by id...
BEFORE = 0.9  # ...whose run started before the unit's run in this share of them
COUNT_SPAN = (0.5, 2.0)  # an earlier stage runs about as often as the unit (a share of it, up to twice)
MAX_RUNS = 200_000  # more runs of the unit than this: an even sample of them is joined
QUEUEING = 1.0  # the wait's p90 at least this times the handling's: the latency is queueing
PARTS = 10  # the wait is shown in the first and last of this many parts of the joined runs


@attrs.frozen
class RequestWait:
    """The unit's runs joined to an earlier stage: `wait_ns` (earlier end -> unit start) and `latency_ns` (earlier
    start -> unit end) per joined run, `handling_ns` the joined runs' own durations, in time order."""

    unit: str
    stage: str
    stage_threads: str
    runs: int  # the unit's runs looked at
    wait_ns: np.ndarray
    latency_ns: np.ndarray
    handling_ns: np.ndarray

    @property
    def queueing(self) -> bool:
        """The wait, not the handling, is most of the latency."""
        return float(np.percentile(self.wait_ns, 90)) >= QUEUEING * float(np.percentile(self.handling_ns, 90))

    def headline(self) -> str:
        """The finding in a few words, for a title."""
        return (
            f"{self.unit} does not keep up with {self.stage}: its runs wait in the queue longer than they take "
            f"(wait p50 {fmt_ns(float(np.median(self.wait_ns)))}, max {fmt_ns(self.wait_ns.max())}; handling p50 "
            f"{fmt_ns(float(np.median(self.handling_ns)))})"
        )

    def line(self) -> str:
        """One line of evidence: the wait and the latency, and how the wait moved over the run."""
        w, lat, h = self.wait_ns, self.latency_ns, self.handling_ns
        pw, pl, ph = (np.percentile(x, [50, 90, 99]) for x in (w, lat, h))
        part = max(len(w) // PARTS, 1)
        first, last = float(np.median(w[:part])), float(np.median(w[-part:]))
        trend = (
            f"; the wait's median goes from {fmt_ns(first)} in the first tenth of them to {fmt_ns(last)} in the last"
            if last > 2 * first and last - first > ph[0]
            else ""
        )
        verdict = (
            "most of it is waiting in the queue for a free thread, not handling"
            if self.queueing
            else "most of it is handling, not waiting in the queue"
        )
        return (
            f"Queue wait before {self.unit} (joined by the id in the zone texts to the end of {self.stage} on "
            f"{self.stage_threads}; {len(w)} of {self.runs} runs): p50 {fmt_ns(pw[0])}, p90 {fmt_ns(pw[1])}, "
            f"p99 {fmt_ns(pw[2])}, max {fmt_ns(w.max())}{trend}. From {self.stage}'s start to {self.unit}'s end: "
            f"p50 {fmt_ns(pl[0])}, p99 {fmt_ns(pl[2])}, max {fmt_ns(lat.max())}, against handling p50 "
            f"{fmt_ns(ph[0])}, p99 {fmt_ns(ph[2])}: {verdict}."
        )


def request_wait(ctx: Capture, unit_idx: int, runs: np.ndarray) -> RequestWait | None:
    """The wait of the unit's `runs` (zone name index `unit_idx`, rows in time order) behind an earlier stage, or
    None when no earlier stage shares ids with them."""
    db = ctx._db
    if len(runs) == 0 or not db.has("zones", "extra"):
        return None
    t = ctx._cpu()
    key = ("request_wait", int(unit_idx), len(runs), int(runs[0]), int(runs[-1]))
    return db.cached(key, lambda: _join(ctx, int(unit_idx), runs, t))


def _join(ctx: Capture, unit_idx: int, runs: np.ndarray, t: ZoneTree) -> RequestWait | None:
    looked = runs if len(runs) <= MAX_RUNS else runs[np.linspace(0, len(runs) - 1, MAX_RUNS).astype(I64)]
    extra = ctx._db.col("zones", "extra")
    if (extra[looked] > 0).mean() < JOINED:  # too few carry a text to be joined by one
        return None
    ids = _ids(zone_texts(ctx, looked, plain=True))
    have = ids >= 0
    if have.sum() < JOINED * len(looked):
        return None
    sl = ctx._srclocs()
    name_of = sl.name_idx[t.srcloc]
    unit_threads = set(t.owner[looked].tolist())
    with_text = (extra[: t.n] > 0) & t.valid & ~np.isin(t.owner, list(unit_threads))
    counts = np.bincount(name_of[with_text], minlength=len(sl.names))
    lo, hi = COUNT_SPAN[0] * len(runs), COUNT_SPAN[1] * len(runs)
    best: tuple[int, int, np.ndarray, np.ndarray] | None = None
    for cand in np.flatnonzero((counts >= lo) & (counts <= hi)).tolist():
        if cand == unit_idx:
            continue
        rows = np.flatnonzero(with_text & (name_of == cand))
        cid = _ids(zone_texts(ctx, rows, plain=True))
        ok = cid >= 0
        rows, cid = rows[ok], cid[ok]
        order = np.argsort(cid, kind="stable")
        rows, cid = rows[order], cid[order]
        pos = np.searchsorted(cid, ids)
        pos_ok = have & (pos < len(cid))
        hit = np.zeros(len(ids), bool)
        hit[pos_ok] = cid[pos[pos_ok]] == ids[pos_ok]
        if hit.sum() < JOINED * len(looked):
            continue
        unit_rows, stage_rows = looked[hit], rows[pos[hit]]
        before = t.start[stage_rows] <= t.start[unit_rows]  # handed over inside the stage's zone: no wait
        if before.mean() < BEFORE or (best is not None and before.sum() <= len(best[2])):
            continue
        best = (cand, int(before.sum()), unit_rows[before], stage_rows[before])
    if best is None:
        return None
    cand, _, unit_rows, stage_rows = best
    labels = ctx._thread_labels()
    return RequestWait(
        unit=str(sl.names[unit_idx]),
        stage=str(sl.names[cand]),
        stage_threads=name_list(sorted({labels[int(x)] for x in t.owner[stage_rows].tolist()})),
        runs=len(looked),
        wait_ns=np.maximum(t.start[unit_rows] - t.end[stage_rows], 0).astype(I64),
        latency_ns=(t.end[unit_rows] - t.start[stage_rows]).astype(I64),
        handling_ns=t.dur[unit_rows].astype(I64),
    )


def _ids(texts: list[str]) -> np.ndarray:
    """Per text the number in it that no other text carries (the longest when several do), -1 for none."""
    numbers = [NUMBER.findall(x) for x in texts]
    seen: dict[str, int] = {}
    for found in numbers:
        for n in set(found):
            seen[n] = seen.get(n, 0) + 1
    out = np.full(len(texts), -1, I64)
    for i, found in enumerate(numbers):
        unique = [n for n in found if seen[n] == 1 and len(n) <= 18]
        if unique:
            out[i] = int(max(unique, key=len))
    return out
