"""Tracking settings: where the logs go and when they rotate, read from the environment."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import attrs
import platformdirs

log = logging.getLogger(__name__)

ENV_DIR = "TRACY_MCP_TRACKING_DIR"
ENV_ROTATE_MB = "TRACY_MCP_TRACKING_ROTATE_MB"
ENV_STUCK_S = "TRACY_MCP_TRACKING_STUCK_S"
ENV_ENABLED = "TRACY_MCP_TRACKING"

_MIB = 1024 * 1024


def default_directory() -> Path:
    """``tracking/`` in the per-user state directory (e.g. ``~/.local/state/tracy-mcp/tracking``)."""
    return platformdirs.user_state_path("tracy-mcp", appauthor=False) / "tracking"


def _number(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        log.warning("%s=%r is not a number; using %s", key, raw, default)
        return default
    if value <= 0:
        log.warning("%s=%r must be positive; using %s", key, raw, default)
        return default
    return value


@attrs.frozen
class TrackingSettings:
    """Every knob of the tool-call tracker, with its environment variable.

    - ``directory`` (``TRACY_MCP_TRACKING_DIR``): where the session logs, rankings and global stats live;
      default ``tracking/`` in the per-user state directory.
    - ``rotate_bytes`` (``TRACY_MCP_TRACKING_ROTATE_MB``, default 5): a session log reaching this size is
      renamed to the next free ``{session_id}.N.md`` and continued in a fresh file.
    - ``stuck_after_s`` (``TRACY_MCP_TRACKING_STUCK_S``, default 60): a call still running after this long is
      logged as ``stuck`` (latency "pending") and counted as stuck if it never finishes.
    - ``enabled`` (``TRACY_MCP_TRACKING``, default on; ``0``/``off``/``false``/``no`` turns tracking off).
    - ``snapshot_interval_s``: how often (at most) the ranking and global statistics files are rewritten.
    - ``idle_session_s``: a session without a transport session id (stateless HTTP, in-process clients) ends
      after this long without calls; the next call starts a new one.
    """

    directory: Path = attrs.field(factory=default_directory, converter=Path)
    rotate_bytes: int = 5 * _MIB
    stuck_after_s: float = 60.0
    enabled: bool = True
    snapshot_interval_s: float = 2.0
    idle_session_s: float = 1800.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrackingSettings:
        env = os.environ if env is None else env
        raw_dir = env.get(ENV_DIR, "").strip()
        enabled = env.get(ENV_ENABLED, "1").strip().lower() not in ("0", "off", "false", "no")
        return cls(
            directory=Path(raw_dir).expanduser() if raw_dir else default_directory(),
            rotate_bytes=max(4096, int(_number(env, ENV_ROTATE_MB, 5.0) * _MIB)),
            stuck_after_s=_number(env, ENV_STUCK_S, 60.0),
            enabled=enabled,
        )
