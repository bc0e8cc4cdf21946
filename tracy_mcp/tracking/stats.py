"""Per-tool counters, the session ranking, and the durable global statistics shared by every server process."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from tracy_mcp.tracking.markdown import latency, markdown_table, percent, utc
from tracy_mcp.tracking.records import SUCCESS_STATUSES

log = logging.getLogger(__name__)

GLOBAL_JSON = "_global_stats.json"
GLOBAL_MD = "_global_stats.md"
GLOBAL_LOCK = "_global_stats.lock"
_FORMAT_VERSION = 1

# Weights of the ranking score; they sum to 1 so the score reads as a percentage.
W_RELEVANCE, W_RELIABILITY, W_SPEED = 0.4, 0.4, 0.2
SCORE_FORMULA = (
    "score = 100 × (0.4 × share / top share + 0.4 × success rate + 0.2 × 1 / (1 + average latency in seconds))"
)


@attrs.define
class ToolStats:
    """Outcome counters of one tool. ``calls`` = successes + errors + stuck (calls that never finished)."""

    calls: int = 0
    successes: int = 0
    errors: int = 0
    stuck: int = 0
    latency_ms_total: float = 0.0
    latency_count: int = 0

    def add(self, status: str, latency_ms: float | None) -> None:
        self.calls += 1
        if status in SUCCESS_STATUSES:
            self.successes += 1
        elif status == "stuck":
            self.stuck += 1
        else:
            self.errors += 1
        if latency_ms is not None:
            self.latency_ms_total += latency_ms
            self.latency_count += 1

    def merge(self, other: ToolStats) -> None:
        self.calls += other.calls
        self.successes += other.successes
        self.errors += other.errors
        self.stuck += other.stuck
        self.latency_ms_total += other.latency_ms_total
        self.latency_count += other.latency_count

    @property
    def success_rate(self) -> float:
        return self.successes / self.calls if self.calls else 0.0

    @property
    def avg_latency_ms(self) -> float | None:
        return self.latency_ms_total / self.latency_count if self.latency_count else None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolStats:
        return cls(
            calls=int(data.get("calls", 0)),
            successes=int(data.get("successes", 0)),
            errors=int(data.get("errors", 0)),
            stuck=int(data.get("stuck", 0)),
            latency_ms_total=float(data.get("latency_ms_total", 0.0)),
            latency_count=int(data.get("latency_count", 0)),
        )


@attrs.frozen
class RankedTool:
    name: str
    stats: ToolStats
    share: float
    score: float


def rank(tools: Mapping[str, ToolStats]) -> list[RankedTool]:
    """Tools ordered by score: relevance (share of calls), reliability (success rate) and speed (latency)."""
    total = sum(s.calls for s in tools.values())
    if not total:
        return []
    top_share = max(s.calls for s in tools.values()) / total
    ranked = []
    for name, s in tools.items():
        share = s.calls / total
        avg = s.avg_latency_ms
        speed = 1.0 / (1.0 + avg / 1000.0) if avg is not None else 0.0
        score = 100.0 * (W_RELEVANCE * share / top_share + W_RELIABILITY * s.success_rate + W_SPEED * speed)
        ranked.append(RankedTool(name, s, share, score))
    ranked.sort(key=lambda r: (-r.score, -r.stats.calls, r.name))
    return ranked


def format_ranking(session_id: str, tools: Mapping[str, ToolStats], now: float | None = None) -> str:
    ranked = rank(tools)
    total = sum(s.calls for s in tools.values())
    rows = [
        (
            i,
            f"`{r.name}`",
            r.stats.calls,
            f"{100.0 * r.share:.1f} %",
            percent(r.stats.successes, r.stats.calls),
            latency(r.stats.avg_latency_ms),
            f"{r.score:.1f}",
        )
        for i, r in enumerate(ranked, 1)
    ]
    table = markdown_table(
        ("rank", "tool", "calls", "share", "success rate", "avg latency", "score"),
        rows,
        (True, False, True, True, True, True, True),
    )
    return (
        f"# Tool ranking, session `{session_id}`\n\n"
        f"Snapshot of {utc(time.time() if now is None else now, ms=False)}, {total} calls.\n\n"
        f"{table}\n{SCORE_FORMULA}\n"
    )


def format_global_table(tools: Mapping[str, ToolStats], sessions: int = 0, updated: float | None = None) -> str:
    """The global per-tool table (what ``tracy-mcp stats`` prints and ``_global_stats.md`` holds)."""

    def row(label: str, s: ToolStats) -> tuple[object, ...]:
        return (
            label,
            s.calls,
            s.successes,
            s.errors,
            s.stuck,
            percent(s.successes, s.calls),
            latency(s.avg_latency_ms),
        )

    order = sorted(tools.items(), key=lambda kv: (-kv[1].calls, kv[0]))
    rows = [row(f"`{name}`", s) for name, s in order]
    total = ToolStats()
    for s in tools.values():
        total.merge(s)
    rows.append(row("**all tools**", total))
    table = markdown_table(
        ("tool", "calls", "successes", "errors", "stuck", "success rate", "avg latency"),
        rows,
        (False, True, True, True, True, True, True),
    )
    when = f", updated {utc(updated, ms=False)}" if updated else ""
    return f"# tracy-mcp tool statistics, all sessions\n\n{sessions} sessions{when}.\n\n{table}"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between server processes sharing the directory (several stdio servers may run)."""
    with open(path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_atomic(path: Path, text: str, *, durable: bool = False) -> None:
    """Replace ``path`` with ``text`` so readers never see a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@attrs.define
class GlobalStats:
    tools: dict[str, ToolStats] = attrs.field(factory=dict)
    sessions: int = 0
    updated: float | None = None

    @classmethod
    def load(cls, directory: Path) -> GlobalStats:
        """Read ``_global_stats.json``; a missing file is empty history, a damaged one is kept aside."""
        path = directory / GLOBAL_JSON
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        try:
            data = json.loads(raw)
            return cls(
                tools={name: ToolStats.from_json(v) for name, v in data.get("tools", {}).items()},
                sessions=int(data.get("sessions", 0)),
                updated=data.get("updated"),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            aside = path.with_name(f"{GLOBAL_JSON}.damaged-{int(time.time())}")
            log.warning("tracking: %s is damaged (%s); kept as %s, starting a new history", path, exc, aside.name)
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            return cls()

    def to_json(self) -> str:
        data = {
            "format": _FORMAT_VERSION,
            "updated": self.updated,
            "sessions": self.sessions,
            "tools": {name: s.to_json() for name, s in sorted(self.tools.items())},
        }
        return json.dumps(data, indent=1, sort_keys=False) + "\n"


def merge_global(directory: Path, deltas: Mapping[str, ToolStats], new_sessions: int) -> GlobalStats:
    """Add this process's new counts to the shared history, under a lock, and rewrite both files atomically."""
    with _file_lock(directory / GLOBAL_LOCK):
        current = GlobalStats.load(directory)
        for name, delta in deltas.items():
            current.tools.setdefault(name, ToolStats()).merge(delta)
        current.sessions += new_sessions
        current.updated = time.time()
        write_atomic(directory / GLOBAL_JSON, current.to_json(), durable=True)
        write_atomic(directory / GLOBAL_MD, format_global_table(current.tools, current.sessions, current.updated))
    return current
