"""Lock timelines as per-acquisition arrays (prototype)."""

from __future__ import annotations

import attrs
import numpy as np

WAIT, OBTAIN, RELEASE, WAIT_SHARED, OBTAIN_SHARED, RELEASE_SHARED = range(6)
I64 = np.int64


@attrs.frozen
class Acquisitions:
    """One row per Obtain / ObtainShared event of one lock."""

    thread: np.ndarray  # index into the lock's thread list
    time: np.ndarray  # obtained at (ns)
    shared: np.ndarray  # bool
    wait_start: np.ndarray  # the thread's Wait before it (== time when there was none)
    hold_end: np.ndarray  # when the thread stopped holding it
    nested: np.ndarray  # bool: a recursive re-acquisition by the holder (no hold of its own)

    @property
    def wait(self) -> np.ndarray:
        return self.time - self.wait_start

    @property
    def hold(self) -> np.ndarray:
        return np.where(self.nested, 0, self.hold_end - self.time)


def _next_at_or_after(positions: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Index into sorted `positions` of the first entry > each `after` (len(positions) when none)."""
    return np.searchsorted(positions, after, side="right")


def acquisitions(times: np.ndarray, threads: np.ndarray, types: np.ndarray, end_time: int) -> Acquisitions:
    t = times.astype(I64, copy=False)
    th = threads.astype(I64, copy=False)
    n = len(t)
    is_ob = types == OBTAIN
    is_obs = types == OBTAIN_SHARED
    acq = np.nonzero(is_ob | is_obs)[0]
    far = np.iinfo(I64).max

    def time_at(pos: np.ndarray, k: np.ndarray) -> np.ndarray:
        ok = k < len(pos)
        out = np.full(len(k), far, I64)
        out[ok] = t[pos[k[ok]]]
        return out

    # -- waits: each thread's pending Wait(Shared) before its next Obtain(Shared)
    wait_start = t[acq].copy()
    sel = np.nonzero(is_ob | is_obs | (types == WAIT) | (types == WAIT_SHARED))[0]
    if len(sel) > 1:
        order = sel[np.argsort(th[sel], kind="stable")]
        is_w = (types[order] == WAIT) | (types[order] == WAIT_SHARED)
        same = th[order][1:] == th[order][:-1]
        pair = same & is_w[:-1] & ~is_w[1:]
        obtain_rows = order[1:][pair]
        wait_rows = order[:-1][pair]
        k = np.searchsorted(acq, obtain_rows)
        wait_start[k] = t[wait_rows]

    # -- exclusive holds: a hold ends at the next Release, or when another thread obtains the lock (the Release
    # event carries no thread and its time is taken after the unlock, so it may come after the next owner's Obtain)
    ex = np.nonzero(is_ob)[0]
    rel = np.nonzero(types == RELEASE)[0]
    hold_end = np.full(len(acq), far, I64)
    nested = np.zeros(len(acq), bool)
    if len(ex):
        ex_th = th[ex]
        run_start = np.concatenate([[True], ex_th[1:] != ex_th[:-1]])
        run_id = np.cumsum(run_start) - 1
        run_first = np.nonzero(run_start)[0]
        nxt_other = np.append(run_first, len(ex))[run_id + 1]  # first later obtain by another thread
        end_other = time_at(ex, nxt_other)
        end_rel = time_at(rel, _next_at_or_after(rel, ex))
        # recursion: the same thread obtains again with no release in between
        prev_same = ~run_start
        no_rel_between = np.zeros(len(ex), bool)
        if len(ex) > 1:
            k_prev = _next_at_or_after(rel, ex[:-1])  # first release after the previous obtain
            rel_pos = np.append(rel, n)[k_prev]
            no_rel_between[1:] = rel_pos > ex[1:]
        k = np.searchsorted(acq, ex)
        hold_end[k] = np.minimum(end_other, end_rel)
        nested[k] = prev_same & no_rel_between
        paired = _in_turn(t[ex], t[rel]) if not nested[k].any() else None
        if paired is not None:
            hold_end[k] = paired
    # -- shared holds: the thread's next ReleaseShared (which does carry the thread), or an exclusive Obtain
    shr = np.nonzero(is_obs)[0]
    if len(shr):
        rs = np.nonzero(types == RELEASE_SHARED)[0]
        end = np.full(len(shr), far, I64)
        if len(rs):
            key_r = th[rs] * (n + 1) + rs
            order = np.argsort(key_r)
            key_r = key_r[order]
            rs = rs[order]
            k = np.searchsorted(key_r, th[shr] * (n + 1) + shr, side="right")
            ok = k < len(rs)
            ok[ok] &= th[rs[k[ok]]] == th[shr[ok]]
            end[ok] = t[rs[k[ok]]]
        end = np.minimum(end, time_at(ex, _next_at_or_after(ex, shr)))
        hold_end[np.searchsorted(acq, shr)] = end
    hold_end = np.minimum(hold_end, max(int(end_time), int(t.max()) if n else 0))
    hold_end = np.maximum(hold_end, t[acq])
    return Acquisitions(th[acq], t[acq], is_obs[acq], wait_start, hold_end, nested)


IN_TURN_SLIPS = 2  # Releases out of turn that still let the i-th Release end the i-th hold...
IN_TURN_SLIP_SHARE = 0.001  # ...or this share of the holds, when more


def _in_turn(obtained: np.ndarray, released: np.ndarray) -> np.ndarray | None:
    """Hold ends of a lock nobody re-acquires recursively: the i-th Release ends the i-th hold. A Release carries
    no thread and is stamped after the unlock, so the next owner's Obtain can come before it: the Release right
    after another thread's Obtain is often the previous owner's. None when the pairing does not hold together
    (Releases before their Obtain, or two holds open at once beyond that race); then the caller's rule stands."""
    rel = released[np.searchsorted(released, obtained[0], "left") :] if len(obtained) else released
    n = min(len(obtained), len(rel))
    if n == 0 or len(rel) > len(obtained):
        return None
    # a Release stamped more than a hold late (its thread preempted after the unlock) happens now and then on a
    # busy machine: a few of those keep the pairing, each hold cut at the next Obtain
    odd = int(np.sum(rel[:n] < obtained[:n])) + int(np.sum(rel[: n - 2] > obtained[2:n]))
    if odd > max(IN_TURN_SLIPS, IN_TURN_SLIP_SHARE * n):
        return None
    far = np.iinfo(I64).max
    ends = np.concatenate([rel[:n], np.full(len(obtained) - n, far, I64)])
    ends[:-1] = np.minimum(ends[:-1], obtained[1:])
    return ends


def union(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint, sorted union of intervals [start, end)."""
    keep = ends > starts
    s, e = starts[keep], ends[keep]
    if len(s) == 0:
        return s.astype(I64), e.astype(I64)
    o = np.argsort(s, kind="stable")
    s, e = s[o], e[o]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), bool)
    new[1:] = s[1:] > reach[:-1]
    first = np.nonzero(new)[0]
    return s[first], np.maximum.reduceat(e, first)


def covered(starts: np.ndarray, ends: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Length of [a, b) covered by disjoint sorted intervals."""
    if len(starts) == 0:
        return np.zeros(len(a), I64)
    cum = np.concatenate([[0], np.cumsum(ends - starts)])

    def before(x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(starts, x, side="right")
        j = np.maximum(k - 1, 0)
        part = np.clip(x - starts[j], 0, ends[j] - starts[j])
        return np.where(k > 0, cum[j] + part, 0)

    return np.maximum(before(b) - before(a), 0)


def intersect(
    a_start: np.ndarray, a_end: np.ndarray, b_start: np.ndarray, b_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The intervals covered by both of two disjoint, sorted interval lists."""
    t = np.concatenate([a_start, a_end, b_start, b_end]).astype(I64)
    step = np.concatenate(
        [np.ones(len(a_start), I64), -np.ones(len(a_end), I64), np.ones(len(b_start), I64), -np.ones(len(b_end), I64)]
    )
    o = np.lexsort((step, t))  # at one time, an end before a start: touching intervals do not overlap
    t, depth = t[o], np.cumsum(step[o])
    both = np.flatnonzero(depth[:-1] == 2)
    return t[both], t[both + 1]
