"""The `ctx` method reference, generated from the code itself so it cannot go stale: every public method of
`Capture` with its arguments, its return type and the first sentence of its docstring, grouped by area."""

from __future__ import annotations

import inspect
import re
from typing import Any

from tracy_mcp.analysis.capture import Capture

# Area of each query module (the mixin that defines a method), in reading order.
AREAS = {
    "answers": "Answers: one call per common question (each returns a report: print it, or .table)",
    "capture": "The capture",
    "metadata": "The capture",
    "zones": "CPU zones",
    "frames": "Frames",
    "threads": "Threads",
    "gpu": "GPU",
    "events": "Messages, plots, sections",
    "memory": "Memory",
    "locks": "Locks",
    "sampling": "Sampling and context switches",
    "callstacks": "Callstacks",
    "exports": "Exports",
}
UPSTREAM_NOTE = "`get_*` methods keep upstream Tracy's names, arguments, defaults and result shapes."


def public_methods(cls: type = Capture) -> dict[str, Any]:
    """Name -> function of every public method (properties and attributes left out)."""
    out = {}
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        if inspect.isfunction(attr):
            out[name] = attr
    return out


def _area(fn: Any) -> str:
    module = fn.__module__.rsplit(".", 1)[-1]
    return AREAS.get(module, module)


def first_sentence(doc: str | None, limit: int = 200) -> str:
    """The docstring's first sentence (up to a full stop followed by a space), on one line."""
    text = " ".join((inspect.cleandoc(doc) if doc else "").split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def signature(name: str, fn: Any) -> str:
    """`name(args) -> return` with argument defaults but without argument types (they are in help())."""
    sig = inspect.signature(fn)
    params = []
    star_done = False
    for p in list(sig.parameters.values())[1:]:
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
            star_done = True
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            star_done = True
        elif p.kind is p.VAR_KEYWORD:
            params.append(f"**{p.name}")
        elif p.default is p.empty:
            params.append(p.name)
        else:
            params.append(f"{p.name}={p.default!r}")
    ret = sig.return_annotation
    ret_text = "" if ret is sig.empty else f" -> {ret if isinstance(ret, str) else getattr(ret, '__name__', ret)}"
    ret_text = ret_text.replace("Table", "DataFrame").replace("'", "")
    return f"{name}({', '.join(params)}){ret_text}"


def method_table(cls: type = Capture) -> str:
    """The reference as markdown: one line per method, grouped by area."""
    groups: dict[str, list[str]] = {}
    for name, fn in public_methods(cls).items():
        groups.setdefault(_area(fn), []).append(f"- `{signature(name, fn)}`: {first_sentence(fn.__doc__)}")
    order = list(dict.fromkeys(AREAS.values()))
    lines = [
        "# ctx methods",
        "",
        "Generated from the code; `help(ctx.name)` shows a method's whole docstring. Times are integer ns. "
        + UPSTREAM_NOTE
        + " `DataFrame` results are pandas DataFrames (dicts of numpy arrays with `as_frame=False`).",
    ]
    for area in sorted(groups, key=lambda a: order.index(a) if a in order else len(order)):
        lines += ["", f"## {area}", "", *groups[area]]
    return "\n".join(lines) + "\n"
