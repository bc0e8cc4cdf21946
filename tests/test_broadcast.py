"""Tracy UDP broadcast parsing: crafted packets of every version, and real broadcasts from real Tracy clients.

The real-client tests run the client ONLY inside a fresh network namespace with loopback alone (DEVELOPERS.md,
"Network safety"), the listener beside it, and skip with the reason where namespaces or the client packages are
not available.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tracy_mcp.live import broadcast
from tracy_mcp.live.broadcast import Broadcast, BroadcastError, encode_broadcast, parse_broadcast

# -- crafted packets ----------------------------------------------------------------------------------------------


def test_version_3_variable_length_name() -> None:
    data = struct.pack("<HHIQi", 3, 8087, 82, 4242, 17) + b"my game\0"
    b = parse_broadcast(data, "127.0.0.1")
    assert (b.broadcast_version, b.port, b.protocol, b.pid, b.active_time, b.program) == (
        3,
        8087,
        82,
        4242,
        17,
        "my game",
    )
    assert b.supported and not b.exiting
    assert len(data) == 20 + len("my game") + 1  # the sender writes the name only up to its NUL


def test_version_2() -> None:
    data = struct.pack("<HHIi", 2, 8086, 57, 5) + b"old\0"
    b = parse_broadcast(data)
    assert (b.broadcast_version, b.port, b.protocol, b.pid, b.active_time, b.program) == (2, 8086, 57, None, 5, "old")
    assert not b.supported


def test_version_1_has_32_bit_fields_in_its_own_order() -> None:
    data = struct.pack("<IIIi", 1, 40, 8090, 9) + b"v1prog\0"
    b = parse_broadcast(data)
    assert (b.broadcast_version, b.protocol, b.port, b.active_time, b.program) == (1, 40, 8090, 9, "v1prog")


def test_version_0_always_port_8086() -> None:
    data = struct.pack("<IIi", 0, 30, 2) + b"v0\0"
    b = parse_broadcast(data)
    assert (b.broadcast_version, b.protocol, b.port, b.active_time, b.program) == (0, 30, 8086, 2, "v0")


def test_full_length_name_without_nul_and_exiting_client() -> None:
    name = b"x" * 64
    b = parse_broadcast(struct.pack("<HHIQi", 3, 8086, 76, 1, -1) + name)
    assert b.program == "x" * 64 and b.exiting


def test_round_trip_every_version() -> None:
    for version in range(4):
        original = Broadcast(
            broadcast_version=version,
            protocol=76,
            port=8086,
            active_time=3,
            program="prog",
            pid=99 if version == 3 else None,
        )
        assert parse_broadcast(encode_broadcast(original)) == original


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "too short"),
        (b"\x03", "too short"),
        (struct.pack("<HH", 4, 0) + b"\0" * 30, "newer than"),
        (struct.pack("<HHI", 3, 8086, 82), "shorter than its header"),
        (struct.pack("<HHIQi", 3, 8086, 82, 1, 1) + b"n" * 65, "longer than"),
    ],
)
def test_malformed_packets_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(BroadcastError, match=message):
        parse_broadcast(data)


def test_mismatch_message_names_program_both_versions_and_remedy() -> None:
    b = Broadcast(broadcast_version=3, protocol=69, port=8087, active_time=1, program="python", pid=77)
    msg = b.mismatch_message()
    assert "\n" not in msg
    for needle in ("'python'", "pid 77", "Tracy 0.11.1 (protocol 69)", "protocol 82", "protocol 76", "rebuild"):
        assert needle in msg


def test_matches_local_aliases() -> None:
    b = Broadcast(broadcast_version=3, protocol=82, port=8086, active_time=1, program="p", address="0.0.0.0")
    assert broadcast.matches(b, "127.0.0.1", 8086)
    assert not broadcast.matches(b, "127.0.0.1", 8087)
    remote = attrs_evolve(b, address="10.1.2.3")
    assert not broadcast.matches(remote, "127.0.0.1", 8086)
    assert broadcast.matches(remote, "10.1.2.3", 8086)


def attrs_evolve(b: Broadcast, **changes: object) -> Broadcast:
    import attrs

    return attrs.evolve(b, **changes)


def test_listen_on_loopback_ignores_garbage_and_stops_early() -> None:
    # A free UDP port, so this never disturbs (or hears) real Tracy traffic on 8086.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    sock = broadcast.open_listener(port)
    packet = encode_broadcast(
        Broadcast(broadcast_version=3, protocol=82, port=8091, active_time=4, program="game", pid=5)
    )

    def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for data in (b"garbage", b"\x09\x00nonsense", packet):
                s.sendto(data, ("127.0.0.1", port))
                time.sleep(0.05)

    threading.Thread(target=send).start()
    t0 = time.monotonic()
    heard = broadcast.listen(5.0, until=lambda b: b.port == 8091, sock=sock)
    sock.close()
    assert time.monotonic() - t0 < 3.0
    assert [(b.program, b.port, b.protocol, b.pid, b.address) for b in heard] == [("game", 8091, 82, 5, "127.0.0.1")]


# -- real clients in a network namespace --------------------------------------------------------------------------

PY313 = shutil.which("python3.13")


def netns_available() -> str | None:
    """None when a loopback-only network namespace can be made here, else the reason it cannot."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip (util-linux, iproute2) is not installed"
    try:
        r = subprocess.run(
            ["unshare", "--net", "sh", "-c", NETNS_SETUP + " true"], capture_output=True, timeout=10, text=True
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare failed: {exc}"
    if r.returncode != 0:
        return f"network namespaces are not permitted here: {r.stderr.strip()[:200]}"
    return None


# Loopback alone, with the limited-broadcast route on lo so a client's broadcast stays inside the namespace.
NETNS_SETUP = "ip link set lo up && ip route add 255.255.255.255/32 dev lo &&"


def run_in_netns(script: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "--net", "sh", "-c", f"{NETNS_SETUP} {script}"], capture_output=True, text=True, timeout=timeout
    )


