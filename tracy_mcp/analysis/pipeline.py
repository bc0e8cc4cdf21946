"""Frame pipelining: a frame's number carried as a zone's value (ZoneValue) or text on two threads, e.g.
`Game::Update` on the main thread and `Render::Frame` on a render thread, tells how many frames the later stage
runs behind the earlier one and how long after a frame begins its last stage starts and ends: the latency a
player feels, which the frame rate does not show (a deeper queue adds whole frames at the same fps)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs
import numpy as np

from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.zone_paths import text_ids

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
MIN_RUNS = 20  # a stage runs at least this many times
NUMBERED = 0.9  # share of a zone's runs whose text is a number
RISING = 0.9  # share of consecutive runs (in time) whose number goes up: a frame counter, not an id or a size
COUNTS_FRAMES = 0.8  # share of the first stage's consecutive runs whose number goes up by exactly one
DEPTH_SHARE = 0.5  # share of the frames at the stage's median depth: a steady pipeline, not a coincidence
MAX_PER_FRAME = 4  # a stage runs at most this many times per frame (more: per item, not per frame)
SHARED = 0.5  # share of the earlier stage's numbers the later one also carries
MAX_STAGES = 4  # threads shown
FOLLOWS = 1_000_000  # a zone starting within this many ns of a stage's end follows it
FOLLOWER_SHARE = 0.9  # share of a stage's runs the same zone follows
_SHOWS = re.compile(r"present|swap|flip|vsync|vblank", re.IGNORECASE)  # a zone that puts a frame on screen
_NUMBER = re.compile(r"\s*(\d+)(?:\s*\[0x[0-9a-fA-F]+\])?\s*")  # "100" or a ZoneValue's "100 [0x64]"


@attrs.frozen
class Stage:
    """One thread's zone carrying the frame number, measured against the pipeline's first stage."""

    name: str
    thread: str
    matched: int  # frame numbers both stages carry
    behind: int  # median frames the first stage is ahead halfway through this one's run of a frame (0 for the first)
    behind_share: float  # share of the matched frames at that depth
    start_ns: float  # median from the first stage's start of a frame to this stage's start of it
    end_ns: float  # ... to this stage's end of it
    then: str = ""  # the zone that puts the frame on screen right after this one on its thread (a present), if any
    then_end_ns: float = float("nan")  # median from the first stage's start of a frame to that zone's end


@attrs.frozen
class Pipeline:
    stages: list[Stage]  # the first stage first, then by start
    period_ns: float  # median gameplay frame (NaN without frames)

    def line(self) -> str:
        """'Frame pipeline (frame numbers in the zones' values): Render::Frame (Render thread) runs 3 frames behind
        Game::Update (Main thread): it starts frame N a median 49.8 ms after Game::Update(N) starts and ends it
        58.9 ms after (3.5 frames of 16.67 ms), ...'."""
        first, parts = self.stages[0], []
        for s in self.stages[1:]:
            frames = (
                f" ({s.end_ns / self.period_ns:.1f} frames of {fmt_ns(self.period_ns)})" if self.period_ns > 0 else ""
            )
            depth = f"{s.behind} frame{'s' if s.behind != 1 else ''} behind"
            share = f" in {s.behind_share:.0%} of {s.matched} frames" if s.behind_share < 0.95 else ""
            parts.append(
                f"{s.name} ({s.thread}) runs {depth} {first.name} ({first.thread}){share}: it starts frame N a median "
                f"{fmt_ns(s.start_ns)} after {first.name}(N) starts and ends it {fmt_ns(s.end_ns)} after{frames}"
                + (
                    f", then {s.then} until {fmt_ns(s.then_end_ns)} after"
                    + (f" ({s.then_end_ns / self.period_ns:.1f} frames)" if self.period_ns > 0 else "")
                    if s.then
                    else ""
                )
            )
        return "Frame pipeline (the frame number in the zones' values): " + "; ".join(parts)


def frame_pipeline(ctx: Capture) -> Report:
    """How many frames a later stage of a pipelined frame (a render thread drawing what the main thread simulated)
    runs behind the first, and how long after a frame begins each stage starts and ends it: the latency the frame
    rate does not show. Needs the frame number in each stage's zone (ZoneValue or ZoneText). `table`: per stage
    its zone, thread, frames behind, the median start and end after the first stage's start (ns), and the zone that
    shows the frame (`shown_by`, a present) with its end (`shown_after_ns`)."""
    p = pipeline(ctx)
    cols = (
        "zone",
        "thread",
        "frames",
        "frames_behind",
        "at_depth_share",
        "start_after_ns",
        "end_after_ns",
        "shown_by",
        "shown_after_ns",
    )
    if p is None:
        return Report(
            title="No frame pipeline: no two threads' zones carry the same rising frame number (ZoneValue or "
            "ZoneText) with one running a frame or more behind the other.",
            table=frame({k: [] for k in cols}),
        )
    rows = [
        (s.name, s.thread, s.matched, s.behind, s.behind_share, s.start_ns, s.end_ns, s.then, s.then_end_ns)
        for s in p.stages
    ]
    return Report(title=p.line(), table=frame({k: [r[i] for r in rows] for i, k in enumerate(cols)}))


