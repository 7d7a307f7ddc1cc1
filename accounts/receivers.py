"""Counting sign-ins for the login protection (connected in AccountsConfig.ready)."""

from django.contrib.auth import get_user_model

from accounts import lockout, selectors, services


def count_failure(sender, credentials, request=None, **kwargs):
    """A wrong password (or unknown user) counts; a try refused by a lock does not,
    so hammering a locked account never makes its lock last longer."""
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if not username:
        return
    ip = lockout.counted_ip(request, username)
    if selectors.login_lock(username=username, ip=ip) is None:
        services.login_failure_record(
            username=username, ip=ip, address=lockout.client_ip(request)
        )


def clear_failures(sender, request, user, **kwargs):
    """Signing in with the right password forgets the account's earlier typos."""
    services.login_failures_clear(username=user.get_username())


def record_sign_in(sender, request, user, **kwargs):
    """A person's sign-in (a form posted: the shop's page or Django's admin) goes
    into the audit trail. The test client's ``login``/``force_login`` sign in on
    a bare request without a method: no person signed in, nothing to record."""
    if request is not None and request.method == "POST":
        services.sign_in_record(user=user, address=lockout.client_ip(request))
