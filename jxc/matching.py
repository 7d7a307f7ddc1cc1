"""Checks that compare codes and names the way a shop reads them (kernel; imports
no app): barcode check digits, and names that are the same words in another
order or spacing."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

GTIN_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (the digits before it): weights 3 and 1
    from the right."""
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1)
        for index, digit in enumerate(reversed(body))
    )
    return (10 - total % 10) % 10


def barcode_too_long(code: str) -> str | None:
    """A barcode of only digits longer than any GS1 number (14) is a mistake, most
    often two codes typed into one cell."""
    if code.isascii() and code.isdigit() and len(code) > 14:
        return _("%(length)d digits: a barcode has at most 14") % {"length": len(code)}
    return None


def barcode_check_problem(code: str) -> str | None:
    """For a barcode of 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14):
    the problem when its last digit is not its check digit. Codes of other
    lengths or with letters (a shop's own codes) are not checked."""
    if not (code.isascii() and code.isdigit()) or len(code) not in GTIN_LENGTHS:
        return None
    expected = gtin_check_digit(code[:-1])
    if int(code[-1]) == expected:
        return None
    return _(
        "the check digit of this %(kind)s barcode should be %(expected)d, not "
        "%(found)s: a digit is probably mistyped"
    ) % {"kind": GTIN_LENGTHS[len(code)], "expected": expected, "found": code[-1]}


def name_key(name: str) -> str:
    """A name reduced to what it is made of: width and case folded, spaces and
    punctuation dropped, characters sorted — so 红富士苹果, 苹果 红富士 and
    苹果（红富士） give one key."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    kept = [
        char
        for char in folded
        if not (unicodedata.category(char)[0] in "PZSC" or char.isspace())
    ]
    return "".join(sorted(kept))
