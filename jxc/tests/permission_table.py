"""Who may open which URL: the one declared table the permission matrix tests
(test_permission_matrix.py) and the cost-visibility tests (test_cost_visibility.py)
read. Every URL pattern of the project must be here, by its name; a new URL that
is not fails the matrix test with its name.

``who``:
    PUBLIC  anyone, signed in or not (sign-in, language switch)
    STAFF   every signed-in role (a clerk, and the owner)
    OWNER   the owner only: a clerk gets 403, on GET and on POST
    ADMIN   Django's admin: only is_staff accounts (the IT administrator), so a
            clerk and an owner alike are sent to the admin's own sign-in

Anonymous and deactivated users are sent to the sign-in page for everything but
PUBLIC. ``get`` is what a GET by someone allowed returns:
    page      200, a page in the layout (base.html)
    fragment  200, a piece of HTML that htmx or a script puts into a page
    print     200, a page of its own for printing (no navigation)
    xlsx      200, an Excel workbook
    download  200, a file to save (Content-Disposition: attachment)
    json      200, JSON for a script
    post      405: the URL only takes a POST (a button on another page)
    redirect  302 somewhere other than the sign-in page
    sign-in   302 to a sign-in page, the site's or the admin's (for anonymous_get)
``ids`` names the real record (a key of the world that shop_world.py builds)
behind each id in the URL; ``kwargs`` gives other URL arguments as they are;
``query`` is the query string the page needs (``{key}`` is the id of a record of
the world); ``also`` are more query strings to fetch, for the cost checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PUBLIC = "public"
STAFF = "staff"
OWNER = "owner"
ADMIN = "admin"
API = "api"  # an API key, never a session: every role gets 401

PAGE = "page"
FRAGMENT = "fragment"
PRINT = "print"
XLSX = "xlsx"
JSON = "json"
DOWNLOAD = "download"
POST = "post"
REDIRECT = "redirect"
SIGN_IN = "sign-in"
UNAUTHORIZED = "unauthorized"  # 401 JSON: an API key is needed


@dataclass(frozen=True)
class Access:
    who: str
    get: str = PAGE
    ids: dict[str, str] = field(default_factory=dict)
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    also: tuple[str, ...] = ()
    # What an anonymous GET of a PUBLIC URL returns (signed in: ``get``).
    anonymous_get: str = ""


def _pk(key: str) -> dict[str, str]:
    return {"pk": key}


URLS: dict[str, Access] = {
    # --- project ------------------------------------------------------------------
    "home": Access(STAFF),
    "login": Access(PUBLIC, get=REDIRECT, anonymous_get=PAGE),
    "logout": Access(STAFF, get=POST),
    "set_language": Access(PUBLIC, get=REDIRECT, anonymous_get=REDIRECT),
    # The amounts a document form shows while typing: arithmetic on what is sent.
    "line_amounts": Access(STAFF, get=JSON, query="quantity=2&price=3.50"),
    # --- accounts: the owner manages accounts; everyone changes their password ------
    "accounts:user_list": Access(OWNER),
    "accounts:user_create": Access(OWNER),
    "accounts:user_update": Access(OWNER, ids=_pk("clerk")),
    "accounts:user_password": Access(OWNER, ids=_pk("clerk")),
    "accounts:user_unlock": Access(OWNER, get=POST, ids=_pk("clerk")),
    "accounts:address_unlock": Access(OWNER, get=POST),
    # --- backups: the owner only; a backup holds every customer and password hash
    "accounts:backup_list": Access(OWNER),
    "accounts:backup_create": Access(OWNER, get=POST),
    "accounts:backup_download": Access(
        OWNER, get=DOWNLOAD, kwargs={"name": "jxc-20261126-023000.sqlite3"}
    ),
    "accounts:password_change": Access(STAFF),
    "accounts:password_change_done": Access(STAFF),
    # --- catalog: everyone looks up; the owner changes master data --------------------
    "catalog:product_list": Access(STAFF, also=("o=-sale_price", "q=SEC", "scale=1")),
    "catalog:shop_profile": Access(OWNER),
    # --- first run: the owner's setup wizard (firstrun) ------------------------------
    "firstrun:start": Access(OWNER, get=REDIRECT),
    "firstrun:shop": Access(OWNER),
    "firstrun:warehouses": Access(OWNER),
    "firstrun:products": Access(OWNER),
    "firstrun:opening": Access(OWNER),
    "firstrun:staff": Access(OWNER),
    "firstrun:step_end": Access(OWNER, get=POST),
    "firstrun:dismiss": Access(OWNER, get=POST),
    "firstrun:done": Access(OWNER),
    "catalog:product_create": Access(OWNER),
    "catalog:product_detail": Access(STAFF, ids=_pk("product")),
    "catalog:product_options": Access(STAFF, get=FRAGMENT, query="q=SEC"),
    "catalog:product_go": Access(STAFF, get=REDIRECT, query="q=SEC"),
    "catalog:unit_options": Access(STAFF, get=FRAGMENT, query="code=SEC"),
    "catalog:customer_options": Access(STAFF, get=FRAGMENT, query="q=a"),
    "catalog:supplier_options": Access(STAFF, get=FRAGMENT, query="q=a"),
    "catalog:product_update": Access(OWNER, ids=_pk("product")),
    "catalog:product_delete": Access(OWNER, ids=_pk("product")),
    "catalog:products_import": Access(OWNER),
    "catalog:products_import_template": Access(OWNER, get=XLSX),
    "catalog:products_export": Access(STAFF, get=XLSX),
    "catalog:suppliers_import": Access(OWNER),
    "catalog:suppliers_import_template": Access(OWNER, get=XLSX),
    "catalog:suppliers_export": Access(STAFF, get=XLSX),
    "catalog:customers_import": Access(OWNER),
    "catalog:customers_import_template": Access(OWNER, get=XLSX),
    "catalog:customers_export": Access(STAFF, get=XLSX),
    "catalog:supplier_list": Access(STAFF),
    "catalog:supplier_create": Access(OWNER),
    "catalog:supplier_update": Access(OWNER, ids=_pk("supplier")),
    "catalog:supplier_delete": Access(OWNER, ids=_pk("supplier")),
    "catalog:customer_list": Access(STAFF),
    "catalog:customer_create": Access(OWNER),
    "catalog:customer_update": Access(OWNER, ids=_pk("customer")),
    "catalog:customer_delete": Access(OWNER, ids=_pk("customer")),
    "catalog:category_list": Access(STAFF),
    "catalog:category_create": Access(OWNER),
    "catalog:category_update": Access(OWNER, ids=_pk("category")),
    "catalog:category_delete": Access(OWNER, ids=_pk("category")),
    "catalog:warehouse_list": Access(STAFF),
    "catalog:warehouse_create": Access(OWNER),
    "catalog:warehouse_update": Access(OWNER, ids=_pk("warehouse")),
    "catalog:warehouse_delete": Access(OWNER, ids=_pk("warehouse")),
    # Shops of a chain: clerks see the list; the owner opens, changes and staffs them.
    "catalog:shop_list": Access(STAFF),
    "catalog:shop_create": Access(OWNER),
    "catalog:shop_update": Access(OWNER, ids=_pk("shop")),
    "catalog:shop_delete": Access(OWNER, ids=_pk("shop")),
    # Styles, attributes, price levels: everyone looks up; the owner keeps them.
    "catalog:style_list": Access(STAFF, also=("q=SEC", "o=-sale_price")),
    "catalog:style_create": Access(OWNER),
    "catalog:style_detail": Access(STAFF, ids=_pk("style")),
    "catalog:style_update": Access(OWNER, ids=_pk("style")),
    "catalog:style_delete": Access(OWNER, ids=_pk("style")),
    "catalog:style_generate": Access(OWNER, ids=_pk("style")),
    "catalog:style_barcodes_assign": Access(OWNER, get=POST, ids=_pk("style")),
    "catalog:attribute_list": Access(STAFF),
    "catalog:attribute_create": Access(OWNER),
    "catalog:attribute_update": Access(OWNER, ids=_pk("attribute")),
    "catalog:attribute_delete": Access(OWNER, ids=_pk("attribute")),
    "catalog:pricelevel_list": Access(STAFF),
    "catalog:pricelevel_create": Access(OWNER),
    "catalog:pricelevel_update": Access(OWNER, ids=_pk("pricelevel")),
    "catalog:pricelevel_delete": Access(OWNER, ids=_pk("pricelevel")),
    "catalog:variants_import": Access(OWNER),
    "catalog:variants_import_template": Access(OWNER, get=XLSX),
    "catalog:variants_export": Access(STAFF, get=XLSX),
    # Package units, level prices and barcodes: the owner's; labels: everyone's.
    "catalog:product_units": Access(OWNER, ids=_pk("product_b")),
    "catalog:product_level_prices": Access(OWNER, ids=_pk("product_b")),
    "catalog:product_barcode_assign": Access(OWNER, get=POST, ids=_pk("product")),
    "catalog:labels": Access(STAFF, query="product={product}&product={product_b}"),
    "catalog:labels_print": Access(
        STAFF,
        get=PRINT,
        query="product={product}&size=a4&show_price=on&n_{product}=2",
    ),
    "catalog:instore_prefix": Access(OWNER, get=POST),
    # --- inventory: everyone sees stock; the owner moves it by hand ------------------
    "inventory:stock_overview": Access(
        STAFF, also=("warehouse={warehouse}", "warehouse={warehouse2}", "o=-value")
    ),
    "inventory:stock_overview_export": Access(
        STAFF, get=XLSX, also=("warehouse={warehouse2}",)
    ),
    "inventory:stock_card": Access(
        STAFF, ids={"product_id": "product"}, also=("warehouse={warehouse}",)
    ),
    "inventory:stock_card_export": Access(
        STAFF, get=XLSX, ids={"product_id": "product"}
    ),
    "inventory:product_stock": Access(
        STAFF, get=FRAGMENT, ids={"product_id": "product"}
    ),
    "inventory:style_stock": Access(STAFF, ids=_pk("style")),
    # Matrix entry: a style's grid of cells for a document's lines (nothing saved).
    "inventory:style_matrix": Access(STAFF, get=FRAGMENT, query="style=TEE9"),
    "inventory:adjustment_list": Access(OWNER),
    "inventory:adjustment_create": Access(OWNER),
    "inventory:adjustment_detail": Access(OWNER, ids=_pk("adjustment")),
    "inventory:adjustment_cancel": Access(OWNER, get=POST, ids=_pk("adjustment")),
    "inventory:costadjustment_list": Access(OWNER),
    "inventory:costadjustment_create": Access(OWNER),
    "inventory:costadjustment_detail": Access(OWNER, ids=_pk("costadjustment")),
    "inventory:transfer_list": Access(STAFF),
    "inventory:transfer_create": Access(OWNER),
    "inventory:transfer_detail": Access(STAFF, ids=_pk("transfer")),
    "inventory:transfer_cancel": Access(OWNER, get=POST, ids=_pk("transfer")),
    # Transfer requests between shops: everyone asks; each step checks the shop.
    "inventory:transferrequest_list": Access(STAFF),
    "inventory:transferrequest_create": Access(STAFF),
    "inventory:transferrequest_detail": Access(STAFF, ids=_pk("transfer_request")),
    "inventory:transferrequest_approve": Access(
        STAFF, get=POST, ids=_pk("transfer_request")
    ),
    "inventory:transferrequest_ship": Access(
        STAFF, get=POST, ids=_pk("transfer_request")
    ),
    "inventory:transferrequest_receive": Access(
        STAFF, get=POST, ids=_pk("transfer_request")
    ),
    "inventory:transferrequest_cancel": Access(
        STAFF, get=POST, ids=_pk("transfer_request")
    ),
    "inventory:stocktake_list": Access(STAFF),
    "inventory:stocktake_start": Access(OWNER),
    # Staff enter counted quantities on the sheet; the owner reviews and posts.
    "inventory:stocktake_detail": Access(STAFF, ids=_pk("stocktake")),
    "inventory:stocktake_print": Access(STAFF, get=PRINT, ids=_pk("stocktake")),
    "inventory:stocktake_review": Access(STAFF, ids=_pk("stocktake")),
    "inventory:stocktake_post": Access(OWNER, get=POST, ids=_pk("stocktake")),
    "inventory:stocktake_scan": Access(STAFF, get=POST, ids=_pk("stocktake")),
    "inventory:stocktake_matrix": Access(STAFF, get=POST, ids=_pk("stocktake")),
    "inventory:stocktake_abandon": Access(OWNER, get=POST, ids=_pk("stocktake")),
    "inventory:stocktake_cancel": Access(OWNER, get=POST, ids=_pk("stocktake")),
    "inventory:opening_import": Access(OWNER),
    "inventory:openingstock_list": Access(OWNER),
    "inventory:openingstock_detail": Access(OWNER, ids=_pk("opening")),
    "inventory:openingstock_cancel": Access(OWNER, get=POST, ids=_pk("opening")),
    "inventory:opening_template": Access(OWNER, get=XLSX),
    "inventory:settings": Access(OWNER),
    # --- purchasing: staff enter and post; the owner cancels posted documents --------
    "purchasing:order_list": Access(STAFF),
    "purchasing:order_create": Access(STAFF),
    "purchasing:order_detail": Access(STAFF, ids=_pk("purchase_order")),
    "purchasing:order_edit": Access(STAFF, ids=_pk("purchase_draft")),
    "purchasing:order_print": Access(STAFF, get=PRINT, ids=_pk("purchase_order")),
    "purchasing:order_confirm": Access(STAFF, get=POST, ids=_pk("purchase_draft")),
    "purchasing:order_end": Access(STAFF, get=POST, ids=_pk("purchase_draft")),
    "purchasing:order_prices_approve": Access(
        OWNER, get=POST, ids=_pk("purchase_draft")
    ),
    "purchasing:last_price": Access(
        STAFF, get=JSON, query="supplier={supplier}&product=SEC-B"
    ),
    "purchasing:receipt_list": Access(STAFF),
    "purchasing:receipt_create": Access(STAFF, also=("order={purchase_order}",)),
    "purchasing:receipt_detail": Access(STAFF, ids=_pk("receipt")),
    "purchasing:receipt_cancel": Access(OWNER, get=POST, ids=_pk("receipt")),
    "purchasing:return_list": Access(STAFF),
    "purchasing:return_create": Access(STAFF, also=("receipt={receipt}",)),
    "purchasing:return_detail": Access(STAFF, ids=_pk("purchase_return")),
    "purchasing:return_cancel": Access(OWNER, get=POST, ids=_pk("purchase_return")),
    "purchasing:order_export": Access(STAFF, get=XLSX),
    "purchasing:receipt_export": Access(STAFF, get=XLSX),
    "purchasing:return_export": Access(STAFF, get=XLSX),
    "purchasing:product_prices": Access(
        OWNER, get=FRAGMENT, ids={"product_id": "product_b"}
    ),
    "purchasing:supplier_prices": Access(
        OWNER, get=FRAGMENT, ids={"supplier_id": "supplier"}
    ),
    "purchasing:settings": Access(OWNER),
    # --- sales: staff sell, ship and take returns; the owner cancels and sees profit --
    "sales:order_list": Access(STAFF),
    "sales:order_create": Access(STAFF),
    "sales:order_detail": Access(STAFF, ids=_pk("sales_order")),
    "sales:order_edit": Access(STAFF, ids=_pk("sales_draft")),
    "sales:order_confirm": Access(STAFF, get=POST, ids=_pk("sales_draft")),
    "sales:order_end": Access(STAFF, get=POST, ids=_pk("sales_draft")),
    "sales:order_reserve": Access(STAFF, get=POST, ids=_pk("sales_order")),
    "sales:availability": Access(
        STAFF, get=JSON, query="product=SEC-A&warehouse={warehouse}"
    ),
    "sales:reservations": Access(STAFF, ids={"product_id": "product"}),
    "sales:reservation_release": Access(OWNER, get=POST, ids={"product_id": "product"}),
    "sales:settings": Access(OWNER),
    # 零售开单 is the counter now: the old page redirects there.
    "sales:retail": Access(STAFF, get=REDIRECT),
    "counter:index": Access(STAFF),
    "counter:scan": Access(STAFF, get=POST),
    "counter:add": Access(STAFF, get=POST),
    "counter:line": Access(STAFF, get=POST),
    "counter:remove": Access(STAFF, get=POST),
    "counter:clear": Access(STAFF, get=POST),
    "counter:customer": Access(STAFF, get=POST),
    "counter:warehouse": Access(STAFF, get=POST),
    "counter:pay": Access(STAFF, get=POST),
    "counter:hold": Access(STAFF, get=POST),
    "counter:held": Access(STAFF, get=FRAGMENT),
    "counter:resume": Access(STAFF, get=POST, kwargs={"pk": "1"}),
    "sales:shipment_list": Access(STAFF),
    "sales:shipment_create": Access(STAFF, query="order={sales_order}"),
    "sales:shipment_detail": Access(STAFF, ids=_pk("shipment")),
    "sales:shipment_cancel": Access(OWNER, get=POST, ids=_pk("shipment")),
    "sales:delivery_note": Access(STAFF, get=PRINT, ids=_pk("shipment")),
    "sales:slip": Access(STAFF, get=PRINT, ids=_pk("shipment")),
    "sales:return_list": Access(STAFF),
    "sales:return_create": Access(STAFF, query="shipment={shipment}"),
    "sales:return_detail": Access(STAFF, ids=_pk("sales_return")),
    "sales:return_cancel": Access(OWNER, get=POST, ids=_pk("sales_return")),
    "sales:order_export": Access(STAFF, get=XLSX),
    "sales:shipment_export": Access(STAFF, get=XLSX),
    "sales:return_export": Access(STAFF, get=XLSX),
    # --- counter: clerks sell, return and close their own shift; the owner sets it up
    # and sees every clerk's shifts (the world's shift is another clerk's) ----------
    "counter:settings": Access(OWNER),
    "counter:slip": Access(
        STAFF, get=PRINT, ids=_pk("counter_sale"), also=("print=1",)
    ),
    "counter:shift": Access(STAFF),
    "counter:shift_float": Access(STAFF, get=POST),
    "counter:shift_paid_out": Access(STAFF, get=POST),
    "counter:shift_close": Access(STAFF, get=POST),
    "counter:shift_list": Access(STAFF, also=("day=2026-01-01", "clerk={clerk}")),
    "counter:shift_export": Access(OWNER, get=XLSX),
    "counter:shift_detail": Access(OWNER, ids=_pk("shift")),
    "counter:shift_print": Access(OWNER, get=PRINT, ids=_pk("shift")),
    "counter:shift_reopen": Access(OWNER, get=POST, ids=_pk("shift")),
    "counter:return": Access(STAFF),
    # --- finance: staff take customer payments and see what customers owe; the
    # owner pays suppliers, cancels payments, sets credit limits, sees payables --
    "finance:collection_list": Access(STAFF),
    "finance:collection_create": Access(STAFF, query="partner=CUS-SEC"),
    "finance:collection_export": Access(STAFF, get=XLSX),
    "finance:disbursement_list": Access(OWNER),
    "finance:disbursement_export": Access(OWNER, get=XLSX),
    "finance:disbursement_create": Access(OWNER, query="partner=SUP-SEC"),
    "finance:payment_detail": Access(STAFF, ids=_pk("customer_payment")),
    "finance:payment_cancel": Access(OWNER, get=POST, ids=_pk("customer_payment")),
    "finance:receivables": Access(STAFF),
    "finance:payables": Access(OWNER),
    "finance:customer_account": Access(STAFF, ids=_pk("customer")),
    "finance:credit_limit": Access(OWNER, get=POST, ids=_pk("customer")),
    "finance:supplier_account": Access(OWNER, ids=_pk("supplier")),
    # --- reports: the owner's, but for reordering, which a clerk may do --------------
    "reports:summary": Access(OWNER, also=("shop={shop}",)),
    "reports:summary_export": Access(OWNER, get=XLSX, also=("shop={shop}",)),
    "reports:month_close": Access(OWNER),
    "reports:reorder": Access(
        STAFF, also=("format=xlsx", "shop={shop}", "shop={shop}&format=xlsx")
    ),
    "reports:reorder_orders": Access(STAFF, get=POST),
    "reports:turnover": Access(
        OWNER, also=("format=xlsx", "by=category", "shop={shop}&format=xlsx")
    ),
    "reports:shops": Access(OWNER, also=("format=xlsx",)),
    "reports:sales": Access(
        OWNER,
        also=(
            "format=xlsx",
            "by=customer",
            "by=style&format=xlsx",
            "shop={shop}",
            "shop={shop}&by=customer&format=xlsx",
        ),
    ),
    "reports:prices": Access(OWNER, also=("format=xlsx",)),
    "reports:slow": Access(
        OWNER, also=("format=xlsx", "shop={shop}", "shop={shop}&format=xlsx")
    ),
    # --- the cash book and the money reports (finance/cash_views.py) ----------------
    # Accounts, transfers, 日常收支 and profit are the owner's; statements and aging
    # follow receivables (a clerk) and payables (the owner).
    "finance:account_list": Access(OWNER),
    "finance:account_create": Access(OWNER),
    "finance:account_update": Access(OWNER, ids=_pk("money_account")),
    "finance:account_journal": Access(
        OWNER, ids=_pk("money_account"), also=("format=xlsx",)
    ),
    "finance:transfer_list": Access(OWNER),
    "finance:transfer_create": Access(OWNER),
    "finance:transfer_detail": Access(OWNER, ids=_pk("money_transfer")),
    "finance:transfer_cancel": Access(OWNER, get=POST, ids=_pk("money_transfer")),
    "finance:cash_list": Access(OWNER, also=("format=xlsx",)),
    "finance:cash_create": Access(OWNER, also=("direction=income",)),
    "finance:cash_detail": Access(OWNER, ids=_pk("cash_entry")),
    "finance:cash_cancel": Access(OWNER, get=POST, ids=_pk("cash_entry")),
    "finance:category_list": Access(OWNER),
    "finance:category_update": Access(OWNER, ids=_pk("cash_category")),
    "finance:customer_statement": Access(
        STAFF, ids=_pk("customer"), also=("format=xlsx",)
    ),
    "finance:customer_statement_print": Access(STAFF, get=PRINT, ids=_pk("customer")),
    "finance:supplier_statement": Access(
        OWNER, ids=_pk("supplier"), also=("format=xlsx",)
    ),
    "finance:supplier_statement_print": Access(OWNER, get=PRINT, ids=_pk("supplier")),
    "finance:receivables_aging": Access(STAFF, also=("format=xlsx",)),
    "finance:payables_aging": Access(OWNER, also=("format=xlsx",)),
    "finance:profit": Access(OWNER, also=("format=xlsx",)),
    # --- audit trail: the owner's --------------------------------------------------
    "audit:log": Access(OWNER),
    "audit:kind_history": Access(
        OWNER, get=FRAGMENT, kwargs={"kind": "purchasing.purchasingsettings"}
    ),
    "audit:history": Access(
        OWNER, get=FRAGMENT, kwargs={"kind": "catalog.product"}, ids=_pk("product")
    ),
    # --- the user guide: every signed-in role reads all of it ----------------------
    "guide:index": Access(STAFF),
    "guide:page": Access(STAFF, kwargs={"slug": "cashier"}),
    # --- the API: the owner's key pages; the schema and its docs page ---------------
    "api:key_list": Access(OWNER),
    "api:key_create": Access(OWNER),
    "api:key_detail": Access(OWNER, ids=_pk("api_key")),
    "api:key_revoke": Access(OWNER, ids=_pk("api_key")),
    "api:deliveries": Access(OWNER, query="key={api_key}&status=pending"),
    "api:schema": Access(OWNER, get=JSON),
    # Swagger UI: a page of its own (no navigation), like a printout.
    "api:docs": Access(OWNER, get=PRINT),
    # /api/v1/ itself: an API key only; a session (any role) gets 401 JSON, and
    # api/tests/test_permissions.py runs its own matrix of keys × scopes.
    "api:*": Access(API, get=UNAUTHORIZED),
    # --- Django's admin, for the IT administrator ------------------------------------
    # Every admin URL (one set per registered model) is the admin's: declared once.
    "admin:*": Access(ADMIN),
    "admin:login": Access(PUBLIC, anonymous_get=PAGE),
    # Signing out of the admin harms no one: anyone is sent on to a sign-in page.
    "admin:logout": Access(PUBLIC, get=REDIRECT, anonymous_get=SIGN_IN),
}


def declared(name: str) -> Access | None:
    """The declaration for a URL name ("app:name"), the admin's by namespace."""
    if name in URLS:
        return URLS[name]
    namespace = name.split(":", 1)[0]
    return URLS.get(f"{namespace}:*") if ":" in name else None
