"""Every URL pattern needs a login, except the few declared public here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Patterns reachable without login, by their route (full, as joined below).
PUBLIC = {"login/", "i18n/setlang/"}
# Django admin handles its own login (it redirects to the admin sign-in page).
ADMIN_PREFIX = "admin/"


def walk(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def concrete(route: str) -> str:
    """A URL for a route: every converter gets a plausible value."""
    import re

    url = re.sub(r"<int:[^>]+>|<[^:>]+>", "1", route)
    url = re.sub(r"<(str|slug):[^>]+>", "x", url)
    url = re.sub(r"<path:[^>]+>", "x/y", url)
    return "/" + url.lstrip("^").rstrip("$").replace("\\Z", "")


ROUTES = sorted(set(walk(get_resolver())))


def test_the_walk_finds_the_apps_urls():
    assert "login/" in ROUTES
    assert any(route.startswith("accounts/") for route in ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.startswith(ADMIN_PREFIX)])
def test_anonymous_request_is_sent_to_login(client, route):
    url = concrete(route)
    response = client.get(url)
    if route in PUBLIC:
        assert response.status_code in {200, 302, 405}
        return
    assert response.status_code == 302, url
    assert response.url.startswith("/login/?next="), url


@pytest.mark.django_db
def test_admin_requires_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response.url
