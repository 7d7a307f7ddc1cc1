"""Login protection: too many failed sign-ins lock the account, or the address.

An account (a username, whether it exists or not) may fail to sign in at most
``JXC_LOGIN_FAILURE_LIMIT`` times within ``JXC_LOGIN_LOCK_SECONDS``; one address
``JXC_LOGIN_IP_FAILURE_LIMIT`` times (higher: a shop's counter computers share one
address, and one clerk's typos must not lock out the whole shop). Past the limit
every sign-in is refused, the right password too, until the oldest counted failure
is that old; attempts refused while locked are not counted, so a lock never grows.
A successful sign-in, a new password set by the owner and the owner's "Unlock"
clear the account's failures. Tries at the very same moment may each pass the
check before any is counted: the limit bounds the rate of guessing, not each try.

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

ACCOUNT = "account"
ADDRESS = "address"


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
