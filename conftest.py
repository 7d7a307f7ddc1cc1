"""Fixtures shared by every app's tests: accounts in each role, logged-in clients,
and a real Chromium for browser tests (Playwright)."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import PASSWORD, OwnerFactory, StaffFactory

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture
def owner(db):
    return OwnerFactory(username="boss")


@pytest.fixture
def staff(db):
    return StaffFactory(username="clerk")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def staff_client(db, client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def count_queries(db):
    """How many queries one GET makes, the number every list page and report pins:
    ``count_queries(client, url)`` (asserting a 200; ``status=None`` checks none)."""

    def count(client, url, data=None, *, status=200) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, data)
        if status is not None:
            assert response.status_code == status
        return len(queries)

    return count


# --- browser tests -----------------------------------------------------------


def chromium_path() -> str | None:
    return (
        os.environ.get("JXC_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


_browser_skips: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _backups_in_a_temporary_folder(tmp_path_factory):
    """Backups the tests take (the backup page) never land in the project's
    backups/ folder; a test that counts backups uses a folder of its own."""
    from django.conf import settings

    settings.JXC_BACKUP_DIR = tmp_path_factory.mktemp("backups")


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite():
    """pytest-django gives the live server the test's own in-memory SQLite
    connection, and Django's threaded server would use it from several request
    threads at once: a page whose htmx fragments load together then loses one now
    and then (a 400 from a session save that collided). On SQLite the live server
    answers one request at a time (Django's single-threaded server closes every
    connection, so no browser connection blocks another); PostgreSQL keeps the
    threaded server and real concurrency."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        # The server thread itself already uses the shared connection.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneAtATime)
        yield


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if not path:
        message = "Chromium not found (apt-get install chromium): browser tests skipped"
        if os.environ.get("JXC_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", but JXC_REQUIRE_BROWSER=1 requires them")
        _browser_skips.append(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Rows that data migrations create (roles, default warehouse, walk-in customer).
# A transactional test empties every table when it ends; browser tests put these
# rows back first by running the same migration functions again (they are
# idempotent). Django's serialized_rollback cannot be used: under Playwright's
# event loop the test sees a fresh connection object without the serialized copy.
DATA_MIGRATIONS = [
    ("accounts.migrations.0002_roles", "create_roles"),
    ("catalog.migrations.0002_search_indexes_defaults_roles", "defaults"),
    ("catalog.migrations.0002_search_indexes_defaults_roles", "roles"),
    ("inventory.migrations.0002_roles", "roles"),
    ("inventory.migrations.0006_settings_roles", "roles"),
    ("purchasing.migrations.0002_roles", "roles"),
    ("sales.migrations.0002_roles", "roles"),
    ("sales.migrations.0003_reservation_expiry", "roles"),
    ("audit.migrations.0002_roles", "roles"),
    ("inventory.migrations.0007_cost_adjustment", "roles"),
    ("purchasing.migrations.0004_price_band", "roles"),
    ("sales.migrations.0005_price_authority", "roles"),
    ("counter.migrations.0002_roles", "roles"),
    ("finance.migrations.0002_default_accounts_roles", "accounts"),
    ("finance.migrations.0002_default_accounts_roles", "roles"),
    ("finance.migrations.0004_cash_book_roles_categories", "categories"),
    ("finance.migrations.0004_cash_book_roles_categories", "roles"),
    ("catalog.migrations.0007_roles_variants_units_price_levels", "roles"),
    ("accounts.migrations.0004_backup_permission", "grant_backups"),
    ("api.migrations.0002_roles", "roles"),
    ("finance.migrations.0005_counter_cash_categories", "categories"),
    ("counter.migrations.0006_owner_reopens_shifts", "roles"),
    ("catalog.migrations.0009_shops", "shops"),
    ("inventory.migrations.0012_transfer_requests", "roles"),
    ("firstrun.migrations.0001_progress_roles", "roles"),
]


@pytest.fixture
def migration_rows(transactional_db):
    import importlib

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _transactional_tests_get_migration_rows(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("migration_rows")


@pytest.fixture
def page(chromium, live_server, request):
    context = chromium.new_context(
        locale="en-US", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True
    )
    context.close()


def pytest_terminal_summary(terminalreporter):
    if _browser_skips:
        terminalreporter.write_line(
            f"NOTE: {_browser_skips[0]}.", yellow=True, bold=True
        )


def _sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(live_server.url + "/")
    return page


@pytest.fixture
def signed_in_owner(page, live_server):
    """A browser page where a shop owner has signed in through the login form.
    The first-run wizard, which an empty shop's first owner sign-in opens, is put
    aside first: these tests start from the dashboard (firstrun's own test walks
    the wizard)."""
    from firstrun.services import setup_dismiss

    OwnerFactory(username="boss")
    setup_dismiss()
    return _sign_in(page, live_server, "boss")


@pytest.fixture
def signed_in_staff(page, live_server):
    """A browser page where a clerk has signed in through the login form."""
    StaffFactory(username="clerk")
    return _sign_in(page, live_server, "clerk")
