from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.roles import OWNER, STAFF, user_role


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_an_owner_and_a_staff_account_and_prints_passwords():
    output = seed()
    User = get_user_model()
    owner, staff = (
        User.objects.get(username="owner"),
        User.objects.get(username="staff"),
    )
    assert (user_role(owner), user_role(staff)) == (OWNER, STAFF)
    password = output.split("owner / ")[1].split()[0]
    assert owner.check_password(password)


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed()
    User = get_user_model()
    before = list(User.objects.values_list("username", "password").order_by("username"))
    output = seed()
    after = list(User.objects.values_list("username", "password").order_by("username"))
    assert before == after
    assert "already exists" in output


@pytest.mark.django_db
def test_seed_demo_loads_a_shop_with_stock_once():
    from catalog.models import Product
    from inventory.models import OpeningStock, StockMove
    from inventory.selectors import stock_drift

    seed()
    seed()
    # 40 products, 20 variants of the demo T-shirt (4 colours × 5 sizes), water.
    assert Product.objects.count() == 61
    assert Product.objects.filter(style__code="FZ100").count() == 20
    assert OpeningStock.objects.count() == 1
    assert StockMove.objects.count() > 40
    assert stock_drift() == []


@pytest.mark.django_db
def test_seed_demo_keeps_money_too_once():
    """往来账 and 日常收支: customers on credit, suppliers owed, a month of expenses;
    seeding twice adds nothing, and the money ledger is clean."""
    from finance.checks import money_problems
    from finance.models import CashEntry, PartnerBalance, Payment

    seed()
    seed()
    assert CashEntry.objects.count() == 5
    assert {entry.category.name for entry in CashEntry.objects.all()} == {
        "房租",
        "水电",
        "运费",
        "工资",
        "杂费",
    }
    assert Payment.objects.exists()
    assert PartnerBalance.objects.filter(customer__isnull=False, balance__gt=0).exists()
    assert PartnerBalance.objects.filter(supplier__isnull=False, balance__gt=0).exists()
    assert money_problems() == []


@pytest.mark.django_db
def test_seed_demo_opens_a_second_shop_with_its_clerk_and_stock_once():
    from catalog import shops
    from catalog.models import Shop, Warehouse
    from inventory.models import StockLevel
    from inventory.selectors import stock_drift

    seed()
    seed()
    second = Shop.objects.get(code="S02")
    warehouse = Warehouse.objects.get(shop=second)
    clerk = get_user_model().objects.get(username="staff2")
    assert list(second.members.all()) == [clerk]
    assert StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=0).count() > 3
    assert list(shops.warehouses_for(clerk)) == [warehouse]
    first_clerk = get_user_model().objects.get(username="staff")
    assert warehouse not in shops.warehouses_for(first_clerk)
    assert stock_drift() == []
