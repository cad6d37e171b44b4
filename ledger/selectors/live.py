"""Live states in SQL, for filters and reports: overdue, days overdue and 新官不理旧账 (R5) as of a date.

The rules themselves are the pure functions in ``ledger.rules``; these are their SQL twins, so a
list can filter and paginate on them. ``with_status`` (ledger.selectors.obligations) is the status
rule in SQL; ``with_legacy`` below is R5's. tests/ledger/test_live_sql.py proves, table-driven,
that each gives the same answer as ``ledger.rules.legacy.is_legacy_case``.

Agencies: a filter on an agency takes in its sub-agencies (``parent``) and the agencies merged
into it (机构改革: debts pass to the successor from ``succeeded_on``), transitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from ledger.models import Agency, Outcome, Tenure
from ledger.rules import legacy
from ledger.selectors.obligations import LegacyFacts

_CLOSING = (Outcome.WRITTEN_OFF, Outcome.CANCELLED)


# --- agencies ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgencyGraph:
    """Every agency's parent and successor, loaded in one query."""

    parent: dict[int, int | None]
    successor: dict[int, tuple[int, date]]

    @classmethod
    def load(cls) -> AgencyGraph:
        parent, successor = {}, {}
        for pk, parent_id, successor_id, on in Agency.objects.values_list(
            "id", "parent_id", "successor_id", "succeeded_on"
        ):
            parent[pk] = parent_id
            if successor_id is not None:
                successor[pk] = (successor_id, on)
        return cls(parent=parent, successor=successor)

    def family(self, agency_id: int, *, as_of: date | None = None, children: bool = True) -> set[int]:
        """The agency, the agencies merged into it (on or before ``as_of`` when given) and — with
        ``children`` — its sub-agencies, closed under both relations."""
        ids = {agency_id}
        while True:
            more = {a for a, (s, on) in self.successor.items() if s in ids and (as_of is None or on <= as_of)}
            if children:
                more |= {a for a, p in self.parent.items() if p in ids}
            if more <= ids:
                return ids
            ids |= more

    def answerable(self, agency_id: int, as_of: date) -> int:
        """The agency answerable on ``as_of`` for debts of ``agency_id`` (follows successions)."""
        seen = set()
        current = agency_id
        while current in self.successor and current not in seen:
            seen.add(current)
            nxt, on = self.successor[current]
            if on > as_of:
                break
            current = nxt
        return current


# --- overdue ---------------------------------------------------------------------------------
def overdue_q(as_of: date, prefix: str = "") -> Q:
    """Obligations overdue as of ``as_of`` — the OVERDUE branch of ``with_status``, as a Q.

    ``prefix`` reaches an obligation from another model (e.g. ``"obligation__"``).
    """
    p = prefix
    return (
        Q(**{f"{p}due_on__lt": as_of})
        & ~Q(**{f"{p}outcome__in": _CLOSING, f"{p}outcome_on__lte": as_of})
        & (Q(**{f"{p}fully_paid_on__isnull": True}) | Q(**{f"{p}fully_paid_on__gt": as_of}))
    )


def days_overdue_q(as_of: date, *, at_least: int | None = None, at_most: int | None = None, field="due_on") -> Q:
    """Days overdue = as_of − due date for what is overdue as of ``as_of`` (rules.interest.days_overdue)."""
    q = Q()
    if at_least is not None:
        try:
            q &= Q(**{f"{field}__lte": as_of - timedelta(days=at_least)})
        except OverflowError:  # before the first representable day: nothing is that late
            q &= Q(pk__in=[])
    if at_most is not None:
        try:
            q &= Q(**{f"{field}__gte": as_of - timedelta(days=at_most)})
        except OverflowError:  # every due date is within that many days
            pass
    return q


# --- R5 in SQL ---------------------------------------------------------------------------------
def _covering(day) -> Q:
    return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gt=day))


