from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions


def create_roles(apps, schema_editor):
    grant_permissions(
        apps,
        OWNER,
        [
            ("accounts", "shoppermission", "manage_users"),
            ("accounts", "shoppermission", "view_cost"),
        ],
    )
    grant_permissions(apps, STAFF, [])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[OWNER, STAFF]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
