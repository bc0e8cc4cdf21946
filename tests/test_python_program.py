"""The analyses on a Python program's captures (tests/data/imgbatch-*.tracy, recorded from tracypy, a Tracy 0.13
client that makes a zone of every Python call; see README.md there): a thread pool of four workers, a writer
thread, the main thread waiting in concurrent.futures."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_python_capture_without_frame_marks_is_read_as_having_none() -> None:
    """The 0.13 client adds a short frame at its start, so the base set has three frames, the last spanning nearly
    all of the capture: no frames of the program's. The analyses use the program's named set ('image written') and
    the whole run, and Python's blocking calls (Condition.wait) are waits, not the busiest thread's work."""
    with open_capture(DATA / "imgbatch-gil_bound.tracy") as c:
        summary = c.summary().summary()
        report = c.thread_report()
        res = c.slow_frames()
    assert "no base frame marks; frame set 'image written'" in summary
    waits = report.tables["waits"]
    assert {"Main thread", "img-writer"} <= set(waits[waits["name"] == "Condition.wait"]["thread"])
    assert report.title.startswith("Busiest thread: imgworker-")
    assert res.culprit != "Condition.wait"


def test_a_function_replaced_by_a_slower_one_leads_the_comparison() -> None:
    """regress a/b: b calls resize_lanczos where a called resize_bilinear (same place, same calls, ~5x the time),
    and read_metadata for load_meta. No zone present in both regressed; the replacement is what got slower."""
    with open_capture(DATA / "imgbatch-regress_a.tracy") as a:
        cmp = a.compare(DATA / "imgbatch-regress_b.tracy")
    assert "most impact: resize_bilinear replaced by resize_lanczos at the same place (" in cmp.title
    line = next(x for x in cmp.lines if x.startswith("Replaced (only in A -> only in B at the same place"))
    assert "load_meta -> read_metadata" in line and "resize_bilinear -> resize_lanczos" in line
