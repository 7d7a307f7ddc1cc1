"""The first-run wizard: when it opens, each step's save and refusal, skipping and
resuming, the dashboard's checklist, and who may use it."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import STAFF, user_role
from accounts.tests.factories import PASSWORD, OwnerFactory, StaffFactory
from catalog.models import Product, ShopProfile, Warehouse
from catalog.tests.factories import ProductFactory
from firstrun import selectors, services
from firstrun.models import SetupProgress
from inventory.models import OpeningStock, StockLevel

pytestmark = pytest.mark.django_db


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def steps_state() -> dict:
    found = selectors.progress()
    return found.steps if found else {}


# --- when it opens --------------------------------------------------------------------


def test_the_first_owner_sign_in_on_an_empty_shop_opens_the_wizard_once(client):
    OwnerFactory(username="boss")
    response = sign_in(client, "boss")
    assert response.url == reverse("firstrun:start")
    assert client.get(response.url).url == reverse("firstrun:shop")
    client.logout()
    assert sign_in(client, "boss").url == reverse("home")


def test_a_sign_in_sent_back_to_the_dashboard_opens_it_too(client):
    """Opening the site signed out goes to /login/?next=/: the same first sign-in."""
    OwnerFactory(username="boss")
    response = client.post(
        reverse("login") + "?next=/",
        {"username": "boss", "password": PASSWORD, "next": "/"},
    )
    assert response.url == reverse("firstrun:start")


def test_a_sign_in_to_another_page_goes_there(client):
    OwnerFactory(username="boss")
    response = client.post(
        reverse("login") + "?next=/catalog/products/",
        {"username": "boss", "password": PASSWORD, "next": "/catalog/products/"},
    )
    assert response.url == "/catalog/products/"
    assert not SetupProgress.objects.exists()


def test_staff_never_see_the_wizard(client):
    StaffFactory(username="clerk")
    assert sign_in(client, "clerk").url == reverse("home")
    assert not SetupProgress.objects.exists()
    for name in ("start", "shop", "warehouses", "products", "opening", "staff", "done"):
        assert client.get(reverse(f"firstrun:{name}")).status_code == 403
    assert client.post(reverse("firstrun:dismiss")).status_code == 403
    assert "setup-checklist" not in client.get("/").content.decode()


def test_a_shop_with_products_does_not_open_it(client):
    OwnerFactory(username="boss")
    ProductFactory()
    assert sign_in(client, "boss").url == reverse("home")
    assert not SetupProgress.objects.exists()


def test_a_seed_demo_shop_does_not_open_it(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    owner = get_user_model().objects.get(username="owner")
    owner.set_password(PASSWORD)
    owner.save()
    assert sign_in(client, "owner").url == reverse("home")
    assert "setup-checklist" not in client.get("/").content.decode()


# --- step 1: the shop -----------------------------------------------------------------


@pytest.fixture
def wizard(owner_client, owner):
    """The owner's client, the wizard opened as the first sign-in opens it."""
    assert services.setup_open_at_sign_in(user=owner)
    return owner_client


SHOP = {
    "name": "阳光水果店",
    "address": "杭州市文三路 1 号",
    "phone": "0571-8888 6666",
    "slip_footer": "谢谢惠顾",
}


def test_the_shop_step_saves_the_profile_and_goes_on(wizard):
    response = wizard.post(reverse("firstrun:shop"), SHOP)
    assert response.url == reverse("firstrun:warehouses")
    profile = ShopProfile.objects.get(pk=1)
    assert (profile.name, profile.phone) == ("阳光水果店", "0571-8888 6666")
    assert steps_state() == {"shop": "done"}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "", "这个字段是必填项"),
        ("phone", "打电话给我", "不是有效的电话号码"),
        ("phone", "123", "7 到 15 位数字"),
        ("phone", "1" * 20, "7 到 15 位数字"),
    ],
)
def test_the_shop_step_refuses_bad_input_and_changes_nothing(
    wizard, field, value, words
):
    response = wizard.post(reverse("firstrun:shop"), {**SHOP, field: value})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not ShopProfile.objects.exists()
    assert steps_state() == {}


# --- step 2: warehouses ---------------------------------------------------------------


def test_the_default_warehouse_is_renamed_and_another_added(wizard):
    main = Warehouse.objects.get(is_default=True)
    wizard.post(reverse("firstrun:warehouses"), {"warehouse": main.pk, "name": "门店"})
    response = wizard.post(reverse("firstrun:warehouses"), {"name": "后仓"})
    assert response.url == reverse("firstrun:warehouses")
    assert Warehouse.objects.get(pk=main.pk).name == "门店"
    added = Warehouse.objects.get(name="后仓")
    assert (added.code, added.is_default, added.is_active) == ("WH02", False, True)


