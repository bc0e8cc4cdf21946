"""Context-switch records as the analyses read them, recomputed in pandas for the tests: a run ends no later than
the next run on its CPU begins (a CPU runs one thread at a time; see tracy_mcp.analysis.cpu_runs)."""

from __future__ import annotations

from typing import Any

import numpy as np


def runs_cut_per_cpu(cs: Any, last_ns: int) -> Any:
    """ctx.context_switches() with `end_ns` cut at the next start on the same CPU (open runs end at `last_ns`)."""
    out = cs.copy()
    out["end_ns"] = np.where(out["end_ns"] < 0, last_ns, out["end_ns"])
    out = out.sort_values(["cpu", "start_ns"], kind="stable")
    nxt = out.groupby("cpu")["start_ns"].shift(-1)
    out["end_ns"] = np.where(
        nxt.notna(), np.minimum(out["end_ns"], np.maximum(nxt.fillna(0), out["start_ns"])), out["end_ns"]
    )
    return out.sort_index()
