import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jxc.conf import database_config, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_database_config_defaults_to_sqlite_file_with_immediate_transactions(tmp_path):
    config = database_config(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_config_reads_postgres_url(tmp_path):
    config = database_config("postgres://shop:secret@db.local:5433/jxc", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        "jxc",
        "shop",
        "secret",
    )
    assert (config["HOST"], config["PORT"]) == ("db.local", 5433)
    assert config["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in config.get("OPTIONS", {})


def test_env_bool_accepts_common_words_and_refuses_others():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(ImproperlyConfigured, match="X must be"):
        env_bool("X", False, {"X": "maybe"})


def test_env_list_and_int():
    assert env_list("H", [], {"H": " shop.example , ,10.0.0.2"}) == [
        "shop.example",
        "10.0.0.2",
    ]
    assert env_int("N", 5, {"N": ""}) == 5
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 5, {"N": "five"})


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jxc.settings'; "
        "django.setup()",
        DJANGO_DEBUG="0",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_debug_off_turns_on_https_protection_unless_disabled():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='jxc.settings'; "
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0)"
    )
    on = run_python(code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60)
    assert on.stdout.split() == ["True", "True", "True"], on.stderr
    off = run_python(
        code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60, DJANGO_HTTPS="0"
    )
    assert off.stdout.split() == ["False", "False", "False"], off.stderr


def test_check_deploy_reports_no_issues_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            # The settings alone: the database server's own state (autovacuum,
            # jxc.W001) is test_checks.py's business.
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("DJANGO_") and k != "DATABASE_URL"
            },
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x9Qz" * 12,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
