"""Hitches the main thread only waits through (tests/data/chunkwait-walk.tracy, README.md there): the job it waits
for runs a step it does not run otherwise, and that step is named inside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_the_step_inside_the_waited_for_job_is_named() -> None:
    with open_capture(DATA / "chunkwait-walk.tracy") as c:
        res = c.slow_frames()
        gen = c.zones(name="Terrain::GenerateChunk")
        frames = c.frames()
    k = frames["start_ns"].searchsorted(gen["start_ns"], side="right") - 1
    assert sorted(k.tolist()) == [64, 148, 231, 315, 357, 398]  # the plain tables: it runs in these frames only
    assert res.title.startswith("6 slow frame(s) of 421 gameplay frames")
    assert "culprit ChunkJob::Execute (ChunkWorker 1)" in res.title
    assert "(inside it: Terrain::GenerateChunk 26.05 ms..34.18 ms in those runs, absent from its other runs)" in (
        res.title
    )
    assert "Jobs::WaitChunks (Main thread) waits for it there" in res.title
    assert not any("runs beside the frame loop" in x and "(ChunkWorker 1)" in x for x in res.lines)


def test_a_wait_whose_work_took_its_usual_time_is_not_that_works_fault() -> None:
    """mixbus-regress_b: UI::DrawSpectrum only waits for the audio callback, but the callback took its usual time
    in the slow frames (the main thread waited for a core instead): the callback is no culprit."""
    with open_capture(DATA / "mixbus-regress_b.tracy") as c:
        r = c.slow_frames()
        cb = c.zones(name="Audio::Callback")
        t = r.table
        d, s = cb["duration_ns"].to_numpy(), cb["start_ns"].to_numpy()
        lo, hi = t["start_ns"].to_numpy(), (t["start_ns"] + t["duration_ns"]).to_numpy()
        inside = np.zeros(len(s), bool)
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            inside |= (s >= a) & (s < b)
    assert inside.any() and np.median(d[inside]) < 1.1 * np.median(d)  # the callback took its usual time there
    assert r.culprit == "UI::DrawSpectrum" and "Audio::Callback" not in r.title
    assert "100.0% of their excess is other load taking its CPU, not its own work growing" in r.title
