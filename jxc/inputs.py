"""What the shop accepts as typed input, for forms, selectors and services alike:
no control characters, lookups no longer than anything stored, and the message for
a form that came back out of date. Imports no app and no form."""

import re

from django.core.exceptions import ValidationError
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
