"""Interface language: Chinese unless the user chose another one."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from jxc import routers


class ChosenLanguageMiddleware:
    """Activate the language saved by the language switch, else LANGUAGE_CODE.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    shop laptop set up in English would show English; here Chinese is the
    default and English is something a user picks.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        # override() puts the thread's previous language back afterwards, so one
        # request's choice never leaks into the next one served by this thread.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of ``settings.SECURE_CSP`` on every response.

    Django 5.2 has no CSP support; Django 6.0 adds a middleware reading a setting of
    the same name and shape (directive → list of sources), so moving to it later
    means swapping this class for ``django.middleware.csp`` and nothing else. The
    policy is one constant string: no nonces are needed because no template has an
    inline script or style (static files only; see README, Security).
    """

    HEADER = "Content-Security-Policy"

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            " ".join([directive, *sources])
            for directive, sources in settings.SECURE_CSP.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        # Django's technical 404/500 pages (debug only) carry their own inline
        # styles and scripts; a developer should see them working.
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        response.headers.setdefault(self.HEADER, self.policy)
        return response


class ReplicaReadsMiddleware:
    """Send the reads of report and export pages to the read replica (jxc.routers).

    Only GET and HEAD requests of the reports app and of URLs named ``*export``;
    the page's own writes (an audit entry, the session) still go to the primary.
    Listed last, so sign-in and permission checks have read the primary already.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "_replica_token", None)
        if token is not None:
            routers._reads_from_replica.reset(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not routers.replica_configured() or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match.app_name == "reports" or (match.url_name or "").endswith("export"):
            request.reads_replica = True
            request._replica_token = routers._reads_from_replica.set(True)
        return None
