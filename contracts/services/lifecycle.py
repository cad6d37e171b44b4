"""The contract lifecycle: drafting, legality review, signing, filing, performance, the end.

``contract_transition`` is the only code that assigns ``Contract.status`` (docs/adr/0003): it
locks the row, checks ``TRANSITIONS``, applies the guards of the target state, stamps the date
and writes a ``ContractEvent`` with the actor, date and reason; simple-history keeps each version
of the row. The other functions here are the explicit actions, each one a call to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from contracts.models import (
    BINDING_STATES,
    STATUS_DATE_FIELD,
    TRANSITIONS,
    UNSIGNED_STATES,
    Contract,
    ContractStatus,
    EventKind,
    LegalityReview,
    Milestone,
    MilestoneKind,
    MilestoneSide,
    ReviewResult,
    TerminationReason,
)
from contracts.services.common import check_past, check_writer, last_event_on, lock, may_write_for, record_event, text
from ledger.errors import Conflict, IllegalTransition, ValidationFailed
from ledger.models import Agency, Enterprise, Outcome, Role, User
from ledger.rules.regimes import ContractType

# Lifecycle steps keep their order in time; milestone facts and disputes have dates of their own.
_STEP_KINDS = (EventKind.TRANSITION, EventKind.REVIEW)
_EDITABLE = (
    "number",
    "title",
    "description",
    "contract_type",
    "counterparty",
    "amount",
    "period_start",
    "period_end",
    "payment_term_days",
    "acceptance_period_days",
    "sme_declared",
    "agreed_late_rate",
)


def _check_terms(fields: dict) -> None:
    if fields.get("contract_type") not in ContractType.labels:
        raise ValidationFailed.field(
            "contract_type", f"合同类型“{fields.get('contract_type')}”无效", code="invalid_choice"
        )
    amount = fields.get("amount")
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ValidationFailed.field("amount", "合同金额须大于0", code="not_positive")
    start, end = fields.get("period_start"), fields.get("period_end")
    if start is not None and end is not None and end < start:
        raise ValidationFailed.field("period_end", "履行期限止日不得早于起日", code="invalid_range")
    for name, what in (("payment_term_days", "约定付款期限"), ("acceptance_period_days", "约定验收期限")):
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValidationFailed.field(name, f"{what}须为正整数（日）", code="not_positive")
    rate = fields.get("agreed_late_rate")
    if rate is not None and (not isinstance(rate, Decimal) or not Decimal(0) < rate <= 100):
        raise ValidationFailed.field("agreed_late_rate", "约定逾期利率（年，%）须大于0且不超过100", code="invalid_rate")
    if not (fields.get("title") or "").strip():
        raise ValidationFailed.field("title", "须填写合同名称", code="required")


@transaction.atomic
def contract_create(
    *,
    actor: User,
    agency: Agency,
    counterparty: Enterprise,
    title: str,
    contract_type: str,
    amount: Decimal,
    number: str = "",
    description: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    payment_term_days: int | None = None,
    acceptance_period_days: int | None = None,
    sme_declared: bool = False,
    agreed_late_rate: Decimal | None = None,
    is_demo: bool = False,
) -> Contract:
    """A new contract, in draft. The agency must be the actor's own (or one merged into it)."""
    if not may_write_for(actor, agency.pk):
        raise ValidationFailed.field("agency", "只能为本单位登记合同", code="not_own_agency")
    fields = {
        "number": (number or "").strip(),
        "title": (title or "").strip(),
        "description": description or "",
        "contract_type": contract_type,
        "counterparty": counterparty,
        "amount": amount,
        "period_start": period_start,
        "period_end": period_end,
        "payment_term_days": payment_term_days,
        "acceptance_period_days": acceptance_period_days,
        "sme_declared": sme_declared,
        "agreed_late_rate": agreed_late_rate,
    }
    _check_terms(fields)
    return Contract.objects.create(agency=agency, region_code=agency.region_code, is_demo=is_demo, **fields)


