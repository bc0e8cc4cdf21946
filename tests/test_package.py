"""The installed package: version, command line, and the native library's build properties."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tracy_mcp
from tracy_mcp.engine import _native


def test_version_single_sourced() -> None:
    from importlib.metadata import version

    assert tracy_mcp.__version__ == version("tracy-mcp")


CONSOLE_SCRIPT = str(Path(sys.executable).with_name("tracy-mcp"))


@pytest.mark.parametrize("argv", [[CONSOLE_SCRIPT], [sys.executable, "-m", "tracy_mcp"]])
def test_cli_version(argv: list[str]) -> None:
    out = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == f"tracy-mcp {tracy_mcp.__version__}"


def test_library_loads_and_api_version_matches() -> None:
    ffi, lib = _native.ffi_lib()
    assert lib.tshim_api_version() == _native.EXPECTED_API_VERSION
    assert _native.library_version()


def test_library_found_from_any_directory(tmp_path: Path) -> None:
    code = "from tracy_mcp.engine import _native; print(_native.ffi_lib()[1].tshim_api_version())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(_native.EXPECTED_API_VERSION)


@pytest.mark.skipif(sys.platform != "linux", reason="ldd is Linux-only")
def test_native_library_does_not_link_libpython() -> None:
    from tracy_mcp.engine import _shim_ffi

    lib = Path(_shim_ffi.__file__).with_name("libtracy_shim.so")
    out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, check=True).stdout
    assert "libpython" not in out


def test_ffi_module_is_abi_mode() -> None:
    """The generated wrapper is pure Python (out-of-line ABI mode), not a compiled extension."""
    from tracy_mcp.engine import _shim_ffi

    assert _shim_ffi.__file__.endswith(".py")
