"""Loads the engine's shared library through the cffi ABI-mode module and maps its failures to exceptions.

This is the one place that touches cffi: every other module calls ``lib()`` and ``check()``.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from tracy_mcp.errors import EngineError, error_for_status

EXPECTED_API_VERSION = 7

_lock = threading.Lock()
_loaded: tuple[Any, Any] | None = None


def _library_filename() -> str:
    if sys.platform == "win32":
        return "tracy_shim.dll"
    if sys.platform == "darwin":
        return "libtracy_shim.dylib"
    return "libtracy_shim.so"


def _load() -> tuple[Any, Any]:
    try:
        import tracy_mcp.engine._shim_ffi as _shim_ffi  # generated at build time by build_ffi.py
    except ImportError as e:  # pragma: no cover - only on a broken install
        raise EngineError("tracy_mcp's native wrapper is missing: reinstall the package (pip install .)") from e
    ffi = _shim_ffi.ffi
    # TRACY_MCP_SHIM_LIB selects another build of the engine (e.g. a sanitizer build) for tests.
    override = os.environ.get("TRACY_MCP_SHIM_LIB")
    path = Path(override) if override else Path(_shim_ffi.__file__).with_name(_library_filename())
    try:
        lib = ffi.dlopen(str(path))
    except OSError as e:
        raise EngineError(f"cannot load the tracy-mcp engine library {path}: {e}") from e
    version = lib.tshim_api_version()
    if version != EXPECTED_API_VERSION:
        raise EngineError(
            f"engine library {path} speaks C API version {version}, this tracy_mcp expects "
            f"{EXPECTED_API_VERSION}: reinstall the package"
        )
    return ffi, lib


def ffi_lib() -> tuple[Any, Any]:
    """The (ffi, lib) pair, loaded once per process."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def last_error() -> str:
    ffi, lib = ffi_lib()
    return str(ffi.string(lib.tshim_last_error()).decode("utf-8", "replace"))


def check(status: int, what: str = "") -> int:
    """Raise the exception mapped to a negative status, with the engine's message."""
    if status < 0:
        message = last_error() or what or "engine call failed"
        raise error_for_status(status, message)
    return status


def library_version() -> str:
    ffi, lib = ffi_lib()
    return str(ffi.string(lib.tshim_library_version()).decode())
