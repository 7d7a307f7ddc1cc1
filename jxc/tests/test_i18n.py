import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.django_db
def test_interface_is_chinese_by_default_even_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_shows_english_and_back(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True
    )
    html = response.content.decode()
    assert "Sign in" in html
    assert "登录" not in html
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, follow=True
    )
    assert "登录" in response.content.decode()


def parse_po(path: Path, with_context: bool = False) -> list[tuple]:
    """(msgid, msgstr, fuzzy) for each entry of a .po file, header excluded; with
    ``with_context``, (msgctxt or None, msgid, msgstr, fuzzy)."""
    entries, fuzzy = [], False
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block
        ids = re.findall(r'^msgid "(.*)"$\n((?:^".*"$\n?)*)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[0\])? "(.*)"$\n?((?:^".*"$\n?)*)', block, re.M)
        if not ids:
            continue
        msgid = ids[0][0] + "".join(re.findall(r'^"(.*)"$', ids[0][1], re.M))
        msgstr = strs[0][0] + "".join(re.findall(r'^"(.*)"$', strs[0][1], re.M))
        context = re.findall(r'^msgctxt "(.*)"$', block, re.M)
        if msgid and with_context:
            entries.append((context[0] if context else None, msgid, msgstr, fuzzy))
        elif msgid:
            entries.append((msgid, msgstr, fuzzy))
    return entries


def test_chinese_catalogue_translates_every_string():
    entries = parse_po(LOCALE / "django.po")
    assert len(entries) > 50
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert missing == []


def test_compiled_catalogue_is_up_to_date():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for context, msgid, _msgstr, _fuzzy in parse_po(
            LOCALE / "django.po", with_context=True
        )
        if "\\" not in msgid
        and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid))
        == msgid
    ]
    assert stale == [], "run `make messages` and commit the .mo file"
