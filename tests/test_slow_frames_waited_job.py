"""Hitches the main thread only waits through (tests/data/chunkwait-walk.tracy, README.md there): the job it waits
for runs a step it does not run otherwise, and that step is named inside it."""

from __future__ import annotations

from pathlib import Path

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
