"""The idle tail of a pool's work in a run without frames (a build, a batch job): the stretch at the end where one
member still works and the others have nothing left, what that one runs then, who waits for it, and how much
sooner the work could end with it spread evenly. thread_report puts it first when it is a large share of the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.wait_zones import WaitZone, wrapper_mask
from tracy_mcp.analysis.zone_paths import zone_texts

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
TAIL = 0.1  # a lone member's last stretch this share of the pool's working span or more is told
WAITER_AFTER = 0.01  # a wait ending within this share of the span (or 2 ms) after the tail ends waits for it
WAITER_MIN_NS = 2_000_000


def idle_tail(ctx: Capture, pools: list[dict[str, Any]], waits: list[WaitZone], lo: int, hi: int) -> str:
    """'Idle tail: ...' for the pool whose lone last member works longest after the others stopped, when that is
    TAIL of the pool's span or more; '' otherwise."""
    best = None
    for pool in pools:
        found = _tail(ctx, pool, waits, lo, hi)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best[1] if best is not None else ""


def _work_rows(ctx: Capture, thread: int, waits: list[WaitZone], lo: int, hi: int) -> np.ndarray:
    """A thread's outermost zones of work in [lo, hi): not wrapping the thread, not one of its waits."""
    t, sl = ctx._cpu(), ctx._srclocs()
    wrap = wrapper_mask(ctx)
    rows = np.flatnonzero((t.owner[: t.n] == thread) & t.valid & ~wrap)
    parent = t.parent[rows]
    rows = rows[(parent < 0) | wrap[np.maximum(parent, 0)]]
    rows = rows[(t.end[rows] > lo) & (t.start[rows] < hi)]
    mine = {w.name_idx for w in waits if w.thread_row == thread}
    if mine:
        rows = rows[~np.isin(sl.name_idx[t.srcloc[rows]], list(mine))]
    return rows


def _tail(ctx: Capture, pool: dict[str, Any], waits: list[WaitZone], lo: int, hi: int) -> tuple[float, str] | None:
    t, sl = ctx._cpu(), ctx._srclocs()
    labels = ctx._thread_labels()
    members = [int(m["thread_id"]) for m in pool["_members"]]
    work = {m: _work_rows(ctx, m, waits, lo, hi) for m in members}
    work = {m: r for m, r in work.items() if len(r)}
    if len(work) < 2:
        return None
    last = {m: int(np.minimum(t.end[r], hi).max()) for m, r in work.items()}
    first = min(int(np.maximum(t.start[r], lo).min()) for r in work.values())
    order = sorted(last, key=last.__getitem__)
    lone, e1, e2 = order[-1], last[order[-1]], last[order[-2]]
    span = e1 - first
    if span <= 0 or e1 - e2 < TAIL * span:
        return None
    rows = work[lone]
    overlap = np.minimum(t.end[rows], e1) - np.maximum(t.start[rows], e2)
    r = int(rows[int(np.argmax(overlap))])
    name_idx = int(sl.name_idx[t.srcloc[r]])
    name = str(sl.names[name_idx])
    text = zone_texts(ctx, np.asarray([r], I64), plain=True)[0]
    same = np.concatenate([x[sl.name_idx[t.srcloc[x]] == name_idx] for x in work.values()])
    dur = t.dur[same].astype(np.float64)
    started = int((t.start[same] <= t.start[r]).sum())
    busy = sum(float(np.minimum(t.end[x], hi).sum() - np.maximum(t.start[x], lo).sum()) for x in work.values())
    n = len(members)
    ideal = max(busy / n, float(t.dur[r]))
    idle = n - 1
    what = (
        f"{name}{f' {text!r}' if text else ''} ({fmt_ns(t.dur[r])}"
        + (
            f", the longest of {len(same)} runs, {t.dur[r] / np.median(dur):.1f}x their median; it started "
            f"{_nth(started)} of {len(same)}, at {t.start[r] / 1e9:.3f} s"
            if len(same) > 1 and t.dur[r] >= dur.max()
            else f", started at {t.start[r] / 1e9:.3f} s"
        )
        + _inside(ctx, r)
        + ")"
    )
    line = (
        f"Idle tail: for the last {fmt_ns(e1 - e2)} of the {pool['pool']} pool's work ({fmt_pct((e1 - e2) / span)} "
        f"of it) only {labels[lone]} works while the other {idle} {'is' if idle == 1 else 'are'} idle, running "
        f"{what}.{_waiter(ctx, waits, lone, e1, hi - lo)} The pool works a mean {busy / span:.2f} of its {n} threads "
        f"from its first to its last run"
        + (
            f"; started first or split, that run would let the work end up to {fmt_ns(span - ideal)} sooner."
            if span - ideal > TAIL * span
            else "."
        )
    )
    return float(e1 - e2) / span, line


def _nth(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def _inside(ctx: Capture, r: int) -> str:
    """'; inside it <name> <time>' for the child zone name with the most self time under row r, if not r's own."""
    t, sl = ctx._cpu(), ctx._srclocs()
    rows = np.arange(r + 1, int(t.subtree_end[r]))
    rows = rows[t.end[rows] >= 0]
    if len(rows) == 0:
        return ""
    names = sl.name_idx[t.srcloc[rows]]
    sums = np.bincount(names, weights=t.self_time()[rows].astype(np.float64))
    k = int(np.argmax(sums))
    if sums[k] < 0.25 * float(t.dur[r]):
        return ""
    return f"; inside it {sl.names[k]} {fmt_ns(sums[k])}"


def _waiter(ctx: Capture, waits: list[WaitZone], lone: int, e1: int, span: int) -> str:
    """' <wait> (<thread>) ends <d> after it.' for a wait on another thread that ends right after the tail."""
    t, sl = ctx._cpu(), ctx._srclocs()
    near = max(WAITER_MIN_NS, int(WAITER_AFTER * span))
    labels = ctx._thread_labels()
    for w in waits:
        if w.thread_row == lone or w.kind != "waits for other threads":
            continue
        rows = t.stat_rows(sl.rows_of(str(sl.names[w.name_idx])))
        rows = rows[t.valid[rows] & (t.owner[rows] == w.thread_row)]
        after = t.end[rows] - e1
        ok = (after >= 0) & (after <= near)
        if ok.any():
            d = int(after[ok].min())
            return f" {sl.names[w.name_idx]} ({labels[w.thread_row]}) ends {fmt_ns(d)} after it."
    return ""