def pipeline(ctx: Capture) -> Pipeline | None:
    """The threads' zones that carry the same rising frame number, each measured against the earliest; None
    when no stage runs a frame or more behind the first."""
    return ctx._db.cached("frame_pipeline", lambda: _build(ctx))


def pipeline_line(ctx: Capture) -> str:
    p = pipeline(ctx)
    return p.line() if p is not None else ""


def _build(ctx: Capture) -> Pipeline | None:
    ph = frame_phases(ctx)
    if ph is None or len(ph.gameplay) < MIN_RUNS:
        return None  # frame numbers need frames to count
    t, sl = ctx._cpu(), ctx._srclocs()
    labels = ctx._thread_labels()
    most = MAX_PER_FRAME * len(ph.dur)
    per_thread: dict[int, _Runs] = {}
    for name in sl.names:
        rows = t.stat_rows(sl.rows_of(name))
        if not MIN_RUNS <= len(rows) <= most:
            continue
        text = text_ids(ctx, rows)
        if (text >= 0).mean() < NUMBERED:
            continue
        ids, inv = np.unique(text, return_inverse=True)
        parsed = np.asarray([_number(ctx, int(x)) for x in ids.tolist()], I64)
        value = parsed[inv]
        owner = t.owner[rows]
        for th in np.unique(owner).tolist():
            on = (owner == th) & (value >= 0)
            if on.sum() < MIN_RUNS or on.mean() < NUMBERED:
                continue
            r, v = rows[on], value[on]
            order = np.argsort(t.start[r], kind="stable")
            r, v = r[order], v[order]
            if (np.diff(v) > 0).mean() < RISING:
                continue
            cand = _Runs(name, v, t.start[r].astype(I64), t.end[r].astype(I64), r)
            held = per_thread.get(int(th))
            # one stage per thread: the zone that starts a frame first (Game::Update before Render::SubmitFrame)
            if held is None or _median_offset(cand, held) < 0:
                per_thread[int(th)] = cand
    # the first stage counts frames: its number goes up by one from run to run
    counters = [th for th, x in per_thread.items() if (np.diff(x.value) == 1).mean() >= COUNTS_FRAMES]
    if not counters or len(per_thread) < 2:
        return None
    ths = list(per_thread)

    def lead(th: int) -> float:  # the summed offsets to the threads it shares frame numbers with
        d = [_median_offset(per_thread[th], per_thread[o]) for o in ths if o != th]
        d = [x for x in d if np.isfinite(x)]
        return sum(d) if d else float("inf")

    first = min(counters, key=lead)
    head = per_thread[first]
    stages = [Stage(head.name, labels[first], len(head.value), 0, 1.0, 0.0, float(np.median(head.end - head.start)))]
    for th in ths:
        s = _stage(ctx, head, per_thread[th], labels[th]) if th != first else None
        if s is not None and s.behind >= 1 and s.behind_share >= DEPTH_SHARE:
            stages.append(s)
    if len(stages) < 2:
        return None  # stages in the same frame (jobs the frame waits for) are no pipeline
    stages = [stages[0], *sorted(stages[1:], key=lambda s: s.start_ns)][:MAX_STAGES]
    return Pipeline(stages, float(ph.median_ns))


@attrs.frozen
class _Runs:
    """One zone's runs on one thread that carry a number, in time order."""

    name: str
    value: np.ndarray
    start: np.ndarray
    end: np.ndarray
    rows: np.ndarray


def _number(ctx: Capture, sid: int) -> int:
    """The number a zone text (string id) holds, -1 for none."""
    if sid < 0:
        return -1
    m = _NUMBER.fullmatch(ctx._str(sid))
    return int(m.group(1)) if m else -1


def _median_offset(x: _Runs, y: _Runs) -> float:
    """Median start of x's frames minus y's, over the frame numbers both carry (+inf when too few)."""
    common, ix, iy = np.intersect1d(x.value, y.value, return_indices=True)
    if len(common) < MIN_RUNS:
        return float("inf")
    return float(np.median(x.start[ix] - y.start[iy]))


