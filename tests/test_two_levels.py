"""Frame and request times that sit at two levels (tests/data/jobsys-lost_wakeup.tracy, wildroad-areas.tracy,
retrytail-retry.tracy; see README.md there): slow frames under twice the median that are still the hitch the user
sees, a job pool asleep when the frame needed it, and a service whose slowest requests stand apart (its p99)."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_lost_wake_up_is_named_not_the_jobs() -> None:
    """1 frame in 8 waits ~10 ms longer in Jobs::WaitAll (25.9 vs 15.9 ms: under 2x the median): the workers slept
    on in Worker::Sleep to its 10 ms timeout; the jobs took their usual time."""
    with open_capture(DATA / "jobsys-lost_wakeup.tracy") as c:
        r = c.slow_frames()
        summary = c.summary()
    assert len(r.table) == 44
    assert "the gap between the frame times' two levels" in r.title
    assert "a late wake-up: the Worker threads were asleep in Worker::Sleep (a wait)" in r.title
    assert "the jobs took their usual time" in r.title
    # Worker::Sleep is named as a sleep and is all its own time: no work, so no worker is "busy" sleeping
    busiest = next(x for _, x in summary.findings if x.startswith(("Busiest", "Critical")))
    assert "Worker::Sleep" not in busiest.split(";")[0]


def test_two_levels_of_frame_time_name_the_zone_that_differs() -> None:
    """In the forest Render::Foliage costs 9 ms instead of 1: frames at ~10.6 and ~18.6 ms in stretches."""
    with open_capture(DATA / "wildroad-areas.tracy") as c:
        r = c.slow_frames()
    assert r.culprit == "Render::Foliage"
    assert "158 frames at 17.99 ms..20.53 ms" in r.title


def test_the_slowest_requests_that_stand_apart_say_what_sets_them_apart() -> None:
    """2% of requests time out in DB::Query (30 ms) and retry after a 20 ms Retry::Backoff: the p99 is theirs."""
    with open_capture(DATA / "retrytail-retry.tracy") as c:
        r = c.slow_frames()
    assert "the slowest 50 runs (2.0%) stand apart: 53.21 ms..60.71 ms, the next 15.45 ms" in r.title
    assert "Retry::Backoff 20.15 ms (in 0% of the others)" in r.title
