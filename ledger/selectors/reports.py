"""Report figures as of a date (SPEC §2, §6; issue 6), computed from the stored facts by the rules.

One streaming pass over the obligations a user may read (``iterator(chunk_size=2000)``, entries
prefetched per chunk) feeds accumulators per agency, per principal tenure and in total, so memory
grows with the number of agencies, not of obligations. The figures of one obligation are the
list's own: ``obligation_state`` (R3) for money, ``status_of`` for the status, the SQL R5 flag
(``with_legacy``, proved equal to the rule) for legacy-debt cases.

Definitions (documented once, here):

- population: obligations arisen on or before ``as_of``, except those cancelled by then (a
  cancelled obligation was never owed); written-off ones count, with nothing outstanding;
- outstanding: principal outstanding as of ``as_of`` of what is not yet due, due or overdue;
- ageing: 未到期 (not yet due, or due that very day), then days overdue 1–30, 31–90, 91–180,
  181–365, over 365 (``rules.interest.days_overdue``);
- UK payment-practice measures (Payment Practices Reporting, reference/anchors.md §E), over the
  obligations whose principal was paid off within the period: average days to pay (from the
  start of the payment clock, ``trigger_on`` — delivery, acceptance, settlement, acceptance of a
  redemption — to the day of payment), the shares paid within 30, 31–60 and over 60 days, and the
  share paid late (after the due date);
- stock (存量): arisen before ``stock_cutoff``; its base (存量底数) is what was outstanding at the
  end of the day before the cut-off; cleared (已清偿) = base − what is still outstanding as of
  ``as_of``; arrears (欠款) = outstanding overdue as of ``as_of``, stock or new (增量);
- per principal tenure: an obligation belongs to the tenure in force on the day it arose; a
  recommendation, a decision and a redemption to the tenure of the recipient (debtor) agency in
  force on its deadline (due date) — the head who had to reply, perform or pay by then. Both
  follow successor agencies (``LegacyFacts.principal_on``); no one in office is a vacancy row of
  the agency answerable that day. The rates are R7's and the policies section's, to the item.
"""

from __future__ import annotations

import calendar as _calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce

from ledger.models import (
    Agency,
    Decision,
    LedgerEntry,
    Obligation,
    Outcome,
    Recommendation,
    Redemption,
    Regime,
    Tenure,
    User,
)
from ledger.selectors import report_sql
from ledger.selectors.live import AgencyGraph, segments, with_legacy
from ledger.selectors.obligations import LegacyFacts, Status, obligation_state, status_of
from ledger.selectors.oversight import DecisionRates, Rate, decision_rates_of, rate_of
from ledger.selectors.scoping import visible_to

CHUNK = 2000
ZERO = Decimal("0.00")

# (key, label, lowest days overdue, highest) — None: open-ended; "not_yet_due" has no days.
AGEING = (
    ("not_yet_due", "未到期", None, None),
    ("d1_30", "逾期1–30天", 1, 30),
    ("d31_90", "逾期31–90天", 31, 90),
    ("d91_180", "逾期91–180天", 91, 180),
    ("d181_365", "逾期181–365天", 181, 365),
    ("over_365", "逾期365天以上", 366, None),
)
OPEN_STATUSES = (Status.NOT_YET_DUE, Status.DUE, Status.OVERDUE)


def ageing_bucket(status: str, days_overdue: int) -> str | None:
    if status in (Status.NOT_YET_DUE, Status.DUE):
        return "not_yet_due"
    if status != Status.OVERDUE:
        return None
    for key, _label, low, high in AGEING[1:]:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return key
    return None


