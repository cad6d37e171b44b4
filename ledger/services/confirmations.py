"""Writes for 确权 requests: an SME asks an agency to confirm a receivable for financing.

条例 (2025) art. 16 para 2 (2020: art. 14): the agency confirms the debt within 30 days of the
request. The enterprise asks and may withdraw; the agency confirms (an amount, optionally the
obligation it is) or refuses with a reason. Status moves go through
``ledger.lifecycles.assign_status`` with ``CONFIRMATION_REQUEST_TRANSITIONS``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ledger.errors import NotFound, PermissionDenied, ValidationFailed
from ledger.lifecycles import assign_status
from ledger.models import (
    CONFIRMATION_REQUEST_TRANSITIONS,
    Agency,
    Confirmation,
    ConfirmationRequestStatus,
    Enterprise,
    Obligation,
    Role,
    User,
)
from ledger.rules import claims as rules
from ledger.rules.calendar import calendar_version
from ledger.rules.errors import RuleError
from ledger.selectors.calendar import current_calendar
from ledger.selectors.scoping import owns_agency
from ledger.services.claims import REF_MAX, SUBJECT_MAX, TEXT_MAX, amount_of, check_move, step_date, text_of
from ledger.services.notifications import notify, recipients

S = ConfirmationRequestStatus
T = CONFIRMATION_REQUEST_TRANSITIONS


def _lock(confirmation: Confirmation) -> Confirmation:
    try:
        return Confirmation.objects.select_for_update().select_related("agency", "enterprise").get(pk=confirmation.pk)
    except Confirmation.DoesNotExist:
        raise NotFound() from None


def _require_agency(actor: User, confirmation: Confirmation) -> None:
    if not (actor.role == Role.AGENCY_STAFF and owns_agency(actor, confirmation.agency_id)):
        raise PermissionDenied("只有被请求单位的工作人员可以答复确权请求")


def _tell_enterprise(c: Confirmation, kind: str, title: str, body: str = "") -> None:
    notify(
        users=recipients(enterprise=c.enterprise),
        kind=kind,
        title=title,
        body=body,
        link="/status/",
        dedupe_key=f"{kind}:{c.pk}",
    )


@transaction.atomic
def confirmation_request(
    *,
    actor: User,
    agency: Agency,
    amount,
    subject: str,
    contract_ref: str = "",
    purpose: str = "",
    enterprise: Enterprise | None = None,
    on: date | None = None,
    is_demo: bool = False,
) -> Confirmation:
    """The enterprise asks; the 30-day term is computed now and stored with the calendar version."""
    if actor.role != Role.ENTERPRISE or actor.enterprise_id is None:
        raise PermissionDenied("只有企业用户可以提出确权请求")
    if enterprise is not None and enterprise.pk != actor.enterprise_id:
        raise ValidationFailed.field("enterprise", "只能以本企业名义提出确权请求", code="not_own_enterprise")
    if not isinstance(agency, Agency):
        raise ValidationFailed.field("agency", "须指明被请求单位", code="required")
    amount = amount_of(amount)
    subject = text_of(subject, "subject", "应收账款事由", required=True, limit=SUBJECT_MAX)
    contract_ref = text_of(contract_ref, "contract_ref", "合同或文件编号", required=False, limit=REF_MAX)
    purpose = text_of(purpose, "purpose", "融资用途说明", required=False, limit=SUBJECT_MAX)
    on = step_date(on, field="requested_on")
    cal = current_calendar()
    try:
        due = rules.confirmation_deadline(on, cal)
    except RuleError as exc:
        raise ValidationFailed.field("requested_on", exc.detail, code=exc.code) from None
    c = Confirmation.objects.create(
        enterprise_id=actor.enterprise_id,
        agency=agency,
        region_code=agency.region_code,
        amount=amount,
        subject=subject,
        contract_ref=contract_ref,
        purpose=purpose,
        status=S.PENDING,
        requested_on=on,
        requested_by=actor,
        due_on=due.date if due else None,
        due_provisional=bool(due and due.provisional),
        calendar_version=calendar_version(cal),
        is_demo=is_demo,
    )
    notify(
        users=recipients(agency=agency),
        kind="confirmation_requested",
        title=f"确权请求 {c.reference}，请于{c.due_on.isoformat() if c.due_on else '30日内'}前答复",
        body=f"{c.enterprise.name}请求确认应收账款{amount}元：{subject}",
        link=f"/api/confirmations/{c.pk}/",
        dedupe_key=f"confirmation_requested:{c.pk}",
    )
    return c


@transaction.atomic
def confirmation_confirm(
    *,
    actor: User,
    confirmation: Confirmation,
    amount=None,
    obligation: Obligation | None = None,
    on: date | None = None,
) -> Confirmation:
    """The agency confirms the receivable: the amount asked, or less; optionally the obligation it is."""
    c = _lock(confirmation)
    _require_agency(actor, c)
    check_move(c.status, S.CONFIRMED, T, S)
    confirmed = c.amount if amount is None else amount_of(amount)
    if confirmed > c.amount:
        raise ValidationFailed.field(
            "amount", f"确认金额{confirmed}元超过请求确认的{c.amount}元", code="exceeds_request"
        )
    if obligation is not None and (
        obligation.creditor_id != c.enterprise_id or not owns_agency(actor, obligation.debtor_agency_id)
    ):
        raise ValidationFailed.field("obligation", "该给付义务不是本单位欠该企业的债务", code="not_matching")
    on = step_date(on, after=c.requested_on, after_what="请求日期")
    c = assign_status(
        c, S.CONFIRMED, table=T, answered_on=on, answered_by=actor, confirmed_amount=confirmed, obligation=obligation
    )
    _tell_enterprise(c, "confirmation_confirmed", f"{c.agency.name}已确认应收账款{confirmed}元（{c.reference}）")
    return c


@transaction.atomic
def confirmation_refuse(
    *, actor: User, confirmation: Confirmation, reason: str, on: date | None = None
) -> Confirmation:
    c = _lock(confirmation)
    _require_agency(actor, c)
    check_move(c.status, S.REFUSED, T, S)
    reason = text_of(reason, "reason", "不予确权的理由", required=True, limit=TEXT_MAX)
    on = step_date(on, after=c.requested_on, after_what="请求日期")
    c = assign_status(c, S.REFUSED, table=T, answered_on=on, answered_by=actor, refusal_reason=reason)
    _tell_enterprise(c, "confirmation_refused", f"{c.agency.name}不予确权（{c.reference}）", reason[:200])
    return c


@transaction.atomic
def confirmation_withdraw(*, actor: User, confirmation: Confirmation, on: date | None = None) -> Confirmation:
    c = _lock(confirmation)
    if actor.role != Role.ENTERPRISE or actor.enterprise_id != c.enterprise_id:
        raise PermissionDenied("只有申请企业可以撤回确权请求")
    check_move(c.status, S.WITHDRAWN, T, S)
    on = step_date(on, after=c.requested_on, after_what="请求日期")
    return assign_status(c, S.WITHDRAWN, table=T, withdrawn_on=on)