@transaction.atomic
def contract_update(*, actor: User, contract: Contract, **fields) -> Contract:
    """Edit a draft. Once submitted for review the text is frozen; after signing only an
    amendment (变更) changes it."""
    check_writer(actor, contract)
    contract = lock(contract)
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed.field(name, "该字段不能直接修改", code="not_editable")
    if contract.status != ContractStatus.DRAFT:
        raise Conflict(
            f"合同处于“{contract.get_status_display()}”状态，不能直接修改；已签订的合同须通过变更（amendments）修改",
            code="contract_not_editable",
        )
    merged = {name: fields.get(name, getattr(contract, name)) for name in _EDITABLE}
    _check_terms(merged)
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.save()
    return contract


def _unpaid_government_payments(contract: Contract, on: date) -> list[Milestone]:
    """Government payment milestones not paid off by ``on``: not yet triggered, or the
    obligation still open (written off / cancelled obligations are closed by law)."""
    unpaid = []
    qs = contract.milestones.filter(side=MilestoneSide.GOVERNMENT, kind=MilestoneKind.PAYMENT).select_related(
        "obligation"
    )
    for m in qs:
        ob = m.obligation
        if ob is None:
            unpaid.append(m)
        elif ob.fully_paid_on is not None and ob.fully_paid_on <= on:
            continue
        elif ob.outcome in (Outcome.WRITTEN_OFF, Outcome.CANCELLED) and ob.outcome_on and ob.outcome_on <= on:
            continue
        else:
            unpaid.append(m)
    return unpaid


def _guard(contract: Contract, to: str, on: date, reason_code: str, reason: str, on_field: str) -> None:
    """The conditions of each target state beyond the table."""
    if to == ContractStatus.SIGNED:
        review = contract.reviews.filter(round=contract.review_round).first()
        if review is None or review.result != ReviewResult.PASSED:
            raise IllegalTransition(
                "未经合法性审查通过的合同不得签订：须先记录本轮审查结论为“通过”", code="legality_review_required"
            )
        if on < review.reviewed_on:
            raise ValidationFailed.field(
                on_field, f"签订日期不得早于合法性审查通过日期{review.reviewed_on.isoformat()}", code="before_review"
            )
    elif to == ContractStatus.COMPLETED:
        if contract.is_disputed:
            raise IllegalTransition("合同存在未解决的争议，不能确认履行完毕", code="contract_disputed")
        unpaid = _unpaid_government_payments(contract, on)
        if unpaid:
            names = "、".join(m.title for m in unpaid)
            raise IllegalTransition(
                f"政府方付款节点尚未付清（或尚未触发）：{names}；付清前不能确认履行完毕",
                code="payment_milestones_unpaid",
            )
    elif to == ContractStatus.TERMINATED:
        if reason_code not in TerminationReason.values:
            raise ValidationFailed.field(
                "reason_code",
                f"终止原因“{reason_code}”无效，应为：{'、'.join(TerminationReason.values)}",
                code="invalid_choice",
            )
        unsigned = contract.status in UNSIGNED_STATES
        if unsigned and reason_code != TerminationReason.NOT_CONCLUDED:
            raise ValidationFailed.field(
                "reason_code", "签订前终止的原因只能为“未能签订”（not_concluded）", code="invalid_choice"
            )
        if not unsigned and reason_code == TerminationReason.NOT_CONCLUDED:
            raise ValidationFailed.field("reason_code", "已签订的合同不能以“未能签订”终止", code="invalid_choice")
        if not reason:
            raise ValidationFailed.field("reason", "须说明终止理由", code="required")
    elif to == ContractStatus.DRAFT and not reason:
        raise ValidationFailed.field("reason", "须说明退回修改的理由", code="required")


