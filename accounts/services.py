"""Writes to user accounts: only these functions create or change users."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import lockout, selectors
from accounts.models import LoginFailure
from accounts.roles import OWNER, ROLE_LABELS, STAFF, user_role
from audit.changes import changes, snapshot
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import Shop
from jxc.backup import backup_create, backup_prune

User = get_user_model()


# What the audit trail records of an account (never its password).
AUDIT_FIELDS = ["username", "first_name", "last_name", "is_active"]


def _set_role(user, role: str) -> None:
    user.groups.set([Group.objects.get(name=role)])


def _role_label(role: str | None) -> str | None:
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else role


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    shops=None,
    acting_user=None,
):
    """Create an active account holding exactly one role, in ``shops`` (a clerk
    given none: the first shop)."""
    user = User(username=username, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.save()
    _set_role(user, role)
    shops = list(shops or [])
    if not shops and role == STAFF:
        shops = list(Shop.objects.order_by("pk")[:1])
    user.shops.set(shops)
    found = {**changes(None, user, AUDIT_FIELDS), "role": [None, _role_label(role)]}
    if shops:
        found["shops"] = [None, _shop_names(shops)]
    audit_record(user=acting_user, action=Action.CREATE, record=user, changes=found)
    return user


def _shop_names(shops) -> str | None:
    return "、".join(sorted(shop.name for shop in shops)) or None


@transaction.atomic
def user_update(
    *,
    user,
    acting_user,
    role: str,
    is_active: bool,
    first_name: str,
    last_name: str,
    shops=None,
):
    """Change a user's name, role or active flag; owners cannot lock themselves out."""
    if user.pk == acting_user.pk and (not is_active or role != OWNER):
        raise ValidationError(
            _("You cannot deactivate your own account or remove your own owner role.")
        )
    before, old_role = snapshot(user, AUDIT_FIELDS), user_role(user)
    user.first_name = first_name
    user.last_name = last_name
    user.is_active = is_active
    user.save(update_fields=["first_name", "last_name", "is_active"])
    _set_role(user, role)
    found = changes(before, user, AUDIT_FIELDS)
    if old_role != role:
        found["role"] = [_role_label(old_role), _role_label(role)]
    shops = list(shops) if shops is not None else None
    if shops == []:
        # None ticked: a clerk stays in their shops (a clerk belongs to one at
        # least; a clerk in none joins the first, as a new one does).
        shops = list(user.shops.all()) or (
            list(Shop.objects.order_by("pk")[:1]) if role == STAFF else []
        )
    if shops is not None:
        old_shops = _shop_names(user.shops.all())
        user.shops.set(shops)
        if old_shops != _shop_names(shops):
            found["shops"] = [old_shops, _shop_names(shops)]
    if found:
        audit_record(user=acting_user, action=Action.CHANGE, record=user, changes=found)
    return user


@transaction.atomic
def user_set_password(*, user, password: str, acting_user=None) -> None:
    """Set a new password (the owner resetting a clerk's forgotten one); a clerk
    locked out by wrong guesses may sign in with it at once."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(user=acting_user, action=Action.PASSWORD, record=user)
    login_failures_clear(username=user.username)


def _from(address: str | None) -> str:
    return (
        _("From %(address)s.") % {"address": address}
        if address
        else _("From an unknown address.")
    )


def _account(username: str):
    """The account a typed name stands for (names are unique whatever their
    case), or None."""
    return User.objects.filter(username__iexact=lockout.normalize(username)).first()


@transaction.atomic
def sign_in_record(*, user, address: str | None) -> None:
    """Put a successful sign-in into the audit trail."""
    audit_record(user=user, action=Action.SIGN_IN, record=user, summary=_from(address))


@transaction.atomic
def login_failure_record(
    *, username: str, ip: str | None, address: str | None = None
) -> lockout.LoginLock | None:
    """Count one failed sign-in against the account and ``ip`` (None: against
    no address); failures older than the lock period go. The failure is in the
    audit trail (with ``address``, where the try came from, default ``ip``), and
    so is the lock it sets, if it sets one, which it returns."""
    now = timezone.now()
    name = lockout.normalize(username)
    address = address or ip
    LoginFailure.objects.filter(at__lte=now - lockout.lock_period()).delete()
    LoginFailure.objects.create(username=name, ip=ip, at=now)
    account = _account(username)
    entries = [
        audit_entry(
            user=None,
            action=Action.SIGN_IN_FAILED,
            record=account,
            label=name,
            summary=_from(address),
        )
    ]
    lock = selectors.login_lock(username=username, ip=ip)
    if lock is not None:
        until = timezone.localtime(lock.until).strftime("%Y-%m-%d %H:%M")
        if lock.scope == lockout.ACCOUNT:
            summary = _(
                "Account locked until %(until)s: too many failed sign-ins. %(from)s"
            ) % {"until": until, "from": _from(address)}
            entries.append(
                audit_entry(
                    user=None,
                    action=Action.LOCK,
                    record=account,
                    label=name,
                    summary=summary,
                )
            )
        else:
            summary = _(
                "Address locked until %(until)s: too many failed sign-ins from it."
            ) % {"until": until}
            entries.append(
                audit_entry(user=None, action=Action.LOCK, label=ip, summary=summary)
            )
    audit_record_many(entries)
    return lock


@transaction.atomic
def account_unlock(*, user, acting_user) -> None:
    """The owner lifts the lock failed sign-ins put on an account."""
    login_failures_clear(username=user.username)
    audit_record(user=acting_user, action=Action.UNLOCK, record=user)


@transaction.atomic
def address_unlock(*, ip: str, acting_user) -> None:
    """The owner lifts the lock failed sign-ins put on an address (the shop's
    network, say); the accounts' own failures stay counted."""
    LoginFailure.objects.filter(ip=ip).update(ip=None)
    audit_record(
        user=acting_user,
        action=Action.UNLOCK,
        label=ip,
        summary=_("Address %(address)s unlocked.") % {"address": ip},
    )


def login_failures_clear(*, username: str) -> None:
    """Forget an account's failed sign-ins: it is no longer locked."""
    LoginFailure.objects.filter(username=lockout.normalize(username)).delete()


def login_failures_clear_all() -> None:
    """Forget every failed sign-in: no account or address stays locked."""
    LoginFailure.objects.all().delete()


def backup_take(*, acting_user) -> Path:
    """Write a backup of the shop's database now (manage.py backup's work: one
    consistent file, the newest JXC_BACKUP_KEEP kept) and put it in the trail.

    Raises jxc.backup.BackupError, with nothing written, when it cannot be made.
    """
    folder = Path(settings.JXC_BACKUP_DIR)
    path = backup_create(connection=connection, folder=folder)
    backup_prune(folder=folder, keep=settings.JXC_BACKUP_KEEP)
    audit_record(
        user=acting_user,
        action=Action.CREATE,
        label=path.name,
        summary=_("Backup taken from the browser (%(size)s bytes)")
        % {"size": path.stat().st_size},
    )
    return path
