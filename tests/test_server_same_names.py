"""Two users' files of one name on a shared server (a real client and server over stdio): the second gets the
folder where their paths differ in its id, and the load says to pass that id."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
from server_support import connect, ok, server_env

DATA = Path(__file__).parent / "data"


def test_a_second_file_of_the_same_name_is_told_apart_by_its_folder(tmp_path: Path) -> None:
    for folder in ("nightly", "release"):
        (tmp_path / folder).mkdir()
        shutil.copy(DATA / "gemfall-ship.tracy", tmp_path / folder / "run1.tracy")

    async def main() -> None:
        async with connect("stdio", server_env(tmp_path)) as client:
            with anyio.fail_after(60):
                first = await ok(client, "load_capture", path=str(tmp_path / "nightly" / "run1.tracy"))
                second = await ok(client, "load_capture", path=str(tmp_path / "release" / "run1.tracy"))
                assert first["instance_id"] == "run1" and "note" not in first
                assert second["instance_id"] == "release-run1"
                assert "another loaded file is named 'run1': pass instance_id 'release-run1'" in second["note"]
                title = await ok(client, "analyze", instance_id="release-run1", analysis="slow_frames")
                assert "Frame::Limit" in str(title)
                # an id guessed from the file name reaches the other file: each answer says which file it read
                guessed = str(await ok(client, "analyze", instance_id="run1", analysis="slow_frames"))
                nightly, release = tmp_path / "nightly" / "run1.tracy", tmp_path / "release" / "run1.tracy"
                assert guessed.startswith(
                    f"[run1 is {nightly}; also loaded from a file of that name: release-run1 ({release})]\n"
                )

    anyio.run(main)
