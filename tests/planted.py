"""The planted-problem captures and their expected answers (../shared/captures/planted, golden/planted)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import CAPTURES, GOLDEN, shared_captures

PLANTED = CAPTURES / "planted"
ANSWERS = GOLDEN / "planted" / "answers.json"


def answers() -> dict[str, Any]:
    """The expected answers; skips the test with the reason when the reference data is absent."""
    if not ANSWERS.is_file():
        pytest.skip(f"planted answers not found at {ANSWERS} (set TRACY_MCP_SHARED)")
    return _answers()


@cache
def _answers() -> dict[str, Any]:
    return json.loads(ANSWERS.read_text())["captures"]


def planted(name: str) -> Path:
    """Path of a planted capture; skips the test with the reason when the reference data is absent."""
    p = PLANTED / name
    if not p.is_file() or not ANSWERS.is_file():
        pytest.skip(f"planted captures / answers not found under {PLANTED.parent.parent} (set TRACY_MCP_SHARED)")
    return p


def all_captures() -> list[Path]:
    """Every shared capture (conftest.shared_captures), planted ones included (empty when ../shared is absent)."""
    return shared_captures() + sorted(PLANTED.glob("*.tracy"))
