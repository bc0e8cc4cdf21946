"""The analyses on a real-time audio engine's captures (tests/data/mixd-*.tracy, see README.md there): a UI frame
loop beside an audio callback at a fixed 5.333 ms period (its own frame set "Audio callback") that waits for a pool
of DSP workers. Expectations come from the plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"
CALLBACK = "Audio callback"


def test_callbacks_that_lost_a_period_and_the_lock_the_ui_held() -> None:
    """dropouts: the callback set runs at a fixed period, so a frame 1.5 periods long lost one; the summary names
    them although the UI frames are fine, and the lock the UI held through its whole graph rebuild."""
    with open_capture(DATA / "mixd-dropouts.tracy") as c:
        s = c.summary()
        r = c.slow_frames(frame_set=CALLBACK)
        lk = c.lock_contention()
        f = c.frames(CALLBACK)
        c_zones = c.zones(name="Audio::Callback")
    d = f["duration_ns"].to_numpy()[:-1]  # the last one is the trailing partial frame
    med = np.median(d)
    assert r.title.startswith(f"{int((d > 1.5 * med).sum())} slow frame(s) of {len(d)} frames")
    assert "the set runs at a fixed period, so a frame that long lost at least one period" in r.title
    assert "it waits there for lock Graph::mutex, held meanwhile by Main thread in Graph::Rebuild." in r.title
    assert "held meanwhile by Main thread in Graph::Rebuild (100% of the time blocked); next: Meters::mutex" in lk.title
    # each callback's deadline is the period: the callbacks that ran past it, counted from the loop's own zone
    cb = c_zones["duration_ns"].to_numpy()
    over = f"Runs of Audio::Callback (audio), the loop's own zone, over the {fmt_ns(med)} period"
    assert any(x.startswith(f"{over} (each run's deadline): {int((cb > med).sum())} of {len(cb)}") for x in r.lines)
    found = dict(s.findings)
    assert found[f"ctx.slow_frames(frame_set={CALLBACK!r})"].startswith(f"Frame set {CALLBACK!r}: ")
    assert found["ctx.slow_frames()"].startswith("0 slow frame(s) of")  # the UI itself is fine


def test_a_frame_that_waits_for_a_job_names_the_wait_with_the_job() -> None:
    """ui_hitch: the UI waits in Jobs::Wait for Waveform::BuildPeaks on ui-jobs; the job is the culprit and the
    wait is named with it, not as work "beside the frame loop"."""
    with open_capture(DATA / "mixd-ui_hitch.tracy") as c:
        r = c.slow_frames()
        peaks = c.zones(name="Waveform::BuildPeaks")
    assert r.culprit == "Waveform::BuildPeaks" and r.culprit_thread == "ui-jobs"
    assert "in the slow frames; Jobs::Wait (Main thread) waits for it there; each comes with the message " in r.title
    assert r.title.endswith("(7 of 7 slow frames), at irregular times.")  # the file each job builds peaks for
    assert not any(x.startswith("Other threads: Waveform::BuildPeaks") for x in r.lines)
    once = peaks["text"].value_counts()
    slow_files = peaks[peaks["duration_ns"] > 20_000_000]["text"]
    assert (once[slow_files] == 1).all()
    assert f"no other run has ({len(slow_files)}):" in "\n".join(r.lines)


def test_compare_keeps_the_callbacks_wait_apart_and_compares_the_callback_set() -> None:
    """regress: the compressor regressed; the callback's wait for the DSP workers grew with it (a wait, not a
    regression); the callback set's lost periods are counted in both."""
    with open_capture(DATA / "mixd-regress_a.tracy") as a, open_capture(DATA / "mixd-regress_b.tracy") as b:
        r = a.compare(b)
        fa, fb = a.frames(CALLBACK), b.frames(CALLBACK)
    kinds = dict(zip(r.table["name"], r.table["kind"], strict=True))
    assert kinds["Plugin::Compressor"] == "regressed" and kinds["Mixer::PullTracks"] == "wait grew"
    assert [k for k, v in kinds.items() if v == "regressed"] == ["Plugin::Compressor"]
    da, db = fa["duration_ns"].to_numpy()[:-1], fb["duration_ns"].to_numpy()[:-1]
    lim = 1.5 * np.median(da)
    line = next(x for x in r.lines if x.startswith(f"'{CALLBACK}' frames:"))
    assert f"{int((da > lim).sum())} over 1.5x A's median; B {len(db)}" in line
    assert f"{int((db > lim).sum())} over it (a fixed period" in line


