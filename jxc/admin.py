"""Admin pieces every app shares. Kernel module: imports no app."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin may show but never add, change or delete: their writes go
    through the app's pages and services, which keep them consistent."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
