"""Reading configuration from the environment, apart from settings to be testable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool, environ=os.environ) -> bool:
    """Read a yes/no variable; anything unrecognised is a configuration error."""
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0 (or true/false), not {raw!r}")


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    """Read a comma-separated list, ignoring blanks around items."""
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, environ=os.environ) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {raw!r}"
        ) from exc


# PostgreSQL's JIT compiler spent 1.31 s of a 1.36 s reorder report compiling a
# query that runs in about 50 ms (the benchmark shop, issue 15); the app's short
# OLTP and report queries never win it back, whatever the server's default.
NO_JIT = "-c jit=off"


def database_config(url: str | None, base_dir: Path, environ=os.environ) -> dict:
    """Django DATABASES['default'] from a DATABASE_URL; SQLite file when unset.

    SQLite runs with IMMEDIATE transactions so writers take the lock when the
    transaction starts and serialize instead of failing half-way; PostgreSQL keeps
    connections open between requests and checks them before reuse, and gives
    every session the time limits of ``database_timeouts`` and JIT off.
    """
    if not url:
        url = f"sqlite:///{base_dir / 'db.sqlite3'}"
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    else:
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(
            filter(
                None,
                [options.get("options", ""), database_timeouts(environ), NO_JIT],
            )
        )
    return config


def database_timeouts(environ=os.environ) -> str:
    """PostgreSQL session settings that keep one stuck request from hanging the
    shop: wait at most JXC_DB_LOCK_TIMEOUT_MS for a row lock and run a statement
    at most JXC_DB_STATEMENT_TIMEOUT_MS (0: no limit). manage.py turns both off
    for commands other than runserver: a migration, a backup or a big month close
    may rightly run for minutes."""
    lock = env_int("JXC_DB_LOCK_TIMEOUT_MS", 5_000, environ)
    statement = env_int("JXC_DB_STATEMENT_TIMEOUT_MS", 30_000, environ)
    for name, value in (
        ("JXC_DB_LOCK_TIMEOUT_MS", lock),
        ("JXC_DB_STATEMENT_TIMEOUT_MS", statement),
    ):
        if value < 0:
            raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}")
    return f"-c lock_timeout={lock} -c statement_timeout={statement}"
