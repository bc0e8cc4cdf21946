"""Calls of a zone grouped by what they were for: the text (ZoneText) of the zone or of its nearest ancestor that
has one, numbers blanked, so "SELECT ... LIMIT 500" and "SELECT ... LIMIT 50" are one kind of call. A zone whose
own text is only a number (a ZoneValue: a row count, a size) takes its ancestor's."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from tracy_mcp.analysis.program_messages import template
from tracy_mcp.analysis.zone_paths import zone_texts

if TYPE_CHECKING:
    from tracy_mcp.capture import Capture

I64 = np.int64
DEPTH = 8  # ancestors climbed for a text
LETTER = re.compile(r"[A-Za-z]")
CHARS = 100  # a kind of call quoted in a title is cut to this many characters


def kind_of(text: str) -> str:
    """The text's lines that are not a bare number, numbers blanked; "" when nothing with a letter is left."""
    lines = [x for x in text.splitlines() if LETTER.search(x)]
    return template("\n".join(lines)).strip() if lines else ""


def call_contexts(ctx: Capture, rows: np.ndarray) -> tuple[list[str], list[str]]:
    """(per zone row: its kind of call, "" when neither it nor DEPTH ancestors carry a text; per row the name of
    the zone the text was found on)."""
    rows = np.asarray(rows, I64)
    kinds, owners = [""] * len(rows), [""] * len(rows)
    if not len(rows):
        return kinds, owners
    t = ctx._cpu()
    parent, names, srcloc = t.parent, ctx._srclocs().names, t.srcloc
    name_idx = ctx._srclocs().name_idx
    cur = rows.copy()
    todo = np.arange(len(rows))
    for _ in range(DEPTH):
        if not len(todo):
            break
        found = []
        for i, x in zip(todo.tolist(), zone_texts(ctx, cur[todo], plain=True), strict=True):
            k = kind_of(x)
            if k:
                kinds[i], owners[i] = k, str(names[int(name_idx[int(srcloc[cur[i]])])])
                found.append(i)
        todo = np.setdiff1d(todo, np.asarray(found, I64))
        cur[todo] = parent[cur[todo]]
        todo = todo[cur[todo] >= 0]
    return kinds, owners


def quote_kind(text: str) -> str:
    """A kind of call quoted on one line, cut to CHARS."""
    one_line = " / ".join(text.splitlines())
    return repr(one_line if len(one_line) <= CHARS else one_line[: CHARS - 1] + "…")


def common_kind(ctx: Capture, rows: np.ndarray, share: float = 0.9) -> str:
    """The kind of call (the zones' own texts, numbers blanked) that at least `share` of `rows` carry; ""."""
    kinds = [kind_of(x) for x in zone_texts(ctx, np.asarray(rows, I64), plain=True)]
    if not kinds:
        return ""
    top = max(set(kinds), key=kinds.count)
    return top if top and kinds.count(top) >= share * len(kinds) else ""
