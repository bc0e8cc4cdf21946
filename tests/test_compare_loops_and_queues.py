"""What a comparison leads with when the main frames and the handlers hold: another loop's frames that hitch now,
and requests that wait longer in a queue (tests/data/discontframes-regress_*.tracy, queuewait-*.tracy, see
README.md there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_discontinuous_frame_set_that_hitches_now_leads() -> None:
    with (
        open_capture(DATA / "discontframes-regress_a.tracy") as a,
        open_capture(DATA / "discontframes-regress_b.tracy") as b,
    ):
        cmp = a.compare(b)
        steps_a = a.frames("Physics step", as_frame=True)["duration_ns"].to_numpy()
        steps_b = b.frames("Physics step", as_frame=True)["duration_ns"].to_numpy()
    limit = 2 * np.median(steps_a)
    long_b = int((steps_b > limit).sum())
    assert int((steps_a > limit).sum()) == 0 and long_b >= 20
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith(f"frame set 'Physics step': {long_b} frame(s) over 2x A's median")
    assert "B's from Physics::SolveIslands (Physics)" in lead


def test_a_queue_wait_that_grew_behind_unchanged_handlers_is_in_the_title() -> None:
    with open_capture(DATA / "queuewait-steady.tracy") as a, open_capture(DATA / "queuewait-bursts2.tracy") as b:
        cmp = a.compare(b)
        handle_a = a.zones(name="Request::Handle", as_frame=True)["duration_ns"].median()
        handle_b = b.zones(name="Request::Handle", as_frame=True)["duration_ns"].median()
    assert abs(handle_b / handle_a - 1) < 0.05  # the handlers held
    lead = cmp.title.split(": ", 1)[1]
    assert "queue wait before Request::Handle (after Net::Accept) p50 " in lead
    wait = lead.split("queue wait before Request::Handle (after Net::Accept) p50 ", 1)[1].split(",", 1)[0]
    before, after = (float(x.split(" ")[0]) for x in wait.split(" -> "))
    assert before < 1 and after > 10  # ms: from no wait to a queue
