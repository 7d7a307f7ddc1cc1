from django.db import migrations

from accounts.roles import OWNER, grant_permissions

# 日常收支 categories a small shop starts with; the owner adds and renames.
DEFAULT_CATEGORIES = [
    ("房租", "expense"),
    ("工资", "expense"),
    ("水电", "expense"),
    ("运费", "expense"),
    ("杂费", "expense"),
    ("其他收入", "income"),
]


def categories(apps, schema_editor):
    CashCategory = apps.get_model("finance", "CashCategory")
    for name, direction in DEFAULT_CATEGORIES:
        CashCategory.objects.get_or_create(name=name, direction=direction)


def roles(apps, schema_editor):
    # The cash book (accounts, transfers, 日常收支) is the owner's alone.
    grant_permissions(
        apps,
        OWNER,
        [
            ("finance", "transfer", "manage_money"),
            ("finance", "transfer", "view_transfer"),
            ("finance", "cashentry", "view_cashentry"),
            ("finance", "cashcategory", "view_cashcategory"),
            ("finance", "cashcategory", "add_cashcategory"),
            ("finance", "cashcategory", "change_cashcategory"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0003_transfers_cash_book"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(categories, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
