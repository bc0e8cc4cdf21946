"""Running the Python an assistant sends with `eval`: compile, run with `ctx` bound, capture output, report.

The code runs in a worker thread (see tasks.py, which also stops runaway code). What it prints goes to a
per-thread buffer (sys.stdout/sys.stderr are routed by thread, so concurrent evals and the stdio transport never
mix). The value of a final expression is returned, like an interactive prompt. An exception comes back as a
traceback of the user's code only, with the output printed before it.

Eval runs in the server's process (ARCHITECTURE.md, "Where eval runs and why"), so the ways ordinary code could
take the server down are closed here: code too long to compile quickly is refused, compiling happens in the eval's
thread, the recursion limit is capped to what the eval thread's stack holds, `sys.exit()`/`exit()`/`quit()` and
`os._exit()`/`os.abort()` are refused with a clear error, reading stdin gets end-of-file (on a stdio server it is
the protocol's pipe), and all text returned is valid UTF-8.
"""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import linecache
import os
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TextIO

import attrs

from tracy_mcp.server import render
from tracy_mcp.server.safe_text import valid_text
from tracy_mcp.server.tasks import TASK_STACK_BYTES

# How much output one eval returns by default (render.py shows results within it). The server passes the call's
# max_chars or settings.eval_max_output_chars.
MAX_OUTPUT_CHARS = render.DEFAULT_MAX_CHARS
MAX_IMAGES = 8  # pictures one eval returns (a list of figures as its final value)
# Longer code is refused before compiling: compiling holds the interpreter lock, so every client waits (dense code
# compiles at ~0.3 s per 100 000 characters; 3 MB once stalled the server for 7.5 s). settings.eval_max_code_chars.
MAX_CODE_CHARS = 100_000
# The deepest recursion eval may set. One level of C-level recursion (repr of nested lists, sorted() with a recursive
# key) takes up to ~2.3 KiB of stack in CPython 3.11; at 4 KiB per level the eval thread's stack always holds it.
MAX_RECURSION_LIMIT = TASK_STACK_BYTES // 4096

_filenames = itertools.count(1)


class EvalError(Exception):
    """User code failed; `formatted` is the traceback to show, `partial_output` what it printed before."""

    def __init__(self, formatted: str, partial_output: str = "") -> None:
        super().__init__(formatted)
        self.formatted = valid_text(formatted)
        self.partial_output = valid_text(partial_output)


