"""The shared line kernel: the line amount, the typing preview the page shows,
and the form of one quantity per line."""

from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest

from jxc.decimals import MAX_QUANTITY
from jxc.lines import LineQuantitiesForm, amounts_preview, line_amount

STATIC = Path(__file__).resolve().parents[2] / "static" / "jxc"


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "amount"),
    [
        (D("2"), D("3.50"), D("0"), D("7.00")),
        (D("3"), D("0.335"), D("0"), D("1.01")),  # 1.005: half up, once
        (D("1"), D("9.99"), D("10"), D("8.99")),  # 8.991
        (D("1.5"), D("0.05"), D("50"), D("0.04")),  # 0.0375
        (D("4"), D("25"), D("100"), D("0.00")),
    ],
)
def test_line_amount_rounds_half_up_to_the_fen_once(quantity, price, discount, amount):
    assert line_amount(quantity, price, discount) == amount


def test_line_amount_without_a_discount_is_quantity_times_price():
    assert line_amount(D("0.125"), D("8")) == D("1.00")


def test_the_preview_totals_the_rounded_line_amounts_and_the_change_due():
    preview = amounts_preview(["3", "1"], ["3.35", "9.99"], ["50", "10"], "20")
    assert preview.amounts == [D("5.03"), D("8.99")]  # 5.025 and 8.991
    assert preview.total == D("14.02")
    assert preview.change == D("5.98")


@pytest.mark.parametrize(
    "typed", ["", "abc", "-1", "NaN", "1e30", "2.12345", "1" * 40, "a\x00b"]
)
def test_a_line_not_yet_a_valid_number_has_no_amount_and_adds_nothing(typed):
    preview = amounts_preview([typed, "2"], ["1", "1"], [], None)
    assert preview.amounts == [None, D("2.00")]
    assert preview.total == D("2.00")
    assert preview.change is None


def test_a_discount_over_100_percent_gives_no_amount():
    assert amounts_preview(["1"], ["5"], ["101"]).amounts == [None]


def test_too_little_received_is_a_negative_change():
    assert amounts_preview(["1"], ["5"], [], "2").change == D("-3.00")


def _lines(*pks):
    return [
        SimpleNamespace(pk=pk, product=SimpleNamespace(name=f"品{pk}")) for pk in pks
    ]


class ShipForm(LineQuantitiesForm):
    field_prefix = "ship"


def test_one_quantity_field_per_line_named_by_its_pk():
    form = ShipForm(lines=_lines(7, 9))
    assert list(form.fields) == ["ship_7", "ship_9"]
    assert form.fields["ship_7"].label == "品7"
    assert [line.pk for line, _field in form.rows()] == [7, 9]


def test_quantities_keep_only_the_lines_given_more_than_zero():
    form = ShipForm({"ship_7": "2.5", "ship_9": "0"}, lines=_lines(7, 9, 11))
    assert form.is_valid()
    assert form.quantities() == {7: D("2.5")}
    assert form.entered() == {7: D("2.5"), 9: D("0"), 11: None}


@pytest.mark.parametrize("typed", ["-1", str(MAX_QUANTITY + 1), "1.0001", "x"])
def test_a_quantity_out_of_bounds_is_refused_on_its_line(typed):
    form = ShipForm({"ship_7": typed}, lines=_lines(7))
    assert not form.is_valid()
    assert "ship_7" in form.errors


@pytest.mark.django_db
def test_the_amounts_endpoint_answers_as_the_page_shows_money(staff_client):
    answer = staff_client.get(
        "/lines/amounts/",
        {
            "quantity": ["2", "1000"],
            "price": ["3.50", "2.5"],
            "discount": ["", "10"],
            "received": "2000",
        },
    ).json()
    assert answer == {
        "amounts": ["¥7.00", "¥2,250.00"],
        "total": "¥2,257.00",
        "change": "-¥257.00",
        "short": True,
    }


@pytest.mark.django_db
def test_the_amounts_endpoint_without_lines_shows_a_zero_total(staff_client):
    answer = staff_client.get("/lines/amounts/").json()
    assert answer == {"amounts": [], "total": "¥0.00", "change": "", "short": False}


def test_the_page_does_no_money_arithmetic_and_never_reads_back_shown_money():
    script = (STATIC / "lines.js").read_text(encoding="utf-8")
    assert "toLocaleString" not in script
    assert "textContent.replace" not in script
    assert "Math.round" not in script
