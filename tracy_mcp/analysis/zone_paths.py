"""Call paths of the zones an analysis points at ("Game::Tick > Renderer::Draw > ..."), numbered densely for
grouping; built on the capture's call-path index (call_paths.py); and the texts those zones carry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.call_paths import call_paths
from tracy_mcp.analysis.formatting import clip_text, fmt_ns
from tracy_mcp.analysis.grouping import group_ids
from tracy_mcp.analysis.locations import in_scope

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


TEXT_KINDS = 8  # a zone whose runs carry at most this many distinct texts (lock names, endpoints, not asset names)...
TEXT_COVER = 0.8  # ...on this share of its runs or more is split by its text
TEXTS_SHOWN = 3  # zone names split so in one line
TEXT_SPLIT = "Self time by the zones' text (one zone that stands for several things)"


def text_ids(ctx: Capture, rows: np.ndarray) -> np.ndarray:
    """The string id of each zone row's text (ZoneText / ZoneValue), -1 for none: for grouping by text without
    building a string per zone (ctx._str names an id)."""
    db = ctx._db
    out = np.full(len(rows), -1, I64)
    if not (db.has("zones", "extra") and db.has("zone_extras", "text")):
        return out
    texts = db.col("zone_extras", "text")
    extra = db.col("zones", "extra")[np.asarray(rows, I64)].astype(I64)
    ok = (extra > 0) & (extra < len(texts))
    out[ok] = texts[extra[ok]]
    return out


def text_kinds(ctx: Capture, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(the distinct text ids, each row's index into them) when the rows carry a few distinct texts (2 to
    TEXT_KINDS, on TEXT_COVER of them or more: a lock's name, an endpoint, a job's type); None otherwise."""
    text = text_ids(ctx, rows)
    if not len(text) or (text >= 0).mean() < TEXT_COVER:
        return None
    ids, inv = np.unique(text, return_inverse=True)
    return (ids, inv) if 2 <= len(ids) <= TEXT_KINDS else None


def text_split_line(
    ctx: Capture, names: list[str], threads: np.ndarray | None, start: int | None, end: int | None
) -> str:
    """'Self time by the zones' text: SpinLock::Acquire: 'AssetTable' 2.93 s, 'RenderQueue' 6.74 ms, ...' for the
    first TEXTS_SHOWN of `names` whose runs carry a few distinct texts (a lock's name, an endpoint: one zone that
    stands for several things), within a scope (thread rows, a window); "" when none does."""
    t, sl = ctx._cpu(), ctx._srclocs()
    parts = []
    for name in dict.fromkeys(names):
        rows = in_scope(t, t.stat_rows(sl.rows_of(name)), threads, start, end)
        if len(rows) < 2:
            continue
        kinds = text_kinds(ctx, rows)
        if kinds is None:
            continue
        ids, inv = kinds
        own = np.bincount(inv, weights=t.self_time()[rows].astype(np.float64), minlength=len(ids))
        order = np.argsort(-own)
        shown = ", ".join(
            f"'{clip_text(ctx._str(int(ids[k])), 60)}' {fmt_ns(own[k])}" for k in order[:4] if ids[k] >= 0
        )
        parts.append(f"{name}: {shown}" + (f", {len(ids) - 4} more" if len(ids) > 4 else ""))
        if len(parts) == TEXTS_SHOWN:
            break
    return (
        "Self time by the zones' text (one zone that stands for several things): " + "; ".join(parts) if parts else ""
    )
