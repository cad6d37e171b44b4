"""Where each core model's tenants sit (registered from LedgerConfig.ready)."""

from django.db.models import QuerySet

from ledger import models as m
from ledger.selectors.scoping import Tenancy, register_tenancy


def _users(user: m.User, qs: QuerySet) -> QuerySet:
    if user.role == m.Role.ADMINISTRATOR or user.is_superuser:
        return qs
    return qs.filter(pk=user.pk)


def register() -> None:
    register_tenancy(m.Agency, Tenancy(public=True))
    register_tenancy(m.UnitGroup, Tenancy(public=True))
    register_tenancy(m.PlanTask, Tenancy(public=True))
    register_tenancy(m.PlanTaskProgress, Tenancy(public=True))
    register_tenancy(m.Policy, Tenancy(public=True))
    register_tenancy(m.CalendarOverride, Tenancy(public=True))
    register_tenancy(m.LprRate, Tenancy(public=True))
    register_tenancy(m.Tenure, Tenancy(agency_path="agency"))
    register_tenancy(m.Enterprise, Tenancy(enterprise_path="", agency_staff_reads_all=True))
    register_tenancy(m.EnterpriseScale, Tenancy(enterprise_path="enterprise", agency_staff_reads_all=True))
    register_tenancy(m.User, Tenancy(custom=_users))
    register_tenancy(m.Redemption, Tenancy(agency_path="agency", enterprise_path="enterprise"))
    register_tenancy(m.Obligation, Tenancy(agency_path="debtor_agency", enterprise_path="creditor"))
    register_tenancy(
        m.LedgerEntry, Tenancy(agency_path="obligation__debtor_agency", enterprise_path="obligation__creditor")
    )
    register_tenancy(
        m.RefusalReason, Tenancy(agency_path="obligation__debtor_agency", enterprise_path="obligation__creditor")
    )
    register_tenancy(
        m.AccessLog, Tenancy(custom=lambda user, qs: qs if user.role == m.Role.ADMINISTRATOR else qs.none())
    )
    register_tenancy(
        m.LoginFailure, Tenancy(custom=lambda user, qs: qs if user.role == m.Role.ADMINISTRATOR else qs.none())
    )
    register_tenancy(m.Notification, Tenancy(custom=lambda user, qs: qs.filter(user=user)))
    register_tenancy(m.ApiToken, Tenancy(custom=lambda user, qs: qs.filter(user=user)))
    # Oversight (issue 5): recommendations and decisions belong to the agency they bind.
    register_tenancy(m.Recommendation, Tenancy(agency_path="recipient"))
    register_tenancy(m.RecommendationReply, Tenancy(agency_path="recommendation__recipient"))
    register_tenancy(m.RecommendationObjection, Tenancy(agency_path="recommendation__recipient"))
    register_tenancy(m.Escalation, Tenancy(agency_path="recommendation__recipient"))
    register_tenancy(m.Decision, Tenancy(agency_path="agency", enterprise_path="creditor"))
    # Claims (诉求) and 确权 requests: the debtor agency and the enterprise (issue #3 item 6).
    register_tenancy(m.Claim, Tenancy(agency_path="agency", enterprise_path="enterprise"))
    register_tenancy(m.ClaimEvidence, Tenancy(agency_path="claim__agency", enterprise_path="claim__enterprise"))
    register_tenancy(m.Confirmation, Tenancy(agency_path="agency", enterprise_path="enterprise"))
    # Imports (issue 8): a job belongs to the agency it imported for; administrators' jobs
    # across agencies (agency blank) are seen by the global roles only.
    register_tenancy(m.ImportJob, Tenancy(agency_path="agency"))
    # Reports and exports (issue 6): saved filters and export jobs are their owner's alone;
    # published snapshots hold district-wide figures, read by the global roles only.
    register_tenancy(m.SavedFilter, Tenancy(custom=lambda user, qs: qs.filter(owner=user)))
    register_tenancy(m.ExportJob, Tenancy(custom=lambda user, qs: qs.filter(user=user)))
    register_tenancy(
        m.ReportSnapshot,
        Tenancy(custom=lambda user, qs: qs if (user.reads_everything or user.is_superuser) else qs.none()),
    )
