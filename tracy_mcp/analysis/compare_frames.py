"""The words of a comparison about frames: hitches that come more or less often, frames that cross their
interval, a pacer that runs late, frames that alternate, the slack a regression used, and the named frame sets
besides the main one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.alternating_frames import alternating
from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import default_frame_set, frame_phases, periodic
from tracy_mcp.analysis.pacer_overshoot import pacer_overshoot
from tracy_mcp.analysis.rank_test import (
    mann_whitney,
)
from tracy_mcp.analysis.slow_frames import DEFAULT_FACTOR, PACED_FACTOR, PACED_LATE
from tracy_mcp.analysis.wait_zones import PACES

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

MISSED_SHARE = 0.1  # a paced loop with this share of B's frames at two intervals or more missed it
HITCH_RATIO = 2.0  # slow frames this many times as many (or as few) in B: the hitches' frequency changed
LONG_FRAMES_MIN = 3  # frames over 1.5x A's median worth counting in A and B
ABSORBED = 0.005  # a pacing wait that moved this share of a frame or more absorbed the change
CROSSED = 1.5  # a paced loop's median frame this much longer in B: its work may have crossed the period
SAME_MEAN = 0.02  # mean frames this close tell hitches that the average (the fps) hides
SET_FRAMES = 20  # a named frame set compared besides the main frames needs this many frames in each capture...
MAX_SETS = 3  # ...and at most this many are


def long_frames(fa: dict[str, Any], fb: dict[str, Any]) -> str:
    """' Frames over 1.5x A's median: A 0, B 40.' when their count moved: a median and a rank test over all frames
    can hold while a few frames more miss their interval."""
    limit = PACED_FACTOR * fa["median_ns"]
    na, nb = int((fa["durs"] > limit).sum()), int((fb["durs"] > limit).sum())
    if na == nb or max(na, nb) < LONG_FRAMES_MIN:
        return ""
    return f" {fa['what'][0].upper()}{fa['what'][1:]}s over {PACED_FACTOR:g}x A's median: A {na}, B {nb}."


def _far_apart(na: int, nb: int) -> bool:
    """Slow-frame counts that moved by HITCH_RATIO either way, with enough of them to count."""
    return max(na, nb) >= LONG_FRAMES_MIN and (nb >= HITCH_RATIO * max(na, 1) or na >= HITCH_RATIO * max(nb, 1))


def hitch_change(a: Capture, b: Capture, fa: dict[str, Any] | None, fb: dict[str, Any] | None) -> tuple[str, str]:
    """'B hitches more often: 11 slow frames, every 0.73 s, vs 3 in A, every 2.54 s; in both Script::Update (Main
    thread), 12.4 ms..17.6 ms in B's: the same hitch, more often' when the slow frames per second moved by
    HITCH_RATIO (slow_frames of each capture); '' otherwise; beside it, B's culprit when it differs from A's. The
    zone totals barely move when one hitch comes more often, so this is the comparison such a question needs."""
    if not (fa and fb) or fa["what"] != "gameplay frame":
        return "", ""

    def far(factor: float) -> bool:  # cheap first look: the frames over factor x A's median
        limit = factor * fa["median_ns"]
        return _far_apart(int((fa["durs"] > limit).sum()), int((fb["durs"] > limit).sum()))

    missed = far(PACED_FACTOR)  # the frames that missed an interval
    # or frames over 2x (slow_frames' own rule): a burst of noise in A over 1.5x must not hide B's new hitches
    doubled = far(2.0)
    if not missed and not doubled and not far(PACED_LATE):  # or a limiter's late frames (slow_frames: PACED_LATE)
        return "", ""
    ra, rb = a.slow_frames(), b.slow_frames()
    if not (missed or doubled) and all(r.threshold_ns >= PACED_FACTOR * r.median_ns for r in (ra, rb)):
        return "", ""  # neither run's hitches are a paced loop's late frames
    sa, sb = ra.table, rb.table
    na, nb = len(sa), len(sb)
    limit = PACED_FACTOR * fa["median_ns"]
    if missed and (nb > na) != (int((fb["durs"] > limit).sum()) > int((fa["durs"] > limit).sum())):
        # the missed intervals moved one way while the frames over 2x moved the other (frames two intervals long
        # straddle 2x): the misses are the hitches the user sees
        ra, rb = a.slow_frames(factor=PACED_FACTOR), b.slow_frames(factor=PACED_FACTOR)
        sa, sb = ra.table, rb.table
        na, nb = len(sa), len(sb)
    if not _far_apart(na, nb):
        return "", ""
    more = nb > na
    t = (rb if more else ra).table
    zones = t["zone"].astype(str)
    events = float((t["typical_ns"].to_numpy() == 0).mean()) if len(t) else 0.0  # zones absent from typical frames
    if len(zones) >= 2 and int(zones.value_counts().max()) < 2 and events < 0.5:
        # each slow frame grew in a different everyday zone (a loaded machine), not one hitch that recurs nor
        # events of one kind (first-use compiles, each its own zone)
        return "", ""

    def every(t: Any) -> str:
        st = np.sort(t["start_ns"].to_numpy()) if len(t) > 1 else np.zeros(0)
        return f", every {fmt_ns(float(np.median(np.diff(st))))}" if len(st) > 1 else ""

    def cause(r: Any) -> str:
        if not r.culprit:
            return ""
        t = r.table
        vals = t["slow_ns"].to_numpy()[t["zone"].astype(str).to_numpy() == r.culprit] if len(t) else []
        span = f", {fmt_ns(float(np.min(vals)))}..{fmt_ns(float(np.max(vals)))}" if len(vals) else ""
        why = f": {r.culprit_cause}" if r.culprit_cause else ""
        where = f" ({r.culprit_where})" if r.culprit_where else ""
        return f"{r.culprit}{where} ({r.culprit_thread}){span}{why}"

    ca, cb = cause(ra), cause(rb)
    same = bool(ra.culprit) and ra.culprit == rb.culprit and ra.culprit_thread == rb.culprit_thread
    if more and cb and not same:  # what B's culprit did in A: a tail that grew, or new work
        d = a._cpu().dur[ended_calls(a, str(rb.culprit))]
        cb += (
            f" (in A: p99 {fmt_ns(float(np.percentile(d, 99)))}, longest {fmt_ns(float(d.max()))})"
            if len(d)
            else " (not in A)"
        )
    what = (
        f"in both from {cb} in B's: the same hitch, {'more' if more else 'less'} often"
        if same
        else "; ".join(x for x in (f"B's from {cb}" if cb else "", f"A's from {ca}" if ca else "") if x)
    )
    ma, mb = float(np.mean(fa["durs"])), float(np.mean(fb["durs"]))
    hidden = (
        f"; the mean frame holds ({fmt_ns(ma)} -> {fmt_ns(mb)}, p99 {fmt_ns(fa['p99_ns'])} -> {fmt_ns(fb['p99_ns'])}): "
        "the average hides them"
        if abs(mb / ma - 1) < SAME_MEAN
        else ""
    )
    text = (
        f"B hitches {'more' if more else 'less'} often: {nb} slow frame(s){every(sb)}, vs {na} in A{every(sa)}"
        + (f"; {what}" if what else "")
        + hidden
    )
    return text, "" if same or not cb else str(rb.culprit)


def slack(waits: list[dict[str, Any]], fa: dict[str, Any]) -> str:
    """When the frame times held while a frame-pacing wait moved: the pacer absorbed the change, and how much slack
    per frame is left (its time per frame in B)."""
    pacer = next((r for r in waits if r.get("wait") == PACES), None)
    if pacer is None:
        return ""
    a, b = pacer["mean_a_ns"], pacer["mean_b_ns"]
    if abs(b - a) < ABSORBED * fa["median_ns"]:  # it held too: the change was not on the frame's path
        return ""
    way = "shrank" if b < a else "grew"
    return (
        f" The frame time held because {pacer['name']} (the frame-pacing wait) absorbed the change: its wait per "
        f"call {way} {fmt_ns(a)} -> {fmt_ns(b)} ({(b - a) / fa['median_ns']:+.1%} of a frame), so the slack left "
        f"before frames slow down is {fmt_ns(b)}" + (" (less than before)." if b < a else " (more than before).")
    )


def ended_calls(ctx: Capture, name: str) -> np.ndarray:
    """The zone rows of the ended calls of zone `name` (the engine's arrays: no zones() table built)."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    return rows[t.valid[rows]]


def crossed_interval(
    a: Capture, b: Capture, names: list[dict[str, Any]], fa: dict[str, Any], fb: dict[str, Any]
) -> str:
    """'; the frame thread's work (the frame minus <pacer>) x -> y crossed the z interval, so each frame waits for
    the next one: on <thread> <zone> grew most (...)' when a paced loop's frames took twice as long in B because
    its work just passed the period: the zone that did it is on the frame thread, whatever grew more elsewhere."""
    pacer = next((r for r in names if r.get("wait") == PACES and r["kind"] != "new"), None)
    if pacer is None:
        return ""
    period = fa["median_ns"]
    if fb["median_ns"] < CROSSED * fa["median_ns"]:
        # a part of B's frames missed the interval and took two (vsync): the work is at the period, not past it
        ma, mb = (int((f["durs"] >= CROSSED * period).sum()) for f in (fa, fb))
        if mb < MISSED_SHARE * len(fb["durs"]) or ma >= mb / 4:
            return ""
        oa, ob = _pacer_offset(a, str(pacer["name"])), _pacer_offset(b, str(pacer["name"]))
        when = (
            f" ({pacer['name']} starts {fmt_ns(oa)} -> {fmt_ns(ob)} into the frame, mean)"
            if oa is not None and ob is not None
            else ""
        )
        out = (
            f"; {mb} of B's {len(fb['durs'])} frames ({mb / len(fb['durs']):.0%}) missed the {fmt_ns(period)} "
            f"interval and took two or more ({ma} of A's {len(fa['durs'])}): the frame's work now reaches the "
            f"interval{when}"
        )
    else:
        work_a, work_b = fa["median_ns"] - pacer["mean_a_ns"], fb["median_ns"] - pacer["mean_b_ns"]
        if not work_a < period <= work_b:
            return ""
        out = (
            f"; the frame thread's work (the frame minus {pacer['name']}) {fmt_ns(work_a)} -> {fmt_ns(work_b)} "
            f"crossed the {fmt_ns(period)} interval, so each frame waits for the next one"
        )
    t, sl = a._cpu(), a._srclocs()

    def thread_of(name: str) -> int:
        rows = t.stat_rows(sl.rows_of(name))
        return int(np.bincount(t.owner[rows]).argmax()) if len(rows) else -1

    home = thread_of(str(pacer["name"]))
    grown = [r for r in names if r["kind"] == "regressed" and r["count_a"] and thread_of(str(r["name"])) == home]
    if grown:
        r = max(grown, key=lambda r: (r["mean_b_ns"] - r["mean_a_ns"]) * r["count_a"])
        out += (
            f": on {a._thread_labels()[home]}, {r['name']} grew most ({fmt_ns(r['mean_a_ns'])} -> "
            f"{fmt_ns(r['mean_b_ns'])} per call)"
        )
    return out


def pacer_late(a: Capture, b: Capture) -> str:
    """'in B the frame-pacing wait, not the work, sets the frame time: Frame::Limit ends the frames at a median
    19.46 ms while the work before it takes 8.65 ms, past the 16.67 ms interval by a median 2.78 ms (A: not)' when
    B's limiter oversleeps and A's did not (pacer_overshoot); '' otherwise."""
    ob = pacer_overshoot(b)
    if ob is None or pacer_overshoot(a) is not None:
        return ""
    return (
        f"in B the frame-pacing wait, not the work, sets the frame time: {ob.name} ends the frames at a median "
        f"{fmt_ns(ob.median_ns)} while the work before it takes {fmt_ns(ob.work_ns)}, past the "
        f"{fmt_ns(ob.target_ns)} ({1e9 / ob.target_ns:.0f} fps) interval by a median {fmt_ns(ob.by_ns)} (A's did "
        "not): B's limiter oversleeps"
    )


def alternation_change(a: Capture, b: Capture, fa: dict[str, Any]) -> str:
    """'B's frames alternate 8.38 ms / 25.27 ms (medians; mean 16.93 ms) where A's do not (median 16.91 ms):
    AI::Think runs every second frame in B (293 -> 148 runs, 8.50 ms -> 16.79 ms a run)' when B's frames alternate
    and A's did not (alternating_frames); the reverse when A's did; '' otherwise."""
    xa, xb = alternating(a), alternating(b)
    if xb is not None and xa is None:
        x, one, other = xb, "B", "A"
    elif xa is not None and xb is None:
        x, one, other = xa, "A", "B"
    else:  # both alternate, or neither: no change in kind
        return ""
    text = (
        f"{one}'s frames alternate {fmt_ns(x.short_ns)} / {fmt_ns(x.long_ns)} (medians; mean {fmt_ns(x.mean_ns)}) "
        f"where {other}'s do not" + (f" (median {fmt_ns(fa['median_ns'])})" if one == "B" else "")
    )
    if not x.zone:
        return text
    ra, rb = ended_calls(a, x.zone), ended_calls(b, x.zone)
    runs = f"{len(ra)} -> {len(rb)} runs"
    if len(ra) and len(rb):
        ta, tb = float(np.median(a._cpu().dur[ra])), float(np.median(b._cpu().dur[rb]))
        runs += f", {fmt_ns(ta)} -> {fmt_ns(tb)} a run"
    return f"{text}: {x.zone} runs every second frame in {one} ({runs})"


def _pacer_offset(ctx: Capture, name: str) -> float | None:
    """How far into its gameplay frame the pacing wait `name` starts, on average (its first call in each frame): where
    the frame's work ends. None without frames or calls."""
    ph = frame_phases(ctx)
    rows = ended_calls(ctx, name)
    if ph is None or not len(ph.gameplay) or not len(rows):
        return None
    g = ph.gameplay
    starts = np.sort(ctx._cpu().start[rows])
    first = np.searchsorted(starts, ph.start[g])  # each frame's first call at or after its start
    ok = first < len(starts)
    ok[ok] &= starts[first[ok]] < ph.end[g][ok]
    if not ok.any():
        return None
    return float(np.mean(starts[first[ok]] - ph.start[g][ok]))


def other_sets(a: Capture, b: Capture, alpha: float) -> tuple[list[str], str]:
    """A line per named frame set both captures mark besides the one compared above (an audio callback, a physics
    step): its frames in A and B and how many ran long (over 1.5x a fixed period's median: a lost period; else
    over 2x), since a loop of its own can regress while the main frames hold."""
    default = default_frame_set(a)
    names_b = {str(f["name"]) for f in b._frame_sets()[1:]}
    out: list[str] = []
    hitch = ""  # title words for the first set whose long frames came HITCH_RATIO times as often
    for fs in a._frame_sets()[1:]:
        name = str(fs["name"])
        if name == default or name not in names_b or len(out) >= MAX_SETS:
            continue
        pa, pb = frame_phases(a, name), frame_phases(b, name)
        if pa is None or pb is None or min(len(pa.gameplay), len(pb.gameplay)) < SET_FRAMES:
            continue
        fixed = periodic(pa)
        factor = PACED_FACTOR if fixed else DEFAULT_FACTOR
        da, db = pa.dur[pa.gameplay], pb.dur[pb.gameplay]
        long_a, long_b = int((da > factor * pa.median_ns).sum()), int((db > factor * pa.median_ns).sum())
        pa99, pb99 = np.percentile(da, 99), np.percentile(db, 99)
        out.append(
            f"'{name}' frames: A {len(da)}, median {fmt_ns(pa.median_ns)}, p99 {fmt_ns(pa99)}, max {fmt_ns(da.max())}, "
            f"{long_a} over {factor:g}x A's median; B {len(db)}, median {fmt_ns(pb.median_ns)}, p99 {fmt_ns(pb99)}, "
            f"max {fmt_ns(db.max())}, {long_b} over it"
            + (
                " (a fixed period: a frame that long lost a period)."
                if fixed  # its durations are the period: no rank test of them tells anything
                else _durations_moved(da, db, alpha)
            )
        )
        if not hitch and long_b >= LONG_FRAMES_MIN and long_b >= HITCH_RATIO * max(long_a, 1):
            r = b.slow_frames(frame_set=name)
            cause = f"; B's from {r.culprit} ({r.culprit_thread})" if r.culprit else ""
            hitch = (
                f"frame set '{name}': {long_b} frame(s) over {factor:g}x A's median {fmt_ns(pa.median_ns)} vs "
                f"{long_a} in A (p99 {fmt_ns(pa99)} -> {fmt_ns(pb99)}){cause}"
            )
    return out, hitch


def _durations_moved(da: np.ndarray, db: np.ndarray, alpha: float) -> str:
    p = mann_whitney(da, db)[0]
    return f"; durations {'differ beyond noise' if p < alpha else 'no change beyond noise'} (p={p:.2g})."
