"""Capture metadata and headline counts (upstream-compatible getters)."""

from __future__ import annotations

from typing import Any

from tracy_mcp.analysis.query_base import QueryBase


class MetaQueries(QueryBase):
    def _meta_str(self, key: str) -> str:
        v = self._db.meta_get(key, "")
        return v if isinstance(v, str) else str(v)

    def _meta_int(self, key: str, default: int = 0) -> int:
        v: Any = self._db.meta_get(key, default)
        return int(v)

    def get_capture_name(self) -> str:
        """The capture's name as the client sent it: the program name and when it ran ("game @ 2026-11-29 ...")."""
        return self._meta_str("capture_name")

    def get_app_info(self) -> list[str]:
        """What the program described itself as with TracyAppInfo (a version, a build, a configuration), one
        entry per call, in order; [] when it set none."""
        db = self._db
        if not db.rows("app_info"):
            return []
        return [self._str(x) for x in db.col("app_info", "text").tolist()]

    def get_capture_program(self) -> str:
        """The profiled program's executable name."""
        return self._meta_str("capture_program")

    def get_capture_time(self) -> int:
        """Epoch seconds when the capture was taken."""
        return self._meta_int("capture_time")

    def get_host_info(self) -> str:
        """The profiled machine: OS, compiler, CPU, RAM, as the client reported them."""
        return self._meta_str("host_info")

    def get_pid(self) -> int:
        """Process id of the profiled program."""
        return self._meta_int("pid")

    def get_resolution(self) -> int:
        """Timer resolution in ns."""
        return self._meta_int("resolution")

    def get_first_time(self) -> int:
        """Time (ns) of the first event: usually 0, times count from the capture's start."""
        return self._meta_int("first_time")

    def get_last_time(self) -> int:
        """Time (ns) of the last event: the capture's length."""
        return self._meta_int("last_time")

    def get_cpu_manufacturer(self) -> str:
        """CPU vendor string of the profiled machine."""
        return self._meta_str("cpu_manufacturer")

    # -- counts -------------------------------------------------------------------------------------------------
    def _count(self, meta_key: str, table: str | None = None) -> int:
        v = self._db.meta_get(meta_key)
        if isinstance(v, int):
            return v
        return self._db.rows(table) if table else 0

    def get_zone_count(self) -> int:
        """CPU zones on all threads and fibers."""
        return self._count("zone_count", "zones")

    def get_src_loc_count(self) -> int:
        """Source locations (static and dynamic) of zones, locks and GPU zones."""
        return self._count("src_loc_count", "srclocs")
