"""Reads of contracts: scoped querysets and live states as of a date, in a fixed number of queries.

Stored facts (dates of each step, milestone trigger dates, the obligations' due dates and
fully-paid dates) are turned into live states by the pure rules: ``regime_for`` / ``due_date``
(R1: the 60-day cap and a missing term), ``is_legacy_case`` / ``contract_flag`` (R5), and the
ledger's ``obligation_state`` (principal paid as of a date).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, QuerySet

from contracts.models import (
    Amendment,
    Contract,
    ContractEvent,
    ContractStatus,
    EventKind,
    Evidence,
    Milestone,
    MilestoneKind,
    MilestoneSide,
)
from ledger.models import LedgerEntry, Source, Trigger, User
from ledger.rules import legacy
from ledger.rules.calendar import WorkCalendar
from ledger.rules.errors import RuleError
from ledger.rules.regimes import Regime, due_date, regime_for
from ledger.selectors.calendar import current_calendar
from ledger.selectors.obligations import LegacyFacts, obligation_state
from ledger.selectors.scoping import visible_to


# --- querysets ------------------------------------------------------------------------------
def milestone_queryset() -> QuerySet:
    return Milestone.objects.select_related("obligation", "contract").prefetch_related(
        Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
    )


def contract_queryset(*, full: bool = False) -> QuerySet:
    """The list needs the parties and the milestones with their obligations; the detail and the
    OCDS export also read entries, amendments, reviews, events and evidence."""
    qs = Contract.objects.select_related("agency", "counterparty")
    # Undated milestones last on every database (SQLite and PostgreSQL sort NULLs differently).
    milestones = Milestone.objects.select_related("obligation").order_by(F("due_on").asc(nulls_last=True), "id")
    if not full:
        return qs.prefetch_related(Prefetch("milestones", milestones))
    return qs.prefetch_related(
        Prefetch("milestones", milestones),
        Prefetch("milestones__obligation__entries", LedgerEntry.objects.order_by("on", "id")),
        Prefetch("amendments", Amendment.objects.order_by("number")),
        "reviews",
        Prefetch("events", ContractEvent.objects.select_related("actor").order_by("on", "at", "id")),
        Prefetch("evidence", Evidence.objects.order_by("id")),
    )


def contract_list(*, user: User, full: bool = False) -> QuerySet:
    return visible_to(user, contract_queryset(full=full))


# --- live states ----------------------------------------------------------------------------
class MilestoneStatus:
    """Live state of a milestone as of a date (never stored)."""

    NOT_TRIGGERED = "not_triggered"  # a government payment whose trigger is not recorded yet
    SCHEDULED = "scheduled"  # due later (or triggered and not yet due)
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"  # past its due date and not met

    labels = {
        NOT_TRIGGERED: "尚未触发",
        SCHEDULED: "未到期",
        MET: "已履行",
        PARTLY_MET: "部分履行",
        NOT_MET: "未履行（已逾期）",
    }
    # OCDS 1.1 milestoneStatus is a closed codelist: scheduled / met / notMet / partiallyMet.
    ocds = {
        NOT_TRIGGERED: "scheduled",
        SCHEDULED: "scheduled",
        MET: "met",
        PARTLY_MET: "partiallyMet",
        NOT_MET: "notMet",
    }


@dataclass(frozen=True)
class MilestoneState:
    status: str
    due_on: date | None  # the obligation's due date once triggered, else the agreed date
    met_on: date | None
    principal_paid: object = None  # Decimal for government payments once triggered
    principal_outstanding: object = None

    @property
    def label(self) -> str:
        return MilestoneStatus.labels[self.status]


def milestone_state(milestone: Milestone, as_of: date) -> MilestoneState:
    """Met / partly met / not met / scheduled / not yet triggered, as of ``as_of``."""
    if milestone.is_government_payment:
        ob = milestone.obligation
        if ob is None or ob.trigger_on > as_of:
            return MilestoneState(MilestoneStatus.NOT_TRIGGERED, milestone.due_on, None)
        state = obligation_state(ob, as_of)
        if state.fully_paid_on is not None and state.fully_paid_on <= as_of:
            status = MilestoneStatus.MET
        elif state.principal_paid > 0:
            status = MilestoneStatus.PARTLY_MET
        elif as_of > ob.due_on:
            status = MilestoneStatus.NOT_MET
        else:
            status = MilestoneStatus.SCHEDULED
        return MilestoneState(
            status,
            ob.due_on,
            state.fully_paid_on if status == MilestoneStatus.MET else None,
            state.principal_paid,
            state.principal_outstanding,
        )
    if milestone.met_on is not None and milestone.met_on <= as_of:
        return MilestoneState(MilestoneStatus.MET, milestone.due_on, milestone.met_on)
    if milestone.partly_met_on is not None and milestone.partly_met_on <= as_of:
        return MilestoneState(MilestoneStatus.PARTLY_MET, milestone.due_on, None)
    if milestone.due_on is not None and as_of > milestone.due_on:
        return MilestoneState(MilestoneStatus.NOT_MET, milestone.due_on, None)
    return MilestoneState(MilestoneStatus.SCHEDULED, milestone.due_on, None)


def government_milestone_dates(milestones: Iterable[Milestone]) -> list[tuple[date, date | None]]:
    """(due date, date met) of each government milestone that has fallen due — the input of R5's
    contract flag. A payment counts from its obligation (due date; met when principal is paid
    off or the obligation closed by law); one not yet triggered is not due."""
    out = []
    for m in milestones:
        if m.side != MilestoneSide.GOVERNMENT:
            continue
        if m.kind == MilestoneKind.PAYMENT:
            ob = m.obligation
            if ob is None:
                continue
            met = ob.fully_paid_on
            if met is None and ob.outcome in ("written_off", "cancelled"):
                met = ob.outcome_on
            out.append((ob.due_on, met))
        elif m.due_on is not None:
            out.append((m.due_on, m.met_on))
    return out


@dataclass
class PageFacts:
    """What the live flags of a page of contracts need, loaded once: the calendar and the
    tenures and successions of their agencies (2 + 1 queries whatever the page size)."""

    calendar: WorkCalendar
    legacy: LegacyFacts
    as_of: date

    @classmethod
    def load(cls, contracts: Sequence[Contract], as_of: date) -> PageFacts:
        return cls(
            calendar=current_calendar(),
            legacy=LegacyFacts.load({c.agency_id for c in contracts}),
            as_of=as_of,
        )


def payment_term_check(contract: Contract, cal: WorkCalendar, as_of: date) -> dict:
    """R1 on the contract's agreed payment term: the regime its government payments fall under,
    and for the 条例 whether the term is capped at 60 days (a violation) or missing (only noted).

    Computed with the rules themselves (``regime_for``, ``due_date``), for a hypothetical delivery
    on the signing date (or ``as_of`` before signing): only the flags and the basis are used.
    """
    milestones = list(contract.milestones.all())
    buys = any(m.goods_works_services for m in milestones if m.is_government_payment)
    on = contract.signed_on or as_of
    out = {
        "regime": None,
        "regime_label": "",
        "term_days_agreed": contract.payment_term_days,
        "term_days_applied": None,
        "capped": False,
        "term_missing": False,
        "default_term_used": False,
        "basis": "",
    }
    try:
        regime = regime_for(
            source=Source.MILESTONE,
            contract_type=contract.contract_type,
            milestone_is_goods_works_services=buys,
            sme_declared=contract.sme_declared,
            signed_on=on,
        )
        due = due_date(
            regime=regime,
            trigger_on=on,
            agreed_term_days=contract.payment_term_days,
            cal=cal,
            trigger=Trigger.DELIVERY,
        )
    except RuleError as exc:
        out["basis"] = exc.detail
        return out
    except OverflowError:  # an as-of date at the end of the calendar
        return out
    out.update(
        regime=regime,
        regime_label=Regime.labels[regime],
        term_days_applied=due.term_days_applied,
        capped=due.capped,
        term_missing=due.term_missing,
        default_term_used=due.default_term_used,
        basis=due.basis,
    )
    return out


def legacy_flag(contract: Contract, facts: LegacyFacts, as_of: date) -> dict:
    """R5 on a contract: after a handover following its signing (following successor agencies),
    a government milestone due and unmet for 30 days or more (``legacy.contract_flag``)."""
    out = {
        "flagged": False,
        "handover_on": None,
        "days_since_handover": None,
        "principal_then": None,
        "principal_now": None,
    }
    signed_on = contract.signed_on
    if signed_on is None or as_of < signed_on:
        return out
    case = legacy.is_legacy_case(
        debtor_agency_id=contract.agency_id,
        arose_on=signed_on,
        as_of=as_of,
        overdue=True,
        tenures=facts.tenures,
        successions=facts.successions,
    )
    if case.handover_on is None:
        return out
    out.update(
        handover_on=case.handover_on,
        days_since_handover=case.days_since_handover,
        principal_then=_person(case.principal_then),
        principal_now=_person(case.principal_now),
    )
    out["flagged"] = legacy.contract_flag(
        signed_on=signed_on,
        handover_dates=[case.handover_on],
        milestones=government_milestone_dates(contract.milestones.all()),
        as_of=as_of,
    )
    return out


def _person(span: legacy.TenureSpan | None) -> str | None:
    if span is None:
        return None
    return f"{span.person}（主持工作）" if span.acting else span.person


def status_as_of(contract: Contract, as_of: date) -> str:
    """The lifecycle status on ``as_of``, replayed from the transition events (prefetched)."""
    status = ContractStatus.DRAFT
    for e in contract.events.all():
        if e.kind == EventKind.TRANSITION and e.on <= as_of:
            status = e.to_status
    return status


def flags(contract: Contract, facts: PageFacts) -> dict:
    """Every live flag of a contract as of ``facts.as_of``."""
    return {
        "as_of": facts.as_of,
        "payment_term": payment_term_check(contract, facts.calendar, facts.as_of),
        "legacy_debt": legacy_flag(contract, facts.legacy, facts.as_of),
        "disputed": contract.is_disputed,
    }
