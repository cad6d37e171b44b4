from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from ledger import models as m
from ledger.admin_base import ScopedAdmin


@admin.register(m.Agency)
class AgencyAdmin(ScopedAdmin):
    list_display = ["name", "short_code", "kind", "uscc", "region_code", "legal_personality", "successor", "is_demo"]
    list_filter = ["kind", "legal_personality", "region_code", "is_demo"]
    search_fields = ["name", "short_code", "uscc"]


@admin.register(m.UnitGroup)
class UnitGroupAdmin(ScopedAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(m.Tenure)
class TenureAdmin(ScopedAdmin):
    list_display = ["agency", "person", "title", "acting", "start_on", "end_on"]
    list_filter = ["acting", "agency"]
    search_fields = ["person", "agency__name"]


class EnterpriseScaleInline(admin.TabularInline):
    model = m.EnterpriseScale
    extra = 0


@admin.register(m.Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "uscc", "ownership", "region_code", "is_demo"]
    list_filter = ["ownership", "region_code", "is_demo"]
    search_fields = ["name", "uscc"]
    inlines = [EnterpriseScaleInline]


@admin.register(m.User)
class UserAdmin(DjangoUserAdmin, ScopedAdmin):
    list_display = ["username", "role", "agency", "enterprise", "is_active", "is_demo"]
    list_filter = ["role", "is_active", "is_demo"]
    search_fields = ["username", "first_name", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (("角色与绑定", {"fields": ("role", "agency", "enterprise", "is_demo")}),)


@admin.register(m.PlanTask)
class PlanTaskAdmin(ScopedAdmin):
    list_display = ["number", "title", "deadline_text"]
    search_fields = ["title", "body"]
    list_filter = ["plan"]


@admin.register(m.PlanTaskProgress)
class PlanTaskProgressAdmin(ScopedAdmin):
    admin_write_roles = frozenset({m.Role.SUPERVISOR, m.Role.ADMINISTRATOR})
    list_display = ["task", "reported_on", "percent_done", "recorded_by"]
    list_filter = ["reported_on"]
    search_fields = ["summary"]


@admin.register(m.CalendarOverride)
class CalendarOverrideAdmin(ScopedAdmin):
    list_display = ["day", "is_workday", "basis"]
    list_filter = ["is_workday"]
    search_fields = ["basis"]


@admin.register(m.LprRate)
class LprRateAdmin(ScopedAdmin):
    list_display = ["effective_from", "one_year", "basis"]
    search_fields = ["basis"]


@admin.register(m.Policy)
class PolicyAdmin(ScopedAdmin):
    # Policies are public, so the admin cannot scope a staff member's write to their own agency:
    # staff write through the API (policies endpoint, own agency only).
    admin_write_roles = frozenset({m.Role.ADMINISTRATOR})
    list_display = ["doc_number", "title", "issuing_agency", "delivery_mode", "redemption_working_days", "is_demo"]
    list_filter = ["delivery_mode", "is_demo"]
    search_fields = ["doc_number", "title"]


@admin.register(m.Redemption)
class RedemptionAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # lifecycle moves are explicit actions in the API
    list_display = ["reference", "policy", "enterprise", "amount", "status", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["reference", "enterprise__name", "enterprise__uscc"]


@admin.register(m.Obligation)
class ObligationAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # written by services only (due dates, running totals)
    list_display = ["reference", "debtor_agency", "creditor", "principal", "due_on", "regime", "outcome", "is_demo"]
    list_filter = ["regime", "source", "outcome", "is_demo"]
    search_fields = ["reference", "creditor__name", "creditor__uscc", "title"]


@admin.register(m.LedgerEntry)
class LedgerEntryAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # append-only, through the API
    list_display = ["obligation", "kind", "on", "amount", "confirmation"]
    list_filter = ["kind", "confirmation"]
    search_fields = ["obligation__reference"]


@admin.register(m.RefusalReason)
class RefusalReasonAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["obligation", "code", "given_on", "is_violation"]
    list_filter = ["is_violation", "code"]
    search_fields = ["obligation__reference", "text"]


@admin.register(m.AccessLog)
class AccessLogAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["at", "user", "action", "target"]
    list_filter = ["action"]
    search_fields = ["target", "user__username"]


# Roles, not auth groups, decide what a user may do (SPEC §1).
admin.site.unregister(Group)

from ledger import admin_reports  # noqa: E402, F401  (saved filters, export jobs, report snapshots: issue 6)
from ledger.imports import admin as _imports_admin  # noqa: E402, F401  (registers ImportJobAdmin)


# Claims (诉求) and 确权 requests: read-only here; every step is an explicit API action (issue 3).
@admin.register(m.Claim)
class ClaimAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["reference", "enterprise", "agency", "amount", "status", "filed_on", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["reference", "enterprise__name", "enterprise__uscc", "subject"]


@admin.register(m.ClaimEvidence)
class ClaimEvidenceAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["claim", "original_name", "kind", "size", "sha256", "uploaded_at"]
    search_fields = ["claim__reference", "sha256"]


@admin.register(m.Confirmation)
class ConfirmationAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["reference", "enterprise", "agency", "amount", "status", "requested_on", "due_on", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["reference", "enterprise__name", "enterprise__uscc", "subject"]


# Recommendations (检察建议 / 司法建议) and binding decisions: read-only here; deadlines are computed
# and every step is an explicit API action (issue 5).
@admin.register(m.Recommendation)
class RecommendationAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["doc_number", "kind", "issuer", "recipient", "served_on", "deadline", "status", "is_demo"]
    list_filter = ["kind", "status", "urgent", "rectification", "is_demo"]
    search_fields = ["doc_number", "issuer", "title", "recipient__name"]


@admin.register(m.RecommendationReply)
class RecommendationReplyAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["recommendation", "replied_on", "replied_by"]
    search_fields = ["recommendation__doc_number", "summary"]


@admin.register(m.RecommendationObjection)
class RecommendationObjectionAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["recommendation", "filed_on", "outcome", "ruled_on"]
    list_filter = ["outcome"]
    search_fields = ["recommendation__doc_number", "grounds"]


@admin.register(m.Escalation)
class EscalationAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["recommendation", "to_agency", "deadline", "due_by", "created_on", "is_demo"]
    search_fields = ["recommendation__doc_number", "to_agency__name"]


@admin.register(m.Decision)
class DecisionAdmin(ScopedAdmin):
    admin_write_roles = frozenset()
    list_display = ["case_number", "kind", "agency", "performance_deadline", "status", "performed_on", "is_demo"]
    list_filter = ["kind", "status", "is_demo"]
    search_fields = ["case_number", "issued_by", "title", "agency__name", "creditor__name"]


@admin.register(m.EnterpriseScale)
class EnterpriseScaleAdmin(ScopedAdmin):
    list_display = ["enterprise", "scale", "valid_from"]
    list_filter = ["scale"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(m.Notification)
class NotificationAdmin(ScopedAdmin):
    admin_write_roles = frozenset()  # created by the services and the reminder command
    list_display = ["created_at", "user", "kind", "title", "read_at", "emailed"]
    list_filter = ["kind", "emailed"]
    search_fields = ["title", "user__username"]
