"""What each agency must do soon: the sources of the daily reminders (``manage.py send_reminders``).

A source is a function ``(on, horizon) -> Iterable[ReminderItem]`` giving every open item, of one
kind, whose due date is on or before ``horizon`` as of the run date ``on`` (overdue ones included).
The core registers its own sources below (obligations, recommendation replies, decisions, claims,
确权 requests); a higher app registers its own from ``AppConfig.ready()`` — contracts registers
government milestones — so the core never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce

HORIZON_DAYS = 7  # "falls due within 7 days"

OVERDUE = "overdue"
TODAY = "today"
SOON = "soon"
BUCKET_LABELS = {OVERDUE: "已逾期", TODAY: "今日到期", SOON: "7日内到期"}


@dataclass(frozen=True)
class ReminderItem:
    kind: str  # stable code, part of the dedupe key: obligation, recommendation, decision, milestone, …
    object_id: int
    agency_id: int  # the agency whose staff must act (staff of its successors are told too)
    due_on: date
    title: str  # what is due, in Chinese
    link: str = ""

    def bucket(self, on: date) -> str:
        if self.due_on < on:
            return OVERDUE
        return TODAY if self.due_on == on else SOON


ReminderSource = Callable[[date, date], Iterable[ReminderItem]]
_SOURCES: dict[str, ReminderSource] = {}


def register_reminder_source(fn: ReminderSource, *, name: str | None = None) -> ReminderSource:
    """Add a source; registering the same name again replaces it (``ready()`` may run twice in tests)."""
    _SOURCES[name or f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_SOURCES)


def collect(on: date, days: int = HORIZON_DAYS) -> list[ReminderItem]:
    """Every open item due on or before ``on + days`` from every source, oldest due first."""
    horizon = on + timedelta(days=days)
    items = [item for fn in _SOURCES.values() for item in fn(on, horizon)]
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.object_id))


# --- the core's own sources ------------------------------------------------------------------
def obligations_due(on: date, horizon: date) -> Iterable[ReminderItem]:
    from ledger.models import Obligation, Outcome

    qs = (
        Obligation.objects.filter(outcome=Outcome.OPEN, due_on__lte=horizon)
        .filter(Q(fully_paid_on__isnull=True) | Q(fully_paid_on__gt=on))
        .filter(decision__isnull=True)  # a decision's own reminder names its case number
        .select_related("creditor")
        .order_by("due_on", "id")
    )
    for o in qs.iterator():
        outstanding = o.principal - o.principal_paid
        yield ReminderItem(
            kind="obligation",
            object_id=o.pk,
            agency_id=o.debtor_agency_id,
            due_on=o.due_on,
            title=f"应付{o.creditor.name}款项（{o.title}，未付本金{outstanding}元，编号{o.reference}）",
            link=f"/api/obligations/{o.pk}/",
        )


def recommendation_replies_due(on: date, horizon: date) -> Iterable[ReminderItem]:
    from ledger.models import Recommendation

    qs = (
        Recommendation.objects.filter(deadline__lte=horizon)
        .filter(Q(replied_on__isnull=True) | Q(replied_on__gt=on))
        .filter(served_on__lte=on)
        .order_by("deadline", "id")
    )
    for r in qs.iterator():
        yield ReminderItem(
            kind="recommendation",
            object_id=r.pk,
            agency_id=r.recipient_id,
            due_on=r.deadline,
            title=f"书面回复{r.get_kind_display()}{r.doc_number}（{r.issuer}：{r.title}）",
            link=f"/api/recommendations/{r.pk}/",
        )


def decisions_due(on: date, horizon: date) -> Iterable[ReminderItem]:
    from ledger.models import Decision, DecisionStatus

    qs = (
        Decision.objects.filter(performance_deadline__lte=horizon, effective_on__lte=on)
        .filter(Q(performed_on__isnull=True) | Q(performed_on__gt=on))
        .exclude(status=DecisionStatus.REPORTED)  # reported: the supervisor's turn
        .order_by("performance_deadline", "id")
    )
    for d in qs.iterator():
        yield ReminderItem(
            kind="decision",
            object_id=d.pk,
            agency_id=d.agency_id,
            due_on=d.performance_deadline,
            title=f"履行{d.get_kind_display()}{d.case_number}（{d.issued_by}：{d.title}）",
            link=f"/api/decisions/{d.pk}/",
        )


def claims_due(on: date, horizon: date) -> Iterable[ReminderItem]:
    """Claims forwarded to the debtor agency and not yet answered: the 30-day result term runs (条例 art. 25)."""
    from ledger.models import Claim, ClaimStatus

    qs = (
        Claim.objects.filter(status=ClaimStatus.FORWARDED)
        .annotate(last_day=Coalesce("result_extended_to", "result_due_on"))
        .filter(last_day__lte=horizon)
        .select_related("enterprise")
        .order_by("last_day", "id")
    )
    for c in qs.iterator():
        yield ReminderItem(
            kind="claim",
            object_id=c.pk,
            agency_id=c.agency_id,
            due_on=c.last_day,
            title=f"答复{c.enterprise.name}的诉求（{c.subject}，编号{c.reference}）",
            link=f"/api/claims/{c.pk}/",
        )


def confirmations_due(on: date, horizon: date) -> Iterable[ReminderItem]:
    """确权 requests still unanswered: due within 30 days of the request (条例 (2025) art. 16)."""
    from ledger.models import Confirmation, ConfirmationRequestStatus

    qs = (
        Confirmation.objects.filter(status=ConfirmationRequestStatus.PENDING, due_on__lte=horizon)
        .select_related("enterprise")
        .order_by("due_on", "id")
    )
    for c in qs.iterator():
        yield ReminderItem(
            kind="confirmation",
            object_id=c.pk,
            agency_id=c.agency_id,
            due_on=c.due_on,
            title=f"答复{c.enterprise.name}的确权请求（{c.subject}，{c.amount}元，编号{c.reference}）",
            link=f"/api/confirmations/{c.pk}/",
        )


for _fn in (obligations_due, recommendation_replies_due, decisions_due, claims_due, confirmations_due):
    register_reminder_source(_fn)
