"""`Capture`: one Tracy capture and the questions you can ask it (the `ctx` of the MCP eval tool).

The upstream-compatible methods (``get_*``, same names, arguments, defaults and result shapes as upstream Tracy's
Python binding; times are integer nanoseconds) live in small query modules mixed in here; columnar access,
percentiles, self time and exports are the extras. Every read goes through one ``CaptureData``
(``tracy_mcp.engine.data``), where a live capture (``tracy_mcp.live``) swaps in each new snapshot.
The eval guide (``tracy_mcp/server/resources/eval_guide.md``) documents the whole surface for users.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import attrs

from tracy_mcp import engine
from tracy_mcp.analysis.answers import AnswerMethods
from tracy_mcp.analysis.cpu_runs import host_cores
from tracy_mcp.analysis.events import EventQueries
from tracy_mcp.analysis.exports import ExportMethods
from tracy_mcp.analysis.frames import FrameQueries
from tracy_mcp.analysis.gpu import GpuQueries
from tracy_mcp.analysis.locks import LockQueries
from tracy_mcp.analysis.memory import MemoryQueries
from tracy_mcp.analysis.metadata import MetaQueries
from tracy_mcp.analysis.plotting import PlotMethods
from tracy_mcp.analysis.query_base import QueryBase
from tracy_mcp.analysis.sampling import SamplingQueries
from tracy_mcp.analysis.sql import SqlMethods
from tracy_mcp.engine.data import CaptureData
from tracy_mcp.errors import TracyMcpError

ProgressCallback = Callable[[int, int, str], None]


class CaptureClosedError(TracyMcpError):
    """The capture was closed; open it again."""


class Capture(
    AnswerMethods,
    ExportMethods,
    SqlMethods,
    PlotMethods,
    FrameQueries,
    GpuQueries,
    EventQueries,
    MemoryQueries,
    LockQueries,
    SamplingQueries,
    MetaQueries,
):
    """One capture loaded by the engine. Create it with :func:`open_capture`.

    Upstream-compatible: every ``get_*`` method of upstream's binding (see the eval guide, tracy://eval-guide).
    Extras: ``info()``, ``zones()``, ``zone_stats()``, ``zone_durations()``, ``zone_percentiles()``,
    ``frames()``, ``frame_percentiles()``, ``zones_in_frame()``, ``zones_in_range()``, ``thread_busy_time()``,
    ``gpu_zones()``, ``messages()``, ``plots()``, ``memory_events()``, ``samples()``, ``context_switches()``,
    ``locks()``, ``lock_events()``, ``export_chrome_trace()``, ``export_csv()``, ``export_parquet()``,
    ``export_speedscope()``, ``sql()``; pictures: ``plot_frames()``, ``plot_flame()``, ``plot_timeline()``; answers
    to common questions: see answers.py."""

    def __init__(self, native: engine.NativeCapture) -> None:
        self._native: engine.NativeCapture | None = native
        self.path: str = native.path
        QueryBase.__init__(self, CaptureData(native))

    # -- lifecycle ------------------------------------------------------------------------------------------
    def is_background_done(self) -> bool:
        """True once the engine has built every derived statistic (upstream: background statistics done)."""
        if self._native is None:
            return True
        return self._native.state >= engine.COMPLETE

    def state(self) -> str:
        """ "loading", "ready", "complete", "failed" or "closed"."""
        if self._native is None:
            return "closed"
        return {
            engine.FAILED: "failed",
            engine.LOADING: "loading",
            engine.READY: "ready",
            engine.COMPLETE: "complete",
        }.get(self._native.state, "unknown")

    def wait(
        self, *, complete: bool = True, timeout: float | None = None, progress: ProgressCallback | None = None
    ) -> bool:
        """Block until the tables are readable (and, with `complete`, statistics are built). Returns True when
        reached, False on timeout; raises the load's error if it failed."""
        native = self._require_native()
        target = engine.COMPLETE if complete else engine.READY
        return _wait_native(native, target, timeout, progress)

    def progress(self) -> tuple[int, int, str]:
        """(bytes done, bytes total (0 while unknown), stage name) of the load."""
        return self._require_native().progress()

    def cancel_load(self) -> None:
        """Stop loading (a waiting `wait` then raises "loading was cancelled"); no effect once the data is readable."""
        if self._native is not None:
            self._native.cancel()

    def close(self) -> None:
        """Drop this object's hold on the engine's memory. Arrays you still hold keep their data alive until
        they are released; every method raises after close."""
        if self._native is None:
            return
        self._native.cancel()  # a load still running stops instead of finishing for nobody
        self._db.clear()
        self._native = None
        self._close_db()

    def closed(self) -> bool:
        """True once close() was called."""
        return self._native is None

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def memory_bytes(self) -> int:
        """Approximate bytes held for this capture: engine tables plus arrays derived and cached here."""
        if self._native is None:
            return 0
        db = self._db
        return db.native.memory_bytes() + db.cache_nbytes()

    def info(self) -> dict[str, Any]:
        """Headline facts: name, program, counts, span (ns), threads, ..."""
        self._require_native()
        first, last = self.get_first_time(), self.get_last_time()
        return {
            "path": self.path,
            "file_bytes": os.path.getsize(self.path) if os.path.exists(self.path) else None,
            "name": self.get_capture_name(),
            "program": self.get_capture_program(),
            "app_info": self.get_app_info(),
            "capture_time": self.get_capture_time(),
            "pid": self.get_pid(),
            "host_info": self.get_host_info(),
            "cpu_manufacturer": self.get_cpu_manufacturer(),
            "cpu_cores": host_cores(self) or None,  # from the host info ("CPU cores: N"); None when not recorded
            "file_version": self._db.meta_get("file_version_str") or _version_str(self._db.meta_get("file_version")),
            "first_time_ns": first,
            "last_time_ns": last,
            "span_ns": last - first,
            "zone_count": self.get_zone_count(),
            "gpu_zone_count": self.get_gpu_zone_count(),
            "frame_count": self.get_frame_count(),
            "message_count": self.get_message_count(),
            "thread_count": len(self._listed_thread_rows()),
            "threads": [t["name"] for t in self.get_threads()],
            "src_loc_count": self.get_src_loc_count(),
            "state": self.state(),
            "warnings": self.warnings(),
            "crash": attrs.asdict(crashed) if (crashed := self.crash()) is not None else None,
        }

    def warnings(self) -> list[str]:
        """What the engine had to repair in a damaged capture, and source locations a live session never got the
        names of (empty for a sound, complete capture)."""
        self._require_native()
        out = []
        repaired = self._db.meta_get("repaired_references")
        if repaired:
            detail = self._db.meta_get("repaired_references_text") or ""
            out.append(f"damaged capture: {repaired} dangling reference(s) were repaired at load ({detail})")
        unresolved = self._db.meta_get("unresolved_srclocs")
        if unresolved:
            when = "not yet" if self._db.meta_get("connected") else "never"
            out.append(
                f"live capture: the program has {when} sent the names of {unresolved} source location(s); "
                "their zones are named '???'"
            )
        return out

    def __repr__(self) -> str:
        return f"<Capture {self.path!r} {self.state()}>"

    def _require_native(self) -> engine.NativeCapture:
        if self._native is None:
            raise CaptureClosedError(f"capture {self.path} is closed")
        return self._native

    def save(self, path: str | os.PathLike[str], **options: Any) -> Any:
        """Write this capture as a .tracy file (Tracy 0.14 format); see :func:`tracy_mcp.export.save.save_capture`."""
        from tracy_mcp.export.save import save_capture

        return save_capture(self._require_native(), path, **options)

    # -- connection control (upstream surface; a file capture has no connection) --------------------------------
    def is_connected(self) -> bool:
        """False: a file capture has no connection (a live session answers for its client)."""
        return False

    def shutdown(self) -> None:
        """Nothing to do for a file capture (upstream: ask the client to stop)."""
        return None

    def disconnect(self) -> None:
        """Nothing to do for a file capture (a live session stops receiving)."""
        return None


def _version_str(v: Any) -> str | None:
    if not isinstance(v, int):
        return None
    return f"{v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}"


def _wait_native(
    native: engine.NativeCapture, target: int, timeout: float | None, progress: ProgressCallback | None
) -> bool:
    if progress is None:
        return native.wait(target, timeout) >= target
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        step = 0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic()))
        reached = native.wait(target, step)
        done, total, stage = native.progress()
        progress(done, total, stage)
        if reached >= target:
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False


def open_capture(
    path: str | os.PathLike[str], *, wait: bool = True, progress: ProgressCallback | None = None
) -> Capture:
    """Open a .tracy file. With `wait` (default) returns once it is fully loaded and its statistics are built;
    otherwise returns at once (methods then block until the data they need is there). `progress(done, total,
    stage)` is called about every 0.1 s while waiting."""
    native = engine.NativeCapture(path)
    cap = Capture(native)
    if wait:
        _wait_native(native, engine.COMPLETE, None, progress)
    return cap
