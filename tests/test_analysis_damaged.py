"""lock_contention, memory_report and zone_at on damaged but loadable captures: an answer or a clear error
(TracyMcpError), never a numpy IndexError or a crash of the engine."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from conftest import CAPTURES, require_shared
from engine_craft import lz4_available, make_capture, read_lz4_payload

import tracy_mcp
from tracy_mcp.errors import CaptureFormatError, TracyMcpError


def test_flipped_bytes(tmp_path: Path) -> None:
    require_shared()
    if not lz4_available():
        pytest.skip("the system liblz4 is not loadable through ctypes")
    payload = read_lz4_payload(CAPTURES / "clientapp-0.14.0-lz4.tracy")  # locks, memory pools, callstacks
    rng = random.Random(23)
    queries = {
        "lock_contention": lambda c: c.lock_contention().summary(),
        "memory_report": lambda c: c.memory_report().summary(),
        "zone_at": lambda c: c.zone_at(
            np.arange(0, max(c.get_last_time(), 1), max(c.get_last_time() // 5000, 1)), 0
        ).summary(),
    }
    loaded = 0
    for i in range(12):
        buf = bytearray(payload)
        for _ in range(rng.choice([2, 8, 32])):
            buf[rng.randrange(8, len(buf))] = rng.choice([0, 0xFF, rng.randrange(256)])
        p = tmp_path / f"flip{i}.tracy"
        p.write_bytes(make_capture(bytes(buf)))
        try:
            cap = tracy_mcp.open_capture(p)
        except CaptureFormatError:
            continue
        loaded += 1
        for name, query in queries.items():
            try:
                query(cap)
            except TracyMcpError:
                pass
            except Exception as exc:  # noqa: BLE001 - the point of the test
                raise AssertionError(f"variant {i}: {name} raised {type(exc).__name__}: {exc}") from exc
        cap.close()
        p.unlink()
    assert loaded > 0
