"""save_trace refuses paths and options it cannot honour as given, with the reason, before anything is opened
(issue 17, item 6): a NUL byte once made the engine overwrite `config.ini` while reporting another path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import require_capture
from mcp import Client
from server_support import CAPTURES, error, ok, run_client, server_env

from tracy_mcp.export.save import SaveError, check_save_options, resolve_save_path

CAPTURE = CAPTURES / "clientapp-0.14.0.tracy"


@pytest.mark.parametrize(
    "path,reason",
    [
        ("/tmp/x/config.ini\x00", "contains a NUL byte"),
        ("", "path is empty"),
        ("   ", "path is empty"),
        (".", "names a folder, not a file"),
        ("..", "names a folder, not a file"),
        ("/tmp/..", "names a folder, not a file"),
        ("/tmp/dir/", "names a folder, not a file"),
        ("/tmp/" + "n" * 300, "is 306 bytes long; the file system allows 255"),
        ("/" + "d/" * 2100 + "x", "bytes long; the system allows 4095"),
    ],
)
def test_unwritable_paths_are_refused_with_the_reason(tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(SaveError, match=reason.replace("(", r"\(")):
        resolve_save_path(path, tmp_path)


def test_good_paths_still_resolve(tmp_path: Path) -> None:
    assert resolve_save_path("/tmp/a/run") == Path("/tmp/a/run.tracy")
    assert resolve_save_path("run.tracy", tmp_path) == tmp_path / "run.tracy"
    assert resolve_save_path("..x", tmp_path) == tmp_path / "..x.tracy"
    assert resolve_save_path("/tmp/" + "n" * 249) == Path("/tmp/" + "n" * 249 + ".tracy")  # 255 bytes


@pytest.mark.parametrize(
    "options,reason",
    [
        (("zstd", 0, 4), "zstd level must be 1..22"),
        (("zstd", 23, 4), "zstd level must be 1..22"),
        (("zstd", -5, 4), "zstd level must be 1..22"),
        (("zstd", 3, 0), "streams must be 1..255"),
        (("gzip", 3, 4), "compression must be one of"),
    ],
)
def test_options_out_of_range_are_refused(options: tuple[str, int, int], reason: str) -> None:
    with pytest.raises(SaveError, match=reason):
        check_save_options(*options)
    check_save_options("lz4", 99, 1)  # LZ4 has no level


def test_save_trace_gives_the_reason_and_writes_nothing_else(tmp_path: Path) -> None:
    require_capture(CAPTURE)
    folder = tmp_path / "out"
    folder.mkdir()
    config = folder / "config.ini"
    config.write_text("keep me\n")
    env = server_env(tmp_path / "home", TRACY_CAPTURES_DIR=str(folder))

    async def scenario(client: Client) -> None:
        inst = (await ok(client, "load_capture", path=str(CAPTURE)))["instance_id"]

        async def refused(path: str, **options: object) -> str:
            return await error(
                client, "save_trace", instance_id=inst, path=path, overwrite=True, async_mode=False, **options
            )

        assert "contains a NUL byte" in await refused(f"{config}\x00")
        assert "path is empty" in await refused("")
        assert "names a folder, not a file" in await refused(".")
        assert "names a folder, not a file" in await refused("..")
        assert "the file system allows 255" in await refused("n" * 300)
        for level in (40, 0):  # the tool's schema says 1..22; the library and the engine refuse it too
            assert re.search(
                r"level\s+Input should be (less|greater) than or equal to (22|1)",
                await refused(str(folder / "a"), level=level),
            )
        saved = await ok(client, "save_trace", instance_id=inst, path="good", level=1, async_mode=False)
        assert saved["result"]["path"] == str(folder / "good.tracy")

    run_client(env, scenario)
    assert config.read_text() == "keep me\n"
    assert sorted(p.name for p in folder.iterdir()) == ["config.ini", "good.tracy"]
