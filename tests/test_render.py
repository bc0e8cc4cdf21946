"""How eval results are shown to an assistant (server/render.py), on real capture tables and plain values."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CAPTURES, require_shared

from tracy_mcp import open_capture
from tracy_mcp.server import render

pd = pytest.importorskip("pandas")


def test_a_capture_table_is_compact_whole_width_and_capped() -> None:
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as ctx:
        z = ctx.zones()
        text = render.render(z, 20_000)
        lines = text.splitlines()
        assert lines[0] == f"DataFrame: {len(z):,} rows x {len(z.columns)} columns (first {render.TABLE_ROWS} shown)"
        assert all(c in lines[1] for c in z.columns)  # every column, none folded away as "..."
        assert lines[-1] == f"... {len(z) - render.TABLE_ROWS:,} more rows"
        assert len(lines) == render.TABLE_ROWS + 4  # title, header, index name, rows, "more rows"
        as_dict = render.render(ctx.zones(as_frame=False), 20_000)
        assert "more rows" in as_dict and "start_ns" in as_dict
        stats = render.render(ctx.zone_stats().head(3), 20_000)
        assert "[3 rows x" not in stats and "mean_ns" in stats


def test_numpy_scalars_are_plain_numbers() -> None:
    assert render.render({np.uint64(24435): np.int64(5), "x": np.float64(0.5)}) == "{24435: 5, 'x': 0.5}"
    assert render.render(np.int32(7)) == "7"
    assert render.render([np.bool_(True), np.float32(1.5)]) == "[True, 1.5]"


def test_big_values_show_their_head_and_how_much_more() -> None:
    text = render.render(list(range(10**7)), 2_000)
    assert len(text) <= 2_000 and "9,999,900 more items" in text
    arr = render.render(np.arange(10**7), 2_000)
    assert "array of 10,000,000 int64" in arr and "..." in arr
    nested = render.render({i: list(range(50)) for i in range(10_000)}, 5_000)
    assert len(nested) <= 5_000


def test_budget_cut_says_so() -> None:
    text = render.render("x" * 50_000, 1_000)
    assert len(text) <= 1_000 and "output cut" in text and "max_chars" in text


def test_large_means_print_as_digits_not_exponents() -> None:
    df = pd.DataFrame({"mean_ns": [1383510.5, 3379310.25], "ratio": [0.125, 2.5]})
    text = render.render(df, 20_000)
    assert "e+0" not in text
    assert "1383510" in text and "3379310" in text and "0.125" in text
