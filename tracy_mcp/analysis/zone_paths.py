"""Call paths of the zones an analysis points at ("Game::Tick > Renderer::Draw > ..."), grouped so that zones with
equal chains of names from their thread's top-level zone share one path."""

from __future__ import annotations

import numpy as np

from tracy_mcp.analysis.grouping import group_ids, unique
from tracy_mcp.engine.srclocs import SrclocTable
from tracy_mcp.engine.zonetree import ZoneTree

I64 = np.int64
SEP = " > "


def path_groups(tree: ZoneTree, sl: SrclocTable, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(path index per row, the distinct paths as text). Rows < 0 (no zone) get index -1. Work is proportional to
    the distinct zones among `rows` and their ancestors."""
    rows = np.asarray(rows, dtype=I64)
    out = np.full(len(rows), -1, I64)
    valid = rows >= 0
    if not valid.any():
        return out, []
    nlabel = len(sl.names) + 1
    label = np.append(sl.name_idx, len(sl.names)).astype(I64)
    # the zones and all their ancestors, sorted (a parent's row precedes its children's)
    parts = [unique(rows[valid])]
    cur = parts[0]
    while len(cur):
        cur = tree.parent[cur].astype(I64)
        cur = unique(cur[cur >= 0])
        parts.append(cur)
    zones = unique(np.concatenate(parts))
    parent_pos = np.searchsorted(zones, tree.parent[zones])  # valid where the zone has a parent
    depth = tree.depth[zones].astype(I64)
    lab = label[np.minimum(tree.srcloc[zones].astype(I64), len(sl.name_idx))]
    pid = np.full(len(zones), -1, I64)
    path_parent: list[np.ndarray] = []
    path_label: list[np.ndarray] = []
    n = 0
    order = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(int(depth.max()) + 2))
    for d in range(len(bounds) - 1):
        idx = order[bounds[d] : bounds[d + 1]]
        if len(idx) == 0:
            continue
        up = pid[parent_pos[idx]] if d > 0 else np.full(len(idx), -1, I64)
        key = (up + 1) * nlabel + lab[idx]
        uk, inv = group_ids(key)
        pid[idx] = inv.ravel() + n
        path_parent.append(uk // nlabel - 1)
        path_label.append(uk % nlabel)
        n += len(uk)
    parents = np.concatenate(path_parent).tolist()
    labels = np.concatenate(path_label).tolist()
    names = [*sl.names, "?"]
    text: list[str] = []
    for p, lb in zip(parents, labels, strict=True):  # one entry per distinct path, parents first
        text.append(names[lb] if p < 0 else text[p] + SEP + names[lb])
    # number the paths that the rows use 0..k-1
    used, remap = group_ids(pid[np.searchsorted(zones, rows[valid])])
    out[valid] = remap.ravel()
    return out, [text[u] for u in used.tolist()]


def leaf(path: str) -> str:
    """The innermost name of a path."""
    return path.rsplit(SEP, 1)[-1]
