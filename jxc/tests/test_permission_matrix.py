"""Every URL × {anonymous, deactivated, clerk, owner} answers as permission_table.py
declares, on real records; a URL missing from the table fails with its name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from lxml import html as lxml_html

from accounts.tests.factories import OwnerFactory, StaffFactory
from jxc.tests import permission_table as table
from jxc.tests import shop_world

ANONYMOUS, INACTIVE, CLERK, OWNER = "anonymous", "deactivated", "clerk", "owner"
ROLES = [ANONYMOUS, INACTIVE, CLERK, OWNER]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Route:
    name: str  # "app:name"; a pattern without a name: "app:?"
    pattern: object  # RoutePattern or RegexPattern
    default_args: dict


def walk(resolver: URLResolver, namespaces=(), patterns=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry, inner, (*patterns, entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name or "?"))
            yield Route(name, (*patterns, entry.pattern), entry.default_args)


ROUTES = list(walk(get_resolver()))


def url_arguments(route: Route) -> list[str]:
    """The arguments a route takes (from <int:pk> or (?P<pk>...))."""
    names = []
    for pattern in route.pattern:
        if hasattr(pattern, "converters"):
            names += list(pattern.converters)
        names += list(pattern.regex.groupindex)
    return list(dict.fromkeys(names))


def concrete(route: Route, access: table.Access, world: dict[str, int]) -> str:
    """The URL of a route with real ids; the admin's get plausible ones (it sends
    every role tested here to its sign-in before it looks anything up)."""
    kwargs = {}
    for argument in url_arguments(route):
        if argument in access.kwargs:
            kwargs[argument] = access.kwargs[argument]
        elif argument in access.ids:
            kwargs[argument] = world[access.ids[argument]]
        elif access.who in (table.ADMIN, table.API):
            kwargs[argument] = "auth" if argument == "app_label" else "1"
        else:
            raise AssertionError(
                f"{route.name}: say which record its <{argument}> is "
                f"(ids=... in permission_table.py)"
            )
    if route.name.endswith(":?"):
        # An unnamed pattern (the admin's old change URL, its catch-all): by hand.
        url = "/" + "".join(str(p) for p in route.pattern)
        for argument, value in kwargs.items():
            url = re.sub(rf"<[^>]*\b{argument}>", str(value), url)
            url = re.sub(rf"\(\?P<{argument}>[^)]*\)", str(value), url)
        url = url.replace("^", "").replace("$", "").replace("\\Z", "")
    else:
        url = reverse(route.name, kwargs=kwargs or None)
    if access.query:
        url += "?" + access.query.format(**world)
    return url


def client_for(role: str, users: dict) -> Client:
    # A view that breaks shows as a 500 among the other problems, not as the end.
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(users[role])
    return client


def expected(access: table.Access, role: str) -> str:
    if access.who == table.API:
        return table.UNAUTHORIZED
    if role in (ANONYMOUS, INACTIVE):
        if access.who == table.PUBLIC:
            return access.anonymous_get
        # The admin's own views send to its sign-in; its model pages are caught
        # by the site-wide login requirement first.
        return table.SIGN_IN if access.who == table.ADMIN else "login"
    if access.who == table.ADMIN:
        return "admin-login"
    if access.who == table.OWNER and role == CLERK:
        return "forbidden"
    return access.get


def outcome_problem(response, want: str, url: str) -> str | None:
    """What is wrong with a response that should be ``want``, or None."""
    status, kind = response.status_code, response.get("Content-Type", "")
    body = response.content if not response.streaming else b""
    location = response.get("Location", "")
    checks = {
        "login": status == 302 and location.startswith("/login/?next="),
        "admin-login": status == 302 and location.startswith("/admin/login/?next="),
        table.SIGN_IN: status == 302
        and location.startswith(("/login/?next=", "/admin/login/?next=")),
        "forbidden": status == 403,
        table.POST: status == 405,
        table.REDIRECT: status == 302 and not location.startswith("/login/"),
        table.PAGE: status == 200 and b'id="main"' in body,
        table.FRAGMENT: status == 200
        and kind.startswith("text/html")
        and b"<html" not in body,
        table.PRINT: status == 200 and b"<html" in body and b"<nav" not in body,
        table.XLSX: status == 200 and kind == XLSX_TYPE,
        table.JSON: status == 200 and kind == "application/json",
        table.DOWNLOAD: status == 200
        and response.get("Content-Disposition", "").startswith("attachment"),
        table.UNAUTHORIZED: status == 401 and kind == "application/json",
    }
    if want == table.JSON and checks[want]:
        json.loads(body)
    if checks[want]:
        return None
    return f"GET {url}: expected {want}, got {status} {kind} {location}".strip()


@pytest.fixture
def users(db):
    owner = OwnerFactory(username="boss")
    return {
        OWNER: owner,
        CLERK: StaffFactory(username="clerk"),
        # An owner the other owner deactivated: every permission, and no access.
        INACTIVE: OwnerFactory(username="former", is_active=False),
    }


@pytest.fixture
def world(users):
    return shop_world.build(users[OWNER])


def undeclared(routes) -> list[str]:
    return sorted({r.name for r in routes if table.declared(r.name) is None})


def test_every_url_is_declared():
    names = {route.name for route in ROUTES}
    missing = undeclared(ROUTES)
    assert not missing, (
        "URLs not in jxc/tests/permission_table.py (say who may open them): "
        + ", ".join(missing)
    )
    stale = sorted(
        name for name in table.URLS if name not in names and not name.endswith("*")
    )
    assert not stale, "permission_table.py names URLs that do not exist: " + ", ".join(
        stale
    )


def test_a_new_url_without_a_declaration_is_named():
    route = ROUTES[0]
    new = Route("catalog:brand_new", route.pattern, {})
    assert undeclared([*ROUTES, new]) == ["catalog:brand_new"]


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_as_declared(role, users, world):
    client = client_for(role, users)
    problems = []
    for route in ROUTES:
        access = table.declared(route.name)
        url = concrete(route, access, world)
        want = expected(access, role)
        problem = outcome_problem(client.get(url), want, url)
        if problem:
            problems.append(f"{route.name} as {role}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [ANONYMOUS, INACTIVE, CLERK])
def test_refused_users_cannot_post_either(role, users, world):
    """A POST is refused as the GET is: nothing behind it runs."""
    client = client_for(role, users)
    problems = []
    for route in ROUTES:
        access = table.declared(route.name)
        want = expected(access, role)
        if want not in {"login", "admin-login", "forbidden", table.UNAUTHORIZED}:
            continue
        url = concrete(route, access, world)
        response = client.post(url, {"reason": "x", "version": "1"})
        problem = outcome_problem(response, want, url)
        if problem:
            problems.append(f"POST {route.name} as {role}: {problem}")
    assert not problems, "\n".join(problems)


def test_the_matrix_can_tell_a_page_from_a_refusal(users, world):
    """The check itself: a clerk's 403 is not an owner's page, and back."""
    clerk = client_for(CLERK, users)
    response = clerk.get("/reports/summary/")
    assert outcome_problem(response, table.PAGE, "/reports/summary/")
    assert outcome_problem(response, "forbidden", "/reports/summary/") is None


# --- what the pages are made of: nothing inline that the CSP would refuse -----------

INLINE_HANDLER = re.compile(r"^on[a-z]+$")


def inline_problems(body: bytes, url: str) -> list[str]:
    """Inline scripts, styles and event handlers in an HTML response."""
    document = lxml_html.fromstring(body)
    problems = []
    for script in document.iter("script"):
        if not script.get("src") or (script.text or "").strip():
            problems.append(f"{url}: inline <script>")
    if any(True for _ in document.iter("style")):
        problems.append(f"{url}: <style> element")
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            if attribute == "style":
                problems.append(f"{url}: style= on <{element.tag}>")
            elif INLINE_HANDLER.match(attribute):
                problems.append(f"{url}: {attribute}= on <{element.tag}>")
            elif attribute in {
                "href",
                "src",
                "action",
            } and value.strip().lower().startswith("javascript:"):
                problems.append(f"{url}: javascript: URL on <{element.tag}>")
    return problems


def test_inline_problems_are_found():
    page = (
        b"<html><head><style>p{}</style></head><body><script>alert(1)</script>"
        b'<script src="/static/x.js"></script><p style="color:red">'
        b'<button onclick="go()">x</button><a href="javascript:go()">y</a></p>'
        b"</body></html>"
    )
    assert len(inline_problems(page, "/x/")) == 5


@pytest.mark.parametrize("role", [ANONYMOUS, CLERK, OWNER])
def test_no_page_has_inline_script_style_or_handler(role, users, world):
    client = client_for(role, users)
    problems = []
    for route in ROUTES:
        access = table.declared(route.name)
        if access.who == table.ADMIN:
            continue
        for query in ("", *access.also):
            url = concrete(route, access, world)
            if query:
                url += ("&" if "?" in url else "?") + query.format(**world)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith(
                "text/html"
            ):
                problems += inline_problems(response.content, url)
    assert not problems, "\n".join(problems)


def test_every_response_has_the_content_security_policy(users, world, client):
    for url in ("/login/", "/static/jxc/app.js", "/favicon.ico", "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
    assert client.get("/login/")["X-Frame-Options"] == "DENY"


def test_debug_error_pages_keep_their_inline_styles(client, settings):
    """Only with DEBUG on: Django's technical 404 page styles itself inline."""
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/login/")


def test_the_favicon_browsers_ask_for_is_there_for_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
