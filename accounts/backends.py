"""The login protection's gate in Django's authentication (see accounts.lockout)."""

from django.core.exceptions import PermissionDenied

from accounts import lockout, selectors


class LockoutBackend:
    """First in AUTHENTICATION_BACKENDS: while an account or address is locked,
    no backend after it is asked, whatever password was given.

    Raising PermissionDenied is how a backend stops ``authenticate()``. It has no
    ``get_user``: signed-in users are loaded by the backend that signed them in
    (and Django's test client's ``force_login`` skips a backend without one).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        ip = lockout.counted_ip(request, username)
        if selectors.login_lock(username=username, ip=ip):
            raise PermissionDenied
        return None
