"""Product, supplier and customer spreadsheets: the columns, their checks, and the
export rows that the import takes back unchanged."""

from __future__ import annotations

from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import WALK_IN_CUSTOMER_CODE, Customer, Product, Supplier
from catalog.plu import plu_canonical, plu_digits, plu_holders, plu_problem
from jxc.decimals import MAX_PRICE, MAX_QUANTITY
from jxc.excel import MONEY, QUANTITY, TEXT, Col
from jxc.matching import barcode_check_problem, barcode_too_long
from jxc.tabular import (
    Column,
    RowError,
    Table,
    parse_bool,
    parse_code,
    parse_decimal,
    parse_int,
    parse_rows,
    parse_text,
)

_price = parse_decimal(2, MAX_PRICE)
_quantity = parse_decimal(3, MAX_QUANTITY)
_money_hint = gettext_lazy("a number ≥ 0 with at most 2 decimals, e.g. 12.50")
_qty_hint = gettext_lazy("a number ≥ 0 with at most 3 decimals")

PRODUCT_COLUMNS = [
    Column(
        "sku",
        "商品编码",
        "SKU",
        parse_code(64),
        required=True,
        expected=gettext_lazy("a code of at most 64 characters"),
    ),
    Column(
        "name",
        "商品名称",
        "Name",
        parse_text(200),
        required=True,
        expected=gettext_lazy("a name of at most 200 characters"),
    ),
    Column(
        "barcode",
        "条形码",
        "Barcode",
        parse_code(64),
        expected=gettext_lazy("digits or letters, at most 64"),
    ),
    Column(
        "category_name",
        "分类",
        "Category",
        parse_text(50),
        expected=gettext_lazy("a category name of at most 50 characters"),
    ),
    Column(
        "unit", "单位", "Unit", parse_text(16), expected=gettext_lazy("e.g. 件, 斤, 箱")
    ),
    Column(
        "spec",
        "规格",
        "Spec",
        parse_text(100),
        expected=gettext_lazy("at most 100 characters"),
    ),
    Column("purchase_price", "进价", "Purchase price", _price, expected=_money_hint),
    Column("sale_price", "售价", "Sale price", _price, expected=_money_hint),
    Column("safety_stock", "安全库存", "Safety stock", _quantity, expected=_qty_hint),
    Column(
        "reorder_quantity",
        "补货数量",
        "Reorder quantity",
        _quantity,
        expected=_qty_hint,
    ),
    Column(
        "lead_time_days",
        "采购周期(天)",
        "Lead time (days)",
        parse_int(365),
        expected=gettext_lazy("whole days from 0 to 365"),
    ),
    Column(
        "supplier_code",
        "首选供应商编码",
        "Preferred supplier code",
        parse_code(32),
        expected=gettext_lazy("the code of an existing supplier"),
    ),
    Column(
        "is_active",
        "状态",
        "Active",
        parse_bool,
        expected=gettext_lazy("启用 or 停用 (yes / no)"),
    ),
    Column(
        "note",
        "备注",
        "Note",
        parse_text(1000),
        expected=gettext_lazy("at most 1000 characters"),
    ),
    # Last, so files made before it still line up; blank keeps the floor.
    Column(
        "min_price",
        "最低售价",
        "Minimum sale price",
        _price,
        expected=_money_hint,
    ),
    # After it, for the same reason: the label scale's number (条码秤).
    Column(
        "plu",
        "PLU码",
        "Scale PLU",
        parse_code(16),
        expected=gettext_lazy("digits, the product's number on the label scale"),
    ),
]

PARTY_COLUMNS = [
    Column(
        "code",
        "编码",
        "Code",
        parse_code(32),
        required=True,
        expected=gettext_lazy("a code of at most 32 characters"),
    ),
    Column(
        "name",
        "名称",
        "Name",
        parse_text(100),
        required=True,
        expected=gettext_lazy("a name of at most 100 characters"),
    ),
    Column(
        "contact",
        "联系人",
        "Contact",
        parse_text(50),
        expected=gettext_lazy("at most 50 characters"),
    ),
    Column(
        "phone",
        "电话",
        "Phone",
        parse_code(50),
        expected=gettext_lazy("at most 50 characters"),
    ),
    Column(
        "address",
        "地址",
        "Address",
        parse_text(200),
        expected=gettext_lazy("at most 200 characters"),
    ),
    Column(
        "is_active",
        "状态",
        "Active",
        parse_bool,
        expected=gettext_lazy("启用 or 停用 (yes / no)"),
    ),
    Column(
        "note",
        "备注",
        "Note",
        parse_text(1000),
        expected=gettext_lazy("at most 1000 characters"),
    ),
]

