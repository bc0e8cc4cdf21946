"""A server without frames whose event-loop thread waits in Loop::Poll (tests/data/evloop-slow_endpoint.tracy,
README.md there): four workers handle requests (Request::Handle, ZoneText "GET /api/orders req #N queued X ms");
GET /api/orders waits in Audit::Record for AuditLog::mutex while a log flusher holds it through a disk write, and
GET /api/reports/export is always about 14 ms.

- The unit of work standing in for frames is the request, not the event loop's poll (which holds more time).
- The slowest requests are named beside the culprit that explains the most extra time."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"
CAPTURE = DATA / "evloop-slow_endpoint.tracy"


def test_the_request_not_the_poll_stands_in_for_frames_and_the_slowest_kind_is_named() -> None:
    with open_capture(CAPTURE) as c:
        z = c.zones(as_frame=True)
        r = c.slow_frames(frame_set="Request::Handle")
        summary = c.summary().lines
    total = z.groupby("name")["duration_ns"].sum()
    assert total["Loop::Poll"] > total["Request::Handle"]  # the tables: the poll holds more time
    handle = z[z["name"] == "Request::Handle"]
    slowest = handle.loc[handle["duration_ns"].idxmax()]
    assert str(slowest["text"]).startswith("GET /api/orders")
    audit = z[(z["name"] == "Audit::Record") & (z["parent_id"] == slowest.name)]
    assert len(audit) == 1 and audit["duration_ns"].iloc[0] > 0.9 * slowest["duration_ns"]
    finding = next(x for x in summary if x.startswith("- ") and "slow run(s) of" in x)
    assert "slow run(s) of Request::Handle of 2378" in finding
    assert "Loop::Poll" not in finding
    assert "culprit Report::Render" in r.title
    assert (
        "; the slowest runs are another kind: Audit::Record grew most in 13 (all of them 'GET /api/orders req ## "
        "queued # ms')" in r.title
    )
