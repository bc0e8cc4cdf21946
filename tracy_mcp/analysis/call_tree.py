"""Call tree: CPU zones merged by call path (the chain of zone names from a top-level zone down to the zone), with
count, total, self, mean and max time per path and each path's share of its parent; `hot_paths` ranks the paths
by self time. Tracy's flame graph, as data.

The engine gives every zone its per-thread path in one pass and sums the whole capture per path
(``ctx._zone_paths()``); a time window or frame range re-sums only the zones overlapping it, clipped to it, with
numpy. Merging threads or re-rooting at a zone name then works on the paths (a few hundred), not on the zones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.call_paths import merge_paths
from tracy_mcp.analysis.cpu_runs import thread_runs
from tracy_mcp.analysis.formatting import clip_text, fmt_ns, name_list, pool_of
from tracy_mcp.analysis.frame_trend import follows_text
from tracy_mcp.analysis.locations import shared_names_line
from tracy_mcp.analysis.program_messages import template
from tracy_mcp.analysis.recursion import merge_recursion
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.scope import Scope, resolve_scope
from tracy_mcp.analysis.wait_zones import kind_words, wait_names
from tracy_mcp.analysis.zone_paths import text_split_line, zone_texts
from tracy_mcp.engine.zonepaths import ZonePaths, window_sums

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
SEP = " > "
HOT_SHOWN = 10  # hot paths whose innermost names are split by source location when several share a name
SUMMARY_LINES = 32  # tree lines in a call tree's summary
BY_TEXT_KINDS = 200  # more kinds of zone text than this: ids, not kinds (no breakdown by text)
BY_TEXT_SHOWN = 8
SLOWEST_SHOWN = 3  # the slowest runs quoted whole beside the kinds
SLOWEST_SHARE = 0.25  # ... when they take this share of all runs' time
MOST_IN = 0.5  # a merged pool's path with one member holding this share of its self time names that member


@attrs.frozen
class _Tree:
    """Merged paths as parallel arrays; a parent always comes before its children."""

    parent: np.ndarray  # int64, -1 for roots
    label: np.ndarray  # int64 name index
    thread: np.ndarray  # int64 thread row, -1 when threads are merged
    depth: np.ndarray
    count: np.ndarray
    total: np.ndarray
    self_ns: np.ndarray
    max_ns: np.ndarray
    self_cpu: np.ndarray  # self time on a CPU (context switches); -1 where a merged path has a thread without them


# -- aggregation ---------------------------------------------------------------------------------------------------
def _engine_sums(ctx: Capture, scope: Scope) -> tuple[ZonePaths, tuple[np.ndarray, ...]]:
    """The engine's per-thread paths and (count, total, self, max) per path, restricted to the scope: the sums the
    engine made with the paths, or for a window, the engine's sums over the zones in the window only."""
    zp = ctx._zone_paths()
    if scope.windowed:
        return zp, window_sums(ctx._db, zp, scope.start, scope.end, scope.threads)
    sums: tuple[np.ndarray, ...] = (zp.count, zp.total, zp.self_ns, zp.max_ns)
    if scope.threads is not None:
        mine = np.isin(zp.owner, scope.threads)
        sums = tuple(np.where(mine, a, 0) for a in sums)
    return zp, sums


def _self_cpu(ctx: Capture, zp: ZonePaths, scope: Scope) -> np.ndarray:
    """Per engine path: the self time of its zones (clipped to the scope's window) that the thread spent on a CPU,
    from context switches; -1 for the paths of threads without usable ones; 0 for threads out of scope."""
    out = ctx._db.cached(("self_cpu", scope.start, scope.end), lambda: _window_self_cpu(ctx, zp, scope))
    if scope.threads is not None:  # as the other sums: nothing from threads out of scope
        out = np.where(np.isin(zp.owner, scope.threads), out, 0)
    return out


