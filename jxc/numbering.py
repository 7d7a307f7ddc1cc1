"""Readable document numbers, handed out race-free: two clerks saving at the same
instant never get the same number."""

from django.db import connection
from django.utils import timezone

from jxc.models import DocumentCounter


def document_number_next(*, prefix: str, day=None) -> str:
    """The next number for ``prefix`` on ``day`` (local date), e.g. ADJ-20261126-003.

    One statement (PostgreSQL and SQLite ≥ 3.35 both have upsert with RETURNING):
    the day's counter row is created at 1 or incremented in place. Its row lock is
    held until the transaction ends, so numbers have no gaps and no duplicates; it
    is also why documents of one kind commit one at a time (see
    docs/benchmarks.md).
    """
    day = day or timezone.localdate()
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [prefix, day],
        )
        last = cursor.fetchone()[0]
    return f"{prefix}-{day:%Y%m%d}-{last:03d}"
