"""Writes for obligations (给付义务) and their append-only ledger entries.

Other areas create obligations through ``obligation_create`` (contracts from milestones, court
decisions, verified claims, approved redemptions); payments go through ``payment_record``. The
due date is computed once, when the trigger is recorded, and stored with the calendar version
used (SPEC R1/R2); the money state is recomputed from all entries by ledger/rules/interest.py
(SPEC R3) under a row lock, and the running totals are stored for cheap SQL.

Permission checks belong to the caller (the API checks that staff write for their own agency;
a contracts or decisions service applies its own rules); these functions validate the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from ledger import clock
from ledger.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from ledger.lifecycles import CONFIRMATION_TRANSITIONS, OUTCOME_TRANSITIONS, assign_status
from ledger.models import (
    AFTER_FIELDS,
    Agency,
    AllocationRule,
    ConfirmationStatus,
    Enterprise,
    EntryKind,
    LedgerEntry,
    LprRate,
    Obligation,
    Outcome,
    RefusalReason,
    Regime,
    Source,
    Trigger,
    User,
)
from ledger.rules import regimes, violations
from ledger.rules.calendar import calendar_version
from ledger.rules.errors import RuleError
from ledger.rules.interest import rate_for
from ledger.rules.money import parse_amount
from ledger.selectors.calendar import current_calendar
from ledger.selectors.obligations import entry_states_of, obligation_state, principal_tenure_on
from ledger.services.notifications import notify, recipients

_BASIS_MAX = 300
_CLOSING = {Outcome.WRITTEN_OFF, Outcome.CANCELLED}


def _invalid(exc: RuleError, default_field: str) -> ValidationFailed:
    """A pure rule's refusal as a 400 naming the field."""
    field = exc.field or default_field
    return ValidationFailed(f"{field}：{exc.detail}", code=exc.code, fields={field: [exc.detail]})


def _amount(raw, field: str, *, positive: bool = True) -> Decimal:
    try:
        return parse_amount(raw, field=field, positive=positive)
    except RuleError as exc:
        raise _invalid(exc, field) from None


def _annual_rate(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, float | bool):
        raise ValidationFailed.field("agreed_annual_rate", "利率须以字符串或Decimal提交（不接受浮点数）")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed.field("agreed_annual_rate", f"利率格式无效：“{raw}”") from None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.0001")):
        raise ValidationFailed.field("agreed_annual_rate", "年利率（%）须在0至100之间，最多4位小数")
    return value


def _choice(value: str, choices, field: str, what: str) -> str:
    if value not in choices.values:
        raise ValidationFailed.field(
            field, f"{what}“{value}”无效，应为：{'、'.join(choices.values)}", code="invalid_choice"
        )
    return value


def _lpr_on(day: date) -> Decimal | None:
    row = LprRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return None if row is None else row.one_year


