"""An enterprise's own view of everything owed to it, as of a date (SPEC §4 `status`, §6 `/status/`).

One selector feeds the API, the web page and the statement (对账单), so the three always agree.
Rows are read through ``visible_to``; live figures come from the pure rules (interest via the
obligations selector, the art. 25 and 确权 clocks via ledger/rules/claims.py). What had not
happened by the as-of date is not shown: a row appears once it was filed / requested / arose,
and a step taken after the as-of date has not been taken yet.

Totals are over obligations only: an approved redemption and a verified claim are counted once,
through the obligation they created. Obligations closed (written off or cancelled) by the as-of
date are listed but owe nothing in the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from ledger.models import (
    Claim,
    ClaimEvidence,
    ClaimStatus,
    Confirmation,
    ConfirmationRequestStatus,
    LedgerEntry,
    Notification,
    Obligation,
    Redemption,
    RedemptionStatus,
    Regime,
    Trigger,
    User,
)
from ledger.rules import claims as clocks
from ledger.rules import regimes
from ledger.rules.errors import RuleError
from ledger.rules.interest import InterestState
from ledger.selectors.calendar import current_calendar
from ledger.selectors.obligations import (
    NO_INTEREST_NOTE,
    Status,
    obligation_queryset,
    obligation_state,
    status_of,
    with_entries_where_unstored,
    with_stored_state,
)
from ledger.selectors.scoping import visible_to

ZERO = Decimal("0.00")
NOT_APPLICABLE = "—"


@dataclass
class Money:
    """Money of one row as of the date: None where it does not apply (a claim not yet verified)."""

    paid: Decimal | None = None
    principal_outstanding: Decimal | None = None
    interest_accrued: Decimal | None = None
    interest_unpaid: Decimal | None = None
    bears_interest: bool = False
    interest_basis: str = ""
    days_overdue: int | None = None

    @classmethod
    def of(cls, state: InterestState) -> Money:
        return cls(
            paid=state.principal_paid,
            principal_outstanding=state.principal_outstanding,
            interest_accrued=state.interest_accrued,
            interest_unpaid=state.interest_unpaid,
            bears_interest=state.bears_interest,
            interest_basis=state.rate_basis,
            days_overdue=state.days_overdue,
        )

    def interest_text(self, value: Decimal | None) -> str | None:
        """A decimal string, or "无法定逾期利息" (SPEC R3: never 0.00 where there is none)."""
        if self.paid is None:
            return None
        if not self.bears_interest:
            return NO_INTEREST_NOTE
        return f"{value:.2f}"

    @property
    def interest_accrued_text(self) -> str | None:
        return self.interest_text(self.interest_accrued)

    @property
    def interest_unpaid_text(self) -> str | None:
        return self.interest_text(self.interest_unpaid)


@dataclass
class Row:
    kind: str  # redemption | obligation | claim | confirmation
    id: int
    reference: str
    agency: str
    title: str
    status: str
    status_label: str
    due_on: date | None
    due_provisional: bool
    amount: Decimal
    money: Money
    obligation_id: int | None = None
    obligation_reference: str | None = None
    extra: dict = field(default_factory=dict)
    closed: bool = False  # written off / cancelled by the as-of date

    @property
    def overdue(self) -> bool:
        return bool(self.money.days_overdue) and self.status == Status.OVERDUE


@dataclass
class Totals:
    obligations: int = 0
    overdue: int = 0
    principal: Decimal = ZERO
    paid: Decimal = ZERO
    principal_outstanding: Decimal = ZERO
    overdue_outstanding: Decimal = ZERO
    interest_accrued: Decimal = ZERO
    interest_unpaid: Decimal = ZERO
    claims_open: int = 0
    claimed_open: Decimal = ZERO
    confirmations_pending: int = 0


@dataclass
class EnterpriseStatus:
    as_of: date
    enterprise: object
    redemptions: list[Row]
    obligations: list[Row]
    claims: list[Row]
    confirmations: list[Row]
    totals: Totals


# --- obligations ---------------------------------------------------------------------------
def obligation_row(o: Obligation, as_of: date) -> Row:
    state = obligation_state(o, as_of)
    status = status_of(o, state, as_of)
    return Row(
        kind="obligation",
        id=o.pk,
        reference=o.reference,
        agency=o.debtor_agency.name,
        title=o.title,
        status=status,
        status_label=Status.labels[status],
        due_on=o.due_on,
        due_provisional=o.due_provisional,
        amount=o.principal,
        money=Money.of(state),
        obligation_id=o.pk,
        obligation_reference=o.reference,
        extra={"regime": o.regime, "regime_label": o.get_regime_display(), "source": o.source},
        closed=status in (Status.WRITTEN_OFF, Status.CANCELLED),
    )


# --- redemptions ---------------------------------------------------------------------------
_REDEMPTION_STEPS = [
    # (date field, status it means), latest first: the status as of a date is the last step taken.
    ("rejected_on", RedemptionStatus.REJECTED),
    ("approved_on", RedemptionStatus.APPROVED),
    ("notified_on", RedemptionStatus.NOTIFIED),
    ("accepted_on", RedemptionStatus.ACCEPTED),
    ("eligible_on", RedemptionStatus.ELIGIBLE),
    ("applied_on", RedemptionStatus.APPLIED),
]


def redemption_status_as_of(r: Redemption, as_of: date) -> str:
    for name, status in _REDEMPTION_STEPS:
        on = getattr(r, name)
        if on is not None and on <= as_of:
            return status
    return r.status


def _redemption_due(r: Redemption, cal) -> tuple[date | None, bool]:
    """The 兑现时限 runs from acceptance (or 免申即享 notification), not from approval (SPEC §2)."""
    if r.obligation is not None:
        return r.obligation.due_on, r.obligation.due_provisional
    start, trigger = (
        (r.notified_on, Trigger.REDEMPTION_NOTIFIED) if r.notified_on else (r.accepted_on, Trigger.REDEMPTION_ACCEPTED)
    )
    if start is None:
        return None, False
    try:
        due = regimes.due_date(
            regime=Regime.REDEMPTION,
            trigger=trigger,
            trigger_on=start,
            working_days=r.policy.redemption_working_days,
            cal=cal,
        )
    except RuleError:
        return None, False
    return due.due_on, due.provisional


def redemption_row(r: Redemption, as_of: date, cal) -> Row:
    status = redemption_status_as_of(r, as_of)
    due_on, provisional = _redemption_due(r, cal)
    obligation = r.obligation if r.obligation is not None and r.approved_on and r.approved_on <= as_of else None
    if obligation is not None:
        state = obligation_state(obligation, as_of)
        money = Money.of(state)
        live = status_of(obligation, state, as_of)
        label = f"{RedemptionStatus(status).label}（{Status.labels[live]}）"
    else:
        # Not yet an obligation: nothing paid, but the 兑现时限 still runs from acceptance.
        late = (
            max(0, (as_of - due_on).days) if due_on is not None and status not in (RedemptionStatus.REJECTED,) else None
        )
        money = Money(interest_basis="政策兑现不计法定逾期利息", days_overdue=late)
        label = RedemptionStatus(status).label
    return Row(
        kind="redemption",
        id=r.pk,
        reference=r.reference,
        agency=r.agency.name,
        title=f"{r.policy.title}（{r.policy.doc_number}）",
        status=status,
        status_label=label,
        due_on=due_on,
        due_provisional=provisional,
        amount=r.amount,
        money=money,
        obligation_id=obligation.pk if obligation else None,
        obligation_reference=obligation.reference if obligation else None,
        extra={"delivery_mode": r.policy.delivery_mode, "delivery_mode_label": r.policy.get_delivery_mode_display()},
    )


# --- claims ----------------------------------------------------------------------------------
_CLAIM_STEPS = [
    # (date field, status it means), latest first; a decision or withdrawal is checked before these.
    ("responded_on", ClaimStatus.RESPONDED),
    ("forwarded_on", ClaimStatus.FORWARDED),
    ("accepted_on", ClaimStatus.ACCEPTED),
]


def claim_status_as_of(c: Claim, as_of: date) -> str:
    if c.withdrawn_on is not None and c.withdrawn_on <= as_of:
        return ClaimStatus.WITHDRAWN
    if c.decided_on is not None and c.decided_on <= as_of:
        return c.status
    for name, status in _CLAIM_STEPS:
        on = getattr(c, name)
        if on is not None and on <= as_of:
            return status
    return ClaimStatus.FILED


@dataclass(frozen=True)
class ClaimClock:
    """条例 (2025) art. 25 as of a date: forwarding, then the written result."""

    forward: clocks.StepClock
    result: clocks.StepClock

    @property
    def running(self) -> clocks.StepClock | None:
        for step in (self.result, self.forward):
            if step.state in (clocks.ClockState.ON_TIME, clocks.ClockState.DUE_SOON, clocks.ClockState.OVERDUE):
                return step
        return None

    @property
    def late(self) -> bool:
        return any(
            s.state in (clocks.ClockState.OVERDUE, clocks.ClockState.DONE_LATE) for s in (self.forward, self.result)
        )


def claim_clock(c: Claim, as_of: date) -> ClaimClock:
    forwarded = c.forwarded_on if c.forwarded_on and c.forwarded_on <= as_of else None
    ended = min((d for d in (c.decided_on, c.withdrawn_on) if d is not None), default=None)
    extended = c.result_extended_to if c.extension_approved_on and c.extension_approved_on <= as_of else None
    forward = clocks.step_clock(
        starts_on=c.accepted_on,
        due_on=c.forward_due_on,
        done_on=c.forwarded_on or (ended if ended and c.accepted_on and ended >= c.accepted_on else None),
        as_of=as_of,
        article=clocks.art25_article(c.accepted_on),
    )
    result = clocks.step_clock(
        starts_on=forwarded,
        due_on=extended or c.result_due_on,
        done_on=ended,
        as_of=as_of,
        article=clocks.art25_article(forwarded),
    )
    return ClaimClock(forward, result)


def _step_dict(step: clocks.StepClock) -> dict:
    return {
        "state": str(step.state),
        "label": step.label,
        "starts_on": step.starts_on,
        "due_on": step.due_on,
        "done_on": step.done_on,
        "days_left": step.days_left,
        "days_late": step.days_late,
        "article": step.article,
    }


def claim_clock_dict(c: Claim, as_of: date) -> dict:
    clock_ = claim_clock(c, as_of)
    return {
        "forward": _step_dict(clock_.forward),
        "result": _step_dict(clock_.result),
        "result_cap_on": c.result_cap_on,
        "late": clock_.late,
    }


def claim_row(c: Claim, as_of: date) -> Row:
    status = claim_status_as_of(c, as_of)
    clock_ = claim_clock(c, as_of)
    running = clock_.running
    obligation = c.obligation if status == ClaimStatus.VERIFIED else None
    if obligation is not None:
        money = Money.of(obligation_state(obligation, as_of))
    else:
        money = Money(days_overdue=running.days_late if running and running.days_late else (0 if running else None))
    label = ClaimStatus(status).label
    if running is not None:
        label = f"{label}（{'转办' if running is clock_.forward else '办理'}{running.label}）"
    return Row(
        kind="claim",
        id=c.pk,
        reference=c.reference,
        agency=c.agency.name,
        title=c.subject,
        status=status,
        status_label=label,
        due_on=running.due_on if running else None,
        due_provisional=c.clock_provisional,
        amount=c.amount,
        money=money,
        obligation_id=obligation.pk if obligation else None,
        obligation_reference=obligation.reference if obligation else None,
        extra={"clock": claim_clock_dict(c, as_of), "filed_on": c.filed_on},
    )


# --- 确权 requests ------------------------------------------------------------------------------
def confirmation_status_as_of(c: Confirmation, as_of: date) -> str:
    if c.withdrawn_on is not None and c.withdrawn_on <= as_of:
        return ConfirmationRequestStatus.WITHDRAWN
    if c.answered_on is not None and c.answered_on <= as_of:
        return c.status
    return ConfirmationRequestStatus.PENDING


def confirmation_clock(c: Confirmation, as_of: date) -> clocks.StepClock:
    ended = c.answered_on or c.withdrawn_on
    return clocks.step_clock(
        starts_on=c.requested_on,
        due_on=c.due_on,
        done_on=ended,
        as_of=as_of,
        article=clocks.confirmation_article(c.requested_on),
    )


def confirmation_row(c: Confirmation, as_of: date) -> Row:
    status = confirmation_status_as_of(c, as_of)
    step = confirmation_clock(c, as_of)
    obligation = c.obligation if status == ConfirmationRequestStatus.CONFIRMED else None
    if obligation is not None:
        money = Money.of(obligation_state(obligation, as_of))
    else:
        money = Money(days_overdue=step.days_late if step.state == clocks.ClockState.OVERDUE else None)
    label = ConfirmationRequestStatus(status).label
    if status == ConfirmationRequestStatus.PENDING:
        label = f"{label}（{step.label}）"
    return Row(
        kind="confirmation",
        id=c.pk,
        reference=c.reference,
        agency=c.agency.name,
        title=c.subject,
        status=status,
        status_label=label,
        due_on=c.due_on,
        due_provisional=c.due_provisional,
        amount=c.amount,
        money=money,
        obligation_id=obligation.pk if obligation else None,
        obligation_reference=obligation.reference if obligation else None,
        extra={
            "clock": _step_dict(step),
            "requested_on": c.requested_on,
            "confirmed_amount": c.confirmed_amount if status == ConfirmationRequestStatus.CONFIRMED else None,
        },
    )


# --- the whole view ------------------------------------------------------------------------
def _totals(obligations: list[Row], claims: list[Row], confirmations: list[Row]) -> Totals:
    t = Totals()
    for row in obligations:
        t.obligations += 1
        t.principal += row.amount
        t.paid += row.money.paid
        if row.closed:
            continue  # written off or cancelled: nothing is owed any more
        t.principal_outstanding += row.money.principal_outstanding
        if row.status == Status.OVERDUE:
            t.overdue += 1
            t.overdue_outstanding += row.money.principal_outstanding
        if row.money.bears_interest:
            t.interest_accrued += row.money.interest_accrued
            t.interest_unpaid += row.money.interest_unpaid
    for row in claims:
        if row.status in (ClaimStatus.FILED, ClaimStatus.ACCEPTED, ClaimStatus.FORWARDED, ClaimStatus.RESPONDED):
            t.claims_open += 1
            t.claimed_open += row.amount
    t.confirmations_pending = sum(1 for r in confirmations if r.status == ConfirmationRequestStatus.PENDING)
    return t


def enterprise_status(*, user: User, as_of: date) -> EnterpriseStatus:
    """Everything concerning the user's enterprise as of ``as_of``; ``visible_to`` scopes each read."""
    cal = current_calendar()
    redemptions = visible_to(
        user,
        Redemption.objects.select_related("policy", "agency", "obligation").prefetch_related(
            Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
        ),
    )
    redemptions = redemptions.annotate(
        started_on=Coalesce("applied_on", "eligible_on", "accepted_on", "notified_on", "approved_on")
    ).filter(started_on__lte=as_of)
    # The stored entry states, not the entries: 200 rows in one query (issue 9).
    obligations = with_stored_state(
        visible_to(user, Obligation.objects.select_related("debtor_agency")).filter(arose_on__lte=as_of), as_of
    )
    claims = visible_to(
        user,
        Claim.objects.select_related("agency", "obligation").prefetch_related(
            Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
        ),
    ).filter(filed_on__lte=as_of)
    confirmations = visible_to(
        user,
        Confirmation.objects.select_related("agency", "obligation").prefetch_related(
            Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
        ),
    ).filter(requested_on__lte=as_of)

    obligation_list = with_entries_where_unstored(list(obligations.order_by("due_on", "id")), as_of)
    obligation_rows = [obligation_row(o, as_of) for o in obligation_list]
    claim_rows = [claim_row(c, as_of) for c in claims.order_by("-filed_on", "-id")]
    confirmation_rows = [confirmation_row(c, as_of) for c in confirmations.order_by("-requested_on", "-id")]
    return EnterpriseStatus(
        as_of=as_of,
        enterprise=user.enterprise,
        redemptions=[redemption_row(r, as_of, cal) for r in redemptions.order_by("-started_on", "-id")],
        obligations=obligation_rows,
        claims=claim_rows,
        confirmations=confirmation_rows,
        totals=_totals(obligation_rows, claim_rows, confirmation_rows),
    )


def enterprise_obligation(*, user: User, pk: int) -> Obligation:
    """One obligation the user may see (another tenant's is DoesNotExist → 404)."""
    return visible_to(user, obligation_queryset().prefetch_related("refusal_reasons")).get(pk=pk)


def notifications_for(user: User) -> QuerySet:
    return visible_to(user, Notification.objects.all())


def claim_queryset() -> QuerySet:
    return Claim.objects.select_related("agency", "enterprise", "obligation").prefetch_related(
        Prefetch("evidence", ClaimEvidence.objects.order_by("id"))
    )


def confirmation_queryset() -> QuerySet:
    return Confirmation.objects.select_related("agency", "enterprise", "obligation")


def open_claims_q() -> Q:
    return Q(status__in=[ClaimStatus.FILED, ClaimStatus.ACCEPTED, ClaimStatus.FORWARDED, ClaimStatus.RESPONDED])
