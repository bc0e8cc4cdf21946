"""Saving captures: load -> save -> load gives the same answers, for every shared capture, both compressions and
several stream counts; a failed save leaves nothing behind; an existing file is only replaced when asked."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import GOLDEN, golden_module, shared_captures

from tracy_mcp import open_capture
from tracy_mcp.export.save import SaveError, SaveResult, resolve_save_path

BIG_FILE = 6_000_000  # bytes: a full dump of these takes a minute; they get the table comparison only
SMALL = "clientapp-0.14.0"
# Metadata describing the file rather than the capture.
FILE_META = {
    "file_size",
    "compression",
    "streams",
    "file_version",
    "file_version_str",
    "payload_size",
    "tail_offset",
    "payload_trailing_bytes",
}


def _captures(big: bool) -> list[Any]:
    caps = [c for c in shared_captures() if (c.stat().st_size > BIG_FILE) == big]
    if not caps:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason="no shared captures found (set TRACY_MCP_SHARED to the shared/ folder)"),
            )
        ]
    return [pytest.param(c, id=c.stem, marks=[pytest.mark.slow] if big else []) for c in caps]


def _small_capture() -> Path:
    caps = [c for c in shared_captures() if c.stem == SMALL]
    if not caps:
        pytest.skip(f"shared capture {SMALL}.tracy not found (set TRACY_MCP_SHARED to the shared/ folder)")
    return caps[0]


def _tables(ctx: Any) -> dict[str, dict[str, np.ndarray]]:
    native = ctx._require_native()
    return {t: {c: np.array(native.column(t, c)) for c in native.columns(t)} for t in native.tables()}


def _table_diffs(a: Any, b: Any) -> list[str]:
    """Every table, column and capture metadata value that differs between two loaded captures."""
    ta, tb = _tables(a), _tables(b)
    diffs = [f"table {t} missing" for t in set(ta) ^ set(tb)]
    for t in sorted(set(ta) & set(tb)):
        for c in sorted(set(ta[t]) | set(tb[t])):
            x, y = ta[t].get(c), tb[t].get(c)
            if x is None or y is None or x.shape != y.shape or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                diffs.append(f"{t}.{c}")
    ma, mb = a._require_native().meta(), b._require_native().meta()
    diffs += [
        f"meta {k}: {ma.get(k)!r} != {mb.get(k)!r}"
        for k in sorted(set(ma) | set(mb))
        if k not in FILE_META and ma.get(k) != mb.get(k)
    ]
    return diffs


def _save_and_compare(src: Path, tmp: Path, configs: list[tuple[str, int]]) -> list[Any]:
    """Saves `src` once per (compression, streams); returns the reloaded captures' table differences."""
    with open_capture(src) as original:
        for compression, streams in configs:
            out = tmp / f"{compression}-{streams}.tracy"
            result = original.save(out, compression=compression, streams=streams)
            assert isinstance(result, SaveResult)
            assert result.path == str(out) and out.stat().st_size == result.compressed_bytes
            assert result.uncompressed_bytes > result.compressed_bytes > 0 and result.ratio > 1
            with open_capture(out) as again:
                meta = again._require_native().meta()
                assert (meta["compression"], meta["streams"], meta["file_version_str"]) == (
                    compression,
                    streams,
                    "0.14.0",
                )
                assert meta["payload_trailing_bytes"] == 0
                assert _table_diffs(original, again) == [], f"{compression}/{streams}"
    return []


def _distinct_small_captures() -> list[Any]:
    """Small captures with distinct content: the "-lz4"/"-zstd19-8streams" copies hold the same capture as their
    base file (their round trip is covered by the stricter table comparison below)."""
    params = _captures(big=False)
    stems = {p.values[0].stem for p in params if p.values[0] is not None}

    def is_copy(stem: str) -> bool:
        return any(stem.startswith(base + "-") for base in stems if base != stem)

    return [p for p in params if p.values[0] is None or not is_copy(p.values[0].stem)]


