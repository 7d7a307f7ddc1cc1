"""The shop's two roles, as Django groups. Permissions are granted by migrations."""

from django.utils.translation import gettext_lazy as _

OWNER = "owner"
STAFF = "staff"

ROLE_CHOICES = [(OWNER, _("Owner")), (STAFF, _("Staff"))]
ROLE_LABELS = dict(ROLE_CHOICES)


def user_role(user) -> str | None:
    """The role a user holds; the owner role wins if somehow both are held."""
    names = {group.name for group in user.groups.all()}
    if OWNER in names or user.is_superuser:
        return OWNER
    if STAFF in names:
        return STAFF
    return None


def grant_permissions(apps, role: str, permissions: list[tuple[str, str, str]]) -> None:
    """Give a role permissions, creating any not yet made (for data migrations).

    ``permissions`` holds (app_label, model, codename). Django creates model
    permissions only after all migrations ran, so a migration that grants them on
    a fresh database creates the rows itself; the later automatic step finds them.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _created = Group.objects.get_or_create(name=role)
    for app_label, model, codename in permissions:
        content_type, _ct_created = ContentType.objects.get_or_create(
            app_label=app_label, model=model
        )
        permission, _perm_created = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": codename.replace("_", " ")},
        )
        group.permissions.add(permission)
