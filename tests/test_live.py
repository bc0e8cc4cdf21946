"""Live capture against real Tracy clients.

A Tracy client broadcasts on the network as soon as it starts, so every test that runs one does it inside a fresh
loopback-only network namespace (DEVELOPERS.md, "Network safety") with our receiver beside it: the test writes a
driver script, runs it in the namespace, and checks the JSON the driver prints. Tests skip with the reason where
namespaces are not permitted or the client packages (tracypy needs Python 3.13; pytracy) are not installed.
"""

from __future__ import annotations

import json
import shlex
import socket
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from test_broadcast import netns_available, python_with, run_in_netns

from tracy_mcp import live

# A small Python workload with call counts known in advance: 3 threads x ROUNDS x (1 round, 1 branch, 10 leaf).
ROUNDS = 200
WORKLOAD = textwrap.dedent(f"""
    import sys, threading, time
    import tracypy

    t0 = time.monotonic()
    while not tracypy.is_connected():
        if time.monotonic() - t0 > 30:
            sys.exit(2)
        time.sleep(0.01)

    def leaf(i):
        return i * 2

    def branch(n):
        s = 0
        for i in range(n):
            s += leaf(i)
        return s

    def one_round():
        return branch(10)

    def work(rounds, forever):
        r = 0
        while forever or r < rounds:
            one_round()
            if not forever:  # forever: as fast as it goes, to fill memory quickly
                time.sleep(0.01)
            r += 1

    FOREVER = len(sys.argv) > 1 and sys.argv[1] == "forever"
    with tracypy.profile():
        threads = [threading.Thread(target=work, args=({ROUNDS}, FOREVER)) for _ in range(2)]
        for t in threads:
            t.start()
        work({ROUNDS}, FOREVER)
        for t in threads:
            t.join()
    print("workload done", flush=True)
""")

# The receiver side, run with this interpreter inside the namespace; prints one JSON line.
DRIVER_HEAD = textwrap.dedent("""
    import json, os, signal, subprocess, sys, time
    from tracy_mcp import live

    def start_client(args=()):
        return subprocess.Popen([CLIENT_PY, "workload.py", *args], stdout=open("client.out", "w"),
                                stderr=subprocess.STDOUT)

    def wait_for_zones(cap, at_least, seconds=20):
        # polls until the capture holds at_least zones, or the time is up (the caller asserts on the count)
        deadline = time.monotonic() + seconds
        while cap.get_zone_count() < at_least and time.monotonic() < deadline:
            time.sleep(0.1)

    def zone_counts(cap, names):
        stats = cap.get_all_zone_stats()
        return {n: (stats[n].count if n in stats else 0) for n in names}

    def ragged_tables(cap):
        # tables whose columns differ in length (a snapshot must be as regular as a loaded file)
        native = cap._native
        out = {}
        for t in native.tables():
            lengths = {c: len(native.column(t, c)) for c in native.columns(t)}
            if len(set(lengths.values())) > 1:
                out[t] = lengths
        return out
""")


def _require_client(module: str) -> str:
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    exe = python_with(module)
    if exe is None:
        pytest.skip(
            f"the Tracy client package {module!r} is not installed "
            f"({'python3.13 -m pip install tracypy' if module == 'tracypy' else 'pip install pytracy'})"
        )
    return exe


