"""compare() where only one kind of call of a zone regressed, and where a pool grew past the cores.

- querydb-regress_{a,b}.tracy (tests/data/README.md): in B, Executor::Sort got slower only under the statement
  "... ORDER BY name LIMIT 500" (its parent Query::Execute's ZoneText); the other sorting statement held, so the
  sort's median did not move.
- spawnpool-regress_{a,b}.tracy: the same 48 tasks a frame on 8 "Worker" threads in A and 32 in B, on 2 cores."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"
SLOWER = "SELECT id, name, price FROM products WHERE category_id=? ORDER BY name LIMIT #"


def _sort_times(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Own time of each Executor::Sort and the text of the Query::Execute it runs under, from the tables."""
    with open_capture(path) as c:
        z = c.zones(as_frame=True)
    sort = z[z["name"] == "Executor::Sort"]
    parent_text = z["text"].astype(str).reindex(sort["parent_id"].to_numpy()).to_numpy()
    return sort["self_ns"].to_numpy(), parent_text


def test_a_zone_slower_for_one_kind_of_call_regressed_and_names_that_kind() -> None:
    (own_a, ctx_a), (own_b, ctx_b) = (
        _sort_times(DATA / "querydb-regress_a.tracy"),
        _sort_times(DATA / "querydb-regress_b.tracy"),
    )
    assert abs(np.median(own_b) / np.median(own_a) - 1) < 0.05  # the median held: the rank test alone misses it
    is_a = np.array([x.startswith(SLOWER.replace("#", "500")) for x in ctx_a])
    is_b = np.array([x.startswith(SLOWER.replace("#", "500")) for x in ctx_b])
    assert own_b[is_b].mean() > 3 * own_a[is_a].mean()  # that statement's sorts
    assert abs(own_b[~is_b].mean() / own_a[~is_a].mean() - 1) < 0.15  # the other sorts held
    with open_capture(DATA / "querydb-regress_a.tracy") as a:
        r = a.compare(DATA / "querydb-regress_b.tracy")
    assert "1 zone(s) regressed; most impact: Executor::Sort" in r.title
    assert f"only its calls under Query::Execute '{SLOWER}' got slower" in r.title
    assert "its other kinds of call held" in r.title
    part = next(x for x in r.lines if "its median held, but" in x)
    assert "of its calls in B took longer than 90% of A's" in part
    line = next(x for x in r.lines if x.startswith("  Executor::Sort by the text of Query::Execute"))
    assert f"slower: '{SLOWER}' {fmt_ns(own_a[is_a].mean())} -> {fmt_ns(own_b[is_b].mean())} per call" in line
    assert f"({int(is_a.sum())} -> {int(is_b.sum())} calls); held: 'SELECT * FROM orders" in line
    assert "Executor::Sort" in set(r.table["name"][r.table["kind"] == "regressed"])


def test_a_pool_grown_past_the_cores_is_named_beside_the_regressed_zone() -> None:
    with open_capture(DATA / "spawnpool-regress_a.tracy") as a, open_capture(DATA / "spawnpool-regress_b.tracy") as b:
        workers = [sum(t["name"] == "Worker" for t in c.get_threads()) for c in (a, b)]
        running = [c.zones(name="Task::Process", as_frame=True)["thread_id"].nunique() for c in (a, b)]
        r = a.compare(b)
    assert workers == [8, 32] and running == [8, 32]
    assert "most impact: Task::Process" in r.title
    assert "it ran on 8 thread(s) in A and 32 in B, on a 2-core machine" in r.title
    assert any("threads 12 -> 36: as many threads named: Worker x8 -> x32" in x for x in r.lines)
    assert not any("same in both: threads" in x for x in r.lines)
