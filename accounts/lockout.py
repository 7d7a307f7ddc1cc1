"""Login protection: too many failed sign-ins lock the account, or the address.

An account (a username, whether it exists or not) may fail to sign in at most
``JXC_LOGIN_FAILURE_LIMIT`` times within ``JXC_LOGIN_LOCK_SECONDS``; one address
``JXC_LOGIN_IP_FAILURE_LIMIT`` times (higher: a shop's counter computers share one
address, and one clerk's typos must not lock out the whole shop). Past the limit
every sign-in is refused, the right password too, until the oldest counted failure
is that old; attempts refused while locked are not counted, so a lock never grows.
Tries at the very same moment may each pass the check before any is counted: the
limit bounds the rate of guessing, not each try. A successful sign-in, a new
password set by the owner and the owner's "Unlock" clear the account's failures;
the owner lifts an address lock on the Accounts page too (the accounts' own
failures stay counted).

A remembered device is out of the address lock's reach: a browser that signed in
successfully keeps a signed cookie naming the accounts that did (``DEVICE_COOKIE``),
and for those accounts its tries are neither refused by nor counted against the
address. A stranger guessing names from the shop's network (one address behind
its router) thus cannot lock the owner, or a clerk, out of the counter computer
they always use; the account's own lock still holds, and the cookie, signed with
the secret key, cannot be made by the stranger.

Changing one's password checks the old one under the same limits: its wrong
guesses count, and a locked account cannot try.

Sign-ins, counted failures and the locks they set are in the audit trail; tries
refused while locked are not (the lock's entry stands for them), so hammering a
locked account cannot flood the trail.

Why not django-axes: it has one failure limit for every lockout parameter, so
locking the address would lock a whole shop after one clerk's five typos. This is
a table (``LoginFailure``, holding only the last lock period), a few indexed
queries per attempt, and the hooks Django offers: a first authentication backend
that refuses while locked (so Django's admin sign-in is covered too), the
``user_login_failed`` / ``user_logged_in`` signals, and the sign-in form for the
message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing

ACCOUNT = "account"
ADDRESS = "address"

DEVICE_COOKIE = "jxc_device"
DEVICE_SALT = "accounts.lockout.device"
DEVICE_DAYS = 400  # browsers keep a cookie at most about this long
DEVICE_ACCOUNTS = 20  # a counter computer shared by the whole shop


@dataclass(frozen=True)
class LoginLock:
    """Why sign-in is refused (ACCOUNT or ADDRESS) and until when."""

    scope: str
    until: datetime


def lock_period() -> timedelta:
    return timedelta(seconds=settings.JXC_LOGIN_LOCK_SECONDS)


def normalize(username: str) -> str:
    """Failures of "Clerk" and "clerk " count against the same account."""
    return (username or "").strip().lower()[:150]


def client_ip(request) -> str | None:
    """The address a request comes from; behind the shop's reverse proxy
    (DJANGO_BEHIND_PROXY=1) the one that proxy appended to X-Forwarded-For, since
    the entries before it are whatever the client chose to send."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    if settings.JXC_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            address = forwarded.split(",")[-1]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def remembered_accounts(request) -> list[str]:
    """The accounts (normalized names) that signed in from this browser before,
    by its signed device cookie; [] for none, an old or a forged one."""
    value = getattr(request, "COOKIES", {}).get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        names = signing.loads(
            value, salt=DEVICE_SALT, max_age=timedelta(days=DEVICE_DAYS)
        )
    except signing.BadSignature:
        return []
    if not isinstance(names, list):
        return []
    return [name for name in names if isinstance(name, str)]


def counted_ip(request, username: str) -> str | None:
    """The address a sign-in of ``username`` is checked and counted against: none
    from a device that account signed in from before (see the module's text)."""
    if normalize(username) in remembered_accounts(request):
        return None
    return client_ip(request)


def remember_device(request, response, username: str) -> None:
    """After a successful sign-in: this browser now vouches for ``username``."""
    name = normalize(username)
    names = [name] + [n for n in remembered_accounts(request) if n != name]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names[:DEVICE_ACCOUNTS], salt=DEVICE_SALT, compress=True),
        max_age=DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
