"""The analyses on a renderer's captures with GPU zones (tests/data/gpusim-*.tracy, see README.md there): a frame
loop paced to 60 Hz that records passes for an emulated GPU queue (Tracy's GPU C API, a Custom context) and waits
for the GPU of the previous frame in Renderer::WaitForGPU. Expectations come from the plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns
from tracy_mcp.analysis.wait_zones import wait_names

DATA = Path(__file__).parent / "data"


def test_a_gpu_bound_frame_is_said_to_be_gpu_bound() -> None:
    """gpu_bound: LightingPass takes ~22 ms of a ~25.7 ms frame on the GPU; the CPU waits for it."""
    with open_capture(DATA / "gpusim-gpu_bound.tracy") as c:
        s = c.summary()
        hot = c.hot_paths(3)
        light = c.gpu_zones(name="LightingPass")
    first = s.findings[0]
    assert first[0] == "ctx.gpu_report()"
    assert first[1].startswith("GPU-bound: GPU 'Graphics queue (emulated)' busy ")
    m = re.search(r"per frame: LightingPass ([\d.]+) ms", first[1])
    assert m is not None and abs(float(m[1]) * 1e6 - np.median(light["duration_ns"])) < 0.02 * 22e6
    assert "the CPU waits for it in Renderer::WaitForGPU (Main thread)" in first[1]
    # a context bound to a thread names it on no zone: each zone gets its context's thread
    assert set(light["thread"]) == {"Main thread"}
    # the CPU's wait is a wait, not work
    row = hot.table[hot.table["path"] == "Renderer::WaitForGPU"]
    assert len(row) == 1 and "Renderer::WaitForGPU" in s.summary() and "a wait for the GPU" in s.summary()


def test_a_hitch_from_the_gpu_names_the_gpu_zone() -> None:
    """gpu_spikes: every ~1.5 s PostFX runs ~30 ms on the GPU; the paced frame misses its interval."""
    with open_capture(DATA / "gpusim-gpu_spikes.tracy") as c:
        r = c.slow_frames()
        frames = c.frames()
        post = c.gpu_zones(name="PostFX")
    d = frames["duration_ns"].to_numpy()[1:-1]
    over = (d > 1.5 * np.median(d)).sum()
    assert len(r.table) == over == 5
    assert r.culprit == "PostFX" and r.culprit_thread == "GPU 'Graphics queue (emulated)'"
    long = post[post["duration_ns"] > 20e6]["duration_ns"]
    assert f"{fmt_ns(long.min())}..{fmt_ns(long.max())} in those frames" in r.title
    assert "Renderer::WaitForGPU (Main thread) waits for it there" in r.title
    assert "Frame::Limiter paces the frames" in r.title
    # the child that grew inside it, and no CPU zone named as a cause beside it
    assert "Inside it: Bloom " in r.title and not any(x.startswith("Audio::Mix grew most") for x in r.lines)


def test_a_cpu_bound_frame_is_not_called_gpu_bound() -> None:
    with open_capture(DATA / "gpusim-cpu_bound_baseline.tracy") as c:
        s = c.summary()
        t = c.thread_report()
    gpu = dict(s.findings)["ctx.gpu_report()"]
    assert not gpu.startswith("GPU-bound") and s.findings[0][0] != "ctx.gpu_report()"
    assert "GPU 'Async compute (emulated)' busy" in gpu  # the second queue too
    assert t.title.startswith("Busiest thread: Main thread, working 99.9%")
    assert "its top zone Physics::Step" in t.title


def test_a_fiber_runs_on_os_threads_as_a_live_capture_records_it() -> None:
    """fibers: saved by our live capture, each fiber's runs (TracyFiberEnter to Leave) are context switches with
    reason fiber, as upstream records them; every zone on a fiber starts while the fiber runs."""
    with open_capture(DATA / "gpusim-fibers.tracy") as c:
        cs = c.context_switches()
        fibers = [t for t in c.get_threads() if t["name"].startswith("job fiber")]
        zones = c.zones(thread="job fiber*")
        hot = c.hot_paths(1)
    assert len(fibers) == 12 and set(cs["reason"]) == {"fiber"} and set(cs["state"]) == {"none"}
    assert set(cs["thread"]) == {t["name"] for t in fibers} and (cs["end_ns"] > cs["start_ns"]).all()
    for name, runs in cs.groupby("thread", observed=True):
        s, e = runs["start_ns"].to_numpy(), runs["end_ns"].to_numpy()
        z = zones[zones["thread"] == name]["start_ns"].to_numpy()
        k = np.searchsorted(s, z, "right") - 1
        assert (k >= 0).all() and (z <= e[k]).all()
    # the slow job: the fibers as one pool, AI::PlanPath's search holding the most self time
    assert hot.table.iloc[0]["path"] == "AI::PlanPath > AI::AStarSearch"


def test_gpu_report_tables_agree_with_the_gpu_zones() -> None:
    """ctx.gpu_report(): per queue its busy share of each gameplay frame, from its top-level zones."""
    with open_capture(DATA / "gpusim-gpu_bound.tracy") as c:
        r = c.gpu_report()
        frames = c.frames()
        top = c.gpu_zones()
    top = top[top["depth"] == 0]
    assert r.bound and list(r.table["context"]) == ["Graphics queue (emulated)", "Async compute (emulated)"]
    assert r.table["wait"].iloc[0] == "Renderer::WaitForGPU (Main thread)" and r.table["wait"].iloc[1] == ""
    # the graphics queue's busy time in one gameplay frame, from the plain tables
    f = frames.iloc[100]
    g = top[top["context_id"] == 0]
    inside = (np.minimum(g["end_ns"], f["end_ns"]) - np.maximum(g["start_ns"], f["start_ns"])).clip(lower=0).sum()
    assert inside / f["duration_ns"] > 0.95 and r.table["busy_share"].iloc[0] > 0.95
    z = r.tables["zones"]
    assert z[z["context"] == "Async compute (emulated)"]["name"].tolist() == ["ParticleSim"]


def test_work_that_ends_after_a_gpu_pass_on_a_schedule_is_no_wait() -> None:
    """gpu_bound: AI::Update and Renderer::RecordGBuffer end shortly after a GPU pass ends in most frames (the loop
    runs on the GPU's beat), but their lengths hold steadier than those ends' delays after the GPU: they work.
    Renderer::WaitForGPU's length swings with when it began while its end keeps close to the GPU's."""
    with open_capture(DATA / "gpusim-gpu_bound.tracy") as c:
        waits = wait_names(c)
        ai = c.zones(name="AI::Update")["duration_ns"]
        wait = c.zones(name="Renderer::WaitForGPU")["duration_ns"]
    assert waits == {"Renderer::WaitForGPU": "waits for the GPU"}
    iqr = lambda x: float(np.subtract(*np.percentile(x, [75, 25])))  # noqa: E731
    assert iqr(wait) > 5 * iqr(ai)
