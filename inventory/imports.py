"""Opening stock spreadsheets: SKU, warehouse, quantity, unit cost."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import PackageUnit, Product, Warehouse
from catalog.selectors import SeveralProductsMatch, code_key, products_by_code
from jxc.decimals import MAX_PRICE, MAX_QUANTITY
from jxc.tabular import (
    Column,
    RowError,
    Table,
    parse_code,
    parse_decimal,
    parse_rows,
    parse_text,
)
from jxc.units import InexactConversion, to_base

OPENING_COLUMNS = [
    Column(
        "sku",
        "商品编码",
        "SKU",
        parse_code(64),
        required=True,
        expected=gettext_lazy("the SKU of an active product"),
    ),
    Column(
        "warehouse",
        "仓库",
        "Warehouse",
        parse_text(100),
        expected=gettext_lazy("warehouse code or name; empty: the default warehouse"),
    ),
    Column(
        "quantity",
        "数量",
        "Quantity",
        parse_decimal(3, MAX_QUANTITY),
        required=True,
        expected=gettext_lazy("a number > 0 with at most 3 decimals"),
    ),
    Column(
        "unit_cost",
        "成本单价",
        "Unit cost",
        parse_decimal(4, MAX_PRICE),
        required=True,
        expected=gettext_lazy("a number ≥ 0 with at most 4 decimals"),
    ),
    Column(
        "unit",
        "单位",
        "Unit",
        parse_text(20),
        expected=gettext_lazy(
            "a package unit of the product (箱), the quantity and the unit cost "
            "per it; empty: the product's unit"
        ),
    ),
]


def _header(key: str) -> str:
    return next(column for column in OPENING_COLUMNS if column.key == key).header


def opening_rows(table: Table) -> list[tuple]:
    """(product, warehouse, quantity, unit cost) per row; problems in table.errors."""
    rows = parse_rows(table)
    products = products_by_code(values["sku"] for _n, values in rows if "sku" in values)
    warehouses = list(Warehouse.objects.all())
    default = next(w for w in warehouses if w.is_default)
    by_name = {}
    for warehouse in warehouses:
        by_name[warehouse.code.lower()] = warehouse
        by_name.setdefault(warehouse.name.lower(), warehouse)
    packages = {
        (unit.product_id, unit.name.lower()): unit
        for unit in PackageUnit.objects.filter(
            product_id__in=[p.pk for p in products.values() if isinstance(p, Product)]
        )
    }
    seen: dict[tuple, int] = {}
    lines = []
    for number, values in rows:
        product = products.get(code_key(values.get("sku", "")))
        if isinstance(product, SeveralProductsMatch):
            table.errors.append(RowError(number, _header("sku"), product.message))
            product = None
        elif values.get("sku") and product is None:
            table.errors.append(
                RowError(
                    number,
                    _header("sku"),
                    _("no product has the SKU “%(sku)s”") % {"sku": values["sku"]},
                )
            )
        elif product is not None and not product.is_active:
            table.errors.append(
                RowError(
                    number,
                    _header("sku"),
                    _("“%(name)s” is deactivated") % {"name": product.name},
                )
            )
        name = values.get("warehouse", "")
        warehouse = by_name.get(name.lower()) if name else default
        if warehouse is None:
            table.errors.append(
                RowError(
                    number,
                    _header("warehouse"),
                    _("no warehouse is called “%(name)s”") % {"name": name},
                )
            )
        elif not warehouse.is_active:
            table.errors.append(
                RowError(
                    number, _header("warehouse"), _("the warehouse is deactivated")
                )
            )
        if values.get("quantity") == 0:
            table.errors.append(
                RowError(number, _header("quantity"), _("must be greater than zero"))
            )
        if product and warehouse:
            key = (product.pk, warehouse.pk)
            if key in seen:
                table.errors.append(
                    RowError(
                        number,
                        _header("sku"),
                        _("“%(value)s” also appears in row %(row)d")
                        % {"value": product.sku, "row": seen[key]},
                    )
                )
            seen.setdefault(key, number)
        unit = _unit(table, number, product, values, packages)
        if product and warehouse and "quantity" in values and "unit_cost" in values:
            line = (product, warehouse, values["quantity"], values["unit_cost"])
            lines.append(line if unit is None else (*line, unit))
    table.errors.sort(key=lambda error: error.row)
    return lines


def _unit(table: Table, number: int, product, values: dict, packages: dict):
    """The row's package unit (None: the product's own unit); a unit the product
    does not have, or a quantity no exact number of base units, is a row error."""
    name = values.get("unit", "")
    if not product or not name or name.lower() == (product.unit or "").lower():
        return None
    unit = packages.get((product.pk, name.lower()))
    if unit is None:
        table.errors.append(
            RowError(
                number,
                _header("unit"),
                _("“%(unit)s” is not a unit of “%(name)s”.")
                % {"unit": name, "name": product.name},
            )
        )
        return None
    if values.get("quantity"):
        try:
            to_base(values["quantity"], unit.factor)
        except InexactConversion as problem:
            table.errors.append(RowError(number, _header("quantity"), str(problem)))
    return unit
