"""Customer payments (收款单) and the money accounts they go into; recording a
customer payment through finance's own service (payment_post), as the payment
page does: allocated oldest first or per document, audited, numbered, posted
with its webhook in one transaction.

Scope: ``orders`` (and ``full``). The shop's clerks record customer payments on
the page too, and an online store that sends its orders also reports the money
it took for them; paying a supplier (付款单) is the owner's and is not offered.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from api.models import Scope
from api.v1.base import DOCUMENT_SINCE, STATUS, ReadOnly
from catalog.models import Customer
from finance import selectors, services
from finance.models import Account, Payment
from jxc.decimals import MONEY_DIGITS, VALUE_PLACES, money
from jxc.views import business_moment

COLLECT = "finance.collect_payment"
RECEIVABLES = "finance.view_receivables"


def money_input(**kwargs) -> serializers.DecimalField:
    """An amount of money: a number with at most 2 decimals, in the shop's words."""
    return serializers.DecimalField(
        MONEY_DIGITS,
        VALUE_PLACES,
        error_messages={
            "invalid": gettext_lazy("An amount: a number like 120.50."),
            "max_decimal_places": gettext_lazy("An amount has at most 2 decimals."),
            "max_digits": gettext_lazy("That amount is too large."),
            "max_whole_digits": gettext_lazy("That amount is too large."),
            "max_string_length": gettext_lazy("That amount is too large."),
        },
        **kwargs,
    )


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "kind", "payment_method", "is_active"]


class AccountViewSet(ReadOnly):
    """The money accounts (cash drawer, bank, WeChat …) a payment goes into; no
    balances (those are on the owner's pages)."""

    serializer_class = AccountSerializer
    required_perms = {"GET": ("finance.view_account",)}
    since_param = ""

    def get_queryset(self):
        return Account.objects.order_by("id")


class AllocatedSerializer(serializers.Serializer):
    document = serializers.CharField(help_text="The document's number.")
    amount = serializers.DecimalField(MONEY_DIGITS, VALUE_PLACES)


class PaymentSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code")
    account_name = serializers.CharField(source="account.name")

    class Meta:
        model = Payment
        fields = [
            "id", "number", "status", "customer", "customer_code", "account",
            "account_name", "amount", "occurred_at", "note", "created_at",
            "cancelled_at",
        ]  # fmt: skip


class PaymentDetailSerializer(PaymentSerializer):
    allocated = serializers.SerializerMethodField()

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "allocated"]

    @extend_schema_field(AllocatedSerializer(many=True))
    def get_allocated(self, payment) -> list[dict]:
        """What it settled, per document (net of allocations taken back)."""
        return [
            {"document": row.number, "amount": str(money(row.amount))}
            for row in selectors.payment_allocations(payment)
        ]


class AllocationInput(serializers.Serializer):
    document = serializers.CharField(
        max_length=40,
        help_text="The number of an open document of the customer (SO-…, SH-…).",
    )
    amount = money_input()


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        error_messages={
            "does_not_exist": gettext_lazy("No customer has the id {pk_value}."),
            "incorrect_type": gettext_lazy("A customer: its id, a whole number."),
        },
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.filter(is_active=True),
        error_messages={
            "does_not_exist": gettext_lazy("No account in use has the id {pk_value}."),
            "incorrect_type": gettext_lazy("An account: its id, a whole number."),
        },
    )
    amount = money_input()
    date = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    allocations = AllocationInput(
        many=True,
        required=False,
        allow_null=True,
        max_length=500,
        help_text="Which documents it pays; left out: the oldest first.",
    )

    def validate_date(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError(
                _("A payment cannot be dated in the future.")
            )
        return day


def _allocations(customer: Customer, given) -> dict[int, Decimal] | None:
    """Document numbers → the customer's open items (finance checks the amounts
    again under the partner's lock)."""
    if not given:
        return None
    open_items = {
        row.item.source_number.lower(): row.item
        for row in selectors.open_debits(customer_id=customer.pk)
    }
    chosen: dict[int, Decimal] = {}
    for line in given:
        item = open_items.get(line["document"].strip().lower())
        if item is None:
            raise exceptions.ValidationError(
                {
                    "allocations": [
                        _("%(number)s is not an open document of this customer.")
                        % {"number": line["document"]}
                    ]
                }
            )
        if item.pk in chosen:
            raise exceptions.ValidationError(
                {
                    "allocations": [
                        _("%(number)s is named twice.") % {"number": line["document"]}
                    ]
                }
            )
        chosen[item.pk] = line["amount"]
    return chosen


@extend_schema_view(
    list=extend_schema(
        parameters=[
            DOCUMENT_SINCE,
            STATUS,
            OpenApiParameter("customer", int, description="Only this customer."),
        ]
    )
)
class CustomerPaymentViewSet(mixins.CreateModelMixin, ReadOnly):
    """收款单: money a customer paid into an account. POST records one (scope
    orders or full) through finance's payment service: allocated to the
    customer's open documents oldest first, or as ``allocations`` says; what is
    left is a prepayment."""

    required_perms = {"GET": (RECEIVABLES,), "POST": (RECEIVABLES, COLLECT)}
    write_scope = Scope.ORDERS
    since_field = "created_at"
    since_param = "since"

    def get_queryset(self):
        return selectors.payments(collections=True)

    def get_serializer_class(self):
        if self.action == "create":
            return PaymentCreateSerializer
        if self.action == "retrieve":
            return PaymentDetailSerializer
        return PaymentSerializer

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = self.request.query_params
        if value := params.get("status"):
            queryset = queryset.filter(status=value)
        if value := params.get("customer"):
            if not value.isdigit() or len(value) > 9:
                raise exceptions.ValidationError(
                    {"customer": _("An id: a whole number.")}
                )
            queryset = queryset.filter(customer_id=int(value))
        return queryset

    @extend_schema(
        request=PaymentCreateSerializer, responses={201: PaymentDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        return self.idempotent(request, self._create)

    def _create(self, submission):
        given = self.get_serializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        customer = data["customer"]
        payment = services.payment_post(
            customer=customer,
            account=data["account"],
            amount=data["amount"],
            occurred_at=business_moment(data.get("date") or timezone.localdate()),
            user=self.request.user,
            allocations=_allocations(customer, data.get("allocations")),
            note=data.get("note", ""),
            submission=submission,
        )
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(
            PaymentDetailSerializer(
                payment, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )


ENDPOINTS = [
    ("accounts", AccountViewSet, "account"),
    ("customer-payments", CustomerPaymentViewSet, "customerpayment"),
]
