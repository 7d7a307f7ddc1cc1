from django.db import migrations


def mark(apps, schema_editor):
    """The cash entries the counter posted before they were marked: cash paid out
    and shift closes' over / short."""
    CashEntry = apps.get_model("finance", "CashEntry")
    Shift = apps.get_model("counter", "Shift")
    CashPaidOut = apps.get_model("counter", "CashPaidOut")
    ids = set(
        Shift.objects.exclude(cash_entry=None).values_list("cash_entry_id", flat=True)
    ) | set(
        CashPaidOut.objects.exclude(cash_entry=None).values_list(
            "cash_entry_id", flat=True
        )
    )
    CashEntry.objects.filter(pk__in=ids).update(from_counter=True)


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0006_owner_reopens_shifts"),
        ("finance", "0006_cash_entry_from_counter"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