@transaction.atomic
def contract_transition(
    *,
    actor: User,
    contract: Contract,
    to: str,
    on: date,
    reason: str = "",
    reason_code: str = "",
    on_field: str = "on",
) -> Contract:
    """THE function that assigns a contract's status (docs/adr/0003-contract-lifecycle.md).

    Locks the row, checks the transition table (409 ``illegal_transition``), the guard of the
    target state, and that steps keep their order in time; stamps the step's date, writes a
    ContractEvent with actor, date and reason. ``on_field`` names the date input in errors.
    """
    check_writer(actor, contract)
    contract = lock(contract)
    current = contract.status
    if to not in ContractStatus.values:
        raise ValidationFailed.field("to", f"状态“{to}”无效", code="invalid_choice")
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"合同当前状态“{ContractStatus(current).label}”不能变为“{ContractStatus(to).label}”",
            code="illegal_transition",
        )
    check_past(on, on_field)
    previous = last_event_on(contract, kinds=_STEP_KINDS)
    if previous is not None and on < previous:
        raise ValidationFailed.field(
            on_field, f"日期不得早于该合同上一步骤的日期{previous.isoformat()}", code="before_previous_step"
        )
    reason = text(reason, "reason", required=False, what="理由")
    _guard(contract, to, on, reason_code, reason, on_field)

    contract.status = to
    changed = ["status", "updated_at"]
    if to in STATUS_DATE_FIELD:
        setattr(contract, STATUS_DATE_FIELD[to], on)
        changed.append(STATUS_DATE_FIELD[to])
    if to == ContractStatus.LEGALITY_REVIEW:
        contract.review_round += 1
        changed.append("review_round")
    if to == ContractStatus.TERMINATED:
        contract.termination_reason_code = reason_code
        contract.termination_reason = reason
        changed += ["termination_reason_code", "termination_reason"]
    contract.save(update_fields=changed)
    record_event(
        contract,
        actor=actor,
        kind=EventKind.TRANSITION,
        on=on,
        from_status=current,
        to_status=to,
        reason_code=reason_code if to == ContractStatus.TERMINATED else "",
        reason=reason,
    )
    return contract


# --- the explicit actions ------------------------------------------------------------------
def contract_submit_for_review(*, actor: User, contract: Contract, on: date, reason: str = "") -> Contract:
    return contract_transition(actor=actor, contract=contract, to=ContractStatus.LEGALITY_REVIEW, on=on, reason=reason)


def contract_return_to_draft(*, actor: User, contract: Contract, on: date, reason: str) -> Contract:
    return contract_transition(actor=actor, contract=contract, to=ContractStatus.DRAFT, on=on, reason=reason)


def contract_sign(*, actor: User, contract: Contract, signed_on: date, reason: str = "") -> Contract:
    return contract_transition(
        actor=actor, contract=contract, to=ContractStatus.SIGNED, on=signed_on, reason=reason, on_field="signed_on"
    )


def contract_file(*, actor: User, contract: Contract, filed_on: date, reason: str = "") -> Contract:
    return contract_transition(
        actor=actor, contract=contract, to=ContractStatus.FILED, on=filed_on, reason=reason, on_field="filed_on"
    )


def contract_start_performance(*, actor: User, contract: Contract, on: date, reason: str = "") -> Contract:
    return contract_transition(actor=actor, contract=contract, to=ContractStatus.PERFORMING, on=on, reason=reason)


def contract_complete(*, actor: User, contract: Contract, on: date, reason: str = "") -> Contract:
    return contract_transition(actor=actor, contract=contract, to=ContractStatus.COMPLETED, on=on, reason=reason)


def contract_terminate(*, actor: User, contract: Contract, on: date, reason_code: str, reason: str) -> Contract:
    return contract_transition(
        actor=actor, contract=contract, to=ContractStatus.TERMINATED, on=on, reason=reason, reason_code=reason_code
    )


