"""System checks of the deployment that Django's own do not cover."""

from django.core.checks import Warning, register
from django.db import DatabaseError, connection


@register(deploy=True)
def postgresql_autovacuum(app_configs=None, **kwargs):
    """Warn when the PostgreSQL server runs with autovacuum off.

    Without it the ledger's tables are never analyzed after they grow: the
    planner keeps the statistics of an empty shop and picks nested loops over a
    million moves, and dead rows of the busy balance table are never cleaned.
    """
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            value = cursor.fetchone()[0]
    except DatabaseError:
        return []  # no database to ask: Django's own checks report that
    if value == "on":
        return []
    return [
        Warning(
            "The PostgreSQL server runs with autovacuum off.",
            hint=(
                "Set autovacuum = on in postgresql.conf (the default) and reload "
                "the server; otherwise run VACUUM ANALYZE every night from cron. "
                "Without either, statistics go stale as the ledger grows and "
                "reports slow down by orders of magnitude."
            ),
            id="jxc.W001",
        )
    ]
