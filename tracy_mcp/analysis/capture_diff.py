"""What changed between two captures besides zone timings, for compare()'s summary: threads added or gone, zone
and source-location counts, messages (count, and texts seen in only one run, numbers masked), memory (allocations,
bytes, never freed), locks and plots. One line per kind of data that changed; the unchanged ones in one line."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from tracy_mcp.analysis.callstacks import short_function
from tracy_mcp.analysis.formatting import clip_text, fmt_bytes
from tracy_mcp.analysis.memory_report import allocations_by_zone
from tracy_mcp.analysis.program_messages import message_kinds, template
from tracy_mcp.analysis.rank_test import mann_whitney

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

MAX_MESSAGES = 200_000  # above this many messages, texts are not compared (counts still are)
PLOT_ALPHA, PLOT_MIN_CHANGE = 1e-3, 0.05  # a plot's values changed: rank test p below this, mean moved this much
PLOT_MIN_POINTS = 10  # fewer points on either side: not compared
PLOT_SAMPLE = 200_000  # at most about this many points per side enter the rank test (evenly spaced)
DROP_SHARE = 0.25  # a plot falling by this share of its range at once: a sawtooth's drop (a collection, a flush)
DROPS_MIN = 2  # ... this many times on either side: its climbing rate is compared
RISE_RATIO = 1.5  # ... and named when it moved by this factor
PEAK_RATIO = 2.0  # a plot's largest value that moved by this factor is told beside its mean
SHOWN_TEXTS = 2  # message texts shown per side


def _threads(ctx: Capture) -> list[str]:
    return [str(t["name"]) for t in ctx.get_threads()]


def thread_changes(a: Capture, b: Capture) -> tuple[list[str], list[str], list[tuple[str, int, int]]]:
    """(thread names new in B, names gone in B, (name, count in A, count in B) for names both have a different
    number of times): same-named threads (a pool of "Worker"s) count, a pool grown from 8 to 32 is a change."""
    ta, tb = _threads(a), _threads(b)
    ca, cb = Counter(ta), Counter(tb)
    added, gone = [t for t in tb if t not in ca], [t for t in ta if t not in cb]
    return added, gone, [(t, ca[t], cb[t]) for t in ca if t in cb and ca[t] != cb[t]]


SAMPLES_MOVED = 0.05  # a function whose share of the CPU samples moved by this much is named...
SAMPLES_SHOWN = 4  # ...the few that moved most
LIBRARY_PREFIXES = ("__", "std::", "operator", "tracy::")  # functions of the library and the profiler, not named
ALLOCS_MIN = 100  # captures with fewer allocations than this...
ALLOCS_MOVED = 0.2  # ...or counts that moved less than this share are not broken down by zone


def memory_totals(ctx: Capture) -> tuple[int, int, int]:
    """(allocations, bytes allocated, bytes never freed)."""
    db = ctx._db
    if not db.rows("mem_events"):
        return 0, 0, 0
    size = db.col("mem_events", "size").astype(np.int64)
    never = db.col("mem_events", "time_free") < 0
    return len(size), int(size.sum()), int(size[never].sum())


def _allocations_moved(a: Capture, b: Capture, na: int, nb: int) -> str:
    """'; most of the change in UI::Draw: 1116 -> 11916 allocations' when the count of allocations moved by
    ALLOCS_MOVED and one zone holds most of that move; '' otherwise."""
    if max(na, nb) < ALLOCS_MIN or abs(nb - na) < ALLOCS_MOVED * max(na, 1):
        return ""
    za, zb = allocations_by_zone(a), allocations_by_zone(b)
    moved = {z: zb.get(z, 0) - za.get(z, 0) for z in set(za) | set(zb)}
    top = max(moved, key=lambda z: abs(moved[z]))
    if abs(moved[top]) < 0.5 * abs(nb - na):
        return ""
    return f"; most of the change in {top}: {za.get(top, 0)} -> {zb.get(top, 0)} allocations"


def program_functions(table: Any, column: str) -> dict[str, float]:
    """A hot_functions table's `column` per function of the program's own (short names; not the kernel's,
    unresolved ones, or the library's internals), the largest where a name repeats."""
    out: dict[str, float] = {}
    for f, kernel, x in zip(
        np.asarray(table["function"]).tolist(),
        np.asarray(table["kernel"], bool).tolist(),
        np.asarray(table[column], float).tolist(),
        strict=True,
    ):
        name = short_function(str(f).split(" (")[0])
        if kernel or not name or " (no symbol data)" in str(f) or name.startswith(LIBRARY_PREFIXES):
            continue
        out[name] = max(out.get(name, 0.0), x)
    return out


def _sampled_functions_moved(a: Capture, b: Capture) -> str:
    """'CPU samples (share with the function on the stack): BroadphaseNaive 0% -> 41.7% (only in B); ...' for the
    functions whose share of the CPU samples moved most, when both captures have samples; '' otherwise. What a zone
    without children spent its time on moves here when the zones cannot show it."""
    if not (a._db.rows("samples") and b._db.rows("samples")):
        return ""
    sa, sb = (program_functions(ctx.hot_functions().table, "incl_share") for ctx in (a, b))
    moved = sorted(set(sa) | set(sb), key=lambda n: (-abs(sb.get(n, 0.0) - sa.get(n, 0.0)), n))
    moved = [n for n in moved if abs(sb.get(n, 0.0) - sa.get(n, 0.0)) >= SAMPLES_MOVED][:SAMPLES_SHOWN]
    if not moved:
        return ""

    def side(n: str) -> str:
        return " (only in B)" if n not in sa else " (only in A)" if n not in sb else ""

    return "CPU samples (share with the function on the stack): " + "; ".join(
        f"{n} {sa.get(n, 0.0):.1%} -> {sb.get(n, 0.0):.1%}{side(n)}" for n in moved
    )


def _message_kinds(ctx: Capture) -> dict[str, list[str]] | None:
    """The texts of the messages by kind: their text with numbers and names masked ("loaded 3 files" -> "loaded #
    files"), each with its texts (the first few); None when there are too many to compare."""
    n = ctx._db.rows("messages")
    if n > MAX_MESSAGES:
        return None
    out: dict[str, list[str]] = {}
    for t in ctx.messages()["text"].tolist() if n else []:
        seen = out.setdefault(template(str(t)), [])
        if len(seen) < 2:
            seen.append(str(t))
    return out


def _kind_text(kinds: dict[str, list[str]], kind: str) -> str:
    """A message kind as its one text when it was logged once (a setting, a build: its numbers are the news), else
    as its template."""
    texts = kinds[kind]
    return texts[0] if len(texts) == 1 else kind


def _retold(ka: dict[str, list[str]], kb: dict[str, list[str]]) -> list[str]:
    """ "'samples 64' -> 'samples 128'" for the one-off messages of a kind both runs log, whose texts differ (a
    setting logged at start)."""
    return [
        f"'{clip_text(ka[k][0], 80)}' -> '{clip_text(kb[k][0], 80)}'"
        for k in sorted(set(ka) & set(kb))
        if len(ka[k]) == 1 and len(kb[k]) == 1 and ka[k][0] != kb[k][0]
    ]


def _plot_values(ctx: Capture) -> dict[str, tuple[str, np.ndarray, float, int, float]]:
    """Per plot name: (type, its values (at most about PLOT_SAMPLE of them evenly spaced), how fast it climbs (its
    rises summed per second of its span), how many times it fell by over a quarter of its range at once, its
    largest value)."""
    db = ctx._db
    if not db.rows("plots"):
        return {}
    table = ctx.plots()
    points = ctx.plot_points()
    ids = points["plot_id"].to_numpy()
    values = points["value"].to_numpy()
    times = points["time_ns"].to_numpy()
    out: dict[str, tuple[str, np.ndarray, float, int, float]] = {}
    # keyed by label: Tracy names its CPU-usage and default-pool plots "Frame"; the labels tell them apart
    for pid, label, kind in zip(table.index.tolist(), table["label"].tolist(), table["type"].tolist(), strict=True):
        mine = ids == pid
        v, t = values[mine], times[mine]
        step = np.diff(v)
        span = float(t.max() - t.min()) / 1e9 if len(t) > 1 else 0.0
        rise = float(step[step > 0].sum()) / span if span > 0 else 0.0
        drops = int((step < -DROP_SHARE * float(np.ptp(v))).sum()) if len(v) > 1 else 0
        top = float(v.max()) if len(v) else 0.0
        if len(v) > PLOT_SAMPLE:
            v = v[:: len(v) // PLOT_SAMPLE + 1]
        out[str(label)] = (str(kind), v, rise, drops, top)
    return out


def _plot_changes(a: Capture, b: Capture) -> tuple[list[str], str]:
    """(lines on plots added, gone or whose values moved beyond noise, the "same in both" entry or "")."""
    va, vb = _plot_values(a), _plot_values(b)
    if not va and not vb:
        return [], "plots (none)"
    added, gone = [n for n in vb if n not in va], [n for n in va if n not in vb]
    moved: list[str] = []
    steady: list[str] = []
    for name in (n for n in va if n in vb):
        kind, x, rise_a, drops_a, top_a = va[name]
        _kind, y, rise_b, drops_b, top_b = vb[name]
        # bursts (a particle count for four frames) move the peak, not the mean: say how high they reach
        peaks = (
            f", peak {top_a:.4g} -> {top_b:.4g} ({top_b / top_a:.2f}x)"
            if top_a > 0 and top_b > 0 and max(top_a, top_b) >= PEAK_RATIO * min(top_a, top_b)
            else ""
        )
        if min(len(x), len(y)) < PLOT_MIN_POINTS:
            steady.append(name)
            continue
        if max(drops_a, drops_b) >= DROPS_MIN and not name.startswith("CPU usage"):
            faster = max(rise_a, rise_b) / max(min(rise_a, rise_b), 1e-12)
            if faster >= RISE_RATIO:  # a sawtooth (a heap collected, a buffer flushed) that fills faster
                moved.append(
                    f"'{clip_text(name, 40)}' climbs {rise_a:.4g} -> {rise_b:.4g} per second ({rise_b / rise_a:.2f}x "
                    f"when rising; falls at once {drops_a} -> {drops_b} times){peaks}"
                    if rise_a > 0
                    else f"'{clip_text(name, 40)}' climbs 0 -> {rise_b:.4g} per second"
                )
                continue
        ma, mb = float(x.mean()), float(y.mean())
        p, _ = mann_whitney(x, y)
        rel = (mb - ma) / abs(ma) if ma else (float("inf") if mb else 0.0)
        if p < PLOT_ALPHA and abs(rel) >= PLOT_MIN_CHANGE:
            change = f"{rel * 100:+.1f}%" if abs(rel) < 10 else "new values"
            # the machine's CPU usage counts every process on it: other load moves it as much as the program
            whole = "; whole machine, other load counts too" if name.startswith("CPU usage") else ""
            moved.append(f"'{clip_text(name, 40)}' mean {ma:.4g} -> {mb:.4g} ({change}, p={p:.0e}{whole}){peaks}")
        elif peaks and not name.startswith("CPU usage"):
            moved.append(f"'{clip_text(name, 40)}' mean within noise{peaks}")
        else:
            steady.append(name)
    lines = []
    if added or gone or moved:
        parts = [f"values moved: {'; '.join(moved)}"] if moved else []
        parts += [f"new in B: {', '.join(repr(n) for n in added[:6])}"] if added else []
        parts += [f"gone in B: {', '.join(repr(n) for n in gone[:6])}"] if gone else []
        still = f"; steady: {', '.join(repr(clip_text(n, 40)) for n in steady[:4])}" if steady else ""
        lines.append(f"plots {len(va)} -> {len(vb)}: " + "; ".join(parts) + still)
        return lines, ""
    return [], f"plots ({len(va)}, values within noise)"


def _change(label: str, a: int, b: int) -> str:
    if not a or a == b:
        return f"{label} {a} -> {b}"
    r = b / a
    return f"{label} {a} -> {b} (" + (f"{r:.2f}x" if r >= 2 or r <= 0.5 else f"{(r - 1) * 100:+.1f}%") + ")"


BUILD_WORDS = re.compile(
    r"\b(debug|release|develop(ment)?|shipping|profile|optimi[sz]ed|asserts?)\b|-O[0-3sgz]\b", re.IGNORECASE
)


def build_change(a: Capture, b: Capture) -> str:
    """ "app info 'X' -> 'Y'" when the two runs' app info (or, without it, their first message) differs in words that
    name a build configuration (debug / release, -O2, asserts): every zone slower by one factor is then the build,
    not only the machine; '' otherwise."""
    for ta, tb, what in (
        ("; ".join(a.get_app_info()), "; ".join(b.get_app_info()), "app info"),
        *((x, y, "message") for x, y in zip(_first_messages(a), _first_messages(b), strict=False) if x != y),
    ):
        if ta != tb and (BUILD_WORDS.search(ta) or BUILD_WORDS.search(tb)):
            return f"{what} {clip_text(ta, 80)!r} -> {clip_text(tb, 80)!r}"
    return ""


def _first_messages(ctx: Capture, n: int = 5) -> list[str]:
    """The texts of the program's first `n` kinds of message (the version and build lines a program logs at start;
    the profiler's own left out)."""
    return [k.text for k in sorted(message_kinds(ctx), key=lambda k: k.first_ns)[:n]]


def other_changes(a: Capture, b: Capture) -> list[str]:
    """Lines on what differs between `a` (base) and `b` (target) besides zone timings; the first line says so."""
    changed: list[str] = []
    same: list[str] = []
    aa, ab = a.get_app_info(), b.get_app_info()
    if aa != ab:  # a version or build string: what the user deployed
        changed.append(f"app info {'; '.join(aa) or '(none)'!r} -> {'; '.join(ab) or '(none)'!r}")
    ta, tb = _threads(a), _threads(b)
    added, gone, sizes = thread_changes(a, b)
    resized = [f"{t} x{na} -> x{nb}" for t, na, nb in sizes]
    if added or gone or resized:
        parts = (
            ([f"new in B: {', '.join(added[:6])}"] if added else [])
            + ([f"gone in B: {', '.join(gone[:6])}"] if gone else [])
            + ([f"as many threads named: {', '.join(resized[:6])}"] if resized else [])
        )
        changed.append(f"threads {len(ta)} -> {len(tb)}: " + "; ".join(parts))
    else:
        same.append(f"threads ({len(ta)})")
    za, zb = int(a.get_zone_count()), int(b.get_zone_count())
    sa, sb = int(a.get_src_loc_count()), int(b.get_src_loc_count())
    if (za, sa) != (zb, sb):
        changed.append(f"{_change('zones', za, zb)}, source locations {sa} -> {sb}")
    ma, mb = a._db.rows("messages"), b._db.rows("messages")
    ka, kb = _message_kinds(a), _message_kinds(b)
    only_a = [_kind_text(ka, k) for k in sorted(set(ka) - set(kb))] if ka is not None and kb is not None else []
    only_b = [_kind_text(kb, k) for k in sorted(set(kb) - set(ka))] if ka is not None and kb is not None else []
    retold = _retold(ka, kb) if ka is not None and kb is not None else []
    if ma != mb or only_a or only_b or retold:
        line = _change("messages", ma, mb)
        for side, texts in (("only in A", only_a), ("only in B", only_b), ("logged once in each, changed", retold)):
            if texts:
                shown = "; ".join(t if t.startswith("'") else f"'{clip_text(t, 80)}'" for t in texts[:SHOWN_TEXTS])
                more = f" (+{len(texts) - SHOWN_TEXTS} more)" if len(texts) > SHOWN_TEXTS else ""
                line += f"; {side}: {shown}{more}"
        changed.append(line)
    else:
        same.append(f"messages ({ma})")
    mem_a, mem_b = memory_totals(a), memory_totals(b)
    if mem_a != mem_b:
        changed.append(
            f"memory: {_change('allocations', mem_a[0], mem_b[0])}, allocated {fmt_bytes(mem_a[1])} -> "
            f"{fmt_bytes(mem_b[1])}, never freed {fmt_bytes(mem_a[2])} -> {fmt_bytes(mem_b[2])}"
            + _allocations_moved(a, b, mem_a[0], mem_b[0])
        )
    else:
        same.append("memory" + (f" ({mem_a[0]} allocations)" if mem_a[0] else " (none recorded)"))
    la = (a._db.rows("locks"), a._db.rows("lock_events"))
    lb = (b._db.rows("locks"), b._db.rows("lock_events"))
    if la != lb:
        changed.append(f"locks {la[0]} -> {lb[0]}, {_change('lock events', la[1], lb[1])}")
    else:
        same.append(
            f"locks ({la[0]} declared, never locked in either run)"
            if la[1] == 0
            else f"locks ({la[0]}, {la[1]} lock events each)"
        )
    samples = _sampled_functions_moved(a, b)
    if samples:
        changed.append(samples)
    plot_lines, plot_same = _plot_changes(a, b)
    changed.extend(plot_lines)
    if plot_same:
        same.append(plot_same)
    out = ["Other changes (B vs A):" if changed else "Other changes (B vs A): none."]
    out += [f"  {c}" for c in changed]
    if same:
        out.append(f"  same in both: {', '.join(same)}")
    return out
