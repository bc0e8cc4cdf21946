"""The eval guide's worked examples run as written against a real capture."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import CAPTURES, require_shared

import tracy_mcp
from tracy_mcp import open_capture

GUIDE = Path(__file__).resolve().parents[1] / "tracy_mcp" / "server" / "resources" / "eval_guide.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)


def test_guide_has_examples() -> None:
    assert len(_blocks()) >= 6


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_guide_example_runs(index: int, tmp_path: Path) -> None:
    require_shared()
    code = _blocks()[index]
    if "as_frame=True" in code:
        pytest.importorskip("pandas")
    code = code.replace("/tmp/", f"{tmp_path}/")  # files the examples write go to the test's folder
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as ctx:
        # the names eval binds (instances: every loaded capture by id; here the one capture under two names)
        names = {"ctx": ctx, "np": np, "tracy_mcp": tracy_mcp, "instances": {"before": ctx, "after": ctx}}
        exec(compile(code, f"eval_guide example {index}", "exec"), names)
