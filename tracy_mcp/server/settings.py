"""Every setting of the MCP server, in one place.

Each setting comes from an environment variable (read once, when the server starts) and some can be overridden
by a command-line flag or a tool argument. The table below is the reference; the README points here.

==================================  ====================  ========================================================
environment variable                default               meaning
==================================  ====================  ========================================================
TRACY_MCP_TRANSPORT                 streamable-http       ``serve`` transport: ``streamable-http`` (path /mcp) or
                                                          ``sse`` (path /sse)
TRACY_MCP_HOST                      127.0.0.1             address the HTTP server binds (loopback only unless set)
TRACY_MCP_PORT                      47380                 first port tried; the next 15 follow, then any free port
TRACY_MCP_TOKEN                     (none)                if set, HTTP clients must send
                                                          ``Authorization: Bearer <token>``
TRACY_MCP_ALLOWED_HOSTS             (none)                extra Host header values accepted (comma separated,
                                                          ``name:*`` allows any port), for DNS-rebinding checks
TRACY_MCP_ALLOWED_ORIGINS           (none)                extra Origin values accepted (comma separated)
TRACY_CAPTURES_DIR                  (none)                folder ``list_captures`` lists
TRACY_MCP_MAX_INSTANCES             8                     loaded captures/sessions kept; least recently used is
                                                          evicted first, never a connected live session
TRACY_MCP_FILE_IDLE_TTL_S           3600                  a file capture unused this long is unloaded (0 = never)
TRACY_MCP_DISCONNECTED_TTL_S        1800                  a disconnected live session unused this long is unloaded
                                                          (0 = never)
TRACY_MCP_SWEEP_INTERVAL_S          60                    period of the eviction sweep and heartbeat log line
TRACY_MCP_MAX_LOADS                 2                     capture loads running at once; one more waits for a
                                                          slot (TRACY_MCP_LOAD_SLOT_WAIT_S), then is "busy"
TRACY_MCP_LOAD_SLOT_WAIT_S          15                    how long a load beyond TRACY_MCP_MAX_LOADS waits for
                                                          a slot before its "busy" answer (0 = refuse at once)
TRACY_MCP_LOAD_TIME_LIMIT_S         600                   a ``load_capture`` still loading after this long is
                                                          cancelled (0 = no limit)
TRACY_MCP_EVAL_TIME_LIMIT_S         120                   a synchronous ``eval`` is stopped after this long
TRACY_MCP_TASK_TIME_LIMIT_S         3600                  an async task is stopped after this long (0 = no limit)
TRACY_MCP_EVAL_MAX_OUTPUT_CHARS     20000                 what one eval returns at most (eval max_chars overrides)
TRACY_MCP_EVAL_MAX_CODE_CHARS       100000                longest ``eval`` code accepted (longer is refused
                                                          before compiling)
TRACY_MCP_LIVE_MEMORY_LIMIT_MB      8192                  default memory cap of one live session
TRACY_MCP_BROADCAST_LISTEN_S        3.5                   how long ``live_connect`` listens for UDP broadcasts
TRACY_MCP_STATE_DIR                 per-user runtime dir  where the PID, port and lock files live
TRACY_MCP_LOG_DIR                   per-user log dir      where server.log and crash.log live
TRACY_MCP_LOG_LEVEL                 INFO                  server log level
==================================  ====================  ========================================================
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import attrs
import platformdirs

APP_NAME = "tracy-mcp"
TRANSPORTS = ("streamable-http", "sse")
# URL path of each HTTP transport.
TRANSPORT_PATHS = {"streamable-http": "/mcp", "sse": "/sse"}
DEFAULT_PORT = 47380
PORT_SPAN = 16


class SettingsError(ValueError):
    """An environment variable or flag holds a value we cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise SettingsError(f"{name}={value} must be at least {minimum}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise SettingsError(f"{name}={value} must not be negative")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _default_state_dir() -> Path:
    # The runtime dir is the natural home of PID files (cleared at logout); where the platform has none
    # (no XDG_RUNTIME_DIR), the per-user state dir is stable and private.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if os.name != "posix" or os.environ.get("XDG_RUNTIME_DIR") or os.uname().sysname == "Darwin":
            return Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


@attrs.frozen
class Settings:
    transport: str = "streamable-http"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    captures_dir: Path | None = None
    max_instances: int = 8
    file_idle_ttl_s: float = 3600.0
    disconnected_ttl_s: float = 1800.0
    sweep_interval_s: float = 60.0
    max_loads: int = 2
    load_slot_wait_s: float = 15.0
    load_time_limit_s: float = 600.0
    eval_time_limit_s: float = 120.0
    task_time_limit_s: float = 3600.0
    eval_max_output_chars: int = 20_000
    eval_max_code_chars: int = 100_000
    live_memory_limit_mb: int = 8192
    broadcast_listen_s: float = 3.5
    state_dir: Path = attrs.field(factory=_default_state_dir)
    log_dir: Path = attrs.field(factory=lambda: Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))
    log_level: str = "INFO"

    @property
    def path(self) -> str:
        """URL path of the MCP endpoint of this transport."""
        return TRANSPORT_PATHS[self.transport]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read every TRACY_MCP_* variable (and TRACY_CAPTURES_DIR); `overrides` (e.g. CLI flags) win."""
        env = os.environ if env is None else env
        transport = env.get("TRACY_MCP_TRANSPORT", "").strip() or "streamable-http"
        values: dict[str, object] = {
            "transport": transport,
            "host": env.get("TRACY_MCP_HOST", "").strip() or "127.0.0.1",
            "port": _int(env, "TRACY_MCP_PORT", DEFAULT_PORT, minimum=1),
            "token": env.get("TRACY_MCP_TOKEN") or None,
            "allowed_hosts": _list(env, "TRACY_MCP_ALLOWED_HOSTS"),
            "allowed_origins": _list(env, "TRACY_MCP_ALLOWED_ORIGINS"),
            "captures_dir": Path(env["TRACY_CAPTURES_DIR"]).expanduser() if env.get("TRACY_CAPTURES_DIR") else None,
            "max_instances": _int(env, "TRACY_MCP_MAX_INSTANCES", 8, minimum=1),
            "file_idle_ttl_s": _float(env, "TRACY_MCP_FILE_IDLE_TTL_S", 3600.0),
            "disconnected_ttl_s": _float(env, "TRACY_MCP_DISCONNECTED_TTL_S", 1800.0),
            "sweep_interval_s": _float(env, "TRACY_MCP_SWEEP_INTERVAL_S", 60.0) or 60.0,
            "max_loads": _int(env, "TRACY_MCP_MAX_LOADS", 2, minimum=1),
            "load_slot_wait_s": _float(env, "TRACY_MCP_LOAD_SLOT_WAIT_S", 15.0),
            "load_time_limit_s": _float(env, "TRACY_MCP_LOAD_TIME_LIMIT_S", 600.0),
            "eval_time_limit_s": _float(env, "TRACY_MCP_EVAL_TIME_LIMIT_S", 120.0),
            "task_time_limit_s": _float(env, "TRACY_MCP_TASK_TIME_LIMIT_S", 3600.0),
            "eval_max_output_chars": _int(env, "TRACY_MCP_EVAL_MAX_OUTPUT_CHARS", 20_000, minimum=200),
            "eval_max_code_chars": _int(env, "TRACY_MCP_EVAL_MAX_CODE_CHARS", 100_000, minimum=100),
            "live_memory_limit_mb": _int(env, "TRACY_MCP_LIVE_MEMORY_LIMIT_MB", 8192, minimum=1),
            "broadcast_listen_s": _float(env, "TRACY_MCP_BROADCAST_LISTEN_S", 3.5),
            "log_level": (env.get("TRACY_MCP_LOG_LEVEL", "").strip() or "INFO").upper(),
        }
        if env.get("TRACY_MCP_STATE_DIR"):
            values["state_dir"] = Path(env["TRACY_MCP_STATE_DIR"]).expanduser()
        if env.get("TRACY_MCP_LOG_DIR"):
            values["log_dir"] = Path(env["TRACY_MCP_LOG_DIR"]).expanduser()
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["transport"] not in TRANSPORTS:
            raise SettingsError(f"transport {values['transport']!r} is not one of {', '.join(TRANSPORTS)}")
        return cls(**values)  # type: ignore[arg-type]
