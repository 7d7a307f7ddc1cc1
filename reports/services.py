"""Writes reports starts: they are other apps' services (DESIGN.md)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Supplier, Warehouse
from jxc.documents import posting
from purchasing import services as purchasing_services
from reports import selectors


def _supplier_submission(submission: uuid.UUID | None, supplier_id: int):
    """The token of one supplier's order within the reorder form's submission."""
    if submission is None:
        return None
    return uuid.uuid5(submission, f"supplier:{supplier_id}")


@posting
def reorder_draft_orders(*, quantities: dict, user, submission=None) -> list:
    """Draft purchase orders for chosen suggestions ({product: quantity}), one per
    supplier (preferred, else last bought from). The form's ``submission`` token
    gives each supplier's order a token of its own: a second submit of the same
    form returns the orders of the first instead of making more."""
    if not quantities:
        raise ValidationError(_("Choose at least one product to order."))
    suppliers = selectors.supplier_for(list(quantities))
    missing = [p.name for p in quantities if suppliers.get(p.pk) is None]
    if missing:
        raise ValidationError(
            _("No supplier is known for: %(names)s. Set a preferred supplier first.")
            % {"names": "、".join(missing)}
        )
    warehouse = Warehouse.objects.get(is_default=True)
    grouped: dict[int, list] = {}
    for product, quantity in quantities.items():
        grouped.setdefault(suppliers[product.pk], []).append(
            purchasing_services.OrderLineInput(product, Decimal(quantity))
        )
    return [
        purchasing_services.purchase_order_save(
            supplier=Supplier.objects.get(pk=supplier_id),
            warehouse=warehouse,
            order_date=timezone.localdate(),
            expected_date=None,
            note=_("From the reorder suggestions"),
            lines=lines,
            user=user,
            submission=_supplier_submission(submission, supplier_id),
        )
        for supplier_id, lines in sorted(grouped.items())
    ]
