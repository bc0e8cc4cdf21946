"""CSV export with the columns and number formats of upstream's tracy-csvexport (default mode: one row per source
location that has zones; optionally self times)."""

from __future__ import annotations

import csv
import io
import math
import os
from typing import TYPE_CHECKING

from tracy_mcp.engine.zonetree import grouped_stats

if TYPE_CHECKING:
    from tracy_mcp.analysis.capture import Capture

CSV_COLUMNS = [
    "name",
    "src_file",
    "src_line",
    "total_ns",
    "total_perc",
    "counts",
    "mean_ns",
    "min_ns",
    "max_ns",
    "std_ns",
]


def csv_rows(
    ctx: Capture,
    *,
    self_time: bool = False,
    filter: str = "",  # noqa: A002 - csvexport's option name
    case_sensitive: bool = False,
) -> list[list[str]]:
    t, sl = ctx._cpu(), ctx._srclocs()
    st = t.srcloc_stats()
    if self_time:
        rows, offsets = t.stat_order()
        sst = grouped_stats(ctx.self_time_array()[rows], offsets)
    last = int(ctx.get_last_time())
    out = []
    needle = filter if case_sensitive else filter.lower()
    for r in range(len(sl)):
        if st.total[r] == 0:
            continue
        name = sl.name[r]
        if needle and needle not in (name if case_sensitive else name.lower()):
            continue
        sz = int(st.count[r])
        time = int(sst.total[r]) if self_time else int(st.total[r])
        # csvexport's arithmetic, reproduced: mean = unsigned integer division; the variance term avg*avg*count is
        # computed in unsigned 64-bit integers (it wraps for very long zones, which makes std "-nan" there too).
        avg = (time % 2**64) // sz
        tmin = int(sst.min[r]) if self_time else int(st.min[r])
        tmax = int(sst.max[r]) if self_time else int(st.max[r])
        ss = (float(st.sum_sq[r]) - 2.0 * float(st.total[r]) * avg) + float((avg * avg * sz) % 2**64)
        std = _fmt(math.sqrt(ss / (sz - 1)) if ss >= 0 else float("nan")) if sz > 1 else f"{0.0:f}"
        perc = 100.0 * time / last if last else 0.0
        out.append(
            [
                name,
                sl.file[r],
                str(int(sl.line[r])),
                str(time),
                f"{perc:f}",
                str(sz),
                str(avg),
                str(tmin),
                str(tmax),
                std,
            ]
        )
    return out


def _fmt(v: float) -> str:
    """printf("%f") as C++ std::to_string prints it (the square root of a negative number prints "-nan")."""
    return "-nan" if math.isnan(v) else f"{v:f}"


def csv_text(
    ctx: Capture,
    *,
    self_time: bool = False,
    sep: str = ",",
    filter: str = "",  # noqa: A002
    case_sensitive: bool = False,
) -> str:
    """The CSV as text: header, then one row per source location (source-location order)."""
    buf = io.StringIO()
    # csvexport joins fields without quoting; we quote only where a field contains the separator or a newline
    w = csv.writer(buf, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(CSV_COLUMNS)
    w.writerows(csv_rows(ctx, self_time=self_time, filter=filter, case_sensitive=case_sensitive))
    return buf.getvalue()


def export_csv(ctx: Capture, path: str | os.PathLike[str], **options: object) -> int:
    text = csv_text(ctx, **options)  # type: ignore[arg-type]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return text.count("\n") - 1
