"""machine_factor: every zone slower (or faster) by about the same factor, the mark of the machine, not the code.

A lower clock (thermal throttling, a power plan, a slower machine, other load) stretches every zone's own time per
call by about one factor, while a code change moves one zone or a few. The factor is the own-time weighted median of
the zones' per-call ratios; it holds when most of the own time lies near it.
"""

from __future__ import annotations

import numpy as np

BAND = 1.1  # zones within this factor of the common one moved with it
SHARE = 0.6  # ... holding this share of the own time
MIN_ZONES = 5  # ... this many zone names at least
MIN_CHANGE = 0.1  # ... and the factor itself at least 1.1x (or 1/1.1x)
MIN_CALLS = 20  # calls on each side for a zone to count


def machine_factor(ratio: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray] | None:
    """(the common factor, which zones moved with it) for per-zone own-time ratios (B / A per call) weighted by
    their own time, None when no common factor holds most of the time."""
    ratio = np.asarray(ratio, np.float64)
    weight = np.asarray(weight, np.float64)
    ok = np.isfinite(ratio) & (ratio > 0) & (weight > 0)
    if ok.sum() < MIN_ZONES:
        return None
    order = np.argsort(np.where(ok, ratio, np.inf))[: int(ok.sum())]
    cum = np.cumsum(weight[order])
    factor = float(ratio[order][min(int(np.searchsorted(cum, cum[-1] / 2)), len(order) - 1)])
    if not (factor >= 1 + MIN_CHANGE or factor <= 1 / (1 + MIN_CHANGE)):
        return None
    near = ok & (ratio >= factor / BAND) & (ratio <= factor * BAND)
    if weight[near].sum() < SHARE * weight[ok].sum() or near.sum() < MIN_ZONES:
        return None
    return factor, near


def machine_words(factor: float, near: int, total: int, build: str = "") -> str:
    """'every zone is about 1.30x slower per call (22 of 26 zone names within 10% of that factor): the same code
    running slower, the machine (...), not a change in one zone'; with `build` (how the two runs' build strings
    differ), that difference is named first."""
    way = "slower" if factor > 1 else "faster"
    cause = f"a different build ({build}) or the machine" if build else "the machine"
    return (
        f"every zone is about {factor:.2f}x {way} per call ({near} of {total} zone names within "
        f"{(BAND - 1) * 100:.0f}% of that factor): the same code running {way}, {cause} (its clock, thermal "
        "throttling, a power plan, other load), not a change in one zone"
    )
