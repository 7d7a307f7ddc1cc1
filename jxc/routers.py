"""Reports on a read replica: reads of report and export pages go to the replica.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and this
router. Only reads made while ``replica_reads()`` is active go to the replica —
the ReplicaReadsMiddleware turns it on for GET requests of the reports pages and
of every export — and even then a read inside a transaction on the primary (a
posting, a select_for_update, anything in ``transaction.atomic``) stays on the
primary, so a posting never decides on data a few seconds old. Every write goes
to the primary; no migration runs on the replica (a streaming standby is read
only and gets the schema from the primary).

Without a replica nothing changes: one database, no extra query on any page.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reads_from_replica: ContextVar[bool] = ContextVar("jxc_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads():
    """Reads inside go to the replica (when there is one), outside a transaction."""
    token = _reads_from_replica.set(True)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


def reading_from_replica() -> bool:
    return (
        _reads_from_replica.get()
        and replica_configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def replica_lag_seconds() -> float:
    """How far the replica's data is behind the primary's, in seconds (0 when it
    has replayed everything the primary wrote). An idle primary writes nothing,
    so the replica's last replay time alone would look old: compare positions
    first."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (primary,) = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn, "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
            [primary],
        )
        caught_up, behind = cursor.fetchone()
    if caught_up or behind is None:
        return 0.0
    return float(behind)


def replica_note(request) -> dict:
    """Context processor: ``replica_behind`` (seconds) when this page read from a
    replica more than JXC_REPLICA_LAG_NOTE_SECONDS behind the primary."""
    if not getattr(request, "reads_replica", False):
        return {}
    behind = replica_lag_seconds()
    if behind <= settings.JXC_REPLICA_LAG_NOTE_SECONDS:
        return {}
    return {"replica_behind": round(behind)}
