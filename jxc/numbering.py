"""Readable document numbers, handed out race-free and gap-free: two clerks saving
at the same instant never get the same number, and a posting that is refused or
rolled back uses none.

The rule (docs/benchmarks.md, "Issue 15 — posting"): a posting inserts its
document under a placeholder that cannot collide (``~`` and a random hex; real
numbers never start with ``~``) and takes the real number from the day's counter
in one statement just before its outermost transaction commits, then writes the
number into the document, its stock moves and its audit entries. The counter row
is locked from that statement to the commit only, not for the whole posting, so
postings of one kind no longer commit one at a time.
"""

import uuid

from django.apps import apps
from django.db import connection
from django.utils import timezone

from jxc.models import DocumentCounter

PLACEHOLDER = "~"
# The ledger tables (app_label.Model) whose rows carry a document's number
# (source_type, source_id, source_number): numbers_take writes the real number
# into them. An app not installed is skipped.
LEDGERS = ("inventory.StockMove", "finance.MoneyEntry", "finance.OpenItem")


def _counter_next(cursor, prefix: str, day) -> str:
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last",
        [prefix, day],
    )
    last = cursor.fetchone()[0]
    return f"{prefix}-{day:%Y%m%d}-{last:03d}"


def document_number_next(*, prefix: str, day=None) -> str:
    """The next number for ``prefix`` on ``day`` (local date), e.g. ADJ-20261126-003,
    taken now: the counter row stays locked until the transaction ends. Postings
    use ``document_number_later``."""
    day = day or timezone.localdate()
    with connection.cursor() as cursor:
        return _counter_next(cursor, prefix, day)


# --- numbers taken just before commit -------------------------------------------


def _pending() -> list | None:
    """The documents waiting for their number in the running outermost posting,
    None outside a posting."""
    return getattr(connection, "jxc_numbers_pending", None)


def document_number_later(document, *, prefix: str, day=None) -> str:
    """Give the unsaved ``document`` a placeholder number; its real number (``prefix``
    on ``day``) is taken when the outermost posting is about to commit
    (``numbers_take``). Outside a posting the number is taken at once."""
    day = day or timezone.localdate()
    pending = _pending()
    if pending is None:
        document.number = document_number_next(prefix=prefix, day=day)
        return document.number
    document.number = f"{PLACEHOLDER}{uuid.uuid4().hex}"
    pending.append(_Pending(document, prefix, day, document.number))
    return document.number


class _Pending:
    __slots__ = ("day", "document", "number", "placeholder", "prefix")

    def __init__(self, document, prefix, day, placeholder):
        self.document, self.prefix, self.day = document, prefix, day
        self.placeholder, self.number = placeholder, None


def audit_entry_deferred(entry) -> bool:
    """An audit entry about to be saved in a posting that names a document still
    waiting for its number: kept back (True) and inserted with the number, in one
    INSERT with the posting's other such entries, when the numbers are taken."""
    pending = _pending()
    if not pending:
        return False
    text = f"{entry.object_label}\n{entry.summary}"
    if PLACEHOLDER not in text or not any(p.placeholder in text for p in pending):
        return False
    connection.jxc_audit_pending.append(entry)
    return True


def numbers_take(pending: list) -> None:
    """Number every document of ``pending`` (in prefix order, so two postings lock
    counters in the same order): one upsert … RETURNING on the day's counter, then
    the number into the document and its ledger rows (LEDGERS); then the audit
    entries kept back for the number, in one INSERT."""
    from django.contrib.contenttypes.models import ContentType

    # By app label, not by import: the kernel imports no app (jxc/__init__.py).
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ledgers = [
        connection.ops.quote_name(apps.get_model(*label.split("."))._meta.db_table)
        for label in LEDGERS
        if apps.is_installed(label.split(".")[0])
    ]
    counters = connection.ops.quote_name(DocumentCounter._meta.db_table)
    items = [item for item in pending if item.document.pk is not None]
    items.sort(key=lambda item: (item.prefix, item.day))
    where_moves = "source_type_id = %s AND source_id = %s AND source_number = %s"
    with connection.cursor() as cursor:
        for item in items:
            document = item.document
            table = connection.ops.quote_name(document._meta.db_table)
            moves_params = [
                ContentType.objects.get_for_model(document).pk,
                document.pk,
                item.placeholder,
            ]
            if connection.vendor == "postgresql":
                # One round trip: the counter, the document, its ledger rows.
                rows = "".join(
                    f", m{index} AS (UPDATE {ledger} SET "  # noqa: S608
                    f"source_number = d.number FROM d WHERE {where_moves})"
                    for index, ledger in enumerate(ledgers)
                )
                cursor.execute(
                    "WITH c AS ("  # noqa: S608
                    f"INSERT INTO {counters} (prefix, day, last) VALUES (%s, %s, 1) "
                    f"ON CONFLICT (prefix, day) DO UPDATE SET last = {counters}.last "
                    "+ 1 RETURNING last), "
                    f"d AS (UPDATE {table} SET number = %s || CASE WHEN c.last < "
                    "1000 THEN lpad(c.last::text, 3, '0') ELSE c.last::text END "
                    f"FROM c WHERE id = %s RETURNING number){rows} "
                    "SELECT number FROM d",
                    [
                        item.prefix,
                        item.day,
                        f"{item.prefix}-{item.day:%Y%m%d}-",
                        document.pk,
                        *(moves_params * len(ledgers)),
                    ],
                )
                number = cursor.fetchone()[0]
            else:
                number = _counter_next(cursor, item.prefix, item.day)
                cursor.execute(
                    f"UPDATE {table} SET number = %s WHERE id = %s",  # noqa: S608
                    [number, document.pk],
                )
                for ledger in ledgers:
                    cursor.execute(
                        f"UPDATE {ledger} SET source_number = %s "  # noqa: S608
                        f"WHERE {where_moves}",
                        [number, *moves_params],
                    )
            document.number = number
            item.number = number
    entries = getattr(connection, "jxc_audit_pending", [])
    if entries:
        for entry in entries:
            for item in items:
                entry.object_label = entry.object_label.replace(
                    item.placeholder, item.number
                )
                entry.summary = entry.summary.replace(item.placeholder, item.number)
        AuditEntry.objects.bulk_create(entries)
