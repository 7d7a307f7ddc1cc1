"""The audit trail's only writer. Every app's services call these inside their own
transaction: a write that rolls back leaves no entry, one that commits always has
its entry. One INSERT per call; imports write all their entries in one bulk insert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.models import Action, AuditEntry
from jxc.numbering import audit_entry_deferred

__all__ = [
    "Action",
    "audit_entry",
    "audit_record",
    "audit_record_many",
    "changes",
    "export_record",
    "snapshot",
]

BATCH = 1000
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LABEL_LENGTH = AuditEntry._meta.get_field("object_label").max_length
SUMMARY_LENGTH = AuditEntry._meta.get_field("summary").max_length


def label_of(record) -> str:
    """How an entry names a record: its number (documents), else its text (a
    product's SKU and name, a supplier's code and name...)."""
    return str(getattr(record, "number", "") or record)


def audit_entry(
    *,
    user,
    action: str,
    record=None,
    model=None,
    object_id: int | None = None,
    label: str | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """An entry, not yet saved, about ``record`` (or ``model`` + ``object_id``, for a
    record that no longer exists; neither: about no single record, named by
    ``label`` alone). ``user`` None: a command or the system."""
    if record is not None:
        model, object_id = record._meta.model, record.pk
        if label is None:
            label = label_of(record)
    return AuditEntry(
        at=timezone.now(),
        user_id=getattr(user, "pk", None),
        action=action,
        # Cached per process after the first lookup: no query on a posting.
        content_type=ContentType.objects.get_for_model(model) if model else None,
        object_id=object_id,
        object_label=(label or "")[:LABEL_LENGTH],
        summary=(summary or "")[:SUMMARY_LENGTH],
        changes=changes or {},
    )


def audit_record(**kwargs) -> AuditEntry:
    """Write one entry (one INSERT). Arguments as for ``audit_entry``."""
    entry = audit_entry(**kwargs)
    entry.save()
    return entry


def audit_record_many(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Write entries made by ``audit_entry`` in one bulk insert (per 1,000)."""
    entries = list(entries)
    if not entries:
        return []
    # Entries naming a document still waiting for its number are saved with it.
    now = [entry for entry in entries if not audit_entry_deferred(entry)]
    if now:
        AuditEntry.objects.bulk_create(now, batch_size=BATCH)
    return entries


def export_record(*, user, name: str, path: str, filters: list[tuple[str, str]]):
    """Put an export into the trail: ``user`` downloaded the file ``name`` from
    ``path`` with the query's ``filters`` ((name, value) pairs)."""
    shown = "; ".join(f"{key}={value}" for key, value in filters)
    # A query string may carry anything, NUL too, which PostgreSQL cannot store.
    shown, name = CONTROL.sub("\N{REPLACEMENT CHARACTER}", shown), CONTROL.sub("", name)
    summary = (
        _("Filters: %(filters)s (%(page)s)") % {"filters": shown, "page": path}
        if shown
        else _("No filters (%(page)s)") % {"page": path}
    )
    return audit_record(user=user, action=Action.EXPORT, label=name, summary=summary)
