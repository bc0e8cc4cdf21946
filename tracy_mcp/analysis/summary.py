"""Orientation in one call: what a capture contains (every count) and the headline finding of each analysis that
applies to it, one line each, naming the method that gives the detail.

An analysis that fails is left out with a note, so the summary always answers.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.call_tree import recursion_by_text
from tracy_mcp.analysis.crash import crash, crash_title, stopped_title
from tracy_mcp.analysis.formatting import clip_text, fmt_ns
from tracy_mcp.analysis.frame_phases import default_frame_set, frame_phases, markless, paired_marks
from tracy_mcp.analysis.frame_rate import frame_rate_line
from tracy_mcp.analysis.frame_trend import LEVEL, frame_trend, levelled_off, spearman
from tracy_mcp.analysis.gpu_load import gpu_report
from tracy_mcp.analysis.lock_contention import lock_contention
from tracy_mcp.analysis.memory_report import memory_report
from tracy_mcp.analysis.pipeline import pipeline_line
from tracy_mcp.analysis.plot_drivers import plot_drivers_line
from tracy_mcp.analysis.present_wait import present_bound_line
from tracy_mcp.analysis.program_messages import message_kinds
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.slow_frames import slow_frames
from tracy_mcp.analysis.startup import shutdown_line, startup_line
from tracy_mcp.analysis.thread_report import thread_report
from tracy_mcp.analysis.wait_zones import kind_words, unit_name, wait_names
from tracy_mcp.analysis.zone_paths import TEXT_SPLIT

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

HOT_PATHS = 3  # hot paths named in the summary
PLOTS_SHOWN = 4  # the program's plots quoted
STEADY_PLOT = 0.9  # a plot ranking this closely with time climbs (or falls) all run
MESSAGE_KINDS = 4  # kinds of program messages quoted
MESSAGE_CHARS = 110
MIN_FRAMES = 3  # fewer frames than this: no frame analysis
MIN_SET_FRAMES = 20  # a named frame set with fewer frames than this is no loop whose hitches are news
MAX_SETS = 3  # named frame sets searched for slow frames
UNZONED = 0.5  # a top self-time path with children but at least this share of its time in none is flagged


@attrs.define(repr=False)
class CaptureSummary(Report):
    """`.table`: what the capture contains, one row per kind of data (kind, count, detail). `.findings`: the
    headline findings as (method, text) pairs, in the order printed."""

    findings: list[tuple[str, str]] = attrs.field(factory=list)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _lock_detail(ctx: Capture, locks: int, events: int) -> str:
    # a lock the program declared but never took is not missing data: say so, and which (a few)
    if locks and not events:
        names = sorted({lk.name for lk in ctx.get_locks()})
        return "declared, never locked" + (f": {', '.join(names)}" if len(names) <= 5 else "")
    return _plural(events, "lock event")


def _untimed(ctx: Capture, table: str, column: str) -> str:
    """A warning when every row of `table` lacks a time (some recording machines stamp samples and context switches
    with 0): such rows are counted but cannot say where time went."""
    if ctx._db.rows(table) == 0 or int(ctx._db.col(table, column).max()) > 0:
        return ""
    return "none with a valid time: unusable for timing"


def _program_messages(ctx: Capture) -> list[str]:
    """The program's own messages (not Tracy's diagnostics), one per kind (numbers and quoted names set aside),
    warnings and errors first: the context a log gives (configuration, events), each with when it came and how
    often."""
    kinds = message_kinds(ctx)
    if not kinds:
        return []
    first = int(ctx.get_first_time())
    rank = {"error", "warning"}
    shown = []
    for k in kinds[:MESSAGE_KINDS]:
        tag = f"{k.severity}: " if k.severity in rank else ""
        at = (k.first_ns - first) / 1e9
        times = f" (x{k.count}, first at {at:.3f} s)" if k.count > 1 else f" ({at:.3f} s)"
        shown.append(f'{tag}"{clip_text(k.text, MESSAGE_CHARS)}"{times}')
    more = f"; {len(kinds) - MESSAGE_KINDS} more kinds: ctx.messages()" if len(kinds) > MESSAGE_KINDS else ""
    total = sum(k.count for k in kinds)
    return [f"The program's messages ({total}): " + "; ".join(shown) + more + "."]


def _program_plots(ctx: Capture) -> list[str]:
    """The program's own plots (not Tracy's memory / CPU ones): each one's first and last value, its range, and
    whether it climbs or falls all run (rank correlation with time over its points): a queue that only grows, a
    latency that keeps rising, a count that never drops."""
    db = ctx._db
    if not db.rows("plots") or not db.rows("plot_points"):
        return []
    p = ctx.plots(as_frame=False)
    b = db.col("plots", "point_begin").astype(np.int64)
    e = db.col("plots", "point_end").astype(np.int64)
    values = db.col("plot_points", "value")
    shown = []
    first = int(ctx.get_first_time())
    for i in range(len(p["name"])):
        if p["type"][i] != "User" or e[i] - b[i] < 3:
            continue
        t = db.col("plot_points", "time")[b[i] : e[i]]
        pick = np.linspace(0, e[i] - b[i] - 1, min(e[i] - b[i], 2000)).astype(np.int64)
        v = values[b[i] : e[i]].astype(np.float64)[pick]
        rho = spearman(np.arange(len(v)), v)
        how = "; climbs all run" if rho >= STEADY_PLOT else "; falls all run" if rho <= -STEADY_PLOT else ""
        tenths = [float(np.median(x)) for x in np.array_split(v, 10) if len(x)]
        if levelled_off(tenths):  # a cache at its cap: it rose, then held
            at = int(np.argmax(v >= tenths[-1] - LEVEL * (v.max() - v.min())))
            how = f"; rises, then holds near {_num(tenths[-1])} from {(int(t[pick[at]]) - first) / 1e9:.3f} s"
        top = int(np.argmax(v))
        if v[top] > 1.5 * max(abs(v[0]), abs(v[-1])):  # rose and came back down: when it peaked
            how += f"; peak {_num(v[top])} at {(int(t[pick[top]]) - first) / 1e9:.3f} s"
        text = f"{p['name'][i]} {_num(v[0])} -> {_num(v[-1])} (range {_num(v.min())}..{_num(v.max())}{how})"
        shown.append((-abs(rho), text))
    if not shown:
        return []
    shown.sort(key=lambda x: x[0])
    more = f"; {len(shown) - PLOTS_SHOWN} more: ctx.plots()" if len(shown) > PLOTS_SHOWN else ""
    return ["The program's plots, first -> last: " + "; ".join(t for _, t in shown[:PLOTS_SHOWN]) + more + "."]


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _sample_kinds(ctx: Capture) -> str:
    """How many of the callstack samples are CPU samples and how many were taken at context switches, when both."""
    total, cpu = ctx._db.rows("samples"), len(ctx._cpu_samples().time)
    if not total or cpu == total:
        return ""
    return f"{cpu} taken while running, {total - cpu} at context switches"


def _counts(ctx: Capture) -> list[tuple[str, int, str]]:
    """(kind, count, detail) for every kind of data a capture can hold."""
    rows = ctx._db.rows
    threads = ctx.get_threads()
    plots = ctx.get_plots()
    user = sum(1 for p in plots if p.type == "User")
    pools = rows("mem_pools")
    # a name several threads share is said once, with their count (a thread per task: "asset_export (120 threads)")
    count = Counter(str(t["name"]) for t in threads)
    shown = [n if count[n] == 1 else f"{n} ({count[n]} threads)" for n in dict.fromkeys(count)]
    names = ", ".join(shown[:6]) + (", …" if len(shown) > 6 else "")
    return [
        ("zones", int(ctx.get_zone_count()), _plural(int(ctx.get_src_loc_count()), "source location")),
        ("threads", len(threads), names),
        ("frames", int(ctx.get_frame_count()), _plural(len(ctx._frame_sets()), "frame set")),
        ("locks", rows("locks"), _lock_detail(ctx, rows("locks"), rows("lock_events"))),
        ("plots", len(plots), f"{user} from the program, {len(plots) - user} from Tracy (memory, CPU)"),
        ("memory events", rows("mem_events"), _plural(pools, "pool")),
        ("messages", rows("messages"), ""),
        ("CPU samples", rows("samples"), _untimed(ctx, "samples", "time") or _sample_kinds(ctx)),
        ("context switches", rows("ctx_switches"), _untimed(ctx, "ctx_switches", "start")),
        ("GPU zones", rows("gpu_zones"), _plural(rows("gpu_contexts"), "GPU context")),
    ]


def _contents(ctx: Capture, counts: list[tuple[str, int, str]]) -> list[str]:
    c = {k: (n, d) for k, n, d in counts}
    span = int(ctx.get_last_time()) - int(ctx.get_first_time())
    version = ctx._db.meta_get("file_version_str") or "?"
    zones, threads, frames = c["zones"], c["threads"], c["frames"]
    line = f"{zones[0]} zones ({zones[1]}) on {threads[0]} threads ({threads[1]}); {frames[0]} frames"
    named = default_frame_set(ctx)
    if named is not None:  # no frame mark of the program's in the base set: its named set is the frame
        n = len(ctx._frame_bounds(ctx._named_frame_set(named))[0])
        line = (
            f"{zones[0]} zones ({zones[1]}) on {threads[0]} threads ({threads[1]}); no base frame marks; frame set "
            f"{named!r}: {n} frames"
        )
    if frames[0]:
        p = ctx.frame_percentiles(named)
        fps = f" = {1e9 / p['p50']:.1f} fps" if p["p50"] and p["p50"] > 0 and named is None else ""
        line += f" (median {fmt_ns(p['p50'])}{fps}, p90 {fmt_ns(p['p90'])}, p99 {fmt_ns(p['p99'])})"
        if named is None and len(ctx._frame_sets()) and markless(ctx):
            line = line.split("; ")[0] + "; no frame marks (the program never marked a frame)"
    rest = [
        f"{n} {k}" + (f" ({d})" if d and n else "")
        for k, (n, d) in c.items()
        if k not in ("zones", "threads", "frames")
    ]
    paired = paired_marks(ctx, frame_phases(ctx, named)) if frames[0] else ""
    rate = frame_rate_line(ctx) if frames[0] and named is None and not paired and not markless(ctx) else ""
    return [
        f"Contains: {ctx.get_capture_program() or '?'}"
        + "".join(f' ("{x}")' for x in ctx.get_app_info()[:3])
        + f", Tracy {version} file, {span / 1e9:.3f} s captured.",
        line + ".",
        *([paired] if paired else []),
        *([rate] if rate else []),
        "; ".join(rest) + ".",
    ]


def _headline(report: Any) -> str:
    """The first line of a report's summary (the finding comes first)."""
    text = report.summary() if hasattr(report, "summary") else str(report)
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _hot_line(ctx: Capture, locks: Any = None) -> str:
    """`locks`: the capture's lock_contention report when the summary made one."""
    from tracy_mcp.analysis.call_tree import tree_columns, where

    hot = ctx.hot_paths(HOT_PATHS)
    cols = tree_columns(hot)
    waits = wait_names(ctx)

    def kind(path: str) -> str:  # a wait zone is not work: say so where it ranks
        k = waits.get(path.rsplit(" > ", 1)[-1])
        return "" if k is None else f"; {kind_words(k)}"

    parts = [
        f"{where(cols, i)} {fmt_ns(cols['self_ns'][i])} ({cols['self_share'][i] * 100:.0f}%, "
        f"{cols['count'][i]}x{kind(str(cols['path'][i]))})"
        for i in range(len(cols["path"]))
    ]
    if not parts:
        return ""
    line = (
        "Most self time (time in a zone outside its child zones: its own code, or waiting; % of all threads' self "
        "time): " + "; ".join(parts)
    )
    by_text = [x for x in hot.lines if x.startswith(TEXT_SPLIT)]
    if by_text:  # one zone standing for several locks or endpoints: which of them holds the time
        line += ". " + by_text[0]
    total, own = int(cols["total_ns"][0]), int(cols["self_ns"][0])
    cpu = int(cols["self_cpu_ns"][0])
    locked = _lock_wait_in(locks, cols, str(cols["path"][0]))
    if own < total and own >= UNZONED * total and locked:  # the time outside its children waits for a lock
        wait_ns, lock = locked
        line += (
            f". {cols['path'][0].split(' > ')[-1]} spends {own / total * 100:.0f}% of its time outside its child "
            f"zones, most of it ({fmt_ns(wait_ns)}) waiting for lock {lock} (ctx.lock_contention({lock!r}))"
        )
    elif own < total and own >= UNZONED * total:  # the top path has children, yet most of its time is in none of them
        line += (
            f". {cols['path'][0].split(' > ')[-1]} spends {own / total * 100:.0f}% of its time outside its child "
            "zones: code with no zones of its own (or an unmarked wait); zones inside it would show what"
        )
        if cpu >= 0:  # context switches tell work from waiting there
            line += f" (the thread was on a CPU for {cpu / max(own, 1):.0%} of that time (context switches): " + (
                "mostly waiting, not work)" if cpu < 0.5 * own else "mostly work)"
            )
        elif ctx._db.rows("samples"):  # say whether the capture's own CPU samples can tell work from waiting there
            line += (
                " (its CPU samples have no valid times, so this capture cannot tell work from waiting there)"
                if _untimed(ctx, "samples", "time")
                else " (its CPU samples show what runs there: ctx.hot_functions(name=...))"
            )
    return line


