"""Saving a capture held in memory (file-loaded, or a live session's current snapshot) as a ``.tracy`` file.

The engine writes file version 0.14.0 (what upstream Tracy 0.14 opens) through a temporary file beside the
target that is renamed into place only once complete, so a failed save never leaves half a file behind and an
existing file is only replaced when asked.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from tracy_mcp.engine._native import ffi_lib
from tracy_mcp.errors import TracyMcpError, error_for_status

if TYPE_CHECKING:
    from tracy_mcp.engine.handles import NativeCapture

COMPRESSIONS = {"lz4": 0, "zstd": 1}
ProgressCallback = Callable[[int, int], "bool | None"]


class SaveError(TracyMcpError):
    """The capture could not be saved (bad path, existing file, write failure)."""


@attrs.frozen
class SaveResult:
    """What a save wrote: `ratio` = uncompressed / compressed bytes; `level` is the zstd level (0 for LZ4)."""

    path: str
    compression: str
    level: int
    streams: int
    uncompressed_bytes: int
    compressed_bytes: int
    seconds: float

    @property
    def ratio(self) -> float:
        return self.uncompressed_bytes / self.compressed_bytes if self.compressed_bytes else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["ratio"] = round(self.ratio, 3)
        out["seconds"] = round(self.seconds, 3)
        return out


# Longest file name and path the engine is asked to write, when the file system does not say (Linux's limits).
NAME_MAX = 255
PATH_MAX = 4096
ZSTD_LEVELS = range(1, 23)


def resolve_save_path(path: str | os.PathLike[str], captures_dir: Path | None = None) -> Path:
    """An absolute path as given, or a bare name placed in `captures_dir`; ``.tracy`` appended when missing.

    Refuses, with the reason, what could not be written as given: a NUL byte (the engine would cut the path there
    and write another file), an empty path, a path that names no file (``.``, ``..``, a trailing ``/``), a file
    name or path longer than the file system allows."""
    text = os.fspath(path)
    if "\x00" in text:
        raise SaveError(f"path {text!r} contains a NUL byte; a file path cannot")
    if not text.strip():
        raise SaveError("path is empty: give an absolute path, or a file name for TRACY_CAPTURES_DIR")
    try:
        p = Path(text).expanduser()
    except RuntimeError as exc:  # ~user of an unknown user
        raise SaveError(f"path {text!r}: {exc}") from None
    if p.name in ("", ".", "..") or text.endswith(("/", os.sep)):
        raise SaveError(f"path {text!r} names a folder, not a file: add a file name (e.g. {text.rstrip('/')}/name)")
    if p.suffix != ".tracy":
        p = p.with_name(p.name + ".tracy")
    if not p.is_absolute():
        if captures_dir is None:
            raise SaveError(f"path must be absolute (or TRACY_CAPTURES_DIR set for a bare name): {path}")
        if len(p.parts) != 1:
            raise SaveError(f"a relative path must be a bare file name inside TRACY_CAPTURES_DIR: {path}")
        p = Path(captures_dir) / p
    name_max = _name_max(p.parent)
    if len(os.fsencode(p.name)) > name_max:
        raise SaveError(
            f"file name {p.name[:40]!r}... is {len(os.fsencode(p.name))} bytes long; the file system allows {name_max}"
        )
    if len(os.fsencode(str(p))) >= PATH_MAX:
        raise SaveError(f"path is {len(os.fsencode(str(p)))} bytes long; the system allows {PATH_MAX - 1}")
    return p


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no such folder yet, or no pathconf on this platform
        return NAME_MAX


def check_save_options(compression: str, level: int, streams: int) -> None:
    """SaveError naming the first option out of range."""
    if compression not in COMPRESSIONS:
        raise SaveError(f"compression must be one of {sorted(COMPRESSIONS)}, not {compression!r}")
    if not 1 <= int(streams) <= 255:
        raise SaveError(f"streams must be 1..255, not {streams}")
    if compression == "zstd" and int(level) not in ZSTD_LEVELS:
        raise SaveError(f"zstd level must be 1..22 (1 fastest, 22 smallest), not {level}")


def save_capture(
    native: NativeCapture,
    path: str | os.PathLike[str],
    *,
    compression: str = "zstd",
    level: int = 3,
    streams: int = 4,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    fi_dict: bool = False,
    poll_s: float = 0.1,
) -> SaveResult:
    """Write the engine capture `native` (a loaded file or a live snapshot) to `path` (``.tracy`` appended when
    missing). `progress(done, total)` is called from this thread while the engine compresses (payload bytes);
    returning False cancels the save (SaveError, no file). `fi_dict` stores a zstd dictionary trained on the frame
    images, as upstream's option (a no-op for captures without frame images)."""
    check_save_options(compression, level, streams)
    target = resolve_save_path(path)
    ffi, lib = ffi_lib()
    counters = ffi.new("uint64_t[3]")  # done, total (written by the engine), cancel (written here)
    out = ffi.new("tshim_save_result *")
    flags = (lib.TSHIM_SAVE_OVERWRITE if overwrite else 0) | (lib.TSHIM_SAVE_FRAME_IMAGE_DICT if fi_dict else 0)
    outcome: dict[str, Any] = {}

    def run() -> None:  # the engine call releases the GIL: progress is polled from the calling thread meanwhile
        status = lib.tshim_save(
            native._handle,
            os.fsencode(target),
            COMPRESSIONS[compression],
            int(level),
            int(streams),
            flags,
            counters,
            out,
        )
        outcome["status"] = int(status)
        if status != 0:
            outcome["message"] = ffi.string(lib.tshim_save_error()).decode("utf-8", "replace")

    worker = threading.Thread(target=run, name="tracy-mcp-save", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(poll_s)
            if progress is not None and progress(int(counters[0]), int(counters[1])) is False:
                counters[2] = 1
    except BaseException:  # a stopped task or Ctrl-C: the engine stops at its next block and removes its file
        counters[2] = 1
        worker.join()
        raise
    if outcome.get("status", -8) != 0:
        err = error_for_status(outcome.get("status", -8), outcome.get("message", "save failed"))
        raise SaveError(str(err)) from err
    return SaveResult(
        path=str(target),
        compression=compression,
        level=int(level) if compression == "zstd" else 0,
        streams=int(streams),
        uncompressed_bytes=int(out.uncompressed_bytes),
        compressed_bytes=int(out.compressed_bytes),
        seconds=float(out.seconds),
    )
