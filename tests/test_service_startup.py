"""Start-up of a service without frame marks (tests/data/svcstart-*.tracy, README.md there): the main thread's first
zone, Service::Startup, is its start-up; requests are served after it.

- slow_ready: 16 database connections made one after another hold most of it.
- regress_a / regress_b: Routes::Load (Routes::BuildTrie inside) got 4x slower; request handling did not."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def _startup(path: Path) -> tuple[int, int, dict[str, int]]:
    """(start-up end relative to the capture start, the first request's start, own time per zone name in it)."""
    with open_capture(path) as c:
        z = c.zones(as_frame=True)
        first = c.get_first_time()
    su = z[(z["name"] == "Service::Startup") & (z["thread"] == "Main thread")].iloc[0]
    inside = z[(z["start_ns"] >= first) & (z["end_ns"] <= su["end_ns"]) & (z["end_ns"] >= 0)]
    own = inside.groupby("name")["self_ns"].sum().to_dict()
    req = int(z[z["name"] == "Request::Handle"]["start_ns"].min())
    return int(su["end_ns"]) - first, req - first, {str(k): int(v) for k, v in own.items()}


def test_a_services_start_up_is_told_without_frame_marks() -> None:
    end, first_request, _ = _startup(DATA / "svcstart-slow_ready.tracy")
    with open_capture(DATA / "svcstart-slow_ready.tracy") as c:
        z = c.zones(name="Db::Connect", as_frame=True)
        line = next(x for x in c.summary().lines if x.startswith("- Start-up: "))
    assert first_request >= end  # the tables: requests come after the start-up zone
    starts, ends = z["start_ns"].to_numpy(), z["end_ns"].to_numpy()
    assert len(z) == 16 and (starts[1:] >= ends[:-1]).all()  # one connection after another
    assert line.startswith(f"- Start-up: {fmt_ns(end)} to the end of Service::Startup")
    assert "on Main thread, Service::Startup > Db::ConnectPool takes" in line
    assert "16 x Db::Connect" in line and "one after another" in line
    assert line.endswith("[ctx.call_tree()]")


def test_a_slower_start_up_leads_the_comparison_with_the_zone_that_grew() -> None:
    (end_a, _, own_a), (end_b, _, own_b) = (_startup(DATA / f"svcstart-regress_{s}.tracy") for s in "ab")
    grew = max(own_b, key=lambda n: own_b[n] - own_a.get(n, 0))
    assert grew == "Routes::BuildTrie"
    with open_capture(DATA / "svcstart-regress_a.tracy") as a:
        r = a.compare(DATA / "svcstart-regress_b.tracy")
    assert f": start-up (to the end of Service::Startup) {fmt_ns(end_a)} -> {fmt_ns(end_b)}" in r.title
    assert f"(in it Routes::BuildTrie {fmt_ns(own_a[grew])} -> {fmt_ns(own_b[grew])} of own time)" in r.title
