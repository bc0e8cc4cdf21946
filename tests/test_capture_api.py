"""The Capture object itself: opening, waiting, headline facts, memory, closing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CAPTURES, require_shared

import tracy_mcp
from tracy_mcp import Capture, open_capture
from tracy_mcp.errors import CaptureNotFoundError, TracyMcpError

CLIENTAPP = CAPTURES / "clientapp-0.14.0.tracy"


@pytest.fixture(scope="module")
def ctx() -> Capture:
    require_shared()
    return open_capture(CLIENTAPP)


def test_exported_from_package() -> None:
    assert tracy_mcp.open_capture is open_capture
    assert "Capture" in tracy_mcp.__all__ and "open_capture" in tracy_mcp.__all__


def test_open_waits_for_complete(ctx: Capture) -> None:
    assert ctx.path == str(CLIENTAPP)
    assert ctx.is_background_done()
    assert ctx.state() == "complete"
    assert not ctx.is_connected()
    assert ctx.shutdown() is None and ctx.disconnect() is None


def test_info_has_headline_facts(ctx: Capture) -> None:
    info = ctx.info()
    assert info["program"] == "clientapp-0.14.0"
    assert info["name"].startswith("clientapp-0.14.0 @ ")
    assert info["zone_count"] == 80879
    assert info["frame_count"] == 202
    assert info["gpu_zone_count"] == 400
    assert info["thread_count"] == 8
    assert info["span_ns"] == info["last_time_ns"] - info["first_time_ns"] > 0
    assert info["file_version"] == "0.14.0"


def test_memory_bytes_counts_engine_tables(ctx: Capture) -> None:
    before = ctx.memory_bytes()
    assert before > 1_000_000
    ctx.get_all_zone_stats()  # builds derived arrays, which are counted too
    assert ctx.memory_bytes() >= before


def test_close_releases_and_further_calls_raise() -> None:
    require_shared()
    c = open_capture(CLIENTAPP)
    assert c.get_zone_count() == 80879
    c.close()
    assert c.closed() and c.memory_bytes() == 0 and c.state() == "closed"
    with pytest.raises(TracyMcpError, match="closed"):
        c.get_zone_count()
    c.close()  # idempotent


def test_context_manager_closes() -> None:
    require_shared()
    with open_capture(CLIENTAPP) as c:
        assert c.get_frame_count() == 202
    assert c.closed()


def test_open_without_wait_reports_progress_then_answers() -> None:
    require_shared()
    seen: list[tuple[int, int, str]] = []
    c = open_capture(CAPTURES / "clientapp-0.14.0-lz4.tracy", wait=False)
    assert c.wait(progress=lambda d, t, s: seen.append((d, t, s)))
    assert c.is_background_done()
    assert seen and all(isinstance(s, str) for _, _, s in seen)
    assert c.get_zone_count() == 80879  # methods also block on their own when called early


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureNotFoundError):
        open_capture(tmp_path / "nope.tracy")


def test_not_a_capture_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tracy"
    bad.write_bytes(b"this is not a tracy capture at all" * 10)
    with pytest.raises(TracyMcpError):
        open_capture(bad)


def test_unknown_srcloc_id_raises_key_error(ctx: Capture) -> None:
    with pytest.raises(KeyError):
        ctx.get_src_loc(0)
    with pytest.raises(KeyError):
        ctx.get_zone_name(30000)


def test_thread_names_include_other_processes(ctx: Capture) -> None:
    assert ctx.get_thread_name(ctx.get_pid()) == "Main thread"
    assert ctx.get_thread_name(0) == "???"
    names = {ctx.get_thread_name(int(t)) for t in ctx.context_switches(as_frame=False)["tid"].tolist()}
    assert "Worker A" in names


def test_callstack_zero_and_out_of_range_are_empty(ctx: Capture) -> None:
    assert ctx.get_callstack_frames(0) == []
    assert ctx.get_callstack_frames(10**9) == []
    assert ctx.get_callstack_frames(1)  # a real one resolves


# Keyword arguments and defaults of upstream's binding (python/bindings/ServerModule.cpp, Tracy 0.14.0).
UPSTREAM_SIGNATURES = {
    "get_zone_durations": {"name": None, "max_samples": 100000},
    "get_zone_occurrences": {"name": None, "max_samples": 100000},
    "get_zone_occurrences_with_thread": {"name": None, "max_samples": 100000},
    "get_zone_annotations": {"name": None, "max_samples": 10000},
    "get_zone_callstacks": {"name": None, "max_samples": 1000},
    "get_child_zone_stats": {"name": None, "max_parents": 100000},
    "get_gpu_zone_durations": {"name": None, "max_samples": 100000},
    "get_gpu_zone_occurrences": {"name": None, "max_samples": 100000},
    "get_gpu_child_zone_stats": {"name": None, "max_parents": 100000},
    "get_thread_context_switches": {"tid": None, "max_samples": 50000},
    "get_memory_events": {"max_count": 100000, "pool_name": ""},
    "get_callstack_frames": {"callstack_idx": None},
    "get_samples_for_symbol": {"sym_addr": None},
    "get_zone_source_location": {"name": None},
    "get_zones_in_frame": {"frame_idx": None},
}


def test_upstream_argument_names_and_defaults() -> None:
    import inspect

    for method, expected in UPSTREAM_SIGNATURES.items():
        params = dict(list(inspect.signature(getattr(Capture, method)).parameters.items())[1:])
        assert list(params) == list(expected), method
        for arg, default in expected.items():
            want = inspect.Parameter.empty if default is None else default
            assert params[arg].default == want, (method, arg)
