from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

DOCUMENTS = ["salesorder", "shipment", "salesreturn"]


def roles(apps, schema_editor):
    staff = [("sales", m, f"{a}_{m}") for m in DOCUMENTS for a in ("view", "add")]
    staff.append(("sales", "salesorder", "change_salesorder"))
    grant_permissions(apps, STAFF, staff)
    grant_permissions(apps, OWNER, staff + [("sales", "salesorder", "cancel_posted")])


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
