"""The answer-shaped analyses as `Capture` methods: each computes a whole answer (a table plus a summary an
assistant can quote) in one call. Each analysis is a function of its own module in this package taking the capture
first; the method is that function bound to the capture, so its signature and docstring are written once, there."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tracy_mcp.analysis.call_tree import call_tree, hot_paths
from tracy_mcp.analysis.compare import Comparison, compare_captures
from tracy_mcp.analysis.crash import crash, crash_report
from tracy_mcp.analysis.frame_trend import frame_trend
from tracy_mcp.analysis.gpu_load import gpu_report
from tracy_mcp.analysis.hot_functions import hot_functions
from tracy_mcp.analysis.lock_contention import lock_contention
from tracy_mcp.analysis.memory_report import memory_report
from tracy_mcp.analysis.pipeline import frame_pipeline
from tracy_mcp.analysis.slow_frames import slow_frames
from tracy_mcp.analysis.summary import summary
from tracy_mcp.analysis.thread_report import thread_report
from tracy_mcp.analysis.zone_at import zone_at

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

F = TypeVar("F", bound=Callable[..., Any])


def _method(fn: F) -> F:
    """`fn(ctx, ...)` as a method: help(), inspect.signature, type checkers and editors see fn's signature
    (without ctx) and docstring; the method guide files it under this module's area. Typed as fn itself (not
    with a ParamSpec) so that editors which read the source (jedi) show the signature too."""

    @functools.wraps(fn)
    def method(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__module__ = __name__
    method.__qualname__ = f"AnswerMethods.{fn.__name__}"
    return cast(F, method)


class AnswerMethods:
    call_tree = _method(call_tree)
    hot_paths = _method(hot_paths)
    hot_functions = _method(hot_functions)
    slow_frames = _method(slow_frames)
    frame_trend = _method(frame_trend)
    gpu_report = _method(gpu_report)
    thread_report = _method(thread_report)
    lock_contention = _method(lock_contention)
    memory_report = _method(memory_report)
    zone_at = _method(zone_at)
    crash = _method(crash)
    crash_report = _method(crash_report)
    frame_pipeline = _method(frame_pipeline)
    summary = _method(summary)

    def compare(
        self, other: Capture | str | os.PathLike[str], min_change: float = 0.05, alpha: float = 1e-3
    ) -> Comparison:
        """This capture (A, base) against `other` (B, target: a Capture or a .tracy path) per zone name and per
        call path: counts, totals, mean, p50/p90, ratios and a rank test; each zone classed as regressed / improved
        (own time per call), count changed only, more / fewer calls, through children (only a child changed), wait
        grew / shrank, new / gone, unchanged; gameplay frame times side by side. Sorted by impact on total time."""
        return compare_captures(cast("Capture", self), other, min_change=min_change, alpha=alpha)
