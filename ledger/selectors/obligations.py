"""Reads of obligations: live figures as of a date (SPEC §2, R3, R5), without N+1 queries.

Stored facts (due date, running totals, the tenure in force when an obligation arose) make the
list cheap; the figures themselves come from the pure rules: ``interest_state`` over the
prefetched entries, ``is_legacy_case`` over tenures and successions loaded once per page.
The status is also computed in SQL (``with_status``) so lists can filter on it; a table-driven
test proves both give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)

from ledger.models import Agency, EntryKind, LedgerEntry, Obligation, Outcome, Tenure, User
from ledger.rules import interest, legacy
from ledger.rules.interest import InterestState, RateSpec
from ledger.selectors.scoping import visible_to

NO_INTEREST_NOTE = "无法定逾期利息"


class Status:
    """Live status of an obligation as of a date (never stored)."""

    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"
    PAID = "paid"  # principal paid off by the as-of date (unpaid interest is shown beside it)
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"

    labels = {
        NOT_YET_DUE: "未到期",
        DUE: "今日到期",
        OVERDUE: "逾期",
        PAID: "本金已付清",
        WRITTEN_OFF: "依法核销",
        CANCELLED: "已撤销",
    }
    choices = list(labels.items())


_CLOSING = (Outcome.WRITTEN_OFF, Outcome.CANCELLED)
_REVERSAL_OF = {
    EntryKind.PAYMENT: interest.EntryKind.PAYMENT_REVERSAL,
    EntryKind.INTEREST_PAYMENT: interest.EntryKind.INTEREST_PAYMENT_REVERSAL,
    EntryKind.INTEREST_WAIVER: interest.EntryKind.INTEREST_WAIVER_REVERSAL,
}


# --- money (R3) ---------------------------------------------------------------------------
def _ref(entry: LedgerEntry) -> str:
    return str(entry.pk) if entry.pk is not None else "new"


def rule_entries(entries: Sequence[LedgerEntry]) -> list[interest.Entry]:
    """Model entries → the rule's entries; a reversal takes the kind of the entry it reverses."""
    by_id = {e.pk: e for e in entries if e.pk is not None}
    out = []
    for e in entries:
        if e.kind == EntryKind.REVERSAL:
            target = e.reverses if e.reverses_id not in by_id else by_id[e.reverses_id]
            kind, reverses = _REVERSAL_OF[target.kind], str(e.reverses_id)
        else:
            kind, reverses = e.kind, None
        out.append(
            interest.Entry(
                kind=kind,
                on=e.on,
                amount=e.amount,
                allocation=e.allocation or None,
                ref=_ref(e),
                reverses=reverses,
            )
        )
    return out


# The running state stored beside each entry (LedgerEntry.after_*, kept by the services).
STORED_STATE = ("principal_outstanding", "balance_days", "interest_paid", "interest_waived", "fully_paid_on")


def with_stored_state(qs: QuerySet, as_of: date) -> QuerySet:
    """Annotate each obligation with the stored state of its last entry dated on or before
    ``as_of`` (``state_*``), so ``obligation_state`` need not read its entries: a page of a
    few hundred rows then costs one query and no walk (issue 9). Entries ordered as the rule
    applies them: by date, then as recorded."""
    last = LedgerEntry.objects.filter(obligation=OuterRef("pk"), on__lte=as_of).order_by("-on", "-id")
    return qs.annotate(
        state_as_of=Value(as_of, output_field=DateField()),
        state_entry_on=Subquery(last.values("on")[:1]),
        **{f"state_{name}": Subquery(last.values(f"after_{name}")[:1]) for name in STORED_STATE},
    )


def money_date(obligation: Obligation, as_of: date) -> date:
    """The day an obligation's money is reckoned to as of ``as_of``: ``as_of`` itself, unless the
    obligation was closed by then. A write-off ends the debt on its date, so neither interest nor
    the days overdue run past it; a cancelled obligation was never owed (the reports leave it out),
    so nothing runs past its due date. Before the closing day it is an open debt like any other.
    ``asof_sql`` is the same rule in SQL."""
    if obligation.outcome in _CLOSING and obligation.outcome_on is not None and obligation.outcome_on <= as_of:
        if obligation.outcome == Outcome.CANCELLED:
            return min(obligation.outcome_on, obligation.due_on)
        return obligation.outcome_on
    return as_of