@pytest.mark.parametrize("capture", _distinct_small_captures())
def test_round_trip_keeps_every_golden_answer(capture: Path, tmp_path: Path) -> None:
    golden_path = GOLDEN / f"{capture.stem}.json"
    if not golden_path.is_file():
        pytest.skip(f"no golden answers at {golden_path}")
    dump_golden = golden_module("dump_golden")
    dump_golden.GUARDED = set()
    golden = json.loads(golden_path.read_text())
    with open_capture(capture) as ctx:
        before = json.loads(json.dumps(dump_golden.dump(ctx, hints=golden["hints"])))
        ctx.save(tmp_path / "copy", streams=3)  # ".tracy" is appended
    with open_capture(tmp_path / "copy.tracy") as ctx:
        after = json.loads(json.dumps(dump_golden.dump(ctx, hints=golden["hints"])))
    diffs = dump_golden.compare(before, after)
    assert diffs == [], f"{len(diffs)} answers changed by the round trip:\n" + "\n".join(map(str, diffs[:40]))


@pytest.mark.parametrize("capture", _captures(big=False))
def test_round_trip_tables_with_both_compressions(capture: Path, tmp_path: Path) -> None:
    _save_and_compare(capture, tmp_path, [("zstd", 1), ("zstd", 4), ("lz4", 1), ("lz4", 8)])


@pytest.mark.parametrize("capture", _captures(big=True))
def test_round_trip_tables_of_large_captures(capture: Path, tmp_path: Path) -> None:
    _save_and_compare(capture, tmp_path, [("zstd", 4), ("lz4", 2)])


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with open_capture(_small_capture()) as ctx:
        result = ctx.save(
            tmp_path / "p.tracy", level=9, streams=2, progress=lambda d, t: seen.append((d, t)), poll_s=0.005
        )
    assert seen, "no progress was reported"
    assert all(0 <= d <= t for d, t in seen if t)
    assert seen[-1][0] <= result.uncompressed_bytes


def test_cancel_leaves_nothing(tmp_path: Path) -> None:
    with open_capture(_small_capture()) as ctx:
        with pytest.raises(SaveError, match="cancelled"):
            ctx.save(tmp_path / "c.tracy", level=19, streams=1, progress=lambda d, t: False, poll_s=0.001)
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "keep.tracy"
    target.write_bytes(b"precious")
    with open_capture(_small_capture()) as ctx:
        with pytest.raises(SaveError, match="exists"):
            ctx.save(target)
        assert target.read_bytes() == b"precious"
        ctx.save(target, overwrite=True, compression="lz4")
    assert target.read_bytes()[:4] == b"tr\xfdP"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tracy"]


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with open_capture(_small_capture()) as ctx:
        with pytest.raises(SaveError, match="compression"):
            ctx.save(tmp_path / "x", compression="gzip")
        with pytest.raises(SaveError, match="streams"):
            ctx.save(tmp_path / "x", streams=0)
        with pytest.raises(SaveError, match="does not exist"):
            ctx.save(tmp_path / "no" / "such" / "dir.tracy")
    assert list(tmp_path.iterdir()) == []


def test_resolve_save_path(tmp_path: Path) -> None:
    assert resolve_save_path("snap", tmp_path) == tmp_path / "snap.tracy"
    assert resolve_save_path(tmp_path / "a.tracy") == tmp_path / "a.tracy"
    with pytest.raises(SaveError, match="absolute"):
        resolve_save_path("snap", None)
    with pytest.raises(SaveError, match="bare file name"):
        resolve_save_path("sub/snap", tmp_path)


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    """A real write failure: the file-size limit (RLIMIT_FSIZE) of a child process, below the capture's size."""
    src = _small_capture()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        from tracy_mcp import open_capture
        from tracy_mcp.export.save import SaveError
        with open_capture({str(src)!r}) as ctx:
            try:
                ctx.save({str(tmp_path / "big.tracy")!r}, compression="lz4")
            except SaveError as e:
                print("refused:", e)
                sys.exit(0)
        sys.exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cannot write" in done.stdout
    assert list(tmp_path.iterdir()) == [], "a failed save left a file behind"


