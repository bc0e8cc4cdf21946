"""Our capture API against upstream Tracy's own answers: dump_golden.dump(ctx) on every shared capture must agree
with the golden JSON under parity.py (which allows only upstream's documented quirks)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import GOLDEN, golden_module, shared_captures

from tracy_mcp import open_capture

BIG_FILE = 6_000_000  # bytes; the dump of a capture with millions of zones takes a minute


def _params() -> list[object]:
    caps = [c for c in shared_captures() if (GOLDEN / f"{c.stem}.json").is_file()]
    if not caps:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"no golden captures found under {GOLDEN} (set TRACY_MCP_SHARED to the shared/ folder)"
                ),
            )
        ]
    return [pytest.param(c, id=c.stem, marks=[pytest.mark.slow] if c.stat().st_size > BIG_FILE else []) for c in caps]


@pytest.mark.parametrize("capture", _params())
def test_dump_agrees_with_upstream(capture: Path) -> None:
    dump_golden = golden_module("dump_golden")
    parity = golden_module("parity")
    dump_golden.GUARDED = set()  # nothing of ours crashes: call everything directly
    golden = json.loads((GOLDEN / f"{capture.stem}.json").read_text())
    with open_capture(capture) as ctx:
        ours = json.loads(json.dumps(dump_golden.dump(ctx, hints=golden["hints"], level=golden.get("level", "full"))))
        has_thread_index = ctx._db.has("thread_compress", "tid")
    assert ours["coverage"]["not_called"] == [] or golden.get("level") == "counts"
    diffs, checked = parity.parity_diffs(golden, ours, None)
    assert checked > 0
    if not has_thread_index:
        # Upstream reports its internal thread index in get_samples_for_symbol()[].thread and dump_golden sorts
        # those dicts by it; without the engine's compressed-thread table we can only report OS tids, which
        # reorders multi-thread lists.
        rest = [d for d in diffs if not d.startswith("/get_samples_for_symbol/")]
        assert rest == [], "\n".join(rest[:50])
        if len(rest) != len(diffs):
            pytest.xfail("engine lacks table thread_compress: get_samples_for_symbol order differs")
    assert diffs == [], f"{len(diffs)} differences:\n" + "\n".join(diffs[:50])


@pytest.mark.parametrize(
    "capture", [p for p in _params() if p.values[0] is None or p.values[0].stat().st_size < BIG_FILE]
)
def test_zone_threads_are_the_real_ones(capture: Path) -> None:
    """Where upstream misattributes threads (quirk 5) we must be right: compare with upstream_extras' histogram of
    the real thread of every zone."""
    golden = json.loads((GOLDEN / f"{capture.stem}.json").read_text())
    hist = (golden.get("upstream_extras") or {}).get("zone_thread_histogram")
    if not hist:
        pytest.skip("golden file has no zone_thread_histogram")
    with open_capture(capture) as ctx:
        for name, expected in hist.items():
            ours = Counter(str(t) for _, _, t in ctx.get_zone_occurrences_with_thread(name, 2**62))
            assert dict(ours) == expected, name