def _state_stored(obligation: Obligation, as_of: date) -> bool:
    """The row carries a usable stored state: read for ``as_of``, its last entry's state stored,
    and that entry not after the day its money is reckoned to (else the entries are walked)."""
    if getattr(obligation, "state_as_of", None) != as_of:
        return False
    last_on = obligation.state_entry_on
    return last_on is None or (
        obligation.state_principal_outstanding is not None and last_on <= money_date(obligation, as_of)
    )


def with_entries_where_unstored(obligations: list[Obligation], as_of: date) -> list[Obligation]:
    """Prefetch, in one query, the entries of those rows whose stored state cannot be used (an
    entry whose state was never stored: see ``manage.py refresh_entry_states``)."""
    walk = [o for o in obligations if not _state_stored(o, as_of)]
    if walk:
        prefetch_related_objects(walk, Prefetch("entries", LedgerEntry.objects.order_by("on", "id")))
    return obligations


def _stored_state(obligation: Obligation, as_of: date) -> InterestState | None:
    """The state from ``with_stored_state``'s annotations; None when they are absent, for
    another date, or the last entry's state was never stored (then the entries are walked)."""
    if not _state_stored(obligation, as_of):
        return None
    last = None
    if obligation.state_entry_on is not None:
        last = interest.EntryState(**{name: getattr(obligation, f"state_{name}") for name in STORED_STATE})
    return interest.interest_state_after(
        principal=obligation.principal,
        due_on=obligation.due_on,
        regime=obligation.regime,
        last=last,
        last_on=obligation.state_entry_on,
        as_of=money_date(obligation, as_of),
        rate=RateSpec(
            agreed_annual_rate=obligation.agreed_annual_rate,
            lpr_1y_at_signing=obligation.lpr_at_signing,
        ),
    )


def obligation_state(
    obligation: Obligation, as_of: date, *, entries: Sequence[LedgerEntry] | None = None
) -> InterestState:
    """Principal and interest of ``obligation`` as of ``as_of`` (reckoned to ``money_date``): from
    the stored state when the row was read ``with_stored_state`` for that date, else over its
    (prefetched) entries."""
    if entries is None:
        stored = _stored_state(obligation, as_of)
        if stored is not None:
            return stored
        entries = list(obligation.entries.all())
    return interest.interest_state(
        principal=obligation.principal,
        due_on=obligation.due_on,
        regime=obligation.regime,
        entries=rule_entries(entries),
        as_of=money_date(obligation, as_of),
        rate=RateSpec(
            agreed_annual_rate=obligation.agreed_annual_rate,
            lpr_1y_at_signing=obligation.lpr_at_signing,
        ),
    )


def entry_states_of(obligation: Obligation, entries: Sequence[LedgerEntry]) -> list[interest.EntryState]:
    """The state just after each of ``entries`` (all of the obligation's, in recorded order)."""
    return interest.entry_states(
        principal=obligation.principal,
        due_on=obligation.due_on,
        regime=obligation.regime,
        entries=rule_entries(entries),
        rate=RateSpec(
            agreed_annual_rate=obligation.agreed_annual_rate,
            lpr_1y_at_signing=obligation.lpr_at_signing,
        ),
    )


def status_of(obligation: Obligation, state: InterestState, as_of: date) -> str:
    """The live status; ``with_status`` is the same rule in SQL."""
    if obligation.outcome in _CLOSING and obligation.outcome_on is not None and obligation.outcome_on <= as_of:
        return obligation.outcome
    if state.fully_paid_on is not None and state.fully_paid_on <= as_of:
        return Status.PAID
    if as_of < obligation.due_on:
        return Status.NOT_YET_DUE
    if as_of == obligation.due_on:
        return Status.DUE
    return Status.OVERDUE


def with_status(qs: QuerySet, as_of: date) -> QuerySet:
    """Annotate ``status_as_of`` from the stored facts (due date, fully-paid date, outcome)."""
    return qs.annotate(
        status_as_of=Case(
            When(Q(outcome__in=_CLOSING, outcome_on__lte=as_of), then=F("outcome")),
            When(fully_paid_on__lte=as_of, then=Value(Status.PAID)),
            When(due_on__gt=as_of, then=Value(Status.NOT_YET_DUE)),
            When(due_on=as_of, then=Value(Status.DUE)),
            default=Value(Status.OVERDUE),
            output_field=CharField(),
        )
    )


