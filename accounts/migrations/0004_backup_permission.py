from django.db import migrations

from accounts.roles import OWNER, grant_permissions


def grant_backups(apps, schema_editor):
    grant_permissions(
        apps, OWNER, [("accounts", "shoppermission", "manage_backups")]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_login_failure"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="shoppermission",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("manage_users", "Can add, deactivate and reset staff accounts"),
                    ("view_cost", "Can see costs, stock value, margins and analyses"),
                    ("manage_backups", "Can take and download backups of the shop"),
                ],
            },
        ),
        migrations.RunPython(grant_backups, migrations.RunPython.noop),
    ]
