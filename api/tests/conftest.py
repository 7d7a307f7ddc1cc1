"""Every API scenario ends with the ledgers proved: ``check_stock`` and
``check_money`` run after each test that used the database (in its transaction,
before it is rolled back) and fail the test on any drift."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

LEDGER_CHECKS = ("check_stock", "check_money")


@pytest.fixture(autouse=True)
def ledgers_clean(request):
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    # Set up after (and so torn down before) the test's database: the checks
    # read what the test wrote.
    request.getfixturevalue("_django_db_helper")
    yield
    for command in LEDGER_CHECKS:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(command, stdout=out, stderr=err)
        except CommandError as error:
            pytest.fail(
                f"{command} after {request.node.name}: {error}\n{err.getvalue()}"
            )
