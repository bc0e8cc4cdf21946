"""Generate tracy_mcp's cffi wrapper of the engine's C API, in cffi's out-of-line ABI mode.

The output is a pure-Python module (no compiler, no link against libpython): it carries the parsed declarations
and is opened at run time with ``ffi.dlopen`` on the engine's shared library. One build therefore serves every
CPython version. Run by CMake during ``pip install``; runnable by hand::

    python build_ffi.py --header shim/include/tracy_shim.h --output tracy_mcp/_shim_ffi.py
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import cffi

HERE = Path(__file__).resolve().parent
DEFAULT_HEADER = HERE / "shim" / "include" / "tracy_shim.h"


def cdef_from_header(text: str) -> str:
    """Reduce the public header to what cffi's cdef parser accepts: declarations only."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    lines = []
    skipping = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            # Keep simple integer #defines (cffi allows "#define NAME ..."), drop the rest of the preprocessor.
            m = re.match(r"#\s*define\s+(TSHIM_API_VERSION)\s+(\d+)\s*$", stripped)
            if m:
                lines.append(f"#define {m.group(1)} {m.group(2)}")
            if stripped.startswith(("#if", "#ifdef", "#ifndef")) and "__cplusplus" in stripped:
                skipping = 1
            elif skipping and stripped.startswith("#endif"):
                skipping = 0
            continue
        if skipping:
            continue
        lines.append(line.replace("TSHIM_API ", ""))
    return "\n".join(lines)


def build(header: Path, output: Path) -> Path:
    ffi = cffi.FFI()
    ffi.cdef(cdef_from_header(header.read_text(encoding="utf-8")))
    module = output.stem
    ffi.set_source(module, None)  # None = ABI mode: no C source, no compiler
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(ffi.compile(tmpdir=tmp, verbose=False))
        output.write_bytes(generated.read_bytes())
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--header", type=Path, default=DEFAULT_HEADER)
    parser.add_argument("--output", type=Path, default=HERE / "tracy_mcp" / "_shim_ffi.py")
    args = parser.parse_args(argv)
    out = build(args.header, args.output)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
