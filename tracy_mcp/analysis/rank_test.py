"""Rank statistics, numpy only: average ranks with ties, the Mann-Whitney U rank test (two-sided, normal
approximation with tie correction), and tests of whether a part of one sample moved beyond the other's tail."""

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


# Whether a part of the calls moved, beyond what a rank test over all of them sees (a zone's slow calls, a unit's
# tail): shares and counts against the base sample's p90, p99 and slowest value.
PART_MIN_CALLS = 20  # calls needed on each side to judge a part of them
PART_TAIL_SHARE = 0.12  # a part moved when this share of the other's calls lie beyond the base's p99 (1% by chance)...
TAIL_RATIO = 1.5  # ...and took this many times as long as the base's slowest calls
BEYOND_MIN = 3  # at least this many calls took TAIL_RATIO as long as the base's slowest...
BEYOND_P = 1e-4  # ...and that many would come by chance with a p below this


def tail_moved(base: np.ndarray, other: np.ndarray, share: float) -> bool:
    """A part of the calls moved far: PART_TAIL_SHARE of `other`'s values lie beyond `base`'s p99 (1% by chance,
    where preempted calls on a loaded machine stay), and `other`'s slowest `share` took TAIL_RATIO as long as
    `base`'s slowest same share (median against median)."""
    kb, ko = int(round(share * len(base))), int(round(share * len(other)))
    if kb < 1 or ko < 1 or len(base) < PART_MIN_CALLS or len(other) < PART_MIN_CALLS:
        return False
    if float((other > np.percentile(base, 99)).mean()) < PART_TAIL_SHARE:
        return False
    top_b, top_o = float(np.median(np.sort(base)[-kb:])), float(np.median(np.sort(other)[-ko:]))
    return top_o >= TAIL_RATIO * top_b


def beyond_slowest(base: np.ndarray, other: np.ndarray) -> int:
    """How many of `other`'s values took TAIL_RATIO as long as `base`'s slowest, when at least BEYOND_MIN did and
    that many would come by chance with p < BEYOND_P (each of `other`'s values exceeds the slowest of `base`'s n
    with chance 1/(n+1) when nothing moved; Poisson tail); else 0. Eight ticks of 120 at 60-89 ms against a slowest
    27 ms are news, though they are too few for a percentile to move."""
    if not len(base) or not len(other):
        return 0
    k = int((other >= TAIL_RATIO * float(base.max())).sum())
    if k < BEYOND_MIN:
        return 0
    lam = len(other) / (len(base) + 1)
    term, below = math.exp(-lam), 0.0
    for i in range(k):  # P(X < k)
        below += term
        term *= lam / (i + 1)
    return k if 1.0 - below < BEYOND_P else 0


def beyond_p90(base: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """(the share of `other`'s values over `base`'s 90th percentile, about 0.1 when nothing moved; the one-sided
    p of a share that high by chance, normal approximation with the p90's own sampling error); (0, 1) for too
    few calls to tell."""
    na, nb = len(base), len(other)
    if na < PART_MIN_CALLS or nb < PART_MIN_CALLS:
        return 0.0, 1.0
    share = float((other > np.percentile(base, 90)).mean())
    z = (share - 0.1) / math.sqrt(0.09 * (1 / nb + 1 / na))
    return share, 0.5 * math.erfc(z / math.sqrt(2))
