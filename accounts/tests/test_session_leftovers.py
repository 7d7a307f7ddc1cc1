"""Login leftovers of issue 14: the remembered device (an address lock never holds
back an account on a computer it signed in from), address locks lifted on the
Accounts page, the password change limited like sign-in, and sign-ins, failures,
locks and exports in the audit trail."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.lockout import DEVICE_COOKIE
from accounts.models import LoginFailure
from accounts.tests.factories import PASSWORD
from audit.models import Action, AuditEntry
from audit.tests.helpers import actions

User = get_user_model()
pytestmark = pytest.mark.django_db

SHOP = "192.168.1.20"  # every computer behind the shop's router
ADDRESS_LOCKED = "Too many failed sign-ins from this computer"
LOCKED = "this account is locked"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def browser(ip=SHOP):
    client = Client(REMOTE_ADDR=ip)
    client.cookies["django_language"] = "en"
    return client


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def stranger_guesses_names(ip=SHOP, count=20):
    stranger = browser(ip)
    for n in range(count):
        assert sign_in(stranger, f"guess{n}", "wrong").status_code == 200
    return stranger


# --- the remembered device -----------------------------------------------------------


def test_a_signed_in_browser_gets_a_signed_device_cookie(owner):
    counter = browser()
    assert sign_in(counter, "boss").status_code == 302

    cookie = counter.cookies[DEVICE_COOKIE]
    assert cookie.value and "boss" not in cookie.value  # signed and packed
    assert cookie["httponly"]
    assert int(cookie["max-age"]) > 300 * 24 * 3600


def test_an_address_lock_does_not_hold_back_the_owner_on_a_remembered_device(owner):
    counter = browser()
    assert sign_in(counter, "boss").status_code == 302
    counter.post("/logout/")
    stranger_guesses_names()

    # A computer the owner never signed in from is held back by the lock...
    response = sign_in(browser(), "boss")
    assert ADDRESS_LOCKED in response.content.decode()
    # ...the one the owner always uses is not.
    assert sign_in(counter, "boss").status_code == 302
    assert signed_in(counter)


def test_a_remembered_device_vouches_only_for_the_accounts_that_signed_in_on_it(
    owner, staff
):
    counter = browser()
    assert sign_in(counter, "boss").status_code == 302
    counter.post("/logout/")
    stranger_guesses_names()

    response = sign_in(counter, "clerk")

    assert ADDRESS_LOCKED in response.content.decode()
    assert not signed_in(counter)


def test_a_forged_device_cookie_counts_for_nothing(owner):
    stranger_guesses_names()
    forger = browser()
    forger.cookies[DEVICE_COOKIE] = '["boss"]'

    response = sign_in(forger, "boss")

    assert ADDRESS_LOCKED in response.content.decode()
    assert not signed_in(forger)


def test_the_account_lock_still_holds_on_a_remembered_device(owner):
    counter = browser()
    assert sign_in(counter, "boss").status_code == 302
    counter.post("/logout/")
    for _ in range(5):
        sign_in(counter, "boss", "wrong")

    response = sign_in(counter, "boss")

    assert LOCKED in response.content.decode()
    assert not signed_in(counter)
    # Counted against the account, not against the shop's address.
    assert LoginFailure.objects.filter(username="boss", ip=None).count() == 5


# --- the owner lifts address locks ---------------------------------------------------


def test_the_owner_sees_a_locked_address_and_unlocks_it(owner_client, staff):
    stranger_guesses_names("203.0.113.9")
    page = owner_client.get("/accounts/users/").content.decode()
    assert "203.0.113.9" in page and 'id="unlock-address-1"' in page

    response = owner_client.post(
        "/accounts/addresses/unlock/", {"ip": "203.0.113.9"}, follow=True
    )

    assert "203.0.113.9 已解锁" in response.content.decode()
    assert sign_in(browser("203.0.113.9"), "clerk").status_code == 302
    assert 'id="unlock-address-1"' not in (
        owner_client.get("/accounts/users/").content.decode()
    )
    entry = AuditEntry.objects.get(action=Action.UNLOCK)
    assert (entry.user.username, entry.object_label) == ("boss", "203.0.113.9")


def test_unlocking_an_address_keeps_the_accounts_own_failures(owner_client, staff):
    for _ in range(5):
        sign_in(browser("203.0.113.9"), "clerk", "wrong")
    stranger_guesses_names("203.0.113.9", count=15)

    owner_client.post("/accounts/addresses/unlock/", {"ip": "203.0.113.9"})

    assert LOCKED in sign_in(browser("203.0.113.9"), "clerk").content.decode()
    assert sign_in(browser("203.0.113.9"), "boss").status_code == 302


@pytest.mark.parametrize("typed", ["", "not-an-address", "999.1.1.1", "<b>x</b>"])
def test_a_garbled_address_unlocks_nothing(owner_client, typed):
    stranger_guesses_names("203.0.113.9")
    before = list(LoginFailure.objects.values_list("pk", "ip"))

    response = owner_client.post(
        "/accounts/addresses/unlock/", {"ip": typed}, follow=True
    )

    assert "这不是一个地址，没有解锁任何内容。" in response.content.decode()
    assert list(LoginFailure.objects.values_list("pk", "ip")) == before
    assert not AuditEntry.objects.filter(action=Action.UNLOCK).exists()


def test_a_clerk_cannot_unlock_an_address(staff_client):
    stranger_guesses_names("203.0.113.9")

    response = staff_client.post("/accounts/addresses/unlock/", {"ip": "203.0.113.9"})

    assert response.status_code == 403
    assert LoginFailure.objects.filter(ip="203.0.113.9").count() == 20


# --- the password change is limited like sign-in -------------------------------------


def change_password(client, old):
    return client.post(
        "/accounts/password/",
        {
            "old_password": old,
            "new_password1": "Fresh-Start-88",
            "new_password2": "Fresh-Start-88",
        },
    )


def test_wrong_old_passwords_lock_the_password_change_like_sign_in(staff):
    clerk = browser()
    assert sign_in(clerk, "clerk").status_code == 302
    for _ in range(5):
        assert change_password(clerk, "guess").status_code == 200

    response = change_password(clerk, PASSWORD)

    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)  # not changed
    assert LoginFailure.objects.filter(username="clerk").count() == 5
    # The same lock holds at the sign-in page.
    assert LOCKED in sign_in(browser("10.9.9.9"), "clerk").content.decode()


def test_the_password_change_with_the_right_old_password_still_works(staff):
    clerk = browser()
    sign_in(clerk, "clerk")
    change_password(clerk, "guess")

    response = change_password(clerk, PASSWORD)

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Fresh-Start-88")


# --- the audit trail ------------------------------------------------------------------


def test_a_sign_in_is_in_the_audit_trail(owner):
    sign_in(browser(), "boss")

    entry = AuditEntry.objects.get(action=Action.SIGN_IN)
    assert (entry.user, entry.object_id, entry.summary) == (
        owner,
        owner.pk,
        f"From {SHOP}.",
    )


def test_an_admin_sign_in_is_in_the_trail_and_a_test_login_is_not(db):
    admin = User.objects.create_superuser("it-admin", password=PASSWORD)
    Client().force_login(admin)
    assert not AuditEntry.objects.exists()

    response = browser().post(
        "/admin/login/?next=/admin/",
        {"username": "it-admin", "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert actions(admin) == [Action.SIGN_IN]


def test_failed_sign_ins_and_the_lock_are_in_the_audit_trail(staff):
    for _ in range(5):
        sign_in(browser(), "Clerk", "wrong")
    sign_in(browser(), "clerk", "wrong")  # refused while locked: not counted

    assert actions(staff) == [Action.SIGN_IN_FAILED] * 5 + [Action.LOCK]
    lock = AuditEntry.objects.get(action=Action.LOCK)
    assert lock.summary.startswith("Account locked until")
    assert lock.user is None


def test_an_unknown_name_and_an_address_lock_are_in_the_trail_without_a_record(db):
    stranger_guesses_names("203.0.113.9")

    failed = AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED)
    assert failed.count() == 20
    assert set(failed.values_list("content_type", "object_id")) == {(None, None)}
    assert failed.filter(object_label="guess7", summary="From 203.0.113.9.").exists()
    lock = AuditEntry.objects.get(action=Action.LOCK)
    assert lock.object_label == "203.0.113.9"
    assert lock.summary.startswith("Address locked until")


def test_the_log_shows_entries_without_a_record(owner_client):
    stranger_guesses_names("203.0.113.9", count=1)

    page = owner_client.get("/audit/").content.decode()

    assert "guess0" in page and "登录失败" in page


def test_every_export_is_in_the_trail_with_who_what_and_filters(owner, staff):
    owner_client, staff_client = Client(), Client()
    owner_client.force_login(owner)
    staff_client.force_login(staff)
    owner_client.get("/catalog/products/export/", {"q": "苹果", "page": "2"})
    staff_client.get("/inventory/export/")
    owner_client.get("/catalog/products/")  # a page, not an export

    entries = AuditEntry.objects.filter(action=Action.EXPORT).order_by("pk")
    assert [e.user for e in entries] == [owner, staff]
    products, stock = entries
    assert products.object_label.startswith("商品") and products.object_label.endswith(
        ".xlsx"
    )
    assert products.summary == "筛选：q=苹果（/catalog/products/export/）"
    assert stock.summary == "无筛选（/inventory/export/）"
    assert AuditEntry.objects.count() == 2


def test_an_export_with_control_characters_in_its_filters_is_still_recorded(
    owner_client,
):
    response = owner_client.get("/catalog/products/export/", {"q": "a\x00b\x1b"})

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.summary == "筛选：q=a\ufffdb\ufffd（/catalog/products/export/）"
