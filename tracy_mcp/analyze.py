"""`tracy-mcp analyze CAPTURE`: load a capture with a progress bar, print its summary (ctx.summary() where the
analyses provide it, else the headline facts of ctx.info()), then say how to ask an assistant about it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

NEXT_STEPS = """\
Ask an assistant about it: start the MCP server with `{exe} serve` (a shared HTTP server; its URL is printed)
or let the assistant spawn `{exe} stdio`, then ask e.g. "load {capture} and tell me why some frames are slow"."""


class ProgressBar:
    """A one-line progress bar on a terminal (redrawn in place); on anything else, one line when loading ends."""

    def __init__(self, label: str, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.label, self.out, self.width = label, out, width
        self.tty = out.isatty()
        self.t0 = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.tty:
            return
        frac = min(1.0, done / total) if total else 0.0
        filled = int(frac * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        size = f"{done / 2**20:.1f}/{total / 2**20:.1f} MB" if total else f"{done / 2**20:.1f} MB"
        self.out.write(f"\rloading {self.label} [{bar}] {frac:4.0%} {size} {stage:<24}")
        self.out.flush()
        self.shown = True

    def finish(self, note: str) -> None:
        line = f"loaded {self.label} in {time.monotonic() - self.t0:.2f} s{note}"
        self.out.write(("\r" + " " * (self.width + 70) + "\r" if self.shown else "") + line + "\n")
        self.out.flush()


def summary_text(ctx: Any) -> str:
    """ctx.summary() as text; the headline facts when the summary analysis is not available."""
    summary = getattr(ctx, "summary", None)
    if callable(summary):
        try:
            return str(summary())
        except NotImplementedError:
            pass
    facts = ctx.info()
    width = max(len(k) for k in facts)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in facts.items() if k != "host_info")


def analyze(path: str, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    from tracy_mcp import open_capture
    from tracy_mcp.demo import resolve_capture
    from tracy_mcp.errors import TracyMcpError

    try:
        target = resolve_capture(path)
    except TracyMcpError as exc:
        print(f"tracy-mcp: {exc}", file=err)
        return 1
    bar = ProgressBar(target.name, err)
    try:
        with open_capture(target, progress=bar) as ctx:
            bar.finish(f": {ctx.get_zone_count():,} zones, {ctx.get_frame_count():,} frames")
            print(summary_text(ctx), file=out)
    except (OSError, TracyMcpError) as exc:
        print(f"{chr(10) if bar.shown else ''}tracy-mcp: cannot analyze {path}: {exc}", file=err)
        return 1
    exe = Path(sys.argv[0]).name if sys.argv and sys.argv[0].endswith("tracy-mcp") else "tracy-mcp"
    print("\n" + NEXT_STEPS.format(exe=exe, capture=path if path == "demo" else target), file=out)
    return 0
