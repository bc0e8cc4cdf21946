"""eval cannot kill or freeze the server by accident (issue 17, items 4 and 5): invalid text in output, deep
recursion, exits, stdin, oversized code, ctx.close(); and a fatal signal it does cause is recorded in crash.log.
A real server over stdio (the transport that died of these), the SDK's client."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest
from conftest import require_capture
from mcp import Client
from server_support import CAPTURES, error, ok, run_client, server_env, text

from tracy_mcp.server import evaluator

CAPTURE = CAPTURES / "clientapp-0.14.0.tracy"
REPLACEMENT = "\ufffd"


async def still_serving(client: Client) -> None:
    assert (await ok(client, "eval", code="6 * 7")) == "42"


def test_lone_surrogates_come_back_replaced(tmp_path: Path) -> None:
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        assert await ok(client, "eval", code="print('a\\udcffb')") == f"a{REPLACEMENT}b"
        assert await ok(client, "eval", code="import os\nos.fsdecode(b'\\xff')") == REPLACEMENT
        # a container's repr escapes them already
        assert await ok(client, "eval", code="{'k\\udc80': ['\\ud800']}") == "{'k\\udc80': ['\\ud800']}"
        assert "\U0001f600" in await ok(
            client, "eval", code="'\\ud83d\\ude00'.encode('utf-16', 'surrogatepass').decode('utf-16')"
        )
        failed = await error(client, "eval", code="print('before \\udcff')\nraise ValueError('bad \\udcff')")
        assert f"ValueError: bad {REPLACEMENT}" in failed and f"before {REPLACEMENT}" in failed
        # any tool: a file name that is not valid UTF-8 (Python sees a lone surrogate) listed by list_captures
        listed = await ok(client, "list_captures")
        assert [Path(c["path"]).name for c in listed["captures"]] == [f"{REPLACEMENT}.tracy"]
        await still_serving(client)

    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / os.fsdecode(b"\xff.tracy")).write_bytes(b"not a capture")
    run_client(server_env(tmp_path / "home", TRACY_CAPTURES_DIR=str(folder)), scenario)


def test_deep_recursion_is_an_error_not_a_crash(tmp_path: Path) -> None:
    require_capture(CAPTURE)
    deep_repr = "import sys\nsys.setrecursionlimit(10**6)\nl = []\nfor _ in range(10**6):\n    l = [l]\nrepr(l)"
    deep_key = "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return sorted([n], key=f)[0]\nf(10**6)"

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        for code in (deep_repr, deep_key):
            failed = await error(client, "eval", code=code)
            assert "RecursionError" in failed and f"recursion limit capped at {evaluator.MAX_RECURSION_LIMIT}" in failed
        assert int(await ok(client, "eval", code="import sys\nsys.getrecursionlimit()")) <= (
            evaluator.MAX_RECURSION_LIMIT
        )
        await still_serving(client)

    run_client(server_env(tmp_path), scenario)


@pytest.mark.parametrize(
    "code,message",
    [
        ("import sys\nsys.exit(3)", "eval cannot end the server: the code raised SystemExit(3)"),
        ("exit()", "eval cannot end the server: the code raised SystemExit(None)"),
        ("quit(0)", "eval cannot end the server: the code raised SystemExit(0)"),
        ("import os\nos._exit(1)", "os._exit() would end the whole tracy-mcp server"),
        ("import os\nos.abort()", "os.abort() would end the whole tracy-mcp server"),
        ("input()", "EOFError"),
    ],
)
def test_exits_and_stdin_are_refused(tmp_path: Path, code: str, message: str) -> None:
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        assert message in await error(client, "eval", code=code)
        assert await ok(client, "eval", code="import sys\nrepr(sys.stdin.read())") == "''"
        await still_serving(client)

    run_client(server_env(tmp_path), scenario)


def test_oversized_and_uncompilable_code_get_clear_errors(tmp_path: Path) -> None:
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        huge = "x = 1\n" * 500_000  # 3 MB: compiling it once stalled every client for 7.5 s
        assert "the code is 3,000,000 characters long; eval accepts at most 50,000" in await error(
            client, "eval", code=huge
        )
        nested = "a" + "+a" * 20_000  # too deep for the compiler: an error, in the eval's thread
        assert "the code cannot be compiled: RecursionError" in await error(client, "eval", code=nested)
        assert "SyntaxError" in await error(client, "eval", code="x = (1,\n")
        await still_serving(client)

    run_client(server_env(tmp_path, TRACY_MCP_EVAL_MAX_CODE_CHARS="50000"), scenario)


def test_ctx_close_in_eval_drops_the_instance(tmp_path: Path) -> None:
    require_capture(CAPTURE)

    async def scenario(client: Client) -> None:
        first = await ok(client, "load_capture", path=str(CAPTURE), alias="mine")
        await ok(client, "eval", code="ctx.close()")
        assert (await ok(client, "list_instances"))["instances"] == []
        assert "its capture was closed (ctx.close() in eval); load it again" in await error(
            client, "eval", code="1", instance_id="mine"
        )
        again = await ok(client, "load_capture", path=str(CAPTURE), alias="mine")
        assert "reused" not in again and again["instance_id"] == first["instance_id"]
        assert int(await ok(client, "eval", code="ctx.get_zone_count()", instance_id="mine")) > 0

    run_client(server_env(tmp_path), scenario)


# -- what a deliberate crash leaves behind ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # a segmentation fault in the eval's thread
        "import ctypes\nctypes.string_at(0)",
        # a stack overflow in the eval's thread, past the recursion cap through the C API: the fatal-error handler
        # needs the thread's alternate signal stack to run at all
        "import ctypes\nctypes.pythonapi.Py_SetRecursionLimit(10**8)\ndef f(n):\n    return sorted([n], key=f)[0]\n"
        "f(10**7)",
    ],
    ids=["segfault", "stack-overflow"],
)
def test_a_fatal_signal_in_eval_is_recorded_in_crash_log(tmp_path: Path, code: str) -> None:
    require_capture(CAPTURE)
    env = server_env(tmp_path)
    crash_log = tmp_path / "state" / "tracy-mcp" / "log" / "crash.log"

    async def scenario(client: Client) -> None:
        await ok(client, "load_capture", path=str(CAPTURE))
        with pytest.raises(Exception, match="(?i)connection closed"):
            result = await client.call_tool("eval", {"code": code})
            raise AssertionError(f"the server survived: {text(result)}")

    run_client(env, scenario)
    logged = crash_log.read_text(errors="replace")
    assert "Fatal Python error: Segmentation fault" in logged
    assert 'File "<eval-' in logged  # the eval's own line, in the crashing thread's traceback


def test_a_short_fuzz_run_of_eval_keeps_the_server_up() -> None:
    """A few seconds of tests/fuzz_eval.py (CI runs it for 30 s): random code and random bytes in every output."""
    from fuzz_eval import run_server_fuzz

    stats = anyio.run(run_server_fuzz, 6.0, 3)
    assert stats.calls > 0 and stats.alive_checks > 0
