"""Converts a real Tracy capture of file version 0.9.0 .. 0.11.0 into the layout of an older file version
(0.7.0 .. 0.8.x), for tests of the reader where no real capture of that version is at hand.

The payload is walked section by section (the layout of those versions, from Tracy's loader of each era) and
re-emitted with what the older version did not store left out, or stored its older way:

- < 0.8.5: the symbol code is followed by a table of code addresses per source line; we emit a small one.
- < 0.8.3: plots without show-steps / fill / color.
- < 0.7.15: no per-srcloc GPU zone counts.   < 0.7.14: no per-thread context-switch samples.
- < 0.7.12: context switches without the other thread.   < 0.7.11: threads without the fiber flag.
- < 0.7.10: plots without their sum.   < 0.7.9: threads without kernel sample counts, GPU contexts without
  overflow, no code-to-symbol map, no hardware samples.   < 0.7.8: frame images without a dictionary.
- < 0.7.6: no executable time, GPU contexts without names.   < 0.7.5: zone extras without colors.
- < 0.7.3: one (default) memory pool without a name: named pools' events are dropped.
- < 0.7.1: a GPU context's calibration byte is an accuracy byte (always 0 here).

So the content is the real program's, less what the old format cannot hold.
"""

from __future__ import annotations

import struct
from pathlib import Path

from engine_craft import BLOCK, LEGACY_LZ4_MAGIC, _literal_block, read_lz4_payload


def v(major: int, minor: int, patch: int) -> int:
    return (major << 16) | (minor << 8) | patch


class _Walk:
    """Reads the source payload and writes the converted one; `copy` passes bytes through, `take` drops them."""

    def __init__(self, src: bytes, target: int) -> None:
        self.src = src
        self.pos = 0
        self.out = bytearray()
        self.t = target

    def take(self, n: int) -> bytes:
        b = self.src[self.pos : self.pos + n]
        if len(b) != n:
            raise ValueError(f"source payload ends early at {self.pos}")
        self.pos += n
        return b

    def copy(self, n: int) -> bytes:
        b = self.take(n)
        self.out += b
        return b

    def u(self, fmt: str, keep: bool = True) -> int:
        n = struct.calcsize("<" + fmt)
        b = self.copy(n) if keep else self.take(n)
        return struct.unpack("<" + fmt, b)[0]

    def put(self, fmt: str, value: int | float) -> None:
        self.out += struct.pack("<" + fmt, value)

    def older(self, major: int, minor: int, patch: int) -> bool:
        return self.t < v(major, minor, patch)


def _zones(w: _Walk, n: int) -> None:
    for _ in range(n):
        w.copy(2 + 8 + 4)  # srcloc, start delta, extra
        children = w.u("I")
        _zones(w, children)
        w.copy(8)  # end delta


def _gpu_zones(w: _Walk, n: int) -> None:
    for _ in range(n):
        w.copy(8 + 8 + 2 + 3 + 2)  # cpu/gpu start deltas, srcloc, callstack, thread
        children = w.u("Q")
        _gpu_zones(w, children)
        w.copy(8 + 8)  # cpu/gpu end deltas (no query id before 0.12.4)


def _strlen_copy(w: _Walk) -> None:
    w.copy(w.u("Q"))


