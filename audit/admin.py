"""The audit trail in Django's admin: read-only, like the stock ledger."""

from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "content_type", "object_label", "summary"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_label", "summary", "user__username"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
