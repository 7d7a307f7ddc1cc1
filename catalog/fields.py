"""Searchable customer and supplier pickers.

A plain text input: a clerk types (or scans) a code, a name or its pinyin; with
JavaScript a datalist suggests matches from the options endpoint as they type,
without it the server resolves the text on submit. No page renders every party.
"""

from __future__ import annotations

from django import forms
from django.db.models import Model
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.models import Customer, Supplier
from catalog.pinyin import fold_code
from catalog.selectors import search
from jxc.inputs import searchable

# How many suggestions the options endpoint returns (and how many matches the
# server lists in its "several match" message).
OPTIONS_LIMIT = 20

PICKERS = {
    Customer: ("customer-options", "catalog:customer_options"),
    Supplier: ("supplier-options", "catalog:supplier_options"),
}


def resolve(model: type[Model], text: str, *, active_only: bool = True) -> list:
    """The parties ``text`` names: an exact code wins (a scan), then the
    "code name" a suggestion fills in, then every party whose code, name or
    pinyin contains each word typed (at most OPTIONS_LIMIT + 1)."""
    code = fold_code(text)
    if not code or not searchable(code):
        return []
    parties = model.objects.all()
    if active_only:
        parties = parties.filter(is_active=True)
    # lower(code) is what the unique index holds (code__iexact would use upper).
    parties = parties.alias(code_lower=Lower("code"))
    exact = parties.filter(code_lower=code.lower()).first()
    if exact is not None:
        return [exact]
    first, _space, rest = code.partition(" ")
    if rest:
        chosen = parties.filter(code_lower=first.lower()).first()
        if chosen is not None and chosen.name.strip() == rest.strip():
            return [chosen]
    return list(search(parties, code).order_by("code")[: OPTIONS_LIMIT + 1])


class PickerInput(forms.TextInput):
    """A text input with its own (empty) datalist, filled as the clerk types."""

    def __init__(self, model, attrs=None):
        self.list_id, self.url_name = PICKERS[model]
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "list": self.list_id,
                "autocomplete": "off",
                "data-options-url": reverse(self.url_name),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', html, self.list_id)


class PartyField(forms.CharField):
    """A customer or supplier typed as code, name or pinyin; resolves to one."""

    def __init__(self, *, model, active_only=True, **kwargs):
        self.model = model
        self.active_only = active_only
        kwargs.setdefault("max_length", 140)
        kwargs.setdefault("widget", PickerInput(model))
        kwargs.setdefault("help_text", _("Type a code, a name or its pinyin initials."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, self.model):
            return str(value)
        if isinstance(value, int):
            party = self.model.objects.filter(pk=value).first()
            return str(party) if party else ""
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if isinstance(value, self.model):
            return value
        if not text:
            return None
        matches = resolve(self.model, text, active_only=self.active_only)
        kind = self.model._meta.verbose_name
        if not matches:
            raise forms.ValidationError(
                _("No %(kind)s matches “%(text)s”."),
                code="no_match",
                params={"kind": kind, "text": text},
            )
        if len(matches) > 1:
            shown = ", ".join(str(p) for p in matches[:5])
            raise forms.ValidationError(
                _(
                    "Several %(kinds)s match “%(text)s” (%(shown)s…): pick one from "
                    "the suggestions or type its code."
                ),
                code="several",
                params={
                    "kinds": self.model._meta.verbose_name_plural,
                    "text": text,
                    "shown": shown,
                },
            )
        return matches[0]

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], "required")

    def run_validators(self, value):
        return None

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        return value
