"""lock_contention, memory_report and zone_at on damaged but loadable captures: an answer or a clear error
(TracyMcpError), never a numpy IndexError or a crash of the engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CAPTURES, require_shared
from engine_craft import check_flipped_bytes, lz4_available, read_lz4_payload


def test_flipped_bytes(tmp_path: Path) -> None:
    require_shared()
    if not lz4_available():
        pytest.skip("the system liblz4 is not loadable through ctypes")
    payload = read_lz4_payload(CAPTURES / "clientapp-0.14.0-lz4.tracy")  # locks, memory pools, callstacks
    queries = {
        "lock_contention": lambda c: c.lock_contention().summary(),
        "memory_report": lambda c: c.memory_report().summary(),
        "zone_at": lambda c: c.zone_at(
            np.arange(0, max(c.get_last_time(), 1), max(c.get_last_time() // 5000, 1)), 0
        ).summary(),
    }
    check_flipped_bytes(payload, queries, tmp_path, variants=12, seed=23)
