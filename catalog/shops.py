"""A chain's one rule, in one place: a clerk acts only in their shops' warehouses;
the owner (permission ``catalog.all_shops``) in every shop.

Every page that chooses or shows a warehouse goes through this module:

- ``warehouses_for(user)``: the warehouses the user may use (a lazy queryset, no
  query of its own: pages keep their query counts);
- ``limit_warehouse_fields(form, user)``: narrows every warehouse choice of a form,
  so a forged POST naming another shop's warehouse is refused by the form itself;
- ``documents_for(rows, user)``: a document list or detail queryset narrowed to the
  user's warehouses (another shop's document answers 404);
- ``check_warehouses(user, ids)``: raises PermissionDenied (the ledger's posting
  checks it too, so no way around the pages posts into another shop).

A business with one shop works as before: while there is one shop, every clerk
acts in it (whether or not they were put in it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.forms import ModelChoiceField
from django.shortcuts import get_object_or_404

from catalog.models import Shop, Warehouse

ALL_SHOPS = "catalog.all_shops"
# The fields through which a document belongs to a shop (a transfer to both ends).
WAREHOUSE_FIELDS = ("warehouse", "from_warehouse", "to_warehouse")


def sees_all_shops(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(ALL_SHOPS))


def _one_shop() -> Q:
    """True in SQL while the business has at most one shop."""
    first = Shop.objects.order_by("pk").values("pk")[:1]
    return ~Exists(Shop.objects.exclude(pk__in=first))


def _member(user, shop_ref: str) -> Exists:
    return Exists(
        Shop.members.through.objects.filter(shop_id=OuterRef(shop_ref), user_id=user.pk)
    )


def warehouse_rule(user, prefix: str = "") -> Q:
    """The condition on a warehouse (through ``prefix``, e.g. "warehouse__") that
    the user may use it; an empty Q for the owner."""
    if sees_all_shops(user):
        return Q()
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(_member(user, f"{prefix}shop_id")) | Q(_one_shop())


def warehouses_for(user) -> QuerySet:
    """The warehouses the user may choose, see and post into."""
    return Warehouse.objects.filter(warehouse_rule(user))


def shops_for(user) -> QuerySet:
    if sees_all_shops(user):
        return Shop.objects.all()
    return Shop.objects.filter(Q(members=user) | Q(_one_shop())).distinct()


def default_warehouse_for(user) -> Warehouse | None:
    """The shop's default warehouse if the user may use it, else the first one
    of their shops (a clerk of the second shop starts in that shop)."""
    return (
        warehouses_for(user)
        .filter(is_active=True)
        .order_by("-is_default", "shop_id", "code")
        .first()
    )


def limit_warehouse_fields(form, user):
    """Narrow every warehouse choice of ``form`` to the user's warehouses; returns
    the form. A choice outside them fails the form's own validation. (No user:
    a form built outside a request, left as it is.)"""
    if user is None:
        return form
    everything = sees_all_shops(user)
    for field in form.fields.values():
        if (
            isinstance(field, ModelChoiceField)
            and field.queryset is not None
            and field.queryset.model is Warehouse
        ):
            # The transit warehouse (在途) is never chosen: only transfer requests
            # move goods in and out of it.
            field.queryset = field.queryset.filter(is_transit=False)
            if not everything:
                field.queryset = field.queryset.filter(warehouse_rule(user))
    return form


def documents_for(rows: QuerySet, user) -> QuerySet:
    """``rows`` (documents with a warehouse, or a transfer's two) narrowed to the
    ones the user's shops touch."""
    if sees_all_shops(user):
        return rows
    names = {field.name for field in rows.model._meta.get_fields()}
    fields = [name for name in WAREHOUSE_FIELDS if name in names]
    if not fields:
        return rows
    allowed = warehouses_for(user).values("pk")
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__in": allowed})
    return rows.filter(condition)


def check_warehouses(user, warehouse_ids) -> None:
    """PermissionDenied unless the user may act in every one of these warehouses."""
    if sees_all_shops(user):
        return
    wanted = {pk for pk in warehouse_ids if pk is not None}
    if not wanted:
        return
    found = set(warehouses_for(user).filter(pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        raise PermissionDenied


def document_or_404(user, rows, **lookup):
    """The document (``rows``: a model or queryset) if the user's shops touch it;
    Http404 otherwise, just as for a document that does not exist."""
    if isinstance(rows, type):
        rows = rows._default_manager.all()
    return get_object_or_404(documents_for(rows, user), **lookup)


def restricted_warehouse_ids(user) -> list[int] | None:
    """The ids of the user's warehouses (default first) when the user is a clerk
    of a chain, for pages that would otherwise show every warehouse; None when the
    user may see them all (the owner, or any clerk while there is one shop). One
    query, for clerks only."""
    if user is None or sees_all_shops(user):
        return None
    rows = list(
        Warehouse.objects.annotate(
            mine=ExpressionWrapper(Q(_member(user, "shop_id")), BooleanField()),
            single=ExpressionWrapper(Q(_one_shop()), BooleanField()),
        )
        .order_by("-is_default", "shop_id", "code")
        .values_list("pk", "mine", "single")
    )
    if not rows or rows[0][2]:
        return None
    return [pk for pk, mine, _single in rows if mine]


def one_or_all(user, chosen_id: int | None) -> int | None:
    """The warehouse a "one warehouse or all" page shows: the chosen one, or all
    (None); a clerk of a chain gets their own first warehouse instead of all, so
    no other shop's stock shows. (-1 when they have none: nothing shows.)"""
    if chosen_id is not None:
        return chosen_id
    ids = restricted_warehouse_ids(user)
    if ids is None:
        return None
    return ids[0] if ids else -1