def _lock_wait_in(locks: Any, cols: dict[str, Any], path: str) -> tuple[int, str] | None:
    """(wait, lock) when threads waited for one lock inside the zones at `path` for at least half of their self
    time on the threads the hot paths list (`locks`: a lock_contention report, its wait_zones table; `cols`: the hot
    paths); None otherwise."""
    wz = None if locks is None else locks.tables.get("wait_zones")
    if wz is None or len(wz) == 0:
        return None
    mine = wz[wz["path"] == path]
    if len(mine) == 0:
        return None
    top = mine.sort_values("wait_ns", ascending=False).iloc[0]
    own = float(np.asarray(cols["self_ns"])[np.asarray(cols["path"]) == path].sum())
    if own <= 0 or int(top["wait_ns"]) < 0.5 * own:
        return None
    return int(top["wait_ns"]), str(top["lock"])


def _any(report: Any, column: str) -> bool:
    """True when the report's table has a true value in `column` (e.g. a contended lock); True when it has no such
    column (then the finding leads anyway)."""
    t = getattr(report, "table", None)
    if t is None or column not in t:
        return True
    return bool(np.asarray(t[column]).any())


def _table_rows(report: Any) -> int:
    t = getattr(report, "table", None)
    return 0 if t is None else len(t if not isinstance(t, dict) else next(iter(t.values()), []))