TEXT_KEYS = {
    "barcode",
    "plu",
    "category_name",
    "spec",
    "note",
    "contact",
    "phone",
    "address",
}
COST_KEYS = {"purchase_price"}
KINDS = {
    "purchase_price": MONEY, "sale_price": MONEY, "min_price": MONEY,
    "safety_stock": QUANTITY,
    "reorder_quantity": QUANTITY, "lead_time_days": QUANTITY,
}  # fmt: skip


def export_columns(columns: list[Column], *, with_cost: bool) -> list[Column]:
    """The columns an export writes: all of the import's, costs only for owners."""
    return [c for c in columns if with_cost or c.key not in COST_KEYS]


def _header(columns: list[Column], key: str) -> str:
    return next(column for column in columns if column.key == key).header


def _chinese() -> bool:
    return translation.get_language().startswith("zh")


def export_header(columns: list[Column]) -> list[Col]:
    """Headers in the interface language; the import reads either language."""
    chinese = _chinese()
    return [
        Col(column.label if chinese else column.english, KINDS.get(column.key, TEXT))
        for column in columns
    ]


def _status(is_active: bool) -> str:
    if _chinese():
        return "启用" if is_active else "停用"
    return "active" if is_active else "inactive"


def _blank_text_means_empty(table: Table, rows: list[tuple[int, dict]]) -> None:
    """A blank text cell clears the field; a blank number keeps it (or the default)."""
    present = {column.key for column in table.columns}
    for _number, values in rows:
        for key in TEXT_KEYS & present:
            values.setdefault(key, "")


def _duplicates(rows, key: str, label: str, errors: list[RowError]) -> None:
    seen: dict[str, int] = {}
    for number, values in rows:
        value = values.get(key)
        if not value:
            continue
        first = seen.setdefault(value.lower(), number)
        if first != number:
            errors.append(
                RowError(
                    number,
                    label,
                    _("“%(value)s” also appears in row %(row)d")
                    % {"value": value, "row": first},
                )
            )


def product_rows(table: Table) -> list[dict]:
    """Checked product rows ready for products_import; problems in table.errors."""
    rows = parse_rows(table)
    _blank_text_means_empty(table, rows)
    _duplicates(rows, "sku", _header(PRODUCT_COLUMNS, "sku"), table.errors)
    _duplicates(rows, "barcode", _header(PRODUCT_COLUMNS, "barcode"), table.errors)
    barcode = _header(PRODUCT_COLUMNS, "barcode")
    for number, values in rows:
        code = values.get("barcode")
        if not code:
            continue
        if problem := barcode_too_long(code):
            table.errors.append(
                RowError(number, barcode, problem, _("digits or letters, at most 64"))
            )
        elif problem := barcode_check_problem(code):
            table.warnings.append(RowError(number, barcode, problem))
    barcodes = {
        v["barcode"].lower(): (n, v.get("sku", "")) for n, v in rows if v.get("barcode")
    }
    if barcodes:
        holders = Product.objects.annotate(b=Lower("barcode")).filter(b__in=barcodes)
        for holder in holders:
            row_number, row_sku = barcodes[holder.barcode.lower()]
            # A barcode moving to another product (even one in this file) is
            # refused: clear it on its current product first.
            if holder.sku.lower() != row_sku.lower():
                table.errors.append(
                    RowError(
                        row_number,
                        _header(PRODUCT_COLUMNS, "barcode"),
                        _("already used by “%(name)s” (%(sku)s)")
                        % {"name": holder.name, "sku": holder.sku},
                    )
                )
    _plus_check(rows, table)
    if barcodes:
        from catalog.models import PackageUnit

        for unit in (
            PackageUnit.objects.annotate(b=Lower("barcode"))
            .filter(b__in=barcodes)
            .select_related("product")
        ):
            table.errors.append(
                RowError(
                    barcodes[unit.barcode.lower()][0],
                    _header(PRODUCT_COLUMNS, "barcode"),
                    _("already used by %(holder)s")
                    % {
                        "holder": _("the %(unit)s of “%(name)s” (%(sku)s)")
                        % {
                            "unit": unit.name,
                            "name": unit.product.name,
                            "sku": unit.product.sku,
                        }
                    },
                )
            )
    codes = {v["supplier_code"].lower() for _n, v in rows if v.get("supplier_code")}
    suppliers = {
        s.code.lower(): s
        for s in Supplier.objects.annotate(c=Lower("code")).filter(c__in=codes)
    }
    for number, values in rows:
        code = values.pop("supplier_code", None)
        if code is None:
            continue
        if code == "":
            values["preferred_supplier"] = None
        elif code.lower() in suppliers:
            values["preferred_supplier"] = suppliers[code.lower()]
        else:
            table.errors.append(
                RowError(
                    number,
                    _header(PRODUCT_COLUMNS, "supplier_code"),
                    _("no supplier has the code “%(code)s”") % {"code": code},
                    _("the code of an existing supplier"),
                )
            )
    table.errors.sort(key=lambda error: error.row)
    return [values for _number, values in rows]


