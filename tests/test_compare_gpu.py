"""A frame that got slower on the GPU (tests/data/gpuregress-*.tracy, see README.md there): the comparison names
the GPU pass that grew and says the CPU zone that grew is only the wait for it; a GPU busy 87% of a CPU-bound frame
is not called GPU-bound."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_gpu_pass_that_grew_leads_over_the_cpus_wait_for_it() -> None:
    with open_capture(DATA / "gpuregress-regress_a.tracy") as a, open_capture(DATA / "gpuregress-regress_b.tracy") as b:
        cmp = a.compare(b)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("on the GPU, ShadowPass 2.20x per call (4.81 ms -> 10.57 ms)")
    assert "GPU-bound in B" in lead
    assert "the CPU waits for it in Renderer::WaitForGPU (0.014 ms -> 11.26 ms per call), a wait, not CPU work" in lead
    gpu = next(x for x in cmp.lines if x.startswith("GPU zones"))
    assert "ShadowCascade3 2.20x per call" in gpu


def test_a_gpu_that_idles_waiting_for_the_cpu_is_not_the_limit() -> None:
    with open_capture(DATA / "gpuregress-cpu_or_gpu.tracy") as c:
        r = c.gpu_report()
        findings = c.summary().findings
    assert not r.bound and r.title.startswith("GPU 'Graphics queue' busy 86.6% of each gameplay frame")
    assert "not GPU-bound: it idles 3.24 ms a frame" in r.title
    assert findings[0][0] != "ctx.gpu_report()"
