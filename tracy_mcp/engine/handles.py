"""A thin, typed handle on one capture held by the native engine: load state, metadata and zero-copy columns.

Higher layers (``tracy_mcp.analysis.capture``) build the analysis API on top of this; nothing here interprets the data.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where columns are made: loading a capture does not need it
    import numpy as np

from tracy_mcp.engine._native import check, ffi_lib
from tracy_mcp.errors import CaptureNotFoundError, EngineError, error_for_status

# Load states, as in shim/include/tracy_shim.h.
FAILED, LOADING, READY, COMPLETE = -1, 0, 1, 2

_DTYPES = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "i8", 8: "u8", 9: "f4", 10: "f8"}


class NativeCapture:
    """Owns one engine capture handle. Column arrays returned here are read-only views that keep it alive."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if not os.path.isfile(self.path):
            raise CaptureNotFoundError(f"no such capture file: {self.path}")
        self._ffi, self._lib = ffi_lib()
        handle = self._lib.tshim_open_file(self.path.encode())
        if handle == self._ffi.NULL:
            check(-1, f"cannot open {self.path}")
        self._handle = self._ffi.gc(handle, self._lib.tshim_close)
        self._columns: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def _from_handle(cls, ffi: Any, lib: Any, handle: Any, path: str) -> NativeCapture:
        """Adopt an engine capture handle made elsewhere (a live session's snapshot)."""
        self = cls.__new__(cls)
        self.path = path
        self._ffi, self._lib = ffi, lib
        self._handle = ffi.gc(handle, lib.tshim_close)
        self._columns = {}
        self._lock = threading.Lock()
        return self

    @classmethod
    def synthetic(cls, zones: int, threads: int = 4, seed: int = 1) -> NativeCapture:
        """A capture of generated data built by the engine (tshim_synthetic): about `zones` worker zones on
        `threads` threads; for benchmarks and tests that need a capture of a given size."""
        ffi, lib = ffi_lib()
        handle = lib.tshim_synthetic(int(zones), int(threads), int(seed))
        if handle == ffi.NULL:
            check(-1, "cannot build a synthetic capture")
        return cls._from_handle(ffi, lib, handle, f"synthetic://{zones}")

    # -- load state -------------------------------------------------------------------------------------------
    @property
    def state(self) -> int:
        return int(self._lib.tshim_state(self._handle))

    def wait(self, state: int = READY, timeout: float | None = None) -> int:
        """Block until `state` (or failure); raise the load's error if it failed."""
        reached = int(self._lib.tshim_wait(self._handle, state, -1.0 if timeout is None else float(timeout)))
        if reached == FAILED:
            self.raise_failure()
        return reached

    def cancel(self) -> None:
        """Stop a load in progress (returns at once; the load then fails with "loading was cancelled"). No effect
        once the tables are readable."""
        check(self._lib.tshim_cancel(self._handle))

    def raise_failure(self) -> None:
        status = int(self._lib.tshim_capture_status(self._handle))
        message = self._ffi.string(self._lib.tshim_capture_error(self._handle)).decode("utf-8", "replace")
        raise error_for_status(status, message)

    def progress(self) -> tuple[int, int, str]:
        done = self._ffi.new("uint64_t *")
        total = self._ffi.new("uint64_t *")
        stage = self._ffi.new("const char **")
        check(self._lib.tshim_progress(self._handle, done, total, stage))
        return int(done[0]), int(total[0]), self._ffi.string(stage[0]).decode()

    # -- metadata -----------------------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        key = self._ffi.new("const char **")
        kind = self._ffi.new("char *")
        i = 0
        while self._lib.tshim_meta_key(self._handle, i, key, kind) == 0:
            name = self._ffi.string(key[0]).decode()
            out[name] = self.meta_value(name, kind[0].decode())
            i += 1
        return out

    def meta_value(self, key: str, kind: str) -> Any:
        k = key.encode()
        if kind == "i":
            vi = self._ffi.new("int64_t *")
            check(self._lib.tshim_meta_int(self._handle, k, vi))
            return int(vi[0])
        if kind == "f":
            vf = self._ffi.new("double *")
            check(self._lib.tshim_meta_float(self._handle, k, vf))
            return float(vf[0])
        data = self._ffi.new("const char **")
        size = self._ffi.new("size_t *")
        check(self._lib.tshim_meta_str(self._handle, k, data, size))
        return self._ffi.unpack(data[0], size[0]).decode("utf-8", "replace")

    def memory_bytes(self) -> int:
        """Bytes the engine's tables hold now (columns derived on first use count once built)."""
        return int(self._lib.tshim_memory_bytes(self._handle))

    # -- tables -------------------------------------------------------------------------------------------------
    def tables(self) -> list[str]:
        n = check(self._lib.tshim_table_count(self._handle))
        return [self._ffi.string(self._lib.tshim_table_name(self._handle, i)).decode() for i in range(n)]

    def columns(self, table: str) -> list[str]:
        t = table.encode()
        n = check(self._lib.tshim_column_count(self._handle, t))
        name = self._ffi.new("const char **")
        dtype = self._ffi.new("int *")
        out = []
        for i in range(n):
            check(self._lib.tshim_column_info(self._handle, t, i, name, dtype))
            out.append(self._ffi.string(name[0]).decode())
        return out

    def rows(self, table: str) -> int:
        return check(int(self._lib.tshim_table_rows(self._handle, table.encode())))

    def column(self, table: str, column: str) -> np.ndarray:
        """A read-only numpy view of one column (no copy). Cached per (table, column)."""
        import numpy as np

        key = (table, column)
        cached = self._columns.get(key)
        if cached is not None:
            return cached
        with self._lock:
            data = self._ffi.new("const void **")
            rows = self._ffi.new("int64_t *")
            dtype = self._ffi.new("int *")
            check(self._lib.tshim_column(self._handle, table.encode(), column.encode(), data, rows, dtype))
            np_dtype = _DTYPES.get(int(dtype[0]))
            if np_dtype is None:
                raise EngineError(f"column {table}.{column} has unknown dtype {dtype[0]}")
            n = int(rows[0])
            if n == 0:
                arr = np.zeros(0, dtype=np_dtype)
            else:
                nbytes = n * np.dtype(np_dtype).itemsize
                buf = self._ffi.buffer(self._ffi.cast("const char *", data[0]), nbytes)
                arr = np.frombuffer(buf, dtype=np_dtype, count=n)
                # The view must keep the handle alive: numpy keeps `buf`, and we keep a ref on the array's base.
                arr = _KeepAlive(arr, self._handle).array
            arr.flags.writeable = False
            self._columns[key] = arr
            return arr

    # -- queries ------------------------------------------------------------------------------------------------
    def zone_paths(self, labels: np.ndarray, per_thread: bool = True) -> dict[str, np.ndarray]:
        """Call paths of the CPU zones (see tshim_zone_paths): `row_path` per zone, and per path `parent`,
        `label`, `thread`, `count`, `total`, `self`, `max`."""
        import numpy as np

        labels = np.ascontiguousarray(labels, dtype=np.int32)
        n = self.rows("zones")
        row_path = np.empty(n, np.int32)
        n_paths = self._ffi.new("int64_t *")
        capacity = 4096
        while True:
            ints = {k: np.empty(capacity, np.int32) for k in ("parent", "label", "thread")}
            sums = {k: np.empty(capacity, np.int64) for k in ("count", "total", "self", "max")}

            def ptr(a: np.ndarray, ctype: str) -> Any:
                return self._ffi.cast(ctype, a.ctypes.data)

            check(
                self._lib.tshim_zone_paths(
                    self._handle,
                    ptr(labels, "int32_t *"),
                    len(labels),
                    1 if per_thread else 0,
                    ptr(row_path, "int32_t *"),
                    n,
                    *(ptr(ints[k], "int32_t *") for k in ("parent", "label", "thread")),
                    *(ptr(sums[k], "int64_t *") for k in ("count", "total", "self", "max")),
                    capacity,
                    n_paths,
                )
            )
            found = int(n_paths[0])
            if found <= capacity:
                break
            capacity = found
        out: dict[str, np.ndarray] = {"row_path": row_path}
        out.update({k: v[:found] for k, v in ints.items()})
        out.update({k: v[:found] for k, v in sums.items()})
        return out

    def zone_at(self, times: np.ndarray, threads: np.ndarray, fibers: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(innermost zone row, row of the thread owning it) per time, -1 where none (tshim_zone_at). `threads` holds
        one thread row, or one per time."""
        import numpy as np

        t = np.ascontiguousarray(times, dtype=np.int64)
        th = np.ascontiguousarray(threads, dtype=np.int32)
        n = len(t)
        zone = np.empty(n, np.int32)
        owner = np.empty(n, np.int32)
        if n:
            ffi = self._ffi
            check(
                self._lib.tshim_zone_at(
                    self._handle,
                    ffi.from_buffer("int64_t[]", t),
                    n,
                    ffi.from_buffer("int32_t[]", th),
                    len(th),
                    1 if fibers else 0,
                    ffi.from_buffer("int32_t[]", zone),
                    ffi.from_buffer("int32_t[]", owner),
                )
            )
        return zone.astype(np.int64), owner.astype(np.int64)

    def zone_path_sums(
        self,
        row_path: np.ndarray,
        n_paths: int,
        window: tuple[int, int],
        thread_mask: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Per path `count`, `total`, `self`, `max` over the CPU zones overlapping [window) clipped to it, of the
        threads in `thread_mask` (bool per thread row; None = all); see tshim_zone_path_sums."""
        import numpy as np

        row_path = np.ascontiguousarray(row_path, dtype=np.int32)
        out = {k: np.zeros(n_paths, np.int64) for k in ("count", "total", "self", "max")}
        mask = None if thread_mask is None else np.ascontiguousarray(thread_mask, dtype=np.uint8)

        def ptr(a: np.ndarray, ctype: str) -> Any:
            return self._ffi.cast(ctype, a.ctypes.data)

        check(
            self._lib.tshim_zone_path_sums(
                self._handle,
                ptr(row_path, "int32_t *"),
                len(row_path),
                n_paths,
                int(window[0]),
                int(window[1]),
                self._ffi.NULL if mask is None else ptr(mask, "uint8_t *"),
                0 if mask is None else len(mask),
                *(ptr(out[k], "int64_t *") for k in ("count", "total", "self", "max")),
            )
        )
        return out

    def zone_times(self, n: int, *, duration: bool = True, self_time: bool = True) -> dict[str, np.ndarray]:
        """{"duration", "self_time"} per CPU zone row (int64 ns; see tshim_zone_times), the ones asked for, computed
        by the engine in one pass over the cores into fresh arrays."""
        import numpy as np

        out = {k: np.empty(n, np.int64) for k, want in (("duration", duration), ("self_time", self_time)) if want}
        ffi = self._ffi

        def ptr(key: str) -> Any:
            return ffi.from_buffer("int64_t[]", out[key]) if key in out else ffi.NULL

        check(self._lib.tshim_zone_times(self._handle, ptr("duration"), ptr("self_time"), n))
        return out

    def zone_codes(self, key: str, lut: np.ndarray, missing: int, dtype: Any, n: int) -> np.ndarray:
        """lut[key of each CPU zone] (`missing` where the key is past the lut) as a fresh array of `dtype` (int8,
        int16 or int32); `key` is "srcloc", "thread" or "extra" (see tshim_zone_codes)."""
        import numpy as np

        keys = {"srcloc": 0, "thread": 1, "extra": 2}
        table = np.ascontiguousarray(lut, dtype=np.int32)
        out = np.empty(n, dtype)
        ffi = self._ffi
        check(
            self._lib.tshim_zone_codes(
                self._handle,
                keys[key],
                ffi.from_buffer("int32_t[]", table),
                len(table),
                int(missing),
                ffi.from_buffer("char[]", out),
                out.itemsize,
                n,
            )
        )
        return out

    def zone_group_stats(
        self, group_of: np.ndarray, ngroups: int, quantiles: Sequence[float] = ()
    ) -> dict[str, np.ndarray]:
        """Statistics of the CPU zones upstream counts (valid end, positive duration) per group of source
        locations, computed by the engine in one pass (tshim_zone_group_stats). `group_of[srcloc row]` is the
        group (0..ngroups-1) or -1. Returns int64 arrays count, total, min, max, self_total, self_min, self_max,
        float64 sum_sq, and percentiles (ngroups x len(quantiles), NaN for an empty group)."""
        import numpy as np

        groups = np.ascontiguousarray(group_of, dtype=np.int32)
        qs = np.ascontiguousarray(np.asarray(quantiles, dtype=np.float64).reshape(-1))
        out: dict[str, np.ndarray] = {
            name: np.zeros(ngroups, np.int64)
            for name in ("count", "total", "min", "max", "self_total", "self_min", "self_max")
        }
        out["sum_sq"] = np.zeros(ngroups, np.float64)
        out["percentiles"] = np.zeros((ngroups, len(qs)), np.float64)
        ffi = self._ffi
        spec = ffi.new("tshim_zone_group_stats_out *")
        pinned = []  # the cdata views must outlive the call
        for name, arr in out.items():
            view = ffi.from_buffer("double[]" if arr.dtype == np.float64 else "int64_t[]", arr)
            pinned.append(view)
            setattr(spec, name, view)
        check(
            self._lib.tshim_zone_group_stats(
                self._handle,
                ffi.from_buffer("int32_t[]", groups),
                len(groups),
                int(ngroups),
                ffi.from_buffer("double[]", qs),
                len(qs),
                spec,
            )
        )
        return out


class _KeepAlive:
    """Ties a numpy view's lifetime to the capture handle it points into."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray, owner: Any) -> None:
        import numpy as np

        holder = _Owner(array, owner)
        self.array = np.asarray(holder)


class _Owner:
    """numpy array-interface object whose lifetime pins `owner` (the cffi handle)."""

    def __init__(self, array: np.ndarray, owner: Any) -> None:
        self.__array_interface__ = array.__array_interface__
        self._array = array
        self._owner = owner


# Live session states and end reasons, as in shim/include/tracy_shim.h.
LIVE_FAILED, LIVE_CONNECTING, LIVE_STREAMING, LIVE_FINISHING, LIVE_DISCONNECTED = -1, 0, 1, 2, 3
LIVE_STATE_NAMES = {
    LIVE_FAILED: "failed",
    LIVE_CONNECTING: "connecting",
    LIVE_STREAMING: "streaming",
    LIVE_FINISHING: "finishing",
    LIVE_DISCONNECTED: "disconnected",
}
LIVE_END_NAMES = {
    0: None,
    1: "program finished",
    2: "memory limit",
    3: "disconnected on request",
    4: "connection lost",
    5: "protocol error",
    6: "handshake failed",
}


class NativeLive:
    """Owns one engine live session (a connection to a running Tracy client). Its data is read through
    :meth:`snapshot`, each an independent, frozen :class:`NativeCapture`."""

    def __init__(self, address: str, port: int, memory_limit_bytes: int = 0, protocol: int = 0) -> None:
        self.address, self.port = address, int(port)
        self._ffi, self._lib = ffi_lib()
        handle = self._lib.tshim_connect(address.encode(), self.port, max(0, int(memory_limit_bytes)), int(protocol))
        if handle == self._ffi.NULL:
            raise EngineError(f"cannot start a live session to {address}:{port}")
        self._handle = self._ffi.gc(handle, self._lib.tshim_live_close)
        self._snapshots = 0

    def wait(self, until_ended: bool = False, timeout: float | None = None) -> int:
        """Block until the handshake is over (or, with until_ended, the session has ended); returns the state."""
        return int(
            self._lib.tshim_live_wait(
                self._handle, 1 if until_ended else 0, -1.0 if timeout is None else float(timeout)
            )
        )

    def status(self) -> dict[str, Any]:
        info = self._ffi.new("tshim_live_info *")
        check(self._lib.tshim_live_status(self._handle, info))
        return {
            "state": LIVE_STATE_NAMES.get(int(info.state), str(info.state)),
            "state_code": int(info.state),
            "end_reason": LIVE_END_NAMES.get(int(info.end_reason)),
            "protocol": int(info.protocol),
            "bytes_received": int(info.bytes_received),
            "bytes_decoded": int(info.bytes_decoded),
            "frames": int(info.frames),
            "events": int(info.events),
            "memory_bytes": int(info.memory_bytes),
            "generation": int(info.generation),
            "queries_pending": int(info.queries_pending),
            "seconds": float(info.seconds),
        }

    def state(self) -> int:
        info = self._ffi.new("tshim_live_info *")
        check(self._lib.tshim_live_status(self._handle, info))
        return int(info.state)

    def generation(self) -> int:
        info = self._ffi.new("tshim_live_info *")
        check(self._lib.tshim_live_status(self._handle, info))
        return int(info.generation)

    def error(self) -> str:
        return self._ffi.string(self._lib.tshim_live_error(self._handle)).decode("utf-8", "replace")

    def error_status(self) -> int:
        return int(self._lib.tshim_live_error_status(self._handle))

    def raise_failure(self) -> None:
        raise error_for_status(self.error_status(), self.error())

    def snapshot(self) -> NativeCapture:
        handle = self._lib.tshim_live_snapshot(self._handle)
        if handle == self._ffi.NULL:
            raise EngineError(self.error() or "cannot take a snapshot of the live session")
        self._snapshots += 1
        return NativeCapture._from_handle(self._ffi, self._lib, handle, f"live://{self.address}:{self.port}")

    def disconnect(self) -> None:
        check(self._lib.tshim_disconnect(self._handle))

    def close(self) -> None:
        """Disconnect (if needed) and free the session; snapshots already taken stay valid."""
        handle, self._handle = self._handle, None
        if handle is not None:
            self._ffi.release(handle)  # runs tshim_live_close now
