"""Fuzzes the `eval` tool through a real server: random code strings and code that prints, returns and raises
random bytes and characters (lone surrogates, NULs, control characters, invalid UTF-8). After every call the
answer must be a tool result or a tool error with valid text, and now and then the server must still compute.

    python tests/fuzz_eval.py [--seconds 30] [--seed 1]

Runs a `tracy-mcp stdio` server in a private home (as the tests do) on a reference capture from ../shared, or on a
small crafted capture when ../shared is absent. Bounded by --seconds; the seed makes a run repeatable. Exits 1 and
prints the code that broke the server, or whose answer was not valid text.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import attrs
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Names the random code is made of. Nothing here can touch files, processes or the network; exits are in (they are
# refused), loops are in (the server's time limit stops them).
_WORDS = (
    "ctx zones() frames() samples() info() get_threads() get_zone_count() messages() plots() print repr str bytes "
    "len range list dict set tuple sorted sum min max chr ord abs int float bool None True False sys exit quit "
    "getrecursionlimit setrecursionlimit stdout stderr write flush np arange zeros instances lambda yield return "
    "if else for in while not and or is del pass raise ValueError Exception try except finally import as from def "
    "class with global nonlocal assert x y z _ __class__ __dict__ __repr__ decode encode utf-8 latin-1 replace"
).split()
_PUNCT = list("()[]{}:,.;=+-*/%<>!~^&|@'\"\\#\n\t ") + ["**", "//", "==", "->", ":=", '"""', "'''", "\\x", "\\u"]
_EXOTIC = ["\x00", "\u2028", "\ufeff", "\U0001f600", "\u0301", "\ud7ff", "\ue000", "\uffff", "é", "\x1b[2J", "\r"]

# Code that emits random data on every path out of eval: printed, written to stderr, returned, raised, nested.
_EMITTERS = (
    "print({s})",
    "import sys\nsys.stderr.write({s})",
    "{s}",
    "[{s}, {{{s}: ({s},)}}]",
    "raise ValueError({s})",
    "print({s}, end='')\nraise KeyError({s})",
    "class E(Exception):\n    def __str__(self):\n        return {s}\nraise E()",
    "class R:\n    def __repr__(self):\n        return {s}\nR()",
    "import os\nos.fsdecode({b})",
    "{b}",
    "{b}.decode('utf-8', 'surrogateescape')",
    "{b}.decode('latin-1')",
    "print({b}.decode('utf-8', 'surrogateescape') * 3000)",
)


def random_text(rng: random.Random, n: int) -> str:
    """Characters anywhere in Unicode, lone surrogates included."""
    pools = [(0x20, 0x7E), (0x00, 0x1F), (0x80, 0x7FF), (0xD800, 0xDFFF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(pools)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def random_code(rng: random.Random) -> str:
    """One code string: token soup, an emitter of random data, or a mutated emitter."""
    kind = rng.random()
    if kind < 0.35:
        parts = []
        for _ in range(rng.randint(1, 40)):
            r = rng.random()
            parts.append(rng.choice(_WORDS) if r < 0.55 else rng.choice(_PUNCT) if r < 0.95 else rng.choice(_EXOTIC))
            if rng.random() < 0.5:
                parts.append(" ")
        return "".join(parts)
    text = random_text(rng, rng.randint(0, 24))
    data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 24)))
    # Build the literals inside the code, so the code itself stays valid text the client can send.
    s = f"''.join(map(chr, {[ord(c) for c in text]}))"
    code = rng.choice(_EMITTERS).format(s=s, b=f"bytes({list(data)})")
    if kind > 0.9:  # mutate: drop, double or swap a character
        i = rng.randrange(len(code))
        op = rng.choice(("drop", "double", "swap"))
        if op == "drop":
            code = code[:i] + code[i + 1 :]
        elif op == "double":
            code = code[:i] + code[i] + code[i:]
        elif i + 1 < len(code):
            code = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    return code


@attrs.define
class Stats:
    calls: int = 0
    ok: int = 0
    errors: int = 0
    alive_checks: int = 0


class FuzzFailure(AssertionError):
    pass


def _text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def fuzz(client: Client, seconds: float, seed: int, alive_every: int = 10) -> Stats:
    """Calls eval with random code until `seconds` have passed; raises FuzzFailure naming the code at fault."""
    rng = random.Random(seed)
    stats = Stats()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code = random_code(rng)
        try:
            result = await client.call_tool("eval", {"code": code})
        except Exception as exc:  # noqa: BLE001 - a transport failure is the finding
            raise FuzzFailure(f"eval broke the server ({type(exc).__name__}: {exc}); code: {code!r}") from exc
        body = _text_of(result)
        try:
            body.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FuzzFailure(f"eval answered invalid text; code: {code!r}") from exc
        stats.calls += 1
        stats.errors += bool(result.is_error)
        stats.ok += not result.is_error
        if stats.calls % alive_every == 0:
            check = await client.call_tool("eval", {"code": "6 * 7"})
            if check.is_error or _text_of(check) != "42":
                raise FuzzFailure(f"the server stopped computing after code: {code!r} ({_text_of(check)!r})")
            stats.alive_checks += 1
    return stats


def fuzz_capture(workdir: Path) -> Path:
    """A capture to bind as ctx: the smallest reference capture, else a small crafted one."""
    from conftest import shared_captures

    captures = shared_captures()
    if captures:
        return min(captures, key=lambda c: c.stat().st_size)
    from engine_craft import make_capture
    from test_engine_tail_crafted import front, tail

    path = workdir / "crafted.tracy"
    path.write_bytes(make_capture(front((0, 14, 0)) + tail((0, 14, 0))))
    return path


async def run_server_fuzz(seconds: float, seed: int) -> Stats:
    from server_support import connect, server_env

    with tempfile.TemporaryDirectory(prefix="tracy-mcp-fuzz-") as tmp:
        work = Path(tmp)
        env = server_env(work / "home", TRACY_MCP_EVAL_TIME_LIMIT_S="1")
        capture = fuzz_capture(work)
        async with connect("stdio", env) as client:
            loaded = await client.call_tool("load_capture", {"path": str(capture)})
            if loaded.is_error:
                raise FuzzFailure(f"cannot load {capture}: {_text_of(loaded)}")
            return await fuzz(client, seconds, seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    try:
        stats = anyio.run(run_server_fuzz, args.seconds, args.seed)
    except FuzzFailure as exc:
        print(f"fuzz_eval: FAILED (seed {args.seed}): {exc}", file=sys.stderr)
        return 1
    print(
        f"fuzz_eval: {stats.calls} eval calls in {time.monotonic() - started:.0f} s (seed {args.seed}): "
        f"{stats.ok} answered, {stats.errors} errors, server alive at {stats.alive_checks} checks"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
