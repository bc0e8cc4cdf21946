"""The table vocabulary (issue 13) on every shared capture: each table accessor has the same columns, key and
kinds whether it has rows or not, times end in `_ns`, codes are readable categories, filters take names, globs,
lists and threads, and bad filters are clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from conftest import CAPTURES, require_shared, shared_captures

from tracy_mcp import Capture, open_capture
from tracy_mcp.errors import NotFoundError

pd = pytest.importorskip("pandas")

# The contract other code relies on: every column of every table accessor, in order. "cat" marks a pandas
# categorical (a readable label); every other column is numeric or boolean.
TABLES: dict[str, dict[str, str]] = {
    "zones": {
        "start_ns": "int",
        "end_ns": "int",
        "duration_ns": "int",
        "self_ns": "int",
        "depth": "int",
        "parent_id": "int",
        "thread_id": "int",
        "thread": "cat",
        "srcloc_id": "int",
        "name": "cat",
        "text": "cat",
        "zone_name": "cat",
    },
    "gpu_zones": {
        "start_ns": "int",
        "end_ns": "int",
        "duration_ns": "int",
        "cpu_start_ns": "int",
        "cpu_end_ns": "int",
        "context_id": "int",
        "thread_id": "int",
        "thread": "cat",
        "depth": "int",
        "parent_id": "int",
        "srcloc_id": "int",
        "name": "cat",
    },
    "frames": {"start_ns": "int", "end_ns": "int", "duration_ns": "int"},
    "messages": {
        "time_ns": "int",
        "text": "cat",
        "thread_id": "int",
        "thread": "cat",
        "severity": "cat",
        "source": "cat",
        "color": "int",
        "callstack_id": "int",
    },
    "plots": {
        "name": "cat",
        "type": "cat",
        "count": "int",
        "min": "float",
        "max": "float",
        "mean": "float",
        "sum": "float",
        "first_ns": "int",
        "last_ns": "int",
        "label": "cat",
    },
    "plot_points": {"plot_id": "int", "plot": "cat", "label": "cat", "time_ns": "int", "value": "float"},
    "memory_events": {
        "pool_id": "int",
        "pool": "cat",
        "ptr": "int",
        "size_bytes": "int",
        "alloc_ns": "int",
        "free_ns": "int",
        "alloc_thread_id": "int",
        "alloc_thread": "cat",
        "free_thread_id": "int",
        "free_thread": "cat",
        "alloc_callstack_id": "int",
        "free_callstack_id": "int",
    },
    "samples": {
        "time_ns": "int",
        "thread_id": "int",
        "thread": "cat",
        "callstack_id": "int",
        "symbol_addr": "int",
        "symbol": "cat",
    },
    "context_switches": {
        "thread_id": "int",
        "tid": "int",
        "thread": "cat",
        "start_ns": "int",
        "end_ns": "int",
        "duration_ns": "int",
        "wakeup_ns": "int",
        "cpu": "int",
        "reason": "cat",
        "state": "cat",
    },
    "lock_events": {
        "lock_id": "int",
        "lock": "cat",
        "time_ns": "int",
        "thread_id": "int",
        "thread": "cat",
        "tid": "int",
        "type": "cat",
    },
    "threads": {"tid": "int", "name": "cat", "zone_count": "int", "is_fiber": "bool", "listed": "bool"},
}
TIME_WORDS = ("start", "end", "time", "duration", "wakeup", "alloc_ns", "free_ns", "self")


def _kind(series: object) -> str:
    dtype = series.dtype  # type: ignore[attr-defined]
    if isinstance(dtype, pd.CategoricalDtype):
        return "cat"
    return {"i": "int", "u": "int", "f": "float", "b": "bool"}.get(dtype.kind, str(dtype))


def _captures() -> list[str]:
    """Every shared capture: planted and older-format (incoming) ones too."""
    paths = list(shared_captures())
    for sub in ("planted", "incoming"):
        paths += sorted((CAPTURES / sub).glob("*.tracy")) if CAPTURES.is_dir() else []
    found = list(dict.fromkeys(str(p.relative_to(CAPTURES)) for p in paths))
    return found or ["(no shared captures)"]


@pytest.fixture(scope="module", params=_captures())
def ctx(request: pytest.FixtureRequest) -> Iterator[Capture]:
    require_shared()
    with open_capture(CAPTURES / request.param) as c:
        yield c


def _table(ctx: Capture, name: str, as_frame: bool) -> object:
    if name == "frames" and ctx.get_frame_count() == 0:
        pytest.skip("capture has no frames")
    return getattr(ctx, name)(as_frame=as_frame)


@pytest.mark.parametrize("name", list(TABLES))
def test_columns_key_and_kinds(ctx: Capture, name: str) -> None:
    df = _table(ctx, name, True)
    assert list(df.columns) == list(TABLES[name]), name
    assert df.index.name == "id"
    assert df.index.is_unique
    for col, kind in TABLES[name].items():
        if len(df) or kind == "cat":
            assert _kind(df[col]) == kind, (name, col, df[col].dtype)
    for col in df.columns:
        if any(col.startswith(w) or col.endswith(w) for w in TIME_WORDS) and col not in ("thread", "thread_id"):
            assert col.endswith("_ns"), f"{name}.{col}: a time column must end in _ns"
    d = _table(ctx, name, False)
    assert list(d) == ["id", *TABLES[name]]
    assert all(len(v) == len(df) for v in d.values())
    assert np.array_equal(d["id"], df.index.to_numpy())


def test_empty_tables_keep_their_columns(ctx: Capture) -> None:
    """Filters that select nothing give the same columns as a full table."""
    assert list(ctx.zones(start=10**18).columns) == list(TABLES["zones"])
    assert list(ctx.zones(name="*no such zone*").columns) == list(TABLES["zones"])
    assert list(ctx.gpu_zones(name="*no such zone*").columns) == list(TABLES["gpu_zones"])
    assert list(ctx.plot_points("*no such plot*").columns) == list(TABLES["plot_points"])
    assert list(ctx.memory_events("*no such pool*").columns) == list(TABLES["memory_events"])
    assert list(ctx.lock_events("*no such lock*").columns) == list(TABLES["lock_events"])


def test_row_counts_agree_with_upstream_counts(ctx: Capture) -> None:
    assert len(ctx.zones()) == ctx.get_zone_count()
    assert len(ctx.gpu_zones()) == ctx.get_gpu_zone_count()
    assert len(ctx.messages()) == ctx.get_message_count()
    assert len(ctx.context_switches()) == ctx.get_context_switch_count()
    assert len(ctx.lock_events()) == ctx.get_lock_count()
    assert len(ctx.plots()) == len(ctx.get_plots())
    assert len(ctx.plot_points()) == int(ctx.plots()["count"].sum())
    assert len(ctx.memory_events()) == sum(p.alloc_count for p in ctx.get_memory_pools())
    assert len(ctx.samples()) <= ctx.get_callstack_sample_count()
    if ctx.get_frame_count():
        assert ctx.frames()["duration_ns"].tolist() == ctx.get_frame_times()


def test_references_resolve(ctx: Capture) -> None:
    """Every `<thing>_id` points at a row of the table it names (or is -1 / 0 for none)."""
    z = ctx.zones()
    threads = ctx.threads()
    assert set(z["thread_id"].unique()) <= set(threads.index)
    labels = np.asarray(ctx._thread_labels(), dtype=object)
    assert np.array_equal(z["thread"].astype(str).to_numpy(), labels[z["thread_id"].to_numpy()])
    for tid, name in zip(threads["tid"], threads["name"].astype(str), strict=True):
        assert name == ctx.get_thread_name(int(tid))
    parents = z["parent_id"].to_numpy()
    assert np.all((parents == -1) | np.isin(parents, z.index.to_numpy()))
    assert np.all((parents == -1) == (z["depth"].to_numpy() == 0))
    for sid in z["srcloc_id"].unique()[:20]:
        names = set(z.loc[z["srcloc_id"] == sid, "name"].astype(str))
        assert names == {ctx.get_zone_name(int(sid))}
    stats = ctx.get_all_zone_stats()
    counts = z[(z["end_ns"] >= 0) & (z["duration_ns"] > 0)].groupby("name", observed=True).size()
    for name, s in stats.items():
        assert counts.get(name, 0) == s.count, name
    pts = ctx.plot_points()
    assert set(pts["plot_id"].unique()) <= set(ctx.plots().index)
    gz = ctx.gpu_zones()
    assert set(gz["context_id"].unique()) <= set(range(len(ctx.get_gpu_contexts())))


def test_codes_are_readable(ctx: Capture) -> None:
    m = ctx.messages()
    assert set(m["severity"].astype(str)) <= {"trace", "debug", "info", "warning", "error", "fatal"}
    assert set(m["source"].astype(str)) <= {"user", "tracy"}
    cs = ctx.context_switches()
    assert not any(str(x).startswith("unknown") for x in cs["state"].unique())
    assert not any(str(x).startswith("unknown") for x in cs["reason"].unique())
    le = ctx.lock_events()
    assert set(le["type"].astype(str)) <= {
        "wait",
        "obtain",
        "release",
        "wait_shared",
        "obtain_shared",
        "release_shared",
    }
    assert set(ctx.plots()["type"].astype(str)) <= {"User", "Memory", "SysTime", "Power"}


def test_context_switch_times_are_real_or_minus_one(ctx: Capture) -> None:
    """0.13.1 clients on some systems stamp 0: those times show as -1, never as a time before the capture."""
    cs = ctx.context_switches()
    for col in ("start_ns", "end_ns", "wakeup_ns"):
        v = cs[col].to_numpy()
        assert np.all((v == -1) | (v >= 0)), col
    assert np.all(cs["duration_ns"].to_numpy() >= 0)


def test_thread_and_name_filters(ctx: Capture) -> None:
    threads = ctx.threads()
    busy = threads[threads["zone_count"] > 0]
    if len(busy) == 0:
        pytest.skip("no zones")
    tid_row = int(busy.index[0])
    name = str(busy["name"].iloc[0])
    by_id = ctx.zones(thread=tid_row)
    by_tid = ctx.zones(thread=int(busy["tid"].iloc[0]))
    assert by_id.index.equals(by_tid.index) and len(by_id) == int(busy["zone_count"].iloc[0])
    assert all(t.startswith(name) for t in ctx.zones(thread=name)["thread"].astype(str))
    both = ctx.zones(thread=[tid_row, name])
    assert len(both) >= len(by_id)
    z = ctx.zones()
    first, second = z["name"].astype(str).value_counts().index[:2].tolist() + [None] * (2 - min(2, z["name"].nunique()))
    one = ctx.zones(name=first)
    assert set(one["name"].astype(str)) == {first} and len(one) == int((z["name"] == first).sum())
    if second is not None:
        pair = ctx.zones(name=[first, second])
        assert len(pair) == int(z["name"].isin([first, second]).sum())
    glob = ctx.zones(name=first[:2] + "*")
    assert len(glob) == int(z["name"].astype(str).str.startswith(first[:2]).sum())
    inside = ctx.zones(thread=tid_row, name=first)
    assert np.array_equal(inside.index, one.index[np.isin(one.index, by_id.index)])


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"thread": "No Such Thread"}, NotFoundError, "no thread named 'No Such Thread'"),
        ({"thread": 987654321}, NotFoundError, "no thread with thread_id or OS tid 987654321"),
        ({"name": "No Such Zone"}, NotFoundError, "no zone named 'No Such Zone'"),
        ({"name": ["ok", 3]}, TypeError, "name must be a string or a list of strings"),
        ({"name": {"a": 1}}, TypeError, "name must be a string"),
        ({"name": []}, KeyError, "selects nothing"),
    ],
)
def test_bad_filters_are_clear_errors(kwargs: dict[str, object], error: type[Exception], words: str) -> None:
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as c, pytest.raises(error, match=words):
        c.zones(**kwargs)  # type: ignore[arg-type]


def test_plots_are_selected_by_id() -> None:
    """Two plots can share a name ("Frame"); plot ids tell them apart."""
    require_shared()
    with open_capture(CAPTURES / "clientapp-0.14.0.tracy") as c:
        plots = c.plots()
        for pid in plots.index:
            pts = c.plot_points(int(pid))
            assert len(pts) == plots.loc[pid, "count"] and set(pts["plot_id"]) <= {pid}
        same = plots[plots["name"] == "Frame"]
        assert len(c.plot_points("Frame")) == int(same["count"].sum())
        with pytest.raises(NotFoundError, match="no plot with id 999"):
            c.plot_points(999)
