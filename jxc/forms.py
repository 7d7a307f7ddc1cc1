"""Forms every app shares, and the input rules every form of the shop applies."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters (NUL among them) and the non-characters U+FFFE and
# U+FFFF: no keyboard or scanner types them, PostgreSQL refuses NUL and Excel
# files cannot hold them. Tab, line feed and carriage return are ordinary typing.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def has_control_characters(text: str | None) -> bool:
    """True for text no keyboard types: a lookup with it can match nothing stored
    (forms refuse it) and PostgreSQL refuses NUL in a query."""
    return bool(text and CONTROL_CHARACTERS.search(text))


# Longer than any code or name the shop keeps (names: 200): a search for more can
# match nothing, and SQLite refuses a LIKE pattern over 50,000 bytes or a query of
# a thousand words.
SEARCH_LIMIT = 200


def searchable(text: str | None) -> bool:
    """Whether typed ``text`` can be looked up at all: not longer than anything
    stored, and free of control characters (PostgreSQL refuses NUL in a query)."""
    return len(text or "") <= SEARCH_LIMIT and not has_control_characters(text)


def refuse_control_characters(value) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(
            _(
                "This text contains invalid characters (control characters such as "
                "NUL). Remove them and type it again."
            ),
            code="control_characters",
        )


# A hidden field (token, version) or a formset's line count that came back wrong:
# the page was changed, or is too old to post.
OUT_OF_DATE = _(
    "This form is out of date or incomplete. Reload the page and enter it again."
)


class InputRulesMixin:
    """Mixed into every form of the shop, before Django's form class.

    - Text fields refuse control characters with one clear message (instead of
      Django's NUL-only check, or a database error further on).
    - A hidden field (a submission token, a version) that comes back missing or
      garbled is shown as a message on the form: its own error has nowhere to show.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [refuse_control_characters]

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        if any(self[name].is_hidden for name in self._errors if name in self.fields):
            self.add_error(None, OUT_OF_DATE)


class ReasonForm(InputRulesMixin, forms.Form):
    """Why a document is cancelled, closed or abandoned (required, at most 200)."""

    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)
