"""Sort-based unique / group ids for int64 keys. numpy 2.4's np.unique is 10-70x slower than one sort on the
arrays analyses group (hash-based), so grouping goes through these."""

from __future__ import annotations

import numpy as np

I64 = np.int64


def unique(a: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    s = np.sort(np.asarray(a).ravel())
    if len(s) == 0:
        return s
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


DENSE = 1 << 24  # keys spanning at most this many values are grouped through a lookup table, without a sort


def group_ids(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values sorted, the index of each item's value among them)."""
    a = np.asarray(a).ravel()
    if len(a) and a.dtype.kind in "iu":
        lo, hi = int(a.min()), int(a.max())
        if hi - lo < min(DENSE, 4 * len(a) + 4096):
            k = (a - lo).astype(np.intp)
            present = np.zeros(hi - lo + 1, bool)
            present[k] = True
            rank = np.cumsum(present) - 1
            return np.flatnonzero(present).astype(a.dtype) + lo, rank[k].astype(I64)
    order = np.argsort(a, kind="stable")
    s = a[order]
    if len(s) == 0:
        return s, np.zeros(0, I64)
    new = np.empty(len(s), bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    ids = np.empty(len(s), I64)
    ids[order] = np.cumsum(new) - 1
    return s[new], ids


def unique_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values sorted, how often each occurs)."""
    s = np.sort(np.asarray(a).ravel())
    if len(s) == 0:
        return s, np.zeros(0, I64)
    starts = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    return s[starts], np.diff(np.append(starts, len(s))).astype(I64)