def python_with(module: str) -> str | None:
    """The real path of an interpreter that can import `module` (tracypy needs Python 3.13), or None."""
    env = dict(os.environ)
    candidates = [sys.executable]
    if PY313:
        candidates.append(PY313)
        env["PYENV_VERSION"] = ":".join(v for v in (os.environ.get("PYENV_VERSION"), "3.13.0") if v)
    for exe in candidates:
        # find_spec only: importing a Tracy client would broadcast, and that must happen inside the namespace.
        code = (
            f"import importlib.util, sys; print(sys.executable) if importlib.util.find_spec('{module}') "
            "else sys.exit(1)"
        )
        r = subprocess.run([exe, "-c", code], capture_output=True, text=True, env=env)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip()
    return None


def client_python(module: str) -> str:
    """An interpreter that has the Tracy client package `module`, where network namespaces work; otherwise the
    test is skipped with the reason."""
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    exe = python_with(module)
    if exe is None:
        hint = "python3.13 -m pip install tracypy" if module == "tracypy" else f"pip install {module}"
        pytest.skip(f"the Tracy client package {module!r} is not installed ({hint})")
    return exe


CLIENTS = {
    # module -> (protocol it speaks, Tracy release), as the package embeds them
    "tracypy": (76, "0.13.x"),
    "pytracy": (69, "0.11.1"),
}


@pytest.mark.netns
@pytest.mark.parametrize("module", sorted(CLIENTS))
def test_real_client_broadcast_is_parsed(module: str, tmp_path: Path) -> None:
    exe = client_python(module)
    client = f"import {module}, os, time; print(os.getpid(), flush=True); time.sleep(30)"
    listener = textwrap.dedent("""
        import json, sys
        from tracy_mcp.live import broadcast
        heard = broadcast.listen(4.0, until=lambda b: True)
        print(json.dumps([b.describe() for b in heard]))
    """)
    # The client broadcasts from a thread started during import, so the listener can be done before the client has
    # printed its pid: wait (bounded) for that line before stopping it.
    wait_pid = "for i in $(seq 100); do [ -s client.out ] && break; sleep 0.05; done"
    script = (
        f"{exe} -c '{client}' > client.out & CLIENT=$!; {sys.executable} -c {shlex.quote(listener)}; "
        f"{wait_pid}; kill $CLIENT; wait"
    )
    r = run_in_netns(f"cd {shlex.quote(str(tmp_path))} && {script}")
    assert r.returncode == 0, r.stderr
    heard = json.loads(r.stdout.strip().splitlines()[-1])
    client_pid = int((tmp_path / "client.out").read_text().split()[0])
    protocol, release = CLIENTS[module]
    assert len(heard) == 1, heard
    b = heard[0]
    assert b["protocol"] == protocol
    assert b["tracy"] == f"Tracy {release} (protocol {protocol})"
    assert b["pid"] == client_pid
    assert b["program"].startswith("python")
    assert b["broadcast_version"] == 3 and b["port"] >= 8086 and not b["exiting"]
    assert b["supported"] is (protocol in broadcast.SUPPORTED_PROTOCOLS)