def _bytes_after_frame_images(ctx: Any) -> int:
    """Payload bytes of the sections that follow the frame images (context switches ... source files)."""
    n = ctx._require_native()

    def col(t: str, c: str) -> np.ndarray:
        return np.asarray(n.column(t, c))

    size = 8 + 16 * len(col("ctx_switch_threads", "tid")) + 36 * len(col("ctx_switches", "start"))
    size += 8 + 256 * 8 + 18 * len(col("cpu_switches", "start"))
    size += 8 + 16 * len(col("tid_pids", "tid")) + 8 + 24 * len(col("cpu_thread_data", "tid"))
    size += 24 + 32 * len(col("symbols", "addr"))
    size += 8 + 12 * len(col("symbol_code", "addr")) + int(col("symbol_code", "size").sum())
    size += 8 + 16 * len(col("code_symbols", "addr"))
    hw = col("hw_samples", "addr")
    runs = int(np.count_nonzero(np.diff(hw))) + 1 if len(hw) else 0
    size += 8 + 56 * runs + 8 * len(hw)
    names = col("source_files", "name")
    name_bytes = int(col("strings", "size")[names].sum()) if len(names) else 0
    size += 8 + 8 * len(names) + name_bytes + int(col("source_files", "size").sum())
    return size


def _with_frame_images(tmp_path: Path, images: list[tuple[int, int, int, bytes]]) -> Path:
    """A real capture with `images` (width, height, flip, DXT1 bytes) put in its frame image section."""
    import struct

    from engine_craft import lz4_available, make_capture, read_lz4_payload

    if not lz4_available():
        pytest.skip("liblz4 not found through ctypes")
    plain = tmp_path / "plain.tracy"
    with open_capture(_small_capture()) as ctx:
        ctx.save(plain, compression="lz4", streams=1)
        tail = _bytes_after_frame_images(ctx)
    payload = read_lz4_payload(plain)
    at = len(payload) - tail - 12
    assert payload[at : at + 12] == struct.pack("<IQ", 0, 0), "frame image section not where expected"
    section = struct.pack("<IQ", 0, len(images))
    for w, h, flip, data in images:
        section += struct.pack("<HHB", w, h, flip) + data
    crafted = tmp_path / "images.tracy"
    crafted.write_bytes(make_capture(payload[:at] + section + payload[at + 12 :]))
    return crafted


def test_frame_images_survive_the_round_trip(tmp_path: Path) -> None:
    """No shared capture has frame images: add two to a real capture's payload, then load, save and load."""
    images = [(8, 4, 1, bytes(range(16))), (4, 4, 0, b"\xa5" * 8)]
    with open_capture(_with_frame_images(tmp_path, images)) as ctx:
        native = ctx._require_native()
        assert np.asarray(native.column("frame_images", "width")).tolist() == [8, 4]
        assert bytes(np.asarray(native.column("frame_image_bytes", "data"))) == images[0][3] + images[1][3]
        ctx.save(tmp_path / "again.tracy", streams=2)
        with open_capture(tmp_path / "again.tracy") as again:
            assert _table_diffs(ctx, again) == []


def test_frame_image_dictionary(tmp_path: Path) -> None:
    """fi_dict stores a zstd dictionary trained on the images in front of them; the images read back unchanged."""
    rng = np.random.default_rng(7)
    blocks = [rng.integers(0, 256, 8, dtype=np.uint8).tobytes() for _ in range(32)]
    images = [(64, 32, 0, b"".join(blocks[int(k)] for k in rng.integers(0, 32, 128))) for _ in range(64)]
    with open_capture(_with_frame_images(tmp_path, images)) as ctx:
        plain = ctx.save(tmp_path / "plain-dict.tracy")
        with_dict = ctx.save(tmp_path / "dict.tracy", fi_dict=True)
        assert with_dict.uncompressed_bytes > plain.uncompressed_bytes + 1000, "no dictionary was stored"
        with open_capture(tmp_path / "dict.tracy") as again:  # the images start later in the payload
            assert _table_diffs(ctx, again) == ["frame_images.offset"]
