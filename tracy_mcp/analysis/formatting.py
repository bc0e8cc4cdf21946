"""Numbers as people read them in analysis summaries: durations with a unit, percentages, clipped texts, thread
names with the numbered members of a pool collapsed."""

from __future__ import annotations

import math
import re
from collections import Counter


def fmt_ns(ns: float | None) -> str:
    """A duration in nanoseconds as text: 1.23 s, 345.6 ms, 16.67 ms, 0.302 ms, 12.3 µs, 850 ns; "-" for NaN."""
    if ns is None or (isinstance(ns, float) and math.isnan(ns)):
        return "-"
    a = abs(ns)
    if a >= 1e10:
        return f"{ns / 1e9:.1f} s"
    if a >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if a >= 1e8:
        return f"{ns / 1e6:.1f} ms"
    if a >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if a >= 1e4:
        return f"{ns / 1e6:.3f} ms"
    if a >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_bytes(n: float) -> str:
    """A size as people quote it, one rule for every size: exact bytes below 10 000 (3072 B), else the decimal unit
    with the binary one beside it (442.4 kB (432.0 KiB), 14.26 MB (13.60 MiB), 1.20 GB (1.12 GiB))."""
    a = abs(n)
    if a < 10_000:
        return f"{n:.0f} B"
    if a < 1e6:
        return f"{n / 1e3:.1f} kB ({n / 1024:.1f} KiB)"
    if a < 1e9:
        return f"{n / 1e6:.2f} MB ({n / 2**20:.2f} MiB)"
    return f"{n / 1e9:.2f} GB ({n / 2**30:.2f} GiB)"


def fmt_ms(ns: float, digits: int = 2) -> str:
    """Milliseconds without the unit, for table columns."""
    return f"{ns / 1e6:.{digits}f}"


def fmt_pct(x: float) -> str:
    """A fraction as a percentage with one decimal."""
    return f"{100 * x:.1f}%"


def clip_text(s: str, n: int = 160) -> str:
    """One line of at most `n` characters (whitespace collapsed)."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


SAME_NAME_MANY = 4  # threads sharing one name (told apart by their OS id) that name_list counts instead of lists
RANGES_MANY = 4  # separate ranges of one numbered name past which name_list gives the span and count instead


def name_list(names: list[str]) -> str:
    """Thread names with the numbered members of a pool collapsed into ranges: "JobWorker 0-5, Main thread"; many
    threads of one name, told apart by their OS id ("asset_export (20479)"), counted: "asset_export (120 threads)"."""
    by_tid = [m.group(1) if (m := re.fullmatch(r"(.*\S) \(\d+\)", n)) else None for n in names]
    count = Counter(b for b in by_tid if b is not None)
    if any(k >= SAME_NAME_MANY for k in count.values()):
        counted: list[str] = []
        said: set[str] = set()
        for n, b in zip(names, by_tid, strict=True):
            if b is None or count[b] < SAME_NAME_MANY:
                counted.append(n)
            elif b not in said:
                counted.append(f"{b} ({count[b]} threads)")
                said.add(b)
        names = counted
    numbered: dict[str, list[int]] = {}
    out: list[str] = []
    for n in names:
        m = re.fullmatch(r"(.*?\S)(\s*)(\d+)", n)
        if m and m.group(1) + m.group(2) not in numbered:
            numbered[m.group(1) + m.group(2)] = []
            out.append(m.group(1) + m.group(2))
        if m:
            numbered[m.group(1) + m.group(2)].append(int(m.group(3)))
        else:
            out.append(n)
    parts = []
    for item in out:
        nums = sorted(set(numbered.get(item, [])))
        if not nums:
            parts.append(item)
            continue
        runs: list[list[int]] = []
        for k in nums:
            if runs and k == runs[-1][-1] + 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        if len(runs) > RANGES_MANY:  # many gaps (every other job of a hundred): the span and the count
            parts.append(f"{len(nums)} threads {item}{nums[0]}..{nums[-1]}")
            continue
        # "worker-0-1" would read as one name: a name ending in a separator gets its range spelt out
        spelt = item[-1:] in "-_."
        parts += [
            f"{item}{r[0]}" + ((f" to {item}{r[-1]}" if spelt else f"-{r[-1]}") if len(r) > 1 else "") for r in runs
        ]
    return ", ".join(parts)


def clause_before(title: str, clause: str, *markers: str) -> str:
    """`title` (a sentence ending in ".") with `clause` ("; ...") put before the first of `markers` it holds (a
    cause goes beside what it explains, ahead of a later, separate finding), else at its end."""
    cuts = [k for k in (title.find(m) for m in markers) if k >= 0]
    if cuts:
        return title[: min(cuts)] + clause + title[min(cuts) :]
    return title[:-1] + clause + "."


def pool_of(name: str) -> str:
    """Pool name of a thread: its name without a trailing number ("JobWorker 2" -> "JobWorker")."""
    return re.sub(r"[\s#_\-:]*\d+$", "", name).strip() or name
