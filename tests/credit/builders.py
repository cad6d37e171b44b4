"""Builders for credit tests: records brought to any state through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from credit.models import DishonestyKind, DishonestyRecord, RecordStatus, Severity
from credit.services import records as svc
from tests.factories import AgencyFactory

S = RecordStatus
PROPOSED_ON = date(2026, 4, 1)
VERIFIED_ON = date(2026, 4, 3)
ORDERED_ON = date(2026, 4, 7)
DEADLINE = date(2026, 5, 7)
DETERMINED_ON = date(2026, 6, 15)
BASIS = "《优化营商环境条例》第三十一条"


def authority():
    """A 认定单位 with a USCC (the district government, in real life)."""
    return AgencyFactory()


def candidate(
    world,
    *,
    agency=None,
    amount=Decimal("250000.00"),
    counterparty="default",
    is_demo=False,
    facts=None,
    proposed_on=PROPOSED_ON,
):
    return svc.record_create_manual(
        actor=world.credit_officer,
        subject_agency=agency or world.agency_a,
        kind=DishonestyKind.ARREARS,
        facts=facts or "拖欠工程款，经催告仍未支付",
        source_label="测试线索",
        proposed_on=proposed_on,
        reason="登记候选",
        amount=amount,
        counterparty=world.enterprise_1 if counterparty == "default" else counterparty,
        is_demo=is_demo,
    )


def determine(world, record, *, by, on=DETERMINED_ON, severity=Severity.GENERAL, publish=None):
    return svc.record_determine(
        actor=world.credit_officer,
        record=record,
        on=on,
        reason="整改期限届满未整改",
        severity=severity,
        determining_authority=by,
        basis=BASIS,
        publish=publish,
    )


def bring_to(world, status: str, *, by=None, record=None, severity=Severity.GENERAL, on=DETERMINED_ON, **kw):
    """A record in ``status`` reached by the lawful path (candidate → … → status)."""
    officer = world.credit_officer
    record = record or candidate(world, **kw)
    if status == S.CANDIDATE:
        return record
    if status == S.DISMISSED:
        return svc.record_dismiss(actor=officer, record=record, on=VERIFIED_ON, reason="不属于政府失信")
    record = svc.record_verify(actor=officer, record=record, on=VERIFIED_ON, reason="核实属实")
    if status == S.VERIFIED:
        return record
    record = svc.record_order_rectification(
        actor=officer, record=record, on=ORDERED_ON, deadline=DEADLINE, reason="责令限期整改"
    )
    if status == S.RECTIFICATION_ORDERED:
        return record
    if status == S.RECTIFIED:
        return svc.record_mark_rectified(actor=officer, record=record, on=date(2026, 5, 1), reason="已整改")
    by = by or authority()
    record = determine(world, record, by=by, on=on, severity=severity)
    if status == S.DETERMINED:
        return record
    if status == S.REVOKED:
        return svc.record_revoke(actor=officer, record=record, on=on + timedelta(days=30), reason="认定有误")
    if status == S.EXPIRED:
        return svc.record_expire(
            actor=officer, record=record, on=record.publicity_max_end + timedelta(days=1), reason="期满"
        )
    if status == S.REPAIRED:
        ready_for_repair(world, record)
        return svc.record_repair(
            actor=officer,
            record=record,
            on=record.publicity_min_end + timedelta(days=1),
            reason="准予修复",
            on_behalf_of=by,
        )
    raise AssertionError(status)


def ready_for_repair(world, record: DishonestyRecord, *, performed_on=date(2026, 7, 1), committed_on=date(2026, 7, 2)):
    svc.record_performance_record(
        actor=world.credit_officer, record=record, performed_on=performed_on, note="已足额支付"
    )
    return svc.record_commitment_record(
        actor=world.credit_officer, record=record, committed_on=committed_on, text="本单位承诺依法履约"
    )
