"""Milestones on both sides, and the trigger that turns a government payment into an obligation.

A government payment milestone produces its ledger obligation when its trigger is recorded
(SPEC R1; 条例 (2025) arts. 9–10, (2020) arts. 8–9): delivery; acceptance when payment depends
on it; the end of the agreed acceptance period when acceptance is late; the confirmed
settlement date for progress settlement. The due date is computed then, by the ledger's
``obligation_create``, with the contract's facts: type, SME status declared at signing, signing
date, agreed term and late-payment rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from contracts.models import (
    BINDING_STATES,
    Contract,
    ContractStatus,
    EventKind,
    Milestone,
    MilestoneKind,
    MilestoneSide,
    PaymentBasis,
)
from contracts.services.common import check_past, check_writer, lock, record_event, text
from ledger.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from ledger.models import Source, Trigger, User
from ledger.rules.calendar import WorkCalendar, period_end_days
from ledger.rules.regimes import acceptance_trigger
from ledger.selectors.calendar import current_calendar
from ledger.services.obligations import obligation_create

_OPEN_FOR_MILESTONES = BINDING_STATES | {ContractStatus.DRAFT, ContractStatus.LEGALITY_REVIEW}
# Facts can be recorded while the contract binds, and after an early termination (work
# delivered before it is still to be paid); a completed contract has everything recorded.
_OPEN_FOR_FACTS = BINDING_STATES | {ContractStatus.TERMINATED}


class TriggerEvent:
    DELIVERY = "delivery"
    ACCEPTANCE = "acceptance"
    LATE_ACCEPTANCE = "late_acceptance"
    SETTLEMENT_CONFIRMED = "settlement_confirmed"

    labels = {
        DELIVERY: "交付",
        ACCEPTANCE: "验收合格",
        LATE_ACCEPTANCE: "验收逾期（约定验收期限届满）",
        SETTLEMENT_CONFIRMED: "结算确认",
    }
    choices = list(labels.items())


# Which events fit which payment basis.
_EVENTS_BY_BASIS = {
    PaymentBasis.DELIVERY: {TriggerEvent.DELIVERY},
    PaymentBasis.ACCEPTANCE: {TriggerEvent.DELIVERY, TriggerEvent.ACCEPTANCE, TriggerEvent.LATE_ACCEPTANCE},
    PaymentBasis.SETTLEMENT: {TriggerEvent.SETTLEMENT_CONFIRMED},
}


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    contract: Contract,
    side: str,
    kind: str,
    title: str,
    description: str = "",
    due_on: date | None = None,
    amount: Decimal | None = None,
    goods_works_services: bool = False,
    payment_basis: str = "",
) -> Milestone:
    check_writer(actor, contract)
    contract = lock(contract)
    if contract.status not in _OPEN_FOR_MILESTONES:
        raise IllegalTransition(
            f"合同处于“{contract.get_status_display()}”状态，不能再增加履行节点", code="contract_closed"
        )
    if side not in MilestoneSide.values:
        raise ValidationFailed.field("side", f"履行方“{side}”无效", code="invalid_choice")
    if kind not in MilestoneKind.values:
        raise ValidationFailed.field("kind", f"节点类型“{kind}”无效", code="invalid_choice")
    title = text(title, "title", required=True, what="节点名称", max_length=200)
    government_payment = side == MilestoneSide.GOVERNMENT and kind == MilestoneKind.PAYMENT
    if amount is not None and (not isinstance(amount, Decimal) or amount <= 0):
        raise ValidationFailed.field("amount", "金额须大于0", code="not_positive")
    if government_payment:
        if amount is None:
            raise ValidationFailed.field("amount", "政府方付款节点须填写付款金额", code="required")
        if payment_basis not in PaymentBasis.values:
            raise ValidationFailed.field(
                "payment_basis", "政府方付款节点须选择付款起算条件：delivery、acceptance 或 settlement", code="required"
            )
        planned = contract.milestones.filter(side=MilestoneSide.GOVERNMENT, kind=MilestoneKind.PAYMENT).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        if planned + amount > contract.amount:
            raise ValidationFailed.field(
                "amount",
                f"政府方付款节点合计{planned + amount}元将超过合同金额{contract.amount}元",
                code="exceeds_contract_amount",
            )
    else:
        if payment_basis:
            raise ValidationFailed.field("payment_basis", "只有政府方付款节点有付款起算条件", code="not_applicable")
        if goods_works_services:
            raise ValidationFailed.field(
                "goods_works_services", "只有政府方付款节点可标记为货物、工程、服务付款", code="not_applicable"
            )
    return Milestone.objects.create(
        contract=contract,
        side=side,
        kind=kind,
        title=title,
        description=description or "",
        due_on=due_on,
        amount=amount,
        goods_works_services=goods_works_services,
        payment_basis=payment_basis,
    )


def acceptance_period_end(milestone: Milestone, contract: Contract, cal: WorkCalendar) -> date | None:
    """Last day of the agreed acceptance period, counted from delivery by R2; None if unknown."""
    if milestone.delivered_on is None or contract.acceptance_period_days is None:
        return None
    return period_end_days(milestone.delivered_on, contract.acceptance_period_days, cal).date


def _lock_milestone(milestone: Milestone) -> Milestone:
    try:
        return Milestone.objects.select_for_update().get(pk=milestone.pk)
    except Milestone.DoesNotExist:
        raise NotFound() from None


def _check_fact_date(contract: Contract, on: date, field: str = "on") -> None:
    check_past(on, field)
    if contract.signed_on is not None and on < contract.signed_on:
        raise ValidationFailed.field(
            field, f"日期{on.isoformat()}早于合同签订日期{contract.signed_on.isoformat()}", code="before_signing"
        )


def _open_for_facts(contract: Contract) -> None:
    if contract.status not in _OPEN_FOR_FACTS:
        raise IllegalTransition(
            f"合同处于“{contract.get_status_display()}”状态，不能记录履行情况", code="contract_not_in_force"
        )


@transaction.atomic
def milestone_record_trigger(*, actor: User, milestone: Milestone, event: str, on: date) -> Milestone:
    """Record what happened on a government payment milestone; create its obligation when the
    event is its trigger. Returns the milestone (with ``obligation`` set once triggered)."""
    contract = milestone.contract
    check_writer(actor, contract)
    contract = lock(contract)
    milestone = _lock_milestone(milestone)
    if not milestone.is_government_payment:
        raise Conflict("只有政府方付款节点记录付款起算事件；其他节点请记录完成情况", code="not_a_payment_milestone")
    _open_for_facts(contract)
    if event not in TriggerEvent.labels:
        raise ValidationFailed.field(
            "event", f"事件“{event}”无效，应为：{'、'.join(TriggerEvent.labels)}", code="invalid_choice"
        )
    if event not in _EVENTS_BY_BASIS[milestone.payment_basis]:
        raise ValidationFailed.field(
            "event",
            f"本节点付款条件为“{milestone.get_payment_basis_display()}”，不记录“{TriggerEvent.labels[event]}”",
            code="event_not_applicable",
        )
    _check_fact_date(contract, on)
    cal = current_calendar()
    trigger: tuple[str, date] | None = None

    if event == TriggerEvent.DELIVERY:
        if milestone.delivered_on is not None:
            raise Conflict(f"已记录交付日期{milestone.delivered_on.isoformat()}", code="already_recorded")
        milestone.delivered_on = on
        if milestone.payment_basis == PaymentBasis.DELIVERY:
            trigger = (Trigger.DELIVERY, on)  # 条例 (2025) art. 9 para 1
    elif event == TriggerEvent.ACCEPTANCE:
        if milestone.accepted_on is not None:
            raise Conflict(f"已记录验收合格日期{milestone.accepted_on.isoformat()}", code="already_recorded")
        if milestone.delivered_on is None:
            raise ValidationFailed.field("event", "须先记录交付日期，再记录验收", code="delivery_missing")
        if on < milestone.delivered_on:
            raise ValidationFailed.field("on", "验收日期不得早于交付日期", code="before_delivery")
        milestone.accepted_on = on
        period_end = acceptance_period_end(milestone, contract, cal)
        if milestone.obligation_id is None:
            if period_end is None:  # no agreed period: acceptance is the trigger (art. 10 para 1)
                trigger = (Trigger.ACCEPTANCE, on)
            else:  # art. 10 para 2: accepted after the agreed period → the period's end
                trigger = acceptance_trigger(acceptance_period_end=period_end, accepted_on=on, as_of=on)
    elif event == TriggerEvent.LATE_ACCEPTANCE:
        if milestone.obligation_id is not None:
            raise Conflict("该节点已触发给付义务", code="already_triggered")
        if milestone.accepted_on is not None:
            raise Conflict("已记录验收合格，付款期限自验收日或验收期限届满日起算，已据此处理", code="already_recorded")
        period_end = acceptance_period_end(milestone, contract, cal)
        if period_end is None:
            raise ValidationFailed.field(
                "event", "须有交付日期和合同约定的验收期限，才能认定验收逾期", code="acceptance_period_unknown"
            )
        # 条例 (2025) art. 10 para 2 / (2020) art. 9 para 2: delay counts against the payer.
        trigger = acceptance_trigger(acceptance_period_end=period_end, accepted_on=None, as_of=on)
        if trigger is None:
            raise Conflict(
                f"约定验收期限至{period_end.isoformat()}届满，届满前不能认定验收逾期", code="acceptance_period_running"
            )
    else:  # settlement confirmed: art. 9 para 4
        if milestone.settlement_confirmed_on is not None:
            raise Conflict(
                f"已记录结算确认日期{milestone.settlement_confirmed_on.isoformat()}", code="already_recorded"
            )
        milestone.settlement_confirmed_on = on
        trigger = (Trigger.SETTLEMENT_CONFIRMED, on)

    note = f"{milestone.title}：{TriggerEvent.labels[event]}"
    if trigger is not None:
        trigger_kind, trigger_on = trigger
        milestone.obligation = obligation_create(
            actor=actor,
            debtor_agency=contract.agency,
            creditor=contract.counterparty,
            source=Source.MILESTONE,
            title=f"{contract.title}：{milestone.title}"[:300],
            principal=milestone.amount,
            arose_on=trigger_on,
            trigger=trigger_kind,
            trigger_on=trigger_on,
            contract_type=contract.contract_type,
            sme_declared=contract.sme_declared,
            signed_on=contract.signed_on,
            goods_works_services=milestone.goods_works_services,
            agreed_term_days=contract.payment_term_days,
            agreed_annual_rate=contract.agreed_late_rate,
            is_demo=contract.is_demo,
        )
        ob = milestone.obligation
        note += (
            f"；自{trigger_on.isoformat()}（{Trigger(trigger_kind).label}）起算，生成给付义务{ob.reference}，"
            f"到期日{ob.due_on.isoformat()}"
        )
    milestone.save()
    record_event(contract, actor=actor, kind=EventKind.MILESTONE, on=on, reason_code=event, reason=note)
    return milestone


@transaction.atomic
def milestone_record_met(
    *, actor: User, milestone: Milestone, on: date, partly: bool = False, note: str = ""
) -> Milestone:
    """Record that a milestone other than a government payment was met, or partly met."""
    contract = milestone.contract
    check_writer(actor, contract)
    contract = lock(contract)
    milestone = _lock_milestone(milestone)
    if milestone.is_government_payment:
        raise Conflict(
            "政府方付款节点的履行情况以给付义务的付款记录为准，请记录付款起算事件和付款", code="payment_follows_ledger"
        )
    _open_for_facts(contract)
    _check_fact_date(contract, on)
    note = text(note, "note", required=partly, what="部分完成的情况说明")
    if milestone.met_on is not None:
        raise Conflict(f"已记录完成日期{milestone.met_on.isoformat()}", code="already_recorded")
    if partly:
        if milestone.partly_met_on is not None and on < milestone.partly_met_on:
            raise ValidationFailed.field("on", "日期早于上次记录的部分完成日期", code="before_previous_step")
        milestone.partly_met_on = on
    else:
        if milestone.partly_met_on is not None and on < milestone.partly_met_on:
            raise ValidationFailed.field("on", "完成日期早于部分完成日期", code="before_previous_step")
        milestone.met_on = on
    if note:
        line = f"{on.isoformat()}{'部分完成' if partly else '完成'}：{note}"
        milestone.progress_note = f"{milestone.progress_note}\n{line}".strip()
    milestone.save()
    record_event(
        contract,
        actor=actor,
        kind=EventKind.MILESTONE,
        on=on,
        reason_code="partly_met" if partly else "met",
        reason=f"{milestone.title}：{'部分完成' if partly else '完成'}{('，' + note) if note else ''}",
    )
    return milestone
