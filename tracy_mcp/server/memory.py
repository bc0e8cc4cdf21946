"""How the server process uses the C allocator, so that memory freed by unloading a capture goes back to the system.

A server loads and unloads captures for days. By default glibc serves allocations of up to 32 MiB from per-thread
heaps ("arenas") and keeps what is freed there for reuse; loads run on ever-new threads, so every arena ends up
holding the peak of some load and the process's RSS climbs far past what is loaded. Served from their own mappings
instead, the engine's columns and numpy's arrays are returned to the system the moment they are freed; what small
allocations leave in the arenas is trimmed by the engine whenever a capture is closed (tshim_close).
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys

log = logging.getLogger("tracy_mcp.memory")

_M_MMAP_THRESHOLD = -3  # glibc mallopt parameters (malloc.h)
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 1 << 20  # allocations from this size on get their own mapping (fixed: no dynamic raise)
ARENA_MAX = 4  # few arenas: freed memory is shared between threads instead of stranded in one per thread


def tune_allocator() -> bool:
    """Apply the settings above on glibc (Linux); elsewhere do nothing. True when applied."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_ARENA_MAX, ARENA_MAX))
    if not ok:
        log.warning("could not tune the C allocator (mallopt refused)")
    return ok
