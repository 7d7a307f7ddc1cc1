"""The log page's filters (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit import records
from audit.models import Action, AuditEntry
from jxc.inputs import searchable
from jxc.widgets import DateInput


class AuditFilter(django_filters.FilterSet):
    """By text (record, summary, user), user, action, record kind, one record and
    dates (the shop's local days)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    user = django_filters.ModelChoiceFilter(
        label=_("User"),
        queryset=get_user_model().objects.order_by("username"),
        empty_label=_("All users"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=Action.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Record type"),
        choices=records.record_choices,
        method="filter_kind",
        empty_label=_("All"),
    )
    record = django_filters.NumberFilter(
        field_name="object_id", widget=forms.HiddenInput
    )
    start = django_filters.DateFilter(
        label=_("From"), field_name="at__date", lookup_expr="gte", widget=DateInput()
    )
    end = django_filters.DateFilter(
        label=_("To"), field_name="at__date", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "user", "action", "kind", "start", "end", "record"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select" if is_select else "form-control"
            )

    def filter_text(self, queryset, name, value):
        if not searchable(value):
            return queryset.none()
        for word in value.split():
            queryset = queryset.filter(
                Q(object_label__icontains=word)
                | Q(summary__icontains=word)
                | Q(user__username__icontains=word)
                | Q(user__first_name__icontains=word)
            )
        return queryset

    def filter_kind(self, queryset, name, value):
        app_label, model = value.split(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type)