@pytest.mark.parametrize(
    ("name", "holder"),
    [("主仓库", "主仓库"), (" 主仓库 ", "主仓库"), ("back room", "Back Room")],
)
def test_a_duplicate_warehouse_name_is_refused_and_nothing_changes(
    wizard, name, holder
):
    other = Warehouse.objects.create(code="WH09", name="Back Room")
    before = list(Warehouse.objects.values_list("pk", "code", "name").order_by("pk"))
    renamed_to = other if holder != other.name else Warehouse.objects.get(code="WH01")
    added = wizard.post(reverse("firstrun:warehouses"), {"name": name})
    renamed = wizard.post(
        reverse("firstrun:warehouses"), {"warehouse": renamed_to.pk, "name": name}
    )
    for response in (added, renamed):
        assert response.status_code == 200
        assert f"已有名为“{holder}”的仓库" in response.content.decode()
    assert (
        list(Warehouse.objects.values_list("pk", "code", "name").order_by("pk"))
        == before
    )
    assert SetupProgress.objects.get().steps == {}


def test_renaming_a_warehouse_to_its_own_name_is_fine(wizard):
    main = Warehouse.objects.get(is_default=True)
    response = wizard.post(
        reverse("firstrun:warehouses"), {"warehouse": main.pk, "name": main.name}
    )
    assert response.status_code == 302


# --- step 3: products -----------------------------------------------------------------


def test_products_added_by_hand_take_the_barcode_or_a_number_as_sku(wizard):
    url = reverse("firstrun:products")
    wizard.post(
        url,
        {
            "name": "苹果",
            "unit": "斤",
            "sale_price": "6.80",
            "barcode": "6901234567892",
        },
    )
    response = wizard.post(
        url, {"name": "梨", "unit": "斤", "sale_price": "5", "barcode": ""}
    )
    assert "商品“梨”已添加" in said(response)
    apple, pear = Product.objects.order_by("pk")
    assert (apple.sku, apple.unit, apple.sale_price) == (
        "6901234567892",
        "斤",
        Decimal("6.80"),
    )
    assert pear.sku == "P0001"
    assert "梨" in wizard.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"name": ""}, "这个字段是必填项"),
        ({"sale_price": "-1"}, "0"),
        ({"sale_price": "abc"}, "输入一个数字"),
        ({"barcode": "6901234567892"}, "已被"),
    ],
)
def test_a_bad_product_is_refused_and_nothing_changes(wizard, data, words):
    ProductFactory(name="老苹果", barcode="6901234567892")
    typed = {"name": "苹果", "unit": "斤", "sale_price": "6.80", "barcode": ""}
    response = wizard.post(reverse("firstrun:products"), {**typed, **data})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Product.objects.count() == 1


def test_the_products_step_is_not_done_without_products(wizard):
    response = wizard.post(
        reverse("firstrun:step_end"), {"step": "products", "action": "done"}
    )
    assert response.url == reverse("firstrun:products")
    assert "还没有商品" in said(response)
    assert steps_state() == {}


# --- step 4: opening stock ------------------------------------------------------------


def test_typed_opening_quantities_are_booked_at_the_purchase_price(wizard):
    apple = ProductFactory(name="苹果", purchase_price=Decimal("4.00"))
    pear = ProductFactory(name="梨")
    store = Warehouse.objects.get(is_default=True)
    response = wizard.post(
        reverse("firstrun:opening"),
        {
            "warehouse": store.pk,
            f"quantity_{apple.pk}": "12.5",
            f"quantity_{pear.pk}": "",
        },
    )
    assert response.url == reverse("firstrun:staff")
    level = StockLevel.objects.get(product=apple, warehouse=store)
    assert (level.on_hand, level.value) == (Decimal("12.5"), Decimal("50.00"))
    assert not StockLevel.objects.filter(product=pear).exists()
    assert steps_state() == {"opening": "done"}
    # Booked products leave the list; the pear is still to type.
    assert list(selectors.products_without_stock()) == [pear]


def test_a_typed_unit_cost_values_the_opening_stock(wizard):
    apple = ProductFactory(name="苹果", purchase_price=Decimal("4.00"))
    wizard.post(
        reverse("firstrun:opening"),
        {
            "warehouse": Warehouse.objects.get().pk,
            f"quantity_{apple.pk}": "10",
            f"cost_{apple.pk}": "3.125",
        },
    )
    level = StockLevel.objects.get(product=apple)
    assert (level.unit_cost, level.value) == (Decimal("3.1250"), Decimal("31.25"))


def test_a_negative_unit_cost_is_refused_and_nothing_changes(wizard):
    apple = ProductFactory(name="苹果")
    response = wizard.post(
        reverse("firstrun:opening"),
        {
            "warehouse": Warehouse.objects.get().pk,
            f"quantity_{apple.pk}": "10",
            f"cost_{apple.pk}": "-1",
        },
    )
    assert "大于或等于0" in response.content.decode()
    assert not StockLevel.objects.exists()
    assert steps_state() == {}