# --- tenures and successions (R5) -----------------------------------------------------------
@dataclass
class LegacyFacts:
    """Successions and the principal tenures of the agencies answerable for some debts."""

    successions: list[legacy.Succession]
    tenures: list[legacy.TenureSpan]
    pks: dict[legacy.TenureSpan, int]  # each span's Tenure row
    _values: dict = field(default_factory=dict, repr=False, compare=False)  # span -> the row's columns
    _db: str = field(default="default", repr=False, compare=False)
    _chains: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, agency_ids: Iterable[int] | None) -> LegacyFacts:
        """The facts for debts of ``agency_ids`` (None: of every agency). Tenure rows are read
        as values and made model instances only when ``rows`` is asked for: R5's answers need
        none, and a province has thousands (issue 9)."""
        successor = {
            a: (s, on)
            for a, s, on in Agency.objects.filter(successor__isnull=False).values_list(
                "id", "successor_id", "succeeded_on"
            )
        }
        tenure_rows = Tenure.objects.all()
        if agency_ids is not None:
            family: set[int] = set()
            for agency_id in agency_ids:
                seen = agency_id
                while seen is not None and seen not in family:
                    family.add(seen)
                    seen = successor.get(seen, (None, None))[0]
            tenure_rows = tenure_rows.filter(agency_id__in=family)
        successions = [legacy.Succession(a, s, on) for a, (s, on) in successor.items()]
        names = [f.attname for f in Tenure._meta.concrete_fields]
        pks, values = {}, {}
        for row in tenure_rows.values_list(*names):
            t = dict(zip(names, row, strict=True))
            span = legacy.TenureSpan(t["agency_id"], t["person"], t["start_on"], t["end_on"], t["acting"])
            pks[span] = t["id"]
            values[span] = row
        return cls(successions=successions, tenures=list(pks), pks=pks, _values=values, _db=tenure_rows.db)

    @cached_property
    def rows(self) -> dict[legacy.TenureSpan, Tenure]:
        """Each span's Tenure row, as a model instance."""
        names = [f.attname for f in Tenure._meta.concrete_fields]
        return {span: Tenure.from_db(self._db, names, row) for span, row in self._values.items()}

    @cached_property
    def _indexes(self) -> tuple[dict, dict]:
        """Tenures by agency, and each agency's succession by the agency it passes from."""
        by_agency: dict = {}
        for span in self.tenures:
            by_agency.setdefault(span.agency_id, []).append(span)
        return by_agency, {s.from_agency_id: s for s in self.successions}

    def chain(self, agency_id: int) -> tuple[list[legacy.TenureSpan], list[legacy.Succession]]:
        """The tenures and successions R5 can consult for debts of ``agency_id``: those of the
        agency and of the agencies its debts pass to. The rule gives the same answers with these
        as with every agency's (tests/ledger/test_live_sql.py), in a fraction of the time: a
        page of fifty rows asked it about every tenure in the province (issue 9)."""
        if agency_id not in self._chains:
            by_agency, successor = self._indexes
            chain, current = [agency_id], agency_id
            while current in successor and successor[current].to_agency_id not in chain:
                current = successor[current].to_agency_id
                chain.append(current)
            self._chains[agency_id] = (
                [t for a in chain for t in by_agency.get(a, [])],
                [successor[a] for a in chain if a in successor],
            )
        return self._chains[agency_id]

    def principal_on(self, agency_id: int, day: date) -> Tenure | None:
        span = legacy.principal_on(agency_id, day, *self.chain(agency_id))
        return None if span is None else self.rows[span]

    def case(self, obligation: Obligation, as_of: date, *, overdue: bool) -> legacy.LegacyResult | None:
        if as_of < obligation.arose_on:
            return None
        tenures, successions = self.chain(obligation.debtor_agency_id)
        return legacy.is_legacy_case(
            debtor_agency_id=obligation.debtor_agency_id,
            arose_on=obligation.arose_on,
            as_of=as_of,
            overdue=overdue,
            tenures=tenures,
            successions=successions,
        )


def principal_tenure_on(agency_id: int, day: date) -> Tenure | None:
    """The principal tenure in force on ``day`` for debts of the agency, following successors."""
    return LegacyFacts.load([agency_id]).principal_on(agency_id, day)


