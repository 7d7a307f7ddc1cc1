"""Reads of user accounts."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

User = get_user_model()


def user_list() -> QuerySet:
    """All accounts with their groups loaded, active ones first."""
    return User.objects.prefetch_related("groups").order_by("-is_active", "username")