def _plain_changed(as_of: date) -> tuple[dict, Q]:
    """For a debtor without successions: did its principal change between arising and ``as_of``?

    ``_same_principal`` in SQL: the same tenure, or the same person now not acting, is no change;
    a vacancy then and now is a change only if someone held office in between.

    Who holds office on ``as_of`` does not depend on the obligation, so it is asked by
    uncorrelated subqueries the database runs once (hashed), not per row; per row only the tenure
    in force on ``arose_on`` is looked up (one EXISTS, and the ``between`` test when the office was
    vacant then and is vacant now). Issue 9: six correlated subqueries per row, one of them
    repeated at each of its four uses, made ``?legacy=true`` take half a minute at a million
    obligations.
    """
    # The tenure in force on as_of at an agency (the first by start, as before: tenures never overlap on PostgreSQL).
    now = Tenure.objects.filter(_covering(as_of))
    first_now = Subquery(now.filter(agency_id=OuterRef("agency_id")).order_by("start_on").values("id")[:1])
    current = now.annotate(_first=first_now).filter(pk=F("_first"))
    # Tenures whose holding now is no change: the tenure in force itself, or — if its holder is
    # not acting — any tenure of the same person at that agency (re-appointed).
    unchanged = Tenure.objects.filter(
        Exists(
            current.filter(agency_id=OuterRef("agency_id")).filter(
                Q(pk=OuterRef("pk")) | Q(person=OuterRef("person"), acting=False)
            )
        )
    ).values("id")
    # The tenure in force on arose_on (tenures of an agency never overlap, so there is at most one):
    # asked as EXISTS, each once per row — an annotation referenced four times was evaluated four times.
    then = Tenure.objects.filter(agency_id=OuterRef("debtor_agency_id")).filter(_covering(OuterRef("arose_on")))
    between = Tenure.objects.filter(
        agency_id=OuterRef("debtor_agency_id"), start_on__gt=OuterRef("arose_on"), start_on__lte=as_of
    )
    vacant_now = ~Q(debtor_agency_id__in=current.values("agency_id"))
    # Vacant now: a change if someone held office then, or took office in between.
    # Someone in office now: no change only if the tenure then is one of the "unchanged" ones.
    changed = (vacant_now & (Exists(then) | Exists(between))) | (~vacant_now & ~Exists(then.filter(pk__in=unchanged)))
    annotations: dict = {}
    return annotations, changed


def _chain_intervals(debtor_id: int, as_of: date, facts: LegacyFacts) -> list[tuple[date | None, date | None]]:
    """Where a debtor's principal follows successions, R5 itself decides: the answer is constant
    for ``arose_on`` between two consecutive days on which a principal or a succession changed,
    so the rule is asked once per such interval. Returns the [lo, hi) intervals that are cases.

    Only the debtor's own chain of successors matters (the rule follows it and nothing else), so
    the rule is given that chain's tenures and successions, not every merged agency's: with all
    of them, 53 merged agencies made half a million rule calls per export (issue 9)."""
    chain, current = {debtor_id}, debtor_id
    by_from = {s.from_agency_id: s for s in facts.successions}
    while current in by_from and by_from[current].to_agency_id not in chain:
        current = by_from[current].to_agency_id
        chain.add(current)
    facts = LegacyFacts(
        successions=[s for s in facts.successions if s.from_agency_id in chain],
        tenures=[t for t in facts.tenures if t.agency_id in chain],
        rows=facts.rows,
    )
    days = sorted(
        {t.start for t in facts.tenures}
        | {t.end for t in facts.tenures if t.end is not None}
        | {s.on for s in facts.successions}
    )
    if not days:
        days = [as_of]
    bounds: list[tuple[date | None, date | None, date]] = [(None, days[0], days[0] - timedelta(days=1))]
    bounds += [(lo, hi, lo) for lo, hi in zip(days, days[1:], strict=False)]
    bounds.append((days[-1], None, days[-1]))
    out: list[tuple[date | None, date | None]] = []
    for lo, hi, probe in bounds:
        if probe > as_of:
            continue
        result = legacy.is_legacy_case(
            debtor_agency_id=debtor_id,
            arose_on=probe,
            as_of=as_of,
            overdue=True,
            tenures=facts.tenures,
            successions=facts.successions,
        )
        if not result.is_case:
            continue
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def legacy_case_q(as_of: date, graph: AgencyGraph | None = None) -> tuple[dict, Q]:
    """(annotations, Q) selecting the obligations that are 新官不理旧账 cases as of ``as_of``,
    given they are overdue (combine with ``overdue_q``)."""
    graph = graph or AgencyGraph.load()
    annotations, plain = _plain_changed(as_of)
    chained = sorted(graph.successor)
    q = ~Q(debtor_agency_id__in=chained) & plain if chained else plain
    if chained:
        facts = LegacyFacts.load(chained)
        for debtor_id in chained:
            intervals = _chain_intervals(debtor_id, as_of, facts)
            if not intervals:
                continue
            arising = Q()
            for lo, hi in intervals:
                part = Q()
                if lo is not None:
                    part &= Q(arose_on__gte=lo)
                if hi is not None:
                    part &= Q(arose_on__lt=hi)
                arising |= part
            q |= Q(debtor_agency_id=debtor_id) & arising
    return annotations, q


def with_legacy(qs: QuerySet, as_of: date, graph: AgencyGraph | None = None) -> QuerySet:
    """Annotate ``legacy_as_of``: overdue as of ``as_of`` and the principal changed (SPEC R5)."""
    if "legacy_as_of" in qs.query.annotations:  # already there (the list's own filter added it)
        return qs
    annotations, changed = legacy_case_q(as_of, graph)
    return qs.annotate(**annotations).annotate(
        legacy_as_of=Case(
            # overdue_q, not the status CASE: evaluated once per row, not the CASE again (issue 9).
            When(overdue_q(as_of) & changed, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
