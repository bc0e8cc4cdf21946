"""The one place where the analysis API reads the engine: columns, rows, metadata and cached derived arrays.

Every query module goes through a :class:`CaptureData`, never through the engine handle directly. That makes it the
one place a live capture (tracy_mcp.live) swaps in a new frozen engine snapshot (``native``) between calls, and
the one place derived caches are dropped when that happens (``clear()``, ``generation``). Cache building is
serialised by a lock, so concurrent readers of one capture build each derived array once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from tracy_mcp import engine
from tracy_mcp.errors import NotFoundError

T = TypeVar("T")

_EMPTY_I64 = np.zeros(0, dtype=np.int64)


class CaptureData:
    """Read access to one engine capture plus a cache of arrays derived from it."""

    def __init__(self, native: engine.NativeCapture) -> None:
        self.native = native
        self._lock = threading.RLock()
        self._cache: dict[Any, Any] = {}
        self._meta: dict[str, Any] | None = None
        self._tables: dict[str, list[str]] | None = None
        self.generation = 0  # bumped by a live capture when data was appended; caches are keyed on it

    # -- load state -------------------------------------------------------------------------------------------
    def ensure(self, state: int = engine.READY) -> None:
        if self.native.state < state:
            self.native.wait(state)

    # -- metadata ---------------------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self.ensure()
            self._meta = self.native.meta()
        return self._meta

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self.meta().get(key, default)

    # -- tables -----------------------------------------------------------------------------------------------
    def table_columns(self) -> dict[str, list[str]]:
        if self._tables is None:
            self.ensure()
            self._tables = {t: self.native.columns(t) for t in self.native.tables()}
        return self._tables

    def has(self, table: str, column: str | None = None) -> bool:
        cols = self.table_columns().get(table)
        if cols is None:
            return False
        return column is None or column in cols

    def col(self, table: str, column: str) -> np.ndarray:
        """A read-only column; raises NotFoundError naming what is missing."""
        if not self.has(table, column):
            raise NotFoundError(f"the engine has no column {table}.{column} (this capture or engine lacks it)")
        return self.native.column(table, column)

    def col_or(self, table: str, column: str, default: np.ndarray | None = None) -> np.ndarray:
        """A column, or `default` (an empty int64 array unless given) when the engine lacks it."""
        if self.has(table, column):
            return self.native.column(table, column)
        return _EMPTY_I64 if default is None else default

    def rows(self, table: str) -> int:
        if not self.has(table):
            return 0
        return int(self.native.rows(table))

    # -- derived cache ----------------------------------------------------------------------------------------
    def cached(self, key: Any, build: Callable[[], T]) -> T:
        """`build()` once per key and data generation."""
        k = (self.generation, key)
        with self._lock:
            if k in self._cache:
                return self._cache[k]  # type: ignore[no-any-return,unused-ignore]
            value = build()
            self._cache[k] = value
            return value

    def cache_nbytes(self) -> int:
        total = 0
        for v in self._cache.values():
            total += _nbytes(v)
        return total

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._meta = None
            self._tables = None


def _nbytes(v: Any) -> int:
    if isinstance(v, np.ndarray):
        return int(v.nbytes)
    if isinstance(v, (tuple, list)):
        return sum(_nbytes(x) for x in v)
    if isinstance(v, dict):
        return sum(_nbytes(x) for x in v.values())
    codes = getattr(v, "codes", None)  # columnar.Labels
    return int(codes.nbytes) if isinstance(codes, np.ndarray) else 0
