"""The database time limits of web requests, as read from the environment (the
limits at work on a live PostgreSQL session: test_database_faults.py)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jxc.conf import database_config, database_timeouts

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://jxc@127.0.0.1:5432/jxc"


def test_postgres_sessions_get_five_second_lock_and_thirty_second_statement_limits():
    config = database_config(POSTGRES, BASE_DIR, {})
    assert config["OPTIONS"]["options"] == (
        "-c lock_timeout=5000 -c statement_timeout=30000 -c jit=off"
    )


def test_the_limits_follow_the_environment_and_zero_turns_them_off():
    environ = {"JXC_DB_LOCK_TIMEOUT_MS": "800", "JXC_DB_STATEMENT_TIMEOUT_MS": "0"}
    assert database_timeouts(environ) == "-c lock_timeout=800 -c statement_timeout=0"


def test_options_already_in_the_database_url_are_kept():
    config = database_config(
        POSTGRES + "?options=-c%20search_path%3Dshop", BASE_DIR, {}
    )
    options = config["OPTIONS"]["options"]
    assert options.startswith("-c search_path=shop ")
    assert options.endswith(
        "-c lock_timeout=5000 -c statement_timeout=30000 -c jit=off"
    )


@pytest.mark.parametrize("value", ["-1", "5s", "ten"])
def test_a_limit_that_is_not_a_whole_number_of_milliseconds_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="JXC_DB_STATEMENT_TIMEOUT_MS"):
        database_timeouts({"JXC_DB_STATEMENT_TIMEOUT_MS": value})


def test_sqlite_has_no_session_limits_only_its_lock_wait():
    config = database_config(None, BASE_DIR, {"JXC_DB_STATEMENT_TIMEOUT_MS": "100"})
    assert "options" not in config["OPTIONS"]
    assert config["OPTIONS"]["timeout"] == 20


@pytest.mark.django_db
def test_app_sessions_on_postgresql_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