CHURN = 100_000  # allocations in a capture that make its memory report news without a leak


def _memory_news(report: Any) -> bool:
    """A memory report leads when something leaked or the program allocates a lot; freed churn of a few
    thousand blocks goes after the threads' finding."""
    leaks = report.tables.get("leaks")
    return (leaks is not None and len(leaks) > 0) or (
        "allocs" in report.table and int(report.table["allocs"].sum()) >= CHURN
    )


ONLY_WHEN_FOUND = {"ctx.frame_trend()"}  # "frame time holds" is no news: such a headline is left out
# (method, the call, whether its report found something worth leading with), in the order findings are shown
ANALYSES: list[tuple[str, str, Callable[[Capture], Any], Callable[[Any], bool]]] = [
    ("zones", "ctx.frame_trend()", frame_trend, lambda r: r.drifting or r.culprit is not None or bool(r.climbing)),
    ("frames", "ctx.slow_frames()", slow_frames, lambda r: _table_rows(r) > 0 or bool(r.overshoot or r.alternating)),
    ("locks", "ctx.lock_contention()", lock_contention, lambda r: _any(r, "contended")),
    ("memory events", "ctx.memory_report()", memory_report, lambda r: _memory_news(r)),
    ("threads", "ctx.thread_report()", thread_report, lambda r: True),
]