def _plus_check(rows, table: Table) -> None:
    """PLUs: digits that fit the scale's labels, stored without the scale's
    padding zeros, once in the file, and not held by another product."""
    header = _header(PRODUCT_COLUMNS, "plu")
    digits = plu_digits()
    for number, values in rows:
        if not values.get("plu"):
            continue
        if problem := plu_problem(values["plu"], digits):
            table.errors.append(
                RowError(number, header, problem, _("digits, at most %d") % digits)
            )
            values.pop("plu")
        else:
            values["plu"] = plu_canonical(values["plu"])
    _duplicates(rows, "plu", header, table.errors)
    wanted = {v["plu"]: (n, v.get("sku", "")) for n, v in rows if v.get("plu")}
    for plu, holder in plu_holders(wanted).items():
        row_number, row_sku = wanted[plu]
        # Moving a PLU to another product is refused like a barcode.
        if holder.sku.lower() != row_sku.lower():
            table.errors.append(
                RowError(
                    row_number,
                    header,
                    _("already used by “%(name)s” (%(sku)s)")
                    % {"name": holder.name, "sku": holder.sku},
                )
            )


def party_rows(table: Table, model: type[Supplier] | type[Customer]) -> list[dict]:
    """Checked supplier or customer rows; problems in table.errors."""
    rows = parse_rows(table)
    _blank_text_means_empty(table, rows)
    _duplicates(rows, "code", _header(PARTY_COLUMNS, "code"), table.errors)
    if model is Customer:
        for number, values in rows:
            walk_in = values.get("code", "").lower() == WALK_IN_CUSTOMER_CODE.lower()
            if walk_in and values.get("is_active") is False:
                table.errors.append(
                    RowError(
                        number,
                        _header(PARTY_COLUMNS, "is_active"),
                        _("the walk-in customer stays active"),
                    )
                )
    table.errors.sort(key=lambda error: error.row)
    return [values for _number, values in rows]


def product_export_rows(products, columns: list[Column]):
    """One row per product in the import's column order (ORM objects in, values out)."""
    getters = {
        "category_name": lambda p: p.category.name if p.category else "",
        "supplier_code": lambda p: (
            p.preferred_supplier.code if p.preferred_supplier else ""
        ),
        "is_active": lambda p: _status(p.is_active),
    }
    for product in products:
        yield [
            getters[c.key](product) if c.key in getters else getattr(product, c.key)
            for c in columns
        ]


def party_export_rows(parties, columns: list[Column]):
    for party in parties:
        yield [
            _status(party.is_active) if c.key == "is_active" else getattr(party, c.key)
            for c in columns
        ]


# --- variants: 款号 / 颜色 / 尺码 -----------------------------------------------------

COLOUR, SIZE = "颜色", "尺码"
VARIANT_COLUMNS = [
    Column(
        "style_code",
        "款号",
        "Style code",
        parse_code(32),
        required=True,
        expected=gettext_lazy("a style code of at most 32 characters, without “-”"),
    ),
    Column(
        "style_name",
        "款名",
        "Style name",
        parse_text(200),
        expected=gettext_lazy("the style's name (needed for a new style)"),
    ),
    Column(
        "colour",
        COLOUR,
        "Colour",
        parse_text(32),
        expected=gettext_lazy("a value of the attribute 颜色 (its name or code)"),
    ),
    Column(
        "size",
        SIZE,
        "Size",
        parse_text(32),
        expected=gettext_lazy("a value of the attribute 尺码 (its name or code)"),
    ),
    Column(
        "sku",
        "商品编码",
        "SKU",
        parse_code(64),
        expected=gettext_lazy("blank, or the variant's SKU (style code + value codes)"),
    ),
    Column(
        "barcode",
        "条形码",
        "Barcode",
        parse_code(64),
        expected=gettext_lazy("digits or letters, at most 64"),
    ),
    Column("sale_price", "售价", "Sale price", _price, expected=_money_hint),
]
KINDS["sale_price"] = MONEY


def _attribute_values(name: str) -> dict[str, object]:
    """An attribute's values by lower-case name and code."""
    from catalog.models import AttributeValue

    found = {}
    for value in AttributeValue.objects.filter(attribute__name__iexact=name):
        found.setdefault(value.name.lower(), value)
        found.setdefault(value.code.lower(), value)
    return found


