"""Small typed result classes, with the public field names of upstream Tracy's Python binding.

Only the fields upstream exposes are public fields (tools that turn results into dicts of public attributes see
the same keys); extra information is available through methods.
"""

from __future__ import annotations

from typing import Any

import attrs

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


@attrs.frozen
class ZoneStats:
    """Duration statistics of a set of zones, in nanoseconds (sum_sq in ns^2, avg = total / count)."""

    min: int = INT64_MAX
    max: int = INT64_MIN
    total: int = 0
    sum_sq: float = 0.0
    count: int = 0
    avg: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class FrameStats:
    """Statistics of one frame set: frame durations in nanoseconds."""

    name: str
    min: int
    max: int
    total: int
    sum_sq: float
    count: int
    avg: float

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class PlotSummary:
    """One plot: value range, sum, point count, mean, and type ("User", "Memory", "SysTime", "Power")."""

    name: str
    min: float
    max: float
    sum: float
    count: int
    avg: float
    type: str

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class MemPoolSummary:
    """One memory pool: highest / lowest allocation address, bytes still allocated at the end, event count."""

    name: str
    high: int
    low: int
    usage: int
    alloc_count: int

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class LockSummary:
    """One lock: display name, contention flag, type ("Lockable" / "SharedLockable"), lifetime, OS thread ids."""

    name: str
    is_contended: bool
    type: str
    time_announce: int
    time_terminate: int
    threads: list[int]

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class GpuContextSummary:
    """One GPU context: name, zone count, API type name, OS thread id of the thread that created it."""

    name: str
    count: int
    type: str
    thread: int

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class MessageInfo:
    """One message: time (ns), text, color (as stored: 0xFF000000 | byte-swapped RGB), thread (upstream's
    internal thread index, kept for compatibility) and tid (the OS thread id)."""

    time: int
    text: str
    color: int
    thread: int
    tid: int = 0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class SourceLocation:
    """A source location. Upstream exposes only `line`; the rest is reachable through methods."""

    line: int
    _id: int = attrs.field(default=0, alias="id")
    _name: str = attrs.field(default="", alias="name")
    _function: str = attrs.field(default="", alias="function")
    _file: str = attrs.field(default="", alias="file")
    _color: int = attrs.field(default=0, alias="color")

    def srcloc_id(self) -> int:
        return self._id

    def name(self) -> str:
        """The zone name: the custom name if the zone was given one in code, else the function."""
        return self._name

    def function(self) -> str:
        return self._function

    def file(self) -> str:
        return self._file

    def color(self) -> int:
        return self._color

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self._id,
            "name": self._name,
            "function": self._function,
            "file": self._file,
            "line": self.line,
            "color": self._color,
        }
