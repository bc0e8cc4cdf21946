"""The answer-shaped analyses as `Capture` methods: each computes a whole answer (a table plus a summary an
assistant can quote) in one call. Each method delegates to the module that implements it (one module per analysis,
in this package); a method whose module has not landed yet raises NotImplementedError."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from tracy_mcp.analysis.call_tree import CallTree, HotPaths
    from tracy_mcp.analysis.capture import Capture
    from tracy_mcp.analysis.compare import Comparison
    from tracy_mcp.analysis.slow_frames import SlowFrames
    from tracy_mcp.analysis.summary import CaptureSummary
    from tracy_mcp.analysis.thread_report import ThreadReport

from tracy_mcp.analysis import lock_contention, memory_report, zone_at
from tracy_mcp.analysis.lock_contention import LockContention
from tracy_mcp.analysis.memory_report import MemoryReport
from tracy_mcp.analysis.zone_at import ZoneAt


class AnswerMethods:
    def call_tree(
        self,
        thread: Any = None,
        start: int | None = None,
        end: int | None = None,
        frame_range: Any = None,
        name: str | None = None,
        per_thread: bool = True,
    ) -> CallTree:
        """Zones merged by call path (per thread, or all threads with per_thread=False): count, total, self, mean,
        max, share of the parent, one row per path in `.table`. thread: a name, OS id or thread_id; [start, end) ns
        and/or frame_range (a frame index or an inclusive (first, last) pair) clip the zones to a window; name:
        re-root at the outermost zones of that name (what runs inside them)."""
        from tracy_mcp.analysis.call_tree import call_tree

        return call_tree(
            cast("Capture", self),
            thread=thread,
            start=start,
            end=end,
            frame_range=frame_range,
            name=name,
            per_thread=per_thread,
        )

    def hot_paths(
        self,
        n: int = 20,
        thread: Any = None,
        start: int | None = None,
        end: int | None = None,
        frame_range: Any = None,
        name: str | None = None,
        per_thread: bool = True,
    ) -> HotPaths:
        """The `n` call paths with the most self time (restrictions as for call_tree)."""
        from tracy_mcp.analysis.call_tree import hot_paths

        return hot_paths(
            cast("Capture", self),
            n,
            thread=thread,
            start=start,
            end=end,
            frame_range=frame_range,
            name=name,
            per_thread=per_thread,
        )

    def slow_frames(
        self, budget_ns: float | None = None, factor: float = 2.0, frame_set: str | None = None
    ) -> SlowFrames:
        """slow_frames(budget_ns=None, factor=2.0, frame_set=None): the gameplay frames over `budget_ns` (or over
        `factor` x the median gameplay frame) and what made them slow: per slow frame its duration, x median, the
        zone whose self time grew most against typical frames on the frame's thread (typical vs slow), and the
        messages logged inside it; the culprit (top in the most slow frames) first. Start-up frames (before the
        first frame mark, loading frames), tear-down and the trailing partial frame are reported apart.
        frame_set: a frame set name (default the base set "Frame")."""
        from tracy_mcp.analysis.slow_frames import slow_frames

        return slow_frames(cast("Capture", self), budget_ns=budget_ns, factor=factor, frame_set=frame_set)

    def lock_contention(
        self, lock: str | None = None, *, thread: Any = None, start_ns: int | None = None, end_ns: int | None = None
    ) -> LockContention:
        """Which locks make threads wait: per lock acquisitions, total / mean / p99 / max wait, time blocked by
        another holder, held time; per lock and thread; the zones run while it is held and the zones that wait.
        Contended locks first; a lock never held by one thread while another waited is reported as not contended.
        Restrict to one `lock` (name), the locks a `thread` (name / thread_id / OS tid) takes, or events in
        [start_ns, end_ns)."""
        return lock_contention.lock_contention(self, lock, thread=thread, start_ns=start_ns, end_ns=end_ns)  # type: ignore[arg-type]

    def memory_report(
        self, pool: str | None = None, *, thread: Any = None, start_ns: int | None = None, end_ns: int | None = None
    ) -> MemoryReport:
        """Where memory goes: per pool allocations, frees, bytes, peak live bytes (when, the window >= 95% of it,
        what allocated during its run-up); allocations never freed by site (zone path active at allocation on the
        allocating thread; by callstack when recorded); allocations per frame and median size per site. Restrict
        to one `pool` (name, "(default)" for the unnamed one), an allocating `thread`, or allocations made in
        [start_ns, end_ns)."""
        return memory_report.memory_report(self, pool, thread=thread, start_ns=start_ns, end_ns=end_ns)  # type: ignore[arg-type]

    def zone_at(self, times: Any, thread: Any, *, fibers: bool = True) -> ZoneAt:
        """Which zone ran on `thread` at each time (int64 ns, sorted or not): `.zone_id` (innermost open zone, -1
        when none), `.names()`, `.paths()`. `thread`: a name, thread_id or OS thread id, or one per time. With
        `fibers`, a time at which a fiber ran on the thread looks in the fiber's zones."""
        return zone_at.zone_at(self, times, thread, fibers=fibers)  # type: ignore[arg-type]

    def thread_report(
        self,
        start_ns: int | None = None,
        end_ns: int | None = None,
        frames: tuple[int, int] | None = None,
        frame_set: str | None = None,
        top: int = 3,
    ) -> ThreadReport:
        """thread_report(start_ns=None, end_ns=None, frames=None, frame_set=None, top=3): per thread inside a
        window (default: the gameplay frames; or [start_ns, end_ns); or frames=(first, last) inclusive): busy time
        (self time of its zones, so a zone wrapping the whole thread does not count), waiting (zones recognised
        as waits: frame pacers, waits for other threads), working = busy - waiting, CPU running time from
        context switches when present, the top zones by self time; pools of threads named "<name> <n>" with
        their imbalance. Sorted by working time: the first thread is the bottleneck."""
        from tracy_mcp.analysis.thread_report import thread_report

        return thread_report(
            cast("Capture", self), start_ns=start_ns, end_ns=end_ns, frames=frames, frame_set=frame_set, top=top
        )

    def compare(
        self, other: Capture | str | os.PathLike[str], min_change: float = 0.05, alpha: float = 1e-3
    ) -> Comparison:
        """compare(other, min_change=0.05, alpha=1e-3): this capture (A, base) against `other` (B, target: a
        Capture or a .tracy path) per zone name and per call path: counts, totals, mean, p50/p90, ratios and a
        rank test; each zone classed as regressed / improved (own time per call), count changed only, more / fewer
        calls, inclusive only (through a child), wait grew / shrank, new / gone, unchanged; gameplay frame times
        side by side. Sorted by impact on total time."""
        from tracy_mcp.analysis.compare import compare_captures

        return compare_captures(cast("Capture", self), other, min_change=min_change, alpha=alpha)

    def summary(self) -> CaptureSummary:
        """Orientation in one call: what the capture holds (every count) and the headline finding of each analysis
        that applies, each naming the method with the detail."""
        from tracy_mcp.analysis.summary import summary

        return summary(cast("Capture", self))
