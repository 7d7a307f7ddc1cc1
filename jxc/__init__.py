"""The project package and, beside it, the shared kernel every app may import.

Kernel modules import no app (accounts, audit, catalog, inventory, purchasing,
sales, reports); a model of an app they must reach is looked up by its label
(``apps.get_model``). Project modules wire the apps together and may import any.
jxc/tests/test_kernel.py holds every module of jxc/ to one of the two lists.

Kernel:
    bulk           one-statement updates of many rows
    decimals       rounding of money, quantities and costs
    documents      the posting transaction, row locks, submissions, versions
    excel          writing .xlsx workbooks
    fields         form fields every app shares (dates, ranges)
    formatting     money, qty, cost, plain: pure functions (templates and services)
    forms          the input rules every form applies, ReasonForm
    import_flow    upload → every problem, or a preview → 确认导入 (staged uploads)
    inputs         what typed input may be (control characters, lookups), OUT_OF_DATE
    lines          a document line's amount, and a form of one quantity per line
    matching       barcode check digits, names alike but for order and spacing
    models         DocumentCounter and the posted-document base
    numbering      document numbers taken when a posting commits
    posting        the posting payload documents send to the ledgers (listener rule)
    table_limits   limits of an uploaded table and its TableError
    tabular        reading .csv / .xlsx uploads into checked rows
    uploads        the upload handler that stops at the size limit
    views          error pages and helpers every app's views share
    widgets        form widgets
    xlsx_reader    a streaming, hostile-file-safe .xlsx reader
    migrations, templatetags

Project:
    settings, conf, urls, wsgi, asgi, apps, checks, middleware,
    demo (demo data), backup (with the backup / restore commands),
    management (commands), testing, tests
"""

KERNEL = (
    "bulk",
    "decimals",
    "documents",
    "excel",
    "fields",
    "formatting",
    "forms",
    "import_flow",
    "inputs",
    "lines",
    "matching",
    "models",
    "numbering",
    "posting",
    "table_limits",
    "tabular",
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
    "management",
    "testing",
    "tests",
)
