"""Call-path ids for CPU zones: zones whose chains of zone names from their thread's root are equal share an id.

Built level by level over the zone depth (a parent's path id is known before its children's), with a dense lookup
instead of a sort per level while the (parent path, name) space is small. Threads are merged: the same chain of
names on two threads is one path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
UNKNOWN_NAME = "?"  # zones whose source location the capture does not know


@attrs.frozen
class CallPaths:
    path_of_row: np.ndarray  # int64 path id per zone row
    parent: np.ndarray  # int64 parent path id per path (-1 for roots)
    name_idx: np.ndarray  # int64 index into `names` per path
    depth: np.ndarray  # int64 depth per path (0 for roots)
    names: list[str]  # zone names by name index (last: UNKNOWN_NAME)

    def __len__(self) -> int:
        return len(self.parent)

    def strings(self, ids: np.ndarray | None = None, sep: str = " > ") -> list[str]:
        """The paths as text, root first ("Game::Tick > Renderer::Draw"); all paths when `ids` is None."""
        n = len(self.parent)
        out: list[str] = [""] * n
        # parents have smaller ids than their children (they were numbered on an earlier level)
        par = self.parent.tolist()
        nm = self.name_idx.tolist()
        for p in range(n):
            q = par[p]
            out[p] = self.names[nm[p]] if q < 0 else out[q] + sep + self.names[nm[p]]
        if ids is None:
            return out
        return [out[int(i)] for i in np.asarray(ids).tolist()]


def call_paths(ctx: Capture) -> CallPaths:
    """The call-path index of the capture's CPU zones (built once per capture and cached)."""

    def build() -> CallPaths:
        t = ctx._cpu()
        sl = ctx._srclocs()
        nnames = len(sl.names) + 1
        name_of = np.append(sl.name_idx, len(sl.names)).astype(I64)
        nm = name_of[np.where(t.known_srcloc, t.srcloc, len(sl.name_idx))]
        path = np.full(t.n, -1, I64)
        parents: list[np.ndarray] = []
        names: list[np.ndarray] = []
        depths: list[np.ndarray] = []
        npaths = 0
        depth = t.depth
        order = np.argsort(depth, kind="stable")
        counts = np.bincount(depth) if t.n else np.zeros(0, I64)
        off = np.concatenate([[0], np.cumsum(counts)])
        for d in range(len(counts)):
            rows = order[off[d] : off[d + 1]]
            if len(rows) == 0:
                continue
            pp = path[t.parent[rows]] if d > 0 else np.full(len(rows), -1, I64)
            code = (pp + 1) * nnames + nm[rows]
            space = (npaths + 1) * nnames
            if space <= 1 << 24:  # dense lookup: no sort of the level's codes
                present = np.zeros(space, bool)
                present[code] = True
                u = np.flatnonzero(present)
                inv = (np.cumsum(present) - 1)[code]
            else:
                u, inv = np.unique(code, return_inverse=True)
            path[rows] = npaths + inv
            parents.append(u // nnames - 1)
            names.append(u % nnames)
            depths.append(np.full(len(u), d, I64))
            npaths += len(u)

        def cat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, I64)

        return CallPaths(path, cat(parents), cat(names), cat(depths), [*sl.names, UNKNOWN_NAME])

    return ctx._db.cached("call_paths", build)
