from django.db import migrations, models
from django.db.models import F

from accounts.roles import OWNER, grant_permissions


def posted_sheets_keep_their_difference(apps, schema_editor):
    """Sheets posted before this change posted counted − snapshot: record that."""
    StocktakeLine = apps.get_model("inventory", "StocktakeLine")
    StocktakeLine.objects.filter(
        stocktake__status__in=["posted", "cancelled"],
        counted_quantity__isnull=False,
    ).update(expected_quantity=F("system_quantity"))


def owner_edits_stock_settings(apps, schema_editor):
    grant_permissions(
        apps,
        OWNER,
        [
            ("inventory", "inventorysettings", "view_inventorysettings"),
            ("inventory", "inventorysettings", "change_inventorysettings"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_cost_adjustment"),
    ]

    operations = [
        migrations.AddField(
            model_name="stocktakeline",
            name="expected_quantity",
            field=models.DecimalField(
                blank=True,
                decimal_places=3,
                max_digits=14,
                null=True,
                verbose_name="expected at count",
            ),
        ),
        migrations.AddField(
            model_name="stocktake",
            name="snapshot_move_id",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(
            posted_sheets_keep_their_difference, migrations.RunPython.noop
        ),
        migrations.RunPython(owner_edits_stock_settings, migrations.RunPython.noop),
    ]
