"""The pieces behind eval, task and the instance lifecycle, exercised directly (fast, no server process)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tracy_mcp.server import evaluator
from tracy_mcp.server.instances import Instance, InstanceBusyError, Registry, UnknownInstanceError
from tracy_mcp.server.settings import Settings, SettingsError
from tracy_mcp.server.tasks import TaskManager

# -- evaluator ----------------------------------------------------------------------------------------------------


def test_output_then_final_expression() -> None:
    assert evaluator.run_code("print('a')\nx = 2\nx * 21", {}) == "a\n42"
    assert evaluator.run_code("x = 1", {}) == "(no output)"
    assert evaluator.run_code("'text'", {}) == "text"
    assert evaluator.run_code("ctx['k']", {"ctx": {"k": [1, 2]}}) == "[1, 2]"


def test_exception_traceback_shows_user_lines_and_prior_output() -> None:
    with pytest.raises(evaluator.EvalError) as info:
        evaluator.run_code("print('before')\ndef f():\n    return {}['missing']\nf()", {})
    formatted = info.value.formatted
    assert "KeyError: 'missing'" in formatted
    assert "line 3, in f" in formatted and "{}['missing']" in formatted
    assert "evaluator.py" not in formatted  # our own frames are not shown
    assert info.value.partial_output == "before\n"


def test_common_stumbles_come_with_a_hint() -> None:
    import pandas as pd

    frame = pd.DataFrame({"name": ["a"]}, index=pd.RangeIndex(1, name="id"))
    for code in ("df.id", "df['id']", "df.groupby('name').agg(n=('id', 'size'))"):
        with pytest.raises(evaluator.EvalError) as info:
            evaluator.run_code(code, {"df": frame})
        assert "Hint: in the tables `id` is the DataFrame's index" in info.value.formatted, code
    with pytest.raises(evaluator.EvalError) as info:
        evaluator.run_code("import no_such_module_here", {})
    assert "Hint: no_such_module_here is not installed in the server" in info.value.formatted
    with pytest.raises(evaluator.EvalError) as info:
        evaluator.run_code("{}['missing']", {})
    assert "Hint" not in info.value.formatted  # no hint where none applies


def test_syntax_error_is_reported_with_position() -> None:
    with pytest.raises(evaluator.EvalError) as info:
        evaluator.compile_code("x = (1,\n")
    assert "SyntaxError" in info.value.formatted


def test_stdout_is_captured_per_thread() -> None:
    results: dict[int, str] = {}

    def worker(n: int) -> None:
        results[n] = evaluator.run_code(f"for _ in range(200):\n    print({n}, end='')", {})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: str(n) * 200 for n in range(4)}
    print("still reaches the real stdout")  # the router passes other threads' writes through
    assert sys.stdout.isatty() is False


def test_long_output_is_cut() -> None:
    out = evaluator.run_code("print('x' * 300_000)", {})
    assert len(out) < 101_000 and "output cut" in out
    assert len(evaluator.run_code("print('x' * 300)", {}, max_chars=100)) < 200


# -- tasks --------------------------------------------------------------------------------------------------------


def run_eval(manager: TaskManager, code: str, limit: float | None = None) -> Any:
    compiled = evaluator.compile_code(code)
    return manager.submit("eval", lambda: evaluator.run_code(compiled, {}), time_limit_s=limit)


def test_cancel_stops_a_python_loop() -> None:
    manager = TaskManager()
    task = run_eval(manager, "while True:\n    pass")
    time.sleep(0.1)
    assert task.status == "running"
    message = task.stop()
    assert "stopped" in message and task.status == "cancelled"
    assert manager.running() == []


def test_code_catching_exception_cannot_swallow_the_stop() -> None:
    code = "while True:\n    try:\n        sum(range(100))\n    except Exception:\n        pass"
    task = run_eval(TaskManager(), code)
    time.sleep(0.1)
    task.stop()
    assert task.status == "cancelled"


def test_time_limit() -> None:
    task = run_eval(TaskManager(), "while True:\n    pass", limit=0.3)
    assert task.wait(5)
    assert task.status == "timed_out" and "time limit of 0.3 s" in (task.error or "")


def test_cancel_inside_native_call_says_it_could_not_stop_yet() -> None:
    task = run_eval(TaskManager(), "import time\ntime.sleep(1.5)\n'finished'")
    time.sleep(0.1)
    message = task.stop(grace_s=0.2)
    assert "could not be stopped yet" in message and "native call" in message
    assert task.wait(5)
    # The stop lands as soon as the native call returns.
    assert task.status == "cancelled" and task.note and "took effect" in task.note


def test_failed_task_reports_traceback_and_partial_output() -> None:
    task = run_eval(TaskManager(), "print('partial')\nraise ValueError('bad input')")
    assert task.wait(5)
    report = task.report()
    assert report["status"] == "failed" and "ValueError: bad input" in report["error"]
    assert report["output_before_error"] == "partial\n"


def test_stop_of_finished_task() -> None:
    task = run_eval(TaskManager(), "1")
    task.wait(5)
    assert "already finished" in task.stop()
    assert task.report()["result"] == "1"


# -- instances ----------------------------------------------------------------------------------------------------


class FakeCapture:
    """Stands in for a capture in the lifecycle rules: a connected live session cannot be produced without the live
    engine, and the rules only read these five methods. Real captures go through the registry in test_server.py."""

    def __init__(self, connected: bool = False) -> None:
        self.connected = connected
        self.closed = False

    def is_connected(self) -> bool:
        return self.connected

    def is_background_done(self) -> bool:
        return True

    def memory_bytes(self) -> int:
        return 1024

    def close(self) -> None:
        self.closed = True

    def disconnect(self) -> None:
        self.connected = False


def add(reg: Registry, name: str, live: bool = False, connected: bool = False, age: float = 0) -> Instance:
    inst = Instance(id=name, capture=FakeCapture(connected), live=live)
    inst.last_used -= age
    reg.add(inst)
    return inst


def test_lru_cap_never_evicts_a_connected_live_instance() -> None:
    reg = Registry(max_instances=2)
    live = add(reg, "live", live=True, connected=True, age=100)
    old = add(reg, "old", age=50)
    add(reg, "new")
    assert {i.id for i in reg.all()} == {"live", "new"}
    assert old.capture.closed and not live.capture.closed


def test_instance_in_use_is_not_evicted_or_unloaded() -> None:
    busy = {"a"}
    reg = Registry(max_instances=1, in_use=lambda i: i in busy)
    add(reg, "a", age=10)
    add(reg, "b")
    assert {i.id for i in reg.all()} == {"a", "b"}  # over the cap rather than pull a capture from under a task
    with pytest.raises(InstanceBusyError):
        reg.remove("a")
    busy.clear()
    reg.remove("a")


def test_idle_sweep_by_kind() -> None:
    reg = Registry(max_instances=10, file_idle_ttl_s=100, disconnected_ttl_s=10)
    add(reg, "file-fresh", age=50)
    add(reg, "file-idle", age=150)
    add(reg, "live-gone", live=True, connected=False, age=20)
    add(reg, "live-on", live=True, connected=True, age=1000)
    assert sorted(reg.sweep()) == ["file-idle", "live-gone"]
    assert {i.id for i in reg.all()} == {"file-fresh", "live-on"}


def test_same_file_name_from_another_folder_is_named_by_the_folder_that_differs() -> None:
    reg = Registry()
    reg.add(Instance(id="run1", capture=FakeCapture(), path="/t/blind202/neutral/run1.tracy"))
    assert reg.new_id("run1", "/t/blind203/neutral/run1.tracy") == "blind203-run1"
    reg.add(Instance(id="blind203-run1", capture=FakeCapture(), path="/t/blind203/neutral/run1.tracy"))
    assert reg.new_id("run1", "/t/blind203/neutral/run1.tracy") == "run1-2"  # that name taken too: a number
    assert reg.new_id("run1") == "run1-2"  # a live session has no path


def test_aliases_and_lookup_errors() -> None:
    reg = Registry()
    inst = add(reg, "cap")
    reg.add_alias(inst, "before")
    assert reg.get("before") is inst
    assert reg.new_id("cap") == "cap-2"
    with pytest.raises(UnknownInstanceError, match="loaded: cap"):
        reg.get("nope")
    # A new instance named like an alias takes the name over; named like an instance, it replaces it (as a reload
    # under the same name should).
    other = Instance(id="before", capture=FakeCapture())
    reg.add(other)
    assert reg.get("before") is other and inst.aliases == set() and not inst.capture.closed
    third = Instance(id="cap", capture=FakeCapture())
    reg.add(third)
    assert reg.get("cap") is third and inst.capture.closed
    assert sorted(i.id for i in reg.all()) == ["before", "cap"]


def test_find_file_reuses_only_an_unchanged_file(tmp_path: Path) -> None:
    from tracy_mcp.server.instances import file_key

    f = tmp_path / "a.tracy"
    f.write_bytes(b"x")
    reg = Registry()
    path, mtime = file_key(f)
    reg.add(Instance(id="a", capture=FakeCapture(), path=path, mtime=mtime))
    assert reg.find_file(f) is not None
    os.utime(f, (mtime + 10, mtime + 10))
    assert reg.find_file(f) is None


# -- settings -----------------------------------------------------------------------------------------------------


def test_settings_from_env() -> None:
    s = Settings.from_env(
        {
            "TRACY_MCP_TRANSPORT": "sse",
            "TRACY_MCP_MAX_INSTANCES": "7",
            "TRACY_MCP_LIVE_MEMORY_LIMIT_MB": "512",
            "TRACY_CAPTURES_DIR": "/data",
        },
        port=9000,
    )
    assert (s.transport, s.path, s.max_instances, s.live_memory_limit_mb, s.port) == ("sse", "/sse", 7, 512, 9000)
    assert str(s.captures_dir) == "/data" and s.host == "127.0.0.1"
    assert Settings.from_env({}).live_memory_limit_mb == 8192
    with pytest.raises(SettingsError, match="TRACY_MCP_MAX_INSTANCES"):
        Settings.from_env({"TRACY_MCP_MAX_INSTANCES": "many"})
    with pytest.raises(SettingsError, match="transport"):
        Settings.from_env({"TRACY_MCP_TRANSPORT": "carrier-pigeon"})
