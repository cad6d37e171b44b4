"""Reads of recommendations and decisions: live states as of a date, escalation status, rates.

The live reply state is computed in Python by ``ledger.rules.recommendations.reply_state`` and
in SQL by ``reply_state_sql`` (so lists can filter on it); a table-driven test proves they agree.
Decisions reuse the same rule with the performance date in place of the reply date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, F, Prefetch, Q, QuerySet, Value, When

from ledger.models import (
    Agency,
    Decision,
    DecisionKind,
    Escalation,
    Recommendation,
    RecommendationObjection,
    RecommendationStatus,
    User,
)
from ledger.rules.calendar import WorkCalendar
from ledger.rules.recommendations import ReplyState, escalation_due, on_time_rate, reply_state
from ledger.selectors.scoping import visible_to

EMPTY_RATE = "—"  # SPEC R7: an empty denominator

REPLY_STATE_LABELS = {
    ReplyState.PENDING: "办理中",
    ReplyState.REPLIED_ON_TIME: "按期回复",
    ReplyState.REPLIED_LATE: "逾期回复",
    ReplyState.OVERDUE_UNREPLIED: "逾期未回复",
}


class PerformanceState:
    """Live state of a decision as of a date (the reply-state rule read with the performance date)."""

    PENDING = "pending"
    PERFORMED_ON_TIME = "performed_on_time"
    PERFORMED_LATE = "performed_late"
    OVERDUE_UNPERFORMED = "overdue_unperformed"

    from_reply_state = {
        ReplyState.PENDING: PENDING,
        ReplyState.REPLIED_ON_TIME: PERFORMED_ON_TIME,
        ReplyState.REPLIED_LATE: PERFORMED_LATE,
        ReplyState.OVERDUE_UNREPLIED: OVERDUE_UNPERFORMED,
    }
    labels = {
        PENDING: "履行期限内",
        PERFORMED_ON_TIME: "按期履行",
        PERFORMED_LATE: "逾期履行",
        OVERDUE_UNPERFORMED: "逾期未履行",
    }
    values = (PENDING, PERFORMED_ON_TIME, PERFORMED_LATE, OVERDUE_UNPERFORMED)


class EscalationStatus:
    """Where an overdue unreplied recommendation stands on the way to the recipient's superior."""

    NONE = "none"  # not overdue unreplied, never escalated
    TO_ESCALATE = "to_escalate"  # overdue unreplied, within the 5 working days
    ESCALATION_LATE = "escalation_late"  # overdue unreplied, 5 working days passed, no record
    ESCALATED = "escalated"  # a record exists (for the current text)
    ON_HOLD = "on_hold"  # overdue unreplied, but an objection awaits the issuer's ruling

    labels = {
        NONE: "无需督办",
        ON_HOLD: "异议审查中，暂不报送上级",
        TO_ESCALATE: "待报送上级（5个工作日内）",
        ESCALATION_LATE: "超过5个工作日尚未报送上级",
        ESCALATED: "已报送上级督办",
    }


def live_state(rec: Recommendation, as_of: date) -> ReplyState:
    return reply_state(deadline=rec.deadline, replied_on=rec.replied_on, as_of=as_of)


def reply_state_sql(as_of: date, *, deadline: str = "deadline", done_on: str = "replied_on") -> Case:
    """SQL twin of ``reply_state``: a reply dated after ``as_of`` is not known yet then."""
    known = Q(**{f"{done_on}__isnull": False, f"{done_on}__lte": as_of})
    return Case(
        When(known & Q(**{f"{done_on}__lte": F(deadline)}), then=Value(ReplyState.REPLIED_ON_TIME.value)),
        When(known, then=Value(ReplyState.REPLIED_LATE.value)),
        When(Q(**{f"{deadline}__lt": as_of}), then=Value(ReplyState.OVERDUE_UNREPLIED.value)),
        default=Value(ReplyState.PENDING.value),
        output_field=CharField(),
    )


def recommendation_queryset() -> QuerySet:
    return Recommendation.objects.select_related(
        "recipient", "recipient__parent", "reply", "reply__replied_by"
    ).prefetch_related(
        Prefetch("objections", RecommendationObjection.objects.order_by("id")),
        Prefetch("escalations", Escalation.objects.select_related("to_agency").order_by("id")),
    )


def recommendation_list(*, user: User, as_of: date, state: str | None = None) -> QuerySet:
    qs = visible_to(user, recommendation_queryset()).annotate(live_state=reply_state_sql(as_of))
    if state:
        qs = qs.filter(live_state=state)
    return qs


@dataclass(frozen=True)
class EscalationView:
    status: str
    due_by: date | None
    escalation: Escalation | None


def escalation_view(rec: Recommendation, as_of: date, cal: WorkCalendar) -> EscalationView:
    """The escalation status as of a date, for the recommendation's current text."""
    current = [e for e in rec.escalations.all() if e.revision == rec.revision and e.created_on <= as_of]  # prefetched
    if current:
        esc = current[0]
        return EscalationView(EscalationStatus.ESCALATED, esc.due_by, esc)
    if live_state(rec, as_of) != ReplyState.OVERDUE_UNREPLIED:
        return EscalationView(EscalationStatus.NONE, None, None)
    due_by = escalation_due(rec.deadline, cal)
    if rec.status == RecommendationStatus.OBJECTED:  # as services.oversight.escalation_candidates
        return EscalationView(EscalationStatus.ON_HOLD, due_by, None)
    status = EscalationStatus.TO_ESCALATE if as_of <= due_by else EscalationStatus.ESCALATION_LATE
    return EscalationView(status, due_by, None)


