"""Numbers as a report prints them: durations (ns in, a readable unit out), byte sizes, shares."""

from __future__ import annotations


def fmt_ns(ns: float) -> str:
    """A duration with a unit chosen for it and 3-4 significant digits: "812 ns", "3.40 µs", "16.67 ms", "2.450 s"."""
    a = abs(ns)
    if a >= 1e9:
        return f"{ns / 1e9:.3f} s"
    if a >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if a >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_bytes(n: float) -> str:
    """A byte size in B, KiB, MiB or GiB."""
    a = abs(n)
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if a >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n:.0f} B"


def fmt_share(x: float) -> str:
    """A fraction as a percentage: 0.471 -> "47.1%"."""
    return f"{x * 100:.1f}%"
