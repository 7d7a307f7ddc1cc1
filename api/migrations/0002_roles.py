from django.db import migrations

from accounts.roles import OWNER, grant_permissions


def roles(apps, schema_editor):
    grant_permissions(
        apps,
        OWNER,
        [
            ("api", "apikey", "add_apikey"),
            ("api", "apikey", "change_apikey"),
            ("api", "apikey", "view_apikey"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_keys_idempotency_rates_webhook_outbox"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