def _window_self_cpu(ctx: Capture, zp: ZonePaths, scope: Scope) -> np.ndarray:
    """_self_cpu for every thread. A zone's time on a CPU is read off the thread's runs; its self part is that minus
    its direct children's."""
    t = ctx._cpu()
    db = ctx._db
    out = np.full(len(zp), -1, I64)
    runs = thread_runs(ctx)
    if not runs or t.n == 0 or not db.has("threads", "zones_begin"):
        return out
    lo = scope.start if scope.start is not None else np.iinfo(I64).min
    hi = scope.end if scope.end is not None else np.iinfo(I64).max
    incl = np.zeros(t.n, I64)
    begin, end = db.col("threads", "zones_begin"), db.col("threads", "zones_end")
    for k, r in runs.items():
        b, e = int(begin[k]), int(end[k])
        if e <= b:
            continue
        s = np.maximum(t.start[b:e], lo)
        x = np.minimum(np.where(t.valid[b:e], t.end[b:e], s), hi)  # no valid end: not counted (as self_ns)
        incl[b:e] = r.running_between(s, x)
    has = t.parent >= 0
    own = incl - np.bincount(t.parent[has], weights=incl[has], minlength=t.n).astype(I64)
    per_path = np.bincount(zp.row_path, weights=own, minlength=len(zp)).astype(I64)
    known = np.isin(zp.owner, np.fromiter(runs, I64))
    out[known] = np.maximum(per_path[known], 0)
    out.setflags(write=False)  # cached: shared by every call with this window
    return out


def _merge(zp: ZonePaths, sums: tuple[np.ndarray, ...], *, per_thread: bool, root_labels: set[int] | None) -> _Tree:
    """The engine's per-thread paths merged into the requested tree (call_paths.merge_paths), with their sums
    (count, total, self, max, self on a CPU)."""
    m = merge_paths(zp.parent, zp.label, zp.owner, per_thread=per_thread, root_labels=root_labels)
    n = len(m.parent)
    keep = m.new_id >= 0
    ids = m.new_id[keep]
    count, total, self_ns, mx, cpu = (np.asarray(a, I64)[keep] for a in sums)
    out = [np.bincount(ids, weights=a, minlength=n).astype(I64) for a in (count, total, self_ns)]
    accm = np.zeros(n, I64)
    np.maximum.at(accm, ids, mx)
    self_cpu = np.bincount(ids, weights=np.maximum(cpu, 0), minlength=n).astype(I64)
    unknown = np.bincount(ids, weights=(cpu < 0) & (count > 0), minlength=n) > 0
    self_cpu[unknown] = -1
    return _Tree(m.parent, m.label, m.thread, m.depth, out[0], out[1], out[2], accm, self_cpu)


def _dfs_order(tree: _Tree) -> np.ndarray:
    """Paths in depth-first order, roots and siblings by total time (largest first); empty paths left out."""
    m = len(tree.parent)
    kids: list[list[int]] = [[] for _ in range(m)]
    roots: list[int] = []
    for i, q in enumerate(tree.parent.tolist()):
        if tree.count[i] == 0:
            continue
        (roots if q < 0 else kids[q]).append(i)
    total = tree.total.tolist()
    thread = tree.thread.tolist()
    per_thread: dict[int, int] = {}
    for i in roots:
        per_thread[thread[i]] = per_thread.get(thread[i], 0) + total[i]
    order: list[int] = []
    # threads by their top-level time, then each thread's roots by theirs (popped from the end: ascending keys)
    stack = sorted(roots, key=lambda i: (per_thread[thread[i]], total[i]))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(sorted(kids[i], key=lambda k: total[k]))
    return np.asarray(order, I64)


# -- results ---------------------------------------------------------------------------------------------------------
@attrs.define(repr=False)
class CallTree(Report):
    """Zones merged by call path. `.table`: one row per path in depth-first order (children by total time): id,
    parent_id, thread_id, thread, depth, name, path, count, total_ns, self_ns, self_cpu_ns (of it, time the thread
    was on a CPU, from context switches; -1 without them), mean_ns, max_ns, share (of the parent's
    total; a top-level path's share is of all top-level time of its thread, or of all threads when merged)."""

    scope: str = ""
    zones: int = 0


@attrs.define(repr=False)
class HotPaths(Report):
    """The call paths with the most self time. `.table`: id (of the call tree path), path, thread_id, thread, count,
    self_ns, self_cpu_ns (of it, time the thread was on a CPU, from context switches; -1 without them), total_ns,
    mean_ns, max_ns, self_share (of all self time in scope), nested (the zone itself recurses: mean and max are its
    outermost calls'), levels (call-tree paths merged into
    the row: the depths of a recursion; 1 for the others)."""

    scope: str = ""
    paths: int = 0


