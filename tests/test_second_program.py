"""The analyses on a second program's captures (tests/data/mediasrv-*.tracy, see README.md there): a stream server,
not a game, whose planted problems differ in shape from the shared planted set's. Each expectation is checked against
the plain tables (frames, zones, lock events, plots) read here with pandas, not against the analyses' own figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def stutter() -> Any:
    with open_capture(DATA / "mediasrv-stutter.tracy") as c:
        yield c


def _waits(events: pd.DataFrame, thread: str) -> pd.DataFrame:
    """One row per wait of `thread`: its start and the obtain that ended it."""
    ev = events[events["thread"] == thread].sort_values("time_ns", kind="stable")
    rows, start = [], None
    for t, kind in zip(ev["time_ns"].tolist(), ev["type"].tolist(), strict=True):
        if kind == "wait":
            start = t
        elif kind == "obtain" and start is not None:
            rows.append((start, t))
            start = None
    return pd.DataFrame(rows, columns=["start", "end"])


def test_stutter_from_a_lock_wait_names_the_lock_and_its_holder(stutter: Any) -> None:
    """No zone does more work in the slow ticks: publish_manifest waits for manifest_lock, which segment_flusher
    holds in flush_segment. The report names both, from the lock events."""
    r = stutter.slow_frames()
    assert list(r.table["frame"]) == [48, 109, 135, 221, 291, 354]
    assert r.culprit == "publish_manifest"
    assert "it waits there for lock manifest_lock, held meanwhile by segment_flusher in flush_segment" in r.title
    # the wait per slow frame, from the lock events: the main thread's waits inside each slow frame
    f = stutter.frames()
    waits = _waits(stutter.lock_events(), "Main thread")
    per = []
    for i in r.table["frame"].tolist():
        a, b = int(f["start_ns"].iloc[i]), int(f["end_ns"].iloc[i])
        per.append(float((np.minimum(waits["end"], b) - np.maximum(waits["start"], a)).clip(lower=0).sum()))
    line = next(x for x in r.lines if x.startswith("Lock wait:"))
    assert f"waits for manifest_lock {np.mean(per) / 1e6:.2f} ms per frame in the slow frames" in line
    # the flusher's holds overlap those waits: it is the holder
    fl = stutter.zones(name="flush_segment")
    assert set(fl["thread"]) == {"segment_flusher"}
    slow_waits = waits[(waits["end"] - waits["start"]) > 1_000_000]
    assert len(slow_waits) == 6
    for s, e in zip(slow_waits["start"], slow_waits["end"], strict=True):
        assert ((fl["start_ns"] < e) & (fl["end_ns"] > s)).any()
    # what the flusher logged just before each slow frame is shown with it
    msgs = r.tables["messages"]
    assert len(msgs) == 6 and msgs["before"].all() and set(msgs["thread"]) == {"segment_flusher"}


def test_lock_contention_names_who_makes_the_others_wait(stutter: Any) -> None:
    r = stutter.lock_contention()
    x = r.table.set_index("name").loc["manifest_lock"]
    assert x["blocker"] == "segment_flusher" and x["blocker_zone"] == "flush_segment"
    # the others' wait while segment_flusher held the lock: the main thread's blocked waits
    th = r.tables["threads"].set_index("thread")
    assert x["blocker_ns"] == th.loc["segment_flusher", "blocking_ns"]
    assert x["blocker_ns"] == pytest.approx(th.loc["Main thread", "blocked_ns"], rel=0.01)
    assert "held meanwhile by segment_flusher in flush_segment (100% of the time blocked)" in r.title


def test_a_slowdown_that_builds_up_over_the_run() -> None:
    """creep: the unpaced tick slows steadily because expire_sessions walks a list that only grows; no single frame
    stands out, so the trend is what answers it."""
    with open_capture(DATA / "mediasrv-creep.tracy") as c:
        r = c.frame_trend()
        s = c.summary()
        f = c.frames()
        z = c.zones(name="expire_sessions")
        pts = c.plot_points("active_sessions")
    assert r.drifting and r.culprit == "expire_sessions" and r.culprit_thread == "Main thread"
    g = np.arange(2, 402)  # the 400 ticks
    d = f["duration_ns"].to_numpy()[g].astype(float)
    assert r.slope_ns == pytest.approx(np.polyfit(np.arange(len(g)), d, 1)[0], rel=1e-6)
    assert r.ratio == pytest.approx(np.median(d[-40:]) / np.median(d[:40]), rel=1e-6)
    # the zone's growth, from its own durations in the first and last 40 ticks
    zd = z.sort_values("start_ns")["duration_ns"].to_numpy().astype(float)
    row = r.tables["zones"].iloc[0]
    assert row["name"] == "expire_sessions"
    assert row["growth_ns"] == pytest.approx(np.median(zd[-40:]) - np.median(zd[:40]), rel=0.1)
    # it follows the session count, which the zone also carries as its value: the cost per session by a fit
    assert "it follows plot active_sessions" in r.title
    v = z["text"].str.split().str[0].astype(float).to_numpy()
    per = np.polyfit(v, z["duration_ns"].to_numpy().astype(float), 1)[0]
    text = "expire_sessions: its zone text value rises with it (40 -> 838; rank correlation 1.00): about"
    assert f"{text} {fmt_ns(per)} per unit." in r.lines
    assert pts["value"].iloc[-1] > 10 * pts["value"].iloc[0]
    # the summary leads with it
    assert s.findings[0][0] == "ctx.frame_trend()"


def test_workers_in_lockstep_are_working_not_waiting() -> None:
    """imbalance: six light workers each run one slice per tick, started together, so their zones end next to each
    other's; only the main thread's wait_encoders is a wait."""
    with open_capture(DATA / "mediasrv-imbalance.tracy") as c:
        r = c.thread_report()
    t = r.table.set_index("thread")
    workers = [f"enc_worker_{i}" for i in range(8)]
    assert (t.loc[workers, "waiting_ns"] == 0).all()
    waits = r.tables["waits"]
    assert list(zip(waits["thread"], waits["name"], strict=True)) == [("Main thread", "wait_encoders")]
    busy = t.loc[workers, "working"].sort_values(ascending=False)
    assert set(busy.index[:2]) == {"enc_worker_3", "enc_worker_6"} and busy.iloc[1] > 3 * busy.iloc[2]
    # the texts of the pool's unit of work on its busiest member and its least busy one: which streams go where
    line = next(x for x in r.lines if x.startswith("Texts of its unit of work encode_slice"))
    assert "enc_worker_6 7 distinct (stream 406, stream 414" in line
    # the program's own log line on how it shares out the slices, beside the pool it speaks of
    assert 'log on it: "encoder pool: 8 workers, slices assigned by stream_id % 8"' in r.summary()
    # the busiest member's stream numbers all leave one remainder modulo the pool's size
    with open_capture(DATA / "mediasrv-imbalance.tracy") as c:
        z = c.zones(name="encode_slice", thread="enc_worker_6")
    ids = {int(x.split()[-1]) for x in z["text"].astype(str)}
    assert len(ids) == 7 and {i % 8 for i in ids} == {6}
    assert any(x.startswith("Every number enc_worker_6 got is 6 modulo 8, the pool's size") for x in r.lines)
    even = next(x for x in r.lines if x.startswith("Shared out evenly, each of its 8 threads would work"))
    assert "less per frame" in even


def test_compare_a_regression_an_improvement_a_rename_and_a_split() -> None:
    with open_capture(DATA / "mediasrv-regress_a.tracy") as a:
        r = a.compare(DATA / "mediasrv-regress_b.tracy")
        za = a.zones(name="send_packets")["duration_ns"]
    with open_capture(DATA / "mediasrv-regress_b.tracy") as b:
        zb = b.zones(name="send_packets")["duration_ns"]
    kind = r.table.set_index("name")["kind"]
    assert kind["mux_packets"] == "regressed" and kind["color_convert"] == "improved"
    assert kind["checksum_block"] == "count changed only"
    assert kind["build_playlist"] == "gone" and kind["render_playlist"] == "new"
    assert "build_playlist -> render_playlist" in r.summary()
    assert "1 improved, most: color_convert" in r.title
    # a few outliers move send_packets' mean by 6%; its typical call does not move: not an improvement
    assert za.mean() / zb.mean() > 1.05 and abs(np.median(zb) / np.median(za) - 1) < 0.05
    assert kind["send_packets"] == "unchanged"


def test_slow_frames_in_a_drifting_run_compare_with_their_neighbours() -> None:
    """creep's one frame over twice the median comes late in a run that slows steadily: its typical frames are its
    neighbours, not the whole run's (whose median it would dwarf)."""
    with open_capture(DATA / "mediasrv-creep.tracy") as c:
        r = c.slow_frames()
        f = c.frames()
        z = c.zones(name="expire_sessions")
    assert list(r.table["frame"]) == [361]
    assert any(x.startswith("The frame time drifts over the run") for x in r.lines)
    # typical: the median self time of expire_sessions over the gameplay frames within 15 of frame 361
    starts, ends = f["start_ns"].to_numpy(), f["end_ns"].to_numpy()
    near = [i for i in range(346, 377) if i != 361 and i <= 401]
    per = [z[(z["start_ns"] >= starts[i]) & (z["start_ns"] < ends[i])]["self_ns"].sum() for i in near]
    assert r.table["typical_ns"].iloc[0] == pytest.approx(np.median(per), rel=0.02)


def test_a_frame_slowed_outside_every_zone_says_so_first(stutter: Any) -> None:
    """Frame 89 is 1.5x the median, but its zones add under a millisecond: the rest is time outside them."""
    r = stutter.slow_frames(frames=89)
    f = stutter.frames()
    excess = int(f["duration_ns"].iloc[89]) - float(np.median(f["duration_ns"].to_numpy()[2:402]))
    assert "Most of the extra time is outside every zone on Main thread" in r.title
    assert f"of +{fmt_ns(excess)} over the median frame" in r.title


def test_where_a_thread_spends_its_time_counts_the_time_outside_its_zones(stutter: Any) -> None:
    r = stutter.call_tree(thread="Main thread")
    z = stutter.zones(thread="Main thread")
    span = int(stutter.get_last_time()) - int(stutter.get_first_time())
    top = int(z[z["depth"] == 0]["duration_ns"].sum())
    assert (
        f"Main thread ({fmt_ns(top)} in top-level zones, {top / span:.0%} of the {fmt_ns(span)} in scope" in r.summary()
    )
    assert r.title.endswith("run_tick > wait_encoders, 1.07 s in 400 calls (a wait for other threads).")
