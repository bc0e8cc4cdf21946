"""What a comparison of two runs adds beside zone timings when the cause is a lock or a leak: a lock whose total wait
moved (and the zone its waits happen in, so a zone that regressed by waiting says for what), and a leak one run has
and the other has not. The lock totals are upstream's per-lock wait statistics (lock_contention runs only for a lock
that moved, for the zone); the leaks come from memory_report, run only when the runs differ in memory never freed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from tracy_mcp.analysis.formatting import fmt_bytes, fmt_ns
from tracy_mcp.analysis.lock_contention import lock_contention
from tracy_mcp.analysis.memory_report import memory_report

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

WAIT_MIN_NS = 5_000_000  # a lock's total wait moved by at least this much...
WAIT_RATIO = 2.0  # ...and this many times (either way)
WAIT_SHARE = 0.5  # a regressed zone whose added time is this share lock wait regressed by waiting
LEAK_MIN = 0.01  # never-freed bytes that differ by this share of the larger run's (or more) are looked at
LEAK_RATIO = 2.0  # a site leaking this many times as many bytes in B counts as a new leak
SHOWN = 3


@attrs.frozen
class LockMove:
    lock: str
    wait_a: int
    wait_b: int
    zone: str  # where the larger side's waits happen (the zone most of its wait is inside), "" when unknown


@attrs.frozen
class LeakMove:
    name: str  # the allocating zone
    count: int  # never freed in the side that leaks
    size: int  # bytes never freed there
    median_size: int
    other: int  # bytes never freed by the same zone in the other run
    new_in_b: bool  # B leaks where A did not (else A leaked and B does not)


def lock_moves(a: Capture, b: Capture) -> list[LockMove]:
    """The locks (by name) whose total wait moved by WAIT_RATIO and WAIT_MIN_NS at least, most moved first. The
    totals are upstream's per-lock wait statistics (cheap); lock_contention runs only for a lock that moved, on the
    run that waited more, to find the zone its waits happen in."""
    if not (a._db.rows("lock_events") and b._db.rows("lock_events")):
        return []
    wa, wb = _waits(a), _waits(b)
    out = []
    for name in sorted(set(wa) | set(wb)):
        x, y = wa.get(name, 0), wb.get(name, 0)
        if abs(y - x) < WAIT_MIN_NS or not (y >= WAIT_RATIO * max(x, 1) or x >= WAIT_RATIO * max(y, 1)):
            continue
        out.append(LockMove(name, x, y, _wait_zone(b if y > x else a, name)))
    return sorted(out, key=lambda m: -abs(m.wait_b - m.wait_a))


def _waits(ctx: Capture) -> dict[str, int]:
    """Total wait per contended lock (a lock no thread ever waited on by another is left out: it waited ~0)."""
    return {str(x["name"]): int(x["total_wait_ns"]) for x in ctx.get_lock_wait_stats()}


def _wait_zone(ctx: Capture, lock: str) -> str:
    """The zone most of the lock's wait happens inside, "" when unknown."""
    wz = lock_contention(ctx, lock).tables.get("wait_zones")
    if wz is None or not len(wz):
        return ""
    mine = wz[wz["lock"] == lock]
    return str(mine.sort_values("wait_ns", ascending=False)["name"].iloc[0]) if len(mine) else ""


def leak_moves(a: Capture, b: Capture, never_a: int, never_b: int) -> list[LeakMove]:
    """The steady leaks one run has and the other has not (by allocating zone), largest first; looked for only
    when the runs' never-freed bytes differ by LEAK_MIN of the larger."""
    if abs(never_b - never_a) < LEAK_MIN * max(never_a, never_b, 1):
        return []
    la, lb = _leaks(memory_report(a)), _leaks(memory_report(b))
    out = []
    for side_new, mine, other in ((True, lb, la), (False, la, lb)):
        for name, (count, size, median, steady) in mine.items():
            before = other.get(name, (0, 0, 0, False))
            if steady and not before[3] and size >= LEAK_RATIO * max(before[1], 1):
                out.append(LeakMove(name, count, size, median, before[1], side_new))
    return sorted(out, key=lambda m: -m.size)


def _leaks(r: Any) -> dict[str, tuple[int, int, int, bool]]:
    """Per allocating zone: (never freed, bytes, median size, steady leak) summed over its sites."""
    t = r.tables.get("leaks")
    out: dict[str, tuple[int, int, int, bool]] = {}
    if t is None or not len(t):
        return out
    for name, n, size, med, steady in zip(
        t["name"], t["never_freed"], t["never_freed_bytes"], t["median_size_bytes"], t["steady"], strict=True
    ):
        c, s, m, st = out.get(str(name), (0, 0, int(med), False))
        out[str(name)] = (c + int(n), s + int(size), m, st or bool(steady))
    return out


def lock_words(m: LockMove) -> str:
    where = f", waited for in {m.zone}" if m.zone else ""
    return f"{m.lock} {fmt_ns(m.wait_a)} -> {fmt_ns(m.wait_b)} of waiting in total{where}"


def leak_words(m: LeakMove) -> str:
    side, other = ("B", "A") if m.new_in_b else ("A", "B")
    was = f"{fmt_bytes(m.other)} never freed there" if m.other else "none"
    return (
        f"{side} leaks in {m.name}: {m.count} x {fmt_bytes(m.median_size)} (median) = {fmt_bytes(m.size)} never "
        f"freed ({other}: {was})"
    )


def waits_and_leaks(
    a: Capture, b: Capture, top_regressed: dict[str, Any] | None, never_a: int, never_b: int
) -> tuple[str, list[str], float]:
    """(a clause for the title, lines, the share of the top regression's added time that is the lock wait it now
    has (0 when none)): the lock a regressed zone now waits on, and a leak one run alone has."""
    said: list[str] = []
    lines: list[str] = []
    share = 0.0
    locks = lock_moves(a, b)
    if locks:
        lines.append("Lock waits (total, all threads): " + "; ".join(lock_words(m) for m in locks[:SHOWN]))
        if top_regressed is not None:
            added = float(top_regressed["total_b_ns"]) - float(top_regressed["total_a_ns"])
            for m in locks:
                if m.zone == top_regressed["name"] and m.wait_b - m.wait_a >= WAIT_SHARE * max(added, 1.0):
                    said.append(f"inside it, waiting for {m.lock}: {fmt_ns(m.wait_a)} -> {fmt_ns(m.wait_b)} in total")
                    share = (m.wait_b - m.wait_a) / max(added, 1.0)
                    break
        elif locks[0].wait_b > locks[0].wait_a:  # no zone regressed: the waiting that grew is the change to tell
            m = locks[0]
            where = f" (in {m.zone})" if m.zone else ""
            said.append(f"the wait for {m.lock} grew {fmt_ns(m.wait_a)} -> {fmt_ns(m.wait_b)} in total{where}")
    leaks = leak_moves(a, b, never_a, never_b)
    if leaks:
        lines.append("Leaks: " + "; ".join(leak_words(m) for m in leaks[:SHOWN]))
        said.append(leak_words(leaks[0]))
    return ("; " + "; ".join(said) if said else ""), lines, share