def tree_columns(report: Report) -> dict[str, np.ndarray]:
    """A report's table as a dict of numpy arrays (whether it is a DataFrame or already a dict)."""
    t = report.table
    if t is None:
        return {}
    if isinstance(t, dict):
        return t
    return {c: t[c].to_numpy() for c in t.columns}


def _tree_text(
    cols: dict[str, np.ndarray], scope: str, zones: int, span: int = 0, threads: int = 0
) -> tuple[str, list[str]]:
    n = len(cols["id"])
    if n == 0:
        return f"Call tree ({scope}): none recorded (no CPU zones in scope).", []
    trees = len(set(cols["thread"].tolist()) - {""})
    top = int(np.argmax(cols["self_ns"]))
    pools = " (a pool's threads merged into one tree)" if threads > trees else ""
    on = f" on {threads} thread{'s' if threads != 1 else ''}{pools}" if trees else ", threads merged"
    title = (
        f"Call tree ({scope}): {n} call paths, {zones} zones{on}; most self time: {where(cols, top)}, "
        f"{_ms(cols['self_ns'][top])} in {cols['count'][top]} call{'s' if cols['count'][top] != 1 else ''}."
    )
    lines = ["total / self time, calls, share of the parent (paths under 1% of their thread's time left out):"]
    lines += _tree_lines(cols, SUMMARY_LINES, span)
    lines.append("More: .table (every path), ctx.hot_paths() (by self time), ctx.plot_flame() (a picture).")
    return title, lines


def _hot_text(cols: dict[str, np.ndarray], scope: str, paths: int) -> tuple[str, list[str]]:
    n = len(cols["path"])
    if n == 0:
        return f"Hot paths ({scope}): none recorded (no CPU zones in scope).", []
    title = f"Hot paths by self time ({scope}; top {n} of {paths} call paths; % = share of all self time in scope):"
    lines = []
    for i in range(n):
        calls = f"{cols['count'][i]} calls, mean duration"
        if int(cols["levels"][i]) > 1:  # recursion merged: a recursing zone's mean and max are the outermost calls'
            nested = bool(cols["nested"][i])
            outer = "outermost " if nested else ""
            calls = f"{cols['count'][i]} calls at {int(cols['levels'][i])} depths, {outer}mean duration"
        cpu = int(cols["self_cpu_ns"][i])
        on_cpu = f", {cpu / max(int(cols['self_ns'][i]), 1):.0%} of it on a CPU" if cpu >= 0 else ""
        lines.append(
            f"{i + 1:2d}. {_ms(cols['self_ns'][i])} self ({cols['self_share'][i] * 100:.1f}%{on_cpu}),"
            f" {calls} {_ms(cols['mean_ns'][i])}, max {_ms(cols['max_ns'][i])}:"
            f" {where(cols, i)}"
        )
    which = '; "on a CPU" (context switches) tells which' if (np.asarray(cols["self_cpu_ns"]) >= 0).any() else ""
    lines.append(
        "Self time = time outside child zones: the zone's own code with no zones of its own, or waiting in it "
        f"(sleep, vsync, a lock wait without its own zone){which}."
    )
    return title, lines


