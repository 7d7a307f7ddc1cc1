"""交班 / 日结: a clerk's day at the counter, its figures, the close."""

import datetime
import io
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from catalog.tests.factories import ProductFactory
from counter import selectors, services
from counter.models import CashPaidOut, CounterSettings, Shift
from counter.tests.factories import counter_sale
from inventory.tests.factories import receive
from sales.models import SalesOrder

pytestmark = pytest.mark.django_db
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def apple(owner):
    product = ProductFactory(name="苹果", sale_price=D("10.00"))
    receive(product, "1000", "5", user=owner)
    return product


def _return(order, quantity, user, refunds=None):
    line = order.shipments.get().lines.get()
    return services.counter_return_post(
        order=order,
        quantities={line.pk: D(quantity)},
        reason="",
        user=user,
        refunds=refunds,
    )


def test_figures_count_sales_split_payments_refunds_and_paid_out(staff, apple):
    CounterSettings.objects.create(pk=1, opening_float=D("200"))
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30", "50")])
    split = counter_sale(
        staff, [(apple, "5")], payments=[("wechat", "20"), ("cash", "30", "30")]
    )
    counter_sale(staff, [(apple, "1")], payments=[("alipay", "10")])
    # 2 of the split sale back: ¥20, cash first by the refund order
    _return(split, "2", staff)
    services.shift_paid_out_add(
        clerk=staff, amount=D("15.50"), note="送货费", user=staff
    )
    figures = selectors.clerk_day(clerk=staff, day=datetime.date.today())
    assert (figures.sales_count, figures.returns_count) == (3, 1)
    methods = {m.method: (m.sales, m.refunds, m.net) for m in figures.method_rows}
    assert methods["cash"] == (D("60"), D("-20"), D("40"))
    assert methods["wechat"] == (D("20"), D("0"), D("20"))
    assert methods["alipay"] == (D("10"), D("0"), D("10"))
    assert figures.net_total == D("70")
    assert figures.opening_float == D("200")
    # 200 + 60 − 20 − 15.50
    assert figures.expected_cash == D("224.50")


def test_another_clerks_sales_and_cancelled_sales_do_not_count(staff, owner, apple):
    from sales import services as sales_services

    counter_sale(owner, [(apple, "1")])
    gone = counter_sale(staff, [(apple, "2")])
    sales_services.shipment_cancel(
        shipment=gone.shipments.get(), user=owner, reason="输错了"
    )
    assert SalesOrder.objects.get(pk=gone.pk).status == "cancelled"
    figures = selectors.clerk_day(clerk=staff, day=datetime.date.today())
    assert figures.sales_count == 0 and figures.net_total == 0


def test_a_sale_at_2330_local_belongs_to_that_day(staff, apple):
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI)
    with time_machine.travel(late, tick=False):
        counter_sale(staff, [(apple, "1")])
    with time_machine.travel(late + datetime.timedelta(hours=1), tick=False):
        counter_sale(staff, [(apple, "2")])  # 00:30 on 1 January
    last = selectors.clerk_day(clerk=staff, day=datetime.date(2026, 12, 31))
    first = selectors.clerk_day(clerk=staff, day=datetime.date(2027, 1, 1))
    assert (last.sales_count, last.net_total) == (1, D("10"))
    assert (first.sales_count, first.net_total) == (1, D("20"))
    # 23:30 in Shanghai is 15:30 UTC: the UTC date would be the same here, but a
    # sale at 07:30 local is the previous UTC day.
    early = datetime.datetime(2027, 1, 2, 7, 30, tzinfo=SHANGHAI)
    with time_machine.travel(early, tick=False):
        counter_sale(staff, [(apple, "3")])
    assert selectors.clerk_day(
        clerk=staff, day=datetime.date(2027, 1, 2)
    ).net_total == D("30")


def test_close_stores_expected_counted_and_refuses_a_second_close(staff, apple):
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20", "20")])
    shift = services.shift_close(
        clerk=staff, counted_cash=D("19.50"), note="少五毛", user=staff
    )
    assert shift.expected_cash == D("20") and shift.counted_cash == D("19.50")
    assert shift.difference == D("-0.50") and shift.closed_at is not None
    with pytest.raises(ValidationError, match="已于"):
        services.shift_close(clerk=staff, counted_cash=D("30"), note="", user=staff)
    shift.refresh_from_db()
    assert shift.counted_cash == D("19.50")


def test_a_closed_shift_is_read_only(staff, apple):
    services.shift_close(clerk=staff, counted_cash=D("0"), note="", user=staff)
    with pytest.raises(ValidationError, match="已于"):
        services.shift_paid_out_add(clerk=staff, amount=D("5"), note="x", user=staff)
    with pytest.raises(ValidationError, match="已于"):
        services.shift_float_set(clerk=staff, amount=D("100"), user=staff)
    assert not CashPaidOut.objects.exists()
    assert Shift.objects.get().paid_out == 0


def test_the_float_changes_only_before_the_first_sale(staff, apple):
    CounterSettings.objects.create(pk=1, opening_float=D("100"))
    shift = services.shift_float_set(clerk=staff, amount=D("150"), user=staff)
    assert shift.opening_float == D("150")
    counter_sale(staff, [(apple, "1")])
    with pytest.raises(ValidationError, match="第一笔销售"):
        services.shift_float_set(clerk=staff, amount=D("300"), user=staff)
    assert Shift.objects.get().opening_float == D("150")


