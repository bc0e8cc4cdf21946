"""The guides agree with the code: the method reference is generated from the docstrings, every public `ctx`
method has one, and every `ctx.method(` the texts mention exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracy_mcp import Capture
from tracy_mcp.server.method_table import first_sentence, method_table, public_methods

RESOURCES = Path(__file__).resolve().parents[1] / "tracy_mcp" / "server" / "resources"
TEXTS = sorted(RESOURCES.glob("*.md"))


def test_every_public_method_is_documented_and_listed() -> None:
    table = method_table()
    methods = public_methods()
    assert len(methods) > 80
    for name, fn in methods.items():
        assert (fn.__doc__ or "").strip(), f"ctx.{name} has no docstring"
        assert f"`{name}(" in table, f"ctx.{name} is missing from the method reference"
    assert "zones(*, name=None, thread=None, start=None, end=None, as_frame=None) -> DataFrame" in table
    assert "get_all_zone_stats() -> dict[str, ZoneStats]" in table


@pytest.mark.parametrize("path", TEXTS, ids=[p.name for p in TEXTS])
def test_every_method_the_guides_name_exists(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    named = set(re.findall(r"\bctx\.([a-z_][a-z0-9_]*)\(", text))
    missing = sorted(n for n in named if not callable(getattr(Capture, n, None)))
    assert not missing, f"{path.name} names methods ctx does not have: {missing}"


def test_first_sentence() -> None:
    assert first_sentence("Frames of a set.\n\n More here.") == "Frames of a set."
    assert first_sentence("(start, end) of zones named `name`.") == "(start, end) of zones named `name`."
    assert first_sentence("Per OS thread id: {a, b}. Then.") == "Per OS thread id: {a, b}."
    assert first_sentence(None) == ""
