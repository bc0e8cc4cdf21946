"""Running the Python an assistant sends with `eval`: compile, run with `ctx` bound, capture output, report.

The code runs in a worker thread (see tasks.py, which also stops runaway code). What it prints goes to a
per-thread buffer (sys.stdout/sys.stderr are routed by thread, so concurrent evals and the stdio transport never
mix). The value of a final expression is returned, like an interactive prompt. An exception comes back as a
traceback of the user's code only, with the output printed before it.
"""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import linecache
import sys
import threading
import traceback
from collections.abc import Mapping
from typing import Any, TextIO

import attrs

from tracy_mcp.server import render

# How much output one eval returns by default (render.py shows results within it). The server passes the call's
# max_chars or settings.eval_max_output_chars.
MAX_OUTPUT_CHARS = render.DEFAULT_MAX_CHARS
MAX_IMAGES = 8  # pictures one eval returns (a list of figures as its final value)

_filenames = itertools.count(1)


class EvalError(Exception):
    """User code failed; `formatted` is the traceback to show, `partial_output` what it printed before."""

    def __init__(self, formatted: str, partial_output: str = "") -> None:
        super().__init__(formatted)
        self.formatted = formatted
        self.partial_output = partial_output


class _ThreadRoutedStream(io.TextIOBase):
    """Stands in for sys.stdout/sys.stderr: a thread with a capture buffer writes there, others to the original."""

    def __init__(self, original: TextIO, buffers: threading.local) -> None:
        self._original = original
        self._buffers = buffers

    def _target(self) -> TextIO:
        return getattr(self._buffers, "buffer", None) or self._original

    def write(self, s: str) -> int:
        return self._target().write(s)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


_buffers = threading.local()
_install_lock = threading.Lock()


def _install_router() -> None:
    with _install_lock:
        if not isinstance(sys.stdout, _ThreadRoutedStream):
            sys.stdout = _ThreadRoutedStream(sys.stdout, _buffers)
        if not isinstance(sys.stderr, _ThreadRoutedStream):
            sys.stderr = _ThreadRoutedStream(sys.stderr, _buffers)


@attrs.frozen
class Compiled:
    body: Any  # code object of all statements but a final expression
    last: Any | None  # code object of the final expression, if the code ends with one
    filename: str


def compile_code(code: str) -> Compiled:
    """Compile `code`; a SyntaxError comes back as an EvalError with the usual caret display."""
    filename = f"<eval-{next(_filenames)}>"
    # Registered so tracebacks can show the user's lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    try:
        tree = ast.parse(code, filename, "exec")
    except SyntaxError as exc:
        raise EvalError("".join(traceback.format_exception_only(type(exc), exc)).rstrip()) from None
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = compile(ast.Expression(final.value), filename, "eval")
    return Compiled(body=compile(tree, filename, "exec"), last=last, filename=filename)


def _user_traceback(exc: BaseException, filename: str) -> str:
    """The traceback from the first frame of the user's code on (our own frames are noise to the reader)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb if tb is not None else exc.__traceback__)
    return "".join(lines).rstrip()


def _pictures(value: Any, images: list[bytes] | None) -> str | None:
    """When `value` is a picture (a matplotlib Figure, PNG bytes, a PIL image) or a list/tuple of them and the
    caller collects `images`: append their PNG bytes there and return the text standing for them; else None."""
    from tracy_mcp.plots.figure import as_png

    values = list(value) if isinstance(value, (list, tuple)) and 0 < len(value) <= MAX_IMAGES else [value]
    pngs: list[bytes] = []
    for v in values:  # stops at the first value that is not a picture
        png = as_png(v)
        if png is None:
            return None
        pngs.append(png)
    if images is None:
        return f"({len(pngs)} picture(s): an async eval returns text only; run it synchronously or save it to a file)"
    notes = []
    for png in pngs:
        images.append(png)
        notes.append(f"[image {len(images)}: PNG, {len(png) // 1024} KiB]")
    return "\n".join(notes)


def run_code(
    code: str | Compiled,
    namespace: Mapping[str, Any],
    max_chars: int = MAX_OUTPUT_CHARS,
    images: list[bytes] | None = None,
) -> str:
    """Run `code` in this thread with `namespace` as globals; returns printed output plus the final value.

    A final value that is a picture (matplotlib Figure, PNG bytes, PIL image, or a list of them) is rendered as PNG
    into `images` when the caller passes that list (the eval tool returns them as image content), and stands in the
    text as "[image N: ...]". Raises EvalError for a syntax error or an exception in the code. A stop exception
    (tasks.TaskStopped) passes through untouched so the task machinery sees it.
    """
    compiled = code if isinstance(code, Compiled) else compile_code(code)
    _install_router()
    out = io.StringIO()
    g: dict[str, Any] = {"__builtins__": builtins, "__name__": "__tracy_eval__"}
    g.update(namespace)
    previous = getattr(_buffers, "buffer", None)
    _buffers.buffer = out
    try:
        exec(compiled.body, g)
        value = eval(compiled.last, g) if compiled.last is not None else None
    except Exception as exc:
        raise EvalError(_user_traceback(exc, compiled.filename), render.cut(out.getvalue(), max_chars)) from None
    finally:
        _buffers.buffer = previous
    printed = out.getvalue()
    parts = [printed.rstrip("\n")] if printed else []
    if value is not None:
        picture = _pictures(value, images)
        # shown here, in the eval's thread, so a slow __repr__ is stopped by the time limit like the code
        parts.append(picture if picture is not None else render.render(value, max_chars))
    return render.cut("\n".join(parts), max_chars) if parts else "(no output)"