def convert_payload(src: bytes, target: tuple[int, int, int]) -> bytes:
    """The payload `src` (file version 0.9.0 .. 0.11.0) in the layout of file version `target` (0.7.0 .. 0.8.x)."""
    tv = v(*target)
    if not v(0, 7, 0) <= tv < v(0, 9, 0):
        raise ValueError("target must be a 0.7.x or 0.8.x file version")
    if src[:5] != b"tracy":
        raise ValueError("not a Tracy payload")
    sv = v(src[5], src[6], src[7])
    if not v(0, 9, 0) <= sv < v(0, 11, 1):
        raise ValueError(f"source must be a 0.9.0 .. 0.11.0 payload, not {src[5]}.{src[6]}.{src[7]}")
    w = _Walk(src, tv)
    w.take(8)
    w.out += b"tracy" + bytes(target)
    w.copy(8)  # delay
    w.copy(8 * 6 + 1 + 4 + 12)  # resolution .. cpu id, manufacturer
    if sv >= v(0, 9, 2):
        w.take(1)  # on-demand flag (0.9.2)
    _strlen_copy(w)  # capture name
    _strlen_copy(w)  # program
    w.copy(8)  # capture time
    w.u("Q", keep=not w.older(0, 7, 6))  # executable time
    _strlen_copy(w)  # host info
    for _ in range(w.u("Q")):  # CPU topology: packages > cores > threads (no dies before 0.11.2)
        w.copy(4)
        for _ in range(w.u("Q")):
            w.copy(4)
            w.copy(4 * w.u("Q"))
    w.copy(8 + 8 + 8 + 4)  # crash event

    for _ in range(w.u("Q")):  # frame sets
        w.copy(8)
        continuous = w.u("B")
        w.copy(w.u("Q") * (12 if continuous else 20))

    for _ in range(w.u("Q")):  # strings
        w.copy(8)
        _strlen_copy(w)
    w.copy(16 * w.u("Q"))  # string ids
    w.copy(16 * w.u("Q"))  # thread names
    w.copy(24 * w.u("Q"))  # external names
    w.copy(8 * w.u("Q"))  # local thread compression
    w.copy(8 * w.u("Q"))  # external thread compression

    srcloc = 9 + 9 + 9 + 4 + 4
    w.copy(w.u("Q") * (8 + srcloc))  # static source locations
    w.copy(8 * w.u("Q"))  # srcloc id -> pointer
    w.copy(srcloc * w.u("Q"))  # dynamic source locations
    w.copy(10 * w.u("Q"))  # per-srcloc CPU zone counts
    n = w.u("Q", keep=not w.older(0, 7, 15))
    w.u(f"{10 * n}s", keep=not w.older(0, 7, 15))  # per-srcloc GPU zone counts

    for _ in range(w.u("Q")):  # locks
        w.copy(4 + 3 + 2)
        w.u("B")  # type
        w.copy(1 + 8 + 8)
        w.copy(8 * w.u("Q"))
        w.copy(12 * w.u("Q"))
    w.copy(w.u("Q") * (8 + 8 + 9 + 4 + 3))  # messages

    extras = w.u("Q")  # zone extras: callstack, text, name, color (Int24 each)
    for _ in range(extras):
        w.copy(9)
        w.u("3s", keep=not w.older(0, 7, 5))
    w.copy(8 + 8)  # zone count, child list count
    for _ in range(w.u("Q")):  # threads
        w.copy(8 + 8)  # tid, zone count
        w.u("Q", keep=not w.older(0, 7, 9))  # kernel sample count
        w.u("B", keep=not w.older(0, 7, 11))  # fiber flag
        _zones(w, w.u("I"))
        w.copy(8 * w.u("Q"))  # message pointers
        keep = not w.older(0, 7, 14)
        n = w.u("Q", keep=keep)
        w.u(f"{11 * n}s", keep=keep)  # context-switch samples
        w.copy(11 * w.u("Q"))  # samples

    w.copy(8 + 8)  # GPU zone count, child list count
    for _ in range(w.u("Q")):  # GPU contexts
        w.copy(8 + 1 + 8 + 4 + 1)  # thread, calibration (accuracy before 0.7.1), count, period, type
        w.u("3s", keep=not w.older(0, 7, 6))  # name
        w.u("Q", keep=not w.older(0, 7, 9))  # overflow
        for _ in range(w.u("Q")):
            w.copy(8)
            _gpu_zones(w, w.u("Q"))

    for _ in range(w.u("Q")):  # plots
        w.copy(2)  # type, format
        style = w.take(1 + 1 + 4)  # show steps, fill, color (0.8.3)
        if not w.older(0, 8, 3):
            w.out += style
        w.copy(8 + 8 + 8)  # name, min, max
        w.u("d", keep=not w.older(0, 7, 10))  # sum
        w.copy(16 * w.u("Q"))

    event = 8 + 8 + 3 + 3 + 8 + 8 + 2 + 2
    pools = w.u("Q", keep=not w.older(0, 7, 3))
    w.u("Q", keep=not w.older(0, 7, 3))  # total events
    have_default = False
    for _ in range(pools):
        name = w.u("Q", keep=False)
        n = w.u("Q", keep=False)
        body = w.take(16 + n * event + 8 * 3)  # active/free counts, events, high, low, usage
        pool_name = w.take(8)
        if not w.older(0, 7, 3):
            w.put("Q", name)
            w.put("Q", n)
            w.out += body + pool_name
        elif name == 0:  # the one pool older files hold
            w.put("Q", n)
            w.out += body
            have_default = True
    if w.older(0, 7, 3) and not have_default:
        w.out += bytes(8 * 6)  # an empty default pool: no events, counts, high, low, usage

    for _ in range(w.u("Q")):  # callstacks
        w.copy(8 * w.u("H"))
    for _ in range(w.u("Q")):  # callstack frames
        w.copy(8)
        entries = w.u("B")
        w.copy(3 + entries * (3 + 3 + 4 + 8))
    w.copy(9 * w.u("Q"))  # app info

    dict_size = w.u("I", keep=not w.older(0, 7, 8))  # frame image dictionary
    w.u(f"{dict_size}s", keep=not w.older(0, 7, 8))
    for _ in range(w.u("Q")):  # frame images
        width, height = w.u("H"), w.u("H")
        w.copy(1 + width * height // 2)

    for _ in range(w.u("Q")):  # context switches per thread
        w.copy(8)
        for _ in range(w.u("Q")):
            w.copy(8 + 8 + 8 + 1 + 1 + 1)
            w.u("q", keep=not w.older(0, 7, 12))  # the other thread
    w.copy(8)  # per-CPU total
    for _ in range(256):
        w.copy(18 * w.u("Q"))
    w.copy(16 * w.u("Q"))  # tid -> pid
    w.copy(24 * w.u("Q"))  # CPU thread data

    w.copy(16)  # symbol location counts
    w.copy(w.u("Q") * (8 + 3 + 3 + 4 + 3 + 3 + 4 + 1 + 3))  # symbols
    for _ in range(w.u("Q")):  # symbol code
        w.copy(8)
        w.copy(w.u("I"))
    if w.older(0, 8, 5):  # code addresses per source line (packed file index << 32 | line, then address deltas)
        w.put("Q", 2)
        for packed, addrs in ((1 << 32 | 10, [0x1000, 0x10, 0x20]), (2 << 32 | 20, [0x2000])):
            w.put("Q", packed)
            w.put("H", len(addrs))
            for a in addrs:
                w.put("Q", a)
    keep = not w.older(0, 7, 9)
    w.u(f"{16 * w.u('Q', keep=keep)}s", keep=keep)  # code -> symbol map
    for _ in range(w.u("Q", keep=keep)):  # hardware samples per address
        w.u("Q", keep=keep)
        for _ in range(6):
            w.u(f"{8 * w.u('Q', keep=keep)}s", keep=keep)
    for _ in range(w.u("Q")):  # source file cache: name, contents
        w.copy(w.u("I"))
        w.copy(w.u("I"))
    if w.pos != len(src):
        raise ValueError(f"source payload has {len(src) - w.pos} bytes after the source file cache")
    return bytes(w.out)


def legacy_container(payload: bytes) -> bytes:
    """The container of captures written by Tracy before 0.11: `tlZ\\x04`, then one stream of LZ4 blocks."""
    out = bytearray(LEGACY_LZ4_MAGIC)
    for i in range(0, max(len(payload), 1), BLOCK):
        block = _literal_block(payload[i : i + BLOCK])
        out += struct.pack("<I", len(block)) + block
    return bytes(out)


def convert_capture(source: Path, target: tuple[int, int, int], out: Path) -> Path:
    """Writes `source` (a legacy-container LZ4 capture of 0.9.0 .. 0.11.0) as a file of version `target`."""
    out.write_bytes(legacy_container(convert_payload(read_lz4_payload(source), target)))
    return out


# File versions of every 0.7 / 0.8 layout (fuzz seeds, tests)
LAYOUTS = [(0, 7, 0), (0, 7, 2), (0, 7, 4), (0, 7, 5), (0, 7, 8), (0, 7, 9), (0, 7, 11), (0, 7, 12), (0, 7, 13)]
LAYOUTS += [(0, 7, 14), (0, 7, 15), (0, 8, 2), (0, 8, 4), (0, 8, 5)]


def main(argv: list[str]) -> int:
    """Fuzz seeds: `python tests/legacy_versions.py OUT_DIR CAPTURE.tracy` writes, for every 0.7 / 0.8 layout, the
    first 4 KiB, 64 KiB and 400 KB of the capture's payload converted to it (the load target wraps raw payloads)."""
    if len(argv) != 3:
        print(main.__doc__)
        return 2
    out, source = Path(argv[1]), Path(argv[2])
    payload = read_lz4_payload(source)
    for version in LAYOUTS:
        converted = convert_payload(payload, version)
        for n in (4096, 65536, 400_000):
            (out / f"{source.stem}-as-{'.'.join(map(str, version))}-{n}").write_bytes(converted[:n])
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv))
