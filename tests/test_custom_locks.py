"""A lock Tracy does not know about (tests/data/spinlock-*.tracy, see README.md there): the engine's own spin lock
marks each acquire with a zone SpinLock::Acquire whose text is the lock's name. The lock tables are empty; the time
spent acquiring, or the acquires counted, split by that text, name the lock."""

from __future__ import annotations

from pathlib import Path

from tracy_mcp import open_capture

DATA = Path(__file__).parent / "data"


def test_one_zone_for_several_locks_is_split_by_its_text() -> None:
    with open_capture(DATA / "spinlock-hot_spin.tracy") as c:
        assert c.get_lock_count() == 0  # nothing for lock_contention to read
        z = c.zones(name="SpinLock::Acquire", as_frame=True)
        by_lock = z.groupby(z["text"].astype(str))["self_ns"].sum()
        hot = c.hot_paths()
        summary = c.summary()
    line = next(x for x in hot.lines if x.startswith("Self time by the zones' text"))
    assert "SpinLock::Acquire: 'AssetTable' 2.93 s" in line
    assert by_lock.idxmax() == "AssetTable" and by_lock["AssetTable"] > 100 * by_lock["RenderQueue"]  # the tables
    most = next(x for _, x in summary.findings if x.startswith("Most self time"))
    assert "SpinLock::Acquire: 'AssetTable' 2.93 s, 'RenderQueue'" in most


def test_a_lock_taken_per_body_shows_in_the_comparison_by_its_text() -> None:
    """regress a/b: B takes the
    Physics.Islands lock once per body instead of once per island (2400 -> 24000 acquires) inside SolveIsland, whose
    own time then moves into a new Physics::IntegrateBody: its own time fell, its calls grew."""
    with open_capture(DATA / "spinlock-regress_a.tracy") as a, open_capture(DATA / "spinlock-regress_b.tracy") as b:
        r = a.compare(b)
    assert "1 improved, most: Physics::SolveIsland 0.01x its own time per call" in r.title
    assert "with the zones inside it 0.315 ms -> 0.990 ms" in r.title
    line = next(x for x in r.lines if x.strip().startswith("SpinLock::Acquire:"))
    assert line.endswith("by its text: 'Physics.Islands' 2400 -> 24000")