def variant_rows(table: Table) -> list[dict]:
    """Checked variant rows: each names its style (existing, or new with a name),
    its colour and size values (which must exist), and the variant it is (found
    or to be made). Problems go to table.errors."""
    from catalog.models import Style
    from catalog.selectors import barcode_holders, variant_key

    rows = parse_rows(table)
    header = {column.key: column.header for column in VARIANT_COLUMNS}
    colours, sizes = _attribute_values(COLOUR), _attribute_values(SIZE)
    codes = {v["style_code"].lower() for _n, v in rows if v.get("style_code")}
    styles = {
        s.code.lower(): s
        for s in Style.objects.annotate(c=Lower("code"))
        .filter(c__in=codes)
        .prefetch_related("variants")
    }
    # A new style's name may stand on any one of its rows.
    named = {
        v["style_code"].lower(): v["style_name"]
        for _n, v in rows
        if v.get("style_code") and v.get("style_name")
    }
    seen: dict[tuple, int] = {}
    for number, values in rows:
        code = values.get("style_code", "")
        if "-" in code:
            table.errors.append(
                RowError(number, header["style_code"], _("a style code has no “-”"))
            )
        picked = []
        for key, known in (("colour", colours), ("size", sizes)):
            text = values.get(key, "")
            if not text:
                continue
            value = known.get(text.lower())
            if value is None:
                table.errors.append(
                    RowError(
                        number,
                        header[key],
                        _("no value “%(value)s”: add it to the attribute first")
                        % {"value": text},
                    )
                )
            else:
                picked.append(value)
        if not values.get("colour") and not values.get("size"):
            table.errors.append(
                RowError(number, header["colour"], _("a colour, a size or both"))
            )
        style = styles.get(code.lower())
        if style is None and code and not named.get(code.lower()):
            table.errors.append(
                RowError(number, header["style_name"], _("a new style needs a name"))
            )
        values["_style"] = style
        values["_values"] = picked
        values["_key"] = variant_key(picked)
        values["_product"] = None
        if style is not None:
            values["_product"] = next(
                (p for p in style.variants.all() if p.variant_key == values["_key"]),
                None,
            )
        expected = (
            values["_product"].sku
            if values["_product"]
            else "-".join([style.code if style else code, *[v.code for v in picked]])
        )
        if values.get("sku") and values["sku"].lower() != expected.lower():
            table.errors.append(
                RowError(
                    number,
                    header["sku"],
                    _("this variant's SKU is “%(sku)s”") % {"sku": expected},
                )
            )
        values["sku"] = expected
        first = seen.setdefault((code.lower(), values["_key"]), number)
        if first != number:
            table.errors.append(
                RowError(
                    number,
                    header["style_code"],
                    _("the same variant as row %(row)d") % {"row": first},
                )
            )
    _duplicates(rows, "barcode", header["barcode"], table.errors)
    by_code = {v["barcode"]: v for _n, v in rows if v.get("barcode")}
    numbers = {id(v): n for n, v in rows}
    for code, holder in barcode_holders(by_code).items():
        values = by_code[code]
        product = values["_product"]
        own = product is not None and (product.barcode or "").lower() == code.lower()
        if not own:
            table.errors.append(
                RowError(
                    numbers[id(values)],
                    header["barcode"],
                    _("already used by %(holder)s") % {"holder": holder},
                )
            )
    table.errors.sort(key=lambda error: error.row)
    return [values for _number, values in rows]


def variant_changes(values: dict) -> dict:
    """What importing the row would change on its existing variant and style."""
    product, style = values["_product"], values["_style"]
    found = {}
    if style is not None and values.get("style_name", style.name) != style.name:
        found["style_name"] = values["style_name"]
    if product is not None:
        for key in ("barcode", "sale_price"):
            if key in values and values[key] != getattr(product, key):
                found[key] = values[key]
    return found


def variant_export_rows(styles, columns: list[Column]):
    """One row per variant of each style, in the import's columns."""
    styles = styles.prefetch_related("variants__variant_values__attribute")
    for style in styles:
        for product in sorted(style.variants.all(), key=lambda p: p.sku):
            by_attribute = {
                value.attribute.name: value.name
                for value in product.variant_values.all()
            }
            cells = {
                "style_code": style.code,
                "style_name": style.name,
                "colour": by_attribute.get(COLOUR, ""),
                "size": by_attribute.get(SIZE, ""),
                "sku": product.sku,
                "barcode": product.barcode,
                "sale_price": product.sale_price,
            }
            yield [cells[column.key] for column in columns]
