"""Login protection, session expiry, password rules and deactivation: who gets in."""

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.lockout import client_ip
from accounts.models import LoginFailure
from accounts.roles import STAFF
from accounts.tests.factories import PASSWORD, OwnerFactory, StaffFactory
from sales.models import SalesOrder

User = get_user_model()
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "this account is locked"
ADDRESS_LOCKED = "Too many failed sign-ins from this computer"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """These tests sign in dozens of times; each try hashes a password, and the
    production hasher is slow on purpose. What is tested here is not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def browser(ip="10.1.1.1"):
    """A client from one computer, in English (the messages checked below)."""
    client = Client(REMOTE_ADDR=ip)
    client.cookies["django_language"] = "en"
    return client


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def fail(client, username, times):
    for _ in range(times):
        response = sign_in(client, username, "wrong-guess")
        assert response.status_code == 200


# --- login protection ----------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(staff):
    client = browser()
    fail(client, "clerk", 5)

    response = sign_in(client, "clerk")

    assert response.status_code == 200
    page = response.content.decode()
    assert LOCKED in page
    assert "Try again in 15 minutes, or ask the owner to unlock it." in page
    assert not signed_in(client)
    assert LoginFailure.objects.filter(username="clerk").count() == 5


def test_the_lock_message_is_chinese_by_default(staff):
    client = Client()
    fail(client, "clerk", 5)
    response = sign_in(client, "clerk")
    assert "登录失败次数过多" in response.content.decode()


def test_four_wrong_passwords_then_the_right_one_signs_in_and_forgets_them(staff):
    client = browser()
    fail(client, "clerk", 4)

    assert sign_in(client, "clerk").status_code == 302
    assert signed_in(client)
    assert not LoginFailure.objects.filter(username="clerk").exists()


def test_the_lock_lifts_after_the_cool_off(staff):
    start = timezone.now()
    client = browser()
    with time_machine.travel(start, tick=False):
        fail(client, "clerk", 5)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        response = sign_in(client, "clerk")
        assert "Try again in 1 minute," in response.content.decode()
        assert not signed_in(client)
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1)):
        assert sign_in(client, "clerk").status_code == 302
        assert signed_in(client)


def test_tries_while_locked_are_not_counted_so_the_lock_does_not_grow(staff):
    start = timezone.now()
    client = browser()
    with time_machine.travel(start, tick=False):
        fail(client, "clerk", 5)
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        fail(client, "clerk", 10)
    assert LoginFailure.objects.filter(username="clerk").count() == 5
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1)):
        assert sign_in(client, "clerk").status_code == 302


def test_usernames_are_counted_whatever_their_case(staff):
    client = browser()
    fail(client, "Clerk", 3)
    fail(client, " CLERK", 2)
    assert LOCKED in sign_in(client, "clerk").content.decode()


def test_an_unknown_username_locks_like_a_real_one(db):
    """Nothing tells an attacker which usernames exist."""
    client = browser()
    fail(client, "nobody", 5)
    assert LOCKED in sign_in(client, "nobody").content.decode()


def test_one_clerks_typos_do_not_lock_the_shop_computer_for_the_others(staff):
    StaffFactory(username="xiaoli")
    counter = browser("192.168.1.20")
    fail(counter, "clerk", 5)

    other = browser("192.168.1.20")
    assert sign_in(other, "xiaoli").status_code == 302
    assert signed_in(other)


def test_many_failures_from_one_address_lock_that_address_only(staff):
    StaffFactory(username="xiaoli")
    attacker = browser("203.0.113.9")
    for n in range(20):
        fail(attacker, f"guess{n}", 1)

    response = sign_in(attacker, "xiaoli")
    assert ADDRESS_LOCKED in response.content.decode()
    assert not signed_in(attacker)

    shop = browser("192.168.1.20")
    assert sign_in(shop, "xiaoli").status_code == 302


def test_limits_and_lock_period_come_from_settings(settings, staff):
    settings.JXC_LOGIN_FAILURE_LIMIT = 2
    settings.JXC_LOGIN_LOCK_SECONDS = 60
    start = timezone.now()
    client = browser()
    with time_machine.travel(start, tick=False):
        fail(client, "clerk", 2)
        assert "Try again in 1 minute," in sign_in(client, "clerk").content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=61)):
        assert sign_in(client, "clerk").status_code == 302


def test_environment_sets_the_limits_and_refuses_nonsense():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='jxc.settings'; "
        "from django.conf import settings as s; "
        "print(s.JXC_LOGIN_FAILURE_LIMIT, s.JXC_LOGIN_IP_FAILURE_LIMIT, "
        "s.JXC_LOGIN_LOCK_SECONDS, s.SESSION_COOKIE_AGE)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JXC_"))}
    env.pop("DATABASE_URL", None)
    env.update(DJANGO_DEBUG="1")
    run = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 60}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **env,
            "JXC_LOGIN_FAILURE_LIMIT": "3",
            "JXC_LOGIN_IP_FAILURE_LIMIT": "50",
            "JXC_LOGIN_LOCK_SECONDS": "600",
            "JXC_SESSION_SECONDS": "1800",
        },
        check=False,
        **run,
    )
    assert result.stdout.split() == ["3", "50", "600", "1800"], result.stderr
    refused = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "JXC_LOGIN_FAILURE_LIMIT": "0"},
        check=False,
        **run,
    )
    assert refused.returncode != 0
    assert "must be at least 1" in refused.stderr


def test_owner_sees_the_lock_and_unlocks_the_account(owner_client, staff):
    clerk = browser()
    fail(clerk, "clerk", 5)
    page = owner_client.get("/accounts/users/").content.decode()
    assert f'id="locked-{staff.pk}"' in page
    assert f'id="unlock-{staff.pk}"' in page

    response = owner_client.post(f"/accounts/users/{staff.pk}/unlock/")

    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="clerk").exists()
    assert (
        f'id="locked-{staff.pk}"'
        not in owner_client.get("/accounts/users/").content.decode()
    )
    assert sign_in(clerk, "clerk").status_code == 302


def test_staff_cannot_unlock_and_unlock_wants_a_post(staff_client, staff):
    other = StaffFactory(username="xiaoli")
    fail(browser(), "xiaoli", 5)
    assert staff_client.post(f"/accounts/users/{other.pk}/unlock/").status_code == 403
    assert LoginFailure.objects.filter(username="xiaoli").count() == 5


def test_unlock_is_post_only_for_the_owner(owner_client, staff):
    assert owner_client.get(f"/accounts/users/{staff.pk}/unlock/").status_code == 405


def test_a_new_password_from_the_owner_also_unlocks(owner_client, staff):
    fail(browser(), "clerk", 5)
    owner_client.post(
        f"/accounts/users/{staff.pk}/password/",
        {"password1": "Fresh-Start-88", "password2": "Fresh-Start-88"},
    )
    assert sign_in(browser(), "clerk", "Fresh-Start-88").status_code == 302


def test_the_admin_sign_in_is_locked_too(db):
    User.objects.create_superuser("it-admin", password=PASSWORD)
    client = browser()
    fail(client, "it-admin", 5)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "it-admin", "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 200
    # The right password, refused: the admin's sign-in form comes back with its
    # error, and the admin stays closed.
    assert 'class="errornote"' in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_unlock_logins_command_lifts_account_and_address_locks(staff):
    fail(browser("203.0.113.9"), "clerk", 5)
    for n in range(20):
        fail(browser("203.0.113.10"), f"guess{n}", 1)

    call_command("unlock_logins", "clerk", stdout=StringIO())
    assert sign_in(browser(), "clerk").status_code == 302
    assert LoginFailure.objects.filter(ip="203.0.113.10").count() == 20

    call_command("unlock_logins", stdout=StringIO())
    assert not LoginFailure.objects.exists()


def test_old_failures_are_deleted_as_new_ones_come(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(browser(), "clerk", 3)
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        fail(browser(), "someone", 1)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]


def test_client_address_behind_the_proxy_is_the_one_it_appended(rf, settings):
    spoofed = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}
    settings.JXC_BEHIND_PROXY = False
    assert client_ip(rf.get("/", **spoofed)) == "10.0.0.1"
    settings.JXC_BEHIND_PROXY = True
    assert client_ip(rf.get("/", **spoofed)) == "5.6.7.8"
    assert client_ip(rf.get("/", REMOTE_ADDR="not an address")) is None


# --- sessions ------------------------------------------------------------------------


def test_a_session_expires_after_inactivity_not_after_sign_in(settings, staff):
    """JXC_SESSION_SECONDS (8 hours by default) counts from the last request."""
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    client = browser()
    with time_machine.travel(start, tick=False):
        sign_in(client, "clerk")
        assert signed_in(client)
    with time_machine.travel(start + age - datetime.timedelta(minutes=1), tick=False):
        assert signed_in(client)
    # Twice the age since signing in, but never idle that long: still signed in.
    busy = start + 2 * age - datetime.timedelta(minutes=2)
    with time_machine.travel(busy, tick=False):
        assert signed_in(client)
    with time_machine.travel(busy + age + datetime.timedelta(minutes=1), tick=False):
        response = client.get("/sales/")
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=/sales/")


# --- password rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "too common"),
        ("12345678", "entirely numeric"),
        ("Ab1!", "too short"),
        ("wangxiaoming", "too similar"),
    ],
)
def test_owner_cannot_set_a_weak_password(owner_client, password, message):
    clerk = StaffFactory(username="wangxiaoming")
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(
        f"/accounts/users/{clerk.pk}/password/",
        {"password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_new_account_with_a_common_password_is_refused(owner_client):
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(
        "/accounts/users/new/",
        {
            "username": "xiaoli",
            "role": STAFF,
            "password1": "iloveyou",
            "password2": "iloveyou",
        },
    )
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="xiaoli").exists()


# --- deactivation --------------------------------------------------------------------


def test_a_deactivated_clerk_gets_the_login_page_next_and_can_post_nothing(
    owner_client, staff
):
    clerk = browser()
    sign_in(clerk, "clerk")
    assert signed_in(clerk)
    owner_client.post(f"/accounts/users/{staff.pk}/", {"first_name": "", "role": STAFF})

    response = clerk.get("/sales/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert 'id="login-button"' in response.content.decode()

    response = clerk.post("/sales/orders/new/", {"lines-TOTAL_FORMS": "0"})
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert not SalesOrder.objects.exists()
    # Nor can the old password sign in again.
    assert sign_in(clerk, "clerk").status_code == 200
    assert not signed_in(clerk)


def test_a_deactivated_owner_loses_access_at_once(owner_client):
    other = OwnerFactory(username="partner")
    partner = browser()
    sign_in(partner, "partner")
    assert partner.get("/reports/summary/").status_code == 200
    owner_client.post(
        f"/accounts/users/{other.pk}/", {"first_name": "", "role": "owner"}
    )
    response = partner.get("/reports/summary/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
