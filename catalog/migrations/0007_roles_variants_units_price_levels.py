from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

# The owner keeps styles, attributes, package units and price levels; staff look
# them up (a clerk sells by the box and at a customer's level).
MODELS = [
    "style",
    "attribute",
    "attributevalue",
    "packageunit",
    "pricelevel",
    "levelprice",
]


def roles(apps, schema_editor):
    grant_permissions(
        apps,
        OWNER,
        [
            ("catalog", model, f"{action}_{model}")
            for model in MODELS
            for action in ("view", "add", "change", "delete")
        ],
    )
    grant_permissions(apps, STAFF, [("catalog", m, f"view_{m}") for m in MODELS])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_variants_units_price_levels")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
