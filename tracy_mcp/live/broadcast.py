"""Tracy's UDP announcements: a running instrumented program broadcasts on port 8086 every few seconds.

Wire facts (little-endian, packed; the program name is sent only up to and including its NUL, so packets are
shorter than the fixed layout):

- version 3: u16 version, u16 listen port, u32 protocol, u64 pid, i32 active seconds, name (<= 64 bytes)
- version 2: u16 version, u16 listen port, u32 protocol, i32 active seconds, name
- version 1: u32 version, u32 protocol, u32 listen port, u32 active seconds, name
- version 0: u32 version, u32 protocol, u32 active seconds, name (the listen port is always 8086)

An active time of -1 means the program is exiting. Versions 0 and 1 store the version in 32 bits; the low 16 bits
read the same, so the first u16 tells every version apart.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable

import attrs

BROADCAST_PORT = 8086
DEFAULT_LISTEN_PORT = 8086
NAME_CAPACITY = 64
MAX_BROADCAST_VERSION = 3

# Network protocol versions our engine speaks, with the Tracy releases that use them.
SUPPORTED_PROTOCOLS: dict[int, str] = {82: "0.14.x", 76: "0.13.x"}

# Protocol version -> Tracy release(s), to name a program's Tracy version in error messages.
KNOWN_PROTOCOLS: dict[int, str] = {
    40: "0.7.2",
    42: "0.7.3-0.7.4",
    44: "0.7.5",
    46: "0.7.6-0.7.8",
    55: "0.8.0",
    56: "0.8.1",
    57: "0.8.2",
    63: "0.9.x",
    64: "0.10",
    66: "0.11.0",
    69: "0.11.1",
    74: "0.12.x",
    76: "0.13.x",
    82: "0.14.x",
}

# (fixed header layout, whether it carries a pid, whether it carries a port) per broadcast version.
_LAYOUTS: dict[int, tuple[struct.Struct, tuple[str, ...]]] = {
    3: (struct.Struct("<HHIQi"), ("version", "port", "protocol", "pid", "active_time")),
    2: (struct.Struct("<HHIi"), ("version", "port", "protocol", "active_time")),
    1: (struct.Struct("<IIIi"), ("version", "protocol", "port", "active_time")),
    0: (struct.Struct("<IIi"), ("version", "protocol", "active_time")),
}


class BroadcastError(ValueError):
    """A datagram on the broadcast port is not a Tracy announcement we can read."""


def tracy_release(protocol: int) -> str:
    """A human name for the Tracy release speaking `protocol`, e.g. 'Tracy 0.14.x (protocol 82)'."""
    release = KNOWN_PROTOCOLS.get(protocol)
    if release is None:
        newest = max(KNOWN_PROTOCOLS)
        hint = "newer than 0.14" if protocol > newest else "unknown release"
        return f"protocol {protocol} ({hint})"
    return f"Tracy {release} (protocol {protocol})"


@attrs.frozen
class Broadcast:
    """One parsed announcement."""

    broadcast_version: int
    protocol: int
    port: int
    active_time: int  # seconds the program has run; -1 = it is exiting
    program: str
    pid: int | None = None  # only version 3 carries it
    address: str | None = None  # sender's IP, when received from the network

    @property
    def exiting(self) -> bool:
        return self.active_time < 0

    @property
    def supported(self) -> bool:
        return self.protocol in SUPPORTED_PROTOCOLS

    def describe(self) -> dict[str, object]:
        return {
            "program": self.program,
            "pid": self.pid,
            "address": self.address,
            "port": self.port,
            "protocol": self.protocol,
            "tracy": tracy_release(self.protocol),
            "supported": self.supported,
            "active_seconds": self.active_time,
            "exiting": self.exiting,
            "broadcast_version": self.broadcast_version,
        }

    def mismatch_message(self) -> str:
        """The one-line error for a program whose protocol we do not speak."""
        ours = " and ".join(f"{tracy_release(p)}" for p in SUPPORTED_PROTOCOLS)
        pid = f", pid {self.pid}" if self.pid else ""
        return (
            f"'{self.program}'{pid} on port {self.port} speaks {tracy_release(self.protocol)}, but this server "
            f"speaks {ours}: rebuild the program against Tracy 0.14 or 0.13, or open it with the Tracy profiler "
            f"of its own version and save a .tracy file to load here."
        )


def parse_broadcast(data: bytes, address: str | None = None) -> Broadcast:
    """Parse one datagram; raises BroadcastError when it is not a readable Tracy announcement."""
    if len(data) < 2:
        raise BroadcastError(f"datagram of {len(data)} bytes is too short for a Tracy broadcast")
    (version,) = struct.unpack_from("<H", data)
    if version > MAX_BROADCAST_VERSION:
        raise BroadcastError(f"broadcast version {version} is newer than the versions 0-3 we read")
    layout, names = _LAYOUTS[version]
    if len(data) < layout.size:
        raise BroadcastError(f"version {version} broadcast of {len(data)} bytes is shorter than its header")
    if len(data) > layout.size + NAME_CAPACITY:
        raise BroadcastError(f"version {version} broadcast of {len(data)} bytes is longer than its layout")
    fields = dict(zip(names, layout.unpack_from(data), strict=False))
    raw_name = data[layout.size :]
    name = raw_name.split(b"\0", 1)[0].decode("utf-8", "replace")
    return Broadcast(
        broadcast_version=version,
        protocol=fields["protocol"],
        port=fields.get("port", DEFAULT_LISTEN_PORT),
        active_time=fields["active_time"],
        program=name,
        pid=fields.get("pid") or None,
        address=address,
    )


def encode_broadcast(b: Broadcast) -> bytes:
    """The wire form of `b`, as a client of its broadcast version sends it (used to craft test packets)."""
    layout, names = _LAYOUTS[b.broadcast_version]
    values = {
        "version": b.broadcast_version,
        "port": b.port,
        "protocol": b.protocol,
        "pid": b.pid or 0,
        "active_time": b.active_time,
    }
    name = b.program.encode()[: NAME_CAPACITY - 1]
    return layout.pack(*(values[n] for n in names)) + name + b"\0"


def open_listener(port: int = BROADCAST_PORT) -> socket.socket:
    """A UDP socket receiving broadcasts on `port`, shareable with other listeners (e.g. Tracy's own profiler)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        except OSError:
            pass
    try:
        sock.bind(("", port))
    except OSError:
        sock.close()
        raise
    return sock


def listen(
    seconds: float,
    until: Callable[[Broadcast], bool] | None = None,
    port: int = BROADCAST_PORT,
    sock: socket.socket | None = None,
) -> list[Broadcast]:
    """Collect announcements for up to `seconds` (returning early once `until` accepts one).

    One entry per (address, port), the latest kept. Datagrams that are not Tracy broadcasts are ignored.
    Raises OSError when the port cannot be opened.
    """
    own = sock is None
    sock = open_listener(port) if sock is None else sock
    seen: dict[tuple[str | None, int], Broadcast] = {}
    deadline = time.monotonic() + seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(min(remaining, 0.25))
            try:
                data, (host, _) = sock.recvfrom(2048)
            except TimeoutError:
                continue
            try:
                b = parse_broadcast(data, host)
            except BroadcastError:
                continue
            seen[(b.address, b.port)] = b
            if until is not None and until(b):
                break
    finally:
        if own:
            sock.close()
    return list(seen.values())


def is_local(address: str) -> bool:
    # 0.0.0.0 is the source of a broadcast sent before the host has an address (e.g. loopback-only).
    return address in ("localhost", "::1", "0.0.0.0") or address.startswith("127.")


def matches(b: Broadcast, address: str, port: int) -> bool:
    """Whether announcement `b` comes from the client at `address`:`port`."""
    if b.port != port:
        return False
    if b.address is None or b.address == address:
        return True
    # A client on this machine may announce from any of its own addresses.
    return is_local(address) and (is_local(b.address) or b.address in _own_addresses())


def _own_addresses() -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        return set()
