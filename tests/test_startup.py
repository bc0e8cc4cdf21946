"""Start-up findings on a game client that takes long to reach its first frame (tests/data/skyforge-*.tracy; see
README.md there): App::Init on the main thread, asset loaders, network and telemetry threads, then 60 Hz frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def _first_mark(c) -> int:  # noqa: ANN001 - a Capture
    """From the tables: the program's first frame mark (the end of the base set's frame 1)."""
    return int(c.frames(as_frame=True)["start_ns"].iloc[2]) - int(c.get_first_time())


def _program_start(c) -> int:  # noqa: ANN001 - a Capture
    """From the tables: the end of frame 0, where the profiler's client has started and the program begins."""
    return int(c.frames(as_frame=True)["start_ns"].iloc[1]) - int(c.get_first_time())


def test_a_long_start_up_is_a_finding_with_its_chain_of_zones_and_the_idle_threads() -> None:
    """serial_shaders: 120 Shader::Compile one after another on the main thread while the loaders sit idle."""
    with open_capture(DATA / "skyforge-serial_shaders.tracy") as c:
        start = _first_mark(c)
        compiles = c.zones(name="Shader::Compile", as_frame=True)
        findings = dict((text.split(":")[0], text) for _method, text in c.summary().findings)
    line = findings["Start-up"]
    assert line.startswith(f"Start-up: {fmt_ns(start)} to the first frame mark")
    assert "App::Init > Renderer::Init > Renderer::CompileShaders takes " in line
    assert f": {len(compiles)} x Shader::Compile (" in line and "one after another" in line
    assert "Loader 0-3 finish their part by " in line


def test_a_start_up_waiting_for_blocked_loaders_names_the_wait_and_the_lock() -> None:
    """blocked_loader: the main thread waits for the loaders, which wait for AssetRegistry::mutex while the
    Telemetry thread holds it through its uploads."""
    with open_capture(DATA / "skyforge-blocked_loader.tracy") as c:
        findings = dict((text.split(":")[0], text) for _method, text in c.summary().findings)
    line = findings["Start-up"]
    assert "App::Init > App::WaitForAssets takes " in line and ", a wait for Loader " in line
    assert "for AssetRegistry::mutex in it, held meanwhile by Telemetry in Telemetry::Upload" in line


def test_a_slower_start_up_leads_the_comparison() -> None:
    """regress a/b: b scans 400 plugin manifests on the main thread before the renderer starts."""
    with open_capture(DATA / "skyforge-regress_a.tracy") as a, open_capture(DATA / "skyforge-regress_b.tracy") as b:
        # the program's part: from the end of frame 0 (the profiler's own start, which varies run to run)
        sa, sb = (_first_mark(c) - _program_start(c) for c in (a, b))
        cmp = a.compare(b)
    assert sb - sa > 1_000_000_000
    assert (
        f"start-up (to the first frame mark, from the program's start) {fmt_ns(sa)} -> {fmt_ns(sb)} "
        f"(+{fmt_ns(sb - sa)}" in cmp.title
    )
    assert "most impact: a zone only B has, Plugins::Scan (1 calls" in cmp.title


def test_a_long_quit_after_the_last_frame_is_told_with_its_steps() -> None:
    """hollowmere-quit: 'quit requested', then Game::Shutdown runs 1.19 s without a frame mark."""
    with open_capture(DATA / "hollowmere-quit.tracy") as c:
        sd = c.zones(name="Game::Shutdown", as_frame=True)
        assert len(sd) == 1 and sd["duration_ns"].iloc[0] > 1_000_000_000  # the tables: one long shut-down
        s = c.summary()
    line = next(text for _, text in s.findings if text.startswith("Shut-down:"))
    assert line.startswith('Shut-down: 1.19 s after the last gameplay frame (26.9% of the capture; logged then: "quit')
    assert "Game::Shutdown takes 1.19 s (100.0% of it); its largest steps: Save::WriteProfile 600.3 ms" in line


def test_a_load_a_frame_after_a_splash_frame_is_start_up() -> None:
    """crowdsim-b: frame 1 is an ordinary-length frame before the one-off 267 ms Crowd::LoadScenario in frame 2;
    both are start-up, not a gameplay hitch."""
    with open_capture(DATA / "crowdsim-b.tracy") as c:
        f = c.frames()["duration_ns"].to_numpy()
        load = c.zones(name="Crowd::LoadScenario")
        s = c.summary()
        r = c.slow_frames()
    assert f[1] < 2 * np.median(f[3:-1]) and f[2] > 10 * np.median(f[3:-1]) and len(load) == 1
    assert "left out: start-up 3, trailing partial 1" in s.summary()
    assert r.title.startswith("0 slow frame(s) of 300 gameplay frames (3..302")
