"""For every tenant-scoped model: how to make one row owned by agency A and/or enterprise 1.

The isolation suite (tests/test_tenant_isolation.py) walks the URL configuration and the
admin; a scoped model with an endpoint but no builder here fails the suite, so no endpoint can
escape the check. Add a builder when you add a model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ledger import models as m
from tests.factories import TenureFactory, World

BUILDERS: dict[type, Callable[[World], object]] = {}


def builder(model):
    def register(fn):
        BUILDERS[model] = fn
        return fn

    return register


@builder(m.Tenure)
def _tenure(w: World):
    return TenureFactory(agency=w.agency_a)


@builder(m.Enterprise)
def _enterprise(w: World):
    return w.enterprise_1


@builder(m.EnterpriseScale)
def _scale(w: World):
    return m.EnterpriseScale.objects.create(enterprise=w.enterprise_1, scale="小型", valid_from=date(2021, 1, 1))


@builder(m.User)
def _user(w: World):
    return w.enterprise_user_1


def obligation_for(w: World, **overrides) -> m.Obligation:
    fields = {
        "debtor_agency": w.agency_a,
        "creditor": w.enterprise_1,
        "region_code": "341002",
        "source": m.Source.OTHER,
        "title": "测试义务",
        "principal": Decimal("1000.00"),
        "arose_on": date(2026, 1, 5),
        "trigger": m.Trigger.DELIVERY,
        "trigger_on": date(2026, 1, 5),
        "regime": m.Regime.CONTRACT,
        "due_on": date(2026, 2, 4),
        "calendar_version": "test",
        "due_basis": "测试",
    }
    fields.update(overrides)
    return m.Obligation.objects.create(**fields)


@builder(m.Obligation)
def _obligation(w: World):
    return obligation_for(w)


@builder(m.LedgerEntry)
def _entry(w: World):
    return m.LedgerEntry.objects.create(
        obligation=obligation_for(w),
        kind=m.EntryKind.PAYMENT,
        on=date(2026, 1, 20),
        amount=Decimal("10.00"),
        recorded_by=w.staff_a,
    )


@builder(m.RefusalReason)
def _refusal(w: World):
    return m.RefusalReason.objects.create(
        obligation=obligation_for(w),
        code="leadership_change",
        given_on=date(2026, 3, 1),
        text="领导更换",
        recorded_by=w.staff_a,
    )


def policy_for(w: World, **overrides) -> m.Policy:
    fields = {
        "doc_number": "屯政〔2026〕1号",
        "title": "测试政策",
        "issuing_agency": w.agency_a,
        "valid_from": date(2026, 1, 1),
        "delivery_mode": m.DeliveryMode.ON_APPLICATION,
        "redemption_working_days": 15,
        "region_code": "341002",
    }
    fields.update(overrides)
    return m.Policy.objects.create(**fields)


@builder(m.Policy)
def _policy(w: World):
    return policy_for(w)


@builder(m.Redemption)
def _redemption(w: World):
    return m.Redemption.objects.create(
        policy=_policy(w),
        agency=w.agency_a,
        enterprise=w.enterprise_1,
        region_code="341002",
        amount=Decimal("5000.00"),
        status=m.RedemptionStatus.APPLIED,
        applied_on=date(2026, 3, 2),
    )


@builder(m.AccessLog)
def _access_log(w: World):
    return m.AccessLog.objects.create(user=w.staff_a, action="login", target="test")


@builder(m.Notification)
def _notification(w: World):
    return m.Notification.objects.create(user=w.enterprise_user_1, kind="test", title="测试通知")


# --- claims (诉求) and 确权 requests --------------------------------------------------------------
def claim_for(w: World, **overrides) -> m.Claim:
    fields = {
        "enterprise": w.enterprise_1,
        "agency": w.agency_a,
        "region_code": "341002",
        "amount": Decimal("80000.00"),
        "subject": "测试诉求：货款未付",
        "filed_on": date(2026, 3, 2),
        "filed_by": w.enterprise_user_1,
    }
    fields.update(overrides)
    return m.Claim.objects.create(**fields)


@builder(m.Claim)
def _claim(w: World):
    return claim_for(w)


@builder(m.ClaimEvidence)
def _claim_evidence(w: World):
    return m.ClaimEvidence.objects.create(
        claim=claim_for(w),
        file="evidence/te/test.pdf",
        original_name="合同.pdf",
        kind=m.EvidenceKind.PDF,
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=w.enterprise_user_1,
    )


@builder(m.Confirmation)
def _confirmation(w: World):
    return m.Confirmation.objects.create(
        enterprise=w.enterprise_1,
        agency=w.agency_a,
        region_code="341002",
        amount=Decimal("30000.00"),
        subject="测试确权",
        requested_on=date(2026, 3, 2),
        requested_by=w.enterprise_user_1,
        due_on=date(2026, 4, 1),
    )


# --- oversight: recommendations (检察建议 / 司法建议) and binding decisions ------------------------
def recommendation_for(w: World, **overrides) -> m.Recommendation:
    fields = {
        "kind": m.RecommendationKind.PROCURATORIAL,
        "issuer": "屯溪区人民检察院",
        "doc_number": f"屯检建〔2026〕{m.Recommendation.objects.count() + 1}号",
        "title": "测试建议",
        "recipient": w.agency_a,
        "region_code": "341002",
        "served_on": date(2026, 3, 2),
        "deadline": date(2026, 5, 6),
        "deadline_basis": "测试",
        "calendar_version": "test",
        "recorded_by": w.supervisor,
    }
    fields.update(overrides)
    return m.Recommendation.objects.create(**fields)


@builder(m.Recommendation)
def _recommendation(w: World):
    return recommendation_for(w)


def decision_for(w: World, **overrides) -> m.Decision:
    fields = {
        "kind": m.DecisionKind.JUDGMENT,
        "case_number": f"（2026）皖1002行初{m.Decision.objects.count() + 1}号",
        "issued_by": "屯溪区人民法院",
        "agency": w.agency_a,
        "region_code": "341002",
        "title": "测试判决",
        "effective_on": date(2026, 3, 2),
        "performance_deadline": date(2026, 4, 1),
        "creditor": w.enterprise_1,
        "recorded_by": w.supervisor,
    }
    fields.update(overrides)
    return m.Decision.objects.create(**fields)


@builder(m.Decision)
def _decision(w: World):
    return decision_for(w)


# --- contracts (issue 4) ------------------------------------------------------------------------
from contracts import models as cm  # noqa: E402


def contract_for(w: World, **overrides) -> cm.Contract:
    fields = {
        "title": "测试合同",
        "contract_type": "government_procurement",
        "agency": w.agency_a,
        "counterparty": w.enterprise_1,
        "region_code": "341002",
        "amount": Decimal("100000.00"),
        "status": cm.ContractStatus.PERFORMING,
        "signed_on": date(2026, 1, 5),
    }
    fields.update(overrides)
    return cm.Contract.objects.create(**fields)


@builder(cm.Contract)
def _contract(w: World):
    return contract_for(w)


@builder(cm.Milestone)
def _milestone(w: World):
    return cm.Milestone.objects.create(
        contract=contract_for(w), side="enterprise", kind="delivery", title="交付", due_on=date(2026, 3, 1)
    )


@builder(cm.Amendment)
def _amendment(w: World):
    return cm.Amendment.objects.create(
        contract=contract_for(w),
        number=1,
        rationale_code="other",
        rationale="测试",
        signed_on=date(2026, 2, 1),
        changes={"title": {"old": "测试合同", "new": "测试合同（变更）"}},
        recorded_by=w.staff_a,
    )


@builder(cm.Evidence)
def _evidence(w: World):
    return cm.Evidence.objects.create(
        contract=contract_for(w),
        title="证据",
        file="evidence/contracts/00/test.pdf",
        original_name="test.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=w.staff_a,
    )


@builder(cm.LegalityReview)
def _review(w: World):
    return cm.LegalityReview.objects.create(
        contract=contract_for(w),
        round=1,
        reviewer="法制科",
        opinion="同意",
        result="passed",
        reviewed_on=date(2026, 1, 2),
        recorded_by=w.staff_a,
    )


@builder(cm.ContractEvent)
def _contract_event(w: World):
    return cm.ContractEvent.objects.create(
        contract=contract_for(w), kind="transition", to_status="signed", on=date(2026, 1, 5), actor=w.staff_a
    )


# --- imports (台账导入) --------------------------------------------------------------------------
@builder(m.ImportJob)
def _import_job(w: World):
    from ledger import clock

    return m.ImportJob.objects.create(
        kind="obligations",
        file_name="台账.xlsx",
        file_sha256="0" * 64,
        file_size=100,
        agency=w.agency_a,
        region_code="341002",
        created_by=w.staff_a,
        created_at=clock.now(),
        finished_at=clock.now(),
        status=m.ImportStatus.VALIDATED,
        dry_run=True,
    )


# --- credit (政务失信记录) -------------------------------------------------------------------------
# Records belong to their subject agency (agency staff read their own agency's); batches are the
# credit officers' alone (custom tenancy: every other user gets 404). The window table is public.
from credit import models as credit_models  # noqa: E402


@builder(credit_models.DishonestyRecord)
def _credit_record(w: World):
    from credit.services.records import record_create_manual

    return record_create_manual(
        actor=w.credit_officer,
        subject_agency=w.agency_a,
        kind="arrears",
        facts="拖欠账款",
        source_label="测试线索",
        proposed_on=date(2026, 4, 1),
        reason="登记",
    )


@builder(credit_models.ExportBatch)
def _credit_batch(w: World):
    from credit.services.exports import export_batch_create

    return export_batch_create(actor=w.credit_officer, as_of=date(2026, 6, 30))


# --- saved filters, export jobs, report snapshots (issue 6) -------------------------------------
@builder(m.SavedFilter)
def _saved_filter(w: World):
    return m.SavedFilter.objects.create(owner=w.staff_a, name="本单位逾期", resource="obligation", query="overdue=true")


@builder(m.ExportJob)
def _export_job(w: World):
    return m.ExportJob.objects.create(
        user=w.staff_a, resource="obligation", query="as_of=2026-06-30", format="csv", expected_rows=1
    )


@builder(m.ReportSnapshot)
def _report_snapshot(w: World):
    from ledger.reports.registry import section
    from ledger.selectors.reports import ReportParams
    from ledger.services.reports import report_publish

    params = ReportParams(
        as_of=date(2026, 6, 30),
        stock_cutoff=date(2026, 1, 1),
        period_from=date(2026, 1, 1),
        period_to=date(2026, 12, 31),
    )
    return report_publish(actor=w.supervisor, spec=section("agencies"), params=params)


@builder(m.RecommendationReply)
def _recommendation_reply(w: World):
    rec = recommendation_for(w, replied_on=date(2026, 4, 1), status=m.RecommendationStatus.REPLIED)
    return m.RecommendationReply.objects.create(
        recommendation=rec, replied_on=date(2026, 4, 1), summary="已整改", replied_by=w.staff_a
    )


@builder(m.RecommendationObjection)
def _recommendation_objection(w: World):
    rec = recommendation_for(w, status=m.RecommendationStatus.OBJECTED)
    return m.RecommendationObjection.objects.create(
        recommendation=rec,
        revision=0,
        filed_on=date(2026, 3, 10),
        grounds="不属本单位职责",
        filed_by=w.staff_a,
        deadline_before=rec.deadline,
        served_before=rec.served_on,
    )


@builder(m.Escalation)
def _escalation(w: World):
    rec = recommendation_for(w)
    return m.Escalation.objects.create(
        recommendation=rec,
        revision=0,
        deadline=rec.deadline,
        due_by=date(2026, 5, 13),
        created_on=date(2026, 5, 7),
    )
