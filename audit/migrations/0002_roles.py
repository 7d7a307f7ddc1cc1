from django.db import migrations

from accounts.roles import OWNER, grant_permissions


def roles(apps, schema_editor):
    # The owner reads the audit trail; nobody may add, change or delete entries
    # (the model has no such permissions at all).
    grant_permissions(apps, OWNER, [("audit", "auditentry", "view_auditentry")])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
