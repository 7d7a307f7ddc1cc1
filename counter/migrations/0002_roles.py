from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions


def roles(apps, schema_editor):
    staff = [
        ("counter", "countersettings", "use_counter"),
        ("counter", "heldsale", "add_heldsale"),
        ("counter", "heldsale", "view_heldsale"),
        ("counter", "shift", "add_shift"),
        ("counter", "shift", "view_shift"),
        ("sales", "salepayment", "view_salepayment"),
    ]
    grant_permissions(apps, STAFF, staff)
    grant_permissions(
        apps,
        OWNER,
        staff
        + [
            ("counter", "countersettings", "change_countersettings"),
            ("counter", "countersettings", "view_all_shifts"),
            ("catalog", "shopprofile", "change_shopprofile"),
            ("catalog", "shopprofile", "view_shopprofile"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0001_initial"),
        ("accounts", "0002_roles"),
        ("catalog", "0004_shop_profile_plu"),
        ("sales", "0006_sale_payment"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