@pytest.mark.parametrize(
    ("quantity", "words"),
    [("-3", "0"), ("", "请至少为一个商品填写数量"), ("x", "数字")],
)
def test_bad_opening_quantities_are_refused_and_nothing_changes(
    wizard, quantity, words
):
    apple = ProductFactory(name="苹果")
    response = wizard.post(
        reverse("firstrun:opening"),
        {
            "warehouse": Warehouse.objects.get().pk,
            f"quantity_{apple.pk}": quantity,
        },
        follow=True,
    )
    assert words in response.content.decode()
    assert not OpeningStock.objects.exists()
    assert not StockLevel.objects.exists()
    assert steps_state() == {}


def test_posting_the_same_opening_form_twice_books_it_once(wizard):
    apple = ProductFactory(name="苹果")
    data = {
        "warehouse": Warehouse.objects.get().pk,
        f"quantity_{apple.pk}": "3",
        "submission": "0b7f7d1c-7e66-4c43-9d55-1e1d1b8e1d11",
    }
    wizard.post(reverse("firstrun:opening"), data)
    wizard.post(reverse("firstrun:opening"), data)
    assert OpeningStock.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == 3


# --- step 5: staff --------------------------------------------------------------------


def test_the_staff_step_creates_a_clerk_account(wizard):
    response = wizard.post(
        reverse("firstrun:staff"),
        {
            "username": "xiaowang",
            "first_name": "小王",
            "role": STAFF,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.url == reverse("firstrun:staff")
    clerk = get_user_model().objects.get(username="xiaowang")
    assert user_role(clerk) == STAFF and clerk.check_password(PASSWORD)


def test_a_bad_staff_account_is_refused_and_nothing_changes(wizard):
    users = get_user_model().objects.count()
    response = wizard.post(
        reverse("firstrun:staff"),
        {
            "username": "xiaowang",
            "role": STAFF,
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    assert response.status_code == 200
    assert "两次输入的密码不一致" in response.content.decode()
    assert get_user_model().objects.count() == users


# --- skip, resume, the checklist ------------------------------------------------------


def end(client, step, action):
    return client.post(reverse("firstrun:step_end"), {"step": step, "action": action})


def test_skipping_moves_on_and_resuming_starts_at_the_first_step_left(wizard):
    assert end(wizard, "shop", "skipped").url == reverse("firstrun:warehouses")
    assert end(wizard, "warehouses", "done").url == reverse("firstrun:products")
    assert wizard.get(reverse("firstrun:start")).url == reverse("firstrun:products")
    for step in ("products", "opening", "staff"):
        end(wizard, step, "skipped")
    assert end(wizard, "staff", "skipped").url == reverse("firstrun:done")
    assert wizard.get(reverse("firstrun:start")).url == reverse("firstrun:done")
    assert steps_state() == {
        "shop": "skipped",
        "warehouses": "done",
        "products": "skipped",
        "opening": "skipped",
        "staff": "skipped",
    }


def test_a_done_step_stays_done_when_skipped_later(wizard):
    end(wizard, "warehouses", "done")
    end(wizard, "warehouses", "skipped")
    assert steps_state() == {"warehouses": "done"}


@pytest.mark.parametrize(
    "data", [{"step": "nothing", "action": "done"}, {"step": "shop", "action": "x"}, {}]
)
def test_an_unknown_step_or_action_changes_nothing(wizard, data):
    response = wizard.post(reverse("firstrun:step_end"), data)
    assert response.url == reverse("firstrun:start")
    assert "没有这个步骤" in said(response)
    assert steps_state() == {}


def test_the_dashboard_lists_the_steps_until_all_are_done(wizard):
    end(wizard, "shop", "done")
    end(wizard, "warehouses", "skipped")
    html = wizard.get("/").content.decode()
    assert 'id="setup-checklist"' in html
    assert "已跳过" in html and "待完成" in html
    for step in ("warehouses", "products", "opening", "staff"):
        SetupProgress.objects.filter(pk=1).update(steps={**steps_state(), step: "done"})
    assert 'id="setup-checklist"' not in wizard.get("/").content.decode()


def test_the_checklist_can_be_put_away(wizard):
    assert 'id="setup-checklist"' in wizard.get("/").content.decode()
    response = wizard.post(reverse("firstrun:dismiss"))
    assert response.url == reverse("home")
    assert 'id="setup-checklist"' not in wizard.get("/").content.decode()
    # The wizard itself is still there.
    assert wizard.get(reverse("firstrun:shop")).status_code == 200


def test_a_shop_that_never_opened_the_wizard_shows_no_checklist(owner_client):
    assert 'id="setup-checklist"' not in owner_client.get("/").content.decode()


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("shop", 9),
        ("warehouses", 9),
        ("products", 10),
        ("opening", 11),
        ("staff", 10),  # + the shops a clerk may belong to (门店)
        ("done", 8),
    ],
)
def test_wizard_pages_make_a_fixed_number_of_queries(
    wizard, count_queries, name, queries
):
    url = reverse(f"firstrun:{name}")
    counted = []
    for more in (2, 8):  # the count stays flat as the shop grows
        for _n in range(more):
            ProductFactory()
        counted.append(count_queries(wizard, url))
    assert counted == [queries, queries]