def _stage(ctx: Capture, first: _Runs, later: _Runs, label: str) -> Stage | None:
    """`later` measured against `first`: for each frame number both carry, how far first's counter had run when
    later started that frame, and how long after first started it later started and ended it."""
    vf, sf = first.value, first.start
    name, vl, sl, el = later.name, later.value, later.start, later.end
    common, i_f, i_l = np.intersect1d(vf, vl, return_indices=True)
    if len(common) < MIN_RUNS or len(common) < SHARED * min(len(vf), len(vl)):
        return None
    start = sl[i_l] - sf[i_f]
    if np.median(start) < 0:
        return None
    # the newest frame the first stage had begun halfway through the later one's run of frame N (at its very start
    # the first stage may still wait for the slot that run frees)
    newest = np.searchsorted(sf, (sl[i_l] + el[i_l]) // 2, side="right") - 1
    ok = newest >= 0
    ahead = vf[newest[ok]] - common[ok]
    if not len(ahead):
        return None
    depth = int(np.median(ahead))
    then, then_end = _follower(ctx, later.rows[i_l])
    return Stage(
        name,
        label,
        len(common),
        depth,
        float((ahead == depth).mean()),
        float(np.median(start)),
        float(np.median(el[i_l] - sf[i_f])),
        then,
        float(np.median(then_end - sf[i_f])) if then else float("nan"),
    )


def _follower(ctx: Capture, rows: np.ndarray) -> tuple[str, np.ndarray]:
    """The zone that puts the frame on screen right after each of `rows` on its thread at the same depth (a
    present after the draw), when the same one follows nearly every run: its name and end per row; ("", empty)
    otherwise (a wait for the next frame's work that follows is not part of this frame)."""
    t = ctx._cpu()
    nxt = t.subtree_end[rows].astype(I64)
    ok = nxt < t.n
    nxt = np.where(ok, nxt, 0)
    ok &= (t.owner[nxt] == t.owner[rows]) & (t.depth[nxt] == t.depth[rows]) & (t.start[nxt] - t.end[rows] < FOLLOWS)
    if ok.mean() < FOLLOWER_SHARE:
        return "", np.zeros(0, I64)
    names = ctx._srclocs().name_idx[np.clip(t.srcloc[nxt], 0, len(ctx._srclocs()) - 1)]
    top = np.bincount(names[ok]).argmax()
    if ((names == top) & ok).mean() < FOLLOWER_SHARE or not _SHOWS.search(ctx._srclocs().names[int(top)]):
        return "", np.zeros(0, I64)
    return ctx._srclocs().names[int(top)], np.where(ok & (names == top), t.end[nxt], t.end[rows]).astype(I64)


def pipeline_change(a: Capture, b: Capture) -> str:
    """'Frame pipeline deeper: Render::Frame (Render thread) runs 1 -> 3 frames behind Input::Poll (Main thread);
    frame N done 33.30 ms -> 66.64 ms after Input::Poll(N) starts (+33.34 ms, 2.0 frames more latency ...)' when a
    stage's depth or latency moved by half a frame or more between two runs (or only one run queues frames two or
    more deep); "" otherwise."""
    pa, pb = pipeline(a), pipeline(b)
    if pa is None and pb is None:
        return ""
    if pa is None or pb is None:
        side, p = ("B", pb) if pa is None else ("A", pa)
        other = "A" if side == "B" else "B"
        assert p is not None
        s = max(p.stages[1:], key=lambda x: x.behind)
        if s.behind < 2:
            return ""  # a render thread a frame behind is common; one that stops being so is no news
        return (
            f"Frame pipeline only in {side}: {s.name} ({s.thread}) runs {s.behind} frame(s) behind "
            f"{p.stages[0].name} ({p.stages[0].thread}) there (frame N done {fmt_ns(_done(s))} after it starts); "
            f"{other} shows no stage a frame behind"
        )
    period = float(np.nanmax([pa.period_ns, pb.period_ns, 1.0]))
    later = {(s.name, s.thread): s for s in pa.stages[1:]}
    for s in pb.stages[1:]:
        r = later.get((s.name, s.thread))
        if r is None or pa.stages[0].name != pb.stages[0].name:
            continue
        moved = _done(s) - _done(r)
        if s.behind == r.behind and abs(moved) < period / 2:
            continue
        word = "deeper" if moved > 0 else "shallower"
        return (
            f"Frame pipeline {word}: {s.name} ({s.thread}) runs {r.behind} -> {s.behind} frames behind "
            f"{pb.stages[0].name} ({pb.stages[0].thread}); frame N done {fmt_ns(_done(r))} -> {fmt_ns(_done(s))} "
            f"after {pb.stages[0].name}(N) starts ({'+' if moved >= 0 else '-'}{fmt_ns(abs(moved))}, "
            f"{abs(moved) / period:.1f} frames{' more' if moved > 0 else ' less'} latency"
            f"{' at the same frame rate' if abs(pa.period_ns - pb.period_ns) < 0.05 * period else ''})"
        )
    return ""


def _done(s: Stage) -> float:
    """When the stage's frame is done: the end of the zone that shows it when there is one, else the stage's end."""
    return s.then_end_ns if s.then else s.end_ns
