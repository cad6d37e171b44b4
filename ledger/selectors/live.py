"""Live states in SQL, for filters and reports: overdue, days overdue and 新官不理旧账 (R5) as of a date.

The rules themselves are the pure functions in ``ledger.rules``; these are their SQL twins, so a
list can filter and paginate on them. ``with_status`` (ledger.selectors.obligations) is the status
rule in SQL; ``with_legacy`` below is R5's. tests/ledger/test_live_sql.py proves, table-driven,
that each gives the same answer as ``ledger.rules.legacy.is_legacy_case``.

Agencies: a filter on an agency takes in its sub-agencies (``parent``) and the agencies merged
into it (机构改革: debts pass to the successor from ``succeeded_on``), transitively.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When

from ledger.models import Agency, Obligation, Tenure
from ledger.rules import legacy
from ledger.selectors.obligations import LegacyFacts


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
    # Due before as_of, and not paid off, written off or cancelled by then: Obligation.open_until
    # is the first of those days, kept by the database (two ranges of one index, issue 9).
    return Q(**{f"{prefix}due_on__lt": as_of, f"{prefix}open_until__gt": as_of})


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


def _chain_intervals(debtor_id: int, as_of: date, graph: AgencyGraph, facts: LegacyFacts) -> list[tuple]:
    """Where a debtor's principal follows successions, R5 itself decides, once per segment
    (``segments``): the [lo, hi) intervals of arising days that are cases (None: open-ended)."""
    out: list[tuple[date | None, date | None]] = []
    for seg in segments(graph, facts, [debtor_id], as_of):
        if not seg.legacy:
            continue
        lo = None if seg.start_on == date.min else seg.start_on
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], seg.end_on)
        else:
            out.append((lo, seg.end_on))
    return out


@dataclass(frozen=True)
class Segment:
    """Obligations of ``agency_id`` that arose in ``[start_on, end_on)`` (None: open-ended)."""

    agency_id: int
    start_on: date
    end_on: date | None
    key: tuple  # reports.tenure_key of the principal then
    legacy: bool  # R5 as of the date, were they overdue


def segments(
    graph: AgencyGraph, facts: LegacyFacts, agency_ids: Iterable[int], as_of: date, tenures: dict | None = None
) -> list[Segment]:
    """Each debtor's days cut where its principal can change (a tenure starting or ending at it
    or at an agency that takes over its debts, a succession), with the rule's answers.

    Between two such days the principal in force is one and the same, so ``is_legacy_case`` gives
    every obligation that arose there the same answer as of ``as_of``: the rule is asked once per
    segment (a few thousand times for a province), each time with the debtor's own chain of
    tenures and successions only. ``tenures`` collects the tenure rows the keys name."""
    collect = tenures is not None
    out = []
    for agency_id in sorted(set(agency_ids)):
        spans, handovers = facts.chain(agency_id)
        days = {t.start for t in spans} | {t.end for t in spans if t.end is not None} | {s.on for s in handovers}
        starts = [date.min, *sorted(d for d in days if d > date.min)]
        for start, end in zip(starts, [*starts[1:], None], strict=True):
            span = legacy.principal_on(agency_id, start, spans, handovers)
            if span is None:
                key = ("vacant", graph.answerable(agency_id, start))
            else:
                key = ("tenure", facts.pks[span])
                if collect:
                    tenures[facts.pks[span]] = facts.rows[span]
            is_case = (
                start <= as_of
                and legacy.is_legacy_case(
                    debtor_agency_id=agency_id,
                    arose_on=start,
                    as_of=as_of,
                    overdue=True,
                    tenures=spans,
                    successions=handovers,
                ).is_case
            )
            out.append(Segment(agency_id, start, end, key, is_case))
    return out


# A debtor and a day as one number, ordered by debtor, then by day: the segments of every debtor
# become one sorted array of such numbers (issue 9). 4,000,000 > the days from 0001-01-01 to
# 9999-12-31, so a debtor's days never reach the next debtor's; agency ids × 4,000,000 fit a bigint.
DAYS_PER_AGENCY = 4_000_000
EPOCH = date.min


def day_key(agency_id: int, day: date) -> int:
    return agency_id * DAYS_PER_AGENCY + (day - EPOCH).days


class _InSegments(Func):
    """Is the obligation's arising day in one of its debtor's R5 case segments? One binary search
    (``width_bucket``) of its (debtor, day) number in the sorted starts of every segment, then the
    segment's answer from a boolean array — a few operations per row, in WHERE or for a page
    walked in order, where an EXISTS over the segments was a join the planner ran row by row
    (0.15 s for a page of fifty legacy cases at a province). A debtor without segments here
    lands in a "no" bucket: the day after each debtor's last segment starts a stop, unless the
    next debtor's first segment starts there. Each debtor's segments must run from date.min on,
    as ``segments`` gives them. PostgreSQL only (``legacy_where_q``)."""

    output_field = BooleanField()

    def __init__(self, agency, arose, arrays: tuple[str, str]):
        super().__init__(agency, arose)
        self.arrays = arrays

    @staticmethod
    def arrays_of(segs: list[Segment]) -> tuple[str, str]:
        """The segments' answers and sorted starts, as PostgreSQL array literals."""
        starts: dict[int, bool] = {}
        agencies = {s.agency_id for s in segs}
        for seg in segs:
            starts[day_key(seg.agency_id, seg.start_on)] = seg.legacy
            if seg.agency_id + 1 not in agencies:
                starts.setdefault(day_key(seg.agency_id + 1, EPOCH), False)
        ordered = sorted(starts)
        flags = "{" + ",".join("t" if starts[k] else "f" for k in ordered) + "}"
        return flags, "{" + ",".join(map(str, ordered)) + "}"

    def as_sql(self, compiler, connection, **extra):
        agency_sql, agency_params = compiler.compile(self.source_expressions[0])
        arose_sql, arose_params = compiler.compile(self.source_expressions[1])
        key = f"{agency_sql}::bigint * {DAYS_PER_AGENCY} + ({arose_sql} - DATE '{EPOCH.isoformat()}')"
        # before the first start width_bucket gives 0, which no array element has: NULL, so FALSE
        sql = f"COALESCE((%s::boolean[])[width_bucket({key}, %s::bigint[])], FALSE)"
        flags, ordered = self.arrays
        return sql, (flags, *agency_params, *arose_params, ordered)


