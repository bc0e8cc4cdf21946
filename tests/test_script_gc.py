"""The analyses on a game whose script VM collects garbage without a zone (tests/data/scriptgc-*.tracy, see
README.md there): the collection shows only as Script::Update's own time and as a drop of the "Script heap (MB)"
plot; in regress_b the scripts make more garbage, so the same hitch comes about 3.5x as often."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"
HEAP = "Script heap (MB)"


def _heap(c):  # noqa: ANN001, ANN202 - a Capture; (times, values) of the heap plot
    p = c.plot_points(as_frame=True)
    h = p[p["plot"] == HEAP].sort_values("time_ns")
    return h["time_ns"].to_numpy(), h["value"].to_numpy()


def test_an_uninstrumented_collection_is_the_zones_own_time() -> None:
    """gc_hitch: three hitches, each Script::Update's own time (15-17 ms against 0.3 ms), each at a heap drop."""
    with open_capture(DATA / "scriptgc-gc_hitch.tracy") as c:
        r = c.slow_frames()
        t, v = _heap(c)
    drops = t[1:][np.diff(v) < -10]
    assert r.culprit == "Script::Update" and len(r.table) == len(drops) == 3
    starts = r.table["start_ns"].to_numpy()
    ends = starts + r.table["duration_ns"].to_numpy()
    assert all(((starts <= d) & (d <= ends)).any() for d in drops)  # each drop inside a slow frame


def test_a_hitch_that_comes_more_often_leads_the_comparison() -> None:
    """regress a/b: the collection costs the same in both; B's heap climbs about 3.5x faster, so B collects (and
    hitches) about 3.5x as often. No zone's time per call explains that."""
    with open_capture(DATA / "scriptgc-regress_a.tracy") as a, open_capture(DATA / "scriptgc-regress_b.tracy") as b:
        cmp = a.compare(b)
        na, nb = len(a.slow_frames().table), len(b.slow_frames().table)
        (ta, va), (tb, vb) = _heap(a), _heap(b)
    assert nb >= 3 * na >= 9
    assert cmp.title.startswith(
        f"B (scriptgc-regress_b.tracy) vs A (scriptgc-regress_a.tracy): B hitches more often: {nb} "
    )
    assert f", vs {na} in A, every " in cmp.title
    assert "in both from Script::Update (Main thread)" in cmp.title and "the same hitch, more often" in cmp.title

    def climb(t: np.ndarray, v: np.ndarray) -> float:
        d = np.diff(v)
        return float(d[d > 0].sum()) / ((t[-1] - t[0]) / 1e9)

    plots = next(x for x in cmp.lines if x.strip().startswith("plots "))
    assert f"'{HEAP}' climbs {climb(ta, va):.4g} -> {climb(tb, vb):.4g} per second" in plots
    assert f"falls at once {int((np.diff(va) < -10).sum())} -> {int((np.diff(vb) < -10).sum())} times" in plots
