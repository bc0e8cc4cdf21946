"""Saving a live session: a real tracypy client in a loopback-only network namespace (see test_live.py); the
session is saved while the program still sends (the session keeps receiving) and again after it ended; the final
file loads back with exactly the answers of the ended session."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_live import ROUNDS, _drive, _require_client


@pytest.mark.netns
def test_live_session_saved_mid_stream_and_after_the_end(tmp_path: Path) -> None:
    exe = _require_client("tracypy")
    out = _drive(
        tmp_path,
        exe,
        """
        from tracy_mcp import open_capture

        def answers(cap):
            stats = cap.get_all_zone_stats()
            return {"zones": cap.get_zone_count(), "threads": len(cap.get_threads()),
                    "stats": {n: [s.count, s.total, s.min, s.max] for n, s in sorted(stats.items())},
                    "program": cap.get_capture_program()}

        client = start_client()
        cap = live.connect("127.0.0.1", 8086, 0)
        t0 = time.monotonic()
        while cap.get_zone_count() < 200 and time.monotonic() - t0 < 30:
            time.sleep(0.1)
        cap.refresh()
        mid_live = answers(cap)
        mid = cap.save(os.path.abspath("mid.tracy"), streams=2)
        still_connected = cap.is_connected()
        cap.wait_disconnected(30)
        client.wait(30)
        end_live = answers(cap)
        end = cap.save(os.path.abspath("end.tracy"), compression="lz4")
        with open_capture(mid.path) as m:
            mid_file = answers(m)
        with open_capture(end.path) as e:
            end_file = answers(e)
        print(json.dumps({"mid_live": mid_live, "mid_file": mid_file, "end_live": end_live, "end_file": end_file,
                          "still_connected": still_connected, "final": cap.get_zone_count()}))
    """,
    )
    assert out["mid_live"]["zones"] > 0
    # The live capture may take a newer snapshot between two calls: the mid-stream file holds at least as much.
    assert out["mid_live"]["zones"] <= out["mid_file"]["zones"] <= out["final"]
    assert out["mid_file"]["program"] == out["mid_live"]["program"]
    assert out["end_file"] == out["end_live"]
    assert out["end_live"]["zones"] >= out["mid_live"]["zones"]
    assert out["final"] >= 3 + 3 * ROUNDS * 12