def recursion_by_text(ctx: Capture, start: int | None = None, end: int | None = None) -> list[str]:
    """For the zone that recurses the most (time in scope): its outermost runs' direct children of the same name,
    grouped by their zone text (a directory, a node, an item): which part of the recursion costs what, how deep it
    goes, and what takes the self time inside the costliest part. Empty when no recursing zone carries texts."""
    t = ctx._cpu()
    db = ctx._db
    if t.n == 0 or not (db.has("zones", "extra") and db.has("zone_extras", "text")):
        return []
    named = np.flatnonzero(db.col("zones", "extra") > 0)  # only zones with a text can name the parts
    if len(named) == 0:
        return []
    par_all = t.parent
    par = par_all[named].astype(I64)
    ok = par >= 0
    inner = named[ok][t.srcloc[named[ok]] == t.srcloc[par[ok]]]  # inside a zone of their own name
    if len(inner) == 0:
        return []
    par = par_all[inner].astype(I64)
    grand = par_all[par].astype(I64)
    outer = (grand < 0) | (t.srcloc[np.maximum(grand, 0)] != t.srcloc[par])
    outer_rows = np.unique(par[outer])  # the outermost zone of each recursion
    if start is not None:
        outer_rows = outer_rows[t.end[outer_rows] > start]
    if end is not None:
        outer_rows = outer_rows[t.start[outer_rows] < end]
    if len(outer_rows) == 0:
        return []
    top = int(outer_rows[np.argmax(t.dur[outer_rows])])
    runs = len(outer_rows)
    kids = inner[np.isin(par_all[inner], outer_rows)]  # the parts of every outermost run
    if len(kids) < 2:
        return []
    labels = np.asarray(zone_texts(ctx, kids), dtype=object)
    if len(set(labels.tolist()) - {""}) < 2:
        return []
    sl = ctx._srclocs()
    names = sl.names
    name = str(names[sl.name_idx[t.srcloc[top]]])
    whole = max(int(t.dur[outer_rows].sum()), 1)
    selft = ctx.self_time_array()
    groups = sorted(set(labels.tolist()), key=lambda lab: (-int(t.dur[kids[labels == lab]].sum()), lab))
    per = "" if runs == 1 else " per run"
    parts = []
    for lab in groups[:5]:
        ks = kids[labels == lab]
        k = int(ks[np.argmax(t.dur[ks])])
        b, e = k, int(t.subtree_end[k])
        mine = t.srcloc[b:e] == t.srcloc[top]  # the recursing zone's own runs in the part
        levels = int(t.depth[b:e][mine].max()) - int(t.depth[k]) + 1
        dur = int(t.dur[ks].sum())
        parts.append(
            f"{lab or '(no text)'} {fmt_ns(dur / runs)} ({dur / whole:.0%}, {int(mine.sum())} {name}, "
            f"{levels} levels deep)"
        )
    ks = kids[labels == groups[0]]
    own = np.concatenate([sl.name_idx[t.srcloc[k : int(t.subtree_end[k])]] for k in ks.tolist()])
    sel = np.concatenate([selft[k : int(t.subtree_end[k])] for k in ks.tolist()])
    by_name = np.bincount(own, weights=sel)
    inside = int(np.argmax(by_name))
    if runs == 1:
        head = f"Recursion: the outermost {name} ({fmt_ns(whole)})"
    else:
        every = sl.rows_of(name)
        summed = int(t.dur[t.stat_rows(every)][t.valid[t.stat_rows(every)]].sum())
        head = (
            f"Recursion: the outermost {name}, {runs} runs of {fmt_ns(whole / runs)} mean (its nested runs counted "
            f"once: {fmt_ns(whole)} in all, where summing every {name} zone gives {fmt_ns(summed)}, "
            f"{summed / whole:.1f}x)"
        )
    lines = [
        f"{head}, by the zone text of its direct {name} children{per}: "
        + "; ".join(parts)
        + (f"; ... {len(groups) - 5} more" if len(groups) > 5 else "")
        + ".",
        f"  Inside {groups[0] or 'the costliest'}: most self time in {names[inside]} "
        f"{fmt_ns(float(by_name[inside]) / runs)}{per} "
        f"({by_name[inside] / max(int(t.dur[ks].sum()), 1):.0%} of it)",
    ]
    grows = follows_text(ctx, str(names[inside]), int(t.owner[top]))
    lines[-1] += f"; {grows}." if grows else "."
    return lines


def _ms(ns: Any) -> str:
    return fmt_ns(int(ns))


def where(cols: dict[str, np.ndarray], i: int) -> str:
    th = cols["thread"][i]
    if th and "busiest" in cols and cols["busiest"][i] != th and cols["busiest_share"][i] >= MOST_IN:
        th = f"{th}, most in {cols['busiest'][i]}: {cols['busiest_share'][i]:.0%}"  # one member does most of it
    return f"[{th}] {cols['path'][i]}" if th else str(cols["path"][i])


