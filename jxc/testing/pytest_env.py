"""Pytest plugin (loaded with ``-p`` before Django starts): a safe test environment.

Settings refuse to start without a secret key when debug is off, and redirect to
HTTPS by default; tests run with debug off like production, on plain HTTP.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "insecure-test-only-key-never-used-in-production"
)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
# Tests serve static files from the finders, without running collectstatic first.
os.environ.setdefault("JXC_STATIC_MANIFEST", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# browser tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
