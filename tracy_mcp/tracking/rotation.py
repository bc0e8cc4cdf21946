"""One session's append-only markdown log, rotated into numbered parts when it grows past a size."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO


def _nbytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class SessionLog:
    """``{session_id}.md`` plus its archived parts ``{session_id}.N.md`` (N = 1, 2, ...).

    Only the writer thread touches it. When appending would push the live file past ``rotate_bytes``, the file is
    renamed to the next free part number N and a fresh file starts with a "(continued, part N+1)" header. The handle
    stays open between writes; ``close`` releases it (it is reopened on demand).
    """

    def __init__(self, directory: Path, session_id: str, rotate_bytes: int, header: Callable[[int], str]) -> None:
        self.directory = directory
        self.session_id = session_id
        self.path = directory / f"{session_id}.md"
        self.rotate_bytes = rotate_bytes
        self._header = header  # part number -> header text
        self._fh: IO[str] | None = None
        self._size = 0  # bytes in the live file, counted as we write (utf-8)
        self._header_size = 0
        self._part = 1  # part number of the live file
        self._next_free = 1  # lowest part number that may still be free

    def _open(self) -> IO[str]:
        fh = open(self.path, "a", encoding="utf-8", newline="\n")
        try:
            self._size = fh.tell()
            if self._size == 0:
                header = self._header(self._part)
                self._write(fh, header, _nbytes(header))
                self._header_size = self._size
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        return fh

    def _write(self, fh: IO[str], text: str, nbytes: int) -> None:
        fh.write(text)
        self._size += nbytes

    def _rotate(self) -> None:
        assert self._fh is not None
        self._fh.close()
        self._fh = None
        n = self._next_free
        while (self.directory / f"{self.session_id}.{n}.md").exists():
            n += 1
        os.replace(self.path, self.directory / f"{self.session_id}.{n}.md")
        self._next_free = n + 1
        self._part = n + 1
        self._size = 0

    def append(self, text: str) -> None:
        fh = self._fh or self._open()
        nbytes = _nbytes(text)
        # Rotate unless the file holds nothing but its header (an entry larger than the limit still goes in).
        if self._size + nbytes > self.rotate_bytes and self._size > self._header_size:
            fh.flush()
            self._rotate()
            fh = self._open()
        self._write(fh, text, nbytes)

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()
