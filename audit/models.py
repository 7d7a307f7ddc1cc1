from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jxc.models import AppendOnly


class Action(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "Created")
    CHANGE = "change", pgettext_lazy("audit action", "Changed")
    DELETE = "delete", pgettext_lazy("audit action", "Deleted")
    CONFIRM = "confirm", pgettext_lazy("audit action", "Confirmed")
    POST = "post", pgettext_lazy("audit action", "Posted")
    CANCEL = "cancel", pgettext_lazy("audit action", "Cancelled")
    CLOSE = "close", pgettext_lazy("audit action", "Closed")
    REOPEN = "reopen", pgettext_lazy("audit action", "Reopened")
    PASSWORD = "password", pgettext_lazy("audit action", "Password set")
    SIGN_IN = "sign_in", pgettext_lazy("audit action", "Signed in")
    SIGN_IN_FAILED = "sign_in_failed", pgettext_lazy("audit action", "Sign-in failed")
    LOCK = "lock", pgettext_lazy("audit action", "Locked")
    UNLOCK = "unlock", pgettext_lazy("audit action", "Unlocked")
    EXPORT = "export", pgettext_lazy("audit action", "Exported")
    API = "api", pgettext_lazy("audit action", "API call")


# Facts an entry records that are no field of the record itself.
EXTRA_LABELS = {
    "lines": _("lines"),
    "role": _("role"),
    "price_approved_by": _("price approved by"),
}


class AuditEntry(AppendOnly):
    """One thing someone did to one record. Append-only: never changed or deleted.

    The record is named by content type and id (no foreign key: the entry outlives
    a deleted record) and by its label (number, SKU, name) as it was then. An
    entry about no single record (a failed sign-in under an unknown name, a locked
    address, an export) has no content type and id, only its label.
    ``changes`` holds {field: [old, new]} with display values.
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("record type"),
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    object_label = models.CharField(_("record"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )

    append_only_message = "The audit trail is append-only."

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        # Only "view": no permission to add, change or delete entries exists.
        default_permissions = ("view",)
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-at"], name="audit_record_idx"
            ),
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["user", "-at"], name="audit_user_idx"),
        ]

    def save(self, *args, **kwargs):
        # Naming a document still waiting for its number: saved with the number,
        # just before the posting commits (jxc.numbering).
        from jxc.numbering import audit_entry_deferred

        if self._state.adding and audit_entry_deferred(self):
            return
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    @property
    def record_type(self):
        """The record's kind in the reader's language (its model's verbose name);
        "" for an entry about no single record."""
        if self.content_type is None:
            return ""
        model = self.content_type.model_class()
        return model._meta.verbose_name if model else self.content_type.model

    @property
    def label(self):
        return self.object_label or self.record_type

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) in the reader's language: choices by their label,
        yes/no for flags; empty values as None."""
        model = self.content_type.model_class() if self.content_type else None
        rows = []
        for name, (old, new) in (self.changes or {}).items():
            label, choices = name, {}
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None and field.concrete:
                label = field.verbose_name
                choices = dict(field.flatchoices or [])
            elif name in EXTRA_LABELS:
                label = EXTRA_LABELS[name]
            rows.append((label, _shown(old, choices), _shown(new, choices)))
        return rows


def _shown(value, choices):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if choices and value in choices:
        return choices[value]
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