class EvalRefusedError(RuntimeError):
    """Raised inside eval code that tries to end the server's process."""


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

    def close(self) -> None:
        """Closing a server stream from eval (quit() does) would cut a stdio server's pipe: nothing to close."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _ThreadRoutedInput(_ThreadRoutedStream):
    """Stands in for sys.stdin: an eval thread reads end-of-file (a stdio server's stdin is the protocol's pipe)."""

    def _target(self) -> TextIO:
        return _NO_INPUT if getattr(self._buffers, "buffer", None) is not None else self._original

    def read(self, size: int = -1) -> str:  # type: ignore[override]
        return self._target().read(size)

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        return self._target().readline(size)


_NO_INPUT = io.StringIO("")
_buffers = threading.local()
_install_lock = threading.Lock()
_installed = False


def _install_guards() -> None:
    """Route the standard streams by thread (again if something replaced them) and, once per process, close the
    exits and cap the recursion limit (see the module docstring)."""
    global _installed
    with _install_lock:
        if not isinstance(sys.stdout, _ThreadRoutedStream):
            sys.stdout = _ThreadRoutedStream(sys.stdout, _buffers)
        if not isinstance(sys.stderr, _ThreadRoutedStream):
            sys.stderr = _ThreadRoutedStream(sys.stderr, _buffers)
        if sys.stdin is not None and not isinstance(sys.stdin, _ThreadRoutedInput):
            sys.stdin = _ThreadRoutedInput(sys.stdin, _buffers)
        if _installed:
            return
        sys.setrecursionlimit = _capped_recursion_limit(sys.setrecursionlimit)
        if sys.getrecursionlimit() > MAX_RECURSION_LIMIT:
            sys.setrecursionlimit(MAX_RECURSION_LIMIT)
        os._exit = _refused_in_eval_threads(os._exit, "os._exit()")
        os.abort = _refused_in_eval_threads(os.abort, "os.abort()")
        _installed = True


def _capped_recursion_limit(real: Callable[[int], None]) -> Callable[[int], None]:
    def setrecursionlimit(limit: int) -> None:
        if isinstance(limit, int) and limit > MAX_RECURSION_LIMIT:
            if getattr(_buffers, "buffer", None) is not None:
                print(
                    f"note: recursion limit capped at {MAX_RECURSION_LIMIT} (asked {limit}): deeper recursion "
                    "would overflow the eval thread's stack and crash the server",
                    file=sys.stderr,
                )
            limit = MAX_RECURSION_LIMIT
        real(limit)

    return setrecursionlimit


def _refused_in_eval_threads(real: Callable[..., NoReturn], name: str) -> Callable[..., NoReturn]:
    """`real`, except in the server's worker threads (where eval code runs), where it raises EvalRefusedError.
    The main thread and other processes (a fork's child ends with os._exit) keep the real one."""
    server_pid = os.getpid()

    def guarded(*args: Any) -> NoReturn:
        if os.getpid() == server_pid and threading.current_thread() is not threading.main_thread():
            raise EvalRefusedError(
                f"{name} would end the whole tracy-mcp server (every client's captures and calls), so eval "
                "refuses it; to stop, return a value or raise an exception"
            )
        real(*args)

    return guarded


def _exit_builtin(code: object = None) -> NoReturn:
    """exit() and quit() in eval: the same SystemExit as sys.exit(), reported by run_code (without closing stdin)."""
    raise SystemExit(code)


_EVAL_BUILTINS = {**vars(builtins), "exit": _exit_builtin, "quit": _exit_builtin}


@attrs.frozen
class Compiled:
    body: Any  # code object of all statements but a final expression
    last: Any | None  # code object of the final expression, if the code ends with one
    filename: str


def check_code_size(code: str, limit: int = MAX_CODE_CHARS) -> None:
    """EvalError for code longer than `limit` characters (cheap: call it before handing the code to a thread)."""
    if len(code) > limit:
        raise EvalError(
            f"the code is {len(code):,} characters long; eval accepts at most {limit:,} "
            "(TRACY_MCP_EVAL_MAX_CODE_CHARS). Send the analysis, not the data: read data from the capture or from "
            "a file inside the code."
        )


def compile_code(code: str, max_chars: int = MAX_CODE_CHARS) -> Compiled:
    """Compile `code`; a SyntaxError (or code too long, too deeply nested or too big for the compiler) comes
    back as an EvalError with the usual caret display."""
    check_code_size(code, max_chars)
    filename = f"<eval-{next(_filenames)}>"
    # Registered so tracebacks can show the user's lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    try:
        tree = ast.parse(code, filename, "exec")
        last = None
        final = tree.body[-1] if tree.body else None
        if isinstance(final, ast.Expr):
            tree.body.pop()
            last = compile(ast.Expression(final.value), filename, "eval")
        body = compile(tree, filename, "exec")
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
        if not isinstance(exc, SyntaxError):
            detail = f"the code cannot be compiled: {detail}"
        raise EvalError(detail) from None
    return Compiled(body=body, last=last, filename=filename)


def _user_traceback(exc: BaseException, filename: str) -> str:
    """The traceback from the first frame of the user's code on (our own frames are noise to the reader), and a
    hint for a stumble eval code often makes."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb if tb is not None else exc.__traceback__)
    hint = _hint(exc)
    return "".join(lines).rstrip() + (f"\nHint: {hint}" if hint else "")


def _hint(exc: BaseException) -> str:
    """What to do instead, for the stumbles seen in eval code: the tables' key `id` taken for a column (it is
    the DataFrame's index), a module the server does not have."""
    text = str(exc)
    if isinstance(exc, (AttributeError, KeyError)) and "'id'" in text:
        return "in the tables `id` is the DataFrame's index, not a column: df.index, or df.reset_index() to make it one"
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"{exc.name} is not installed in the server; numpy (np) and pandas (pd) are, beside ctx's analyses"
    return ""


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
    max_code_chars: int = MAX_CODE_CHARS,
) -> str:
    """Run `code` in this thread with `namespace` as globals; returns printed output plus the final value (valid
    UTF-8: lone surrogates become U+FFFD). A code string is compiled here, in the caller's thread.

    A final value that is a picture (matplotlib Figure, PNG bytes, PIL image, or a list of them) is rendered as PNG
    into `images` when the caller passes that list (the eval tool returns them as image content), and stands in the
    text as "[image N: ...]". Raises EvalError for a syntax error, an exception in the code, or an attempt to exit.
    A stop exception (tasks.TaskStopped) passes through untouched so the task machinery sees it.
    """
    _install_guards()
    compiled = code if isinstance(code, Compiled) else compile_code(code, max_code_chars)
    out = io.StringIO()
    g: dict[str, Any] = {"__builtins__": _EVAL_BUILTINS, "__name__": "__tracy_eval__"}
    g.update(namespace)
    previous = getattr(_buffers, "buffer", None)
    _buffers.buffer = out
    try:
        exec(compiled.body, g)
        value = eval(compiled.last, g) if compiled.last is not None else None
    except Exception as exc:
        raise EvalError(_user_traceback(exc, compiled.filename), render.cut(out.getvalue(), max_chars)) from None
    except SystemExit as exc:
        raise EvalError(
            f"eval cannot end the server: the code raised SystemExit({exc.code!r}) (sys.exit(), exit() or quit()); "
            "to stop, return a value or raise an exception",
            render.cut(out.getvalue(), max_chars),
        ) from None
    finally:
        _buffers.buffer = previous
    printed = out.getvalue()
    parts = [printed.rstrip("\n")] if printed else []
    if value is not None:
        picture = _pictures(value, images)
        # shown here, in the eval's thread, so a slow __repr__ is stopped by the time limit like the code
        parts.append(picture if picture is not None else render.render(value, max_chars))
    return valid_text(render.cut("\n".join(parts), max_chars)) if parts else "(no output)"
