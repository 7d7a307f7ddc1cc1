from django.db import migrations

from accounts.roles import OWNER, grant_permissions


def roles(apps, schema_editor):
    # The owner keeps the stock rules, and with them may date documents into any
    # open month (inventory.selectors.BACKDATE_PERMISSION); staff do neither.
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
        ("inventory", "0005_settings_stocktake_timing"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
