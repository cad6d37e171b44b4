"""Admin for saved filters, export jobs and published report snapshots (read-only: they are
written through the API and the scheduler, and a snapshot never changes)."""

from django.contrib import admin

from ledger import models as m
from ledger.admin_base import ScopedAdmin


class _ReadOnly(ScopedAdmin):
    admin_write_roles = frozenset()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.SavedFilter)
class SavedFilterAdmin(_ReadOnly):
    list_display = ["name", "owner", "resource", "query", "updated_at"]
    list_filter = ["resource"]
    search_fields = ["name", "owner__username", "query"]


@admin.register(m.ExportJob)
class ExportJobAdmin(_ReadOnly):
    list_display = ["id", "user", "resource", "format", "status", "row_count", "created_at", "finished_at"]
    list_filter = ["status", "format", "resource"]
    search_fields = ["user__username", "resource", "query"]


@admin.register(m.ReportSnapshot)
class ReportSnapshotAdmin(_ReadOnly):
    list_display = ["id", "kind", "title", "as_of", "created_at", "created_by", "sha256"]
    list_filter = ["kind"]
    search_fields = ["title", "kind", "sha256"]

    # What was published stays as published (SPEC §2): not even a superuser edits or adds one here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
