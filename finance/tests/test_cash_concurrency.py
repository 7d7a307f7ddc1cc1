"""Two owners (or tabs) moving money at once, on real PostgreSQL connections: an
account never goes below zero, and one form submitted twice at once posts once."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from finance import cashbook
from finance.models import CashCategory, CashEntry, MoneyEntry, Transfer
from finance.tests.factories import account, deposit
from inventory.tests.test_concurrency import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers instead)",
    ),
]
D = Decimal


def test_parallel_transfers_and_expenses_never_take_the_till_below_zero(owner):
    deposit(owner, account("现金"), "250")
    rent = CashCategory.objects.get(name="房租")

    def spend(index):
        if index % 2:
            return cashbook.cash_post(
                category=rent,
                account=account("现金"),
                amount=D("100"),
                occurred_at=timezone.now(),
                user=owner,
            )
        return cashbook.transfer_post(
            from_account=account("现金"),
            to_account=account("银行卡"),
            amount=D("100"),
            occurred_at=timezone.now(),
            user=owner,
        )

    results = run_in_threads(4, spend)
    done = [r for r in results if isinstance(r, (Transfer, CashEntry))]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 2 and len(refused) == 2, results
    assert account("现金").balance == D("50")
    assert len({r.number for r in done}) == 2
    call_command("check_money")


def test_one_transfer_form_sent_twice_at_once_posts_once(owner):
    deposit(owner, account("现金"), "100")
    token = uuid.uuid4()

    def submit(_index):
        return cashbook.transfer_post(
            from_account=account("现金"),
            to_account=account("微信"),
            amount=D("60"),
            occurred_at=timezone.now(),
            user=owner,
            submission=token,
        )

    results = run_in_threads(2, submit)
    assert Transfer.objects.count() == 1
    assert account("微信").balance == D("60")
    assert MoneyEntry.objects.filter(source_number__startswith="ZZ-").count() == 2
    assert all(isinstance(r, Transfer) for r in results), results
    assert len({r.pk for r in results}) == 1
    call_command("check_money")
