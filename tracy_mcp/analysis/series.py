"""compare_series(captures): runs of one program in order (nightly builds, a bisection) compared step by step: the
frame time per capture, and each step that moved beyond noise with what moved it. A question about a week of
nightly captures ("did it change, and when?") is this, not one comparison."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.compare import compare
from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.frame_phases import frame_phases
from tracy_mcp.analysis.rank_test import mann_whitney
from tracy_mcp.analysis.report import Report, frame

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

STEP_MOVED = 0.02  # a median frame that moved by this share (and beyond noise) is a step
MOVING_KINDS = ("regressed", "improved", "more calls", "fewer calls", "new", "gone")


def _frames(c: Capture) -> np.ndarray:
    ph = frame_phases(c)
    return np.zeros(0, np.int64) if ph is None else ph.dur[ph.gameplay].astype(np.int64)


def _label(c: Capture) -> str:
    return os.path.basename(c.path) if c.path else c.get_capture_name()


def _what_moved(title: str) -> str:
    """The comparison's finding without its "B (...) vs A (...): " lead."""
    head, sep, rest = title.partition("): ")
    return rest if sep and head.startswith("B (") else title


def compare_series(
    caps: Sequence[Capture], *, labels: Sequence[str] | None = None, min_change: float = 0.05, alpha: float = 1e-3
) -> Report:
    """Captures of one program in order (oldest first): per capture its gameplay frame times (`table`), and per
    step (each capture against the one before) whether the frame time moved beyond noise and what the comparison
    names for it; `tables["steps"]` has one row per step. A step moved when its frame medians differ by at least
    2% and a rank test says beyond noise (alpha)."""
    if len(caps) < 2:
        raise ValueError("compare_series needs at least two captures, in order")
    names = list(labels) if labels is not None else [_label(c) for c in caps]
    durs = [_frames(c) for c in caps]
    med = [float(np.median(d)) if len(d) else float("nan") for d in durs]
    rows: list[dict[str, object]] = []
    lines: list[str] = []
    moved_steps: list[str] = []
    for i in range(1, len(caps)):
        cmp = compare(caps[i - 1], caps[i], min_change=min_change, alpha=alpha)
        a, b = durs[i - 1], durs[i]
        p = mann_whitney(a, b)[0] if len(a) and len(b) else 1.0
        change = med[i] / med[i - 1] - 1 if med[i - 1] > 0 else 0.0
        moved = bool(p < alpha and abs(change) >= STEP_MOVED)
        kinds = cmp.table["kind"].astype(str).to_numpy() if len(cmp.table) else np.zeros(0, str)
        zones = int(np.isin(kinds, MOVING_KINDS).sum())
        what = _what_moved(cmp.title)
        step = f"{names[i - 1]} -> {names[i]}"
        if moved:
            delta = f"{'+' if change >= 0 else '-'}{fmt_ns(abs(med[i] - med[i - 1]))} ({change:+.1%})"
            moved_steps.append(f"{step} {delta}")
            lines.append(f"{step}: {what}")
        else:
            held = f"frame time within noise (median {fmt_ns(med[i - 1])} -> {fmt_ns(med[i])}, p={p:.2g})"
            # zones can move while the frame holds (a frame cap absorbs it): then say what the comparison found
            lines.append(f"{step}: {held}" + (f"; {what}" if "regressed;" in what or " as often" in what else ""))
        rows.append(
            {
                "step": step,
                "median_a_ns": med[i - 1],
                "median_b_ns": med[i],
                "change": change,
                "p": p,
                "moved": moved,
                "zones_changed": zones,
                "finding": what,
            }
        )
    if len(caps) > 2:
        overall = compare(caps[0], caps[-1], min_change=min_change, alpha=alpha)
        lines.append(f"First to last ({names[0]} -> {names[-1]}): {_what_moved(overall.title)}")
    trail = " -> ".join(fmt_ns(m) for m in med)
    title = f"{len(caps)} captures in order, median gameplay frame {trail}: " + (
        f"{len(moved_steps)} step(s) beyond noise: " + "; ".join(moved_steps) + " (below: what moved each)."
        if moved_steps
        else "no step moved the frame time beyond noise."
    )
    res = Report(title=title, lines=lines)
    res.table = frame(
        {
            "capture": names,
            "frames": [len(d) for d in durs],
            "median_ns": med,
            "p90_ns": [float(np.percentile(d, 90)) if len(d) else float("nan") for d in durs],
            "max_ns": [float(d.max()) if len(d) else float("nan") for d in durs],
        }
    )
    res.tables["steps"] = frame({k: [r[k] for r in rows] for k in rows[0]})
    return res


def compare_series_of(
    items: Sequence[Capture | str | os.PathLike[str]], *, min_change: float = 0.05, alpha: float = 1e-3
) -> Report:
    """compare_series() for captures or .tracy paths, in order (paths are opened, compared and closed)."""
    from tracy_mcp.analysis.capture import Capture, open_capture

    opened: list[Capture] = []
    try:
        caps = []
        for x in items:
            if isinstance(x, Capture):
                caps.append(x)
            else:
                opened.append(open_capture(x))
                caps.append(opened[-1])
        return compare_series(caps, min_change=min_change, alpha=alpha)
    finally:
        for c in opened:
            c.close()
