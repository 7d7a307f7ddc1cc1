from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

MODELS = ["category", "product", "supplier", "customer", "warehouse"]
SEARCHED = ["product", "supplier", "customer"]


def trigram_indexes(apps, schema_editor):
    """On PostgreSQL, `search_text LIKE '%pg%'` uses a trigram index: a clerk's
    search stays instant over 10,000 products. SQLite scans (small shops)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS catalog_{model}_search_trgm "
            f"ON catalog_{model} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS catalog_{model}_search_trgm")


def defaults(apps, schema_editor):
    Warehouse = apps.get_model("catalog", "Warehouse")
    Customer = apps.get_model("catalog", "Customer")
    if not Warehouse.objects.exists():
        Warehouse.objects.create(code="WH01", name="主仓库", is_default=True)
    Customer.objects.get_or_create(
        code="RETAIL",
        defaults={"name": "零售客户", "search_text": "retail 零售客户 lingshoukehu lskh"},
    )


def roles(apps, schema_editor):
    owner = [("catalog", m, f"{action}_{m}") for m in MODELS
             for action in ("view", "add", "change", "delete")]
    owner.append(("catalog", "product", "import_product"))
    grant_permissions(apps, OWNER, owner)
    grant_permissions(apps, STAFF, [("catalog", m, f"view_{m}") for m in MODELS])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
        migrations.RunPython(defaults, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
