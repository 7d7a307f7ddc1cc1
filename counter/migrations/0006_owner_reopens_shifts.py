from django.db import migrations

from accounts.roles import OWNER, grant_permissions


def roles(apps, schema_editor):
    """重新开班: the owner may reopen a clerk's closed shift of today."""
    grant_permissions(apps, OWNER, [("counter", "shift", "change_shift")])


class Migration(migrations.Migration):
    dependencies = [("counter", "0005_shift_cash_entries")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