def percent(part, whole) -> Decimal | None:
    """part ÷ whole as a percentage to 0.01, half up; None (shown "—") for an empty denominator."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def average(total, count, places: str = "0.1") -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReportParams:
    as_of: date
    stock_cutoff: date
    period_from: date
    period_to: date
    year: int | None = None

    @property
    def period_end(self) -> date:
        """The period as far as it is known on ``as_of``."""
        return min(self.period_to, self.as_of)

    def as_dict(self) -> dict:
        out = {
            "as_of": self.as_of,
            "stock_cutoff": self.stock_cutoff,
            "period_from": self.period_from,
            "period_to": self.period_to,
        }
        if self.year is not None:
            out["year"] = self.year
        return out


# --- accumulators ----------------------------------------------------------------------------
@dataclass
class Figures:
    """Everything a report row sums, for one agency, one tenure or the total."""

    obligations: int = 0
    principal: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue_count: int = 0
    overdue_amount: Decimal = ZERO
    ageing_count: dict = field(default_factory=lambda: {k: 0 for k, *_ in AGEING})
    ageing_amount: dict = field(default_factory=lambda: {k: ZERO for k, *_ in AGEING})
    legacy_count: int = 0
    legacy_amount: Decimal = ZERO
    # UK payment practices, over what was paid off in the period
    paid_count: int = 0
    days_to_pay_total: int = 0
    paid_within_30: int = 0
    paid_31_60: int = 0
    paid_over_60: int = 0
    paid_late_count: int = 0
    paid_amount: Decimal = ZERO
    paid_late_amount: Decimal = ZERO
    # stock (存量) and new (增量)
    stock_count: int = 0
    stock_base: Decimal = ZERO
    stock_outstanding: Decimal = ZERO
    stock_cleared_count: int = 0
    stock_arrears: Decimal = ZERO
    new_arrears: Decimal = ZERO

    @property
    def stock_cleared(self) -> Decimal:
        return self.stock_base - self.stock_outstanding

    @property
    def avg_days_to_pay(self) -> Decimal | None:
        return average(self.days_to_pay_total, self.paid_count)

    @property
    def share_paid_late(self) -> Decimal | None:
        return percent(self.paid_late_count, self.paid_count)

    @property
    def clearance_rate(self) -> Decimal | None:
        return percent(self.stock_cleared, self.stock_base)


@dataclass(frozen=True)
class ObligationFigures:
    """The as-of figures of one obligation that the accumulators read."""

    obligation: Obligation
    status: str
    outstanding: Decimal
    days_overdue: int
    legacy: bool
    stock: bool
    stock_base: Decimal | None
    paid_on: date | None  # principal paid off, as known on as_of

    def add_to(self, acc: Figures, params: ReportParams) -> None:
        o = self.obligation
        acc.obligations += 1
        acc.principal += o.principal
        acc.outstanding += self.outstanding
        bucket = ageing_bucket(self.status, self.days_overdue)
        if bucket is not None:
            acc.ageing_count[bucket] += 1
            acc.ageing_amount[bucket] += self.outstanding
        overdue = self.status == Status.OVERDUE
        if overdue:
            acc.overdue_count += 1
            acc.overdue_amount += self.outstanding
        if self.legacy:
            acc.legacy_count += 1
            acc.legacy_amount += self.outstanding
        if self.paid_on is not None and params.period_from <= self.paid_on <= params.period_end:
            days = max(0, (self.paid_on - o.trigger_on).days)
            acc.paid_count += 1
            acc.paid_amount += o.principal
            acc.days_to_pay_total += days
            if days <= 30:
                acc.paid_within_30 += 1
            elif days <= 60:
                acc.paid_31_60 += 1
            else:
                acc.paid_over_60 += 1
            if self.paid_on > o.due_on:
                acc.paid_late_count += 1
                acc.paid_late_amount += o.principal
        if self.stock:
            acc.stock_count += 1
            acc.stock_base += self.stock_base or ZERO
            acc.stock_outstanding += self.outstanding
            if self.stock_base and not self.outstanding:
                acc.stock_cleared_count += 1
            if overdue:
                acc.stock_arrears += self.outstanding
        elif overdue:
            acc.new_arrears += self.outstanding


def _open_outstanding(o: Obligation, as_of: date) -> tuple[str, Decimal, int, date | None]:
    state = obligation_state(o, as_of)
    status = status_of(o, state, as_of)
    outstanding = state.principal_outstanding if status in OPEN_STATUSES else ZERO
    return status, outstanding, state.days_overdue, state.fully_paid_on


def _population(user: User, as_of: date):
    """The obligations a report counts (see the module's docstring), scoped to ``user``."""
    qs = visible_to(user, Obligation.objects.all())
    return qs.filter(arose_on__lte=as_of).exclude(outcome=Outcome.CANCELLED, outcome_on__lte=as_of)


def obligation_population(*, user: User, as_of: date, graph: AgencyGraph | None = None):
    """The obligations a report counts, scoped to ``user``, with entries and the SQL R5 flag."""
    qs = (
        _population(user, as_of)
        .select_related("debtor_agency")
        .prefetch_related(Prefetch("entries", LedgerEntry.objects.order_by("on", "id")))
    )
    return with_legacy(qs, as_of, graph).order_by("id")


def obligation_figures(queryset, params: ReportParams) -> Iterable[ObligationFigures]:
    for o in queryset.iterator(chunk_size=CHUNK):
        status, outstanding, days, paid_on = _open_outstanding(o, params.as_of)
        stock = o.arose_on < params.stock_cutoff
        base = None
        if stock:
            before = params.stock_cutoff - timedelta(days=1)
            base = _open_outstanding(o, before)[1] if o.arose_on <= before else ZERO
        yield ObligationFigures(o, status, outstanding, days, bool(o.legacy_as_of), stock, base, paid_on)


@dataclass
class ObligationTotals:
    params: ReportParams
    graph: AgencyGraph
    per_agency: dict[int, Figures]
    per_tenure: dict[tuple, Figures]
    tenures: dict[int, Tenure]
    total: Figures


def tenure_key(facts: LegacyFacts, graph: AgencyGraph, agency_id: int, day: date, tenures: dict[int, Tenure]) -> tuple:
    """The per-tenure row of something of ``agency_id`` dated ``day``: ("tenure", pk) of the
    principal in force that day (following successor agencies), or ("vacant", the agency
    answerable that day); the tenure is remembered in ``tenures``."""
    tenure = facts.principal_on(agency_id, day)
    if tenure is None:
        return ("vacant", graph.answerable(agency_id, day))
    tenures[tenure.pk] = tenure
    return ("tenure", tenure.pk)


def _add(acc: Figures, values: dict) -> None:
    """Add one group's sums from ``report_sql`` (``ageing_count:d1_30`` names a dict entry)."""
    for name, value in values.items():
        if ":" in name:
            kind, key = name.split(":")
            getattr(acc, kind)[key] += value
        else:
            setattr(acc, name, getattr(acc, name) + value)


def _obligation_totals_sql(user: User, params: ReportParams, graph: AgencyGraph) -> ObligationTotals:
    """``obligation_totals`` summed by PostgreSQL (ledger/selectors/report_sql.py)."""
    population = _population(user, params.as_of)
    # the agencies owing any of them: one index probe per agency, not a DISTINCT over the million
    # obligations (0.17 s at a province, issue 9)
    owing = population.order_by().filter(debtor_agency=OuterRef("pk"))
    debtors = set(Agency.objects.filter(Exists(owing)).values_list("pk", flat=True))
    facts = LegacyFacts.load(debtors)
    all_tenures: dict[int, Tenure] = {}
    segs = segments(graph, facts, debtors, params.as_of, all_tenures)
    rows = report_sql.obligation_totals(
        population,
        as_of=params.as_of,
        stock_cutoff=params.stock_cutoff,
        period_from=params.period_from,
        period_end=params.period_end,
        segs=segs,
        ageing=AGEING,
    )
    per_agency: dict[int, Figures] = defaultdict(Figures)
    per_tenure: dict[tuple, Figures] = defaultdict(Figures)
    total = Figures()
    for debtor, values in rows.per_debtor.items():
        _add(per_agency[graph.answerable(debtor, params.as_of)], values)
    for k, values in rows.per_segment.items():
        _add(per_tenure[segs[k].key], values)
    _add(total, rows.total)
    tenures = {key[1]: all_tenures[key[1]] for key in per_tenure if key[0] == "tenure"}
    return ObligationTotals(params, graph, dict(per_agency), dict(per_tenure), tenures, total)


def obligation_totals(*, user: User, params: ReportParams) -> ObligationTotals:
    """The one pass: per answerable agency (following successions as of ``as_of``), per principal
    tenure in force when each obligation arose, and in total. On PostgreSQL the database sums
    (``report_sql``); the pass below is the reference it is proved against."""
    graph = AgencyGraph.load()
    if report_sql.available():
        return _obligation_totals_sql(user, params, graph)
    queryset = obligation_population(user=user, as_of=params.as_of, graph=graph)
    debtors = set(queryset.values_list("debtor_agency_id", flat=True).distinct())
    facts = LegacyFacts.load(debtors)
    per_agency: dict[int, Figures] = defaultdict(Figures)
    per_tenure: dict[tuple, Figures] = defaultdict(Figures)
    total = Figures()
    tenures: dict[int, Tenure] = {}
    for fig in obligation_figures(queryset, params):
        o = fig.obligation
        fig.add_to(total, params)
        fig.add_to(per_agency[graph.answerable(o.debtor_agency_id, params.as_of)], params)
        fig.add_to(per_tenure[tenure_key(facts, graph, o.debtor_agency_id, o.arose_on, tenures)], params)
    return ObligationTotals(params, graph, dict(per_agency), dict(per_tenure), tenures, total)


# --- outstanding arrears month by month --------------------------------------------------------
def month_ends(as_of: date, months: int = 12) -> list[date]:
    """The last day of each of the ``months`` months up to ``as_of`` (the current month: ``as_of``)."""
    out = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        last = date(year, month, _calendar.monthrange(year, month)[1])
        out.append(min(last, as_of))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return sorted(out)


@dataclass
class MonthArrears:
    on: date
    stock: Decimal = ZERO
    new: Decimal = ZERO
    count: int = 0

    @property
    def total(self) -> Decimal:
        return self.stock + self.new


def arrears_by_month(*, user: User, params: ReportParams, months: int = 12) -> list[MonthArrears]:
    """Outstanding overdue principal at each month end, stock and new (one pass, as-of each month)."""
    ends = month_ends(params.as_of, months)
    series = [MonthArrears(on) for on in ends]
    queryset = visible_to(user, Obligation.objects.all()).filter(arose_on__lte=params.as_of)
    queryset = queryset.exclude(outcome=Outcome.CANCELLED, outcome_on__lte=ends[0])
    if report_sql.available():
        sums = report_sql.arrears_by_month(queryset, ends=ends, stock_cutoff=params.stock_cutoff)
        for j, point in enumerate(series):
            figures = sums.get(j)
            if figures:
                point.count, point.stock, point.new = figures["count"], figures["stock"], figures["new"]
        return series
    queryset = queryset.prefetch_related(Prefetch("entries", LedgerEntry.objects.order_by("on", "id")))
    for o in queryset.order_by("id").iterator(chunk_size=CHUNK):
        for point in series:
            if o.arose_on > point.on or o.due_on >= point.on:
                continue
            status, outstanding, _days, _paid = _open_outstanding(o, point.on)
            if status != Status.OVERDUE:
                continue
            point.count += 1
            if o.arose_on < params.stock_cutoff:
                point.stock += outstanding
            else:
                point.new += outstanding
    return series


# --- policies: redemption on time and 免申即享 --------------------------------------------------
@dataclass
class PolicyFigures:
    redemptions: int = 0
    amount: Decimal = ZERO
    free_apply: int = 0  # 免申即享: found eligible by the agency, no application
    free_apply_amount: Decimal = ZERO
    approved: int = 0
    decided: int = 0  # paid by as_of, or unpaid past its due date
    on_time: int = 0  # paid on or before its due date
    overdue: int = 0

    @property
    def free_apply_share(self) -> Decimal | None:
        return percent(self.free_apply, self.redemptions)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.decided)


