from django.db import migrations

# The categories the counter posts the drawer's cash into (finance.cashbook
# .till_cash_post): cash paid out during a shift, and the over / short the shift
# close finds.
COUNTER_CATEGORIES = [
    ("现金支出", "expense"),
    ("现金长短款", "income"),
    ("现金长短款", "expense"),
]


def categories(apps, schema_editor):
    CashCategory = apps.get_model("finance", "CashCategory")
    for name, direction in COUNTER_CATEGORIES:
        CashCategory.objects.get_or_create(name=name, direction=direction)


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_cash_book_roles_categories")]

    operations = [migrations.RunPython(categories, migrations.RunPython.noop)]