def _tree_lines(cols: dict[str, np.ndarray], budget: int, span: int = 0) -> list[str]:
    """Indented tree lines, depth first, of the paths holding >= 1% of their thread's (or the capture's) time;
    with `span` (the window's length) each thread's header says how much of the window its zones cover."""
    root_total: dict[str, int] = {}
    for i in np.flatnonzero(cols["depth"] == 0).tolist():
        th = str(cols["thread"][i])
        root_total[th] = root_total.get(th, 0) + int(cols["total_ns"][i])
    lines: list[str] = []
    current = None
    for i in range(len(cols["id"])):
        th = str(cols["thread"][i])
        if int(cols["total_ns"][i]) < 0.01 * max(root_total.get(th, 1), 1):
            continue
        if th != current and th:
            if len(lines) >= budget - 1:
                break
            current = th
            cover = (
                f", {root_total[th] / span:.0%} of the {_ms(span)} in scope; the rest outside every zone"
                if 0 < root_total[th] <= span
                else ""
            )
            each = f"; each: {cols['members'][i]}" if cols["members"][i] else ""
            lines.append(f"{th} ({_ms(root_total[th])} in top-level zones{cover}{each}):")
        if len(lines) >= budget:
            lines.append("  … (more in .table)")
            break
        lines.append(
            "  "
            * (int(cols["depth"][i]) + 1)
            + f"{cols['name'][i]}  {_ms(cols['total_ns'][i])} / {_ms(cols['self_ns'][i])},"
            f" {cols['count'][i]}x, {cols['share'][i] * 100:.0f}%"
        )
    return lines