class RedemptionResult:
    """Where an approved redemption stands as of a date (its obligation's payment)."""

    APPROVED = "approved"  # approved, neither paid off nor overdue yet
    ON_TIME = "on_time"  # paid off on or before its due date
    LATE = "late"  # paid off after its due date
    OVERDUE = "overdue"  # unpaid past its due date

    DECIDED = (ON_TIME, LATE, OVERDUE)


def redemption_population(*, user: User, as_of: date):
    """The redemptions a report counts: arisen (applied, or found eligible) by ``as_of``."""
    return (
        visible_to(user, Redemption.objects.all())
        .annotate(arose=Coalesce("applied_on", "eligible_on"))
        .filter(arose__lte=as_of)
        .select_related("policy", "obligation")
        .prefetch_related(Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id")))
        .order_by("id")
    )


def redemption_result(r: Redemption, as_of: date) -> str | None:
    """None when not approved by ``as_of``; else a ``RedemptionResult``."""
    if r.approved_on is None or r.approved_on > as_of or r.obligation is None:
        return None
    o = r.obligation
    if o.arose_on > as_of:
        return RedemptionResult.APPROVED
    state = obligation_state(o, as_of)
    paid = state.fully_paid_on
    if paid is not None:
        return RedemptionResult.ON_TIME if paid <= o.due_on else RedemptionResult.LATE
    if status_of(o, state, as_of) == Status.OVERDUE:
        return RedemptionResult.OVERDUE
    return RedemptionResult.APPROVED


def policy_figures(*, user: User, as_of: date) -> tuple[dict, dict[int, PolicyFigures], PolicyFigures]:
    """Per policy: redemptions arisen by ``as_of``, the 免申即享 share and the on-time rate of
    redemption (the obligation approval created, paid within the policy's 兑现时限)."""
    per_policy: dict[int, PolicyFigures] = defaultdict(PolicyFigures)
    policies: dict = {}
    total = PolicyFigures()
    for r in redemption_population(user=user, as_of=as_of).iterator(chunk_size=CHUNK):
        policies[r.policy_id] = r.policy
        result = redemption_result(r, as_of)
        for acc in (per_policy[r.policy_id], total):
            acc.redemptions += 1
            acc.amount += r.amount
            if r.eligible_on is not None:
                acc.free_apply += 1
                acc.free_apply_amount += r.amount
            if result is not None:
                acc.approved += 1
            if result in RedemptionResult.DECIDED:
                acc.decided += 1
                acc.on_time += result == RedemptionResult.ON_TIME
                acc.overdue += result == RedemptionResult.OVERDUE
    return policies, dict(per_policy), total


# --- per principal tenure: on-time reply, decision performance and redemption on time ------------
@dataclass
class TenureRates:
    """The rates of one principal tenure (or vacancy), over the items whose deadline fell in it."""

    replies: Rate  # R7 按期办复率
    decisions: DecisionRates  # 生效判决、裁定、行政复议决定: performed by as_of / on time
    redemptions_decided: int = 0  # as the policies section: paid off, or unpaid past due
    redemptions_on_time: int = 0

    @property
    def redemption_on_time_rate(self) -> Decimal | None:
        return percent(self.redemptions_on_time, self.redemptions_decided)


@dataclass
class TenureRateTotals:
    per_tenure: dict[tuple, TenureRates]  # keyed as ObligationTotals.per_tenure
    tenures: dict[int, Tenure]


def tenure_rates(*, user: User, params: ReportParams) -> TenureRateTotals:
    """R7's on-time reply rate, the decision performance rates and the redemption on-time rate per
    principal tenure. Each item belongs to the tenure of its recipient (debtor) agency in force
    on its deadline (due date), following successor agencies as the obligations do — the head
    who had to reply, perform or pay by then — not to the tenure in force when it was served or
    arose, nor on ``as_of``. Only what a rate counts places an item: a recommendation or decision
    whose deadline fell in the period and on or before ``as_of`` (R7's window), a redemption paid
    off or overdue as of ``as_of`` (the policies section's); so every tenure's counts add up to
    the agency's and the total's."""
    as_of = params.as_of
    window = {"period_start": params.period_from, "period_end": params.period_to, "as_of": as_of}

    def counted(deadline: date) -> bool:
        return params.period_from <= deadline <= params.period_end

    replies = [
        row
        for row in visible_to(user, Recommendation.objects.all())
        .values_list("recipient_id", "deadline", "replied_on")
        .order_by("id")
        if counted(row[1])
    ]
    decisions = [
        row
        for row in visible_to(user, Decision.objects.all())
        .values_list("agency_id", "performance_deadline", "performed_on")
        .order_by("id")
        if counted(row[1])
    ]
    redemptions = []
    for r in redemption_population(user=user, as_of=as_of).iterator(chunk_size=CHUNK):
        result = redemption_result(r, as_of)
        if result in RedemptionResult.DECIDED:
            o = r.obligation
            redemptions.append((o.debtor_agency_id, o.due_on, result == RedemptionResult.ON_TIME))

    graph = AgencyGraph.load()
    facts = LegacyFacts.load({row[0] for rows in (replies, decisions, redemptions) for row in rows})
    tenures: dict[int, Tenure] = {}
    reply_items: dict[tuple, list] = defaultdict(list)
    decision_items: dict[tuple, list] = defaultdict(list)
    on_redemptions: dict[tuple, list[bool]] = defaultdict(list)
    for agency_id, deadline, replied_on in replies:
        reply_items[tenure_key(facts, graph, agency_id, deadline, tenures)].append((deadline, replied_on))
    for agency_id, deadline, performed_on in decisions:
        decision_items[tenure_key(facts, graph, agency_id, deadline, tenures)].append((deadline, performed_on))
    for agency_id, due_on, on_time in redemptions:
        on_redemptions[tenure_key(facts, graph, agency_id, due_on, tenures)].append(on_time)
    per_tenure = {
        key: TenureRates(
            replies=rate_of(reply_items.get(key, []), **window),
            decisions=decision_rates_of(decision_items.get(key, []), **window),
            redemptions_decided=len(on_redemptions.get(key, [])),
            redemptions_on_time=sum(on_redemptions.get(key, [])),
        )
        for key in reply_items.keys() | decision_items.keys() | on_redemptions.keys()
    }
    return TenureRateTotals(per_tenure, tenures)


# --- 条例 (2025) art. 18 / art. 22: the yearly disclosure ------------------------------------------
def publication_article(year: int) -> str:
    """Published by 31 March of the next year: the 2025 text (arts. 18, 22) from 2025-06-01."""
    if date(year + 1, 3, 31) >= date(2025, 6, 1):
        return "《保障中小企业款项支付条例》（2025年修订）第十八条、第二十二条"
    return "《保障中小企业款项支付条例》（2020年）第十六条"


@dataclass
class DisclosureFigures:
    contracts: set = field(default_factory=set)
    obligations: int = 0
    overdue_amount: Decimal = ZERO


def sme_disclosure(*, user: User, year: int, grouper) -> tuple[date, AgencyGraph, dict[int, DisclosureFigures]]:
    """Per agency answerable on 31 December of ``year``: the SME contracts (obligations under the
    条例 regime, grouped by their contract where one is known) with payments overdue and unpaid on
    that day, and the overdue amount."""
    year_end = date(year, 12, 31)
    graph = AgencyGraph.load()
    qs = (
        visible_to(user, Obligation.objects.filter(regime=Regime.SME_PROCUREMENT))
        .filter(arose_on__lte=year_end, due_on__lt=year_end)
        .exclude(Q(outcome__in=[Outcome.CANCELLED, Outcome.WRITTEN_OFF], outcome_on__lte=year_end))
        .prefetch_related(Prefetch("entries", LedgerEntry.objects.order_by("on", "id")))
        .order_by("id")
    )
    overdue: list[tuple[Obligation, Decimal]] = []
    for o in qs.iterator(chunk_size=CHUNK):
        status, outstanding, _days, _paid = _open_outstanding(o, year_end)
        if status == Status.OVERDUE and outstanding > 0:
            overdue.append((o.pk, o.debtor_agency_id, outstanding))
    keys = grouper([pk for pk, _a, _m in overdue])
    per_agency: dict[int, DisclosureFigures] = defaultdict(DisclosureFigures)
    for pk, agency_id, outstanding in overdue:
        acc = per_agency[graph.answerable(agency_id, year_end)]
        acc.contracts.add(keys.get(pk, f"obligation:{pk}"))
        acc.obligations += 1
        acc.overdue_amount += outstanding
    return year_end, graph, dict(per_agency)