@transaction.atomic
def contract_review_record(
    *, actor: User, contract: Contract, reviewer: str, opinion: str, result: str, reviewed_on: date
) -> LegalityReview:
    """Record the 合法性审查 conclusion of the current round. The agency's own legal office or the
    district justice bureau (supervisor) reviews; a failed review leaves the contract in review
    until the agency returns it to draft (an explicit step) or abandons it."""
    if actor.role != Role.SUPERVISOR:
        check_writer(actor, contract)
    contract = lock(contract)
    if contract.status != ContractStatus.LEGALITY_REVIEW:
        raise IllegalTransition(
            f"合同处于“{contract.get_status_display()}”状态，只有提交合法性审查后才能记录审查结论",
            code="not_in_review",
        )
    if result not in ReviewResult.values:
        raise ValidationFailed.field("result", f"审查结论“{result}”无效，应为：passed、failed", code="invalid_choice")
    reviewer = text(reviewer, "reviewer", required=True, what="审查人（机构）", max_length=100)
    opinion = text(opinion, "opinion", required=True, what="审查意见")
    check_past(reviewed_on, "reviewed_on")
    submitted = last_event_on(contract, kinds=_STEP_KINDS)
    if submitted is not None and reviewed_on < submitted:
        raise ValidationFailed.field(
            "reviewed_on", f"审查日期不得早于提交审查日期{submitted.isoformat()}", code="before_previous_step"
        )
    if contract.reviews.filter(round=contract.review_round).exists():
        raise Conflict("本轮合法性审查已有结论；如需重新审查，请退回修改后再次提交", code="review_already_recorded")
    review = LegalityReview.objects.create(
        contract=contract,
        round=contract.review_round,
        reviewer=reviewer,
        opinion=opinion,
        result=result,
        reviewed_on=reviewed_on,
        recorded_by=actor,
    )
    record_event(
        contract,
        actor=actor,
        kind=EventKind.REVIEW,
        on=reviewed_on,
        reason_code=result,
        reason=f"{reviewer}：{opinion}",
    )
    return review


@transaction.atomic
def contract_dispute_open(*, actor: User, contract: Contract, on: date, reason: str) -> Contract:
    """Raise the disputed flag (a side state: the lifecycle position does not move)."""
    check_writer(actor, contract)
    contract = lock(contract)
    if contract.status not in BINDING_STATES:
        raise IllegalTransition(
            f"合同处于“{contract.get_status_display()}”状态，只有已签订、已备案或履行中的合同才会发生合同争议",
            code="illegal_transition",
        )
    if contract.is_disputed:
        raise IllegalTransition(f"合同已自{contract.disputed_since.isoformat()}起处于争议中", code="already_disputed")
    check_past(on, "on")
    if contract.signed_on and on < contract.signed_on:
        raise ValidationFailed.field("on", "争议日期不得早于签订日期", code="before_signing")
    reason = text(reason, "reason", required=True, what="争议说明")
    contract.disputed_since, contract.dispute_reason = on, reason
    contract.save(update_fields=["disputed_since", "dispute_reason", "updated_at"])
    record_event(contract, actor=actor, kind=EventKind.DISPUTE_OPENED, on=on, reason=reason)
    return contract


@transaction.atomic
def contract_dispute_close(*, actor: User, contract: Contract, on: date, reason: str) -> Contract:
    """Lower the disputed flag with how the dispute ended (allowed in any state, even after
    termination: a dispute may outlive the contract)."""
    check_writer(actor, contract)
    contract = lock(contract)
    if not contract.is_disputed:
        raise IllegalTransition("合同当前没有争议", code="not_disputed")
    check_past(on, "on")
    if on < contract.disputed_since:
        raise ValidationFailed.field("on", "争议解决日期不得早于争议发生日期", code="before_dispute")
    reason = text(reason, "reason", required=True, what="争议解决情况")
    contract.disputed_since, contract.dispute_reason = None, ""
    contract.save(update_fields=["disputed_since", "dispute_reason", "updated_at"])
    record_event(contract, actor=actor, kind=EventKind.DISPUTE_CLOSED, on=on, reason=reason)
    return contract
