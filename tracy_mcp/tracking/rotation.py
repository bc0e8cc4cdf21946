"""One session's append-only markdown log, rotated into numbered parts when it grows past a size."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# Text that is not valid UTF-8 (lone surrogates from a client's JSON or an undecodable file name) is written as
# backslash escapes rather than failing the record.
ENCODING_ERRORS = "backslashreplace"


class SessionLog:
    """``{session_id}.md`` plus its archived parts ``{session_id}.N.md`` (N = 1, 2, ...).

    The caller serialises access (the tracker's write lock). Each record goes to the operating system in one
    unbuffered write before ``append`` returns, so a crash of the process loses at most the record being written.
    When appending would push the live file past ``rotate_bytes``, the file is renamed to the next free part number
    N and a fresh file starts with a "(continued, part N+1)" header. The handle stays open between writes; ``close``
    releases it (it is reopened on demand).
    """

    def __init__(self, directory: Path, session_id: str, rotate_bytes: int, header: Callable[[int], str]) -> None:
        self.directory = directory
        self.session_id = session_id
        self.path = directory / f"{session_id}.md"
        self.rotate_bytes = rotate_bytes
        self._header = header  # part number -> header text
        self._fh: BinaryIO | None = None
        self._size = 0  # bytes in the live file, counted as we write
        self._header_size = 0
        self._part = 1  # part number of the live file
        self._next_free = 1  # lowest part number that may still be free

    def _open(self) -> BinaryIO:
        fh = open(self.path, "ab", buffering=0)  # noqa: SIM115 (kept open between records)
        try:
            self._size = fh.seek(0, os.SEEK_END)
            if self._size == 0:
                self._write(fh, self._header(self._part).encode("utf-8", ENCODING_ERRORS))
                self._header_size = self._size
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        return fh

    def _write(self, fh: BinaryIO, data: bytes) -> None:
        view = memoryview(data)
        while view:  # one write() for a whole record unless the disk is full or a signal cut it short
            n = fh.write(view)
            if not n:
                raise OSError(f"cannot write to {self.path}")
            view = view[n:]
        self._size += len(data)

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
        data = text.encode("utf-8", ENCODING_ERRORS)
        # Rotate unless the file holds nothing but its header (an entry larger than the limit still goes in).
        if self._size + len(data) > self.rotate_bytes and self._size > self._header_size:
            self._rotate()
            fh = self._open()
        self._write(fh, data)

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()
