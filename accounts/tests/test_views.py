import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from accounts.roles import OWNER, STAFF, user_role
from accounts.tests.factories import StaffFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_roles_exist_with_owner_only_permissions():
    owner_perms = set(
        Group.objects.get(name=OWNER).permissions.values_list("codename", flat=True)
    )
    staff_perms = set(
        Group.objects.get(name=STAFF).permissions.values_list("codename", flat=True)
    )
    assert {"manage_users", "view_cost"} <= owner_perms
    assert not {"manage_users", "view_cost"} & staff_perms


def test_owner_sees_the_account_list(owner_client, staff):
    response = owner_client.get("/accounts/users/")
    assert response.status_code == 200
    assert "clerk" in response.content.decode()


def test_staff_may_not_manage_accounts(staff_client):
    assert staff_client.get("/accounts/users/").status_code == 403
    response = staff_client.post(
        "/accounts/users/new/",
        {
            "username": "intruder",
            "role": OWNER,
            "password1": "Xy7!kq29zz",
            "password2": "Xy7!kq29zz",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()


def test_owner_adds_a_staff_account_that_can_sign_in(owner_client, client):
    response = owner_client.post(
        "/accounts/users/new/",
        {
            "username": "xiaoli",
            "first_name": "小李",
            "role": STAFF,
            "password1": "Counter-2026!",
            "password2": "Counter-2026!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="xiaoli")
    assert user_role(user) == STAFF
    assert user.check_password("Counter-2026!")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "username": "clerk",
                "role": STAFF,
                "password1": "Counter-2026!",
                "password2": "Counter-2026!",
            },
            "已被占用",
        ),
        (
            {
                "username": "new1",
                "role": STAFF,
                "password1": "Counter-2026!",
                "password2": "Counter-2027!",
            },
            "两次输入的密码不一致",
        ),
        (
            {
                "username": "new2",
                "role": STAFF,
                "password1": "12345678",
                "password2": "12345678",
            },
            "密码",
        ),
        (
            {
                "username": "  ",
                "role": STAFF,
                "password1": "Counter-2026!",
                "password2": "Counter-2026!",
            },
            "这个字段是必填项",
        ),
    ],
)
def test_bad_new_account_is_refused_and_nothing_is_created(
    owner_client, staff, data, message
):
    count = User.objects.count()
    response = owner_client.post("/accounts/users/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == count


def test_deactivated_staff_loses_access_at_once(owner_client, staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/").status_code == 200
    owner_client.post(
        f"/accounts/users/{staff.pk}/", {"first_name": "x", "role": STAFF}
    )
    staff.refresh_from_db()
    assert staff.is_active is False
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_owner_cannot_deactivate_themselves(owner_client, owner):
    response = owner_client.post(
        f"/accounts/users/{owner.pk}/", {"first_name": "x", "role": OWNER}
    )
    assert response.status_code == 200
    assert "不能停用自己的账号" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active is True


def test_owner_resets_a_forgotten_password(owner_client):
    clerk = StaffFactory(username="wang")
    response = owner_client.post(
        f"/accounts/users/{clerk.pk}/password/",
        {"password1": "Fresh-Start-88", "password2": "Fresh-Start-88"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Fresh-Start-88")


def test_user_changes_own_password(staff_client, staff, password):
    response = staff_client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Mine-Only-2026",
            "new_password2": "Mine-Only-2026",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Mine-Only-2026")


def test_login_and_logout(client, staff, password):
    response = client.post("/login/", {"username": "clerk", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, staff):
    response = client.post("/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_owner_cannot_touch_superuser_accounts(owner_client):
    admin = User.objects.create_superuser("it-admin", password="Admin-Only-2026")
    assert "it-admin" not in owner_client.get("/accounts/users/").content.decode()
    assert owner_client.get(f"/accounts/users/{admin.pk}/").status_code == 404
    response = owner_client.post(
        f"/accounts/users/{admin.pk}/password/",
        {"password1": "Taken-Over-99", "password2": "Taken-Over-99"},
    )
    assert response.status_code == 404
    admin.refresh_from_db()
    assert admin.check_password("Admin-Only-2026")
