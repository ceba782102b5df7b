"""Report jobs and the export log in the admin, read-only: they record what happened."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ExportLog, ReportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "username", "format", "scope_type", "scope_code", "as_of", "channel",
                    "target_count", "short_checksum"]
    list_filter = ["format", "scope_type", "channel", "as_of"]
    search_fields = ["username", "scope_code", "checksum", "file_sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    @admin.display(description=_("data checksum (SHA-256)"), ordering="checksum")
    def short_checksum(self, obj):
        return f"{obj.checksum[:16]}…"


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by", "format", "scope_type", "scope_code", "as_of", "state",
                    "progress", "target_count", "size"]
    list_filter = ["state", "format", "scope_type"]
    search_fields = ["requested_by__username", "scope_code", "checksum"]
    exclude = ["content"]  # the file itself: downloaded by its requester, never shown here
    list_select_related = ["requested_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
