"""Markdown rendering of session headers, call start lines, call entries, summaries and tables."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from tracy_mcp.tracking.records import CallOutcome, CallState, SessionInfo

ARGS_INLINE_MAX = 120
ARGS_BLOCK_MAX = 500
RESULT_MAX = 1000
ERROR_MAX = 500

_BACKTICK_RUN = re.compile(r"`+")


_last_second: tuple[int, str] = (-1, "")


def utc(ts: float, *, ms: bool = True) -> str:
    """``2026-11-21 18:30:01.123 UTC`` for a ``time.time()`` stamp."""
    global _last_second
    second = int(ts)
    cached = _last_second  # one formatting per second: entries of a burst share it
    if cached[0] == second:
        base = cached[1]
    else:
        base = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
        _last_second = (second, base)
    return f"{base}.{int(ts * 1000) % 1000:03d} UTC" if ms else f"{base} UTC"


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def latency(ms: float | None) -> str:
    if ms is None:
        return "pending"
    return f"{ms:.1f} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def cut(text: str, limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of ``text`` and whether anything was dropped."""
    return (text, False) if len(text) <= limit else (text[:limit], True)


def fenced(text: str, lang: str = "text") -> str:
    """A fenced code block that survives backticks inside ``text``."""
    longest = max((len(m) for m in _BACKTICK_RUN.findall(text)), default=0) if "`" in text else 0
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)


def to_json(value: Any, *, indent: bool = False) -> str:
    try:
        return (_INDENTED if indent else _COMPACT).encode(value)
    except (TypeError, ValueError):  # e.g. a circular structure: still say something
        return repr(value)


def result_text(result: Any) -> str:
    """The readable text of a tool result: its text content, placeholders for binary parts, else its JSON."""
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    if hasattr(result, "model_dump"):
        result = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    if not isinstance(result, dict):
        return to_json(result)
    parts: list[str] = []
    for item in result.get("content") or ():
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        kind = item.get("type")
        if kind == "text":
            parts.append(str(item.get("text", "")))
        elif kind in ("image", "audio"):
            parts.append(f"[{kind} {item.get('mimeType', '')}, {len(item.get('data') or '')} base64 chars]")
        elif kind == "resource":
            res = item.get("resource") or {}
            parts.append(str(res.get("text")) if "text" in res else f"[resource {res.get('uri', '')}]")
        elif kind == "resource_link":
            parts.append(f"[link {item.get('uri', '')}]")
        else:
            parts.append(to_json(item))
    if not parts and result.get("structuredContent") is not None:
        parts.append(to_json(result["structuredContent"]))
    return "\n".join(parts)


def format_arguments(arguments: Any, compact: str | None = None) -> list[str]:
    """Markdown lines for the arguments: one compact line if short, else an indented block cut at 500."""
    if compact is None:
        compact = to_json(arguments)
    if len(compact) <= ARGS_INLINE_MAX and "`" not in compact:
        return [f"- args: `{compact}`"]
    block, was_cut = cut(to_json(arguments, indent=True), ARGS_BLOCK_MAX)
    note = f" ({len(compact)} chars as compact JSON, cut at {ARGS_BLOCK_MAX})" if was_cut else ""
    return [f"- args{note}:", "", fenced(block + ("\n…" if was_cut else ""), "json"), ""]


def short_call_id(call_id: str, session_id: str) -> str:
    prefix = session_id + "#"
    return call_id[len(session_id) :] if call_id.startswith(prefix) else call_id


def inline_code(text: str) -> str:
    """``text`` as inline code that survives backticks inside it."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(m) for m in _BACKTICK_RUN.findall(text)) + 1)
    return f"{fence} {text} {fence}"


def format_start(call: CallState) -> str:
    """The one line written before a call runs (a call that brings the server down is still in the log)."""
    compact = call.args_json = to_json(call.arguments)
    args, was_cut = cut(compact, ARGS_BLOCK_MAX)
    facts = [f"> started {call.seq} · {call.tool} · {utc(call.started_wall)}", f"depth: {call.depth}"]
    if call.parent_id:
        facts.append(f"parent: {short_call_id(call.parent_id, call.session.session_id)}")
    facts.append("args: " + inline_code(args + "…" if was_cut else args))
    return " · ".join(facts) + "\n\n"


def format_entry(outcome: CallOutcome) -> str:
    call = outcome.call
    title = f"### {call.seq} · {call.tool} · {outcome.status}"
    if not outcome.final:
        title += " (still running)"
    elif call.stuck_reported:
        title += " (was reported stuck)"
    facts = [
        utc(call.started_wall),
        f"latency: {latency(outcome.latency_ms)}",
        f"depth: {call.depth}",
        f"instance: {call.instance if call.instance is not None else 'server'}",
    ]
    lines = [title, "", "- time: " + " · ".join(facts)]
    if call.parent_id:
        lines.append(f"- parent: {short_call_id(call.parent_id, call.session.session_id)}")
    if call.resolution:
        lines.append("- resolution: " + " → ".join(call.resolution))
    lines.extend(format_arguments(call.arguments, call.args_json))
    error = outcome.error
    if error is None and outcome.status == "error":
        error = result_text(outcome.result)  # an is_error tool result: its text is the error message
    if error is not None:
        text, was_cut = cut(error, ERROR_MAX)
        note = f" ({len(error)} chars, cut at {ERROR_MAX})" if was_cut else ""
        lines.extend([f"- error{note}:", "", fenced(text), ""])
    elif outcome.final:
        full = result_text(outcome.result)
        text, was_cut = cut(full, RESULT_MAX)
        note = f" ({len(full)} chars, cut at {RESULT_MAX})" if was_cut else f" ({len(full)} chars)"
        lines.extend([f"- result{note}:", "", fenced(text), ""])
    if lines[-1] != "":
        lines.append("")
    return "\n".join(lines) + "\n"


def format_header(session: SessionInfo, server: str, part: int = 1) -> str:
    title = f"# tracy-mcp session `{session.session_id}`"
    if part > 1:
        title += f" (continued, part {part})"
    lines = [title, "", f"- started: {utc(session.started_wall, ms=False)}", f"- server: {server}"]
    if session.client:
        lines.append(f"- client: {session.client}")
    if session.protocol:
        lines.append(f"- protocol: {session.protocol}")
    return "\n".join(lines) + "\n\n"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[bool]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return "\n".join(out) + "\n"


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "–"