# R5's segments depend on the tenures and on the agencies' successions (and on the date): a
# digest of exactly those rows, read in one statement of a few milliseconds, names what was
# computed from them, so a list filtered on legacy debt does not ask the rule a few thousand
# times on every request (issue 9: 85 ms at a province). Any change to those rows changes the
# digest; nothing is ever invalidated by hand.
# Each row as a row literal (ROW(…)::text keeps NULLs in their places and quotes what holds a
# delimiter), so two different states of the rows never read the same.
_R5_FACTS_DIGEST = """
SELECT (SELECT md5(COALESCE(string_agg(ROW(id, agency_id, person, acting, start_on, end_on)::text, ';'
                                      ORDER BY id), '')) FROM {tenure}),
       (SELECT md5(COALESCE(string_agg(ROW(id, parent_id, successor_id, succeeded_on)::text, ';'
                                      ORDER BY id), '')) FROM {agency})
"""
_REMEMBERED: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
_REMEMBER = 16
_remembered_lock = threading.Lock()


def _r5_facts_digest() -> str:
    sql = _R5_FACTS_DIGEST.format(tenure=Tenure._meta.db_table, agency=Agency._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return ":".join(cursor.fetchone())


def _case_arrays(as_of: date, graph: AgencyGraph, debtors: Iterable[int] | None) -> tuple[str, str]:
    """``_InSegments``'s arrays for the segments of ``debtors`` (None: every agency) as of
    ``as_of``, computed once per state of the facts they come from."""
    agencies = list(graph.parent) if debtors is None else sorted(debtors)
    key = (_r5_facts_digest(), as_of, None if debtors is None else tuple(agencies))
    with _remembered_lock:
        if key in _REMEMBERED:
            _REMEMBERED.move_to_end(key)
            return _REMEMBERED[key]
    segs = segments(graph, LegacyFacts.load(None if debtors is None else agencies), agencies, as_of)
    arrays = _InSegments.arrays_of(segs)
    with _remembered_lock:
        _REMEMBERED[key] = arrays
        while len(_REMEMBERED) > _REMEMBER:
            _REMEMBERED.popitem(last=False)
    return arrays


def legacy_where_q(as_of: date, graph: AgencyGraph | None = None, debtors: Iterable[int] | None = None) -> Q:
    """新官不理旧账 cases as of ``as_of`` (overdue, and the principal changed) as a predicate for
    WHERE — the same answer as ``with_legacy``'s flag (tests/ledger/test_live_sql.py). On
    PostgreSQL through the debtors' R5 segments; elsewhere ``legacy_case_q``.

    ``debtors``: only obligations of these debtor agencies can match (the list's agency filter
    already keeps to them), so only their segments are computed — a county's few dozen instead of
    a province's 2,000 agencies (issue 9: 0.1 s of Python per request)."""
    graph = graph or AgencyGraph.load()
    if connection.vendor != "postgresql":
        annotations, changed = legacy_case_q(as_of, graph)
        ids = Obligation.objects.annotate(**annotations).filter(overdue_q(as_of) & changed).values("pk")
        q = Q(pk__in=ids)
        return q if debtors is None else q & Q(debtor_agency_id__in=sorted(debtors))
    arrays = _case_arrays(as_of, graph, debtors)
    return overdue_q(as_of) & Q(_InSegments(F("debtor_agency_id"), F("arose_on"), arrays))


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
            intervals = _chain_intervals(debtor_id, as_of, graph, facts)
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
