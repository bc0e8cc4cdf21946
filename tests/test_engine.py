"""The native capture engine on real captures: parity with upstream's answers (../shared/golden), load states and
progress, and clear errors (never a crash) on malformed input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, golden_module, shared_captures
from engine_craft import lz4_available, make_capture, payload_front, read_lz4_payload, with_version
from engine_golden import (
    Strings,
    counts,
    frame_stats,
    golden_for,
    metadata,
    per_srcloc,
    threads,
    zone_name,
)

from tracy_mcp.engine import COMPLETE, READY, NativeCapture
from tracy_mcp.errors import CaptureFormatError, UnsupportedVersionError

CAPTURES = shared_captures()
needs_shared = pytest.mark.skipif(not CAPTURES, reason=f"no reference captures in {SHARED} (../shared absent)")
needs_lz4 = pytest.mark.skipif(not lz4_available(), reason="the system liblz4 is not loadable through ctypes")


def _canon(items: list[dict]) -> list[str]:
    return sorted(json.dumps(i, sort_keys=True) for i in items)


@pytest.fixture(scope="module", params=CAPTURES or [None], ids=lambda p: p.stem if p else "none")
def loaded(request):
    if request.param is None:
        pytest.skip(f"no reference captures in {SHARED} (../shared absent)")
    golden = golden_for(request.param)
    if golden is None:
        pytest.skip(f"no golden answers for {request.param.name}")
    cap = NativeCapture(request.param)
    assert cap.wait(COMPLETE, timeout=120) == COMPLETE
    return cap, golden


def test_metadata(loaded):
    cap, golden = loaded
    want = {k: v for k, v in golden["metadata"].items() if not k.startswith("is_")}
    assert metadata(cap) == want


def test_counts(loaded):
    cap, golden = loaded
    ours = counts(cap)
    assert ours == {k: golden["counts"][k] for k in ours}


def test_container_metadata(loaded):
    cap, golden = loaded
    m = cap.meta()
    assert m["compression"] == golden["capture"]["compression"]
    assert m["streams"] == golden["capture"]["streams"]
    assert m["file_version_str"] == golden["capture"]["file_version"]
    assert m["file_size"] == golden["capture"]["size_bytes"]


def test_threads(loaded):
    cap, golden = loaded
    assert _canon(threads(cap)) == _canon(golden["get_threads"])


def test_frame_stats(loaded):
    cap, golden = loaded
    assert _canon(frame_stats(cap)) == _canon(golden["get_all_frame_stats"])


def test_per_srcloc_stats(loaded):
    cap, golden = loaded
    ours = per_srcloc(cap)
    assert set(ours) == {str(i) for ids in golden["hints"]["srcloc_ids"].values() for i in ids}
    for sid, want in golden["per_srcloc_id"].items():
        assert ours[sid] == want, sid


def test_zone_trees_are_consistent(loaded):
    cap, _ = loaded
    parent = cap.column("zones", "parent")
    depth = cap.column("zones", "depth")
    end = cap.column("zones", "subtree_end")
    n = len(parent)
    rows = np.arange(n)
    assert (end > rows).all() and (end <= n).all()
    roots = parent < 0
    assert (depth[roots] == 0).all()
    kids = ~roots
    assert (depth[kids] == depth[parent[kids]] + 1).all()
    assert (parent[kids] < rows[kids]).all() and (end[parent[kids]] >= end[kids]).all()
    # per-srcloc zone lists cover each listed zone exactly once, grouped by srcloc
    listed = cap.column("srcloc_zones", "zone")
    assert len(np.unique(listed)) == len(listed)
    sl = cap.column("zones", "srcloc")[listed]
    b, e = cap.column("srclocs", "zones_begin"), cap.column("srclocs", "zones_end")
    for row in range(cap.rows("srclocs")):
        assert (sl[b[row] : e[row]] == row).all()


def test_progress_reaches_total(loaded):
    cap, _ = loaded
    done, total, stage = cap.progress()
    assert done == total > 0 and stage == "done"


# ---------------------------------------------------------------------------------------------------------------
# Bad input: one clear error, never a crash.


def _load(path: Path) -> NativeCapture:
    cap = NativeCapture(path)
    cap.wait(COMPLETE, timeout=60)
    return cap


def test_wrong_magic(tmp_path):
    p = tmp_path / "bad.tracy"
    p.write_bytes(b"not a tracy capture at all" * 10)
    with pytest.raises(CaptureFormatError, match="magic"):
        _load(p)


def test_empty_and_tiny_files(tmp_path):
    for i, data in enumerate([b"", b"tr", b"tr\xfdP", b"tr\xfdP\x01", b"tr\xfdP\x01\x04", b"tr\xfdP\x07\x01"]):
        p = tmp_path / f"tiny{i}.tracy"
        p.write_bytes(data)
        with pytest.raises(CaptureFormatError):
            _load(p)


@needs_shared
def test_truncated_files(tmp_path):
    data = min(CAPTURES, key=lambda c: c.stat().st_size).read_bytes()
    rng = random.Random(3)
    cuts = sorted(
        {6, 7, 9, 10, 100, 4096, len(data) // 2, len(data) - 1} | {rng.randrange(6, len(data)) for _ in range(8)}
    )
    for cut in cuts:
        p = tmp_path / f"cut{cut}.tracy"
        p.write_bytes(data[:cut])
        with pytest.raises(CaptureFormatError):
            _load(p)


def _lz4_capture() -> Path | None:
    for c in CAPTURES:
        head = c.read_bytes()[:6]
        if head[:4] == b"tr\xfdP" and head[4] == 0 and head[5] == 1:
            return c
    return None


@pytest.fixture(scope="module")
def payload():
    if not CAPTURES:
        pytest.skip(f"no reference captures in {SHARED} (../shared absent)")
    if not lz4_available():
        pytest.skip("the system liblz4 is not loadable through ctypes")
    src = _lz4_capture()
    if src is None:
        pytest.skip("no single-stream LZ4 capture among the reference captures")
    return src, read_lz4_payload(src)


def test_reencoded_payload_loads_the_same(payload, tmp_path):
    src, data = payload
    for streams in (1, 3):
        p = tmp_path / f"re{streams}.tracy"
        p.write_bytes(make_capture(data, streams))
        cap = _load(p)
        assert cap.meta()["zone_count"] == golden_for(src)["counts"]["get_zone_count"]
        assert cap.meta()["payload_size"] == len(data)


def test_truncated_payloads(payload, tmp_path):
    _, data = payload
    rng = random.Random(7)
    cuts = sorted(
        {0, 3, 8, 20, 100, 1000, len(data) // 3, len(data) - 1} | {rng.randrange(len(data)) for _ in range(12)}
    )
    for cut in cuts:
        p = tmp_path / f"pcut{cut}.tracy"
        p.write_bytes(make_capture(data[:cut]))
        with pytest.raises(CaptureFormatError, match="truncated|corrupt"):
            _load(p)


@pytest.mark.parametrize(
    "version,word", [((0, 15, 0), "newer"), ((1, 0, 0), "newer"), ((0, 6, 3), "too old"), ((0, 3, 0), "too old")]
)
def test_unsupported_versions(payload, tmp_path, version, word):
    _, data = payload
    p = tmp_path / "ver.tracy"
    p.write_bytes(make_capture(with_version(data, *version)))
    with pytest.raises(UnsupportedVersionError, match=r"{}\.{}\.{}.*{}".format(*version, word)):
        _load(p)


def test_flipped_bytes_never_crash(payload, tmp_path):
    _, data = payload
    rng = random.Random(11)
    outcomes = {"ok": 0, "error": 0}
    for i in range(24):
        buf = bytearray(data)
        # corrupt the front half mostly: counts, sizes, nesting
        for _ in range(rng.choice([1, 4, 32])):
            pos = rng.randrange(min(len(buf), 2_000_000))
            buf[pos] ^= 1 << rng.randrange(8)
        p = tmp_path / f"flip{i}.tracy"
        p.write_bytes(make_capture(bytes(buf)))
        try:
            _load(p)
            outcomes["ok"] += 1
        except CaptureFormatError:
            outcomes["error"] += 1
    assert sum(outcomes.values()) == 24


def test_corrupt_compressed_block(tmp_path):
    if not CAPTURES:
        pytest.skip(f"no reference captures in {SHARED} (../shared absent)")
    data = bytearray(min(CAPTURES, key=lambda c: c.stat().st_size).read_bytes())
    for i in range(10, 2000, 97):
        data[i] ^= 0x5A
    p = tmp_path / "garbled.tracy"
    p.write_bytes(bytes(data))
    with pytest.raises(CaptureFormatError):
        _load(p)


def test_close_while_loading():
    if not CAPTURES:
        pytest.skip(f"no reference captures in {SHARED} (../shared absent)")
    big = max(CAPTURES, key=lambda c: c.stat().st_size)
    for _ in range(3):
        cap = NativeCapture(big)
        del cap  # tshim_close cancels and joins the loader


def test_ready_before_complete_has_tables():
    if not CAPTURES:
        pytest.skip(f"no reference captures in {SHARED} (../shared absent)")
    cap = NativeCapture(CAPTURES[0])
    assert cap.wait(READY, timeout=60) >= READY
    assert "zones" in cap.tables() and cap.rows("zones") > 0


def test_hash_order_reproduces_upstream_name_resolution(loaded):
    """srclocs.hash_order is upstream's per-srcloc map order: the first srcloc of a name in that order is the one
    upstream's get_all_zone_source_locations reports (quirk 2), the last one with zones wins get_all_zone_stats
    (quirk 1)."""
    cap, golden = loaded
    s = Strings(cap)
    order_col = cap.column("srclocs", "hash_order")
    order = [int(r) for r in np.argsort(order_col, kind="stable") if order_col[r] >= 0]
    assert sorted(order_col[order]) == list(range(len(order)))
    lines = cap.column("srclocs", "line")
    counts = cap.column("srclocs", "zone_count")
    first: dict[str, int] = {}
    last_with_zones: dict[str, int] = {}
    for r in order:
        name = zone_name(s, cap, r)
        first.setdefault(name, int(lines[r]))
        if counts[r] > 0:
            last_with_zones[name] = int(counts[r])
    assert first == {k: v["line"] for k, v in golden["get_all_zone_source_locations"].items()}
    assert last_with_zones == {k: v["count"] for k, v in golden["get_all_zone_stats"].items()}


def test_hostile_lengths_do_not_allocate(tmp_path):
    """A tiny file split into many blocks claims a gigantic string and zone count: the reader fails on the missing
    bytes without reserving memory for what the counts claim."""
    import resource
    import struct

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cases = {
        "string": payload_front() + struct.pack("<QQQ", 1, 0x1234, 1 << 33) + bytes(200_000),
        "strings": payload_front() + struct.pack("<Q", 1 << 40) + bytes(200_000),
    }
    for name, payload in cases.items():
        p = tmp_path / f"{name}.tracy"
        p.write_bytes(make_capture(payload, block_size=1))  # ~13 GB of possible payload on paper
        with pytest.raises(CaptureFormatError, match="truncated|corrupt"):
            _load(p)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 300


def test_internal_order_reproduces_upstream_truncation(loaded):
    """Upstream truncates get_zone_durations at 100000 items in its internal order (quirk 9): srclocs of the name in
    hash_order, each srcloc's zones in srcloc_zones order. Our tables reproduce exactly which durations survive."""
    dump_golden = golden_module("dump_golden")

    cap, golden = loaded
    s = Strings(cap)
    order_col = cap.column("srclocs", "hash_order")
    order = [int(r) for r in np.argsort(order_col, kind="stable") if order_col[r] >= 0]
    begin, end = cap.column("srclocs", "zones_begin"), cap.column("srclocs", "zones_end")
    listed = cap.column("srcloc_zones", "zone")
    start, stop = cap.column("zones", "start"), cap.column("zones", "end")
    checked = 0
    for name, answers in golden.get("per_zone_name", {}).items():
        want = answers.get("get_zone_durations")
        if not isinstance(want, dict) or want.get("default") == "same_as_all":
            continue
        durations: list[int] = []
        for r in order:
            if zone_name(s, cap, r) == name:
                rows = listed[begin[r] : end[r]]
                durations.extend((stop[rows] - start[rows]).tolist())
        assert json.loads(json.dumps(dump_golden.store(durations[:100000]))) == want["default"], name
        checked += 1
    if checked == 0:
        pytest.skip("no truncated duration list in this capture's golden answers")