def _table(ctx: Capture, tree: _Tree, order: np.ndarray) -> dict[str, np.ndarray]:
    names = ctx._srclocs().names
    label_name = np.asarray([*names, "(unknown)"], dtype=object)
    lab = tree.label[order]
    name = label_name[np.where((lab >= 0) & (lab < len(names)), lab, len(names))]
    # paths: each parent's string is built before its children's (parents precede children in `order`)
    path_of: dict[int, str] = {}
    paths = []
    for i, q, nm in zip(order.tolist(), tree.parent[order].tolist(), name.tolist(), strict=True):
        s = nm if q < 0 else path_of[q] + SEP + nm
        path_of[i] = s
        paths.append(s)
    rank = np.full(len(tree.parent), -1, I64)
    rank[order] = np.arange(len(order))
    thread_ids = tree.thread[order]
    labels = np.asarray([*ctx._thread_labels(), ""], dtype=object)
    thread = labels[np.where(thread_ids >= 0, thread_ids, len(labels) - 1)]
    total = tree.total[order]
    count = tree.count[order]
    parent_total = np.where(tree.parent[order] >= 0, tree.total[np.maximum(tree.parent[order], 0)], 0)
    # a top-level path's share: of all top-level time of its thread (threads merged: of all top-level time)
    roots = tree.parent < 0
    root_sum = np.bincount(np.maximum(tree.thread[roots] + 1, 0), weights=tree.total[roots])
    is_root = tree.parent[order] < 0
    parent_total[is_root] = root_sum[thread_ids[is_root] + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(parent_total > 0, total / np.maximum(parent_total, 1), 0.0)
    return {
        "id": np.arange(len(order), dtype=I64),
        "parent_id": np.where(tree.parent[order] >= 0, rank[np.maximum(tree.parent[order], 0)], -1),
        "thread_id": thread_ids,
        "thread": thread,
        "depth": tree.depth[order],
        "name": name,
        "path": np.asarray(paths, dtype=object),
        "count": count,
        "total_ns": total,
        "self_ns": tree.self_ns[order],
        "self_cpu_ns": tree.self_cpu[order],
        "mean_ns": np.where(count > 0, total // np.maximum(count, 1), 0),
        "max_ns": tree.max_ns[order],
        "share": share,
        "members": np.full(len(order), "", dtype=object),  # a merged pool's threads with their top-level time
        "busiest": thread.copy(),  # the thread with the most of the path's self time (a merged pool's member)
        "busiest_share": np.ones(len(order)),
    }


def _build(
    ctx: Capture, scope: Scope, name: str | None, per_thread: bool, pools: bool = False
) -> tuple[dict[str, np.ndarray], int, int]:
    """The tree's table, zone count and how many threads it covers; `pools`: the threads of a pool
    ("worker-0".."worker-4") merged into one tree, kept under the first member's thread_id and named after all of
    them with each one's top-level time."""
    root_labels = None
    if name is not None:
        names = ctx._srclocs().names
        root_labels = {i for i, nm in enumerate(names) if nm == name}
        if not root_labels:
            raise KeyError(f"no zone named {name!r}")
    zp, sums = _engine_sums(ctx, scope)
    owner, members = _pool_owners(ctx, zp.owner, sums[0]) if pools and per_thread else (zp.owner, {})
    paths = attrs.evolve(zp, owner=owner) if members else zp
    with_cpu = (*sums, _self_cpu(ctx, zp, scope))
    tree = _merge(paths, with_cpu, per_thread=per_thread, root_labels=root_labels)
    order = _dfs_order(tree)
    cols = _table(ctx, tree, order)
    if members:  # each member's share of the merged tree's top-level time: a pool's imbalance stays in view
        alone = _merge(zp, with_cpu, per_thread=True, root_labels=root_labels)
        top = alone.parent < 0
        per = np.bincount(np.maximum(alone.thread[top], 0), weights=alone.total[top], minlength=ctx._db.rows("threads"))
        labels = ctx._thread_labels()
        for rep, group in members.items():
            split = ", ".join(f"{labels[r]} {_ms(per[r])}" for r in sorted(group, key=lambda r: -per[r]))
            mine = cols["thread_id"] == rep
            cols["thread"][mine] = f"{name_list([labels[r] for r in group])} ({len(group)} threads)"
            cols["members"][mine] = split
        _busiest_members(cols, _table(ctx, alone, _dfs_order(alone)), members, labels)
    shown = set(cols["thread_id"].tolist()) - {-1}
    threads = sum(len(members[r]) if r in members else 1 for r in shown)
    return cols, int(tree.count.sum()), threads


def _busiest_members(
    cols: dict[str, np.ndarray], alone: dict[str, np.ndarray], members: dict[int, list[int]], labels: list[str]
) -> None:
    """Per path of a merged pool's tree, the member thread with the most of its self time and that share (columns
    `busiest`, `busiest_share`), from the same paths of the per-thread tree `alone`."""
    rep_of = {r: rep for rep, group in members.items() for r in group}
    by_path: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for th, path, own in zip(
        alone["thread_id"].tolist(), alone["path"].tolist(), alone["self_ns"].tolist(), strict=True
    ):
        if th in rep_of:
            by_path.setdefault((rep_of[th], path), []).append((own, th))
    for i, (th, path) in enumerate(zip(cols["thread_id"].tolist(), cols["path"].tolist(), strict=True)):
        found = by_path.get((th, path))
        if th in members and found:
            own, who = max(found)
            cols["busiest"][i] = labels[who]
            cols["busiest_share"][i] = own / max(sum(x for x, _ in found), 1)


def _pool_owners(ctx: Capture, owner: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, dict[int, list[int]]]:
    """`owner` with the threads of each pool (names that differ by a trailing number, at least two of them with
    paths in scope) mapped to the pool's first member, and {first member: the pool's thread rows}."""
    labels = ctx._thread_labels()
    used = sorted({int(x) for x in owner[count > 0].tolist() if 0 <= x < len(labels)})
    groups: dict[str, list[int]] = {}
    for r in used:
        if pool_of(labels[r]) != labels[r]:  # a numbered member
            groups.setdefault(pool_of(labels[r]), []).append(r)
    remap = np.arange(max(int(owner.max(initial=0)) + 1, len(labels)), dtype=I64)
    members = {}
    for group in groups.values():
        if len(group) > 1:
            remap[group] = group[0]
            members[group[0]] = group
    if not members:
        return owner, {}
    out = np.where(owner >= 0, remap[np.maximum(owner, 0)], owner)
    return out.astype(owner.dtype), members


def call_tree(
    ctx: Capture,
    thread: Any = None,
    start: int | None = None,
    end: int | None = None,
    frame_range: Any = None,
    name: str | None = None,
    per_thread: bool | None = None,
) -> CallTree:
    """Zones merged by call path, one row per path in `.table`: count, total, self, mean, max, share of the
    parent. per_thread: None (default) a tree per thread, the threads of a pool ("worker-0".."worker-4") merged
    into one (its thread column names them all, thread_id is the first's); True a tree per thread; False all
    threads merged. thread: a name, OS id or thread_id; [start, end) ns and/or frame_range (a frame index or an
    inclusive (first, last) pair) clip the zones to a window; name: re-root at the outermost zones of that name
    (what runs inside them)."""
    scope = resolve_scope(ctx, thread=thread, start=start, end=end, frame_range=frame_range)
    cols, zones, threads = _build(ctx, scope, name, per_thread is not False, pools=per_thread is None)
    label = scope.label + (f", inside {name}" if name else "")
    span = 0
    if name is None:  # how much of each thread's time its zones hold: the rest is outside every zone
        lo = int(ctx.get_first_time()) if scope.start is None else int(scope.start)
        hi = int(ctx.get_last_time()) if scope.end is None else int(scope.end)
        span = hi - lo
    title, lines = _tree_text(cols, label, zones, span, threads)
    by_text = _by_text(ctx, scope, name) if name is not None else {}
    if by_text:  # the named zone's runs by what they carry (an endpoint, a job kind): which kind costs what
        lines[-1:-1] = [*_by_text_lines(name or "", by_text), *_slowest_texts(ctx, scope, name or "")]
    if name is None and scope.threads is None:  # which part of a recursion costs what (zone texts name the parts)
        lines[-1:-1] = recursion_by_text(ctx, scope.start, scope.end)
    if len(cols["id"]):
        kind = wait_names(ctx).get(str(cols["name"][int(np.argmax(cols["self_ns"]))]))
        if kind:  # the top self time is waiting, not work: say so where it is named
            title = title[:-1] + f" ({kind_words(kind)})."
    rep = CallTree(title=title, lines=lines, table=frame(cols), scope=label, zones=zones)
    if by_text:
        rep.tables["by_text"] = frame(by_text)
    return rep


def _runs_in(ctx: Capture, scope: Scope, name: str) -> np.ndarray:
    """The ended runs of zone `name` in scope."""
    t = ctx._cpu()
    rows = t.stat_rows(ctx._srclocs().rows_of(name))
    rows = rows[t.valid[rows]]
    if scope.threads is not None:
        rows = rows[np.isin(t.owner[rows], scope.threads)]
    if scope.start is not None:
        rows = rows[t.end[rows] > scope.start]
    if scope.end is not None:
        rows = rows[t.start[rows] < scope.end]
    return rows


def _by_text(ctx: Capture, scope: Scope, name: str) -> dict[str, np.ndarray]:
    """The runs of zone `name` in scope grouped by their zone text with numbers blanked (program_messages.template:
    "GET /api/v#/feed ##"): per kind runs, median, p99, max and total duration, most total first; {} when the runs
    carry no text or (nearly) every run a kind of its own."""
    t = ctx._cpu()
    rows = _runs_in(ctx, scope, name)
    if len(rows) < 2:
        return {}
    kinds = np.asarray([template(x) for x in zone_texts(ctx, rows, plain=True)], object)
    names, idx = np.unique(kinds, return_inverse=True)
    if len(names) < 2 or len(names) > BY_TEXT_KINDS or not any(names):
        return {}
    dur = t.dur[rows].astype(np.float64)
    order = np.argsort(idx, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(idx, minlength=len(names)))])
    stats = []
    for k in range(len(names)):
        d = dur[order[bounds[k] : bounds[k + 1]]]
        stats.append((len(d), np.median(d), np.percentile(d, 99), d.max(), d.sum()))
    arr = np.asarray(stats)
    top = np.argsort(-arr[:, 4], kind="stable")
    return {
        "text": names[top].astype(object),
        "runs": arr[top, 0].astype(I64),
        "median_ns": arr[top, 1],
        "p99_ns": arr[top, 2],
        "max_ns": arr[top, 3],
        "total_ns": arr[top, 4],
    }


