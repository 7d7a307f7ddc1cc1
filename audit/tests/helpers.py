"""Reading the audit trail in tests."""

from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry


def trail(record=None, *, model=None, object_id=None) -> list[AuditEntry]:
    """The entries about one record, oldest first."""
    if record is not None:
        model, object_id = record._meta.model, record.pk
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=object_id
        ).order_by("at", "pk")
    )


def last(record) -> AuditEntry:
    entries = trail(record)
    assert entries, f"no audit entry for {record!r}"
    return entries[-1]


def actions(record) -> list[str]:
    return [entry.action for entry in trail(record)]
