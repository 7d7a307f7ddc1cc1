from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

DOCUMENTS = ["purchaseorder", "goodsreceipt", "purchasereturn"]


def roles(apps, schema_editor):
    staff = [("purchasing", m, f"{a}_{m}") for m in DOCUMENTS for a in ("view", "add")]
    staff.append(("purchasing", "purchaseorder", "change_purchaseorder"))
    owner = staff + [
        ("purchasing", "purchasingsettings", "view_purchasingsettings"),
        ("purchasing", "purchasingsettings", "change_purchasingsettings"),
        ("purchasing", "purchasingsettings", "cancel_posted"),
        ("purchasing", "purchasingsettings", "edit_cost"),
    ]
    grant_permissions(apps, OWNER, owner)
    grant_permissions(apps, STAFF, staff)


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
