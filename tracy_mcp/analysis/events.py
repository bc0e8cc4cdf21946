"""Messages, plots and sections: upstream-compatible lists and columnar access."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, make_table
from tracy_mcp.analysis.results import MessageInfo, PlotSummary
from tracy_mcp.analysis.threads import ThreadQueries

PLOT_TYPES = ("User", "Memory", "SysTime", "Power")


class EventQueries(ThreadQueries):
    # -- messages ---------------------------------------------------------------------------------------------------
    def get_message_count(self) -> int:
        return self._db.rows("messages")

    def get_messages(self) -> list[MessageInfo]:
        """Every message in time order: time, text, color (as stored), thread (upstream's internal thread index),
        tid (OS thread id)."""
        db = self._db
        if db.rows("messages") == 0:
            return []
        times = db.col("messages", "time").tolist()
        texts = self._strings.many(db.col("messages", "text"))
        colors = db.col("messages", "color").tolist()
        rows = db.col("messages", "thread")
        tids = self._tid_of_rows(rows).tolist()
        idx = self._upstream_thread_index(rows).tolist()
        return [
            MessageInfo(time=int(t), text=x, color=int(c), thread=int(i), tid=int(h))
            for t, x, c, i, h in zip(times, texts, colors, idx, tids, strict=False)
        ]

    def messages(self, *, as_frame: bool | None = None) -> Table:
        """Messages as columns: time, text, color, thread (OS tid), severity, source (0 user, 1 Tracy)."""
        db = self._db
        n = db.rows("messages")
        cols: dict[str, Any] = {
            "time": db.col_or("messages", "time"),
            "text": np.asarray(self._strings.many(db.col("messages", "text")) if n else [], dtype=object),
            "color": db.col_or("messages", "color"),
            "thread": self._tid_of_rows(db.col("messages", "thread")) if n else np.zeros(0, np.uint64),
        }
        for extra in ("severity", "source"):
            if db.has("messages", extra):
                cols[extra] = db.col("messages", extra)
        return make_table(cols, as_frame)

    # -- plots ------------------------------------------------------------------------------------------------------
    def _plot_name(self, sid: int) -> str:
        if sid >= 0:
            return self._str(sid)
        # Plots stored without a name (the default memory pool's plot, the CPU-usage plot) are shown by upstream
        # under the base frame set's name; we keep that for compatibility.
        if self._db.has("frame_sets", "name") and self._db.rows("frame_sets"):
            return self._str(self._db.col("frame_sets", "name")[0])
        return ""

    def get_plot_count(self) -> int:
        """Data points of user plots."""
        v = self._db.meta_get("plot_count")
        if isinstance(v, int):
            return v
        db = self._db
        if db.rows("plots") == 0:
            return 0
        user = db.col("plots", "type") == 0
        return int((db.col("plots", "point_end")[user] - db.col("plots", "point_begin")[user]).sum())

    def get_plots(self) -> list[PlotSummary]:
        """Every plot: name, min, max, sum, count (points), avg, type ("User", "Memory", "SysTime", "Power")."""
        db = self._db
        n = db.rows("plots")
        out = []
        for i in range(n):
            cnt = int(db.col("plots", "point_end")[i] - db.col("plots", "point_begin")[i])
            s = float(db.col("plots", "sum")[i])
            t = int(db.col("plots", "type")[i])
            out.append(
                PlotSummary(
                    name=self._plot_name(int(db.col("plots", "name")[i])),
                    min=float(db.col("plots", "min")[i]),
                    max=float(db.col("plots", "max")[i]),
                    sum=s,
                    count=cnt,
                    avg=(s / cnt) if cnt else 0.0,
                    type=PLOT_TYPES[t] if t < len(PLOT_TYPES) else "Unknown",
                )
            )
        return out

    def plots(self, *, as_frame: bool | None = None) -> Table:
        """Every point of every plot as columns: plot (name), type, time, value."""
        db = self._db
        n = db.rows("plots")
        if n == 0 or db.rows("plot_points") == 0:
            return make_table(
                {
                    "plot": np.zeros(0, dtype=object),
                    "type": np.zeros(0, dtype=object),
                    "time": np.zeros(0, np.int64),
                    "value": np.zeros(0),
                },
                as_frame,
            )
        b = db.col("plots", "point_begin").astype(np.int64)
        e = db.col("plots", "point_end").astype(np.int64)
        lens = np.maximum(e - b, 0)
        names = np.asarray([self._plot_name(int(x)) for x in db.col("plots", "name").tolist()], dtype=object)
        types = np.asarray(
            [PLOT_TYPES[t] if t < len(PLOT_TYPES) else "Unknown" for t in db.col("plots", "type").tolist()],
            dtype=object,
        )
        owner = np.repeat(np.arange(n), lens)
        idx = np.concatenate([np.arange(x, y) for x, y in zip(b.tolist(), e.tolist(), strict=True)])
        return make_table(
            {
                "plot": names[owner],
                "type": types[owner],
                "time": db.col("plot_points", "time")[idx],
                "value": db.col("plot_points", "value")[idx],
            },
            as_frame,
        )

    def plot_points(self, name: str, *, as_frame: bool | None = None) -> Table:
        """Points of the first plot called `name` as columns time, value."""
        db = self._db
        for i in range(db.rows("plots")):
            if self._plot_name(int(db.col("plots", "name")[i])) == name:
                b, e = int(db.col("plots", "point_begin")[i]), int(db.col("plots", "point_end")[i])
                return make_table(
                    {"time": db.col("plot_points", "time")[b:e], "value": db.col("plot_points", "value")[b:e]}, as_frame
                )
        raise KeyError(f"no plot named {name!r}")

    # -- sections ---------------------------------------------------------------------------------------------------
    def get_sections(self) -> list[dict[str, Any]]:
        """Named sections: {category, start, end, text}."""
        db = self._db
        n = db.rows("sections")
        if n == 0:
            return []
        desc: dict[int, str] = {}
        if db.rows("section_categories"):
            for c, d in zip(
                db.col("section_categories", "category").tolist(),
                db.col("section_categories", "description").tolist(),
                strict=False,
            ):
                desc[int(c)] = self._str(d) if d >= 0 else ""
        cats = db.col("sections", "category").tolist()
        starts = db.col("sections", "start").tolist()
        ends = db.col("sections", "end").tolist()
        texts = self._strings.many(db.col("sections", "text"))
        return [
            {"category": desc.get(int(c), ""), "start": int(s), "end": int(e), "text": x}
            for c, s, e, x in zip(cats, starts, ends, texts, strict=False)
        ]
