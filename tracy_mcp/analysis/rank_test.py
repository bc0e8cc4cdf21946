"""Rank statistics, numpy only: average ranks with ties, and the Mann-Whitney U rank test (two-sided, normal
approximation with tie correction)."""

from __future__ import annotations

import math

import numpy as np


def average_ranks(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(1-based ranks with ties given their group's average rank, the size of each tie group)."""
    x = np.asarray(v, np.float64)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.concatenate([[True], xs[1:] != xs[:-1]]))
    ends = np.append(starts[1:], len(x))
    ranks = np.empty(len(x))
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks, (ends - starts).astype(np.float64)


def mann_whitney(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(p-value, P(b > a) + P(b == a) / 2) for two samples. p = 1 when a sample is empty or every value ties."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return 1.0, 0.5
    n = n1 + n2
    ranks, ties = average_ranks(np.concatenate([a, b]))
    u2 = ranks[n1:].sum() - n2 * (n2 + 1) / 2.0
    var = n1 * n2 / 12.0 * ((n + 1) - (ties**3 - ties).sum() / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:
        return 1.0, 0.5
    z = max(abs(u2 - n1 * n2 / 2.0) - 0.5, 0.0) / math.sqrt(var)
    return min(1.0, math.erfc(z / math.sqrt(2.0))), u2 / (n1 * n2)


def smallest_p(n1: int, n2: int) -> float:
    """The smallest p mann_whitney can give samples of n1 and n2 values (no ties, fully apart): with a handful of
    calls on a side no change, however large, passes a strict threshold."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    n = n1 + n2
    z = max(n1 * n2 / 2.0 - 0.5, 0.0) / math.sqrt(n1 * n2 * (n + 1) / 12.0)
    return min(1.0, math.erfc(z / math.sqrt(2.0)))