def _drive(tmp_path: Path, client_py: str, body: str, timeout: float = 90) -> dict[str, Any]:
    (tmp_path / "workload.py").write_text(WORKLOAD)
    driver = f"CLIENT_PY = {client_py!r}\n" + DRIVER_HEAD + textwrap.dedent(body)
    (tmp_path / "driver.py").write_text(driver)
    r = run_in_netns(f"cd {shlex.quote(str(tmp_path))} && {shlex.quote(sys.executable)} driver.py", timeout=timeout)
    client_out = (tmp_path / "client.out").read_text() if (tmp_path / "client.out").exists() else ""
    assert r.returncode == 0, f"driver failed:\n{r.stdout}\n{r.stderr}\nclient:\n{client_out}"
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.netns
def test_tracypy_session_grows_while_running_and_answers_after_exit(tmp_path: Path) -> None:
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = start_client()
        cap = live.connect("127.0.0.1", 8086, 0)
        cap.min_refresh_s = 0.1  # see the counts move at the 0.2 s polling below
        status0 = cap.live_status()
        seen = []
        while cap.is_connected():
            seen.append(cap.get_zone_count())
            time.sleep(0.2)
        cap.wait_disconnected(30)
        client.wait(30)
        status = cap.live_status()
        names = ["work", "one_round", "branch", "leaf"]
        print(json.dumps({
            "protocol": status0["protocol"], "seen": seen, "final": cap.get_zone_count(),
            "counts": zone_counts(cap, names), "connected": cap.is_connected(), "end": status["end_reason"],
            "state": status["state"], "threads": len(cap.get_threads()), "program": cap.get_capture_program(),
            "client_rc": client.returncode, "again": cap.get_zone_count(), "ragged": ragged_tables(cap),
        }))
    """,
    )
    assert out["protocol"] == 76
    assert out["client_rc"] == 0, "the program should finish normally once we end the session"
    assert out["state"] == "disconnected" and out["end"] == "program finished" and out["connected"] is False
    growing = [n for n in out["seen"] if n > 0]
    assert len(set(growing)) >= 2 and growing == sorted(growing), f"counts should grow while it runs: {out['seen']}"
    rounds = 3 * ROUNDS
    assert out["counts"] == {"work": 3, "one_round": rounds, "branch": rounds, "leaf": 10 * rounds}
    assert out["final"] >= 3 + rounds * 12 and out["again"] == out["final"]
    assert out["threads"] >= 3
    assert out["program"].startswith("python")
    assert out["ragged"] == {}


@pytest.mark.netns
def test_client_killed_mid_stream_leaves_a_queryable_disconnected_capture(tmp_path: Path) -> None:
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = start_client(["forever"])
        cap = live.connect("127.0.0.1", 8086, 0)
        wait_for_zones(cap, 2000)
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        ended = cap.wait_disconnected(35)
        status = cap.live_status()
        print(json.dumps({"ended": ended, "end": status["end_reason"], "error": status["error"],
                          "connected": cap.is_connected(), "zones": cap.get_zone_count(),
                          "counts": zone_counts(cap, ["leaf", "branch", "???"]), "warnings": cap.warnings()}))
    """,
    )
    assert out["ended"] and out["connected"] is False
    assert out["end"] == "connection lost", out
    assert "mid-stream" in out["error"]
    assert out["zones"] >= 2000
    assert out["counts"]["leaf"] > 0 and out["counts"]["branch"] > 0
    # Zones of source locations whose names never came are '???', and the capture says so.
    assert bool(out["counts"]["???"]) == any("never sent the names" in w for w in out["warnings"]), out


@pytest.mark.netns
def test_memory_limit_stops_the_session_and_keeps_the_data(tmp_path: Path) -> None:
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = start_client(["forever"])
        limit = 3 * 1024 * 1024
        cap = live.connect("127.0.0.1", 8086, limit)
        ended = cap.wait_disconnected(40)
        status = cap.live_status()
        zones = cap.get_zone_count()
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        print(json.dumps({"ended": ended, "end": status["end_reason"], "error": status["error"],
                          "memory": status["memory_bytes"], "limit": limit, "zones": zones,
                          "leaf": zone_counts(cap, ["leaf"])["leaf"], "connected": cap.is_connected(),
                          "warnings": cap.warnings()}))
    """,
    )
    assert out["ended"] and out["connected"] is False
    assert out["end"] == "memory limit", out
    assert "memory limit" in out["error"]
    assert out["memory"] > out["limit"]
    # The names of what arrived are collected after the limit (issue 17 #8: once 0 of 117 060 zones were 'leaf').
    assert out["zones"] > 0 and out["leaf"] > 0 and out["warnings"] == [], out


@pytest.mark.netns
def test_memory_limit_reached_before_any_answer_still_names_the_zones(tmp_path: Path) -> None:
    # Issue 17 #8: a limit reached on the first frames (as on a busy machine, where the data outruns the answers)
    # used to end the session before a single source location was resolved: every zone was named '???'.
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = start_client(["forever"])
        cap = live.connect("127.0.0.1", 8086, 65536)  # reached with the first frame of zones
        ended = cap.wait_disconnected(40)
        status = cap.live_status()
        stats = cap.get_all_zone_stats()
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        print(json.dumps({"ended": ended, "end": status["end_reason"], "zones": cap.get_zone_count(),
                          "names": {n: s.count for n, s in stats.items()}, "warnings": cap.warnings(),
                          "memory": status["memory_bytes"]}))
    """,
    )
    assert out["ended"] and out["end"] == "memory limit", out
    assert out["memory"] > 65536 and out["names"].get("leaf", 0) > 0, out
    assert "???" not in out["names"] and out["warnings"] == [], out