def test_a_trim_that_gives_memory_back_and_what_is_freed_at_exit() -> None:
    """leak: besides the leak, the undo history's trim is the largest release (with its message), the rise to the
    peak is the undo history's (above a 64 MiB cache held all run), and the cache is freed at exit."""
    with open_capture(DATA / "mixd-leak.tracy") as c:
        r = c.memory_report()
        m = c.memory_events()
    text = "\n".join(r.lines)
    trim = m[(m["free_ns"] > 4.2e9) & (m["free_ns"] < 4.3e9) & (m["alloc_ns"] < 4.2e9)]
    trim = trim[trim["size_bytes"] >= 16384]
    assert "Largest release while running: " in text and f"in {len(trim)} frees at " in text
    assert "in Undo::Trim (Main thread), blocks of Undo::Push (100.0%)" in text
    assert 'logged then: "undo history limit reached: trimmed to 4 steps (freed 1431 KiB)"' in text
    assert re.search(r"run-up from [\d.]+ MB .* Undo::Push \(Main thread\) allocated", text)
    assert "Freed at exit: " in text and " in Cache::Shutdown (" in text
    audio = m[m["alloc_thread"] == "audio"]
    assert "Most allocations: Mixer::Sum (audio)" in text and " per run of Audio::Callback (" in text
    assert len(audio) > 0


def test_one_track_on_one_worker_cannot_be_shared_out() -> None:
    """imbalance: dsp-5 runs the convolution-reverb track alone; the even-share estimate speaks of the audio
    callback that waits for the pool, and says that one item cannot be split."""
    with open_capture(DATA / "mixd-imbalance.tracy") as c:
        r = c.thread_report()
        cb = c.zones(name="Audio::Callback")
        tp = c.zones(name="Track::Process")
    text = "\n".join(r.lines)
    w = re.search(r"Window ([\d.]+)-([\d.]+) s", text)
    assert w is not None
    lo, hi = (float(x) * 1e9 for x in w.groups())
    mine = tp[(tp["thread"] == "dsp-5") & (tp["start_ns"] >= lo) & (tp["end_ns"] <= hi)]
    assert set(mine["text"]) == {"track 9: Vocal Hall"}
    assert (
        f"But dsp-5 runs one item only ('track 9: Vocal Hall': {len(mine)} runs of Track::Process, a median "
        f"{fmt_ns(float(np.median(mine['duration_ns'])))} each)" in text
    )
    m = re.search(r"audio's Audio::Callback \(a median ([\d.]+ ms)\), which waits for it in Mixer::PullTracks", text)
    assert m is not None
    assert abs(float(m[1].split()[0]) - np.median(cb["duration_ns"]) / 1e6) < 0.05


def test_a_lock_that_overlaps_for_microseconds_is_not_contended() -> None:
    """lock_convoy: Meters::mutex is the one contended lock, and the callback waiting for its DSP threads is held
    up in turn; Transport::mutex and Log::mutex were blocked a few µs in all, which is not contention."""
    with open_capture(DATA / "mixd-lock_convoy.tracy") as c:
        r = c.lock_contention()
    assert r.title.startswith("Lock contention: Meters::mutex is contended")
    assert "(1 of 4 locks taken contended)" in r.title
    # the DSP threads that wait for the lock are themselves waited for by the audio callback
    assert any(x.startswith("   held up in turn: audio waits for them in Mixer::PullTracks") for x in r.lines)
    rows = dict(zip(r.table["name"], r.table["contended"], strict=True))
    assert rows == {"Meters::mutex": True, "Transport::mutex": False, "Log::mutex": False, "Graph::mutex": False}
    assert re.search(
        r"Transport::mutex \(Lockable, 2 threads: .*\): NOT contended — blocked only [\d.]+ µs", "\n".join(r.lines)
    )
