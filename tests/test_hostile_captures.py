"""Hostile and damaged capture files (issue 17): loads that used to hang, loads that can be stopped, and damaged but
loadable captures whose dangling references are repaired at load instead of failing queries later."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import pytest
from conftest import SHARED, shared_captures

from tracy_mcp.engine import COMPLETE, NativeCapture
from tracy_mcp.errors import CaptureFormatError, EngineError

CAPTURES = shared_captures()
needs_shared = pytest.mark.skipif(not CAPTURES, reason=f"no reference captures in {SHARED} (../shared absent)")

HEADER_ZSTD = b"tr\xfdP\x01\x01"  # magic, zstd, one stream
HEADER_LZ4 = b"tr\xfdP\x00\x01"


def _load(path: Path) -> NativeCapture:
    cap = NativeCapture(path)
    cap.wait(COMPLETE, timeout=60)
    return cap


def _smallest() -> Path:
    return min(CAPTURES, key=lambda c: c.stat().st_size)


# -- loads that made no progress per block (zero-length and empty blocks) ----------------------------------------
# These used to take time per block rather than per byte: 9 s for 16 MiB of zeros, ~19 min for 2 GiB, 151 s for a
# real capture followed by 256 MiB of zeros. The timeouts below only catch a hang; they are not speed checks.


@pytest.mark.timeout(60)
def test_header_followed_by_zeros_fails_at_the_first_block(tmp_path: Path) -> None:
    p = tmp_path / "zeros.tracy"
    p.write_bytes(HEADER_ZSTD + bytes(16 << 20))
    with pytest.raises(CaptureFormatError, match=r"block 0 at byte 6 has size 0 .*padded with zeros"):
        _load(p)


@pytest.mark.timeout(60)
def test_two_gib_of_zeros_fails_without_reading_them(tmp_path: Path) -> None:
    p = tmp_path / "sparse.tracy"
    p.write_bytes(HEADER_ZSTD)
    os.truncate(p, 2 << 30)  # sparse: takes no disk space
    with pytest.raises(CaptureFormatError, match="has size 0"):
        _load(p)


@needs_shared
@pytest.mark.timeout(60)
def test_real_capture_padded_with_zeros_names_where_the_padding_starts(tmp_path: Path) -> None:
    real = _smallest().read_bytes()
    p = tmp_path / "padded.tracy"
    p.write_bytes(real)
    os.truncate(p, len(real) + (256 << 20))
    with pytest.raises(CaptureFormatError, match=rf"at byte {len(real)} has size 0"):
        _load(p)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "name,data,message",
    [
        # an LZ4 block whose only token holds no literal: decompresses to 0 bytes
        ("lz4", HEADER_LZ4 + b"\x01\x00\x00\x00\x00" * 200_000, "LZ4 block decompresses to nothing"),
        # a complete zstd frame with empty content
        (
            "zstd",
            HEADER_ZSTD + (struct.pack("<I", 9) + bytes.fromhex("28b52ffd2000010000")) * 100_000,
            "zstd block decompresses to nothing",
        ),
    ],
)
def test_blocks_that_decompress_to_nothing_are_corrupt(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    p = tmp_path / f"{name}.tracy"
    p.write_bytes(data)
    with pytest.raises(CaptureFormatError, match=message):
        _load(p)


# -- cancelling a load ------------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.timeout(60)
def test_cancel_stops_a_load_in_progress() -> None:
    big = max(CAPTURES, key=lambda c: c.stat().st_size)
    cap = NativeCapture(big)
    time.sleep(0.05)
    cap.cancel()
    with pytest.raises(EngineError, match="loading was cancelled"):
        cap.wait(COMPLETE, timeout=30)


@needs_shared
def test_cancel_after_the_load_changes_nothing() -> None:
    cap = _load(_smallest())
    cap.cancel()
    assert cap.state == COMPLETE
    assert cap.rows("zones") > 0
