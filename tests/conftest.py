"""Shared test fixtures: where the reference data lives, and skips with a clear reason when it is absent."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACY_MCP_SHARED") or REPO.parent / "shared")
CAPTURES = SHARED / "captures"
GOLDEN = SHARED / "golden"


def shared_captures() -> list[Path]:
    """Every reference capture present: ../shared/captures/*.tracy, then captures/incoming/*.tracy (captures of
    older file versions waiting to move up beside the others). An empty list when ../shared is absent."""
    if not CAPTURES.is_dir():
        return []
    return sorted(CAPTURES.glob("*.tracy")) + sorted((CAPTURES / "incoming").glob("*.tracy"))


def golden_module(name: str) -> ModuleType:
    """Imports ../shared/golden/<name>.py (dump_golden, parity) afresh, as module golden_<name>."""
    spec = importlib.util.spec_from_file_location(f"golden_{name}", GOLDEN / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def require_shared() -> None:
    if not CAPTURES.is_dir():
        pytest.skip(f"reference captures not found at {CAPTURES} (set TRACY_MCP_SHARED to the shared/ folder)")


def require_capture(*paths: Path) -> None:
    for p in paths:
        if not p.is_file():
            pytest.skip(f"reference capture not found at {p} (set TRACY_MCP_SHARED to the shared/ folder)")


@pytest.fixture
def shared_dir() -> Path:
    require_shared()
    return SHARED


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test parametrized over the reference captures has no parameters without them, and pytest's own skip says
    only "got empty parameter set": give those the reason."""
    if CAPTURES.is_dir():
        return
    reason = f"reference captures not found at {CAPTURES} (set TRACY_MCP_SHARED to the shared/ folder)"
    for item in items:
        for mark in item.iter_markers("skip"):
            if str(mark.kwargs.get("reason", "")).startswith("got empty parameter set"):
                item.add_marker(pytest.mark.skip(reason=reason), append=False)
                break