def test_sections(loaded):
    cap, golden = loaded
    s = Strings(cap)
    described = dict(
        zip(
            cap.column("section_categories", "category").tolist(),
            cap.column("section_categories", "description").tolist(),
            strict=True,
        )
    )
    ours = [
        {"category": s(described.get(cat, -1)), "start": int(b), "end": int(e), "text": s(int(t))}
        for cat, b, e, t in zip(
            cap.column("sections", "category").tolist(),
            cap.column("sections", "start"),
            cap.column("sections", "end"),
            cap.column("sections", "text"),
            strict=True,
        )
    ]
    assert _canon(ours) == _canon(golden["get_sections"])


def test_messages(loaded):
    cap, golden = loaded
    s = Strings(cap)
    tids = cap.column("threads", "tid")
    ours = sorted(
        (int(t), s(int(x)), int(c), int(tids[th]) if th >= 0 else None)
        for t, x, c, th in zip(
            cap.column("messages", "time"),
            cap.column("messages", "text"),
            cap.column("messages", "color"),
            cap.column("messages", "thread"),
            strict=True,
        )
    )
    want = golden["get_messages"]
    if isinstance(want, dict):  # digest of a long list
        assert len(ours) == want["len"]
    else:
        assert sorted((m["time"], m["text"], m["color"]) for m in want) == [o[:3] for o in ours]