def _slowest_texts(ctx: Capture, scope: Scope, name: str) -> list[str]:
    """The slowest runs of zone `name` in scope with their whole texts, when the kinds blank what tells them apart
    (an asset's file name, a query's literals) and a few runs take much of the time."""
    t = ctx._cpu()
    rows = _runs_in(ctx, scope, name)
    if len(rows) < 2:
        return []
    top = rows[np.argsort(-t.dur[rows], kind="stable")[:SLOWEST_SHOWN]]
    texts = zone_texts(ctx, top, plain=True)
    if all(x == template(x) for x in texts) or t.dur[top].sum() < SLOWEST_SHARE * t.dur[rows].sum():
        return []
    return [
        f"{name}'s slowest runs: "
        + "; ".join(f"{_ms(t.dur[r])} {clip_text(x, 70)!r}" for r, x in zip(top.tolist(), texts, strict=True))
    ]


def _by_text_lines(name: str, t: dict[str, np.ndarray]) -> list[str]:
    out = [f"{name} by its zone text (numbers blanked): runs, median, p99, max, total"]
    for i in range(min(len(t["text"]), BY_TEXT_SHOWN)):
        out.append(
            f"  {clip_text(str(t['text'][i]) or '(no text)', 90)}: {t['runs'][i]}, {_ms(t['median_ns'][i])}, "
            f"{_ms(t['p99_ns'][i])}, {_ms(t['max_ns'][i])}, {_ms(t['total_ns'][i])}"
        )
    if len(t["text"]) > BY_TEXT_SHOWN:
        out.append(f"  … {len(t['text']) - BY_TEXT_SHOWN} more in .tables['by_text']")
    return out


