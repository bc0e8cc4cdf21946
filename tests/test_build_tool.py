"""The analyses on a build tool's captures (tests/data/buildsys-*.tracy, see README.md there): no frame marks, 150
translation units compiled by four workers, then a link on the main thread. Expectations come from the plain
tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_the_build_ends_on_one_worker_and_the_report_names_its_last_job() -> None:
    """critical_tail: three workers run out of work while one compiles a generated file for the last ~1.4 s; the
    link waits for it. thread_report leads with that tail, the job, who waits, and what starting it first saves."""
    with open_capture(DATA / "buildsys-critical_tail.tracy") as c:
        report = c.thread_report()
        tu = c.zones(name="Compile::TranslationUnit")
        summary = c.summary()
    ends = tu.groupby("thread")["end_ns"].max().sort_values()
    lone, tail = ends.index[-1], int(ends.iloc[-1] - ends.iloc[-2])
    last = tu.loc[tu["duration_ns"].idxmax()]
    assert last["thread"] == lone and last["text"] == "gen/shader_tables.cpp"
    started = int((tu["start_ns"] <= last["start_ns"]).sum())
    assert report.title.startswith(f"Idle tail: for the last {fmt_ns(tail)} of the cc-worker pool's work")
    assert f"only {lone} works while the other 3 are idle" in report.title
    assert f"Compile::TranslationUnit 'gen/shader_tables.cpp' ({fmt_ns(last['duration_ns'])}, the longest" in (
        report.title
    )
    assert f"it started {started}th of {len(tu)}" in report.title
    assert "Build::WaitForCompiles (Main thread) ends" in report.title
    busy = tu["duration_ns"].sum() / (tu["end_ns"].max() - tu["start_ns"].min())
    assert f"a mean {busy:.2f} of its 4 threads" in report.title
    assert "Idle tail:" in summary.summary()


def test_one_worker_slower_than_the_others_is_named_with_what_it_does_more() -> None:
    """header_miss: one worker's header cache never hits, so it reads every header; its translation units are
    slower than everyone else's. slow_frames names the thread and the child zone that makes the difference."""
    with open_capture(DATA / "buildsys-header_miss.tracy") as c:
        res = c.slow_frames()
        tu = c.zones(name="Compile::TranslationUnit")
        reads = c.zones(name="FS::ReadFile")
        locks = c.lock_contention()
    med = tu.groupby("thread")["duration_ns"].median()
    slow = str(med.idxmax())
    assert slow == "cc-worker-2"
    others = tu[tu["thread"] != slow]["duration_ns"].median()
    assert f"Slower on one thread: the runs on {slow} take a median {fmt_ns(med[slow])} vs {fmt_ns(others)}" in (
        res.title
    )
    mine = int((reads["thread"] == slow).sum()) / int((tu["thread"] == slow).sum())
    assert f"the difference is FS::ReadFile: {mine:.1f} calls" in res.title
    # the header cache's few microseconds of blocking are no contention
    assert "header-cache is contended" not in locks.title


def test_a_batch_job_compares_its_counts_as_they_stand() -> None:
    """regress a/b: the same 150 units in both runs; B instantiates three times as many templates. A run that
    took longer must not read as fewer calls per second: the counts compare as they are."""
    with open_capture(DATA / "buildsys-regress_a.tracy") as a:
        cmp = a.compare(DATA / "buildsys-regress_b.tracy")
        na = len(a.zones(name="Sema::InstantiateTemplate"))
    text = cmp.summary()
    assert "the run took" in cmp.title and "on the same job" in cmp.title
    assert "Sema::InstantiateTemplate is called 3.00x as often (" in cmp.title
    assert f"({na} -> {3 * na} calls)" in cmp.title
    assert "per second" not in text
    assert "Called less often" not in text
    rows = cmp.table.set_index("name")
    assert np.isclose(rows.loc["Sema::InstantiateTemplate", "count_ratio"], 3.0)
