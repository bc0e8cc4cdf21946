"""Pictures: plot_frames, plot_flame and plot_timeline render 1200 px wide PNGs, and an eval whose value is a picture
comes back to a real MCP client (over stdio) as image content."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import CAPTURES, require_shared
from server_support import connect, ok, server_env

from tracy_mcp import open_capture
from tracy_mcp.server import evaluator

pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")

from tracy_mcp.plots.figure import PNG_SIGNATURE, WIDTH_PX, as_png, png_bytes  # noqa: E402

SLOW = CAPTURES / "planted" / "slow_frames.tracy"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.fixture(scope="module")
def slow() -> Any:
    require_shared()
    with open_capture(SLOW) as c:
        yield c


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.plot_frames(),
        lambda c: c.plot_frames(budget_ns=16_666_667),
        lambda c: c.plot_flame(),
        lambda c: c.plot_flame(thread="Main thread", frame_range=43),
        lambda c: c.plot_flame(per_thread=False, name="Game::Tick"),
        lambda c: c.plot_timeline(frame_range=(42, 44)),
        lambda c: c.plot_timeline(thread="Main thread", start=1_000_000_000, end=1_100_000_000),
        lambda c: c.plot_timeline(),
    ],
    ids=[
        "frames",
        "frames-budget",
        "flame",
        "flame-frame",
        "flame-merged",
        "timeline-frames",
        "timeline-thread",
        "timeline-all",
    ],
)
def test_plots_render_1200px_pngs(slow: Any, make: Any) -> None:
    png = png_bytes(make(slow))
    width, height = png_size(png)
    assert width == WIDTH_PX and 300 <= height <= 1600
    assert len(png) > 10_000  # something was drawn


def test_plot_to_file(slow: Any, tmp_path: Path) -> None:
    out = tmp_path / "flame.png"
    fig = slow.plot_flame(path=out)
    assert out.read_bytes()[:8] == PNG_SIGNATURE and png_size(out.read_bytes())[0] == WIDTH_PX
    assert as_png(fig) is not None and as_png(fig.axes[0]) is not None


def test_plots_on_captures_without_frames_or_with_many_zones() -> None:
    require_shared()
    with open_capture(CAPTURES / "fiberpool-0.14.0.tracy") as c:
        for fig in (c.plot_frames(), c.plot_flame(), c.plot_timeline()):
            assert png_size(png_bytes(fig))[0] == WIDTH_PX


def test_eval_returns_pictures_as_images() -> None:
    images: list[bytes] = []
    text = evaluator.run_code("png", {"png": PNG_SIGNATURE + b"rest"}, images=images)
    assert text.startswith("[image 1: PNG") and images == [PNG_SIGNATURE + b"rest"]
    # without a place for images (an async eval) the text says so
    assert "picture" in evaluator.run_code("png", {"png": PNG_SIGNATURE + b"rest"})
    # a list that is not all pictures is printed as before
    assert evaluator.run_code("[1, b'x']", {}, images=images) == "[1, b'x']"


def test_eval_image_over_mcp_stdio(tmp_path: Path) -> None:
    require_shared()
    env = server_env(tmp_path)

    async def main() -> None:
        async with connect("stdio", env) as client:
            with anyio.fail_after(120):
                await ok(client, "load_capture", path=str(SLOW))
                result = await client.call_tool(
                    "eval", {"code": "print('frames:', ctx.get_frame_count())\nctx.plot_frames()"}
                )
                assert not result.is_error
                kinds = [c.type for c in result.content]
                assert kinds == ["text", "image"]
                assert result.content[0].text.startswith("frames: 453\n[image 1: PNG")
                image = result.content[1]
                assert image.mime_type == "image/png"
                assert png_size(base64.b64decode(image.data))[0] == WIDTH_PX
                both = await client.call_tool("eval", {"code": "[ctx.plot_flame(), ctx.plot_timeline(frame_range=43)]"})
                assert [c.type for c in both.content] == ["text", "image", "image"]
                plain = await client.call_tool("eval", {"code": "1 + 1"})
                assert [c.type for c in plain.content] == ["text"]

    anyio.run(main)
