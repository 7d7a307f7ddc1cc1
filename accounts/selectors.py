"""Reads of user accounts."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

User = get_user_model()


def user_list() -> QuerySet:
    """All accounts with their groups loaded, active ones first."""
    return managed_users().prefetch_related("groups").order_by("-is_active", "username")


def managed_users() -> QuerySet:
    """Accounts an owner manages: everyone but superusers (the IT administrator's
    accounts are managed in Django's admin only, so an owner cannot take them over)."""
    return User.objects.filter(is_superuser=False)
