"""Sustained live ingest: events/s the engine receives from a real Tracy client, and whether it kept up.

The fastest client we can drive automatically is `tracypy` (Tracy 0.13.1 client, protocol 76): every Python call
is a zone. The workload runs a tight loop of tiny calls on several threads for a fixed time, so the client produces
events as fast as it can. Like the tests, the client and our receiver run inside a fresh loopback-only network
namespace (DEVELOPERS.md, "Network safety").

Printed: the client's own production rate (its calls x 2 events / its run time; the reference measured in the same
run), our sustained ingest rate while it ran (events decoded / time, with MB/s on the wire), their ratio, the lag
between the client finishing and us having everything (kept up = under a second), and the cost of one snapshot of the
final capture.

Usage: python bench/live.py [--seconds 4] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

NETNS = "ip link set lo up && ip route add 255.255.255.255/32 dev lo &&"

WORKLOAD = textwrap.dedent("""
    import sys, threading, time
    import tracypy
    SECONDS, THREADS = float(sys.argv[1]), int(sys.argv[2])
    while not tracypy.is_connected():
        time.sleep(0.005)

    def tiny(i):
        return i + 1

    def loop(out, idx):
        end = time.monotonic() + SECONDS
        n = 0
        while time.monotonic() < end:
            for i in range(1000):
                tiny(i)
            n += 1000
        out[idx] = n

    counts = [0] * THREADS
    with tracypy.profile():
        t0 = time.time()
        threads = [threading.Thread(target=loop, args=(counts, i)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t1 = time.time()
    print('{"calls": %d, "start": %r, "end": %r}' % (sum(counts), t0, t1), flush=True)
""")

DRIVER = textwrap.dedent("""
    import json, subprocess, sys, time
    from tracy_mcp import live
    client = subprocess.Popen([CLIENT_PY, "workload.py", str(SECONDS), str(THREADS)], stdout=subprocess.PIPE,
                              text=True)
    cap = live.connect("127.0.0.1", 8086, 0)
    samples = []
    while cap.is_connected():
        st = cap.live_status()
        samples.append((time.time(), st["events"], st["bytes_received"]))
        time.sleep(0.05)
    cap.wait_disconnected(120)
    done = time.time()
    st = cap.live_status()
    samples.append((done, st["events"], st["bytes_received"]))
    produced = json.loads(client.communicate(timeout=60)[0].strip().splitlines()[-1])
    t0 = time.perf_counter()
    cap.refresh()
    zones = cap.get_zone_count()
    snapshot_s = time.perf_counter() - t0
    print(json.dumps({"samples": samples, "produced": produced, "zones": zones, "snapshot_s": snapshot_s,
                      "end": st["end_reason"], "protocol": st["protocol"]}))
""")


def python_with(module: str) -> str | None:
    """An interpreter that has `module` (find_spec only: importing a Tracy client would broadcast)."""
    import os

    env = dict(os.environ)
    env["PYENV_VERSION"] = ":".join(v for v in (os.environ.get("PYENV_VERSION"), "3.13.0") if v)
    for exe in filter(None, [sys.executable, shutil.which("python3.13")]):
        code = (
            f"import importlib.util, sys; print(sys.executable) if importlib.util.find_spec('{module}') "
            "else sys.exit(1)"
        )
        r = subprocess.run([exe, "-c", code], capture_output=True, text=True, env=env)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip()
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    if subprocess.run(["unshare", "--net", "sh", "-c", NETNS + " true"], capture_output=True).returncode != 0:
        print("live bench skipped: network namespaces are not permitted here (unshare --net)")
        return 0
    client = python_with("tracypy")
    if client is None:
        print("live bench skipped: tracypy is not installed (python3.13 -m pip install tracypy)")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "workload.py").write_text(WORKLOAD)
        (d / "driver.py").write_text(
            f"CLIENT_PY = {client!r}\nSECONDS = {args.seconds}\nTHREADS = {args.threads}\n" + DRIVER
        )
        r = subprocess.run(
            [
                "unshare",
                "--net",
                "sh",
                "-c",
                f"{NETNS} cd {shlex.quote(tmp)} && {shlex.quote(sys.executable)} driver.py",
            ],
            capture_output=True,
            text=True,
            timeout=args.seconds * 10 + 120,
        )
        if r.returncode != 0:
            print(r.stdout, r.stderr, file=sys.stderr)
            return 1
        out = json.loads(r.stdout.strip().splitlines()[-1])

    produced = out["produced"]
    samples = out["samples"]
    # Sustained rate: while the client ran (its own start..end, our clock is the same machine's).
    run = [s for s in samples if produced["start"] <= s[0] <= produced["end"]]
    if len(run) < 2:
        run = samples
    (ta, ea, ba), (tb, eb, bb) = run[0], run[-1]
    ingest = (eb - ea) / max(tb - ta, 1e-9)
    wire_mb = (bb - ba) / max(tb - ta, 1e-9) / 1e6
    # Zones are what the client produces (one per Python call); the wire carries a few events per zone.
    zones_per_event = out["zones"] / max(samples[-1][1], 1)
    client_zones = produced["calls"] / max(produced["end"] - produced["start"], 1e-9)
    ingest_zones = ingest * zones_per_event
    # When everything had arrived: the first sample holding the final event count (the session itself then
    # lingers a little for late answers, which is not ingest lag).
    arrived = next(t for t, e, _ in samples if e == samples[-1][1])
    lag = max(0.0, arrived - produced["end"])
    print(
        f"client (tracypy, protocol {out['protocol']}, {args.threads} threads): produced "
        f"{client_zones / 1e6:.2f} M zones/s for {produced['end'] - produced['start']:.1f} s"
    )
    print(
        f"live ingest: {ingest / 1e6:.2f} M events/s = {ingest_zones / 1e6:.2f} M zones/s sustained "
        f"({wire_mb:.1f} MB/s compressed on the wire); ratio to the client's production "
        f"{ingest_zones / client_zones:.2f}"
    )
    print(
        f"total: {samples[-1][1]:,} events, {out['zones']:,} zones; all received {lag:.2f} s after the client "
        f"stopped ({'kept up' if lag < 1.0 else 'fell behind'}); end: {out['end']}"
    )
    print(f"snapshot of the final capture: {out['snapshot_s']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
