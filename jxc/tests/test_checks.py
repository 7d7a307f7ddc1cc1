"""Deployment checks of our own (manage.py check --deploy)."""

import pytest
from django.db import connection

from jxc.checks import postgresql_autovacuum

pytestmark = pytest.mark.django_db


def test_autovacuum_off_is_a_deploy_warning_and_on_is_not():
    if connection.vendor != "postgresql":
        assert postgresql_autovacuum() == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        server = cursor.fetchone()[0]
    warnings = postgresql_autovacuum()
    if server == "on":
        assert warnings == []
    else:
        [warning] = warnings
        assert warning.id == "jxc.W001"
        assert "autovacuum" in warning.msg
        assert "VACUUM ANALYZE" in warning.hint
