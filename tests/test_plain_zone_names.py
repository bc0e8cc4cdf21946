"""The analyses on a game instrumented with plain `ZoneScoped` (tests/data/plainzones-*.tracy, see README.md there):
GCC names every class's `Update` and `Draw` alike, so one zone name has several source locations, told apart only by
file and line; the level loader names each asset's zone with `ZoneName`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def _by_location(c, name: str) -> pd.DataFrame:  # noqa: ANN001 - a Capture
    """The zones named `name` with their source location's file (base name) and line."""
    z = c.zones(name=name, as_frame=True)
    s = c.sql("select id, file, line from srclocs")
    s["where"] = s["file"].map(lambda f: Path(str(f)).name) + ":" + s["line"].astype(str)
    return z.merge(s[["id", "where"]], left_on="srcloc_id", right_on="id")


def test_the_hitch_is_named_by_the_location_that_grew() -> None:
    """hitch: enemy.cpp's Update spikes in six frames; the other Updates (particles' the largest) hold."""
    with open_capture(DATA / "plainzones-hitch.tracy") as c:
        r = c.slow_frames()
        upd = _by_location(c, "Update")
        frames = c.frames()
    assert upd["where"].nunique() >= 5  # one name, several places
    enemy = upd[upd["where"] == "enemy.cpp:14"]
    long_runs = enemy[enemy["duration_ns"] > 10_000_000]
    typical = float(np.median(enemy["self_ns"]))
    slow_frames = set(np.searchsorted(frames["start_ns"].to_numpy(), long_runs["start_ns"].to_numpy(), "right") - 1)
    assert set(r.table["frame"].tolist()) == slow_frames and len(slow_frames) == 6
    # the title names the place, with that place's own typical time (not the name's, which particles' dominate)
    assert "culprit Update (enemy.cpp:14) (Main thread), typical " in r.title
    shown = r.title.split("typical ")[1].split(" per frame")[0]
    assert shown.endswith(" ms") and abs(float(shown[:-3]) * 1e6 - typical) < 0.05 * typical
    assert f"{long_runs['self_ns'].min() / 1e6:.2f} ms..{long_runs['self_ns'].max() / 1e6:.2f} ms" in r.title


def test_a_regression_in_one_of_several_same_named_zones_leads_the_comparison() -> None:
    """regress a/b: terrain.cpp's Draw got 2.5x slower; the other four Draws (more calls, more time) held, so the
    name as a whole moved too little to count."""
    with open_capture(DATA / "plainzones-regress_a.tracy") as a, open_capture(DATA / "plainzones-regress_b.tracy") as b:
        cmp = a.compare(b)
        da, db = _by_location(a, "Draw"), _by_location(b, "Draw")
    ta, tb = (d[d["where"] == "terrain.cpp:14"]["self_ns"] for d in (da, db))
    assert tb.median() > 2 * ta.median()
    assert "1 zone(s) regressed; most impact: Draw (terrain.cpp:14) " in cmp.title
    assert f"({ta.mean() / 1e6:.2f} ms -> {tb.mean() / 1e6:.2f} ms)" in cmp.title
    line = next(x for x in cmp.lines if x.startswith("By source location"))
    assert "Draw (terrain.cpp:14)" in line and "the name's other parts held" in line


def test_zone_name_labels_each_asset() -> None:
    """loading: LoadAsset is one source location whose zones each carry the asset's path through ZoneName; the
    tables carry it, and the call tree quotes the slowest assets whole."""
    with open_capture(DATA / "plainzones-loading.tracy") as c:
        z = c.zones(name="LoadAsset", as_frame=True)
        q = c.sql("select zone_name, duration_ns from zones where name = 'LoadAsset' order by duration_ns desc")
        tree = c.call_tree(name="LoadAsset")
    assert (z["zone_name"].astype(str) != "").all() and z["zone_name"].nunique() == len(z)
    top = z.sort_values("duration_ns", ascending=False).head(3)
    assert q["zone_name"].head(3).tolist() == top["zone_name"].astype(str).tolist()
    slowest = next(x for x in tree.lines if x.startswith("LoadAsset's slowest runs: "))
    for name, d in zip(top["zone_name"].astype(str), top["duration_ns"], strict=True):
        assert repr(name) in slowest
        assert f"{d / 1e9:.2f} s" in slowest or f"{d / 1e6:.1f} ms" in slowest


def test_an_editors_slow_keystrokes_are_found_by_their_work() -> None:
    """editapp typing_lag: the loop waits for input in App::WaitEvents, so each frame is as long as the typist's
    pause; five keystrokes run a synchronous Spell::CheckDocument. No frame is slow by its length alone."""
    with open_capture(DATA / "editapp-typing_lag.tracy") as c:
        r = c.slow_frames()
        waits = c.thread_report().tables["waits"]
        spell = c.zones(name="Spell::CheckDocument", as_frame=True)
    assert dict(zip(waits["name"], waits["kind"], strict=True)).get("App::WaitEvents") == "waits for input"
    assert "or whose work (the frame minus that wait) is over 2x its median" in r.title
    assert r.culprit == "Spell::CheckDocument"
    lo, hi = spell["duration_ns"].min() / 1e6, spell["duration_ns"].max() / 1e6
    assert f"{lo:.2f} ms..{hi:.2f} ms in the slow frames" in r.title


def test_hot_paths_split_a_shared_name_by_location() -> None:
    """hitch: the hot paths' Update and Draw are several functions each; the list says which holds the time."""
    with open_capture(DATA / "plainzones-hitch.tracy") as c:
        hot = c.hot_paths()
        upd = _by_location(c, "Update")
    line = next(x for x in hot.lines if x.startswith("Zone names that several source locations share"))
    own = upd.groupby("where")["self_ns"].sum().sort_values(ascending=False)
    top = own.index[0]
    assert f"Update: {top} " in line  # the location with the most self time first
    assert "enemy.cpp:14" in line.split("Update: ")[1]
