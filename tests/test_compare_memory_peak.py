"""Peak memory from A to B (tests/data/harbor_editor-regress_*.tracy, see README.md there): a bigger cache budget
changes no zone's time, and the comparison leads with the pool whose peak grew and the zone allocating it."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_a_pool_whose_peak_grew_leads_when_no_zone_regressed() -> None:
    with (
        open_capture(DATA / "harbor_editor-regress_a.tracy") as a,
        open_capture(DATA / "harbor_editor-regress_b.tracy") as b,
    ):
        cmp = a.compare(b)
    lead = cmp.title.split(": ", 1)[1]
    assert lead.startswith("peak memory 340.03 MB (324.28 MiB) -> 437.55 MB (417.28 MiB) (+97.52 MB (93.00 MiB))")
    assert "pool TextureCache 121.63 MB (116.00 MiB) -> 221.77 MB (211.50 MiB) at its peak, allocated in" in lead
    assert "Textures::Load (TextureStreamer)" in lead
    assert any(x.startswith("Peak live memory per pool (A -> B): TextureCache") for x in cmp.lines)
