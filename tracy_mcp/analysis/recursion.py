"""Recursion merged in call paths: "worker > fib > fib > fib" and "worker > fib" are one path, "worker > fib
(recursive)", so a recursive function's self time is one figure instead of one per depth. A repeat is a run of
the same name, or of the same cycle of up to MAX_CYCLE names (mutual recursion, "tree_sum > <genexpr> > tree_sum >
<genexpr>")."""

from __future__ import annotations

import numpy as np

MAX_CYCLE = 3  # longest cycle of names recognised as one recursion
MARK = " (recursive)"


def collapse(parts: list[str]) -> tuple[list[str], list[bool]]:
    """The names of a path with repeated runs kept once, and per name kept whether it stands for a repeated run."""
    out: list[str] = []
    recursive: list[bool] = []
    for p in parts:
        out.append(p)
        recursive.append(False)
        repeated = True
        while repeated:
            repeated = False
            for n in range(1, MAX_CYCLE + 1):
                if len(out) >= 2 * n and out[-n:] == out[-2 * n : -n]:
                    del out[-n:], recursive[-n:]
                    recursive[-n:] = [True] * n
                    repeated = True
                    break
    return out, recursive


def merge_recursion(cols: dict[str, np.ndarray], sep: str) -> dict[str, np.ndarray]:
    """Call-path rows (id, path, thread_id, thread, count, self_ns, total_ns, mean_ns, max_ns) with the paths that
    differ only by recursion depth merged: calls and self time summed; total, mean and max are the outermost
    path's (its calls include the deeper ones) when the zone itself recurses (`nested`), else over all its calls;
    `id` is the outermost path's; `levels` = paths merged (1: none)."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    marks: dict[tuple[int, tuple[str, ...]], list[bool]] = {}
    for i in range(len(cols["path"])):
        names, recursive = collapse(str(cols["path"][i]).split(sep))
        key = (int(cols["thread_id"][i]), tuple(names))
        groups.setdefault(key, []).append(i)
        seen = marks.setdefault(key, [False] * len(names))
        marks[key] = [a or b for a, b in zip(seen, recursive, strict=True)]
    keys = list(groups)
    outer = np.asarray([min(groups[k], key=lambda i: str(cols["path"][i]).count(sep)) for k in keys], np.intp)
    kept = ("id", "thread_id", "thread", "busiest", "busiest_share", "total_ns", "mean_ns", "max_ns")
    out = {name: cols[name][outer] for name in kept if name in cols}
    out["path"] = np.asarray(
        [sep.join(n + MARK if r else n for n, r in zip(k[1], marks[k], strict=True)) for k in keys], dtype=object
    )
    for name in ("count", "self_ns"):
        out[name] = np.asarray([cols[name][groups[k]].sum() for k in keys], dtype=cols[name].dtype)
    if "self_cpu_ns" in cols:  # -1 (unknown) when any merged path has no CPU time
        cpu = cols["self_cpu_ns"]
        out["self_cpu_ns"] = np.asarray(
            [-1 if (cpu[groups[k]] < 0).any() else cpu[groups[k]].sum() for k in keys], dtype=np.int64
        )
    out["levels"] = np.asarray([len(groups[k]) for k in keys], np.int64)
    # a zone below the recursion that does not recurse itself: its calls at each depth are apart, not nested, so
    # its total, mean and max are over all of them
    out["nested"] = np.asarray([marks[k][-1] for k in keys], bool)
    for j, k in enumerate(keys):
        if len(groups[k]) > 1 and not out["nested"][j]:
            g = groups[k]
            out["total_ns"][j] = cols["total_ns"][g].sum()
            out["max_ns"][j] = cols["max_ns"][g].max()
            out["mean_ns"][j] = out["total_ns"][j] / max(int(out["count"][j]), 1)
    return out
