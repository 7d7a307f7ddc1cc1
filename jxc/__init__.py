"""The project package and, beside it, the shared kernel every app may import.

Kernel modules import no app (accounts, audit, catalog, inventory, purchasing,
sales, reports); a model of an app they must reach is looked up by its label
(``apps.get_model``). Project modules wire the apps together and may import any.
jxc/tests/test_kernel.py holds every module of jxc/ to one of the two lists.

Kernel:
    admin          admin classes every app shares (ReadOnlyAdmin)
    bulk           one-statement updates of many rows
    decimals       rounding of money, quantities and costs
    documents      the posting transaction, row locks, submissions, versions
    excel          writing .xlsx workbooks
    fields         form fields every app shares (dates, ranges; quantity, money
                   and cost fields, the form side of the models' factories)
    filters        list filters every app shares (styling, DocumentFilter)
    formatting     money, qty, cost, plain: pure functions (templates and services)
    forms          the input rules every form applies, ReasonForm
    import_flow    upload → every problem, or a preview → 确认导入 (staged uploads)
    inputs         what typed input may be (control characters, lookups), OUT_OF_DATE
    lines          a document line's amount, and a form of one quantity per line
    lists          one spec and one view for every document list (DocumentList)
    matching       barcode check digits, names alike but for order and spacing
    models         DocumentCounter; the document bases (NumberedDocument,
                   Cancellable, PostedDocument, OrderDocument, DocumentLine), one
                   DocumentStatus, quantity/money/cost column factories,
                   record_page (a record's page from get_absolute_url)
    numbering      document numbers taken when a posting commits
    orders         the one order lifecycle (OrderLifecycle) and the posted
                   document's cancel check, line checks
    posting        the posting payload documents send to the ledgers (listener rule)
    table_limits   limits of an uploaded table and its TableError
    tabular        reading .csv / .xlsx uploads into checked rows
    units          package units: exact conversion to the base unit, "3 箱 5 瓶"
    uploads        the upload handler that stops at the size limit
    views          error pages and helpers every app's views share (the order
                   form, order end and cancel views)
    widgets        form widgets
    xlsx_reader    a streaming, hostile-file-safe .xlsx reader
    migrations, templatetags

Project:
    settings, conf, urls, wsgi, asgi, apps, checks, middleware,
    demo (demo data), backup (with the backup / restore commands),
    backup_crypto (encrypted backups: backup --encrypt),
    routers (report and export reads on a read replica),
    serve (make serve: the shop on its own PC, gunicorn on the LAN),
    management (commands), testing, tests
"""

KERNEL = (
    "admin",
    "bulk",
    "decimals",
    "documents",
    "excel",
    "fields",
    "filters",
    "formatting",
    "forms",
    "import_flow",
    "inputs",
    "lines",
    "lists",
    "matching",
    "models",
    "numbering",
    "orders",
    "posting",
    "table_limits",
    "tabular",
    "units",
    "uploads",
    "views",
    "widgets",
    "xlsx_reader",
    "migrations",
    "templatetags",
)
PROJECT = (
    "settings",
    "conf",
    "urls",
    "wsgi",
    "asgi",
    "apps",
    "checks",
    "middleware",
    "demo",
    "backup",
    "backup_crypto",
    "routers",
    "serve",
    "management",
    "testing",
    "tests",
)
