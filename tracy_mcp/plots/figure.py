"""The matplotlib side shared by every plot: importing it (an optional dependency), a figure sized for a 1200 px
wide PNG, colours per zone name, and turning a figure into PNG bytes.

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas directly, never through pyplot: no global
state and no GUI backend, so plots can be drawn from the server's worker threads.
"""

from __future__ import annotations

import colorsys
import io
import zlib
from typing import Any

WIDTH_PX = 1200
DPI = 100
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PlotUnavailableError(ImportError):
    """matplotlib is not installed."""


def new_figure(height_px: int = 700) -> Any:
    """An empty Figure of WIDTH_PX x height_px pixels (at DPI)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise PlotUnavailableError(
            "plots need matplotlib: pip install 'tracy-mcp[plot]' (or pip install matplotlib)"
        ) from e
    fig = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Any) -> bytes:
    """The figure rendered as PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def save_png(fig: Any, path: str) -> str:
    """Write the figure as a PNG file; returns the path."""
    with open(path, "wb") as f:
        f.write(png_bytes(fig))
    return path


def is_figure(value: Any) -> bool:
    """True for a matplotlib Figure (without importing matplotlib when it was never imported)."""
    cls = type(value)
    return any(c.__module__ == "matplotlib.figure" and c.__name__ == "Figure" for c in cls.__mro__)


def as_png(value: Any) -> bytes | None:
    """PNG bytes of an eval result that is a picture: a matplotlib Figure or Axes, a PIL image, or PNG bytes;
    None for anything else."""
    if isinstance(value, (bytes, bytearray)) and bytes(value[:8]) == PNG_SIGNATURE:
        return bytes(value)
    if is_figure(value):
        return png_bytes(value)
    fig = getattr(value, "figure", None)
    if fig is not None and is_figure(fig) and type(value).__module__.startswith("matplotlib"):
        return png_bytes(fig)
    if type(value).__module__.startswith("PIL.") and hasattr(value, "save"):
        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return buf.getvalue()
    return None


def name_color(name: str, *, warm: bool = False) -> tuple[float, float, float]:
    """A stable colour per zone name (same name, same colour in every plot); `warm` picks flame-graph hues."""
    h = zlib.crc32(name.encode("utf-8", "replace"))
    if warm:
        hue = 0.0 + (h % 1000) / 1000 * 0.14  # red .. orange .. yellow
        return colorsys.hls_to_rgb(hue, 0.55 + ((h >> 10) % 100) / 100 * 0.15, 0.85)
    return colorsys.hls_to_rgb((h % 1000) / 1000, 0.62 + ((h >> 10) % 100) / 100 * 0.12, 0.55)


def ms_label(ns: float) -> str:
    """A duration for an axis or label: ns, µs, ms or s with 3 significant digits."""
    a = abs(ns)
    if a >= 1e9:
        return f"{ns / 1e9:.3g} s"
    if a >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if a >= 1e3:
        return f"{ns / 1e3:.3g} µs"
    return f"{ns:.0f} ns"
