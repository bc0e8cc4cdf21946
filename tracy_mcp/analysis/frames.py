"""Frame sets: counts, statistics, boundaries and frame times (upstream-compatible), zones of a frame, plus
columnar frames and frame-time percentiles.

Frame timing follows upstream: a continuous set's frame ends where the next begins and its last frame at the
capture's last time; frame 0 of the base set "Frame" runs from 0 to the first frame mark.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, make_table, percentile_columns
from tracy_mcp.analysis.filters import SelectorError
from tracy_mcp.analysis.results import INT64_MAX, INT64_MIN, FrameStats
from tracy_mcp.analysis.zones import ZoneQueries, stats_by_group
from tracy_mcp.errors import NotFoundError

I64 = np.int64


class FrameQueries(ZoneQueries):
    # -- frame sets ------------------------------------------------------------------------------------------------
    def _frame_sets(self) -> list[dict[str, Any]]:
        """Per frame set: name, continuous, begin/end rows of `frames`."""

        def build() -> list[dict[str, Any]]:
            db = self._db
            n = db.rows("frame_sets")
            if n == 0:
                return []
            names = db.col("frame_sets", "name").tolist()
            cont = db.col("frame_sets", "continuous").tolist()
            fb = db.col("frame_sets", "frames_begin").tolist()
            fe = db.col("frame_sets", "frames_end").tolist()
            return [
                {
                    "row": i,
                    "name": self._str(names[i]),
                    "continuous": bool(cont[i]),
                    "begin": int(fb[i]),
                    "end": int(fe[i]),
                }
                for i in range(n)
            ]

        return self._db.cached("frame_sets", build)

    def _frame_set(self, name: str | None) -> dict[str, Any] | None:
        sets = self._frame_sets()
        if name is None:
            return sets[0] if sets else None
        for fs in sets:
            if fs["name"] == name:
                return fs
        return None

    def _named_frame_set(self, name: str | None, frame_set: str | None = None) -> dict[str, Any]:
        """Like _frame_set, but a missing set is a KeyError. `frame_set` is the keyword the analyses spell the set
        with; the accessors take either."""
        if frame_set is not None:
            if name is not None and name != frame_set:
                raise SelectorError("pass the frame set either as name or as frame_set=, not both")
            name = frame_set
        fs = self._frame_set(name)
        if fs is None:
            known = ", ".join(repr(f["name"]) for f in self._frame_sets()) or "none"
            raise NotFoundError(f"no frame set named {name!r}; frame sets: {known}")
        return fs

    def _frame_bounds(self, fs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(begin, end, time) per frame of a set, as upstream's GetFrameBegin/GetFrameEnd/GetFrameTime."""

        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            db = self._db
            b, e = fs["begin"], fs["end"]
            start = db.col("frames", "start")[b:e].astype(I64)
            stored_end = db.col("frames", "end")[b:e].astype(I64)
            last = int(self.get_last_time())
            n = len(start)
            if n == 0:
                return start, start.copy(), start.copy()
            if fs["continuous"]:
                end = np.empty(n, I64)
                end[:-1] = start[1:]
                end[-1] = last
                times = end - start
            else:
                ok = stored_end >= 0
                end = np.where(ok, stored_end, last)
                # upstream: an unterminated discontinuous frame lasts from the LAST frame's start to last_time
                times = np.where(ok, stored_end - start, last - start[-1])
            return start, end, times

        return self._db.cached(("frame_bounds", fs["row"]), build)

    def get_frame_count(self) -> int:
        """Frames of the base frame set ("Frame")."""
        fs = self._frame_set(None)
        return 0 if fs is None else fs["end"] - fs["begin"]

    def get_all_frame_stats(self) -> list[FrameStats]:
        """Per frame set: frame-duration statistics over frames with a positive duration; count = all frames."""
        out = []
        for fs in self._frame_sets():
            _, _, t = self._frame_bounds(fs)
            pos = t[t > 0]
            cnt = len(t)
            total = int(pos.sum())
            f = pos.astype(np.float64)
            out.append(
                FrameStats(
                    name=fs["name"],
                    min=int(pos.min()) if len(pos) else INT64_MAX,
                    max=int(pos.max()) if len(pos) else INT64_MIN,
                    total=total,
                    sum_sq=float((f * f).sum()),
                    count=cnt,
                    avg=(total / cnt) if cnt else 0.0,
                )
            )
        return out

    def get_frame_boundaries(self) -> list[tuple[int, int]]:
        """(begin, end) of every frame of the base set, in frame order."""
        fs = self._frame_set(None)
        if fs is None:
            return []
        b, e, _ = self._frame_bounds(fs)
        return list(zip(b.tolist(), e.tolist(), strict=False))

    def get_frame_times(self) -> list[int]:
        """Duration (ns) of every frame of the base set, in frame order."""
        fs = self._frame_set(None)
        return [] if fs is None else self._frame_bounds(fs)[2].tolist()

    def get_frame_times_named(self, name: str) -> list[int]:
        """Frame durations of the frame set called `name` ("Frame" is the base set); [] when unknown."""
        fs = self._frame_set(name)
        return [] if fs is None else self._frame_bounds(fs)[2].tolist()

    def get_zones_in_frame(self, frame_idx: int) -> dict[str, dict[str, int]]:
        """{zone name: {count, total_ns}} of CPU zones (all threads and fibers) that start within base frame
        `frame_idx`; {} when out of range. Zones without a valid end are skipped with their subtree."""
        fs = self._frame_set(None)
        idx = int(frame_idx)
        if fs is None or idx < 0 or idx >= fs["end"] - fs["begin"]:
            return {}
        b, e, _ = self._frame_bounds(fs)
        rows = self._zone_rows_starting_in(int(b[idx]), int(e[idx]))
        t, sl = self._cpu(), self._srclocs()
        rows = rows[~t.under_invalid()[rows] & t.known_srcloc[rows]]
        st = stats_by_group(t.dur[rows], t.srcloc[rows].astype(np.intp), len(sl))
        out: dict[str, dict[str, int]] = {}
        for name in sl.names:
            r = sl.rows_of(name)
            c = int(st.count[r].sum())
            if c:
                out[name] = {"count": c, "total_ns": int(st.total[r].sum())}
        return out

    def _zone_rows_starting_in(self, lo: int, hi: int) -> np.ndarray:
        """Zone rows with lo <= start < hi; each thread's rows are sorted by start (DFS pre-order), so this is a
        binary search per thread."""
        t = self._cpu()
        db = self._db
        if db.has("threads", "zones_begin"):
            zb = db.col("threads", "zones_begin").tolist()
            ze = db.col("threads", "zones_end").tolist()
            parts = []
            for a, z in zip(zb, ze, strict=False):
                if z <= a:
                    continue
                s = t.start[a:z]
                i = int(np.searchsorted(s, lo, "left"))
                j = int(np.searchsorted(s, hi, "left"))
                if j > i:
                    parts.append(np.arange(a + i, a + j))
            return np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return np.nonzero((t.start >= lo) & (t.start < hi))[0]

    # -- beyond upstream ---------------------------------------------------------------------------------------------
    def frames(self, name: str | None = None, *, frame_set: str | None = None, as_frame: bool | None = None) -> Table:
        """Frames of one frame set (the base set "Frame" by default), keyed by `id` (the frame number, as in
        get_frame_times()): start_ns, end_ns, duration_ns. Frame 0 of the base set runs from the capture's start
        to the profiler client's start (Tracy marks a frame there), so frame 1 runs to the program's first frame
        mark and holds its loading; start-up frames are often long: leave them out of "typical frame" statistics.
        `frame_set=` names the set as the analyses do (the same as `name`)."""
        fs = self._named_frame_set(name, frame_set)
        b, e, t = self._frame_bounds(fs)
        return make_table({"start_ns": b, "end_ns": e, "duration_ns": t}, as_frame)

    def frame_percentiles(
        self, name: str | None = None, q: tuple[float, ...] = (50, 90, 99), *, frame_set: str | None = None
    ) -> dict[str, float]:
        """Percentiles of frame durations (ns) of a frame set (base set by default; `name` or `frame_set=`)."""
        fs = self._named_frame_set(name, frame_set)
        t = self._frame_bounds(fs)[2]
        return {k: float(v[0]) for k, v in percentile_columns([t], tuple(q)).items()}

    def zones_in_frame(
        self, frame_idx: int, *, name: str | None = None, frame_set: str | None = None, as_frame: bool | None = None
    ) -> Table:
        """Columnar zones (see zones()) that overlap frame `frame_idx` of a frame set (base set by default; `name`
        or `frame_set=`)."""
        fs = self._named_frame_set(name, frame_set)
        b, e, _ = self._frame_bounds(fs)
        if not 0 <= frame_idx < len(b):
            raise IndexError(f"frame {frame_idx} out of range 0..{len(b) - 1}")
        return self.zones(start=int(b[frame_idx]), end=int(e[frame_idx]), as_frame=as_frame)
