"""Read-only admin for export batches (with their rows and receipt), scoped like the API.

Registered from CreditConfig.ready(), after the admin's autodiscovery, only if credit/admin.py
did not register ExportBatch itself. Batches never change once created, so nothing is editable.
"""

from django.contrib import admin

from credit import models as m
from ledger.admin_base import ScopedAdmin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExportRowInline(_ReadOnlyInline):
    model = m.ExportRow


class ExportReceiptInline(_ReadOnlyInline):
    model = m.ExportReceipt


class ExportBatchReadOnlyAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    search_fields = ["id"]
    inlines = [ExportRowInline, ExportReceiptInline]


def register() -> None:
    if not admin.site.is_registered(m.ExportBatch):
        admin.site.register(m.ExportBatch, ExportBatchReadOnlyAdmin)
