"""A frame bound by its present call, and a one-off that got far slower (tests/data/presentbound-gpubound.tracy,
freestorm-regress_*.tracy, see README.md there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_a_frame_blocked_in_present_off_any_display_interval_is_called_gpu_bound() -> None:
    with open_capture(DATA / "presentbound-gpubound.tracy") as c:
        s = c.summary()
        frames = c.frames(as_frame=True)
        present = c.zones(name="Render::Present", as_frame=True)
    body = frames["duration_ns"].to_numpy()[1:-1]
    median = float(np.median(body))
    per_frame = present["self_ns"].sum() / len(body)
    assert per_frame > 0.5 * median  # the tables: most of each ~24 ms frame is in the present call
    line = s.findings[0][1]
    assert line.startswith("The frames wait in Render::Present (Main thread): ")
    assert "a present that blocks is the GPU or the driver behind" in line and "not by the CPU's" in line


def test_a_vsynced_present_is_no_gpu_bound_frame() -> None:
    """60 Hz frames whose present ends on the display interval: the pacer, not the GPU."""
    with open_capture(DATA / "vsyncmiss-drops.tracy") as c:
        s = c.summary()
    assert not any("The frames wait in" in text for _, text in s.findings)


def test_a_one_off_that_got_far_slower_leads_over_a_small_regression() -> None:
    """B's level unload frees 100,000 objects one by one: one 291 ms frame, where A's unload took 28 ms; a 1.13x
    audio mix is the only zone the tests can rank."""
    a_path, b_path = DATA / "freestorm-regress_a.tracy", DATA / "freestorm-regress_b.tracy"
    with open_capture(a_path) as a, open_capture(b_path) as b:
        cmp = a.compare(b)
        unload_a = a.zones(name="Level::Unload", as_frame=True)["duration_ns"]
        unload_b = b.zones(name="Level::Unload", as_frame=True)["duration_ns"]
        frees_b = b.memory_events(as_frame=True)
    assert len(unload_a) == len(unload_b) == 1
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith(
        f"most impact, run too rarely to test: Level::Unload {fmt_ns(unload_a.iloc[0])} -> {fmt_ns(unload_b.iloc[0])}"
    )
    assert "World::DestroyEntities" in lead.split("; beside it:")[0]
    assert "B's longest gameplay frame" in lead
    assert len(frees_b) > 100_000
