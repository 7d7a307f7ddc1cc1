"""The guide's pages, the help link on every screen, and the pictures they show."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guide.sections import BY_SLUG, HELP, PAGES, help_target, help_url
from guide.views import page_template
from jxc.tests.fuzz import routes

pytestmark = pytest.mark.django_db

GUIDE_URLS = [reverse("guide:index")] + [
    reverse("guide:page", args=[page.slug]) for page in PAGES
]
IMAGE = re.compile(r'<img src="/static/guide/([\w-]+\.png)"')


@pytest.mark.parametrize("url", GUIDE_URLS)
@pytest.mark.parametrize("who", ["owner_client", "staff_client"])
def test_every_guide_page_opens_for_the_owner_and_a_clerk(request, who, url):
    response = request.getfixturevalue(who).get(url)

    assert response.status_code == 200
    assert 'id="help-link"' in response.text


def test_a_guide_page_needs_a_sign_in(client):
    response = client.get(reverse("guide:page", args=["cashier"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_guide_page_that_does_not_exist_is_not_found(owner_client):
    assert owner_client.get("/guide/no-such-job/").status_code == 404


def test_the_index_lists_every_page_in_order(owner_client):
    text = owner_client.get(reverse("guide:index")).text

    links = re.findall(r'href="/guide/([\w-]+)/"', text)
    assert links == [page.slug for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_every_picture_a_page_shows_exists(owner_client, page):
    text = owner_client.get(reverse("guide:page", args=[page.slug])).text

    pictures = IMAGE.findall(text)
    assert pictures, "every job's page shows its screens"
    for name in pictures:
        assert finders.find(f"guide/{name}"), name
    # Width and height from the file, so the text does not jump as pictures load.
    assert not re.search(r'<img[^>]* width=""', text)


def test_every_picture_in_the_folder_is_shown_somewhere(owner_client):
    shown = set()
    for page in PAGES:
        shown |= set(IMAGE.findall(owner_client.get(f"/guide/{page.slug}/").text))
    folder = finders.find("guide")

    assert {path.name for path in Path(folder).glob("*.png")} == shown


def test_the_pictures_stay_small():
    total = sum(path.stat().st_size for path in Path(finders.find("guide")).glob("*"))
    assert total < 3_000_000


def test_every_anchor_a_help_link_may_open_is_on_its_page(owner_client):
    for page in PAGES:
        text = owner_client.get(reverse("guide:page", args=[page.slug])).text
        ids = set(re.findall(r'\bid="([\w-]+)"', text))
        assert set(page.anchors) <= ids, page.slug
    for _pattern, slug, anchor in HELP:
        assert anchor in BY_SLUG[slug].anchors


def test_every_screen_s_help_link_opens_an_existing_section(owner_client):
    """Every URL of the shop (each help link is computed from its URL name) leads
    to the guide's index or to a page with that anchor."""
    pages = {}
    for route in routes():
        url = urlsplit(help_url(route.name))
        if url.path not in pages:
            response = owner_client.get(url.path)
            assert response.status_code == 200, url.path
            pages[url.path] = set(re.findall(r'\bid="([\w-]+)"', response.text))
        if url.fragment:
            assert url.fragment in pages[url.path], (route.name, url.geturl())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/counter/", "/guide/cashier/#sell"),
        ("/purchasing/orders/new/", "/guide/receiving/#order"),
        ("/sales/orders/new/", "/guide/shipping/#order"),
        ("/inventory/stocktakes/", "/guide/stocktake/#count"),
        ("/reports/month-close/", "/guide/month-end/#close"),
        ("/inventory/opening/", "/guide/import/#opening"),
        ("/reports/reorder/", "/guide/reorder/#suggestions"),
        ("/reports/summary/", "/guide/reports/#summary"),
        ("/", "/guide/reports/#dashboard"),
        ("/finance/profit/", "/guide/"),
        ("/guide/cashier/", "/guide/"),
    ],
)
def test_a_screen_s_help_link_opens_its_section(owner_client, url, expected):
    text = owner_client.get(url).text

    assert re.search(rf'href="{re.escape(expected)}" id="help-link"', text)


def test_a_screen_without_a_section_links_to_the_index():
    assert help_target("finance:profit") is None
    assert help_url("finance:profit") == "/guide/"
    assert help_url(None) == "/guide/"


def test_the_help_link_is_not_shown_to_someone_not_signed_in(client):
    assert 'id="help-link"' not in client.get("/login/").text


def test_a_language_without_its_own_text_shows_the_chinese_and_says_so(owner_client):
    with translation.override("fr"):
        assert page_template("cashier").template.name == (
            "guide/pages/zh_hans/cashier.html"
        )
    with translation.override("en"):
        response = owner_client.get("/guide/cashier/", HTTP_ACCEPT_LANGUAGE="en")
        assert page_template("cashier").template.name == "guide/pages/en/cashier.html"
    assert 'id="guide-untranslated"' not in response.text


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_the_english_page_has_the_same_sections_and_pictures(owner_client, page):
    url = reverse("guide:page", args=[page.slug])
    chinese = owner_client.get(url).text
    owner_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = owner_client.get(url).text

    assert 'lang="en"' in english
    assert 'id="guide-untranslated"' not in english
    assert IMAGE.findall(english) == IMAGE.findall(chinese)
    headings = re.compile(r'<h2 id="([\w-]+)"')
    assert headings.findall(english) == headings.findall(chinese)


@pytest.mark.parametrize("url", GUIDE_URLS[:2])
def test_guide_pages_query_counts_are_pinned(owner_client, count_queries, url):
    # Only the layout's (the session, the user, the menu's permissions): the
    # guide reads no data of the shop.
    assert count_queries(owner_client, url) == 7


def test_the_guide_page_for_a_clerk_is_the_same_as_for_the_owner(owner_client, staff):
    clerk = Client()
    clerk.force_login(staff)
    owner_text = owner_client.get("/guide/reports/").text
    clerk_text = clerk.get("/guide/reports/").text

    assert IMAGE.findall(owner_text) == IMAGE.findall(clerk_text)
