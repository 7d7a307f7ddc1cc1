"""List filters every app's lists share (django-filter): Bootstrap styling, typed
text that cannot be looked up, and the document filter (number, date range, the
party). Kernel module: imports no app."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from jxc.inputs import searchable
from jxc.widgets import DateInput


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every filter field; a text filter that cannot be
    looked up (too long, control characters) finds nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select" if is_select else "form-control"
            )

    def filter_queryset(self, queryset):
        typed = self.form.cleaned_data.values()
        if any(isinstance(v, str) and not searchable(v) for v in typed):
            return queryset.none()
        return super().filter_queryset(queryset)


class DocumentFilter(StyledFilterSet):
    """Number search and a date range, for every app's document lists; each app
    adds its party filter (supplier or customer) and names it in ``party``, and
    says which date field to use."""

    q = django_filters.CharFilter(
        label=_("Number"), field_name="number", lookup_expr="icontains"
    )
    start = django_filters.DateFilter(
        label=_("From"), method="filter_start", widget=DateInput()
    )
    end = django_filters.DateFilter(
        label=_("To"), method="filter_end", widget=DateInput()
    )
    date_field = "occurred_at__date"
    party = ""

    def filter_queryset(self, queryset):
        # A party typed that names none (or several) finds nothing, rather than
        # quietly listing every document.
        if self.party and self.form.errors.get(self.party):
            widget = self.form.fields[self.party].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
            return queryset.none()
        return super().filter_queryset(queryset)

    def filter_start(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_end(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})
