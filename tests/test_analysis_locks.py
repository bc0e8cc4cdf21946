"""ctx.lock_contention() on the planted lock capture (answers of upstream's engine) and on every shared capture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from planted import all_captures, answers, planted

import tracy_mcp
from tracy_mcp.analysis.lock_contention import LockContention
from tracy_mcp.errors import NotFoundError


@pytest.fixture(scope="module")
def ctx() -> tracy_mcp.Capture:
    return tracy_mcp.open_capture(planted("lock_contention.tracy"))


@pytest.fixture(scope="module")
def report(ctx: tracy_mcp.Capture) -> LockContention:
    return ctx.lock_contention()


def _col(table: Any, name: str) -> list[Any]:
    return list(np.asarray(table[name]))


def test_contended_lock_first_with_its_wait(report: LockContention) -> None:
    want = answers()["lock_contention"]["expected"]
    assert _col(report.table, "name")[0] == want["lock"]
    assert bool(_col(report.table, "contended")[0])
    assert _col(report.table, "acquisitions")[0] == want["lock_acquisitions"]
    # the same pairing as upstream's wait statistics (Wait -> the thread's next Obtain): equal to the ns
    facts = answers()["lock_contention"]["facts"]["get_lock_wait_stats"][want["lock"]]
    assert _col(report.table, "wait_ns")[0] == facts["total_wait_ns"]
    assert _col(report.table, "mean_wait_ns")[0] == pytest.approx(facts["avg_wait_ns"], abs=0.5)  # int64 ns
    # held: a hold ends at the next release or when another thread obtains the lock (within 6% of the reference,
    # which pairs releases by the thread upstream recorded for them)
    assert _col(report.table, "held_ns")[0] == pytest.approx(want["lock_total_hold_ms"] * 1e6, rel=0.06)
    title = report.summary().splitlines()[0]
    assert want["lock"] in title and "contended" in title and "2.45 s" in title


def test_busy_uncontended_lock_ranks_below_and_is_called_not_contended(report: LockContention) -> None:
    want = answers()["lock_contention"]["expected"]
    names = _col(report.table, "name")
    assert names == [want["lock"], want["uncontended_lock"]]
    assert not bool(_col(report.table, "contended")[1])
    assert _col(report.table, "blocked_ns")[1] == 0
    assert _col(report.table, "acquisitions")[1] == want["uncontended_acquisitions"]
    assert _col(report.table, "wait_ns")[1] == pytest.approx(want["uncontended_total_wait_ms"] * 1e6, rel=0.01)
    assert _col(report.table, "held_ns")[1] == pytest.approx(want["uncontended_total_hold_ms"] * 1e6, rel=0.01)
    line = next(x for x in report.summary().splitlines() if want["uncontended_lock"] in x)
    assert "NOT contended" in line and "CONTENDED" not in line.replace("NOT contended", "")


def test_per_thread_table_and_top_waiters(report: LockContention) -> None:
    want = answers()["lock_contention"]["expected"]
    th = report.tables["threads"]
    lock = np.asarray(th["lock"]) == want["lock"]
    names = list(np.asarray(th["thread"])[lock])
    waits = dict(zip(names, np.asarray(th["wait_ns"])[lock].tolist(), strict=True))
    acq = dict(zip(names, np.asarray(th["acquisitions"])[lock].tolist(), strict=True))
    for name, ms in want["per_thread_wait_ms"].items():
        assert waits[name] / 1e6 == pytest.approx(ms, abs=0.06)
        assert acq[name] == want["per_thread_acquisitions"][name]
    assert set(names[:2]) == set(want["top_waiters"])
    line = next(x for x in report.summary().splitlines() if "waiting most" in x)
    assert all(t in line for t in want["top_waiters"]) and "JobWorker 2" not in line


def test_zones_held_and_zones_waiting(report: LockContention) -> None:
    want = answers()["lock_contention"]["expected"]
    held = report.tables["held_zones"]
    top = np.asarray(held["lock"]) == want["lock"]
    assert np.asarray(held["name"])[top][0] == want["zone_held"]
    assert np.asarray(held["path"])[top][0].endswith(want["zone_held_parent_chain"] + " > " + want["zone_held"])
    assert np.asarray(held["zones"])[top][0] == pytest.approx(want["zone_held_count"], rel=0.01)
    assert np.asarray(held["mean_ns"])[top][0] / 1e3 == pytest.approx(want["zone_held_mean_us"], rel=0.02)
    waits = report.tables["wait_zones"]
    w = np.asarray(waits["lock"]) == want["lock"]
    assert np.asarray(waits["name"])[w][0] == want["outer_zone_including_wait"]
    assert np.asarray(waits["zone_total_ns"])[w][0] / np.asarray(waits["waits"])[w][0] / 1e3 == pytest.approx(
        want["outer_zone_mean_us"], rel=0.01
    )
    text = report.summary()
    assert f"runs while held: {want['zone_held']}" in text
    assert f"waits happen inside: {want['outer_zone_including_wait']}" in text


def test_wait_as_share_of_the_enclosing_job(ctx: tracy_mcp.Capture, report: LockContention) -> None:
    """The wait is about half of the zone it happens in but only a small part of the top-level job around it: the
    summary gives both, so 'the jobs are slow because of the lock' cannot be read into it."""
    want = answers()["lock_contention"]["expected"]
    roots = report.tables["wait_roots"]
    top = np.asarray(roots["lock"]) == want["lock"]
    job = want["zone_held_parent_chain"].split(" > ")[0]
    assert np.asarray(roots["path"])[top][0] == job
    jobs = ctx.zones(name=job)
    total = int(np.asarray(jobs["duration_ns"]).sum())
    assert np.asarray(roots["zone_total_ns"])[top][0] == pytest.approx(total, rel=0.01)
    wait = np.asarray(roots["wait_ns"])[top][0]
    assert 0.05 < wait / total < 0.12
    assert 0 < np.asarray(roots["zone_self_ns"])[top][0] < total
    share = f"{100 * wait / total:.0f}%"
    assert f"share of the whole job: the wait is {share} of the top-level zones it happens in ({job}:" in (
        report.summary()
    )


def test_summary_says_which_wait_to_quote(report: LockContention) -> None:
    """Total wait is the time lost (the figure to quote); it splits into time blocked by a holder and the hand-over
    while the lock was free, and the two parts add up to it."""
    text = report.summary()
    assert "threads lost 2.45 s waiting for it (total wait, the figure to quote)" in text.splitlines()[0]
    wait, blocked = _col(report.table, "wait_ns")[0], _col(report.table, "blocked_ns")[0]
    from tracy_mcp.analysis.formatting import fmt_ns

    assert f"of that wait: {fmt_ns(blocked)} while another thread held it" in text
    assert f"{fmt_ns(wait - blocked)} while it was free (handing over after a release" in text
    for k in ("wait_ns", "mean_wait_ns", "p99_wait_ns", "blocked_ns"):
        assert np.asarray(report.table[k]).dtype == np.int64, k


def test_summary_is_short(report: LockContention) -> None:
    text = report.summary()
    assert len(text.splitlines()) <= 40 and len(text) < 4000
    assert repr(report) == text


def test_filters(ctx: tracy_mcp.Capture) -> None:
    one = ctx.lock_contention("ResourceCache::m_mutex")
    assert _col(one.table, "name") == ["ResourceCache::m_mutex"]
    by_thread = ctx.lock_contention(thread="RenderThread")
    assert _col(by_thread.table, "name") == ["ResourceCache::m_mutex"]
    assert set(np.asarray(by_thread.tables["threads"]["thread"]).tolist()) == {"RenderThread"}
    span = ctx.get_last_time()
    halves = [ctx.lock_contention(start_ns=0, end_ns=span // 2), ctx.lock_contention(start_ns=span // 2)]
    total = ctx.lock_contention()
    acq = sum(
        int(_col(h.table, "acquisitions")[_col(h.table, "name").index("SceneGraph::m_nodeMutex")]) for h in halves
    )
    assert abs(acq - int(_col(total.table, "acquisitions")[0])) <= 1
    with pytest.raises(NotFoundError, match="no lock named"):
        ctx.lock_contention("no such lock")
    with pytest.raises(NotFoundError, match="no thread named"):
        ctx.lock_contention(thread="no such thread")


def test_shared_lock(shared_dir: Path) -> None:
    ctx = tracy_mcp.open_capture(shared_dir / "captures" / "clientapp-0.14.0.tracy")
    rep = ctx.lock_contention()
    types = dict(zip(_col(rep.table, "name"), _col(rep.table, "type"), strict=True))
    assert types["std::shared_mutex g_configMutex"] == "SharedLockable"
    row = _col(rep.table, "name").index("std::shared_mutex g_configMutex")
    # shared holders count: readers' holds (SharedRead zones) are part of the held time
    held = rep.tables["held_zones"]
    mine = np.asarray(held["lock"]) == "std::shared_mutex g_configMutex"
    assert "SharedRead" in set(np.asarray(held["name"])[mine].tolist())
    assert _col(rep.table, "acquisitions")[row] > 5000
    # the flag agrees with upstream's is_contended
    flags = {x.name: x.is_contended for x in ctx.get_locks()}
    for name, contended in zip(_col(rep.table, "name"), _col(rep.table, "contended"), strict=True):
        assert bool(contended) == flags[name]


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    ctx = tracy_mcp.open_capture(path)
    rep = ctx.lock_contention()
    text = rep.summary()
    assert 1 <= len(text.splitlines()) <= 41
    if ctx._db.rows("lock_events") == 0:
        declared = len(ctx.get_locks())
        assert ("never takes one" if declared else "none recorded") in text
        assert len(rep.table) == 0
    else:
        assert len(rep.table) > 0


def test_more_threads_than_cores_without_context_switches_is_a_caveat(
    ctx: tracy_mcp.Capture, report: LockContention
) -> None:
    """Six workers take the lock on a machine whose host info says 2 cores, and no context switches were recorded: a
    holder may have been switched out while holding it, which the report says beside its longest hold."""
    assert "CPU cores: 2" in ctx.get_host_info() and ctx.get_context_switch_count() == 0
    text = report.summary()
    assert "6 threads take it on a 2-core machine (host info) and no context switches were recorded" in text


def test_no_context_switches_says_why_when_the_log_does() -> None:
    """lock_contention: the 2-core note quotes the profiler's own message that system tracing was off."""
    with tracy_mcp.open_capture(planted("lock_contention.tracy")) as c:
        r = c.lock_contention("SceneGraph::m_nodeMutex")
        m = c.messages()
    said = m[m["text"].str.contains("Sys Trace was disabled")]["text"].iloc[0]
    assert any(f'record context switches to tell (the capture\'s log: "{said}")' in x for x in r.lines)
