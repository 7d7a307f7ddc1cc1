"""What changed on a record, as the audit trail stores it: {field: [old, new]} with
JSON-ready display values. Pure functions: they read what is loaded and query only
for the label of a related record that changed and is not loaded."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models


@dataclass(frozen=True)
class _Related:
    pk: object
    record: object  # the related record when it is loaded, else None


def plain(field, value):
    """A field's value as the trail stores it; equal values give equal results
    (12.5 and 12.50 in a 2-decimal field are the same price)."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField) and not isinstance(value, bool):
        # A default (0) not yet read back is an int; a value too large to
        # quantize is stored as it is.
        with contextlib.suppress(InvalidOperation, TypeError, ValueError):
            value = Decimal(str(value)).quantize(
                Decimal(1).scaleb(-field.decimal_places)
            )
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(instance, fields) -> dict:
    """The values of ``fields`` on ``instance`` now, to compare after a change.
    Related records count by id; their labels come from what is already loaded."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            record = field.get_cached_value(instance, None)
            values[name] = _Related(getattr(instance, field.attname), record)
        else:
            values[name] = plain(field, field.value_from_object(instance))
    return values


def _related_label(field, related: _Related | None):
    if related is None or related.pk is None:
        return None
    record = related.record
    if record is None:
        record = field.related_model._default_manager.filter(pk=related.pk).first()
    return str(record) if record is not None else str(related.pk)


def changes(before: dict | None, instance, fields) -> dict:
    """{field: [old, new]} for each of ``fields`` whose value differs from
    ``before`` (a snapshot). ``before`` None (a new record): every field that has a
    value, as [None, value]."""
    after = snapshot(instance, fields)
    found = {}
    for name in fields:
        old, new = (before or {}).get(name), after[name]
        if isinstance(new, _Related):
            field = instance._meta.get_field(name)
            if new.record is None and new.pk is not None:
                new = _Related(new.pk, getattr(instance, name))
            if (old.pk if old else None) == new.pk:
                continue
            found[name] = [_related_label(field, old), _related_label(field, new)]
        elif before is None:
            if new not in (None, ""):
                found[name] = [None, new]
        elif old != new:
            found[name] = [old, new]
    return found
