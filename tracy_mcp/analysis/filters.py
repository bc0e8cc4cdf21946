"""Filters shared by the table accessors: which names a `name=` argument means (a name, a glob, or a list of
them), and which threads a `thread=` argument means (a name, a glob, a thread_id, an OS thread id, or a list).

A bad selector is a clear error naming what exists, never an empty result that looks like an answer.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tracy_mcp.errors import NotFoundError, TracyMcpError

GLOB_CHARS = frozenset("*?[")


class SelectorError(TracyMcpError, TypeError):
    """A selector of the wrong type (e.g. a dict where a name or a list of names is expected)."""


def _items(selector: Any, what: str) -> list[Any]:
    if isinstance(selector, (str, int, np.integer)):
        return [selector]
    if isinstance(selector, Iterable) and not isinstance(selector, (bytes, dict)):
        items = list(selector)
        if not items:
            raise NotFoundError(f"{what}=[] selects nothing: pass at least one {what}, or None for all")
        return items
    raise SelectorError(
        f"{what} must be a string (a name or a glob such as 'Render*'), a list of them"
        f"{', or an integer id' if what == 'thread' else ''}; got {type(selector).__name__}"
    )


def _suggest(word: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.5)
    if close:
        return f"; did you mean {', '.join(repr(c) for c in close)}?"
    shown = ", ".join(repr(n) for n in list(names)[:8])
    more = f" (and {len(names) - 8} more)" if len(names) > 8 else ""
    return f"; known: {shown}{more}" if names else "; there are none in this capture"


def match_names(
    selector: str | Iterable[str], names: Sequence[str], what: str = "name", noun: str = "zone named"
) -> np.ndarray:
    """Boolean mask over `names` of the entries a selector (argument `what`) means. Each item is an exact name or
    a glob (``*``, ``?``, ``[...]``); an exact name the capture lacks is an error with suggestions ("no <noun>
    'x'"), a glob that matches nothing selects nothing."""
    mask = np.zeros(len(names), dtype=bool)
    arr = np.asarray(list(names), dtype=object)
    items = _items(selector, what)
    for item in items:
        if not isinstance(item, str):
            raise SelectorError(f"{what} must be a string or a list of strings; got {item!r}")
    for item in items:
        if GLOB_CHARS & set(item):
            mask |= np.asarray([fnmatch.fnmatchcase(n, item) for n in names], dtype=bool)
            continue
        hit = arr == item
        if not hit.any():
            raise NotFoundError(f"no {noun} {item!r} in this capture{_suggest(item, list(dict.fromkeys(names)))}")
        mask |= hit
    return mask


def match_threads(
    selector: Any, tids: np.ndarray, names: Sequence[str], labels: Sequence[str] | None = None
) -> np.ndarray:
    """Boolean mask over thread_ids (rows of `tids` / `names`) a `thread=` selector means: a thread name or
    glob (or its label, "python (24379)", when names repeat), a thread_id (0..n-1, as in the tables'
    `thread_id`), an OS thread id (as `tid`), or a list of these."""
    n = len(tids)
    mask = np.zeros(n, dtype=bool)
    items = _items(selector, "thread")
    for item in items:
        if not isinstance(item, (str, int, np.integer)) or isinstance(item, (bool, np.bool_)):
            raise SelectorError(f"thread must be a name, a glob, a thread_id or an OS tid; got {item!r}")
    for item in items:
        if isinstance(item, str):
            try:
                mask |= match_names(item, names, "thread", "thread named")
            except NotFoundError:
                if labels is None or item not in labels:
                    raise
                mask |= np.asarray(labels, dtype=object) == item
            continue
        value = int(item)
        if 0 <= value < n:
            mask[value] = True
            continue
        hit = np.nonzero(tids == np.uint64(value))[0] if value >= 0 else np.zeros(0, np.intp)
        if len(hit) == 0:
            listed = ", ".join(f"{i}={names[i]!r} (tid {int(tids[i])})" for i in range(min(n, 8)))
            raise NotFoundError(f"no thread with thread_id or OS tid {value}; threads: {listed}")
        mask[hit] = True
    return mask


def both(mask: np.ndarray | None, more: np.ndarray) -> np.ndarray:
    """`mask & more`, where a None mask means "no filter yet"."""
    return more if mask is None else mask & more


def per_row(per_key: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Boolean per row from a boolean per key (each row's key in `keys`; keys out of range are False)."""
    padded = np.append(per_key, False)
    k = np.asarray(keys)
    if len(k) and (int(k.max()) >= len(per_key) or (k.dtype.kind == "i" and int(k.min()) < 0)):
        k = np.where((k >= 0) & (k < len(per_key)), k, len(per_key))
    return padded[k]
