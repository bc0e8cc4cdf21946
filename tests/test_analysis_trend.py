"""frame_trend: whether frame time or the work in a frame moves over the run, checked against the frames and zones
read through the plain accessors."""

from __future__ import annotations

import numpy as np
import pytest
from planted import all_captures, planted

from tracy_mcp import open_capture
from tracy_mcp.analysis.frame_trend import spearman


def test_steady_planted_runs_have_no_trend_and_no_culprit() -> None:
    """The planted problems do not build up over the run: each capture's frame time holds, and the report says so
    from its own figures (median frame per tenth of the gameplay frames)."""
    for name in ("slow_frames.tracy", "lock_contention.tracy", "thread_imbalance.tracy", "regression_b.tracy"):
        with open_capture(planted(name)) as c:
            r = c.frame_trend()
            f = c.frames()
        assert not r.drifting and r.culprit is None, name
        assert r.title.startswith("Frame time holds over the run"), name
        # the tenths are the gameplay frames split in order; their medians come from the frame table itself
        for row in r.table.itertuples():
            d = f["duration_ns"].to_numpy()[row.first_frame : row.last_frame + 1]
            assert row.median_ns == pytest.approx(np.median(d)), name
        assert r.ratio == pytest.approx(r.table["median_ns"].iloc[-1] / r.table["median_ns"].iloc[0])


def test_a_plot_that_climbs_through_the_run_is_named() -> None:
    """memory_leak's 'Live decals' plot counts the leaked decals: it only climbs."""
    with open_capture(planted("memory_leak.tracy")) as c:
        r = c.frame_trend()
        pts = c.plot_points("Live decals")
    p = r.tables["plots"].set_index("plot").loc["Live decals"]
    assert p["rho"] > 0.99 and p["last"] > p["first"]
    assert p["last"] <= pts["value"].max()
    assert "Plots that move with the run (median in the first tenth -> the last): Live decals" in r.summary()


def test_spearman_is_the_rank_correlation() -> None:
    x = np.arange(20)
    assert spearman(x, x**3) == pytest.approx(1.0)
    assert spearman(x, -x) == pytest.approx(-1.0)
    assert spearman(x, np.ones(20)) == 0.0
    # ties take their average rank
    y = np.array([1, 2, 2, 3], float)
    assert spearman(np.arange(4), y) == pytest.approx(np.corrcoef(np.arange(4), [0, 1.5, 1.5, 3])[0, 1])


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path) -> None:  # type: ignore[no-untyped-def]
    with open_capture(path) as c:
        r = c.frame_trend()
    assert r.title and len(r.summary()) < 4000
