"""The shared look (jxc_ui): one status badge for every app, icons drawn inline,
filter drawers that say how many filters are set."""

import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.template import Context, Template

from catalog.tests.factories import CategoryFactory, ProductFactory
from jxc.templatetags.jxc_ui import STATUS_TONES, filter_count, icon, status_badge
from purchasing.models import PurchaseOrder
from sales.models import SalesOrder

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "site-packages" not in path.parts
]
TONES = {"draft", "confirmed", "partial", "done", "cancelled", "closed"}


def every_status_field():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.name == "status" and getattr(field, "choices", None):
                yield model, field


def test_every_status_of_every_model_has_a_tone():
    fields = list(every_status_field())
    assert len(fields) >= 5
    for model, field in fields:
        for value, _label in field.choices:
            assert value in STATUS_TONES, f"{model.__name__}.status {value!r}"
            assert STATUS_TONES[value] in TONES


@pytest.mark.parametrize(
    ("record", "tone"),
    [
        (SalesOrder(status="draft"), "draft"),
        (SalesOrder(status="confirmed"), "confirmed"),
        (PurchaseOrder(status="ordered"), "confirmed"),
        (SalesOrder(status="partial"), "partial"),
        (PurchaseOrder(status="partial"), "partial"),
        (SalesOrder(status="shipped"), "done"),
        (PurchaseOrder(status="received"), "done"),
        (SalesOrder(status="cancelled"), "cancelled"),
        (PurchaseOrder(status="closed"), "closed"),
    ],
)
def test_a_status_badge_shows_the_status_in_its_tone(record, tone):
    html = status_badge(record, id="order-status")
    assert f'class="badge status-badge status-{tone}"' in html
    assert 'id="order-status"' in html
    assert f">{record.get_status_display()}</span>" in html


def test_a_status_badge_without_a_record_takes_a_value_and_label():
    html = status_badge(value="closed", label="已结班", suffix="18:05")
    assert "status-closed" in html and ">已结班 18:05</span>" in html
    assert " id=" not in html


def test_a_status_badge_escapes_its_label():
    html = status_badge(value="open", label="<b>x</b>")
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_no_template_draws_a_status_badge_of_its_own():
    # Every status badge goes through {% status_badge %}: one colour per meaning.
    own = re.compile(r'class="badge[^"]*"[^>]*>\s*\{\{[^}]*status_display')
    offenders = [p.name for p in TEMPLATES if own.search(p.read_text("utf-8"))]
    assert not offenders


def test_an_icon_is_inline_svg_hidden_from_screen_readers_without_style():
    html = icon("cube")
    assert html.startswith("<svg") and 'class="icon"' in html
    assert 'aria-hidden="true"' in html
    # The CSP allows no inline style.
    assert "style=" not in html


def test_the_filter_count_counts_what_the_query_sets(rf):
    request = rf.get("/", {"q": "", "category": "3", "active": "1", "o": "-name"})
    context = {"request": rf.get("/?q=&category=3&active=1&o=-name&page=2&format=x")}
    assert filter_count(context) == 3  # category, active, format
    assert filter_count(context, None, "format") == 2

    class Form(forms.Form):
        q = forms.CharField(required=False)
        category = forms.CharField(required=False)
        month = forms.CharField(required=False)

    # A default the view fills in (a report's month) is no filter the user set.
    form = Form(data={"month": "2026-11", "category": "3"})
    assert filter_count({"request": request}, form) == 1


def test_every_filter_form_sits_in_a_drawer():
    # A list's filter form (class "filters") folds into "筛选" on a phone.
    forms = [p for p in TEMPLATES if 'class="filters' in p.read_text("utf-8")]
    assert len(forms) >= 7
    bare = [p.name for p in forms if "filter-drawer" not in p.read_text("utf-8")]
    assert not bare


@pytest.mark.django_db
def test_the_product_filters_show_how_many_are_set(owner_client):
    category = CategoryFactory()
    ProductFactory(category=category)

    plain = owner_client.get("/catalog/products/").content.decode()
    assert '<details class="filter-drawer' in plain
    assert "filter-count" not in plain

    filtered = owner_client.get(
        f"/catalog/products/?category={category.pk}&active=1&o=name"
    ).content.decode()
    assert re.search(r'class="[^"]*filter-count"[^>]*>2</span>', filtered)
    # Closed unless a filter was refused: the phone shows the list first.
    assert '<details class="filter-drawer d-print-none">' in filtered


@pytest.mark.django_db
def test_a_refused_filter_opens_its_drawer(owner_client):
    body = owner_client.get("/catalog/products/?category=nonsense").content.decode()
    assert '<details class="filter-drawer d-print-none" open>' in body


def test_the_template_tags_load_and_render_together():
    html = Template(
        "{% load jxc_ui %}{% icon 'funnel' small=True %}"
        "{% status_badge value='posted' label='已过账' %}"
    ).render(Context())
    assert 'width="16"' in html and "status-done" in html