def _text(value: str, field: str, *, required: bool, what: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.field(field, f"须填写{what}", code="required")
    if len(value) > _BASIS_MAX:
        raise ValidationFailed.field(field, f"{what}不得超过{_BASIS_MAX}字", code="too_long")
    return value


@transaction.atomic
def obligation_create(
    *,
    actor: User,
    debtor_agency: Agency,
    creditor: Enterprise,
    source: str,
    title: str,
    principal,
    arose_on: date,
    trigger: str,
    trigger_on: date,
    contract_type: str = "",
    sme_declared: bool = False,
    signed_on: date | None = None,
    goods_works_services: bool = False,
    agreed_term_days: int | None = None,
    agreed_annual_rate=None,
    working_days: int | None = None,
    decision_deadline: date | None = None,
    underlying_regime: str | None = None,
    allocation_rule: str = "default",
    allocation_basis: str = "",
    due_override: date | None = None,
    due_override_basis: str = "",
    is_demo: bool = False,
) -> Obligation:
    """Record an obligation: derive its regime (R1), compute and store its due date (R1/R2).

    ``principal`` is parsed exactly (str/int/Decimal; floats and over-precise amounts are
    refused). ``due_override`` replaces the computed date only with ``due_override_basis``, the
    legal basis recorded with it (e.g. a law setting a different term, 条例 (2025) art. 9 para 3).
    Raises ValidationFailed naming the field at fault.
    """
    principal = _amount(principal, "principal")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed.field("title", "须填写事由", code="required")
    if len(title) > _BASIS_MAX:
        raise ValidationFailed.field("title", f"事由不得超过{_BASIS_MAX}字", code="too_long")
    _choice(source, Source, "source", "来源")
    _choice(trigger, Trigger, "trigger", "起算事由")
    _choice(allocation_rule, AllocationRule, "allocation_rule", "清偿抵充顺序")
    allocation_basis = _text(
        allocation_basis,
        "allocation_basis",
        required=allocation_rule != AllocationRule.DEFAULT,
        what="抵充顺序的约定或指定依据（民法典第五百六十一条：另有约定的除外）",
    )
    rate = _annual_rate(agreed_annual_rate)
    if agreed_term_days is not None and (
        isinstance(agreed_term_days, bool) or not isinstance(agreed_term_days, int) or agreed_term_days < 1
    ):
        raise ValidationFailed.field("agreed_term_days", "约定付款期限须为正整数（日）")

    try:
        regime = regimes.regime_for(
            source=source,
            contract_type=contract_type or None,
            milestone_is_goods_works_services=goods_works_services,
            sme_declared=sme_declared,
            signed_on=signed_on,
            underlying_regime=underlying_regime,
        )
    except RuleError as exc:
        raise _invalid(exc, "source") from None

    cal = current_calendar()
    try:
        due = regimes.due_date(
            regime=regime,
            trigger_on=trigger_on,
            agreed_term_days=agreed_term_days,
            working_days=working_days,
            decision_deadline=decision_deadline,
            cal=cal,
            trigger=trigger,
        )
    except RuleError as exc:
        raise _invalid(exc, "trigger_on") from None

    # The 1-year LPR at signing floors an agreed 条例 rate (2020 art. 15 / 2025 art. 17).
    lpr = _lpr_on(signed_on) if regime == Regime.SME_PROCUREMENT and signed_on is not None else None
    if regime == Regime.SME_PROCUREMENT and rate is not None and lpr is None:
        raise ValidationFailed.field(
            "signed_on", "LPR表中没有签约日适用的1年期LPR，无法核定约定利率的下限，请管理员补录", code="lpr_missing"
        )
    try:
        rate_for(regime=regime, agreed_annual_rate=rate, lpr_1y_at_signing=lpr, on=trigger_on)
    except RuleError as exc:
        raise _invalid(exc, "agreed_annual_rate") from None

    due_on, provisional, basis = due.due_on, due.provisional, due.basis
    due_override_basis = _text(
        due_override_basis, "due_override_basis", required=due_override is not None, what="调整到期日的法律依据"
    )
    if due_override is not None:
        due_on, provisional = due_override, False
        basis = f"依{due_override_basis}调整为{due_override.isoformat()}（原计算：{due.due_on.isoformat()}）"
    elif due_override_basis:
        raise ValidationFailed.field("due_override", "填写了调整依据，但未填写调整后的到期日", code="required")
    if due_on < arose_on:
        field = (
            "due_override"
            if due_override is not None
            else ("decision_deadline" if regime == Regime.COURT_DECISION else "trigger_on")
        )
        raise ValidationFailed.field(
            field,
            f"到期日{due_on.isoformat()}早于发生日期{arose_on.isoformat()}",
            code="due_before_arising",
        )

    tenure = principal_tenure_on(debtor_agency.pk, arose_on)
    return Obligation.objects.create(
        debtor_agency=debtor_agency,
        creditor=creditor,
        region_code=debtor_agency.region_code,
        source=source,
        title=title,
        principal=principal,
        arose_on=arose_on,
        trigger=trigger,
        trigger_on=trigger_on,
        regime=regime,
        contract_type=contract_type or "",
        sme_declared=sme_declared,
        signed_on=signed_on,
        agreed_term_days=agreed_term_days,
        agreed_annual_rate=rate,
        lpr_at_signing=lpr,
        due_on=due_on,
        due_provisional=provisional,
        calendar_version=calendar_version(cal),
        due_basis=basis[:_BASIS_MAX],
        due_override_basis=due_override_basis,
        term_capped=due.capped,
        term_missing=due.term_missing,
        default_term_used=due.default_term_used,
        allocation_rule=allocation_rule,
        allocation_basis=allocation_basis,
        tenure_at_arising=tenure,
        is_demo=is_demo,
    )


def _lock(obligation: Obligation) -> Obligation:
    try:
        return Obligation.objects.select_for_update().get(pk=obligation.pk)
    except Obligation.DoesNotExist:
        raise NotFound() from None


def _check_date(on: date, obligation: Obligation, field: str = "on") -> None:
    if on > clock.today():
        raise ValidationFailed.field(field, f"日期{on.isoformat()}晚于今天，不能预先记录", code="future_date")
    if on < obligation.arose_on:
        raise ValidationFailed.field(
            field, f"日期{on.isoformat()}早于义务发生日期{obligation.arose_on.isoformat()}", code="before_arising"
        )


def _sync_entry_states(obligation: Obligation, entries: list[LedgerEntry]) -> None:
    """Store the state just after each entry (``LedgerEntry.after_*``), for the as-of columns
    computed in SQL. Derived values: written with bulk_update, so no history row is made."""
    changed = []
    for entry, after in zip(entries, entry_states_of(obligation, entries), strict=True):
        values = {
            "after_principal_outstanding": after.principal_outstanding,
            "after_balance_days": after.balance_days,
            "after_interest_paid": after.interest_paid,
            "after_interest_waived": after.interest_waived,
            "after_fully_paid_on": after.fully_paid_on,
        }
        if any(getattr(entry, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(entry, name, value)
            changed.append(entry)
    if changed:
        LedgerEntry.objects.bulk_update(changed, list(AFTER_FIELDS))


def entry_states_refresh() -> int:
    """Store the state after each entry where it is missing (entries written outside this module,
    e.g. by a SQL script); returns the number of obligations refreshed. Each obligation is locked
    as a payment would lock it, so a concurrent payment is applied before or after, not between."""
    ids = (
        LedgerEntry.objects.filter(after_principal_outstanding__isnull=True)
        .values_list("obligation_id", flat=True)
        .distinct()
        .order_by("obligation_id")
    )
    done = 0
    for pk in list(ids):
        with transaction.atomic():
            obligation = Obligation.objects.select_for_update().get(pk=pk)
            _sync_entry_states(obligation, list(obligation.entries.all()))
        done += 1
    return done


def _sync_totals(obligation: Obligation) -> None:
    """Recompute the running totals from every entry, and the settled outcome they imply.

    Once principal is paid off nothing accrues, so the state as of the last entry (or the due
    date) is final for the entries recorded.
    """
    entries = list(obligation.entries.all())
    last = max([e.on for e in entries], default=obligation.arose_on)
    state = obligation_state(obligation, max(last, obligation.due_on), entries=entries)
    _sync_entry_states(obligation, entries)
    totals = {"principal_paid": state.principal_paid, "fully_paid_on": state.fully_paid_on}
    settled = state.principal_outstanding == 0 and not state.interest_unpaid
    if settled and obligation.outcome == Outcome.OPEN:
        paid_on = max(state.fully_paid_on, last)
        assign_status(
            obligation, Outcome.PAID, table=OUTCOME_TRANSITIONS, field="outcome", outcome_on=paid_on, **totals
        )
    elif not settled and obligation.outcome == Outcome.PAID:  # a reversal reopened it
        assign_status(obligation, Outcome.OPEN, table=OUTCOME_TRANSITIONS, field="outcome", outcome_on=None, **totals)
    else:
        for name, value in totals.items():
            setattr(obligation, name, value)
        obligation.save(update_fields=list(totals))


@transaction.atomic
def payment_record(
    *,
    actor: User,
    obligation: Obligation,
    kind: str,
    on: date,
    amount=None,
    allocation: str | None = None,
    basis: str = "",
    note: str = "",
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Append one entry — a payment, an interest payment, an interest waiver, or a reversal.

    The obligation row is locked first, so concurrent payments are applied one after the other;
    the state over all entries (this one included) must be lawful: a payment above principal
    outstanding plus interest accrued and unpaid on its date is refused (``overpayment``).
    Allocation (SPEC R3): ``None`` takes the obligation's rule; anything but the legal default
    needs a recorded ``basis`` (民法典 art. 561 "另有约定的除外"). A reversal names the entry it
    corrects and repeats its amount and date of effect.
    """
    obligation = _lock(obligation)
    _choice(kind, EntryKind, "kind", "记录类型")
    if obligation.outcome in _CLOSING:
        raise Conflict(f"该义务已{obligation.get_outcome_display()}，不能再记录款项", code="obligation_closed")
    note = _text(note, "note", required=False, what="说明")

    if kind == EntryKind.REVERSAL:
        if reverses is None:
            raise ValidationFailed.field("reverses", "冲正须指明被冲正的记录", code="required")
        if reverses.obligation_id != obligation.pk:
            raise ValidationFailed.field("reverses", "被冲正的记录不属于该义务", code="not_found")
        if reverses.kind == EntryKind.REVERSAL:
            raise ValidationFailed.field(
                "reverses", "冲正记录不能再被冲正；如需恢复请重新记录", code="reversal_of_reversal"
            )
        if LedgerEntry.objects.filter(reverses=reverses).exists():
            raise ValidationFailed.field("reverses", "该记录已被冲正", code="reversal_duplicate")
        if amount is not None and _amount(amount, "amount") != reverses.amount:
            raise ValidationFailed.field(
                "amount", f"冲正金额须与原记录相同（{reverses.amount}元）", code="reversal_mismatch"
            )
        if on != reverses.on:
            raise ValidationFailed.field(
                "on", f"冲正的生效日期须与原记录相同（{reverses.on}）", code="reversal_mismatch"
            )
        amount, allocation = reverses.amount, ""
        basis = _text(basis, "basis", required=True, what="冲正原因")
    else:
        if reverses is not None:
            raise ValidationFailed.field("reverses", "只有冲正记录才能指明被冲正的记录")
        amount = _amount(amount, "amount")
        _check_date(on, obligation)
        if kind == EntryKind.PAYMENT:
            if allocation is None:
                allocation = obligation.allocation_rule
                basis = basis or obligation.allocation_basis
            _choice(allocation, AllocationRule, "allocation", "清偿抵充顺序")
            basis = _text(
                basis,
                "basis",
                required=allocation != AllocationRule.DEFAULT,
                what="抵充顺序的约定或指定依据",
            )
        else:
            if allocation not in (None, ""):
                raise ValidationFailed.field("allocation", "只有付款才有清偿抵充顺序")
            allocation = ""
            basis = _text(basis, "basis", required=kind == EntryKind.INTEREST_WAIVER, what="利息减免依据")

    entry = LedgerEntry(
        obligation=obligation,
        kind=kind,
        on=on,
        amount=amount,
        allocation=allocation or "",
        reverses=reverses,
        note=note,
        basis=basis,
        recorded_by=actor,
    )
    # Check the whole ledger with this entry before writing anything.
    entries = [*obligation.entries.all(), entry]
    try:
        obligation_state(obligation, max(e.on for e in entries), entries=entries)
    except RuleError as exc:
        raise _invalid(exc, "amount") from None
    entry.save()
    _sync_totals(obligation)
    # The creditor is told of each entry recorded in its favour, to confirm or object (对账确认).
    notify(
        users=recipients(enterprise=obligation.creditor),
        kind="payment_recorded",
        title=f"{obligation.debtor_agency.name}记录{entry.get_kind_display()}{entry.amount}元（{obligation.reference}）",
        body=f"日期{entry.on.isoformat()}，请核对后确认或提出异议。",
        link=f"/status/obligations/{obligation.pk}/",
        dedupe_key=f"payment_recorded:{entry.pk}",
    )
    return entry


@transaction.atomic
def payment_confirm(
    *, actor: User, obligation: Obligation, entry_id: int, objection: bool, note: str = ""
) -> LedgerEntry:
    """The creditor enterprise confirms (对账确认) or objects to an entry recorded in its favour.

    Only users of the creditor enterprise may; for anyone else the entry does not exist (404).
    """
    if actor.enterprise_id is None or actor.enterprise_id != obligation.creditor_id:
        raise NotFound()
    entry = LedgerEntry.objects.filter(pk=entry_id, obligation_id=obligation.pk).first()
    if entry is None:
        raise NotFound()
    note = _text(note, "note", required=objection, what="异议理由")
    to = ConfirmationStatus.OBJECTED if objection else ConfirmationStatus.CONFIRMED
    return assign_status(
        entry,
        to,
        table=CONFIRMATION_TRANSITIONS,
        field="confirmation",
        confirmation_note=note,
        confirmed_at=clock.now(),
    )


@transaction.atomic
def refusal_reason_record(
    *,
    actor: User,
    obligation: Obligation,
    code: str,
    given_on: date,
    text: str,
    contract_silent: bool = True,
    legal_basis: bool = False,
) -> RefusalReason:
    """Record a reason given for refusing or delaying payment, judged by the law of its day (R4)."""
    obligation = _lock(obligation)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.field("text", "须填写理由原文", code="required")
    if given_on > clock.today():
        raise ValidationFailed.field("given_on", "日期晚于今天", code="future_date")
    try:
        v = violations.describe(code, given_on, contract_silent=contract_silent, legal_basis=legal_basis)
    except RuleError as exc:
        raise _invalid(exc, "code") from None
    return RefusalReason.objects.create(
        obligation=obligation,
        code=code,
        given_on=given_on,
        text=text,
        contract_silent=contract_silent,
        is_violation=v.is_violation,
        article=(v.article or "")[:100],
        label=v.label[:200],
        recorded_by=actor,
    )


@transaction.atomic
def obligation_dispute(*, actor: User, obligation: Obligation, disputed_amount, note: str) -> Obligation:
    """Record the disputed part (0 when the dispute is settled).

    The undisputed part stays due on its own date (条例 (2025) art. 15); the disputed part may
    not exceed the principal still outstanding.
    """
    obligation = _lock(obligation)
    if obligation.outcome in _CLOSING:
        raise Conflict(f"该义务已{obligation.get_outcome_display()}", code="obligation_closed")
    amount = _amount(disputed_amount, "disputed_amount", positive=False)
    outstanding = obligation.principal - obligation.principal_paid
    if amount > outstanding:
        raise ValidationFailed.field(
            "disputed_amount", f"争议金额{amount}元超过尚欠本金{outstanding}元", code="disputed_exceeds_outstanding"
        )
    note = (note or "").strip()
    if amount > 0 and not note:
        raise ValidationFailed.field("note", "须说明争议的内容", code="required")
    obligation.disputed_amount = amount
    obligation.dispute_note = note
    obligation.save(update_fields=["disputed_amount", "dispute_note"])
    return obligation


@transaction.atomic
def obligation_close(*, actor: User, obligation: Obligation, outcome: str, on: date, basis: str) -> Obligation:
    """Close an obligation: written off (依法核销, with its legal basis) or cancelled (recorded in
    error or its source annulled; only with no payment standing)."""
    obligation = _lock(obligation)
    if outcome not in _CLOSING:
        raise ValidationFailed.field(
            "outcome", "结果只能为依法核销（written_off）或撤销（cancelled）", code="invalid_choice"
        )
    what = "核销的法律依据" if outcome == Outcome.WRITTEN_OFF else "撤销的理由"
    basis = _text(basis, "basis", required=True, what=what)
    if on > clock.today():
        raise ValidationFailed.field("on", "日期晚于今天", code="future_date")
    if on < obligation.arose_on:
        raise ValidationFailed.field("on", "日期早于义务发生日期", code="before_arising")
    entries = list(obligation.entries.order_by("on", "id"))
    last_on = max((e.on for e in entries), default=None)
    # Interest and the days overdue stop on the closing day (selectors.obligations.money_date), so
    # no recorded money may come after it.
    if last_on is not None and on < last_on:
        raise ValidationFailed.field(
            "on", f"日期早于最后一笔款项记录的日期（{last_on.isoformat()}）", code="before_last_entry"
        )
    if outcome == Outcome.CANCELLED:
        # A cancelled obligation was never owed: nothing may have been paid, waived or settled on it.
        state = obligation_state(obligation, max(on, obligation.due_on), entries=entries)
        if state.principal_paid > 0 or state.interest_paid or state.interest_waived:
            raise Conflict("已有付款记录的义务不能撤销；请先冲正付款，或依法核销剩余部分", code="has_payments")
    if OUTCOME_TRANSITIONS.get(obligation.outcome) and outcome not in OUTCOME_TRANSITIONS[obligation.outcome]:
        raise IllegalTransition(
            f"“{obligation.get_outcome_display()}”的义务不能{Outcome(outcome).label}", code="illegal_transition"
        )
    return assign_status(
        obligation, outcome, table=OUTCOME_TRANSITIONS, field="outcome", outcome_on=on, outcome_basis=basis
    )


@dataclass(frozen=True)
class DueDateChange:
    obligation_id: int
    reference: str
    old_due_on: date
    new_due_on: date
    old_version: str
    new_version: str
    still_provisional: bool


def _working_days_of(obligation: Obligation) -> int | None:
    redemption = getattr(obligation, "redemption", None)
    return None if redemption is None else redemption.policy.redemption_working_days


@transaction.atomic
def due_dates_recompute(*, dry_run: bool = False) -> list[DueDateChange]:
    """Recompute the provisional due dates (SPEC R2) with the calendar in force now.

    Only rows whose stored date was provisional (computed beyond the official calendar data, and
    never an override) are touched; each change is saved with a change reason in its history.
    """
    cal = current_calendar()
    version = calendar_version(cal)
    changes: list[DueDateChange] = []
    rows = Obligation.objects.select_for_update().filter(due_provisional=True, due_override_basis="").order_by("pk")
    for obligation in rows:
        due = regimes.due_date(
            regime=obligation.regime,
            trigger_on=obligation.trigger_on,
            agreed_term_days=obligation.agreed_term_days,
            working_days=_working_days_of(obligation) if obligation.regime == Regime.REDEMPTION else None,
            cal=cal,
            trigger=obligation.trigger,
        )
        if (due.due_on, due.provisional, version) == (
            obligation.due_on,
            obligation.due_provisional,
            obligation.calendar_version,
        ):
            continue
        change = DueDateChange(
            obligation.pk,
            obligation.reference,
            obligation.due_on,
            due.due_on,
            obligation.calendar_version,
            version,
            due.provisional,
        )
        changes.append(change)
        if dry_run:
            continue
        obligation.due_on, obligation.due_provisional, obligation.calendar_version = (
            due.due_on,
            due.provisional,
            version,
        )
        obligation.due_basis = due.basis[:_BASIS_MAX]
        # simple-history keeps the reason (100 characters) beside the changed row.
        obligation._change_reason = (
            f"日历变更后重算暂定到期日：{change.old_due_on.isoformat()} → {change.new_due_on.isoformat()}"
        )
        fields = ["due_on", "due_provisional", "calendar_version", "due_basis"]
        # Interest runs from the due date, so the running totals and the entries' stored states
        # move with it (saved with the new date: one history row).
        entries = list(obligation.entries.all())
        if entries:
            _sync_entry_states(obligation, entries)
            state = obligation_state(obligation, max(max(e.on for e in entries), obligation.due_on), entries=entries)
            obligation.principal_paid, obligation.fully_paid_on = state.principal_paid, state.fully_paid_on
            fields += ["principal_paid", "fully_paid_on"]
        obligation.save(update_fields=fields)
    return changes
