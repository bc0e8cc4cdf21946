"""Builds .tracy containers around a payload of our choosing (for error-handling tests).

Decompressing a real capture uses the system's liblz4 (already a build dependency of the engine) through ctypes;
re-compressing needs no library: LZ4 blocks made only of literals are valid LZ4.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
from pathlib import Path

BLOCK = 64 * 1024
MAGIC = b"tr\xfdP"
LEGACY_LZ4_MAGIC = b"tlZ\x04"  # captures written before Tracy 0.11: one LZ4 stream, no header bytes


def _lz4() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("lz4")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def lz4_available() -> bool:
    return _lz4() is not None


def read_lz4_payload(path: Path) -> bytes:
    """The decompressed payload of a single-stream LZ4 capture (`tr\\xfdP` or the legacy `tlZ\\x04` container)."""
    lib = _lz4()
    assert lib is not None
    data = path.read_bytes()
    if data[:4] == LEGACY_LZ4_MAGIC:
        off = 4
    else:
        assert data[:4] == MAGIC and data[4] == 0 and data[5] == 1, "needs an LZ4, one-stream capture"
        off = 6
    out = bytearray()
    prev = ctypes.create_string_buffer(BLOCK)
    prev_size = 0
    while off < len(data):
        (size,) = struct.unpack_from("<I", data, off)
        off += 4
        src = data[off : off + size]
        off += size
        dst = ctypes.create_string_buffer(BLOCK)
        n = lib.LZ4_decompress_safe_usingDict(src, dst, size, BLOCK, prev, prev_size)
        assert n >= 0, "corrupt block"
        out += dst.raw[:n]
        prev, prev_size = dst, n
    return bytes(out)


def _literal_block(chunk: bytes) -> bytes:
    n = len(chunk)
    if n < 15:
        return bytes([n << 4]) + chunk
    rest = n - 15
    ext = b"\xff" * (rest // 255) + bytes([rest % 255])
    return bytes([0xF0]) + ext + chunk


def make_capture(payload: bytes, streams: int = 1, block_size: int = BLOCK) -> bytes:
    """A valid LZ4 container holding `payload` (blocks of at most 64 KiB, spread round-robin over streams)."""
    out = bytearray(MAGIC + bytes([0, streams]))
    for i in range(0, max(len(payload), 1), block_size):
        block = _literal_block(payload[i : i + block_size])
        out += struct.pack("<I", len(block)) + block
    return bytes(out)


def without_compressed_threads(payload: bytes, table: list[int], drop: set[int]) -> bytes:
    """`payload` with the tids `drop` left out of its compressed-thread table `table` (the engine's thread_compress
    column), found by its exact bytes. Only valid when no index stored elsewhere in the file (memory events, GPU
    zones) refers to a dropped entry or one after it."""

    def encode(tids: list[int]) -> bytes:
        return struct.pack(f"<Q{len(tids)}Q", len(tids), *tids)

    old = encode(table)
    assert payload.count(old) == 1, "the compressed-thread table is not found exactly once"
    return payload.replace(old, encode([t for t in table if t not in drop]))


def with_version(payload: bytes, major: int, minor: int, patch: int) -> bytes:
    return payload[:5] + bytes([major, minor, patch]) + payload[8:]


def payload_front(version: tuple[int, int, int] = (0, 14, 0)) -> bytes:
    """The start of a minimal payload: version header, metadata, no CPU topology, no crash, one empty base frame
    set, no sections; what follows is the string table (u64 count, then ptr/size/bytes per string)."""

    def text(b: bytes) -> bytes:
        return struct.pack("<Q", len(b)) + b

    out = b"tracy" + bytes(version)
    out += struct.pack("<qdqQQqBI", 1, 1.0, 1000, 0, 42, 100000, 2, 0) + b"GenuineTest!" + b"\x00"
    out += text(b"crafted") + text(b"prog") + struct.pack("<QQ", 0, 0) + text(b"host")
    out += struct.pack("<Q", 0)  # CPU topology packages
    out += struct.pack("<QqQI", 0, 0, 0, 0)  # crash event
    out += struct.pack("<QQBQ", 1, 0, 1, 0)  # one frame set: name 0, continuous, no frames
    out += struct.pack("<QQ", 0, 0)  # section categories, descriptions
    return out