@pytest.mark.parametrize(
    ("amount", "note", "message"),
    [
        (D("0"), "x", "大于零"),
        (D("-5"), "x", "大于零"),
        (D("100000000"), "x", "太大"),
        (D("1.005"), "x", "两位小数"),
        (D("5"), "  ", "用途"),
    ],
)
def test_paid_out_refuses_bad_input_and_writes_nothing(staff, amount, note, message):
    with pytest.raises(ValidationError, match=message):
        services.shift_paid_out_add(clerk=staff, amount=amount, note=note, user=staff)
    assert not CashPaidOut.objects.exists()
    assert not Shift.objects.filter(paid_out__gt=0).exists()


def test_paid_out_twice_with_one_token_records_once(staff, apple):
    # Cash in the drawer first: a paid out beyond it is refused.
    counter_sale(staff, [(apple, "1")])
    token = uuid.uuid4()
    for _ in range(2):
        services.shift_paid_out_add(
            clerk=staff, amount=D("8"), note="打印纸", user=staff, submission=token
        )
    assert CashPaidOut.objects.count() == 1
    assert Shift.objects.get().paid_out == D("8")


# --- pages --------------------------------------------------------------------------


def test_the_shift_page_closes_and_a_double_click_lands_on_the_closed_shift(
    staff_client, staff, apple
):
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20", "50")])
    page = staff_client.get("/counter/shift/").content.decode()
    assert 'id="shift-expected">¥20.00<' in page
    first = staff_client.post("/counter/shift/close/", {"counted_cash": "21"})
    shift = Shift.objects.get()
    assert first.url == f"/counter/shifts/{shift.pk}/"
    second = staff_client.post(
        "/counter/shift/close/", {"counted_cash": "99"}, follow=True
    )
    assert second.redirect_chain[-1][0] == f"/counter/shifts/{shift.pk}/"
    shift.refresh_from_db()
    assert shift.counted_cash == D("21")
    page = second.content.decode()
    assert 'id="shift-difference">+¥1.00<' in page
    assert 'id="close-form"' not in page


def test_bad_counted_cash_changes_nothing(staff_client, staff):
    for value in ["", "-1", "abc", "1.234", "1e9999"]:
        staff_client.post("/counter/shift/close/", {"counted_cash": value})
    assert not Shift.objects.filter(closed_at__isnull=False).exists()


def test_staff_see_only_their_own_shifts(client, staff, owner, apple):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import STAFF

    other = get_user_model().objects.create_user("clerk2", password="x")
    other.groups.add(Group.objects.get(name=STAFF))
    counter_sale(other, [(apple, "1")])
    theirs = services.shift_close(
        clerk=other, counted_cash=D("10"), note="", user=other
    )
    counter_sale(staff, [(apple, "2")])
    client.force_login(staff)
    page = client.get("/counter/shifts/").content.decode()
    assert "clerk2" not in page
    assert client.get(f"/counter/shifts/{theirs.pk}/").status_code == 403
    assert client.get(f"/counter/shifts/?clerk={other.pk}").status_code == 200
    assert (
        "clerk2"
        not in client.get(f"/counter/shifts/?clerk={other.pk}").content.decode()
    )
    assert client.get("/counter/shifts/export/").status_code == 403


def test_the_owner_sees_every_clerk_and_the_day_total_and_exports(
    owner_client, owner, staff, apple, count_queries
):
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20")])
    counter_sale(owner, [(apple, "1")], payments=[("wechat", "10")])
    page = owner_client.get("/counter/shifts/").content.decode()
    assert staff.get_full_name() in page and owner.get_full_name() in page
    assert 'id="day-total"' in page and "¥30.00" in page
    response = owner_client.get("/counter/shifts/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [value for row in values for value in row]
    assert staff.get_full_name() in flat and 30 in flat
    queries = count_queries(owner_client, "/counter/shifts/")
    counter_sale(staff, [(apple, "1")], payments=[("card", "10")])
    assert count_queries(owner_client, "/counter/shifts/") == queries


def test_the_export_is_formula_safe(owner_client, owner, apple):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("evil", first_name="=1+2")
    counter_sale(clerk, [(apple, "1")])
    response = owner_client.get("/counter/shifts/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    evil = [cell for cell in cells if str(cell.value).startswith("=1+2")]
    assert evil and all(cell.data_type == "s" for cell in evil)


def test_the_80mm_shift_print(staff_client, staff, apple):
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20")])
    shift = services.shift_open(clerk=staff)
    page = staff_client.get(f"/counter/shifts/{shift.pk}/print/").content.decode()
    assert "/static/jxc/slip.css" in page and "¥20.00" in page


def test_the_shift_pages_query_counts_do_not_grow_with_sales(
    staff_client, staff, apple, count_queries
):
    counter_sale(staff, [(apple, "1")])
    shift = services.shift_open(clerk=staff)
    services.shift_paid_out_add(clerk=staff, amount=D("1"), note="x", user=staff)
    urls = ["/counter/shift/", f"/counter/shifts/{shift.pk}/"]
    few = [count_queries(staff_client, url) for url in urls]
    for method in ["cash", "wechat", "card", "alipay"]:
        counter_sale(staff, [(apple, "1")], payments=[(method, "10")])
    services.shift_paid_out_add(clerk=staff, amount=D("2"), note="y", user=staff)
    assert [count_queries(staff_client, url) for url in urls] == few
    assert max(few) <= 12
