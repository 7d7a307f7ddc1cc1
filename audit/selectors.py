"""Reads of the audit trail, in a fixed number of queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from audit.models import AuditEntry

HISTORY_SIZE = 20


def entry_list() -> QuerySet:
    """Every entry, newest first, with its user and record type joined."""
    return AuditEntry.objects.select_related("user", "content_type")


def record_history(model, object_id: int | None, limit: int = HISTORY_SIZE) -> list:
    """The latest ``limit`` entries about one record (None: any record of the
    model), newest first."""
    entries = entry_list().filter(content_type=ContentType.objects.get_for_model(model))
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    return list(entries[:limit])
