"""Files of Tracy 0.7 and 0.8 (file versions 0.7.0 .. 0.8.x), which upstream 0.14 refuses ("LegacyVersion").

No real capture of those versions is at hand in ../shared, so these tests convert a real capture's content
(clientapp-0.9.1, recorded by Tracy 0.9.1, with upstream's answers in ../shared/golden) into each older layout with
tests/legacy_versions.py, and check that the engine reads every byte of it with upstream's answers for the 0.9.1
original, except what the older format cannot hold. A corrupt file of every version gives a clear error."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

import pytest
from conftest import CAPTURES, GOLDEN, golden_module, shared_captures
from engine_craft import lz4_available, read_payload, zstd_available
from legacy_versions import convert_capture, legacy_container

from tracy_mcp import open_capture
from tracy_mcp.analysis.capture import Capture
from tracy_mcp.engine import COMPLETE, NativeCapture
from tracy_mcp.errors import CaptureFormatError

SOURCE = CAPTURES / "incoming" / "clientapp-0.9.1.tracy"
if not SOURCE.is_file():
    SOURCE = CAPTURES / "clientapp-0.9.1.tracy"  # once it has moved up beside the others

pytestmark = [
    pytest.mark.skipif(not SOURCE.is_file(), reason=f"the real Tracy 0.9.1 capture is not in {CAPTURES}"),
    pytest.mark.skipif(not lz4_available(), reason="the system liblz4 is not loadable through ctypes"),
    pytest.mark.skipif(not zstd_available(), reason="the system libzstd is not loadable through ctypes"),
]

# Every file version where the layout changed between 0.7.0 and 0.9.0, and the last one before each change.
VERSIONS = [
    (0, 7, 0),
    (0, 7, 1),
    (0, 7, 2),
    (0, 7, 3),
    (0, 7, 4),
    (0, 7, 5),
    (0, 7, 6),
    (0, 7, 8),
    (0, 7, 9),
    (0, 7, 10),
    (0, 7, 11),
    (0, 7, 12),
    (0, 7, 13),
    (0, 7, 14),
    (0, 7, 15),
    (0, 8, 2),
    (0, 8, 3),
    (0, 8, 4),
    (0, 8, 5),
]


def _name(v: tuple[int, int, int]) -> str:
    return "{}.{}.{}".format(*v)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int, int], Path]:
    out = tmp_path_factory.mktemp("old-versions")
    return {v: convert_capture(SOURCE, v, out / f"clientapp-{_name(v)}.tracy") for v in VERSIONS}


def _summary(ctx: Capture) -> dict[str, object]:
    return {
        "zones": ctx.get_zone_count(),
        "gpu_zones": ctx.get_gpu_zone_count(),
        "lock_events": ctx.get_lock_count(),
        "messages": ctx.get_message_count(),
        "frames": ctx.get_frame_count(),
        "plot_points": ctx.get_plot_count(),
        "context_switches": ctx.get_context_switch_count(),
        "samples": ctx.get_callstack_sample_count(),
        "threads": ctx.get_threads(),
        "zone_stats": ctx.get_all_zone_stats(),
        "plots": [p.name for p in ctx.get_plots()],
        "pools": [p.name for p in ctx.get_memory_pools()],
        "gpu_contexts": [(g.name, g.type) for g in ctx.get_gpu_contexts()],
        "symbols": len(ctx.get_symbol_stats()),
    }


@cache
def _original() -> dict[str, object]:
    with open_capture(SOURCE) as ctx:
        return _summary(ctx)


@pytest.mark.parametrize("version", VERSIONS, ids=_name)
def test_old_version_reads_to_the_last_byte(converted: dict[tuple[int, int, int], Path], version) -> None:
    cap = NativeCapture(converted[version])
    assert cap.wait(COMPLETE, timeout=120) == COMPLETE
    meta = cap.meta()
    assert meta["file_version_str"] == _name(version) and meta["compression"] == "lz4" and meta["streams"] == 1
    assert meta["payload_trailing_bytes"] == 0
    # 0.8.x files end the symbol code with a table of code addresses per source line (the converter writes 4)
    assert meta.get("legacy_code_locations") == (4 if version < (0, 8, 5) else None)
    assert meta["executable_time"] == 0 or version >= (0, 7, 6)
    if version < (0, 7, 11):
        assert not cap.column("threads", "is_fiber").any()
    if version < (0, 7, 5):
        assert not cap.column("zone_extras", "color").any()
    if version < (0, 7, 12):
        assert not cap.column("ctx_switches", "other_tid").any()
    if version < (0, 7, 9):
        assert cap.rows("code_symbols") == 0 and cap.rows("hw_samples") == 0
    if version < (0, 8, 3):  # the server's defaults for plots of older files
        assert set(cap.column("plots", "show_steps")[cap.column("plots", "pool") < 0]) == {0}
    if version < (0, 7, 14):
        assert cap.rows("ctx_switch_samples") == 0

    expected = dict(_original())
    if version < (0, 7, 14):
        # without the context-switch samples every CPU sample counts as a sample of its symbol (golden quirk 16
        # no longer hides them)
        expected["symbols"] = 847
    if version < (0, 7, 6):
        expected["gpu_contexts"] = [("", "OpenGL")]  # contexts had no names
    if version < (0, 7, 3):
        expected["pools"] = ["(default)"]  # one pool: the named pools' events cannot be stored
        expected["plots"] = [p for p in expected["plots"] if p not in ("Pool A", "Pool B")]  # type: ignore[attr-defined]
    with open_capture(converted[version]) as ctx:
        assert _summary(ctx) == expected


# Upstream's answers for the 0.9.1 original hold for the converted files, but for what each format cannot hold.
PARITY = {
    (0, 8, 2): set(),
    (0, 7, 13): {"/get_samples_for_symbol", "/get_symbol_stats"},
    (0, 7, 0): {
        "/get_samples_for_symbol",
        "/get_symbol_stats",
        "/get_gpu_contexts",
        "/get_memory_events",
        "/get_memory_pools",
        "/get_plots",
    },
}


@pytest.mark.parametrize("version", list(PARITY), ids=_name)
def test_old_version_parity_with_upstream(converted: dict[tuple[int, int, int], Path], version) -> None:
    dump_golden = golden_module("dump_golden")
    parity = golden_module("parity")
    dump_golden.GUARDED = set()
    golden = json.loads((GOLDEN / "clientapp-0.9.1.json").read_text())
    with open_capture(converted[version]) as ctx:
        ours = json.loads(json.dumps(dump_golden.dump(ctx, hints=golden["hints"])))
    diffs, checked = parity.parity_diffs(golden, ours, None)
    assert checked > 50000
    unexplained = [d for d in diffs if not any(d.startswith(k) for k in PARITY[version])]
    assert unexplained == [], "\n".join(unexplained[:40])
    if not PARITY[version]:
        assert diffs == []


def _assert_corruption_is_reported(payload: bytes, seed: int, tmp_path: Path) -> None:
    """Cut anywhere or with bytes flipped, the payload loads or fails with CaptureFormatError, never crashes."""
    rng = random.Random(seed)
    cuts = {9, 64, 300, 5000, 300_000, *(rng.randrange(8, len(payload)) for _ in range(2))}
    for i, cut in enumerate(sorted(cuts)):
        p = tmp_path / f"cut{i}.tracy"
        p.write_bytes(legacy_container(payload[:cut]))
        with pytest.raises(CaptureFormatError, match="truncated|corrupt"):
            NativeCapture(p).wait(COMPLETE, timeout=60)
    for i in range(2):
        buf = bytearray(payload)
        for _ in range(8):  # mostly the front half: counts, sizes, nesting
            at = rng.randrange(8, min(len(buf), 400_000))
            buf[at] ^= 1 << rng.randrange(8)
        p = tmp_path / f"flip{i}.tracy"
        p.write_bytes(legacy_container(bytes(buf)))
        try:
            NativeCapture(p).wait(COMPLETE, timeout=120)
        except CaptureFormatError:
            pass


@pytest.mark.parametrize("version", VERSIONS, ids=_name)
def test_corrupt_old_version_gives_a_clear_error(converted, version, tmp_path: Path) -> None:
    _assert_corruption_is_reported(read_payload(converted[version]), version[1] * 100 + version[2], tmp_path)


def _one_capture_per_version() -> list[Path]:
    if not (lz4_available() and zstd_available()):
        return []
    seen: dict[bytes, Path] = {}
    for c in sorted(shared_captures(), key=lambda c: c.stat().st_size):
        if c.stat().st_size < 5_000_000:  # the clientapp / fiberpool recordings, not the multi-million-zone ones
            seen.setdefault(read_payload(c, blocks=1)[:8], c)  # "tracy" + major, minor, patch
    return sorted(seen.values())


@pytest.mark.parametrize("capture", _one_capture_per_version(), ids=lambda c: c.stem)
def test_corrupt_real_capture_of_each_version(capture: Path, tmp_path: Path) -> None:
    _assert_corruption_is_reported(read_payload(capture), len(capture.stem), tmp_path)
