"""Builds .tracy containers around a payload of our choosing (for error-handling tests), and checks that byte-flipped
variants of a payload answer queries or fail clearly.

Decompressing a real capture uses the system's liblz4 (already a build dependency of the engine) through ctypes;
re-compressing needs no library: LZ4 blocks made only of literals are valid LZ4.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import random
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tracy_mcp
from tracy_mcp.errors import CaptureFormatError, TracyMcpError

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


def read_lz4_payload(path: Path, blocks: int | None = None) -> bytes:
    """The decompressed payload of a single-stream LZ4 capture (`tr\\xfdP` or the legacy `tlZ\\x04` container);
    only its first `blocks` blocks when given."""
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
    done = 0
    while off < len(data) and (blocks is None or done < blocks):
        done += 1
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


class _ZstdBuffer(ctypes.Structure):  # ZSTD_inBuffer / ZSTD_outBuffer: pointer, size, position
    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t), ("pos", ctypes.c_size_t)]


def _zstd() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("zstd")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.ZSTD_createDStream.restype = ctypes.c_void_p
    lib.ZSTD_freeDStream.argtypes = [ctypes.c_void_p]
    lib.ZSTD_decompressStream.restype = ctypes.c_size_t
    lib.ZSTD_decompressStream.argtypes = [ctypes.c_void_p, ctypes.POINTER(_ZstdBuffer), ctypes.POINTER(_ZstdBuffer)]
    lib.ZSTD_isError.argtypes = [ctypes.c_size_t]
    return lib


def zstd_available() -> bool:
    return _zstd() is not None


def read_payload(path: Path, blocks: int | None = None) -> bytes:
    """The decompressed payload of any capture: LZ4 or zstd, one stream or several (block i belongs to stream
    i % streams, each stream decompressed on its own), `tr\\xfdP` or a legacy container; only its first `blocks`
    blocks when given."""
    data = path.read_bytes()
    if data[:4] == LEGACY_LZ4_MAGIC or (data[:4] == MAGIC and data[4] == 0 and data[5] == 1):
        return read_lz4_payload(path, blocks)
    assert data[:4] == MAGIC and data[4] == 1, "needs an LZ4 or zstd capture"
    lib = _zstd()
    assert lib is not None
    streams = [lib.ZSTD_createDStream() for _ in range(data[5])]
    out = bytearray()
    dst = ctypes.create_string_buffer(BLOCK)
    off, block = 6, 0
    try:
        while off < len(data) and (blocks is None or block < blocks):
            (size,) = struct.unpack_from("<I", data, off)
            src = ctypes.create_string_buffer(data[off + 4 : off + 4 + size], size)
            off += 4 + size
            inb = _ZstdBuffer(ctypes.cast(src, ctypes.c_void_p), size, 0)
            outb = _ZstdBuffer(ctypes.cast(dst, ctypes.c_void_p), BLOCK, 0)
            while inb.pos < inb.size:
                r = lib.ZSTD_decompressStream(streams[block % len(streams)], ctypes.byref(outb), ctypes.byref(inb))
                assert not lib.ZSTD_isError(r), "corrupt block"
            out += dst.raw[: outb.pos]
            block += 1
    finally:
        for ds in streams:
            lib.ZSTD_freeDStream(ds)
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


def check_flipped_bytes(
    payload: bytes, queries: dict[str, Callable[[Any], object]], tmp_path: Path, *, variants: int, seed: int
) -> None:
    """Seeded byte flips in `payload`: each variant either fails to load with a CaptureFormatError or loads and
    answers every query (a TracyMcpError is a clear answer too; a numpy IndexError is not). At least one loads."""
    rng = random.Random(seed)
    loaded = 0
    for i in range(variants):
        buf = bytearray(payload)
        for _ in range(rng.choice([2, 8, 32])):
            buf[rng.randrange(8, len(buf))] = rng.choice([0, 0xFF, rng.randrange(256)])
        p = tmp_path / f"flip{i}.tracy"
        p.write_bytes(make_capture(bytes(buf)))
        try:
            cap = tracy_mcp.open_capture(p)
        except CaptureFormatError:
            continue
        loaded += 1
        for name, query in queries.items():
            try:
                query(cap)
            except TracyMcpError:
                pass
            except Exception as exc:  # noqa: BLE001 - the point of the check
                raise AssertionError(f"variant {i}: {name} raised {type(exc).__name__}: {exc}") from exc
        cap.close()
        p.unlink()
    assert loaded > 0
