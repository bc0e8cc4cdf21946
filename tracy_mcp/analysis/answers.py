"""The answer-shaped analyses as `Capture` methods: each computes a whole answer (a table plus a summary an
assistant can quote) in one call. Each method delegates to the module that implements it (one module per analysis,
in this package); a method whose module has not landed yet raises NotImplementedError."""

from __future__ import annotations

from typing import Any


class AnswerMethods:
    def call_tree(self, **kwargs: Any) -> Any:
        """Zones merged by call path (per thread or all threads): count, total, self, mean, max, share of parent."""
        raise NotImplementedError("call_tree is not available yet")

    def hot_paths(self, n: int = 20, **kwargs: Any) -> Any:
        """The `n` heaviest call paths by self time."""
        raise NotImplementedError("hot_paths is not available yet")

    def slow_frames(self, budget_ns: int | None = None, factor: float = 2.0, frame_set: Any = None) -> Any:
        """Frames above the budget (or `factor` x the median), start-up and trailing frames apart, with the zones
        whose self time grew most."""
        raise NotImplementedError("slow_frames is not available yet")

    def lock_contention(self, **kwargs: Any) -> Any:
        """Per lock and per lock and thread: acquisitions, wait, hold; what runs while held."""
        raise NotImplementedError("lock_contention is not available yet")

    def memory_report(self, pool: Any = None) -> Any:
        """Per pool: allocations, frees, peak; leaks by allocating zone; churn per frame."""
        raise NotImplementedError("memory_report is not available yet")

    def zone_at(self, times: Any, thread: Any) -> Any:
        """Which zone (innermost, and its path) ran on `thread` at each time."""
        raise NotImplementedError("zone_at is not available yet")

    def thread_report(self, **kwargs: Any) -> Any:
        """Per thread: busy and working time, running time, top zones; imbalance within a pool."""
        raise NotImplementedError("thread_report is not available yet")

    def compare(self, other: Any, **kwargs: Any) -> Any:
        """A/B comparison with another capture of the same program."""
        raise NotImplementedError("compare is not available yet")

    def summary(self) -> Any:
        """Orientation in one call: what the capture holds and the headline findings."""
        raise NotImplementedError("summary is not available yet")
