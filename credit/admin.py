"""Admin for credit data, scoped like the API.

Dishonesty records are read-only here (no role writes them in the admin): every step must go
through the services, which check the lifecycle and record actor, date and reason. The
publicity-window table is the administrator's reference data (SPEC §1).
"""

from django.contrib import admin

from credit import models as m
from ledger.admin_base import ScopedAdmin
from ledger.models import Role


class RecordEventInline(admin.TabularInline):
    model = m.RecordEvent
    extra = 0
    can_delete = False
    fields = ["on", "action", "from_status", "to_status", "reason", "actor", "at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.DishonestyRecord)
class DishonestyRecordAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # read-only: steps go through the API / services
    list_display = [
        "number",
        "subject_name",
        "kind",
        "status",
        "severity",
        "determined_on",
        "publicity_max_end",
        "is_demo",
    ]
    list_filter = ["status", "kind", "severity", "rule", "is_demo"]
    search_fields = ["number", "subject_name", "subject_uscc", "counterparty_name", "source_label"]
    inlines = [RecordEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]


@admin.register(m.PublicityWindowRule)
class PublicityWindowRuleAdmin(ScopedAdmin):
    admin_write_roles = frozenset({Role.ADMINISTRATOR})
    list_display = ["severity", "published", "min_months", "max_months", "effective_from"]
    list_filter = ["severity"]
    search_fields = ["basis"]

    def get_readonly_fields(self, request, obj=None):
        # A row records were determined under is kept as it was; add a new dated row instead.
        if obj is not None and obj.records.exists():
            return ["severity", "published", "min_months", "max_months", "effective_from", "basis"]
        return []
