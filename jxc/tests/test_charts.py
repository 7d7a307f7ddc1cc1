"""The dashboard's 30-day sales chart: dates on its axis, a value on hover, labels
drawn at the size they are shown; and Chinese pages put 全角冒号 after a label."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from lxml import etree

from jxc.templatetags.jxc_charts import line_chart

SVG = "{http://www.w3.org/2000/svg}"


def thirty_days():
    first = date(2026, 11, 6)
    return [
        ((first + timedelta(days=n)).strftime("%m-%d"), Decimal(n * 10))
        for n in range(30)
    ]


def parse(markup: str):
    return etree.fromstring(
        markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_every_day_shows_its_value_on_hover_in_the_readers_language():
    with translation.override("zh-hans"):
        svg = parse(str(line_chart(thirty_days(), width=640, label="近 30 天销售")))

    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert len(titles) == 30
    assert titles[0] == "11-06：¥0.00"
    assert titles[-1] == "12-05：¥290.00"
    with translation.override("en"):
        svg = parse(str(line_chart(thirty_days(), width=640)))
    assert [t.text for t in svg.iter(f"{SVG}title")][-1] == "12-05: ¥290.00"


def test_dates_mark_the_axis_every_week_and_the_last_day():
    svg = parse(str(line_chart(thirty_days(), width=640)))
    texts = [t.text for t in svg.iter(f"{SVG}text")]

    assert [t for t in texts if t[:2] in ("11", "12") and "-" in t] == [
        "11-06",
        "11-13",
        "11-20",
        "11-27",
        "12-05",
    ]
    assert {"¥0", "¥145", "¥290"} <= set(texts)  # from 0 to the highest


def test_the_phone_chart_has_fewer_dates_and_text_of_the_same_size():
    wide = parse(str(line_chart(thirty_days(), width=640)))
    narrow = parse(str(line_chart(thirty_days(), width=360, every=10)))

    dates = [t.text for t in narrow.iter(f"{SVG}text") if "-" in t.text]
    assert dates == ["11-06", "11-16", "11-26", "12-05"]
    sizes = {
        t.get("font-size") for tree in (wide, narrow) for t in tree.iter(f"{SVG}text")
    }
    assert sizes == {"12"}
    assert narrow.get("viewBox") == "0 0 360 160"


def test_a_loss_stays_inside_the_drawing_on_an_axis_through_zero():
    """Profit per month can be negative: the axis runs from the lowest value (or
    0) to the highest, every point inside the drawing, every month labelled."""
    months = [("26-01", Decimal(-300)), ("26-02", Decimal(600)), ("26-03", 0)]
    svg = parse(str(line_chart(months, width=640, height=180, every=1)))

    ys = [float(c.get("cy")) for c in svg.iter(f"{SVG}circle")]
    assert all(8 <= y <= 180 - 20 for y in ys), ys
    assert ys[0] == max(ys) and ys[1] == min(ys)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"-¥300", "¥0", "¥600"} <= set(texts)
    assert [t for t in texts if t.startswith("26-")] == ["26-01", "26-02", "26-03"]


def test_a_chart_of_one_day_is_not_drawn():
    assert line_chart([("12-05", Decimal(5))]) == ""


@pytest.mark.django_db
def test_the_dashboard_draws_the_chart_for_desktop_and_for_phone(owner_client):
    html = owner_client.get("/").content.decode()

    assert html.count('class="chart"') == 2
    assert "：¥0.00</title>" in html


@pytest.mark.django_db
def test_chinese_pages_put_a_full_width_colon_after_a_label(owner_client, client):
    from catalog.tests.factories import ProductFactory

    apple = ProductFactory(sku="SG001", name="苹果")
    chinese = owner_client.get(f"/inventory/card/{apple.pk}/").content.decode()
    assert "库存台账：苹果" in chinese
    owner_client.cookies["django_language"] = "en"
    english = owner_client.get(f"/inventory/card/{apple.pk}/").content.decode()
    assert "Stock card: 苹果" in english