# --- rates -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    due: int  # deadlines in the period and on or before as_of
    done: int  # of those, replied (performed) on or before the deadline — or by as_of, see below
    rate: Decimal | None  # None for an empty denominator

    @property
    def display(self) -> str:
        return EMPTY_RATE if self.rate is None else f"{self.rate * 100:.2f}%"


def rate_of(items: list[tuple[date, date | None]], *, period_start: date, period_end: date, as_of: date) -> Rate:
    """Counts and R7's rate from the one rule, ``on_time_rate``, over (deadline, done_on) pairs."""
    counted = [(d, r) for d, r in items if period_start <= d <= period_end and d <= as_of]
    done = sum(1 for d, r in counted if r is not None and r <= d)
    return Rate(
        due=len(counted),
        done=done,
        rate=on_time_rate(items, period_start=period_start, period_end=period_end, as_of=as_of),
    )


@dataclass(frozen=True)
class AgencyRate:
    agency: Agency | None  # None for the overall row
    rate: Rate


def reply_rates(*, user: User, period_start: date, period_end: date, as_of: date) -> tuple[Rate, list[AgencyRate]]:
    """按期办复率 (R7) overall and per recipient agency, over the recommendations ``user`` may read.

    Agencies with recommendations but none due in the period are listed with "—".
    """
    qs = visible_to(user, Recommendation.objects.all())
    rows = list(qs.values_list("recipient_id", "deadline", "replied_on").order_by("recipient_id", "id"))
    by_agency: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for agency_id, deadline, replied_on in rows:
        by_agency[agency_id].append((deadline, replied_on))
    agencies = Agency.objects.in_bulk(list(by_agency))
    window = {"period_start": period_start, "period_end": period_end, "as_of": as_of}
    overall = rate_of([(d, r) for _, d, r in rows], **window)
    per_agency = [AgencyRate(agencies[aid], rate_of(items, **window)) for aid, items in sorted(by_agency.items())]
    return overall, per_agency


@dataclass(frozen=True)
class DecisionRates:
    due: int
    performed: int  # performance confirmed on or before as_of (执行率 / 履行率 numerator)
    performed_on_time: int  # performed on or before the deadline
    rate: Decimal | None
    on_time_rate: Decimal | None

    @property
    def display(self) -> str:
        return EMPTY_RATE if self.rate is None else f"{self.rate * 100:.2f}%"

    @property
    def on_time_display(self) -> str:
        return EMPTY_RATE if self.on_time_rate is None else f"{self.on_time_rate * 100:.2f}%"


def decision_rates_of(items: list[tuple[date, date | None]], *, period_start, period_end, as_of) -> DecisionRates:
    window = {"period_start": period_start, "period_end": period_end, "as_of": as_of}
    on_time = rate_of(items, **window)
    # 执行率 / 履行率: performed at all by as_of. The same rule counts it when each performance
    # known by as_of is read as "done by the deadline" — so the rounding and the "—" are R7's.
    performed = rate_of([(d, d if p is not None and p <= as_of else None) for d, p in items], **window)
    return DecisionRates(
        due=on_time.due,
        performed=performed.done,
        performed_on_time=on_time.done,
        rate=performed.rate,
        on_time_rate=on_time.rate,
    )


@dataclass(frozen=True)
class AgencyDecisionRates:
    agency: Agency | None
    execution: DecisionRates  # 法院生效判决、裁定执行率
    performance: DecisionRates  # 行政复议决定履行率
    all: DecisionRates


def performance_rates(
    *, user: User, period_start: date, period_end: date, as_of: date
) -> tuple[AgencyDecisionRates, list[AgencyDecisionRates]]:
    """Execution rate of court decisions and performance rate of review decisions, per agency and overall."""
    qs = visible_to(user, Decision.objects.all())
    rows = list(qs.values_list("agency_id", "kind", "performance_deadline", "performed_on").order_by("agency_id", "id"))
    window = {"period_start": period_start, "period_end": period_end, "as_of": as_of}
    court = DecisionKind.court()

    def build(agency, subset):
        return AgencyDecisionRates(
            agency=agency,
            execution=decision_rates_of([(d, p) for _, k, d, p in subset if k in court], **window),
            performance=decision_rates_of([(d, p) for _, k, d, p in subset if k not in court], **window),
            all=decision_rates_of([(d, p) for _, _, d, p in subset], **window),
        )

    by_agency = defaultdict(list)
    for row in rows:
        by_agency[row[0]].append(row)
    agencies = Agency.objects.in_bulk(list(by_agency))
    return build(None, rows), [build(agencies[aid], subset) for aid, subset in sorted(by_agency.items())]


def decision_queryset() -> QuerySet:
    return Decision.objects.select_related("agency", "creditor", "obligation")


def decision_list(*, user: User, as_of: date, state: str | None = None) -> QuerySet:
    qs = visible_to(user, decision_queryset()).annotate(
        live_state=reply_state_sql(as_of, deadline="performance_deadline", done_on="performed_on")
    )
    if state:
        reply_value = {v: k for k, v in PerformanceState.from_reply_state.items()}[state]
        qs = qs.filter(live_state=reply_value.value)
    return qs


def decision_live_state(decision: Decision, as_of: date) -> str:
    state = reply_state(deadline=decision.performance_deadline, replied_on=decision.performed_on, as_of=as_of)
    return PerformanceState.from_reply_state[state]
