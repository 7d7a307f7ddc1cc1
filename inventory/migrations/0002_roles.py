from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

DOCUMENTS = ["adjustment", "transfer", "openingstock", "stocktake"]


def roles(apps, schema_editor):
    owner = [("inventory", "stocklevel", "view_stocklevel"),
             ("inventory", "stockmove", "view_stockmove"),
             ("inventory", "stocktakeline", "change_stocktakeline")]
    for model in DOCUMENTS:
        owner += [("inventory", model, f"{action}_{model}")
                  for action in ("view", "add", "change")]
    grant_permissions(apps, OWNER, owner)
    grant_permissions(apps, STAFF, [
        ("inventory", "stocklevel", "view_stocklevel"),
        ("inventory", "stockmove", "view_stockmove"),
        ("inventory", "stocktake", "view_stocktake"),
        ("inventory", "stocktakeline", "change_stocktakeline"),
        ("inventory", "transfer", "view_transfer"),
    ])


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