def _findings(ctx: Capture, counts: dict[str, int]) -> tuple[list[tuple[str, str]], list[str]]:
    """The headline of each analysis that applies (those that found something first, hot paths after them, the
    rest last), and notes on the analyses left out."""
    notable: list[tuple[str, str]] = []
    quiet: list[tuple[str, str]] = []
    notes: list[str] = []
    made: dict[str, Any] = {}  # the reports made, for the lines that read another analysis's tables
    for needs, method, run, found in ANALYSES:
        unframed = needs == "frames" and counts["frames"] < MIN_FRAMES and counts["zones"] > 0
        if counts[needs] < (MIN_FRAMES if needs == "frames" else 2 if needs == "threads" else 1) and not unframed:
            continue
        if (needs == "threads" and not counts["zones"]) or (needs == "locks" and not ctx._db.rows("lock_events")):
            continue
        try:
            report = made[method] = run(ctx)
            line = _headline(report)
        except Exception as e:  # one failing analysis must not take the orientation down
            notes.append(f"{method} failed: {type(e).__name__}: {e}")
            continue
        if unframed and not str(getattr(report, "frame_set", "")).startswith("runs of"):
            # no main frames, only another loop's (a batcher's): a server's requests are what is slow or not
            unit = unit_name(ctx)
            if unit is None:
                continue  # no repeated unit of work to stand in for frames
            method = f"ctx.slow_frames(frame_set={unit!r})"
            try:
                report = made[method] = slow_frames(ctx, frame_set=unit)
                line = _headline(report)
            except Exception as e:  # noqa: BLE001 - as above
                notes.append(f"{method} failed: {type(e).__name__}: {e}")
                continue
        if line and found(report):
            notable.append((method, line))
        elif line and method not in ONLY_WHEN_FOUND:
            quiet.append((method, line))
        if method == "ctx.slow_frames()":  # the other loops' hitches beside the main frames'
            notable += _other_frame_sets(ctx, notes)
    try:
        start = startup_line(ctx)
        if start:  # a program that takes long to reach its first frame: where that time goes
            notable.append(("ctx.call_tree()" if markless(ctx) else "ctx.slow_frames(frames=(1, 1))", start))
        end = shutdown_line(ctx)
        if end:  # a program that takes long to quit after its last frame: where that time goes
            notable.append(("ctx.call_tree()", end))
    except Exception as e:  # noqa: BLE001 - as above
        notes.append(f"start-up failed: {type(e).__name__}: {e}")
    if counts["frames"] >= MIN_FRAMES and counts["zones"]:
        try:
            line = present_bound_line(ctx)
            if line:  # the frame blocks in its present call: the GPU or the driver bounds it, not the CPU
                notable.insert(0, ("ctx.thread_report()", line))
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"present wait failed: {type(e).__name__}: {e}")
        try:
            line = plot_drivers_line(ctx)
            if line:  # a frame time that swings with one of the program's counters: that counter explains it
                notable.append(("ctx.plot_points(), ctx.frames()", line))
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"plot drivers failed: {type(e).__name__}: {e}")
        try:
            line = pipeline_line(ctx)
            if line:  # frames queued between threads: latency the frame rate does not show
                quiet.append(("ctx.frame_pipeline()", line))
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"ctx.frame_pipeline() failed: {type(e).__name__}: {e}")
    if ctx._db.rows("gpu_zones") and counts["frames"] >= MIN_FRAMES:
        try:
            gpu = gpu_report(ctx)
            if len(gpu.table):
                item = ("ctx.gpu_report()", " ".join([gpu.title, *gpu.lines[:2]]))
                if gpu.bound:  # a GPU-bound frame leads: no CPU-side finding explains it
                    notable.insert(0, item)
                else:
                    quiet.append(item)
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"ctx.gpu_report() failed: {type(e).__name__}: {e}")
    if counts["zones"]:
        try:
            notable.append(("ctx.hot_paths()", _hot_line(ctx, made.get("ctx.lock_contention()"))))
            parts = recursion_by_text(ctx)
            if parts:
                notable.append(("ctx.call_tree()", " ".join(x.strip() for x in parts)))
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"ctx.hot_paths() failed: {type(e).__name__}: {e}")
    if ctx._db.rows("samples") and not _untimed(ctx, "samples", "time"):
        try:
            line = _headline(ctx.hot_functions())
            if line.startswith("Most CPU time"):
                notable.append(("ctx.hot_functions()", line))
        except Exception as e:  # noqa: BLE001 - as above
            notes.append(f"ctx.hot_functions() failed: {type(e).__name__}: {e}")
    try:
        stop = stopped_title(ctx)
        if stop:  # the program stopped making frames with work still open: what it was stuck in leads
            notable.insert(0, ("ctx.crash_report()", stop))
    except Exception as e:  # noqa: BLE001 - as above
        notes.append(f"stopped frames failed: {type(e).__name__}: {e}")
    # a lock cycle or a stuck wait names the cause; frames that stopped are what the user saw: both lead, in that order
    hung = sorted(
        (x for x in notable if x[1].startswith(("DEADLOCK", "Stuck:", "STOPPED"))),
        key=lambda x: 0 if x[1].startswith("DEADLOCK") else 1 if x[1].startswith("Stuck:") else 2,
    )
    if hung:  # the program hung on its locks: that leads whatever else the capture shows
        notable = hung + [x for x in notable if x not in hung]
    try:
        died = crash(ctx)
        if died is not None:  # the program died: that leads everything
            where = f"; callstack: {' < '.join(died.frames[:3])}" if died.frames else ""
            notable.insert(0, ("ctx.crash_report()", crash_title(ctx, died) + where))
    except Exception as e:  # noqa: BLE001 - as above
        notes.append(f"ctx.crash_report() failed: {type(e).__name__}: {e}")
    return notable + quiet, notes


