"""Exports: Chrome trace-event JSON (Perfetto), tracy-csvexport-compatible CSV, Parquet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import CAPTURES, GOLDEN, require_shared, shared_captures

from tracy_mcp import Capture, open_capture

SMALL = 6_000_000


@pytest.fixture(scope="module")
def ctx() -> Capture:
    require_shared()
    return open_capture(CAPTURES / "clientapp-0.14.0.tracy")


def _validate_trace(doc: dict) -> list[dict]:
    assert isinstance(doc, dict) and isinstance(doc["traceEvents"], list)
    for ev in doc["traceEvents"]:
        assert ev["ph"] in {"X", "M", "i", "C"}
        assert isinstance(ev["name"], str) and isinstance(ev["pid"], int) and isinstance(ev["tid"], int)
        if ev["ph"] != "M":
            assert isinstance(ev["ts"], (int, float))
        if ev["ph"] == "X":
            assert isinstance(ev["dur"], (int, float)) and ev["dur"] >= 0
    return doc["traceEvents"]


def test_chrome_trace_validates(ctx: Capture, tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    n = ctx.export_chrome_trace(out)
    events = _validate_trace(json.loads(out.read_text()))
    assert n == len(events)
    cpu = [e for e in events if e.get("cat") == "zone"]
    assert len(cpu) == ctx.get_zone_count()
    assert len([e for e in events if e.get("cat") == "gpu"]) == ctx.get_gpu_zone_count()
    assert len([e for e in events if e["ph"] == "i"]) == ctx.get_message_count()
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert "Main thread" in names
    main = [e for e in cpu if e["name"] == "MainFrame"]
    stats = ctx.get_all_zone_stats()["MainFrame"]
    assert len(main) == stats.count
    assert sum(e["dur"] for e in main) == pytest.approx(stats.total / 1000, rel=1e-9)


def test_chrome_trace_window_and_filters(ctx: Capture, tmp_path: Path) -> None:
    out = tmp_path / "window.json"
    ctx.export_chrome_trace(out, start=100_000_000, end=200_000_000, min_duration=10_000, plots=False)
    events = _validate_trace(json.loads(out.read_text()))
    xs = [e for e in events if e.get("cat") == "zone"]
    assert xs and all(e["dur"] >= 10 and e["ts"] < 200_000 for e in xs)
    assert not [e for e in events if e["ph"] == "C"]


@pytest.mark.parametrize(
    "capture",
    [c for c in shared_captures() if c.stat().st_size < 4 * SMALL] or [None],
    ids=lambda c: c.stem if c else "none",
)
def test_csv_matches_tracy_csvexport(capture: Path | None) -> None:
    require_shared()
    if capture is None or not (GOLDEN / f"{capture.stem}.csv").is_file():
        pytest.skip("no capture with a csvexport reference")
    with open_capture(capture) as c:
        ours = c.export_csv()
    gold = (GOLDEN / f"{capture.stem}.csv").read_text()
    a = list(csv.reader(io.StringIO(ours)))
    b = list(csv.reader(io.StringIO(gold)))
    assert a[0] == b[0]
    assert sorted(a[1:]) == sorted(b[1:])


def test_csv_self_time_and_file(ctx: Capture, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(ctx.export_csv(self_time=True))))
    plain = {r[0] + r[2]: r for r in csv.reader(io.StringIO(ctx.export_csv()))}
    for r in rows[1:]:
        assert int(r[3]) <= int(plain[r[0] + r[2]][3])
    path = tmp_path / "z.csv"
    assert ctx.export_csv(path, filter="work") == len(list(csv.reader(path.open()))) - 1


def test_parquet_roundtrip(ctx: Capture, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "zones.parquet"
    assert ctx.export_parquet(out) == ctx.get_zone_count()
    t = pq.read_table(out)
    assert t.num_rows == ctx.get_zone_count() and "duration_ns" in t.column_names
    assert ctx.export_parquet(tmp_path / "stats.parquet", "zone_stats") > 0
    with pytest.raises(ValueError):
        ctx.export_parquet(tmp_path / "x.parquet", "nope")
