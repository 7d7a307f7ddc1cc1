"""Who may set a sale price (issue 14): a clerk needs an owner's approval on the
spot for a discount above the staff limit, a price below the product's minimum
sale price, or a price of zero; owners are not asked."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import LoginFailure
from accounts.tests.factories import PASSWORD, OwnerFactory, StaffFactory
from audit.models import AuditEntry
from catalog.models import Customer, Warehouse
from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from sales import authority, services
from sales.models import SalesOrder, SalesSettings, Shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def apple(owner):
    product = ProductFactory(
        sku="SG01", name="红富士苹果", unit="斤", sale_price=D("10"), min_price=D("8")
    )
    receive(product, "100", "5", user=owner)
    return product


def line(product, quantity="1", price=None, discount="0"):
    return services.SaleLineInput(
        product, D(quantity), None if price is None else D(price), D(discount)
    )


def save(user, lines, **kwargs):
    return services.sales_order_save(
        customer=Customer.objects.get(code="RETAIL"),
        warehouse=Warehouse.objects.get(is_default=True),
        order_date=timezone.localdate(),
        note="",
        lines=lines,
        user=user,
        **kwargs,
    )


def order_form(lines, **extra):
    data = {
        "customer": "RETAIL",
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "order_date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (code, quantity, price, discount) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-product": code,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
                f"lines-{index}-discount": discount,
            }
        )
    data.update(extra)
    return data


def retail_form(lines, received="100", **extra):
    data = order_form(lines, amount_received=received, **extra)
    for key in ("customer", "order_date", "note"):
        data.pop(key)
    return data


def approval(username="boss", password=PASSWORD):
    return {
        "approval-approver_username": username,
        "approval-approver_password": password,
    }


# --- the rules ------------------------------------------------------------------


def test_rules_name_each_kind_of_breach(apple):
    within = [line(apple, discount="20"), line(apple, price="8")]
    assert authority.price_breaches(within) == []
    (discount,) = authority.price_breaches([line(apple, price="20", discount="25")])
    assert "折扣超过店员上限 20%" in discount.reasons[0]
    (floor,) = authority.price_breaches([line(apple, price="7.99")])
    assert floor.reasons == ("低于最低售价 ¥8.00",)
    (zero,) = authority.price_breaches([line(apple, price="0")])
    assert zero.reasons == ("价格为零",)
    # The floor applies after the discount: ¥10 less 15 % is ¥8.50, less 25 % ¥7.50.
    assert authority.price_breaches([line(apple, discount="15")]) == []


def test_a_product_without_a_floor_has_only_the_other_rules(owner):
    pen = ProductFactory(sku="PEN", sale_price=D("2"))
    assert authority.price_breaches([line(pen, price="0.01")]) == []
    assert len(authority.price_breaches([line(pen, price="0")])) == 1


def test_the_owner_sets_the_staff_limit(apple, owner):
    authority.staff_discount_limit_save(limit=D("30"), user=owner)
    assert authority.price_breaches([line(apple, price="20", discount="30")]) == []
    entry = AuditEntry.objects.filter(changes__has_key="staff_discount_limit").get()
    assert entry.changes["staff_discount_limit"] == ["20%", "30%"]


# --- the services ---------------------------------------------------------------


def test_a_clerk_cannot_save_a_discount_above_the_limit_and_nothing_is_written(
    apple, staff
):
    entries = AuditEntry.objects.count()
    with pytest.raises(authority.PriceApprovalRequired) as refused:
        save(staff, [line(apple, discount="30")])
    assert "红富士苹果" in refused.value.messages[0]
    assert not SalesOrder.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_an_owner_is_not_asked(apple, owner):
    order = save(owner, [line(apple, price="0")])
    assert order.total == 0
    assert not AuditEntry.objects.filter(changes__has_key="price_approved_by").exists()


def test_an_owners_approval_lets_the_clerk_save_and_is_recorded(apple, staff, owner):
    order = save(staff, [line(apple, price="7")], price_approver=owner)
    entry = AuditEntry.objects.get(changes__has_key="price_approved_by")
    assert entry.user == owner
    assert entry.object_id == order.pk
    assert entry.changes["price_approved_by"] == [None, "boss"]
    assert entry.changes[str(apple)] == [None, "¥7.00"]
    assert "clerk" in entry.summary and "低于最低售价 ¥8.00" in entry.summary


def test_another_clerk_cannot_approve(apple, staff):
    other = StaffFactory(username="clerk2")
    with pytest.raises(authority.PriceApprovalRequired):
        save(staff, [line(apple, price="7")], price_approver=other)
    assert not SalesOrder.objects.exists()


def test_a_draft_line_the_owner_set_stands_when_a_clerk_edits_the_draft(
    apple, staff, owner
):
    pear = ProductFactory(sku="LI01", name="梨", sale_price=D("6"))
    order = save(owner, [line(apple, price="5")])
    order = services.sales_order_save(
        order=order,
        customer=order.customer,
        warehouse=order.warehouse,
        order_date=order.order_date,
        note="加一个梨",
        lines=[line(apple, price="5"), line(pear)],
        user=staff,
        version=order.version,
    )
    assert order.lines.count() == 2
    with pytest.raises(authority.PriceApprovalRequired):
        services.sales_order_save(
            order=order,
            customer=order.customer,
            warehouse=order.warehouse,
            order_date=order.order_date,
            note="",
            lines=[line(apple, price="4")],
            user=staff,
            version=order.version,
        )
    assert order.lines.get(product=apple).unit_price == D("5")


def test_a_retail_sale_below_the_floor_is_refused_and_no_stock_moves(apple, staff):
    moves = StockMove.objects.count()
    with pytest.raises(authority.PriceApprovalRequired):
        services.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[line(apple, "2", price="6")],
            amount_received=D("20"),
            user=staff,
        )
    assert StockMove.objects.count() == moves
    assert not Shipment.objects.exists()
    assert StockLevel.objects.get(product=apple).on_hand == D("100")


def test_a_sale_without_a_discount_reads_no_settings(apple, staff, owner):
    # Most sales have no discount: the rules then cost no query.
    SalesSettings.objects.create(pk=1, staff_discount_limit=D("5"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        authority.prices_authorize(lines=[line(apple)], user=staff)
    assert len(queries) == 0


# --- the pages ------------------------------------------------------------------


def test_a_clerks_order_form_is_refused_with_each_line_named(staff_client, apple):
    entries = AuditEntry.objects.count()
    pear = ProductFactory(sku="LI01", name="梨", sale_price=D("6"))
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("SG01", "2", "", "30"), ("LI01", "1", "0", "")]),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "需要店主授权" in page
    assert "“红富士苹果”（SG01）" in page and "折扣超过店员上限 20%" in page
    assert f"“{pear.name}”（LI01）" in page and "价格为零" in page
    assert 'id="price-approval"' in page and "data-show-modal" in page
    assert 'name="approval-approver_password"' in page
    assert 'value="30"' in page  # the typed lines are kept
    assert not SalesOrder.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_the_owners_password_approves_the_clerks_order(staff_client, apple, owner):
    response = staff_client.post(
        "/sales/orders/new/", order_form([("SG01", "2", "", "30")], **approval())
    )
    order = SalesOrder.objects.get()
    assert response.url == f"/sales/orders/{order.pk}/"
    assert order.lines.get().discount == D("30")
    entry = AuditEntry.objects.get(changes__has_key="price_approved_by")
    assert entry.user == owner
    assert entry.changes[str(apple)] == [None, "¥10.00 减 30% = ¥7.00"]
    assert not LoginFailure.objects.exists()


def test_a_wrong_owner_password_is_refused_and_counted(staff_client, apple, owner):
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("SG01", "2", "", "30")], **approval(password="guess")),
    )
    page = response.content.decode()
    assert "未授权：店主用户名或密码不对" in page
    assert 'value="guess"' not in page
    assert not SalesOrder.objects.exists()
    assert LoginFailure.objects.filter(username="boss").count() == 1


def test_the_approval_is_rate_limited_like_sign_in(
    staff_client, apple, owner, settings
):
    settings.JXC_LOGIN_FAILURE_LIMIT = 2
    for _try in range(2):
        staff_client.post(
            "/sales/orders/new/",
            order_form([("SG01", "1", "", "30")], **approval(password="guess")),
        )
    # Locked now: even the right password is refused, and the refusal is not counted.
    response = staff_client.post(
        "/sales/orders/new/", order_form([("SG01", "1", "", "30")], **approval())
    )
    assert "账号已锁定" in response.content.decode()
    assert not SalesOrder.objects.exists()
    assert LoginFailure.objects.filter(username="boss").count() == 2


def test_a_clerks_own_password_approves_nothing(staff_client, apple, staff):
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("SG01", "1", "", "30")], **approval(username="clerk")),
    )
    assert "未授权：clerk 不是店主" in response.content.decode()
    assert not SalesOrder.objects.exists()


def test_the_counter_asks_for_approval_and_takes_it(staff_client, apple, owner):
    refused = staff_client.post("/sales/retail/", retail_form([("SG01", "2", "7", "")]))
    assert "低于最低售价 ¥8.00" in refused.content.decode()
    assert not SalesOrder.objects.exists()
    assert StockLevel.objects.get(product=apple).on_hand == D("100")
    sold = staff_client.post(
        "/sales/retail/", retail_form([("SG01", "2", "7", "")], **approval())
    )
    order = SalesOrder.objects.get()
    assert sold.status_code == 302
    assert order.total == D("14.00")
    assert StockLevel.objects.get(product=apple).on_hand == D("98")
    assert AuditEntry.objects.filter(
        changes__has_key="price_approved_by", object_id=order.pk
    ).exists()


def test_the_owner_sees_no_approval_dialog(owner_client, owner, staff, apple):
    from django.test import Client

    from counter import services as counter_services

    for user in (owner, staff):
        counter_services.cart_scan(user=user, code="SG01")
    clerk = Client()
    clerk.force_login(staff)
    assert "price-approval" in clerk.get("/counter/").content.decode()
    page = owner_client.get("/counter/").content.decode()
    assert "price-approval" not in page
    response = owner_client.post(
        "/sales/retail/", retail_form([("SG01", "1", "0", "")])
    )
    assert response.status_code == 302


def test_a_clerk_within_authority_is_not_asked(staff_client, apple):
    page = staff_client.get("/sales/orders/new/").content.decode()
    assert "data-show-modal" not in page
    response = staff_client.post(
        "/sales/orders/new/", order_form([("SG01", "1", "9", "10")])
    )
    assert response.status_code == 302


def test_the_owner_sets_the_staff_limit_on_the_settings_page(owner_client, owner):
    page = owner_client.get("/sales/settings/").content.decode()
    assert "店员折扣上限" in page
    owner_client.post(
        "/sales/settings/",
        {"reservation_expiry_days": "", "staff_discount_limit": "35"},
    )
    assert authority.staff_discount_limit() == D("35")
    refused = owner_client.post(
        "/sales/settings/",
        {"reservation_expiry_days": "", "staff_discount_limit": "150"},
    )
    assert refused.status_code == 200
    assert authority.staff_discount_limit() == D("35")


def test_a_new_owner_account_may_approve(db):
    assert authority.may_approve(OwnerFactory(username="boss2"))
    assert not authority.may_approve(StaffFactory(username="clerk3"))


@pytest.mark.parametrize(
    "fields",
    [
        approval(username="boss\x00"),
        approval(password="x" * 5000),
        approval(password=""),
        approval(username=""),
    ],
)
def test_a_garbled_approval_is_refused_with_a_message(staff_client, apple, fields):
    response = staff_client.post(
        "/sales/orders/new/", order_form([("SG01", "1", "", "30")], **fields)
    )
    assert "请输入店主的用户名和密码" in response.content.decode()
    assert not SalesOrder.objects.exists()