def _other_frame_sets(ctx: Capture, notes: list[str]) -> list[tuple[str, str]]:
    """The slow frames of the program's other frame sets (an audio callback, a physics step, a request), each a
    loop of its own whose hitches the main frames do not show."""
    default = default_frame_set(ctx)
    out: list[tuple[str, str]] = []
    for fs in ctx._frame_sets()[1:]:
        name = str(fs["name"])
        if name == default or fs["end"] - fs["begin"] < MIN_SET_FRAMES or len(out) >= MAX_SETS:
            continue
        method = f"ctx.slow_frames(frame_set={name!r})"
        try:
            report = slow_frames(ctx, frame_set=name)
        except Exception as e:  # noqa: BLE001 - one failing analysis must not take the orientation down
            notes.append(f"{method} failed: {type(e).__name__}: {e}")
            continue
        if _table_rows(report) > 0:
            out.append((method, f"Frame set {name!r}: {_headline(report)}"))
    return out


def summary(ctx: Capture) -> CaptureSummary:
    """Orientation in one call: what the capture holds (every count) and the headline finding of each analysis
    that applies, each naming the method with the detail."""
    counts = _counts(ctx)
    findings, notes = _findings(ctx, {k: n for k, n, _ in counts})
    name = os.path.basename(ctx.path) if ctx.path else ctx.get_capture_name()
    lines = _contents(ctx, counts)
    lines += _program_messages(ctx)
    lines += _program_plots(ctx)
    if findings:
        lines.append("Findings (detail from the method in brackets):")
        lines += [f"- {text} [{method}]" for method, text in findings]
    else:
        lines.append("Findings: none recorded (no zones, frames, locks or memory events to analyse).")
    lines += [f"Note: {n}" for n in notes]
    lines.append(
        "Next: ctx.call_tree(), ctx.plot_frames(), ctx.plot_flame(); two runs: compare_captures; raw facts: ctx.info()."
    )
    table = frame(
        {
            "kind": [k for k, _, _ in counts],
            "count": [n for _, n, _ in counts],
            "detail": [d for _, _, d in counts],
        }
    )
    return CaptureSummary(
        title=f"Summary of {name} ({ctx.get_capture_name()})", lines=lines, table=table, findings=findings
    )
