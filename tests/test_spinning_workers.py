"""A pipeline whose workers busy-wait (tests/data/spinqueue-slow_producer.tracy, README.md there; recorded with
context switches): two workers spin in Queue::SpinPop for a reader that parses each line with a fixed amount of
CPU; on 2 cores their spinning takes the reader's CPU.

- The unit of work standing in for frames is not the spin (named like a wait), though it holds the most time.
- The reader's slow runs are told as waiting for a core, with the threads that ran meanwhile."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"
CAPTURE = DATA / "spinqueue-slow_producer.tracy"


def test_slow_runs_that_waited_for_a_core_say_so_and_who_ran() -> None:
    with open_capture(CAPTURE) as c:
        z = c.zones(as_frame=True)
        cs = c.context_switches(thread="Reader", as_frame=True)
        summary = c.summary().lines
        r = c.slow_frames(frame_set="Reader::ParseLine")
    total = z.groupby("name")["duration_ns"].sum()
    assert total.idxmax() == "Queue::SpinPop"  # the tables: the spin holds the most time
    parse = z[z["name"] == "Reader::ParseLine"]
    s, e = cs["start_ns"].to_numpy(), cs["end_ns"].to_numpy()
    on = np.array(
        [
            np.clip(np.minimum(e, b) - np.maximum(s, a), 0, None).sum()
            for a, b in zip(parse["start_ns"], parse["end_ns"], strict=True)
        ]
    )
    d = parse["duration_ns"].to_numpy()
    slow = d > 2 * np.median(d)
    assert np.median(on[slow]) < 1.2 * np.median(on[~slow])  # the same work on a CPU, slow or not
    finding = next(x for x in summary if "slow run(s) of" in x)
    assert "slow run(s) of Reader::ParseLine" in finding and "SpinPop" not in finding.split(":")[0]
    line = next(x for x in r.lines if x.startswith("On a CPU (context switches): the slow runs "))
    assert "of their excess is waiting for a core, not their own work growing" in line
    assert "the CPUs ran meanwhile: Worker " in line


def test_blocking_queue_against_spinning_ring_is_told_as_the_reader_waiting_for_a_core() -> None:
    """spinqueue-fixed (A): the workers sleep in Queue::Pop (a condition variable) for the reader; slow_producer (B):
    they spin in Queue::SpinPop. The sleeping pop is no unit of work (its threads sleep through it), the zone
    renamed between the runs does not stop the comparison, and the reader's parse is told as waiting for a core."""
    with open_capture(DATA / "spinqueue-fixed.tracy") as a:
        pops = a.zones(name="Queue::Pop", as_frame=True)["duration_ns"].sum()
        parses = a.zones(name="Reader::ParseLine", as_frame=True)["duration_ns"].sum()
        r = a.compare(CAPTURE)
    assert pops > parses  # the tables: the sleeping pop holds more time than the parse
    assert "runs of Reader::ParseLine (the unit of work; " in r.title
    assert "most impact: Reader::ParseLine" in r.title
    assert "per call (context switches): its own work held, it waited for a core (runnable, not running)" in r.title
