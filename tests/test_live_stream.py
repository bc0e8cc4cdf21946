"""The live decoder against crafted client streams, over real loopback TCP; runs anywhere (no namespace needed).

These cover what a real client cannot be made to produce on demand: a corrupt stream, an unknown event type, a
client refusing both protocols, and a protocol-82 stream using each of 0.14's time encodings (the real 0.14
client needs Tracy's C++ library, which the project does not build; tests/test_live.py drives real tracypy
clients). The fake speaks just enough of the client side: handshake, welcome, LZ4 frames, answers to requests.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tracy_mcp import live

SHIBBOLETH = b"TracyPrf"
WELCOME, MISMATCH = 1, 2
OFFSET16, OFFSET32 = 1 << 16, (1 << 16) + (1 << 32)
INIT_BEGIN = 1000

# Wire codes of the event types used here, per protocol (from the two versions' event enumerations).
CODES = {
    82: {
        "ThreadContext": 75,
        "ZoneBegin": 19,
        "ZoneBegin32": 20,
        "ZoneBegin16": 21,
        "ZoneEnd": 25,
        "ZoneEnd32": 26,
        "ZoneEnd16": 27,
        "SourceLocation": 87,
        "Terminate": 73,
        "StringData": 119,
        "ThreadName": 120,
    },
    76: {
        "ThreadContext": 62,
        "ZoneBegin": 15,
        "ZoneEnd": 17,
        "SourceLocation": 74,
        "Terminate": 60,
        "StringData": 104,
        "ThreadName": 105,
    },
}
QUERY_STRING, QUERY_THREAD, QUERY_SRCLOC, QUERY_TERMINATE = 1, 2, 3, 0


def lz4_literals(data: bytes) -> bytes:
    """One LZ4 block holding `data` as literals only (valid, just not compressed)."""
    n = len(data)
    if n < 15:
        return bytes([n << 4]) + data
    out = bytearray([0xF0])
    rest = n - 15
    while rest >= 255:
        out.append(255)
        rest -= 255
    out.append(rest)
    return bytes(out) + data


def welcome(program: str = "fake") -> bytes:
    head = struct.pack("<dqqQQQQqBB", 1.0, INIT_BEGIN, INIT_BEGIN + 100, 10, 1_700_000_000, 0, 4242, 0, 0, 2)
    return (
        head + b"GenuineFake\0" + struct.pack("<I", 7) + program.encode().ljust(64, b"\0") + b"host".ljust(1024, b"\0")
    )


class FakeClient:
    """Accepts our connections on loopback and plays `script(conn, protocol)` for the protocol we offer."""

    def __init__(self, accept: set[int], script: Callable[[socket.socket, int], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.accept, self.script = accept, script
        self.offered: list[int] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                hello = recv_exact(conn, 12)
                assert hello[:8] == SHIBBOLETH
                protocol = struct.unpack("<I", hello[8:])[0]
                self.offered.append(protocol)
                if protocol not in self.accept:
                    conn.sendall(bytes([MISMATCH]))
                    continue
                conn.sendall(bytes([WELCOME]) + welcome())
                self.script(conn, protocol)
                return

    def close(self) -> None:
        self.stopped = True
        self.thread.join(10)
        self.sock.close()


def recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def send_frame(conn: socket.socket, events: bytes) -> None:
    block = lz4_literals(events)
    conn.sendall(struct.pack("<I", len(block)) + block)


def string_transfer(code: int, key: int, text: bytes) -> bytes:
    return struct.pack("<BQH", code, key, len(text)) + text


def answer_queries(
    conn: socket.socket,
    codes: dict[str, int],
    strings: dict[int, bytes],
    srclocs: dict[int, tuple[int, int, int]],
    until: Callable[[], bool],
) -> None:
    """Answers our requests (strings, thread names, source locations) until `until()` or Terminate."""
    conn.settimeout(10)
    while not until():
        q, arg, _ = struct.unpack("<BQI", recv_exact(conn, 13))
        if q == QUERY_TERMINATE:
            return
        if q == QUERY_STRING:
            send_frame(conn, string_transfer(codes["StringData"], arg, strings[arg]))
        elif q == QUERY_THREAD:
            send_frame(conn, string_transfer(codes["ThreadName"], arg, b"Fake worker"))
        elif q == QUERY_SRCLOC:
            name, function, file = srclocs[arg]
            send_frame(conn, struct.pack("<BQQQIBBB", codes["SourceLocation"], name, function, file, 42, 1, 2, 3))
        else:
            raise AssertionError(f"unexpected request {q}")


def zone_stream(protocol: int) -> tuple[bytes, list[tuple[int, int]]]:
    """Two nested zones on thread 7; returns the events and the expected (start, end) ns of outer and inner."""
    c = CODES[protocol]
    out = bytearray(struct.pack("<BI", c["ThreadContext"], 7))
    a0, b0, b1, a1 = 6_000_000_000, 6_000_070_000, 6_000_070_500, 6_000_170_500  # client ticks
    if protocol == 82:
        # each of 0.14's delta forms: 64-bit (minus OFFSET32), 32-bit (minus OFFSET16), 16-bit, 32-bit
        out += struct.pack("<BqQ", c["ZoneBegin"], a0 - OFFSET32, 0xA0)
        out += struct.pack("<BIQ", c["ZoneBegin32"], (b0 - a0) - OFFSET16, 0xB0)
        out += struct.pack("<BH", c["ZoneEnd16"], b1 - b0)
        out += struct.pack("<BI", c["ZoneEnd32"], (a1 - b1) - OFFSET16)
    else:
        out += struct.pack("<BqQ", c["ZoneBegin"], a0, 0xA0)
        out += struct.pack("<BqQ", c["ZoneBegin"], b0 - a0, 0xB0)
        out += struct.pack("<Bq", c["ZoneEnd"], b1 - b0)
        out += struct.pack("<Bq", c["ZoneEnd"], a1 - b1)
    return bytes(out), [(a0 - INIT_BEGIN, a1 - INIT_BEGIN), (b0 - INIT_BEGIN, b1 - INIT_BEGIN)]


@pytest.mark.parametrize("protocol", [82, 76])
def test_crafted_zones_decode_with_their_names_and_times(protocol: int) -> None:
    events, expected = zone_stream(protocol)
    strings = {0x100: b"outer_fn", 0x101: b"inner_fn", 0x102: b"fake.cpp"}
    srclocs = {0xA0: (0, 0x100, 0x102), 0xB0: (0, 0x101, 0x102)}
    done = threading.Event()

    def script(conn: socket.socket, proto: int) -> None:
        send_frame(conn, events)
        # two source locations, their two functions and file, one thread name
        answered = {"n": 0}
        conn.settimeout(10)
        while answered["n"] < 6:
            q, arg, _ = struct.unpack("<BQI", recv_exact(conn, 13))
            answered["n"] += 1
            if q == QUERY_STRING:
                send_frame(conn, string_transfer(CODES[proto]["StringData"], arg, strings[arg]))
            elif q == QUERY_THREAD:
                send_frame(conn, string_transfer(CODES[proto]["ThreadName"], arg, b"Fake worker"))
            elif q == QUERY_SRCLOC:
                name, function, file = srclocs[arg]
                send_frame(
                    conn, struct.pack("<BQQQIBBB", CODES[proto]["SourceLocation"], name, function, file, 42, 1, 2, 3)
                )
        send_frame(conn, bytes([CODES[proto]["Terminate"]]))
        answer_queries(conn, CODES[proto], strings, srclocs, until=lambda: False)
        done.set()

    fake = FakeClient({protocol}, script)
    try:
        cap = live.connect("127.0.0.1", fake.port, 0)
        assert cap.wait_disconnected(20)
        status = cap.live_status()
        assert status["protocol"] == protocol and status["end_reason"] == "program finished"
        assert fake.offered == ([82] if protocol == 82 else [82, 76])  # 82 is tried first
        cap.refresh()
        native = cap._native  # the snapshot every call below reads
        assert cap.get_zone_count() == 2
        starts = native.column("zones", "start").tolist()
        ends = native.column("zones", "end").tolist()
        assert list(zip(starts, ends, strict=True)) == expected
        assert native.column("zones", "depth").tolist() == [0, 1]
        assert sorted(cap.get_all_zone_stats()) == ["inner_fn", "outer_fn"]
        assert [t["name"] for t in cap.get_threads()] == ["Fake worker"]
        assert cap.get_capture_program() == "fake" and cap.get_pid() == 4242
        assert done.wait(10)
    finally:
        fake.close()


def _broken(events_or_block: bytes, raw_block: bool = False) -> dict[str, Any]:
    def script(conn: socket.socket, proto: int) -> None:
        c = CODES[proto]
        send_frame(conn, struct.pack("<BI", c["ThreadContext"], 7))  # something valid first
        if raw_block:
            conn.sendall(struct.pack("<I", len(events_or_block)) + events_or_block)
        else:
            send_frame(conn, events_or_block)
        try:
            conn.settimeout(5)
            while conn.recv(64):
                pass
        except OSError:
            pass

    fake = FakeClient({82}, script)
    try:
        cap = live.connect("127.0.0.1", fake.port, 0)
        assert cap.wait_disconnected(20)
        status = cap.live_status()
        return {"status": status, "zones": cap.get_zone_count(), "connected": cap.is_connected()}
    finally:
        fake.close()


def test_unknown_event_type_ends_the_session_with_a_clear_error_and_keeps_the_capture() -> None:
    out = _broken(bytes([250, 1, 2, 3]))
    assert out["status"]["end_reason"] == "protocol error"
    assert "unknown event type 250 for protocol 82" in out["status"]["error"]
    assert out["connected"] is False and out["zones"] == 0


def test_corrupt_lz4_frame_ends_the_session_with_a_clear_error() -> None:
    out = _broken(bytes([0x1F, 0x41, 0xFF, 0xFF, 0xFF]), raw_block=True)  # a match reaching before the stream
    assert out["status"]["end_reason"] == "protocol error"
    assert "corrupt LZ4 frame" in out["status"]["error"]


def test_truncated_event_is_reported_by_name() -> None:
    out = _broken(bytes([CODES[82]["ZoneBegin"], 1, 2, 3]))
    assert out["status"]["end_reason"] == "protocol error"
    assert "ZoneBegin" in out["status"]["error"] and "cut short" in out["status"]["error"]


def test_client_refusing_both_protocols_is_refused_with_both_versions_named() -> None:
    fake = FakeClient(set(), lambda conn, proto: None)
    try:
        with pytest.raises(live.ProtocolMismatchError) as err:
            live.connect("127.0.0.1", fake.port, 0)
        assert fake.offered == [82, 76]
        assert "82 (Tracy 0.14.x)" in str(err.value) and "76 (Tracy 0.13.x)" in str(err.value)
    finally:
        fake.close()


# -- the memory limit (issue 17 #8) ------------------------------------------------------------------------------
# A limit reached before the client answered our requests used to end the session at once: every zone was '???'.

NAMES = {0x100: b"outer_fn", 0x101: b"inner_fn", 0x102: b"fake.cpp"}
SRCLOCS = {0xA0: (0, 0x100, 0x102), 0xB0: (0, 0x101, 0x102)}


def _past_the_limit(answer: bool) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """Protocol 76: two zones (over a 1-byte limit), then two zones of another source location, then the answers
    (or none); returns what the capture shows and the requests the client received."""
    events, _ = zone_stream(76)
    c = CODES[76]
    late = struct.pack("<BI", c["ThreadContext"], 7)
    late += struct.pack("<BqQ", c["ZoneBegin"], 7_000_000_000, 0xC0) + struct.pack("<Bq", c["ZoneEnd"], 1000)
    asked: list[tuple[int, int]] = []

    def script(conn: socket.socket, proto: int) -> None:
        send_frame(conn, events)
        time.sleep(0.3)  # the data outruns the answers
        send_frame(conn, late)
        conn.settimeout(30)
        while True:
            q, arg, _ = struct.unpack("<BQI", recv_exact(conn, 13))
            asked.append((q, arg))
            if q == QUERY_TERMINATE:
                return
            if not answer:
                continue
            if q == QUERY_STRING:
                send_frame(conn, string_transfer(c["StringData"], arg, NAMES[arg]))
            elif q == QUERY_THREAD:
                send_frame(conn, string_transfer(c["ThreadName"], arg, b"Fake worker"))
            elif q == QUERY_SRCLOC and arg in SRCLOCS:
                name, function, file = SRCLOCS[arg]
                send_frame(conn, struct.pack("<BQQQIBBB", c["SourceLocation"], name, function, file, 42, 1, 2, 3))

    fake = FakeClient({76}, script)
    try:
        cap = live.connect("127.0.0.1", fake.port, 1)
        assert cap.wait_disconnected(30)
        fake.thread.join(10)
        status = cap.live_status()
        stats = cap.get_all_zone_stats()
        out = {
            "end": status["end_reason"],
            "zones": cap.get_zone_count(),
            "names": sorted(stats),
            "warnings": cap.warnings(),
        }
        return out, asked
    finally:
        fake.close()


def test_past_the_memory_limit_the_names_already_asked_for_still_arrive() -> None:
    out, asked = _past_the_limit(answer=True)
    assert out["end"] == "memory limit" and out["zones"] == 2, out  # the zones past the limit are not kept
    assert out["names"] == ["inner_fn", "outer_fn"] and out["warnings"] == [], out
    assert (QUERY_SRCLOC, 0xC0) not in asked  # nothing is asked about data past the limit
    assert asked[-1] == (QUERY_TERMINATE, 0)


def test_past_the_memory_limit_unanswered_names_end_in_bounded_time_and_are_reported() -> None:
    out, asked = _past_the_limit(answer=False)  # the session waits 10 s for the answers, then ends
    assert out["end"] == "memory limit" and out["zones"] == 2, out
    assert out["names"] == ["???"], out
    assert out["warnings"] == [
        "live capture: the program has never sent the names of 2 source location(s); their zones are named '???'"
    ]
    assert asked[-1] == (QUERY_TERMINATE, 0)
