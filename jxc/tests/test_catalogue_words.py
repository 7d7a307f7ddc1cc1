"""The Chinese catalogue reads as written: no doubled words, neither in a
translation itself nor once a status name is put into it ("已" + "已作废")."""

import re

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from jxc.tests.test_i18n import LOCALE, parse_po

# Function words that are never right twice in a row in the shop's texts.
NEVER_TWICE = "已的了是在把被将和或"
DOUBLED_CHINESE = re.compile(f"([{NEVER_TWICE}])\\1")
DOUBLED_ENGLISH = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue():
    return [(msgid, msgstr) for msgid, msgstr, _fuzzy in parse_po(LOCALE / "django.po")]


def status_labels() -> set[str]:
    """Every status (and kind) name a message may put in, in Chinese."""
    labels = set()
    with translation.override("zh-hans"):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField) and field.choices:
                    labels |= {str(label) for _value, label in field.flatchoices}
    return labels


def test_no_translation_doubles_a_word():
    doubled = [
        (msgid, msgstr)
        for msgid, msgstr in catalogue()
        if DOUBLED_CHINESE.search(msgstr) or DOUBLED_ENGLISH.search(msgid)
    ]
    assert doubled == []


@pytest.mark.parametrize("name", ["status", "kind", "action"])
def test_no_translation_doubles_a_word_once_a_choice_is_put_in(name):
    """ "%(number)s 已%(status)s" made "PO-… 已已作废": the status names already
    say 已."""
    labels = status_labels()
    placeholder = f"%({name})s"
    doubled = []
    for msgid, msgstr in catalogue():
        if placeholder not in msgstr:
            continue
        for label in labels:
            shown = msgstr.replace(placeholder, label)
            if DOUBLED_CHINESE.search(PLACEHOLDER.sub("", shown)):
                doubled.append((msgid, shown))
    assert doubled == []
