"""Who may set a sale price: the owner's floor and the approval on the spot (授权).

A clerk may not, without an owner's approval, give a line a discount above the
staff limit (``SalesSettings.staff_discount_limit``, 20 % unless the owner sets
another), sell below the product's minimum sale price (``Product.min_price``, after
the discount) or sell at a price of zero. An owner (``sales.approve_price``) is
never asked. The approval is an owner's username and password posted with the same
form (``PriceApprovalForm``): the view checks them with Django's ``authenticate``,
so the sign-in protection (accounts.lockout) counts a wrong password and refuses
while the account or the address is locked; the services then call
``prices_authorize`` in their own transaction, before anything is written, and
``approval_record`` after, so the audit trail names the owner, the lines and the
prices of every approval.

A line of a draft being edited that keeps the product, price and discount it had
needs no second approval: an owner set it, or approved it, before.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import Action, audit_record
from jxc.forms import InputRulesMixin
from jxc.units import package_price
from sales.models import SalesSettings

APPROVE_PRICE = "sales.approve_price"
APPROVE_CREDIT = "finance.approve_credit"
DEFAULT_LIMIT = Decimal("20")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def staff_discount_limit() -> Decimal:
    """The largest discount (percent) a clerk may give without an owner."""
    limit = (
        SalesSettings.objects.filter(pk=1)
        .values_list("staff_discount_limit", flat=True)
        .first()
    )
    return DEFAULT_LIMIT if limit is None else limit


@transaction.atomic
def staff_discount_limit_save(*, limit: Decimal, user=None) -> None:
    """Set the largest discount a clerk may give without an owner's approval."""
    current, _created = SalesSettings.objects.select_for_update().get_or_create(pk=1)
    was = current.staff_discount_limit
    if was == limit:
        return
    current.staff_discount_limit = limit
    current.save(update_fields=["staff_discount_limit"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=current,
        label="",
        changes={"staff_discount_limit": [_percent(was), _percent(limit)]},
    )


def may_approve(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(APPROVE_PRICE))


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


@dataclass(frozen=True)
class PriceBreach:
    """A line beyond a clerk's authority, and why."""

    product: object
    unit_price: Decimal
    discount: Decimal
    reasons: tuple[str, ...]

    @property
    def net_price(self) -> Decimal:
        return self.unit_price * (HUNDRED - self.discount) / HUNDRED

    def price_text(self) -> str:
        if self.discount:
            return _("%(price)s less %(discount)s = %(net)s") % {
                "price": _money(self.unit_price),
                "discount": _percent(self.discount),
                "net": _money(self.net_price),
            }
        return _money(self.unit_price)

    def describe(self) -> str:
        return _("“%(name)s” (%(sku)s) at %(price)s: %(reasons)s") % {
            "name": self.product.name,
            "sku": self.product.sku,
            "price": self.price_text(),
            "reasons": _(", ").join(self.reasons),
        }


def price_breaches(lines, *, limit: Decimal | None = None) -> list[PriceBreach]:
    """The lines (SaleLineInput: product, quantity, unit_price or None for the sale
    price, discount) a clerk may not sell at without an owner's approval."""
    if limit is None and any(line.discount for line in lines):
        # Read only when some line has a discount: most sales have none, and a
        # posting's queries stay as they were.
        limit = staff_discount_limit()
    found = []
    for line in lines:
        product = line.product
        unit = getattr(line, "unit", None)
        price = (
            package_price(product, unit) if line.unit_price is None else line.unit_price
        )
        discount = line.discount or ZERO
        net = price * (HUNDRED - discount) / HUNDRED
        # The floor is per base unit: a line in 箱 compares its price per 瓶.
        per_base = net / unit.factor if unit is not None else net
        reasons = []
        if net <= 0:
            reasons.append(_("a price of zero"))
        if discount and discount > limit:
            reasons.append(
                _("a discount above the staff limit of %(limit)s")
                % {"limit": _percent(limit)}
            )
        if product.min_price is not None and 0 < per_base < product.min_price:
            reasons.append(
                _("below the minimum sale price %(floor)s")
                % {"floor": _money(product.min_price)}
            )
        if reasons:
            found.append(PriceBreach(product, price, discount, tuple(reasons)))
    return found


class ApprovalRequired(ValidationError):
    """Something beyond a clerk's authority needs an owner's approval on the
    spot (授权); nothing was written. The approval form opens for it."""


class PriceApprovalRequired(ApprovalRequired):
    """Some lines need an owner's approval; nothing was written."""

    def __init__(self, breaches: list[PriceBreach]):
        self.breaches = breaches
        super().__init__(
            _(
                "These prices need an owner's approval: %(lines)s. An owner "
                "enters their username and password under “Owner's approval”, or "
                "change the prices."
            )
            % {"lines": _("; ").join(breach.describe() for breach in breaches)}
        )


class ApprovalRefused(ValidationError):
    """The username and password given for the approval were not an owner's."""


def _unchanged(order) -> set[tuple]:
    if order is None or order.pk is None:
        return set()
    return set(order.lines.values_list("product_id", "unit_price", "discount"))


def prices_authorize(
    *, lines, user, approver=None, order=None
) -> tuple[list[PriceBreach], object | None]:
    """Refuse (PriceApprovalRequired) lines beyond the clerk's authority unless the
    user is an owner or ``approver`` (an owner already authenticated by the view)
    approves them. ``order``: the draft being rewritten, whose unchanged lines
    stand. Returns the lines approved now and who approved them, for
    ``approval_record``; nothing to record when an owner enters the prices."""
    breaches = price_breaches(lines)
    if not breaches or may_approve(user):
        return [], None
    kept = _unchanged(order)
    breaches = [
        breach
        for breach in breaches
        if (breach.product.pk, breach.unit_price, breach.discount) not in kept
    ]
    if not breaches:
        return [], None
    if not may_approve(approver):
        raise PriceApprovalRequired(breaches)
    return breaches, approver


def approval_record(*, record, approved, approver, user) -> None:
    """The audit entry of an approval: the owner who approved, for whom, and each
    line's price (inside the service's transaction)."""
    if not approved:
        return
    found = {"price_approved_by": [None, str(approver)]}
    for breach in approved:
        found[str(breach.product)] = [None, breach.price_text()]
    audit_record(
        user=approver,
        action=Action.CHANGE,
        record=record,
        summary=_("Prices approved on the spot for %(user)s: %(lines)s")
        % {
            "user": user.get_username() if user else "",
            "lines": _("; ").join(breach.describe() for breach in approved),
        },
        changes=found,
    )


# --- credit limits (信用额度) ----------------------------------------------------


class CreditApprovalRequired(ApprovalRequired):
    """A sale on account would take a customer over the credit limit."""


def credit_authorize(*, customer, balance: Decimal, user, approver=None, record=None):
    """Refuse (CreditApprovalRequired) a sale on account that leaves ``customer``
    owing ``balance``, more than the credit limit, unless the user or ``approver``
    (an owner authenticated by the view) may approve credit; an approval is
    audited on ``record``. No limit (None), or a balance within it: nothing."""
    limit = customer.credit_limit
    if limit is None or balance <= limit or user.has_perm(APPROVE_CREDIT):
        return
    if (
        approver is not None
        and approver.is_active
        and approver.has_perm(APPROVE_CREDIT)
    ):
        if record is not None:
            audit_record(
                user=approver,
                action=Action.CHANGE,
                record=record,
                summary=_(
                    "Credit approved on the spot for %(user)s: %(customer)s owes "
                    "%(balance)s, limit %(limit)s"
                )
                % {
                    "user": user.get_username() if user else "",
                    "customer": customer.name,
                    "balance": _money(balance),
                    "limit": _money(limit),
                },
                changes={"credit_approved_by": [None, str(approver)]},
            )
        return
    raise CreditApprovalRequired(
        _(
            "%(customer)s would owe %(balance)s, over the credit limit of "
            "%(limit)s. An owner approves it under “Owner's approval”, or take "
            "payment now."
        )
        % {
            "customer": customer.name,
            "balance": _money(balance),
            "limit": _money(limit),
        }
    )


class PriceApprovalForm(InputRulesMixin, forms.Form):
    """The owner's approval, posted with the document's own form: in a dialog when
    scripts run, as plain fields in the form when they do not."""

    approver_username = forms.CharField(
        label=gettext_lazy("Owner's username"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    approver_password = forms.CharField(
        label=gettext_lazy("Owner's password"),
        max_length=4096,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, data=None, *, request, user):
        super().__init__(data, prefix="approval")
        self.request, self.user = request, user
        # Shown open after a refusal, or while an approval is being typed.
        self.open = False
        self.reasons: list[str] = []
        self.needed = not may_approve(user)

    def given(self) -> bool:
        return self.is_bound and bool(
            self.data.get(self.add_prefix("approver_username"), "").strip()
            or self.data.get(self.add_prefix("approver_password"), "")
        )

    def approver(self):
        """The owner approving, None when no approval was given; raises
        ApprovalRefused when the username and password are not an owner's (a
        wrong password counts as a failed sign-in of that account)."""
        if not self.needed or not self.given():
            return None
        self.open = True
        if not self.is_valid():
            raise ApprovalRefused(_("Enter the owner's username and password."))
        username = self.cleaned_data["approver_username"].strip()
        password = self.cleaned_data["approver_password"]
        if not username or not password:
            raise ApprovalRefused(_("Enter the owner's username and password."))
        owner = authenticate(self.request, username=username, password=password)
        if owner is None:
            raise ApprovalRefused(
                _(
                    "Not approved: the owner's username or password is wrong, or "
                    "the account is locked after too many tries."
                )
            )
        if not may_approve(owner):
            raise ApprovalRefused(
                _("Not approved: %(user)s is not an owner.")
                % {"user": owner.get_username()}
            )
        return owner

    def refused(self, error) -> None:
        """Open the dialog when the refusal was for want of an approval."""
        if isinstance(error, (ApprovalRequired, ApprovalRefused)):
            self.open = True
            self.reasons = error.messages
            self.fields["approver_username"].widget.attrs["autofocus"] = True
