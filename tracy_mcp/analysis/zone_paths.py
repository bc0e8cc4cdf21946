"""Call paths of the zones an analysis points at ("Game::Tick > Renderer::Draw > ..."), numbered densely for
grouping; built on the capture's call-path index (call_paths.py); and the texts those zones carry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.call_paths import call_paths
from tracy_mcp.analysis.grouping import group_ids

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

I64 = np.int64
SEP = " > "


ZONE_VALUE = re.compile(r"(?<=\d) \[0x[0-9a-fA-F]+\]$")  # "42 [0x2a]": a ZoneValue as upstream formats it


def zone_texts(ctx: Capture, rows: np.ndarray, *, plain: bool = False) -> list[str]:
    """The text each zone row carries (ZoneText / ZoneValue, else the name ZoneName gave it: a per-zone label such
    as an asset's), "" for none; `plain`: a ZoneValue without its hex part ("42", not "42 [0x2a]")."""
    db = ctx._db
    if not (db.has("zones", "extra") and db.has("zone_extras", "text")):
        return [""] * len(rows)
    extra = db.col("zones", "extra")[np.asarray(rows, I64)]
    texts = db.col("zone_extras", "text")
    names = db.col("zone_extras", "name") if db.has("zone_extras", "name") else np.full(len(texts), -1)
    out = [_label(ctx, int(texts[x]), int(names[x])) if 0 < x < len(texts) else "" for x in extra.tolist()]
    return [ZONE_VALUE.sub("", x) for x in out] if plain else out


def _label(ctx: Capture, text: int, name: int) -> str:
    return ctx._str(text) if text >= 0 else ctx._str(name) if name >= 0 else ""


def path_groups(ctx: Capture, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(index into the returned paths per zone row, -1 for rows < 0 (no zone); the distinct paths as text)."""
    rows = np.asarray(rows, dtype=I64)
    out = np.full(len(rows), -1, I64)
    valid = rows >= 0
    if not valid.any():
        return out, []
    cp = call_paths(ctx)
    used, idx = group_ids(cp.path_of_row[rows[valid]])
    out[valid] = idx
    return out, cp.strings(used, sep=SEP)


def leaf(path: str) -> str:
    """The innermost name of a path."""
    return path.rsplit(SEP, 1)[-1]
