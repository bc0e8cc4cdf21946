"""CPU sampling, context switches and per-thread CPU data (upstream-compatible), vectorised over the engine's
sample and callstack tables.

Symbol statistics follow upstream's background step: a sample whose time equals one of its thread's
context-switch samples is not a CPU sample; a callstack counts only when all its frames resolve; "excl" goes to
the innermost symbol, "incl" to every distinct symbol of the stack.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from tracy_mcp.analysis.callstacks import CallstackQueries
from tracy_mcp.analysis.columnar import Table, expand_ranges, fixed_labels, labels_of, make_table
from tracy_mcp.analysis.filters import per_row
from tracy_mcp.analysis.threads import ThreadQueries

I64 = np.int64

# Context-switch codes as Tracy records them: Windows wait reasons (KWAIT_REASON) and thread states, Linux task
# states as 101.. ; 99 marks a fiber switch, 100 means the platform gave none (Linux reasons), -1 none recorded.
_WAIT_REASONS = (
    "Executive FreePage PageIn PoolAllocation DelayExecution Suspended UserRequest WrExecutive WrFreePage WrPageIn "
    "WrPoolAllocation WrDelayExecution WrSuspended WrUserRequest WrEventPair WrQueue WrLpcReceive WrLpcReply "
    "WrVirtualMemory WrPageOut WrRendezvous WrKeyedEvent WrTerminated WrProcessInSwap WrCpuRateControl "
    "WrCalloutStack WrKernel WrResource WrPushLock WrMutex WrQuantumEnd WrDispatchInt WrPreempted "
    "WrYieldExecution WrFastMutex WrGuardedMutex WrRundown WrAlertByThreadId WrDeferredPreempt WrPhysicalFault "
    "WrIoRing WrMdlCache WrRcu"
).split()
SWITCH_REASONS = {**dict(enumerate(_WAIT_REASONS)), 99: "fiber", 100: "none", -1: "none"}
SWITCH_STATES = {
    **dict(enumerate("Initialized Ready Running Standby Terminated Waiting Transition DeferredReady".split())),
    **dict(
        enumerate(
            [
                "D (disk sleep)",
                "I (idle)",
                "R (running)",
                "S (sleeping)",
                "T (stopped)",
                "t (tracing stop)",
                "W (paging)",
                "X (dead)",
                "Z (zombie)",
                "P (parked)",
            ],
            start=101,
        )
    ),
    100: "none",
    -1: "none",
}


@attrs.frozen
class SampleIndex:
    time: np.ndarray  # per CPU sample (context-switch samples removed)
    thread: np.ndarray  # thread row per sample
    callstack: np.ndarray  # callstack row per sample
    row: np.ndarray  # row of the engine's `samples` table per sample


@attrs.frozen
class SymbolStats:
    addr: np.ndarray  # uint64
    incl: np.ndarray  # int64
    excl: np.ndarray  # int64


class SamplingQueries(CallstackQueries, ThreadQueries):
    # -- counts -----------------------------------------------------------------------------------------------------
    def get_callstack_sample_count(self) -> int:
        """Every callstack sample the capture holds, context-switch samples included (samples() lists only CPU
        samples, so it can be shorter)."""
        v = self._db.meta_get("sample_count")
        if isinstance(v, int):
            return v
        return self._db.rows("samples")

    def get_context_switch_count(self) -> int:
        """Context switches of the profiled program's threads (rows of context_switches())."""
        v = self._db.meta_get("context_switch_count")
        return v if isinstance(v, int) else self._db.rows("ctx_switches")

    # -- samples ----------------------------------------------------------------------------------------------------
    def _cpu_samples(self) -> SampleIndex:
        """The samples taken while a thread ran (context-switch samples left out)."""
        return self._sample_split()[0]

    def _switch_samples(self) -> SampleIndex:
        """The samples taken as a thread left a CPU (its callstack where it blocked or was preempted)."""
        return self._sample_split()[1]

    def _sample_split(self) -> tuple[SampleIndex, SampleIndex]:
        """(samples taken while running, samples taken at context switches), split once per capture."""

        def build() -> tuple[SampleIndex, SampleIndex]:
            db = self._db
            n = db.rows("samples")
            if n == 0:
                z = np.zeros(0, I64)
                return SampleIndex(z, z, z, z), SampleIndex(z, z, z, z)
            time = db.col("samples", "time").astype(I64)
            cs = db.col("samples", "callstack").astype(I64)
            thread = np.full(n, -1, I64)
            at_switch = np.zeros(n, dtype=bool)
            if db.has("threads", "samples_begin"):
                sb = db.col("threads", "samples_begin").astype(I64)
                se = db.col("threads", "samples_end").astype(I64)
                has_ctx = db.has("threads", "ctx_switch_samples_begin") and db.rows("ctx_switch_samples") > 0
                cb = db.col("threads", "ctx_switch_samples_begin").astype(I64) if has_ctx else None
                ce = db.col("threads", "ctx_switch_samples_end").astype(I64) if has_ctx else None
                ctx_time = db.col("ctx_switch_samples", "time") if has_ctx else None
                for r in range(len(sb)):
                    a, b = int(sb[r]), int(se[r])
                    if b <= a:
                        continue
                    thread[a:b] = r
                    if cb is not None and ce is not None and ctx_time is not None and ce[r] > cb[r]:
                        at_switch[a:b] = np.isin(time[a:b], ctx_time[int(cb[r]) : int(ce[r])])
            elif db.has("samples", "thread"):
                thread = db.col("samples", "thread").astype(I64)

            def part(keep: np.ndarray) -> SampleIndex:
                return SampleIndex(time[keep], thread[keep], cs[keep], np.nonzero(keep)[0])

            return part(~at_switch), part(at_switch)

        return self._db.cached("sample_split", build)

    def _callstack_first_entry(self) -> np.ndarray:
        """Per callstack row: the row of its innermost frame entry in `callstack_frame_entries`, -1 when the
        innermost frame does not resolve (or the callstack is empty)."""

        def build() -> np.ndarray:
            db = self._db
            n = db.rows("callstacks")
            entry = np.full(n, -1, I64)
            if n == 0 or db.rows("callstack_frame_ids") == 0:
                return entry
            fb = db.col("callstacks", "frame_begin").astype(I64)
            fe = db.col("callstacks", "frame_end").astype(I64)
            nonempty = fe > fb
            fr = np.full(n, -1, I64)
            fr[nonempty] = db.col("callstack_frame_ids", "frame")[fb[nonempty]]
            res = fr >= 0
            eb = db.col("callstack_frames", "entry_begin").astype(I64)
            ee = db.col("callstack_frames", "entry_end").astype(I64)
            res[res] &= ee[fr[res]] > eb[fr[res]]
            entry[res] = eb[fr[res]]
            return entry

        return self._db.cached("callstack_first_entry", build)

    def _callstack_first_symbol(self) -> tuple[np.ndarray, np.ndarray]:
        """Per callstack row: (innermost symbol address, whether the innermost frame resolves)."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            entry = self._callstack_first_entry()
            ok = entry >= 0
            sym = np.zeros(len(entry), np.uint64)
            if ok.any():
                sym[ok] = self._db.col("callstack_frame_entries", "sym_addr")[entry[ok]]
            return sym, ok

        return self._db.cached("callstack_first_symbol", build)

    def _symbol_stats(self) -> SymbolStats:
        def build() -> SymbolStats:
            db = self._db
            if db.has("symbol_stats", "addr"):
                return SymbolStats(
                    db.col("symbol_stats", "addr"),
                    db.col("symbol_stats", "incl").astype(I64),
                    db.col("symbol_stats", "excl").astype(I64),
                )
            s = self._cpu_samples()
            if len(s.callstack) == 0 or db.rows("callstacks") == 0:
                return self._symbol_counts(np.zeros(0, I64))
            return self._symbol_counts(np.bincount(s.callstack, minlength=db.rows("callstacks")))

        return self._db.cached("symbol_stats", build)

    def _symbol_info(self, addrs: np.ndarray) -> np.ndarray:
        """Row of `symbols` for each address (-1 when the capture has no symbol data for it)."""
        db = self._db
        if db.rows("symbols") == 0:
            return np.full(len(addrs), -1, I64)
        sa = db.col("symbols", "addr")
        pos = np.searchsorted(sa, addrs)
        pos_c = np.minimum(pos, len(sa) - 1)
        return np.where(sa[pos_c] == addrs, pos_c, -1)

    def _stack_entries(self, stacks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The frame entries of callstack rows `stacks`, innermost first (inlined entries before their function):
        (index into `stacks` per entry, row of `callstack_frame_entries`, per stack whether every frame resolved
        and it has any). Frames that did not resolve contribute no entries."""
        db = self._db
        fb = db.col("callstacks", "frame_begin").astype(I64)[stacks]
        fe = db.col("callstacks", "frame_end").astype(I64)[stacks]
        owner, fidx = expand_ranges(fb, fe)
        fr = db.col("callstack_frame_ids", "frame")[fidx].astype(I64)
        good = fe > fb
        good[owner[fr < 0]] = False
        owner, fr = owner[fr >= 0], fr[fr >= 0]
        eb = db.col("callstack_frames", "entry_begin").astype(I64)[fr]
        ee = db.col("callstack_frames", "entry_end").astype(I64)[fr]
        sub, eidx = expand_ranges(eb, ee)
        return owner[sub], eidx, good

    def _symbol_counts(self, counts: np.ndarray) -> SymbolStats:
        """Inclusive and exclusive sample counts per symbol address for `counts[c]` samples of callstack row c (any
        subset of the samples: a thread, a window): a symbol counts a callstack's samples once however often it is
        on that stack; exclusive counts go to the innermost entry. Callstacks with an unresolved frame count for
        neither."""
        db = self._db
        css = np.nonzero(counts)[0]
        css = css[css > 0]
        if len(css) == 0 or db.rows("callstack_frame_ids") == 0:
            return SymbolStats(np.zeros(0, np.uint64), np.zeros(0, I64), np.zeros(0, I64))
        owner, eidx, good = self._stack_entries(css)
        keep = good[owner]
        cs_of_entry, eidx = owner[keep], eidx[keep]
        sym = db.col("callstack_frame_entries", "sym_addr")[eidx]
        # incl: each distinct (callstack, symbol) pair counts the callstack's samples once
        pairs = np.unique(np.stack([cs_of_entry.astype(np.uint64), sym.astype(np.uint64)]), axis=1)
        addrs, inv = np.unique(pairs[1], return_inverse=True)
        weight = counts[css][pairs[0].astype(I64)]
        incl = np.bincount(inv.reshape(-1), weights=weight, minlength=len(addrs)).astype(I64)
        # excl: the first entry of each good callstack
        first_sym, _ = self._callstack_first_symbol()
        gcs = css[good]
        pos = np.searchsorted(addrs, first_sym[gcs])
        excl = np.zeros(len(addrs), I64)
        np.add.at(excl, pos, counts[gcs].astype(I64))
        return SymbolStats(addrs, incl, excl)

    def get_symbol_stats(self) -> list[dict[str, Any]]:
        """Per symbol address: {addr, incl, excl} sample counts, plus name/file/line/image when the capture has
        symbol data for it (address 0 collects frames that did not resolve)."""
        st = self._symbol_stats()
        rows = self._symbol_info(st.addr)
        db = self._db
        out = []
        for a, i, e, r in zip(st.addr.tolist(), st.incl.tolist(), st.excl.tolist(), rows.tolist(), strict=False):
            d: dict[str, Any] = {"addr": int(a), "incl": int(i), "excl": int(e)}
            if r >= 0:
                d.update(
                    name=self._str(db.col("symbols", "name")[r]),
                    file=self._str(db.col("symbols", "file")[r]),
                    line=int(db.col("symbols", "line")[r]),
                    image=self._str(db.col("symbols", "image")[r]),
                )
            out.append(d)
        return out

    def get_samples_for_symbol(self, sym_addr: int) -> list[dict[str, Any]]:
        """CPU samples whose innermost frame is symbol `sym_addr`: {time, thread (upstream's internal thread
        index), tid (OS thread id)}, in time order."""
        s = self._cpu_samples()
        first_sym, ok = self._callstack_first_symbol()
        if len(s.callstack) == 0:
            return []
        cs = s.callstack
        hit = ok[cs] & (first_sym[cs] == np.uint64(sym_addr))
        rows = np.nonzero(hit)[0]
        rows = rows[np.argsort(s.time[rows], kind="stable")]
        tids = self._tid_of_rows(s.thread[rows]).tolist()
        idx = self._upstream_thread_index(s.thread[rows]).tolist()
        return [
            {"time": int(t), "thread": int(i), "tid": int(h)}
            for t, i, h in zip(s.time[rows].tolist(), idx, tids, strict=False)
        ]

    def get_hw_sample_summary(self) -> list[dict[str, Any]]:
        """Hardware-counter summary per symbol (IPC, cache / branch miss rates); [] without hardware samples."""
        db = self._db
        if db.rows("hw_samples") == 0:
            return []
        addr = db.col("hw_samples", "addr")
        kind = db.col("hw_samples", "kind")
        # hardware samples are keyed by instruction address; upstream reports per symbol of the statistics
        out = []
        for a in np.unique(addr).tolist():
            sel = addr == a
            k = kind[sel]
            cnt = [int((k == i).sum()) for i in range(6)]
            if cnt[0] == 0 and cnt[1] == 0:
                continue
            out.append(
                {
                    "addr": int(a),
                    "samples": cnt[0] or cnt[1],
                    "cycles_count": cnt[0],
                    "retired_count": cnt[1],
                    "cache_ref_count": cnt[2],
                    "cache_miss_count": cnt[3],
                    "branch_ret_count": cnt[4],
                    "branch_miss_count": cnt[5],
                }
            )
        return out

    def samples(self, *, thread: int | str | list[int | str] | None = None, as_frame: bool | None = None) -> Table:
        """CPU samples (callstack sampling; context-switch samples left out), keyed by `id`: time_ns, thread_id,
        thread, callstack_id (see get_callstack_frames), symbol_addr (innermost frame's symbol, 0 when it does
        not resolve), symbol (its name, "" when unknown). get_callstack_sample_count() counts every sample the
        capture holds, this table only CPU samples: the numbers differ. Filter: `thread` (name, glob, thread_id,
        OS tid, or a list)."""
        s = self._cpu_samples()
        first_sym, ok = self._callstack_first_symbol()
        rows = None if thread is None else np.nonzero(per_row(self._thread_mask(thread), s.thread))[0]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        cs = pick(s.callstack)
        sym = np.where(ok[cs], first_sym[cs], 0).astype(np.uint64) if len(cs) else np.zeros(0, np.uint64)
        addrs, inv = np.unique(sym, return_inverse=True)
        thread_ids = pick(s.thread).astype(np.int32)
        return make_table(
            {
                "time_ns": pick(s.time),
                "thread_id": thread_ids,
                "thread": self._thread_column(thread_ids),
                "callstack_id": cs,
                "symbol_addr": sym,
                "symbol": labels_of(inv.reshape(-1), self._symbol_names(addrs)),
            },
            as_frame,
            ids=pick(s.row),
        )

    def _symbol_names(self, addrs: np.ndarray) -> list[str]:
        """Symbol name per address ("" when the capture has no symbol for it)."""
        rows = self._symbol_info(addrs)
        db = self._db
        names = db.col("symbols", "name") if db.rows("symbols") else np.zeros(0, np.int32)
        return [self._str(names[r]) if r >= 0 else "" for r in rows.tolist()]

    # -- context switches ----------------------------------------------------------------------------------------------
    def _ctx_range(self, tid: int) -> tuple[int, int] | None:
        db = self._db
        if db.rows("ctx_switch_threads") == 0:
            return None
        tids = db.col("ctx_switch_threads", "tid")
        hit = np.nonzero(tids == np.uint64(tid))[0]
        if len(hit) == 0:
            return None
        r = int(hit[0])
        return int(db.col("ctx_switch_threads", "switch_begin")[r]), int(db.col("ctx_switch_threads", "switch_end")[r])

    def get_thread_context_switches(self, tid: int, max_samples: int = 50000) -> list[dict[str, Any]]:
        """Running periods of OS thread `tid`: {start, end, cpu, reason}, ended ones only, in time order."""
        rng = self._ctx_range(int(tid))
        if rng is None:
            return []
        db = self._db
        b, e = rng
        start = db.col("ctx_switches", "start")[b:e]
        end = db.col("ctx_switches", "end")[b:e]
        rows = np.nonzero(end >= 0)[0][: max(0, int(max_samples))]
        cpu = db.col("ctx_switches", "cpu")[b:e][rows].tolist()
        reason = db.col("ctx_switches", "reason")[b:e][rows].tolist()
        return [
            {"start": int(s), "end": int(x), "cpu": int(c), "reason": int(r)}
            for s, x, c, r in zip(start[rows].tolist(), end[rows].tolist(), cpu, reason, strict=False)
        ]

    def get_cpu_thread_data(self) -> dict[int, dict[str, int]]:
        """Per OS thread id: {running_time (ns), running_regions, migrations}."""
        db = self._db
        if db.rows("cpu_thread_data") == 0:
            return {}
        return {
            int(t): {"running_time": int(rt), "running_regions": int(rr), "migrations": int(m)}
            for t, rt, rr, m in zip(
                db.col("cpu_thread_data", "tid").tolist(),
                db.col("cpu_thread_data", "running_time").tolist(),
                db.col("cpu_thread_data", "running_regions").tolist(),
                db.col("cpu_thread_data", "migrations").tolist(),
                strict=False,
            )
        }

    def context_switches(
        self, *, thread: int | str | list[int | str] | None = None, as_frame: bool | None = None
    ) -> Table:
        """Context switches: each row is one period a thread ran on a CPU, thread by thread in time order, keyed
        by `id`: thread_id (-1 for threads of other programs), tid (OS thread id), thread (name), start_ns,
        end_ns (-1 = still running), duration_ns (0 when not ended), wakeup_ns (when it was made ready to run
        before this run: the gap before a row is asleep until its wakeup_ns, then waiting for a core; after a row
        that left the thread runnable, state "R (running)" = preempted, wakeup_ns equals start_ns and the whole
        gap was a wait for a core), cpu, reason
        (why it was switched out at end_ns: a Windows wait reason, "none" on Linux), state (the state it was left
        in at end_ns: "S (sleeping)", "D (disk sleep)", "R (running)" = preempted, ... on Linux; "Waiting",
        "Ready", ... on Windows). Times a client did not record (Tracy 0.13.1 clients on some systems stamp 0) are
        -1. The records as captured: a busy machine's can book two threads on one CPU at once (the analyses end
        each run where the next on its CPU begins).
        Filter: `thread` (name, glob, thread_id, OS tid, or a list)."""
        db = self._db
        n = db.rows("ctx_switches")
        owner = db.col("ctx_switches", "owner").astype(np.int64) if n else np.zeros(0, np.int64)
        switch_tids = db.col_or("ctx_switch_threads", "tid", np.zeros(0, np.uint64))
        tids = switch_tids[owner] if n else np.zeros(0, np.uint64)
        thread_ids = self._thread_id_of_tids(tids)
        rows = None if thread is None else np.nonzero(per_row(self._thread_mask(thread), thread_ids))[0]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        def times(name: str) -> np.ndarray:
            t = pick(db.col_or("ctx_switches", name))
            return t if not len(t) or int(t.min()) >= -1 else np.where(t >= 0, t, -1)

        start, end, wakeup = times("start"), times("end"), times("wakeup")
        tids = pick(tids)
        names = sorted({int(t) for t in np.unique(tids).tolist()})
        tid_names = [self.get_thread_name(t) for t in names]
        code = np.searchsorted(np.asarray(names, dtype=np.uint64), tids) if len(tids) else np.zeros(0, np.intp)
        return make_table(
            {
                "thread_id": pick(thread_ids),
                "tid": tids,
                "thread": labels_of(code, tid_names),
                "start_ns": start,
                "end_ns": end,
                "duration_ns": np.where((start >= 0) & (end >= 0), end - start, 0),
                "wakeup_ns": wakeup,
                "cpu": pick(db.col_or("ctx_switches", "cpu", np.zeros(n, np.uint8))),
                "reason": fixed_labels(pick(db.col_or("ctx_switches", "reason", np.zeros(n, np.int8))), SWITCH_REASONS),
                "state": fixed_labels(pick(db.col_or("ctx_switches", "state", np.zeros(n, np.int8))), SWITCH_STATES),
            },
            as_frame,
            ids=rows,
        )
