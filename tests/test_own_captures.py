"""Upstream's answers on a capture we recorded ourselves (tests/data/discardpool-0.14.0.tracy, see README.md there),
for the two cases where reproducing upstream takes more than reading the file: the memory plot of a pool across a
TracyMemoryDiscard, and the internal thread index upstream reports for CPU samples. The expected values come from
upstream's source (and, for the plot, from upstream's own sort library run over these events)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from engine_craft import lz4_available, make_capture, read_lz4_payload, without_compressed_threads

from tracy_mcp import open_capture
from tracy_mcp.analysis.capture import Capture

DISCARDPOOL = Path(__file__).parent / "data" / "discardpool-0.14.0.tracy"


def _symbol(ctx: Capture, name: str) -> int:
    return next(s["addr"] for s in ctx.get_symbol_stats() if s.get("name") == name)


def _sample_threads(ctx: Capture) -> dict[str, set[int]]:
    return {n: {s["thread"] for s in ctx.get_samples_for_symbol(_symbol(ctx, n))} for n in ("spin_early", "spin_late")}


def test_memory_plot_across_a_discard_follows_upstreams_sort() -> None:
    with open_capture(DISCARDPOOL) as ctx:
        frees = Counter(e["time_free"] for e in ctx.get_memory_events(2**62, "Arena"))
        assert sorted(frees.values())[-3:] == [120, 120, 120], "three discards of 120 live blocks each"
        plot = next(p for p in ctx.get_plots() if p.name == "Arena")
    assert plot.type == "Memory" and (plot.count, plot.min, plot.max) == (901, 0.0, 14307.0)
    # 450 allocations and 450 frees after the first point; within each discard the running usage steps down in the
    # order upstream's unstable sort leaves the 120 equal free times (a stable sort would give 6329609)
    assert plot.sum == 6338537.0
    assert plot.avg == pytest.approx(6338537.0 / 901)


def test_sample_threads_as_recorded() -> None:
    with open_capture(DISCARDPOOL) as ctx:
        table = ctx._db.col("thread_compress", "tid").tolist()
        tid = {t["name"]: t["id"] for t in ctx.get_threads()}
        assert _sample_threads(ctx) == {
            "spin_early": {table.index(tid["Early"])},
            "spin_late": {table.index(tid["Late"])},
        }


@pytest.mark.skipif(not lz4_available(), reason="the system liblz4 is not loadable through ctypes")
def test_sample_threads_missing_from_the_stored_table(tmp_path: Path) -> None:
    """tracy-capture (built without statistics) stores in its table only threads that logged messages or memory
    events. On load upstream appends every listed thread the table lacks, in thread-list order, so a thread's index
    follows that list, not the order in which a lock's thread list first names it."""
    with open_capture(DISCARDPOOL) as ctx:
        table = ctx._db.col("thread_compress", "tid").tolist()
        threads = [t["name"] for t in ctx.get_threads()]
        tid = {t["name"]: t["id"] for t in ctx.get_threads()}
        lock_threads = ctx.get_locks()[0].threads
    # what the derivation below rests on
    assert table == [0, tid["Main thread"], tid["Early"], tid["Late"], tid["Tracy Symbol Worker"]]
    assert threads == ["Tracy Symbol Worker", "Main thread", "Early", "Tracy Sampling", "Tracy Profiler", "Late"]
    assert lock_threads == [tid["Late"], tid["Early"]]

    payload = without_compressed_threads(read_lz4_payload(DISCARDPOOL), table, {tid["Early"], tid["Late"]})
    converted = tmp_path / "as-tracy-capture.tracy"
    converted.write_bytes(make_capture(payload))
    with open_capture(converted) as ctx:
        assert ctx._db.col("thread_compress", "tid").tolist() == [0, tid["Main thread"], tid["Tracy Symbol Worker"]]
        # table: 0, Main thread 1, Symbol Worker 2; then in list order: Early 3, Sampling 4, Profiler 5, Late 6
        assert _sample_threads(ctx) == {"spin_early": {3}, "spin_late": {6}}
        assert {e["thread_alloc"] for e in ctx.get_memory_events(2**62, "")} == {1}
