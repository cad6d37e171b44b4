"""Admin pages for contracts: scoped like the API, and read-only.

Every change to a contract goes through the services (lifecycle table, guards, event log), so
the admin shows contracts, their milestones, amendments, reviews, evidence and events with their
history but does not edit them; a superuser alone may (for repairs, recorded in history).
"""

from django.contrib import admin

from contracts import models as m
from ledger.admin_base import ScopedAdmin


class ReadOnlyScopedAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # writes go through the API's services


class MilestoneInline(admin.TabularInline):
    model = m.Milestone
    extra = 0
    can_delete = False
    fields = ["side", "kind", "title", "due_on", "amount", "payment_basis", "obligation", "met_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AmendmentInline(admin.TabularInline):
    model = m.Amendment
    extra = 0
    can_delete = False
    fields = ["number", "rationale_code", "signed_on", "changes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Contract)
class ContractAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "contract_type", "agency", "counterparty", "amount", "status", "signed_on", "is_demo"]
    list_filter = ["status", "contract_type", "sme_declared", "is_demo"]
    search_fields = ["title", "number", "counterparty__name", "agency__name"]
    list_select_related = ["agency", "counterparty"]
    inlines = [MilestoneInline, AmendmentInline]


@admin.register(m.Milestone)
class MilestoneAdmin(ReadOnlyScopedAdmin):
    list_display = ["contract", "side", "kind", "title", "due_on", "amount", "obligation"]
    list_filter = ["side", "kind", "payment_basis"]
    search_fields = ["title", "contract__title"]
    list_select_related = ["contract", "obligation"]


@admin.register(m.Amendment)
class AmendmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["contract", "number", "rationale_code", "signed_on", "recorded_by"]
    list_filter = ["rationale_code"]
    search_fields = ["contract__title", "rationale"]
    list_select_related = ["contract", "recorded_by"]


@admin.register(m.LegalityReview)
class LegalityReviewAdmin(ReadOnlyScopedAdmin):
    list_display = ["contract", "round", "reviewer", "result", "reviewed_on"]
    list_filter = ["result"]
    search_fields = ["contract__title", "reviewer", "opinion"]
    list_select_related = ["contract"]


@admin.register(m.Evidence)
class EvidenceAdmin(ReadOnlyScopedAdmin):
    list_display = ["contract", "title", "content_type", "size", "sha256", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["title", "sha256", "contract__title"]
    list_select_related = ["contract"]


@admin.register(m.ContractEvent)
class ContractEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["contract", "kind", "from_status", "to_status", "on", "reason_code", "actor", "at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["contract__title", "reason"]
    list_select_related = ["contract", "actor"]
