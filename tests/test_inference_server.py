"""The analyses on an inference server's captures (tests/data/infersrv-*.tracy, see README.md there): no main frames,
only the batcher's frame set "Batch"; four request threads, a batcher, an emulated accelerator thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_a_server_with_only_a_batchers_frames_is_summarised_by_its_requests() -> None:
    """reload_stall: the summary's slow-run finding is over the requests (the unit of work), not the batcher's
    frames: the requests that stall wait for the model registry's lock while the loader copies weights."""
    with open_capture(DATA / "infersrv-reload_stall.tracy") as c:
        summary = c.summary()
        requests = c.zones(name="Http::HandleRequest")
    d = requests["duration_ns"].to_numpy()
    slow = int((d > 2 * np.median(d)).sum())
    method, line = summary.findings[0]
    assert method == "ctx.slow_frames(frame_set='Http::HandleRequest')"
    assert line.startswith(f"{slow} slow run(s) of Http::HandleRequest of {len(d)}")
    assert "waiting for lock ModelRegistry::lock (held meanwhile by model-loader in ModelLoader::CopyWeights)" in line


def test_slow_requests_are_told_by_the_size_in_their_texts() -> None:
    """long_prompt: the requests with very long prompts (tokens=4000+ in their zone text) are the slow ones, their
    time in the tokenizer. No text repeats (each names its request), so the labelled number tells them apart."""
    with open_capture(DATA / "infersrv-long_prompt.tracy") as c:
        res = c.slow_frames(frame_set="Http::HandleRequest")
        requests = c.zones(name="Http::HandleRequest")
    d = requests["duration_ns"].to_numpy()
    tokens = requests["text"].astype(str).str.extract(r"tokens=(\d+)", expand=False).astype(float).to_numpy()
    slow = d > 2 * np.median(d)
    assert res.culprit == "Tokenizer::Encode"
    line = next(x for x in res.lines if x.startswith("Their texts' tokens: "))
    assert f"(median {np.median(tokens[slow]):,.0f}) in the slow runs vs a median {np.median(tokens[~slow]):,.0f}" in (
        line
    )
    assert "the slow runs are the large ones" in line


def test_compare_leads_with_the_requests_latency_when_there_are_no_main_frames() -> None:
    """reload_stall vs long_prompt stand in for two runs of one server: without main frames, the comparison's first
    figure is the requests' (the unit of work's) latency in A and B, not the batcher's frames."""
    with open_capture(DATA / "infersrv-reload_stall.tracy") as a:
        cmp = a.compare(DATA / "infersrv-long_prompt.tracy")
        da = a.zones(name="Http::HandleRequest")["duration_ns"].to_numpy()
    assert cmp.title.startswith("B (infersrv-long_prompt.tracy) vs A (infersrv-reload_stall.tracy): runs of ")
    assert f"runs of Http::HandleRequest (the unit of work; {len(da)} -> " in cmp.title
    assert f"p99 {fmt_ns(np.percentile(da, 99))} -> " in cmp.title
