"""Common base of the query mixins that make up `Capture`: access to the data layer and the string pool."""

from __future__ import annotations

from typing import Any

from tracy_mcp.engine.data import CaptureData
from tracy_mcp.engine.strings import StringPool
from tracy_mcp.errors import TracyMcpError

ALL = 2**62  # what upstream callers pass as "no limit"


class QueryBase:
    """Holds the `CaptureData` every query reads through."""

    path: str

    def __init__(self, db: CaptureData) -> None:
        self.__db: CaptureData | None = db
        self.__strings: StringPool | None = StringPool(db)

    @property
    def _db(self) -> CaptureData:
        db = self.__db
        if db is None:
            raise TracyMcpError(f"capture {getattr(self, 'path', '')} is closed")
        return db

    @property
    def _strings(self) -> StringPool:
        s = self.__strings
        if s is None:
            raise TracyMcpError(f"capture {getattr(self, 'path', '')} is closed")
        return s

    def _close_db(self) -> None:
        self.__db = None
        self.__strings = None

    def _str(self, sid: Any) -> str:
        return self._strings.get(int(sid))
