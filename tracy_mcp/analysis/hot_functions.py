"""ctx.hot_functions(): where the CPU time went by function, from the capture's CPU samples (callstack sampling).

Zones show only the code someone marked; samples show every function a thread was running, zones or not. Each
sample is one callstack taken while the thread ran on a CPU, so a function's share of the samples is its share of
the CPU time. (Counts are not times: clients drop samples under load, so a capture often holds far fewer than its
sampling rate implies; with context switches the report says how many.) Self (exclusive): the sampled instruction
was in the function itself; inclusive: the function was anywhere on the stack (counted once per sample). Each sample is
also placed in the innermost zone open on its thread at that instant (ctx.zone_at), which tells how much of the CPU
time zones cover and which functions run outside every zone.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tracy_mcp.analysis.cpu_runs import fiber_rows, off_cpu_after, thread_runs
from tracy_mcp.analysis.filters import match_names
from tracy_mcp.analysis.formatting import fmt_ns, fmt_pct
from tracy_mcp.analysis.grouping import unique_counts
from tracy_mcp.analysis.report import Report, frame
from tracy_mcp.analysis.scope import resolve_scope
from tracy_mcp.analysis.zone_at import innermost

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
KERNEL_ADDR = np.uint64(0xFFFF_0000_0000_0000)  # x86-64 / AArch64 kernel half of the address space
NO_ZONE = "(no zone)"
UNRESOLVED = "(unresolved)"
SHOWN_THREADS = 5
# Tracy's instrumentation compiled into the program: its namespace, or its sources (rpmalloc, queues, ...)
PROFILER_CODE = re.compile(r"(^|[\s<(])tracy::|\((tracy_|Tracy)\w*\.\w+:\d+\)")
PROFILER_THREAD = "Tracy "  # the profiler's own threads: "Tracy Profiler", "Tracy Sampling", ...
# Inlined library code compiled into the program (std::vector::operator[], std::sqrt): a system header's file
SYSTEM_HEADER = re.compile(r"^/usr/(include|lib|local/include)/")
OFFSET = re.compile(r"\s*\+\s*(0x)?[0-9a-fA-F]+$")  # "clock_gettime + 86": a frame named by symbol + offset
ROOT_SHARE = 0.95  # on (nearly) every stack: thread entry points and main, not worth listing
NOTABLE = 0.10
OWN_LEADS = 0.5  # the program's own functions lead the title when this share of the stacks reach them
UNWOUND = 0.25  # a share of stacks that never reach the program's code worth a caveat
DROPPED = 2  # fewer samples than half of what the sampling period implies: say so
SHOWN_ZONES = 4


@attrs.define(repr=False)
class HotFunctions(Report):
    """`table`: one row per function (symbol) seen in the samples in scope: name, file, line, image, kernel,
    self_samples, incl_samples, own_code_samples (the program's innermost frame), self_share, incl_share (of the
    samples in scope), sorted by self samples. `tables["threads"]`: samples per thread with its top
    function; `tables["zones"]`: samples per innermost zone name ("(no zone)": outside every zone) with the top
    function inside it."""

    samples: int = 0
    period_ns: int = 0


def hot_functions(
    ctx: Capture,
    n: int = 8,
    thread: Any = None,
    start: int | None = None,
    end: int | None = None,
    frame_range: Any = None,
    name: str | None = None,
    blocked: bool = False,
) -> HotFunctions:
    """The functions that used the most CPU time, from CPU samples: by self samples (the function's own code)
    and inclusive samples (it or what it called), per thread, and per innermost zone, with how much of the CPU
    time falls outside every zone. Tracy's own threads are left out unless `thread` names them. Restrict with
    `thread`, a window [start, end) in ns, `frame_range` (a frame or inclusive (first, last) of the base frame
    set), or `name` (only samples taken inside a zone of that name: a name, glob or list as in zones()).
    `blocked=True`: the same over the callstacks taken as threads left a CPU (context switches): where they
    blocked, slept or were preempted, per switch and by the time off a CPU that followed (until the thread ran
    again), so one long sleep outweighs many short preemptions."""
    scope = resolve_scope(ctx, thread=thread, start=start, end=end, frame_range=frame_range)
    period = int(ctx._db.meta_get("sampling_period") or 0)
    res = HotFunctions(title="", period_ns=period)
    z = np.zeros(0, I64)
    res.table = frame(_function_columns(None, z, z, z, z, 1))
    db = ctx._db
    if db.rows("samples") and int(db.col("samples", "time").max()) <= 0:
        res.title = (
            f"hot_functions: the capture's {db.rows('samples')} CPU samples carry no valid times (a quirk of the "
            "recording machine), so they cannot be told from context-switch samples or placed in threads' windows "
            "and zones."
        )
        return res
    s = ctx._switch_samples() if blocked else ctx._cpu_samples()
    what = "callstacks at context switches" if blocked else "CPU samples"
    if blocked and len(s.time) == 0:
        res.title = (
            "hot_functions(blocked=True): this capture has no callstacks taken at context switches (Tracy records "
            "them with CPU sampling and context switches)."
        )
        return res
    if len(s.time) == 0:
        res.title = (
            "hot_functions: this capture has no CPU samples (callstack sampling was off or not permitted when it "
            "was recorded); zones are all there is: ctx.hot_paths()."
        )
        return res
    keep = np.ones(len(s.time), dtype=bool)
    if scope.threads is not None:
        keep &= np.isin(s.thread, scope.threads)
    if scope.start is not None:
        keep &= s.time >= scope.start
    if scope.end is not None:
        keep &= s.time < scope.end
    labels = ctx._thread_labels()
    profiler: list[str] = []
    left_out = 0
    if scope.threads is None and name is None:  # the profiler's own threads are not the program's work
        own = [i for i, lab in enumerate(labels) if lab.startswith(PROFILER_THREAD)]
        mine = keep & np.isin(s.thread, own)
        left_out = int(mine.sum())
        profiler = [labels[i] for i in own if (s.thread[mine] == i).any()]
        keep &= ~mine
    times, threads, stacks = s.time[keep], s.thread[keep], s.callstack[keep]
    zone = innermost(ctx, times, threads)
    label = scope.label or "whole capture"
    if name is not None:
        inside = _inside_named(ctx, zone, name)
        times, threads, stacks, zone = times[inside], threads[inside], stacks[inside], zone[inside]
        label += f", inside {name}"
    total = len(times)
    res.samples = total
    if total == 0:
        res.title = f"hot_functions: no {what} of the program's threads in {label} ({len(s.time)} in the capture)."
        return res
    funcs = _Functions(ctx)
    ucs, inv = np.unique(stacks, return_inverse=True)
    inv = inv.reshape(-1)
    # per sample: the function the CPU was in (innermost frame), or when blocked the call the thread made
    cpu_fn = (funcs.blocked_keys(ucs) if blocked else funcs.self_keys(ucs))[inv]
    image = _program_image(ctx)
    own_fn = funcs.own_keys(ucs, image)[inv] if image is not None else np.full(total, -1, I64)
    st = ctx._symbol_counts(np.bincount(stacks, minlength=max(ctx._db.rows("callstacks"), int(stacks.max()) + 1)))
    named = st.addr != 0
    incl_fn = funcs.addr_keys(st.addr[named])
    nf = len(funcs.display)
    excl = np.bincount(cpu_fn, minlength=nf).astype(I64)
    mine = np.bincount(own_fn[own_fn >= 0], minlength=nf).astype(I64)
    incl = excl.copy()
    np.maximum.at(incl, incl_fn, st.incl[named])  # copies of one function: the largest, never a double count
    order = np.lexsort((-incl, -excl))
    order = order[(excl[order] > 0) | (incl[order] > 0)]
    res.table = frame(_function_columns(funcs, order, excl, incl, mine, total))
    off_lines: list[str] = []
    if blocked:
        off_lines = _off_cpu(ctx, res, funcs, times, threads, cpu_fn, order, n, label)
    # where the program's own code was, when that says more than where the CPU was
    attributed = own_fn if (own_fn >= 0).any() and not np.array_equal(own_fn, cpu_fn) else None
    # per thread and zone: the program's function, or when blocked, the call it blocked in (stacks at switches
    # reach the program's code too rarely to name it)
    by = None if blocked else attributed
    thread_rows = _threads(labels, threads, cpu_fn, by, funcs.display, total)
    zone_rows, in_zone = _zones(ctx, zone, cpu_fn, by, funcs.display, total)
    res.tables = {"threads": frame(_cols(thread_rows)), "zones": frame(_cols(zone_rows))}
    res.title = _title(
        funcs,
        excl,
        mine if attributed is not None and (own_fn >= 0).mean() >= OWN_LEADS else None,
        total,
        label,
        _caller(cpu_fn, own_fn, excl, funcs),
    )
    if blocked:
        res.title = (
            res.title.replace("Most CPU time (", "Where threads left a CPU (", 1)
            .replace("the CPU itself was mostly in", "the innermost call outside the kernel mostly", 1)
            .replace(" in their own code.", " (the innermost calls outside the kernel).")
        )
        if off_lines:  # the time that followed says more than the count of switches: it leads
            res.title = off_lines[0] + " By switches: " + res.title.split(": ", 1)[1]
        res.lines = [
            f"{total} callstacks taken as the program's threads left a CPU (blocked, slept or were preempted); "
            "shares are of switches unless a line says time.",
            *off_lines[1:],
        ]
    else:
        res.lines = [
            f"{total} samples of the program's threads; a function's share of them estimates its share of their "
            "CPU time." + _sample_rate(ctx, period)
        ]
    if left_out:
        res.lines.append(
            f"Left out: {left_out} samples ({fmt_pct(left_out / (left_out + total))}) of the profiler's own threads "
            f"({', '.join(profiler)}); thread= one of them to see them."
        )
    if attributed is not None:
        prog = os.path.basename(ctx._str(image)) if image is not None else "the program"
        res.lines.append(
            f"In the program's own code ({prog}; per sample its innermost frame there, whatever it had called):"
        )
        res.lines += _ranked(funcs.display, mine, total, n)
        lost = float((own_fn < 0).mean())
        if lost >= UNWOUND:
            res.lines.append(
                f"  {fmt_pct(lost)} of the samples have no frame in the program's own code: their stacks end in a "
                "library, the vDSO or the kernel (unwinding stopped there), so who called it is unknown."
            )
    short = n // 2 + 1 if attributed is not None else n  # the program's code leads: the rest in brief
    res.lines += _lines(funcs, order, excl, incl, total, thread_rows, zone_rows, in_zone, short)
    return res


def _off_cpu(
    ctx: Capture,
    res: HotFunctions,
    funcs: _Functions,
    times: np.ndarray,
    threads: np.ndarray,
    call: np.ndarray,
    order: np.ndarray,
    n: int,
    where: str,
) -> list[str]:
    """The time off a CPU after each switch, summed per call the thread left in: [title, detail lines] (empty when
    context switches do not cover most of these samples). Adds `off_cpu_ns` and `preempted_ns` to res.table."""
    off, runnable = off_cpu_after(ctx, times, threads)
    known = off >= 0
    if known.mean() < 0.5:
        return []
    nf = len(funcs.display)
    spent = np.bincount(call[known], weights=off[known], minlength=nf)
    pre = np.bincount(call[known & runnable], weights=off[known & runnable], minlength=nf)
    res.table["off_cpu_ns"] = spent[order].astype(I64)
    res.table["preempted_ns"] = pre[order].astype(I64)
    whole = float(spent.sum())
    if whole <= 0:
        return []
    d = funcs.display

    def item(i: int) -> str:
        how = "; preempted: runnable, waiting for a core" if pre[i] > 0.5 * spent[i] else ""
        return f"{d[i]} {fmt_ns(int(spent[i]))} ({fmt_pct(spent[i] / whole)}{how})"

    top = [i for i in np.argsort(-spent, kind="stable").tolist() if spent[i] > 0]
    title = (
        f"Time off a CPU by the call threads left it in ({where}, {fmt_ns(int(whole))} in all, until each thread ran "
        "again): " + ", ".join(item(i) for i in top[:3]) + "."
    )
    lines = [f"Off a CPU by time ({fmt_pct(pre.sum() / whole)} of it preempted, the rest blocked or asleep):"]
    lines += [f"  {fmt_pct(spent[i] / whole):>6} {fmt_ns(int(spent[i])):>10}  {d[i]}" for i in top[: max(n // 2, 3)]]
    return [title, *lines]


def blocked_calls_by_zone(ctx: Capture, thread_row: int, start: int, end: int) -> dict[str, str]:
    """{innermost zone name: 'call share'}: the call the thread most often left a CPU in while in that zone, from
    the callstacks taken at its context switches in [start, end) (empty without them). What hot_functions(
    blocked=True) reports per zone, for one thread, without the rest of the report."""
    s = ctx._switch_samples()
    sel = (s.thread == thread_row) & (s.time >= start) & (s.time < end)
    if not sel.any():
        return {}
    funcs = _Functions(ctx)
    ucs, inv = np.unique(s.callstack[sel], return_inverse=True)
    calls = funcs.blocked_keys(ucs)[inv.reshape(-1)]
    rows, _ = _zones(ctx, innermost(ctx, s.time[sel], s.thread[sel]), calls, None, funcs.display, int(sel.sum()))
    return {r["zone"]: r["top_function"] for r in rows if r["top_function"]}


def _caller(cpu_fn: np.ndarray, own_fn: np.ndarray, excl: np.ndarray, funcs: _Functions) -> str:
    """For the function the CPU was in most, when it is not the program's own: the program function most of those
    samples came from ('' when none)."""
    top = int(np.argmax(excl))
    own = own_fn[(cpu_fn == top) & (own_fn >= 0)]
    if len(own) == 0 or (own == top).all():
        return ""
    vals, cnt = unique_counts(own)
    k = int(np.argmax(cnt))
    return f"{funcs.display[int(vals[k])]} ({fmt_pct(cnt[k] / int((cpu_fn == top).sum()))} of them)"


def _top_indices(counts: np.ndarray, n: int) -> list[int]:
    """The n largest non-zero counts' indices, largest first."""
    return [i for i in np.argsort(-counts, kind="stable").tolist() if counts[i] > 0][:n]


def _ranked(display: list[str], counts: np.ndarray, total: int, n: int) -> list[str]:
    return [f"  {fmt_pct(counts[i] / total):>6} {int(counts[i]):>7}  {display[i]}" for i in _top_indices(counts, n)]


class _Functions:
    """The functions samples land in, indexed by what a reader sees: 'name (file:line)' of a symbol (copies of
    one inlined function at several addresses are one function), or, for a frame without symbol data (a vDSO or
    JIT frame), its name without the offset; plus one entry for innermost frames that did not resolve at all."""

    def __init__(self, ctx: Capture) -> None:
        self.ctx = ctx
        self.display: list[str] = []
        self.addr: list[int] = []  # a symbol address of each function (0: none)
        self._by_name: dict[str, int] = {}
        self._by_addr: dict[int, int] = {}

    def _add(self, name: str, addr: int = 0) -> int:
        i = self._by_name.get(name)
        if i is None:
            i = self._by_name[name] = len(self.display)
            self.display.append(name)
            self.addr.append(addr)
        return i

    def addr_keys(self, addrs: np.ndarray) -> np.ndarray:
        """Function index per symbol address."""
        fresh = sorted({a for a in addrs.tolist() if a not in self._by_addr})
        if fresh:
            for a, nm in zip(fresh, _display_names(self.ctx, np.asarray(fresh, np.uint64)), strict=False):
                self._by_addr[a] = self._add(nm, a)
        return np.asarray([self._by_addr[a] for a in addrs.tolist()], I64)

    def self_keys(self, stacks: np.ndarray) -> np.ndarray:
        """Function index of the innermost frame of each callstack row."""
        db = self.ctx._db
        entry = self.ctx._callstack_first_entry()[stacks]
        out = np.empty(len(stacks), I64)
        ok = entry >= 0
        if (~ok).any():
            out[~ok] = self._add(UNRESOLVED)
        if ok.any():
            sym = db.col("callstack_frame_entries", "sym_addr")[entry[ok]].astype(np.uint64)
            part = np.empty(int(ok.sum()), I64)
            has = sym != 0
            part[has] = self.addr_keys(sym[has])
            names = db.col("callstack_frame_entries", "name")[entry[ok][~has]].tolist()
            part[~has] = [self._add(f"{OFFSET.sub('', self.ctx._str(sid)) or '?'} (no symbol data)") for sid in names]
            out[ok] = part
        return out

    def own_keys(self, stacks: np.ndarray, image: int) -> np.ndarray:
        """Function index of the innermost frame of each callstack row that lies in the program's own image
        (string id `image`) and is not the profiler's instrumentation, -1 where no frame does: where the program's
        code was, whatever library or kernel code it had called."""
        db = self.ctx._db

        def mine(sym: np.ndarray, fn: np.ndarray) -> np.ndarray:
            rows = self.ctx._symbol_info(sym)
            own = rows >= 0
            own[own] = db.col("symbols", "image")[rows[own]] == image
            own &= np.asarray([not PROFILER_CODE.search(self.display[i]) for i in fn.tolist()], dtype=bool)
            inline = own.copy()
            inline[own] = db.col("symbols", "is_inline")[rows[own]] != 0
            files, at = np.unique(db.col("symbols", "file")[rows[inline]], return_inverse=True)
            system = np.asarray([bool(SYSTEM_HEADER.match(self.ctx._str(int(f)))) for f in files.tolist()], dtype=bool)
            own[inline] = ~system[at]  # for a system header's code, the caller in the program is where its code was
            return own

        return self._first(stacks, mine)

    def blocked_keys(self, stacks: np.ndarray) -> np.ndarray:
        """Function index of the call a thread left the CPU in (a sleep, a lock, a wait) for each callstack row
        taken at a context switch: the innermost frame outside the kernel with a symbol (the innermost frame is
        the kernel's scheduler), else the innermost frame."""
        user = self._first(stacks, lambda sym, fn: (sym != 0) & (sym < KERNEL_ADDR))
        return np.where(user >= 0, user, self.self_keys(stacks))

    def _first(self, stacks: np.ndarray, pick: Any) -> np.ndarray:
        """Per callstack row, the function of its innermost frame entry for which pick(sym, fn) holds, -1 when
        none does."""
        db = self.ctx._db
        out = np.full(len(stacks), -1, I64)
        owner, eidx, _ = self.ctx._stack_entries(stacks)
        sym = db.col("callstack_frame_entries", "sym_addr")[eidx].astype(np.uint64)
        named = sym != 0
        fn = np.full(len(sym), -1, I64)
        fn[named] = self.addr_keys(sym[named])
        hit = np.flatnonzero(named & pick(sym, np.maximum(fn, 0)))  # in stack order, innermost first
        first_owner, first = np.unique(owner[hit], return_index=True)
        out[first_owner] = fn[hit[first]]
        return out

    def kernel(self, i: int) -> bool:
        return self.display[i].endswith("(kernel)")


def _program_image(ctx: Capture) -> int | None:
    """String id of the program's executable image: the image of its `main` symbol (None when unknown). Found
    once per capture."""

    def find() -> int | None:
        db = ctx._db
        if db.rows("symbols") == 0 or not db.has("symbols", "image"):
            return None
        names = db.col("symbols", "name")
        for r in range(db.rows("symbols")):
            if ctx._str(names[r]) == "main":
                return int(db.col("symbols", "image")[r])
        return None

    return ctx._db.cached("program_image", find)


def _inside_named(ctx: Capture, zone: np.ndarray, name: str) -> np.ndarray:
    """Per sample: whether its innermost zone or one of that zone's ancestors is named `name`."""
    t = ctx._cpu()
    wanted = match_names(name, ctx._srclocs().name)
    hit = np.zeros(len(zone), dtype=bool)
    z = zone.copy()
    while True:
        live = np.flatnonzero(z >= 0)
        if len(live) == 0:
            return hit
        hit[live] |= wanted[t.srcloc[z[live]]]
        z[live] = t.parent[z[live]]


def _display_names(ctx: Capture, addrs: np.ndarray) -> list[str]:
    """'name (file:line)' per symbol address, '(kernel)' for the kernel's."""
    rows = ctx._symbol_info(addrs)
    db = ctx._db
    out = []
    for a, r in zip(addrs.tolist(), rows.tolist(), strict=False):
        if r < 0:
            out.append(f"0x{a:x}")
            continue
        nm = ctx._str(db.col("symbols", "name")[r]) or f"0x{a:x}"
        file = ctx._str(db.col("symbols", "file")[r])
        line = int(db.col("symbols", "line")[r])
        where = f"{os.path.basename(file)}:{line}" if file and not file.startswith("[") and line > 0 else ""
        if np.uint64(a) >= KERNEL_ADDR:
            where = "kernel"
        out.append(f"{nm} ({where})" if where else nm)
    return out


def _function_columns(
    funcs: _Functions | None,
    order: np.ndarray,
    excl: np.ndarray,
    incl: np.ndarray,
    mine: np.ndarray,
    total: int,
) -> dict[str, Any]:
    idx = order.tolist()
    names = [funcs.display[i] for i in idx] if funcs else []
    return {
        "function": names,
        "addr": np.asarray([funcs.addr[i] for i in idx] if funcs else [], np.uint64),
        "kernel": np.asarray([funcs.kernel(i) for i in idx] if funcs else [], dtype=bool),
        "self_samples": excl[order],
        "incl_samples": incl[order],
        "own_code_samples": mine[order],
        "self_share": excl[order] / total,
        "incl_share": incl[order] / total,
    }


def _top(fn: np.ndarray, display: list[str]) -> str:
    """'name share' of the function most of these samples ran in ('' when none)."""
    fn = fn[fn >= 0]
    if len(fn) == 0:
        return ""
    vals, cnt = unique_counts(fn)
    k = int(np.argmax(cnt))
    return f"{display[int(vals[k])]} {fmt_pct(cnt[k] / len(fn))}"


def _group_rows(
    key: np.ndarray, cpu_fn: np.ndarray, own_fn: np.ndarray | None, display: list[str], total: int
) -> list[tuple[int, dict[str, Any]]]:
    """(key, row) per distinct key, most samples first: samples, share, the top function the CPU was in and
    the top function of the program's own code."""
    vals, cnt = unique_counts(key)
    out = []
    for k, c in sorted(zip(vals.tolist(), cnt.tolist(), strict=False), key=lambda x: -x[1]):
        sel = key == k
        out.append(
            (
                k,
                {
                    "samples": c,
                    "share": c / total,
                    "top_function": _top(cpu_fn[sel], display),
                    "top_own_code": _top(own_fn[sel], display) if own_fn is not None else "",
                },
            )
        )
    return out


def _threads(
    labels: list[str],
    threads: np.ndarray,
    cpu_fn: np.ndarray,
    own_fn: np.ndarray | None,
    display: list[str],
    total: int,
) -> list[dict[str, Any]]:
    return [
        {"thread_id": th, "thread": labels[th] if 0 <= th < len(labels) else "?", **row}
        for th, row in _group_rows(threads, cpu_fn, own_fn, display, total)
    ]


def _zones(
    ctx: Capture,
    zone: np.ndarray,
    cpu_fn: np.ndarray,
    own_fn: np.ndarray | None,
    display: list[str],
    total: int,
) -> tuple[list[dict[str, Any]], int]:
    """Samples per innermost zone name (outside every zone: NO_ZONE), and how many fall inside a zone."""
    sl = ctx._srclocs()
    t = ctx._cpu()
    key = np.full(len(zone), -1, I64)  # index into sl.names; -1: no zone
    inside = zone >= 0
    key[inside] = sl.name_idx[t.srcloc[zone[inside]]]
    rows = [
        {"zone": NO_ZONE if k < 0 else sl.names[k], **row}
        for k, row in _group_rows(key, cpu_fn, own_fn, display, total)
    ]
    return rows, int(inside.sum())


def _cols(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(rows[0]) if rows else []
    return {k: [r[k] for r in rows] for k in keys}


def _where(r: dict[str, Any]) -> str:
    """' (mostly F share)' for a thread or zone row: the program's own code when known, else where the CPU was."""
    top = r["top_own_code"] or r["top_function"]
    return f" (mostly {top})" if top else ""


def _sample_rate(ctx: Capture, period: int) -> str:
    """How many samples the capture holds against the CPU time its context switches show for the program's
    threads, when far fewer than the sampling period implies ('' when it cannot tell or they agree)."""
    if period <= 0:
        return ""
    s = ctx._cpu_samples()
    labels = ctx._thread_labels()
    running = samples = 0
    fiber = fiber_rows(ctx)
    for k, r in thread_runs(ctx).items():
        if k < len(fiber) and fiber[k]:  # a fiber's runs are its worker thread's time
            continue
        if 0 <= k < len(labels) and not labels[k].startswith(PROFILER_THREAD):
            running += int(np.maximum(r.end - r.start, 0).sum())
            samples += int((s.thread == k).sum())
    if running <= 0 or samples <= 0 or running / samples < DROPPED * period:
        return ""
    return (
        f" The capture holds one sample per {fmt_ns(running / samples)} of their CPU time (context switches), not per "
        f"{fmt_ns(period)} as sampled: most were dropped, so read shares, not sample counts, as time."
    )


def _title(
    funcs: _Functions,
    excl: np.ndarray,
    mine: np.ndarray | None,
    total: int,
    label: str,
    caller: str = "",
) -> str:
    d = funcs.display
    head = f"Most CPU time ({label}, {total} samples)"
    cpu = _top_indices(excl, 3)
    if not cpu:
        return f"{head}: no sample's innermost frame resolved to a function."
    if mine is not None and mine.any():
        top = _top_indices(mine, 3)
        return (
            f"{head}: in the program's own code "
            + ", ".join(f"{d[i]} {fmt_pct(mine[i] / total)}" for i in top)
            + f"; the CPU itself was mostly in {d[cpu[0]]} {fmt_pct(excl[cpu[0]] / total)}"
            + (f", called mostly from {caller}" if caller else "")
            + "."
        )
    return f"{head}: " + ", ".join(f"{d[i]} {fmt_pct(excl[i] / total)}" for i in cpu) + " in their own code."


def _lines(
    funcs: _Functions,
    order: np.ndarray,
    excl: np.ndarray,
    incl: np.ndarray,
    total: int,
    thread_rows: list[dict[str, Any]],
    zone_rows: list[dict[str, Any]],
    in_zone: int,
    n: int,
) -> list[str]:
    d = funcs.display
    lines = ["Where the CPU was (self: the sampled instruction's function):", *_ranked(d, excl, total, n)]
    by_incl = [
        i
        for i in np.argsort(-incl, kind="stable").tolist()
        # the profiler's code is never a caller of the program's: a return address just past a call lands in an
        # inlined zone destructor
        if incl[i] > excl[i] and incl[i] < ROOT_SHARE * total and funcs.addr[i] != 0 and not PROFILER_CODE.search(d[i])
    ][: max(n // 2, 3)]
    if by_incl:
        lines.append(
            "Inclusive (it and what it called), where that adds to self; entry points on every stack left out:"
        )
        for i in by_incl:
            lines.append(f"  {fmt_pct(incl[i] / total):>6} {int(incl[i]):>7}  {d[i]}")
    kern = [i for i in range(len(d)) if funcs.kernel(i) and excl[i] > 0]
    ksum = int(excl[kern].sum()) if kern else 0
    if ksum >= NOTABLE * total:
        top = max(kern, key=lambda i: excl[i])
        lines.append(
            f"In the kernel: {fmt_pct(ksum / total)} of the samples (most: {d[top]} {fmt_pct(excl[top] / total)})."
        )
    # the CPU in Tracy's own code (self samples only: return addresses just past a call can land in inlined
    # instrumentation, so Tracy frames on a stack do not show that timing zones cost the time)
    tracy = [i for i in range(len(d)) if PROFILER_CODE.search(d[i]) and excl[i] > 0]
    in_tracy = int(excl[tracy].sum()) if tracy else 0
    if in_tracy >= NOTABLE * total:
        top = max(tracy, key=lambda i: excl[i])
        lines.append(
            f"Profiler overhead: {fmt_pct(in_tracy / total)} of the samples are in Tracy's own code (most: {d[top]}): "
            "zones this short or this many cost a share of the time they measure."
        )
    if len(thread_rows) > 1:
        more = len(thread_rows) - SHOWN_THREADS
        lines.append(
            "By thread: "
            + "; ".join(f"{r['thread']} {fmt_pct(r['share'])}{_where(r)}" for r in thread_rows[:SHOWN_THREADS])
            + (f"; ... {more} more in .tables['threads']" if more > 0 else "")
            + "."
        )
    outside = total - in_zone
    no_zone = next((r for r in zone_rows if r["zone"] == NO_ZONE), None)
    cover = f"Zones cover {fmt_pct(in_zone / total)} of these samples"
    if outside >= 0.001 * total:
        cover += f"; {fmt_pct(outside / total)} ran outside every zone{_where(no_zone) if no_zone else ''}"
    shown = [f"{r['zone']} {fmt_pct(r['share'])}{_where(r)}" for r in zone_rows[:SHOWN_ZONES] if r["zone"] != NO_ZONE]
    lines.append(f"{cover}." + (f" By innermost zone: {'; '.join(shown)}." if shown else ""))
    return lines
