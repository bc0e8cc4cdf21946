"""Records tracy-mcp's demo capture (tracy_mcp/data/demo.tracy): runs workload.py under the tracypy Tracy client
and receives it with tracy-mcp's own live capture, then saves the session with tracy-mcp's writer.

The client broadcasts on the network as soon as it starts, so everything runs inside a new network namespace
with loopback only (unshare --net; needs root or user namespaces). Needs Python 3.13 with tracypy installed:
`PYENV_VERSION=3.13.0 python3.13 -m pip install tracypy`.

Usage: .venv/bin/python scripts/demo/record.py [OUTPUT]"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parents[1] / "tracy_mcp" / "data" / "demo.tracy"
NETNS = "ip link set lo up && ip route add 255.255.255.255/32 dev lo &&"


def client_python() -> str:
    exe = shutil.which("python3.13")
    if exe is None:
        sys.exit("python3.13 is needed for the tracypy client (pyenv: PYENV_VERSION=3.13.0)")
    return exe


def inside(out: Path) -> None:
    """Runs in the namespace: start the client, receive it live until it ends, save."""
    from tracy_mcp import live, open_capture

    env = dict(os.environ, PYENV_VERSION=":".join(v for v in (os.environ.get("PYENV_VERSION"), "3.13.0") if v))
    client = subprocess.Popen([client_python(), str(HERE / "workload.py")], env=env)
    cap = None
    t0 = time.monotonic()
    while cap is None:
        try:
            cap = live.connect("127.0.0.1", 8086, 0)
        except Exception:  # noqa: BLE001 - the client is still starting
            if time.monotonic() - t0 > 30:
                client.kill()
                raise
            time.sleep(0.1)
    if client.wait(120) != 0:
        sys.exit(f"the workload failed ({client.returncode})")
    cap.wait_disconnected(60)
    tmp = out.with_name(out.stem + ".partial.tracy")
    result = cap.save(str(tmp), compression="zstd", level=19, overwrite=True)
    tmp.replace(out)
    with open_capture(out) as check:
        print(
            f"saved {out}: {out.stat().st_size} bytes, {check.get_zone_count()} zones, "
            f"{check.get_frame_count()} frames, {result.seconds:.1f} s to save"
        )


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DEFAULT_OUT
    if os.environ.get("TRACY_MCP_DEMO_INSIDE_NETNS") == "1":
        inside(out)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    script = (
        f"TRACY_MCP_DEMO_INSIDE_NETNS=1 {shlex.quote(sys.executable)} {shlex.quote(__file__)} {shlex.quote(str(out))}"
    )
    sys.exit(subprocess.run(["unshare", "--net", "sh", "-c", f"{NETNS} {script}"]).returncode)


if __name__ == "__main__":
    main()
