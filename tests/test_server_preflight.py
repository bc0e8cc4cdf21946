"""live_connect's broadcast pre-flight against real Tracy clients, end to end through the MCP server.

Each test runs a real client, the server (stdio) and the SDK's MCP client together inside a fresh network
namespace with loopback alone (DEVELOPERS.md, "Network safety").
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import textwrap
from pathlib import Path

import pytest
from server_support import server_env
from test_broadcast import client_python, run_in_netns

WORKLOADS = {
    # Python functions called in a loop while profiled: each call is a zone named after the function.
    "tracypy": "import time, tracypy\n"
    "def work():\n    return sum(range(2000))\n"
    "with tracypy.profile():\n"
    "    end = time.time() + 60\n"
    "    while time.time() < end:\n        work()\n        time.sleep(0.001)\n",
}

DRIVER = textwrap.dedent("""
    import json, subprocess, sys, time
    import anyio
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    WORKLOADS = None
    client_python, module, env_json = sys.argv[1], sys.argv[2], sys.argv[3]
    env = json.loads(open(env_json).read())
    # The instrumented program: announces itself on UDP 8086 at once, then every few seconds.
    workload = WORKLOADS.get(module, f"import {module}, time; time.sleep(60)")
    program = subprocess.Popen([client_python, "-c", workload])

    async def main():
        params = StdioServerParameters(command=sys.executable, args=["-m", "tracy_mcp", "stdio"], env=env)
        async with Client(params, read_timeout_seconds=60) as client:
            t0 = time.monotonic()
            result = await client.call_tool("live_connect", {"address": "127.0.0.1", "port": 8086})
            text = "\\n".join(getattr(c, "text", "") for c in result.content)
            out = {"is_error": result.is_error, "text": text, "seconds": time.monotonic() - t0, "pid": program.pid}
            if not result.is_error:
                inst = json.loads(text)["instance_id"]
                listed = await client.call_tool("list_instances", {})
                out["listed"] = listed.structured_content
                counts = []
                for _ in range(2):
                    await anyio.sleep(1.0)
                    r = await client.call_tool("eval", {"instance_id": inst, "code": "ctx.get_zone_count()"})
                    counts.append("\\n".join(getattr(c, "text", "") for c in r.content))
                out["counts"] = counts
                r = await client.call_tool("unload_capture", {"instance_id": inst})
                out["unloaded"] = not r.is_error
                # Once we let go, the program listens again; discovery finds it by port and by broadcast.
                r = await client.call_tool("discover_instances", {"listen_seconds": 3.5})
                out["discovered"] = r.structured_content
            if len(sys.argv) > 4:
                # A port nobody listens on, while the program announces itself on 8086.
                other = await client.call_tool("live_connect", {"address": "127.0.0.1", "port": 8095})
                out["other"] = {"is_error": other.is_error,
                                "text": "\\n".join(getattr(c, "text", "") for c in other.content)}
            return out

    try:
        print(json.dumps(anyio.run(main)))
    finally:
        program.kill()
        program.wait()
""")


def drive(module: str, tmp_path: Path, *extra: str) -> dict[str, object]:
    exe = client_python(module)
    env = server_env(tmp_path / "home", TRACY_MCP_BROADCAST_LISTEN_S="3.5")
    (tmp_path / "env.json").write_text(json.dumps(env))
    (tmp_path / "driver.py").write_text(DRIVER.replace("WORKLOADS = None", f"WORKLOADS = {WORKLOADS!r}"))
    cmd = " ".join(
        shlex.quote(a)
        for a in (sys.executable, str(tmp_path / "driver.py"), exe, module, str(tmp_path / "env.json"), *extra)
    )
    r = run_in_netns(cmd, timeout=90)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.netns
def test_unsupported_protocol_gets_a_one_line_error_naming_everything(tmp_path: Path) -> None:
    out = drive("pytracy", tmp_path, "also-wrong-port")  # embeds Tracy 0.11.1: protocol 69
    assert out["is_error"]
    message = str(out["text"]).removeprefix("Error executing tool live_connect: ")
    assert "\n" not in message
    for needle in (
        "'python",
        f"pid {out['pid']}",
        "protocol 69",
        "Tracy 0.11.1",
        "protocol 82",
        "protocol 76",
        "rebuild",
    ):
        assert needle in message, (needle, message)
    # Heard at the program's first announcement, well before the 3.5 s listening window ends.
    assert float(out["seconds"]) < 3.5  # type: ignore[arg-type]
    # Attaching where nothing listens: the handshake failure, its likely causes, and the program that was heard.
    other = out["other"]
    assert isinstance(other, dict) and other["is_error"]
    assert "could not attach to the Tracy client at 127.0.0.1:8095" in other["text"]
    assert "likely cause: nothing listens on that port" in other["text"]
    # The program is named after the interpreter that runs it ('python', 'python3.13', ...).
    assert re.search(rf"other Tracy clients heard: 'python[0-9.]*' pid {out['pid']}", str(other["text"]))
    assert "Tracy 0.11.1 (protocol 69)" in other["text"]


@pytest.mark.netns
def test_supported_protocol_passes_the_preflight(tmp_path: Path) -> None:
    out = drive("tracypy", tmp_path)  # embeds Tracy 0.13.1: protocol 76
    if out["is_error"]:
        # Past the pre-flight: either this build has no live engine yet, or the handshake itself was reported.
        assert "but this server speaks" not in str(out["text"])  # not the pre-flight mismatch
        assert "not available in this build" in str(out["text"]) or "could not attach" in str(out["text"])
    else:
        attached = json.loads(str(out["text"]))
        assert attached["address"] == "127.0.0.1:8086" and attached["memory_limit_mb"] == 8192
        assert attached["program"]["protocol"] == 76 and attached["program"]["pid"] == out["pid"]
        assert attached["instance_id"].startswith("python")
        listed = out["listed"]["instances"]  # type: ignore[index]
        assert [(i["live"], i["connected"], i["address"]) for i in listed] == [(True, True, "127.0.0.1:8086")]
        first, second = (int(c) for c in out["counts"])  # type: ignore[union-attr]
        assert 0 < first <= second  # zones of the running workload arrive and keep arriving
        assert out["unloaded"]
        found = out["discovered"]
        assert isinstance(found, dict) and 8086 in found["listening_ports"]
        assert [(b["pid"], b["protocol"], b["supported"]) for b in found["broadcasts"]] == [(out["pid"], 76, True)]
