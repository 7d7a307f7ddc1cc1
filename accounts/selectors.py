"""Reads of user accounts and of the login protection."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts import lockout
from accounts.lockout import LoginLock
from accounts.models import LoginFailure
from jxc.backup import backups

User = get_user_model()


def user_list() -> QuerySet:
    """All accounts with their groups loaded, active ones first."""
    return managed_users().prefetch_related("groups").order_by("-is_active", "username")


def managed_users() -> QuerySet:
    """Accounts an owner manages: everyone but superusers (the IT administrator's
    accounts are managed in Django's admin only, so an owner cannot take them over)."""
    return User.objects.filter(is_superuser=False)


def login_lock(*, username: str, ip: str | None) -> LoginLock | None:
    """The lock that refuses this sign-in now (the account's first), or None.

    A limit is reached when that many failures lie within the lock period; it
    lifts when the oldest of those is older than the period.
    """
    since = timezone.now() - lockout.lock_period()
    checks = [
        (
            lockout.ACCOUNT,
            Q(username=lockout.normalize(username)),
            settings.JXC_LOGIN_FAILURE_LIMIT,
        )
    ]
    if ip is not None:
        checks.append((lockout.ADDRESS, Q(ip=ip), settings.JXC_LOGIN_IP_FAILURE_LIMIT))
    for scope, who, limit in checks:
        oldest_counted = (
            LoginFailure.objects.filter(who, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[limit - 1 : limit]
        )
        for at in oldest_counted:
            return LoginLock(scope=scope, until=at + lockout.lock_period())
    return None


def locked_usernames() -> set[str]:
    """Usernames (normalized) whose account is locked now, for the owner's list."""
    since = timezone.now() - lockout.lock_period()
    return set(
        LoginFailure.objects.filter(at__gt=since)
        .values("username")
        .annotate(failures=Count("pk"))
        .filter(failures__gte=settings.JXC_LOGIN_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def locked_addresses() -> list[dict]:
    """Addresses locked now ({"ip", "failures", "last"}), for the owner's list."""
    since = timezone.now() - lockout.lock_period()
    return list(
        LoginFailure.objects.filter(at__gt=since, ip__isnull=False)
        .values("ip")
        .annotate(failures=Count("pk"), last=Max("at"))
        .filter(failures__gte=settings.JXC_LOGIN_IP_FAILURE_LIMIT)
        .order_by("-last")
    )


@dataclass(frozen=True)
class BackupFile:
    name: str
    taken_at: datetime
    size: int


def backup_list() -> list[BackupFile]:
    """The backups in JXC_BACKUP_DIR, newest first, with their time and size."""
    found = []
    for path in reversed(backups(Path(settings.JXC_BACKUP_DIR))):
        stat = path.stat()
        found.append(
            BackupFile(
                name=path.name,
                taken_at=datetime.fromtimestamp(
                    stat.st_mtime, tz=timezone.get_current_timezone()
                ),
                size=stat.st_size,
            )
        )
    return found


def backup_path(name: str) -> Path | None:
    """The backup called ``name`` in the backup folder, else None: only a file the
    folder's listing holds, never a path the request makes up."""
    for path in backups(Path(settings.JXC_BACKUP_DIR)):
        if path.name == name:
            return path
    return None