def answerable_agency_id(agency_id: int, as_of: date) -> int:
    """The agency answerable on ``as_of`` for debts of ``agency_id`` (机构改革: debts pass on)."""
    seen: set[int] = set()
    current = agency_id
    while current not in seen:
        seen.add(current)
        nxt = Agency.objects.filter(pk=current, successor__isnull=False, succeeded_on__lte=as_of).values_list(
            "successor_id", flat=True
        )
        nxt = list(nxt)
        if not nxt:
            return current
        current = nxt[0]
    return current


def _family(agency_id: int) -> set[int]:
    ids, frontier = {agency_id}, {agency_id}
    while frontier:
        frontier = set(Agency.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return ids


def on_time_ratios(obligation: Obligation, handover_on: date, as_of: date) -> tuple[Decimal | None, Decimal | None]:
    """R5: the answerable agency's on-time payment ratio for obligations arising before / after
    the handover (its predecessors' debts included)."""
    family = _family(answerable_agency_id(obligation.debtor_agency_id, as_of))
    rows = (
        Obligation.objects.filter(debtor_agency_id__in=family, arose_on__lte=as_of)
        .exclude(outcome=Outcome.CANCELLED)
        .values_list("arose_on", "due_on", "fully_paid_on")
    )
    return legacy.on_time_ratio(((a, d, p, as_of) for a, d, p in rows), handover_on)


# --- figures -------------------------------------------------------------------------------
def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _tenure(t: Tenure | None) -> dict | None:
    if t is None:
        return None
    return {
        "agency": t.agency_id,
        "person": t.person,
        "title": t.title,
        "acting": t.acting,
        "start_on": t.start_on,
        "end_on": t.end_on,
    }


def figures(obligation: Obligation, as_of: date, facts: LegacyFacts, *, ratios: bool = False) -> dict:
    """Every live figure of one obligation as of ``as_of`` (money as decimal strings)."""
    state = obligation_state(obligation, as_of)
    status = status_of(obligation, state, as_of)
    outstanding = state.principal_outstanding
    disputed = min(obligation.disputed_amount, outstanding)
    out = {
        "as_of": as_of,
        "status": status,
        "status_label": Status.labels[status],
        "days_overdue": state.days_overdue,
        "principal_paid": _money(state.principal_paid),
        "principal_outstanding": _money(outstanding),
        "disputed_outstanding": _money(disputed),
        # 条例 (2025) art. 15: the undisputed part stays due on its own date.
        "undisputed_outstanding": _money(outstanding - disputed),
        "fully_paid_on": state.fully_paid_on,
        "interest": None,
        # SPEC R3: outside the interest-bearing regimes, "no statutory interest", never 0.00.
        "interest_note": None if state.bears_interest else NO_INTEREST_NOTE,
        "interest_basis": state.rate_basis,
    }
    if state.bears_interest:
        out["interest"] = {
            "accrued": _money(state.interest_accrued),
            "paid": _money(state.interest_paid),
            "waived": _money(state.interest_waived),
            "unpaid": _money(state.interest_unpaid),
            "daily_rate": f"{state.daily_rate.normalize():f}",
        }
    overdue = status == Status.OVERDUE
    case = facts.case(obligation, as_of, overdue=overdue)
    out["legacy_debt"] = bool(case and case.is_case)
    out["legacy"] = None
    if case is not None and case.is_case:
        out["legacy"] = {
            "handover_on": case.handover_on,
            "days_since_handover": case.days_since_handover,
            "principal_then": _tenure(facts.rows.get(case.principal_then) if case.principal_then else None),
            "principal_now": _tenure(facts.rows.get(case.principal_now) if case.principal_now else None),
        }
        if ratios:
            before, after = on_time_ratios(obligation, case.handover_on, as_of)
            out["legacy"]["on_time_ratio_before"] = None if before is None else f"{before}"
            out["legacy"]["on_time_ratio_after"] = None if after is None else f"{after}"
    return out


def obligation_queryset() -> QuerySet:
    """Everything a list or detail page reads, in a fixed number of queries."""
    return Obligation.objects.select_related("debtor_agency", "creditor").prefetch_related(
        Prefetch("entries", LedgerEntry.objects.order_by("on", "id"))
    )


def obligation_list(*, user: User, as_of: date, filters: dict | None = None) -> QuerySet:
    qs = with_status(visible_to(user, obligation_queryset()), as_of)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status_as_of=filters["status"])
    return qs