def hot_paths(
    ctx: Capture,
    n: int = 20,
    thread: Any = None,
    start: int | None = None,
    end: int | None = None,
    frame_range: Any = None,
    name: str | None = None,
    per_thread: bool | None = None,
    merge_recursive: bool = True,
) -> HotPaths:
    """The `n` call paths with the most self time (restrictions and per_thread as for call_tree: by default the
    threads of a pool are one). merge_recursive: paths that differ only by how deep a function recursed are one
    path, "worker > fib (recursive)", with the calls and self time of every depth (mean and max: of the outermost
    calls)."""
    scope = resolve_scope(ctx, thread=thread, start=start, end=end, frame_range=frame_range)
    cols, _, _ = _build(ctx, scope, name, per_thread is not False, pools=per_thread is None)
    keep = (
        "id",
        "path",
        "thread_id",
        "thread",
        "busiest",
        "busiest_share",
        "count",
        "self_ns",
        "self_cpu_ns",
        "total_ns",
        "mean_ns",
        "max_ns",
    )
    cols = {k: cols[k] for k in keep}
    if merge_recursive:
        cols = merge_recursion(cols, SEP)
    else:
        cols["levels"] = np.ones(len(cols["path"]), np.int64)
        cols["nested"] = np.zeros(len(cols["path"]), bool)
    self_ns = cols["self_ns"]
    pick = np.argsort(-self_ns, kind="stable")[: max(int(n), 0)]
    pick = pick[self_ns[pick] > 0]
    all_self = max(int(self_ns.clip(min=0).sum()), 1)
    out = {
        "id": cols["id"][pick],
        "path": cols["path"][pick],
        "thread_id": cols["thread_id"][pick],
        "thread": cols["thread"][pick],
        "busiest": cols["busiest"][pick],
        "busiest_share": cols["busiest_share"][pick],
        "count": cols["count"][pick],
        "self_ns": self_ns[pick],
        "self_cpu_ns": cols["self_cpu_ns"][pick],
        "total_ns": cols["total_ns"][pick],
        "mean_ns": cols["mean_ns"][pick],
        "max_ns": cols["max_ns"][pick],
        "self_share": self_ns[pick] / all_self,
        "levels": cols["levels"][pick],
        "nested": cols["nested"][pick],
    }
    label = scope.label + (f", inside {name}" if name else "")
    title, lines = _hot_text(out, label, len(self_ns))
    leaves = [str(p).rsplit(SEP, 1)[-1].removesuffix(" (recursive)") for p in out["path"][:HOT_SHOWN].tolist()]
    shared = shared_names_line(ctx, leaves, scope.threads, scope.start, scope.end)
    if shared:  # plain ZoneScoped names every class's Update alike: which one holds the time
        lines[-1:-1] = [shared]
    by_text = text_split_line(ctx, leaves, scope.threads, scope.start, scope.end)
    if by_text:  # one zone for several locks or endpoints (SpinLock::Acquire with the lock's name): which one
        lines[-1:-1] = [by_text]
    if name is None and scope.threads is None and out["levels"].max(initial=1) > 1:
        lines[-1:-1] = recursion_by_text(ctx, scope.start, scope.end)
    return HotPaths(title=title, lines=lines, table=frame(out), scope=label, paths=len(self_ns))
