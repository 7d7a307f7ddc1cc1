"""Readable document numbers, handed out race-free: two clerks saving at the same
instant never get the same number."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jxc.models import DocumentCounter


@transaction.atomic
def document_number_next(*, prefix: str, day=None) -> str:
    """The next number for ``prefix`` on ``day`` (local date), e.g. ADJ-20261126-003.

    The counter row is created if missing (ignoring a concurrent creation), then
    incremented in place; the UPDATE holds the row lock until the transaction ends.
    """
    day = day or timezone.localdate()
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(prefix=prefix, day=day)], ignore_conflicts=True
    )
    DocumentCounter.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1)
    last = DocumentCounter.objects.get(prefix=prefix, day=day).last
    return f"{prefix}-{day:%Y%m%d}-{last:03d}"