@pytest.mark.netns
def test_older_protocol_is_refused_with_both_versions_named(tmp_path: Path) -> None:
    exe = _require_client("pytracy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = subprocess.Popen([CLIENT_PY, "-c", "import pytracy, time; time.sleep(30)"],
                                  stdout=open("client.out", "w"), stderr=subprocess.STDOUT)
        try:
            time.sleep(0.5)
            try:
                cap = live.connect("127.0.0.1", 8086, 0)
                result = {"error": None}
            except live.ProtocolMismatchError as exc:
                result = {"error": str(exc), "kind": type(exc).__name__}
        finally:
            client.kill()
            client.wait(10)
        print(json.dumps(result))
    """,
    )
    assert out["error"], "a client speaking protocol 69 must be refused"
    assert out["kind"] == "ProtocolMismatchError"
    assert "82 (Tracy 0.14.x)" in out["error"] and "76 (Tracy 0.13.x)" in out["error"]


def test_nobody_listening_is_a_clear_error() -> None:
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(live.LiveConnectionError, match=f"127.0.0.1:{port}"):
        live.connect("127.0.0.1", port, 0)
    assert time.monotonic() - t0 < 15


@pytest.mark.netns
def test_live_connect_tool_over_mcp(tmp_path: Path) -> None:
    """The whole path a user takes: the MCP server's broadcast pre-flight hears the program, live_connect attaches,
    eval sees zones named after the Python functions grow, and after the program exits the instance is
    disconnected and still answers."""
    exe = _require_client("tracypy")
    tests_dir = str(Path(__file__).resolve().parent)
    out = _drive(
        tmp_path,
        exe,
        f"""
        import asyncio
        from pathlib import Path
        sys.path.insert(0, {tests_dir!r})
        from server_support import connect, server_env

        async def call(client, tool, **args):
            r = await client.call_tool(tool, args)
            assert not r.is_error, "\\n".join(getattr(c, "text", "") for c in r.content)
            data = r.structured_content
            if data is None:  # a text result (eval): its text, once
                return "\\n".join(getattr(c, "text", "") for c in r.content)
            return data.get("result", data) if set(data) == {{"result"}} else data

        async def main():
            env = server_env(Path("home"), TRACY_MCP_BROADCAST_LISTEN_S="3.5")
            client_proc = start_client()
            async with connect("stdio", env) as client:
                attached = await call(client, "live_connect", address="127.0.0.1", port=8086, alias="py")
                counts, connected_seen = [], False
                for _ in range(200):
                    inst = (await call(client, "list_instances"))["instances"][0]
                    if not inst["connected"]:
                        break
                    connected_seen = True
                    counts.append(int(await call(client, "eval", instance_id="py", code="ctx.get_zone_count()")))
                    await asyncio.sleep(0.3)
                client_proc.wait(30)
                inst = (await call(client, "list_instances"))["instances"][0]
                leaf = await call(client, "eval", instance_id="py",
                                  code="s = ctx.get_all_zone_stats(); [s[n].count for n in ('work', 'branch', 'leaf')]")
            return {{"attached": attached, "counts": counts, "connected_seen": connected_seen,
                    "connected_after": inst["connected"], "live": inst["live"], "leaf": leaf}}

        print(json.dumps(asyncio.run(main()), default=str))
    """,
        timeout=120,
    )
    assert out["attached"]["instance_id"] == "py"
    assert out["attached"]["program"], "the broadcast pre-flight should have heard the program"
    assert out["connected_seen"] and out["live"] and out["connected_after"] is False
    growing = [n for n in out["counts"] if n > 0]
    assert growing == sorted(growing) and len(set(growing)) >= 2, out["counts"]
    rounds = 3 * ROUNDS
    leaf = out["leaf"] if isinstance(out["leaf"], list) else json.loads(str(out["leaf"]))
    assert leaf == [3, rounds, 10 * rounds]


@pytest.mark.netns
def test_disconnect_keeps_the_data_and_the_program_running(tmp_path: Path) -> None:
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        client = start_client(["forever"])
        cap = live.connect("127.0.0.1", 8086, 0)
        wait_for_zones(cap, 1000)
        cap.disconnect()
        status = cap.live_status()
        zones = cap.get_zone_count()
        time.sleep(0.5)
        running = client.poll() is None
        # an on-demand program accepts a new session after a disconnect
        again = live.connect("127.0.0.1", 8086, 0)
        wait_for_zones(again, 1)
        again_zones = again.get_zone_count()
        again.disconnect()
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        print(json.dumps({"end": status["end_reason"], "connected": cap.is_connected(), "zones": zones,
                          "later": cap.get_zone_count(), "running": running, "again": again_zones}))
    """,
    )
    assert out["end"] == "disconnected on request" and out["connected"] is False
    assert out["zones"] >= 1000 and out["later"] == out["zones"], "a disconnected capture no longer changes"
    assert out["running"], "disconnecting must not stop the program"
    assert out["again"] > 0
