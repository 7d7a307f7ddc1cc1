"""Property: whatever documents and payments a customer has, in any order, the
balance = Σ documents − Σ payments, every item's open amount = its amount − its
allocations, and check_money holds."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.tests.factories import CustomerFactory, ProductFactory
from finance.tests.factories import balance_of, items_of, pay
from inventory.tests.factories import receive
from sales import services as sales
from sales.tests.factories import confirmed, ship

D = Decimal

steps = st.lists(
    st.one_of(
        st.tuples(st.just("ship"), st.integers(1, 30)),
        st.tuples(st.just("pay"), st.integers(1, 400)),
        st.tuples(st.just("return"), st.integers(0, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_balance_is_documents_less_payments(owner, steps):
    from django.db import transaction

    with transaction.atomic():
        apple = ProductFactory(sale_price=D("3.33"))
        receive(apple, "1000", "1", user=owner)
        kid = CustomerFactory()
        shipments, payments = [], []
        for kind, figure in steps:
            if kind == "ship":
                shipments.append(
                    ship(owner, confirmed(owner, [(apple, figure)], customer=kid))
                )
            elif kind == "pay":
                payments.append(pay(owner, kid, D(figure)))
            elif kind == "return" and shipments:
                shipment = shipments[figure % len(shipments)]
                shipment.refresh_from_db()
                line = shipment.lines.get()
                if (
                    shipment.status == "posted"
                    and line.returned_quantity < line.quantity
                ):
                    sales.sales_return_post(
                        shipment=shipment,
                        quantities={line.pk: D("1")},
                        reason="",
                        occurred_at=timezone.now(),
                        user=owner,
                    )
            elif kind == "cancel" and payments:
                payment = payments[figure % len(payments)]
                payment.refresh_from_db()
                if payment.status == "posted":
                    from finance.services import payment_cancel

                    payment_cancel(payment=payment, user=owner, reason="prop")
        documents = (
            sum(
                (
                    s.total
                    for s in type(shipments[0]).objects.filter(
                        customer=kid, status="posted"
                    )
                ),
                D("0"),
            )
            if shipments
            else D("0")
        )
        from sales.models import SalesReturn

        returns = sum(
            (
                r.total
                for r in SalesReturn.objects.filter(customer=kid, status="posted")
            ),
            D("0"),
        )
        from finance.models import Payment

        paid = sum(
            (p.amount for p in Payment.objects.filter(customer=kid, status="posted")),
            D("0"),
        )
        assert balance_of(kid) == documents - returns - paid
        assert sum(i.open_amount for i in items_of(kid) if not i.cancelled) == (
            documents - returns - paid
        )
        # Never both an open debt and an open prepayment left unmatched.
        open_items = [i for i in items_of(kid) if i.is_open]
        assert not (
            any(i.amount > 0 for i in open_items)
            and any(i.amount < 0 for i in open_items)
        )
        call_command("check_money")
        transaction.set_rollback(True)
