"""Call-path ids for CPU zones: zones whose chains of zone names from their thread's root are equal share an id.

The engine numbers every zone's path per thread in one pass (``ctx._zone_paths()``, tracy_mcp.engine.zonepaths);
merging threads (or re-rooting at a zone name) then works on those paths, a few hundred, never on the zones:
`merge_paths` is that step, shared by `call_paths` (threads merged) and the call tree.
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
        # parents have smaller ids than their children
        par = self.parent.tolist()
        nm = self.name_idx.tolist()
        for p in range(n):
            q = par[p]
            out[p] = self.names[nm[p]] if q < 0 else out[q] + sep + self.names[nm[p]]
        if ids is None:
            return out
        return [out[int(i)] for i in np.asarray(ids).tolist()]


@attrs.frozen
class MergedPaths:
    """The result of `merge_paths`: `new_id` per input path (-1: dropped), and per merged path its parent, label,
    thread (-1 when threads are merged) and depth. A merged parent's id is below its children's."""

    new_id: np.ndarray
    parent: np.ndarray
    label: np.ndarray
    thread: np.ndarray
    depth: np.ndarray


def merge_paths(
    parent: np.ndarray,
    label: np.ndarray,
    owner: np.ndarray,
    *,
    per_thread: bool,
    root_labels: set[int] | None = None,
) -> MergedPaths:
    """Merge per-thread paths (a parent before its children) into one tree: threads kept apart or merged, and with
    `root_labels` re-rooted at the outermost zone with one of those labels (paths outside one are dropped)."""
    new_id = np.full(len(parent), -1, I64)
    index: dict[tuple[int, int, int], int] = {}
    out_parent: list[int] = []
    out_label: list[int] = []
    out_thread: list[int] = []
    out_depth: list[int] = []
    for p, (q, lab, own) in enumerate(zip(parent.tolist(), label.tolist(), owner.tolist(), strict=True)):
        if q >= 0 and new_id[q] >= 0:  # inside the tree: a child of the parent's merged path
            key = (int(new_id[q]), lab, -1)
        elif root_labels is None or lab in root_labels:  # a root: top-level zone, or outermost zone of the name
            key = (-1, lab, own if per_thread else -1)
        else:
            continue
        nid = index.get(key)
        if nid is None:
            nid = index[key] = len(out_parent)
            out_parent.append(key[0])
            out_label.append(lab)
            out_thread.append(own if per_thread else -1)
            out_depth.append(0 if key[0] < 0 else out_depth[key[0]] + 1)
        new_id[p] = nid

    def arr(v: list[int]) -> np.ndarray:
        return np.asarray(v, I64)

    return MergedPaths(new_id, arr(out_parent), arr(out_label), arr(out_thread), arr(out_depth))


def call_paths(ctx: Capture) -> CallPaths:
    """The call-path index of the capture's CPU zones, threads merged (built once per capture and cached)."""

    def build() -> CallPaths:
        zp = ctx._zone_paths()
        names = [*ctx._srclocs().names, UNKNOWN_NAME]
        label = np.where(zp.label >= 0, zp.label, len(names) - 1)
        m = merge_paths(zp.parent, label, zp.owner, per_thread=False)
        return CallPaths(m.new_id[zp.row_path], m.parent, m.label, m.depth, names)

    return ctx._db.cached("call_paths", build)
