"""Writes seed inputs for the live decoder's fuzz target (fuzz_live.cpp): small valid event streams of protocol
82 (first byte 0) and 76 (first byte 1), each frame as a 2-byte length and the frame's bytes."""

from __future__ import annotations

import struct
import sys
from pathlib import Path


def frames(*chunks: bytes) -> bytes:
    return b"".join(struct.pack("<H", len(c)) + c for c in chunks)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # protocol 82 codes: ThreadContext 75, ZoneBegin 19, ZoneBegin32 20, ZoneBegin16 21, ZoneEnd16 27, ZoneEnd32 26,
    # SourceLocation 87, StringData 119 (key, u16 length, bytes), SingleStringData8 114, ZoneText 0,
    # SourceLocationPayload 122, ZoneBeginAllocSrcLoc 7, PlotDataDouble 57, FrameMarkMsg 83, Terminate 73
    z82 = (
        struct.pack("<BI", 75, 7)
        + struct.pack("<BqQ", 19, -5, 0xA0)
        + struct.pack("<BIQ", 20, 10, 0xB0)
        + struct.pack("<BBB", 114, 2, 0)
        + b"hi"
        + bytes([0])
        + struct.pack("<BH", 27, 5)
        + struct.pack("<BI", 26, 7)
    )
    dyn = struct.pack("<II", 0xFF0000, 12) + b"fn\0file.py\0name"
    a82 = (
        struct.pack("<BQH", 122, 1, len(dyn))
        + dyn
        + struct.pack("<Bq", 7, 100)
        + struct.pack("<BH", 27, 3)
        + struct.pack("<BQqd", 57, 0x55, 10, 1.5)
        + struct.pack("<BqQ", 83, 2000, 0)
        + struct.pack("<BQQQIBBB", 87, 0x10, 0x11, 0x12, 7, 1, 2, 3)
        + struct.pack("<BQH", 119, 0x11, 3)
        + b"abc"
        + bytes([73])
    )
    (out / "seed-82-zones").write_bytes(b"\0" + frames(z82))
    (out / "seed-82-mixed").write_bytes(b"\0" + frames(z82, a82))
    # protocol 76 codes: ThreadContext 62, ZoneBegin 15, ZoneEnd 17, MessageLiteral 78, LockAnnounce 75,
    # LockWait 18, LockObtain 19, LockRelease 20, MemAlloc 25, MemFree 27, Terminate 60
    z76 = (
        struct.pack("<BI", 62, 3)
        + struct.pack("<BqQ", 15, 50, 0xA0)
        + struct.pack("<Bq", 17, 20)
        + struct.pack("<BqQ", 78, 60, 0x99)
        + struct.pack("<BIqQB", 75, 1, 70, 0xA0, 0)
        + struct.pack("<BIIq", 18, 3, 1, 5)
        + struct.pack("<BIIq", 19, 3, 1, 5)
        + struct.pack("<BIq", 20, 1, 5)
        + struct.pack("<BqIQ", 25, 5, 3, 0x1000)
        + b"\x10\0\0\0\0\0"
        + struct.pack("<BqIQ", 27, 5, 3, 0x1000)
        + bytes([60])
    )
    (out / "seed-76-mixed").write_bytes(b"\1" + frames(z76))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
