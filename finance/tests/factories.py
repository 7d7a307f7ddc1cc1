"""Money test helpers: every write through the real services."""

from decimal import Decimal

from django.utils import timezone

from finance import services
from finance.models import Account, OpenItem, PartnerBalance


def account(name="现金") -> Account:
    return Account.objects.get(name=name)


def balance_of(partner) -> Decimal:
    field = "customer" if type(partner).__name__ == "Customer" else "supplier"
    row = PartnerBalance.objects.filter(**{field: partner}).first()
    return row.balance if row else Decimal("0")


def items_of(partner):
    field = "customer" if type(partner).__name__ == "Customer" else "supplier"
    return list(
        OpenItem.objects.filter(**{field: partner}).order_by("occurred_at", "id")
    )


def pay(user, partner, amount, *, into="现金", allocations=None, at=None, **kwargs):
    """A 收款单 (customer) or 付款单 (supplier) through the service."""
    field = "customer" if type(partner).__name__ == "Customer" else "supplier"
    return services.payment_post(
        account=account(into),
        amount=Decimal(amount),
        occurred_at=at or timezone.now(),
        user=user,
        allocations=allocations,
        **{field: partner},
        **kwargs,
    )


def deposit(user, into, amount):
    """Money into an account (other income) through the one posting service."""
    return services.money_post(
        lines=[
            services.EntryLine(
                services.Holder.account(into.pk), Decimal(amount), "income"
            )
        ],
        source=None,
        occurred_at=timezone.now(),
        user=user,
    )
