"""Messages, plots and sections: upstream-compatible lists and columnar access."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracy_mcp.analysis.columnar import Table, expand_ranges, fixed_labels, labels_of, make_table
from tracy_mcp.analysis.filters import SelectorError, match_names, per_row
from tracy_mcp.analysis.memory import MemoryQueries
from tracy_mcp.analysis.results import MessageInfo, PlotSummary
from tracy_mcp.errors import NotFoundError

PLOT_TYPES = ("User", "Memory", "SysTime", "Power")
PLOT_FORMATS = ("Number", "Memory", "Percentage", "Watt")  # how a plot's values read
SEVERITIES = {0: "trace", 1: "debug", 2: "info", 3: "warning", 4: "error", 5: "fatal"}
SOURCES = {0: "user", 1: "tracy"}


class EventQueries(MemoryQueries):  # plots name memory pools
    # -- messages ---------------------------------------------------------------------------------------------------
    def get_message_count(self) -> int:
        """Messages, Tracy's own included."""
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

    def messages(self, *, thread: int | str | list[int | str] | None = None, as_frame: bool | None = None) -> Table:
        """Messages (TracyMessage logs and Tracy's own) in time order, keyed by `id`: time_ns, text, thread_id,
        thread, severity ("trace", "debug", "info", "warning", "error", "fatal"; Tracy 0.13 and older record
        "info"), source ("user" or "tracy": Tracy's own diagnostics), color (as stored), callstack_id (0 = none;
        see get_callstack_frames). Filter: `thread` (name, glob, thread_id, OS tid, or a list)."""
        db = self._db
        n = db.rows("messages")
        thread_ids = db.col("messages", "thread").astype(np.int32) if n else np.zeros(0, np.int32)
        rows = None if thread is None else np.nonzero(per_row(self._thread_mask(thread), thread_ids))[0]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if rows is None else a[rows]

        def col(name: str, default: int) -> np.ndarray:
            return db.col("messages", name) if db.has("messages", name) and n else np.full(n, default, np.int64)

        sids = pick(col("text", -1))
        uniq, inv = np.unique(sids, return_inverse=True)
        tids = pick(thread_ids)
        cols: dict[str, Any] = {
            "time_ns": pick(col("time", 0)),
            "text": labels_of(inv.reshape(-1), self._strings.many(uniq)),
            "thread_id": tids,
            "thread": self._thread_column(tids),
            "severity": fixed_labels(pick(col("severity", 2)), SEVERITIES),
            "source": fixed_labels(pick(col("source", 0)), SOURCES),
            "color": pick(col("color", 0)),
            "callstack_id": pick(col("callstack", 0)),
        }
        return make_table(cols, as_frame, ids=rows)

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

    def _plot_labels(self) -> np.ndarray:
        """What each plot shows, in words (see plots()); one place for the DataFrame and the SQL table."""

        def build() -> np.ndarray:
            db = self._db
            n = db.rows("plots")
            names = self._plot_names()
            types = db.col("plots", "type").tolist() if n else []
            pools = db.col_or("plots", "pool", np.full(n, -1, np.int32)).tolist() if n else []
            pool_names = self._pool_names()
            out = []
            for k in range(n):
                kind = PLOT_TYPES[types[k]] if types[k] < len(PLOT_TYPES) else "Unknown"
                if kind == "SysTime":
                    out.append("CPU usage (whole machine, %)")
                elif kind == "Memory":
                    pool = pool_names[pools[k]] if 0 <= pools[k] < len(pool_names) else names[k]
                    out.append(f"memory in use: pool {pool}")
                else:
                    out.append(names[k])
            return np.asarray(out, dtype=object)

        return self._db.cached("plot_labels", build)

    def plots(self, *, as_frame: bool | None = None) -> Table:
        """One row per plot (the summary; points are in plot_points()), keyed by `id` (the plot_id): name, type
        ("User", "Memory", "SysTime", "Power"), count (points), min, max, mean, sum, first_ns, last_ns (times of
        the first and last point), label (what the plot shows, in words: the name of a program's plot, "CPU usage
        (whole machine)", "memory in use: pool X"). Names are upstream's and can repeat (Tracy names its CPU-usage
        plot and the default pool's memory plot "Frame"): select by id, read by label."""
        db = self._db
        n = db.rows("plots")
        b = db.col("plots", "point_begin").astype(np.int64) if n else np.zeros(0, np.int64)
        e = db.col("plots", "point_end").astype(np.int64) if n else np.zeros(0, np.int64)
        count = np.maximum(e - b, 0)
        times = db.col_or("plot_points", "time")
        has = count > 0
        first = np.full(n, -1, np.int64)
        last = np.full(n, -1, np.int64)
        first[has] = times[b[has]]
        last[has] = times[e[has] - 1]
        total = db.col("plots", "sum").astype(np.float64) if n else np.zeros(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(has, total / np.maximum(count, 1), np.nan)
        return make_table(
            {
                "name": labels_of(np.arange(n, dtype=np.int32), self._plot_names()),
                "type": fixed_labels(
                    db.col("plots", "type") if n else np.zeros(0, np.int8), dict(enumerate(PLOT_TYPES))
                ),
                "count": count,
                "min": db.col("plots", "min").astype(np.float64) if n else np.zeros(0),
                "max": db.col("plots", "max").astype(np.float64) if n else np.zeros(0),
                "mean": mean,
                "sum": total,
                "first_ns": first,
                "last_ns": last,
                "label": labels_of(np.arange(n, dtype=np.int32), list(self._plot_labels())),
            },
            as_frame,
        )

    def _plot_names(self) -> list[str]:
        db = self._db
        return [self._plot_name(int(x)) for x in db.col_or("plots", "name").tolist()]

    def plot_points(
        self,
        plot: int | str | list[int | str] | None = None,
        *,
        name: str | list[str] | None = None,
        as_frame: bool | None = None,
    ) -> Table:
        """Points of plots in time order per plot, keyed by `id` (the point's row): plot_id, plot (name), label
        (what it shows, unique where names repeat: see plots()), time_ns, value. In a DataFrame read the name as
        `df["plot"]`: `df.plot` is pandas' plotting method. `plot`: a plot_id (see plots()), a name or glob (every
        plot with that name), a label, a list of these, or None for every plot; `name=` is the same selector,
        spelled as zones() spells it."""
        if name is not None:
            if plot is not None:
                raise SelectorError("pass the plot either positionally or as name=, not both")
            names: list[int | str] = list(name) if isinstance(name, list) else [name]
            plot = names
        db = self._db
        n = db.rows("plots")
        b = db.col("plots", "point_begin").astype(np.int64) if n else np.zeros(0, np.int64)
        e = db.col("plots", "point_end").astype(np.int64) if n else np.zeros(0, np.int64)
        chosen = np.ones(n, dtype=bool) if plot is None else self._plot_mask(plot)
        owner, rows = expand_ranges(b[chosen], e[chosen])
        plot_ids = np.nonzero(chosen)[0].astype(np.int32)[owner]
        return make_table(
            {
                "plot_id": plot_ids,
                "plot": labels_of(plot_ids, self._plot_names()),
                "label": labels_of(plot_ids, list(self._plot_labels())),
                "time_ns": db.col_or("plot_points", "time")[rows],
                "value": db.col_or("plot_points", "value", np.zeros(0))[rows],
            },
            as_frame,
            ids=rows,
        )

    def _plot_mask(self, plot: int | str | list[int | str]) -> np.ndarray:
        names = self._plot_names()
        items = plot if isinstance(plot, list) else [plot]
        mask = np.zeros(len(names), dtype=bool)
        for item in items:
            if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                if not 0 <= int(item) < len(names):
                    raise NotFoundError(f"no plot with id {item}: plot ids are 0..{len(names) - 1} (see ctx.plots())")
                mask[int(item)] = True
            elif isinstance(item, str):
                labels = list(self._plot_labels())
                if item in labels and item not in names:  # the label plots() shows where names repeat
                    mask |= np.asarray([x == item for x in labels], dtype=bool)
                else:
                    mask |= match_names(item, names, "plot", "plot named")
            else:
                raise SelectorError(f"plot must be a plot id, a name, a glob or a list of them; got {item!r}")
        return mask

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
