"""The obligations' report figures summed by PostgreSQL (issue 9): the same figures as the Python
pass in ledger/selectors/reports.py, without reading a million obligations into Python.

Two stored facts make it possible:

- the state of an obligation as of a date D (principal outstanding, the day principal was paid
  off). With no entry dated after D it is the running totals the payment service keeps on the
  obligation (``principal_paid``, ``fully_paid_on``); an obligation with a later entry takes the
  state stored beside its last entry on or before D (``LedgerEntry.after_*``, the rule's own
  walk). As of today no entry is later, so no entry is read at all;
- R5 (新官不理旧账) per *segment* (``live.segments``): every obligation of a debtor that arose
  between two days on which its principal can change has the same R5 answer as of D and the same
  principal tenure, so the rule is asked once per segment and the query joins each obligation
  to its segment.

Everything else is the Python pass's own arithmetic, as SQL aggregates. PostgreSQL only; the
Python pass stays for SQLite and whenever an entry lacks its stored state.
tests/ledger/test_report_sql_pg.py proves the figures equal, agency by agency and tenure by
tenure, on every case the money rule distinguishes, handovers and a merger included.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

from ledger.models import LedgerEntry, Outcome
from ledger.selectors import asof_sql
from ledger.selectors.live import DAYS_PER_AGENCY, EPOCH, Segment, day_key

CLOSING = (Outcome.WRITTEN_OFF.value, Outcome.CANCELLED.value)

ZERO = Decimal("0.00")

available = asof_sql.available


@contextmanager
def _analytic(**settings: str):
    """A cursor for one summing query over the whole province: without JIT (PostgreSQL's compiler
    took 0.7 s of a 4 s query, measured) and with the memory to hash a few thousand groups and a
    million rows (stock ``work_mem``, 4 MB, spilled 125 MB to disk), plus ``settings``. They hold
    for this query only: with ATOMIC_REQUESTS the request is one transaction, and a ``SET LOCAL``
    inside a savepoint would last to its end, so each is put back as it was once the query is read
    (a failed query rolls its savepoint back, and the settings with it)."""
    settings = {"jit": "off", "work_mem": "64MB", **settings}
    names = list(settings)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        before = cursor.fetchone()
        _set(cursor, settings)
        yield cursor
        _set(cursor, dict(zip(names, before, strict=True)))


def _set(cursor, settings: dict[str, str]) -> None:
    pairs = [item for name, value in settings.items() for item in (name, value)]
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)), pairs)


def _d(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


@dataclass(frozen=True)
class _State:
    """How obligation ``o``'s state as of a day is read: FROM-clause ``joins``, and SQL for its
    principal ``outstanding`` and its paid-off day (``paid_on``). ``running_totals``: no entry is
    dated after the day (as of today, always), so the totals the payment service keeps on the
    obligation are that state and nothing is joined."""

    joins: str
    outstanding: str
    paid_on: str

    @property
    def running_totals(self) -> bool:
        return not self.joins


def _state(day: date) -> _State:
    """The state of obligation ``o`` as of ``day``: the running totals, or else the state stored
    beside each obligation's last entry on or before ``day`` (none: its principal, unpaid), from
    one ``DISTINCT ON`` over those entries, joined by hash."""
    if not LedgerEntry.objects.filter(on__gt=day).exists():
        return _State("", "(o.principal - o.principal_paid)", "o.fully_paid_on")
    joins = f"""
LEFT JOIN (
    SELECT DISTINCT ON (e.obligation_id) e.obligation_id, e.after_principal_outstanding AS outstanding,
           e.after_fully_paid_on AS paid_on
    FROM ledger_ledgerentry e WHERE e."on" <= {_d(day)}
    ORDER BY e.obligation_id, e."on" DESC, e.id DESC
) d ON d.obligation_id = o.id"""  # noqa: S608 - dates we format ourselves
    return _State(joins, "COALESCE(d.outstanding, o.principal)", "d.paid_on")


def _closed(day: str) -> str:
    """Written off or cancelled on or before ``day`` (SQL), as ``status_of`` has it. The day is
    tested first: most obligations have none, and the outcome's text is then never compared."""
    return f"CASE WHEN o.outcome_on <= {day} THEN o.outcome IN ('{CLOSING[0]}', '{CLOSING[1]}') ELSE FALSE END"


def _inner(queryset: QuerySet) -> tuple[str, tuple]:
    inner = queryset.prefetch_related(None).order_by().values(
        "id", "debtor_agency_id", "principal", "principal_paid", "fully_paid_on", "arose_on", "trigger_on",
        "due_on", "outcome", "outcome_on", "open_until",
    )  # fmt: skip
    return inner.query.sql_with_params()


# Each obligation's status as of the date, as a small whole number: grouping, sorting and testing
# a million of these, PostgreSQL spent 0.2 s more on the status as text (issue 9, measured).
CLOSED, PAID, NOT_YET_DUE, DUE, OVERDUE = range(5)

# What the totals tell apart about one obligation, packed into the bits of one number beside its
# R5 segment (``k * _SEGMENT + code``): the status (bits 0–2), the ageing bucket if overdue (an
# index into reports.AGEING, 3–5), stock (6), paid off in the period (7), the pay band then (0–2;
# 3: not paid in the period; 8–9), paid late (10), closed by the day before the cut-off (11) and
# paid off by then (12: paid off since, so owing nothing at the cut-off, whatever its entries).
# Grouped by that number, a million obligations become 34,000 groups, and PostgreSQL hashes them
# in its workers (a partial aggregate), where grouping by ten columns it had no statistics of made
# it sort the million rows in one process (issue 9, measured). The number names no amount: an
# amount's distinct values in it made PostgreSQL expect a group per row, and sort again.
_BUCKET, _STOCK, _IN_PERIOD, _BAND, _LATE, _CLOSED_C, _PAID_C = 8, 64, 128, 256, 1024, 2048, 4096
_NOT_IN_PERIOD = 3 * _BAND
_SEGMENT = 8192
_OWED_AT_CUTOFF = _STOCK + _CLOSED_C + _PAID_C  # of these bits, stock alone: open the day before the cut-off


def _code(ageing, *, as_of: date, before: date, stock_cutoff: date, period_from: date, period_end: date,
          state: _State) -> str:  # fmt: skip
    """The packed number of obligation ``o`` (SQL), each condition tested once per row: the
    status as ``status_of`` has it (closed, paid off, not yet due, due that day, overdue), with
    its state as of ``as_of`` read as ``state`` says."""
    d_paid = state.paid_on
    d = _d(as_of)
    buckets = " ".join(
        f"WHEN {d} - o.due_on >= {low}" + (f" AND {d} - o.due_on <= {high}" if high is not None else "") + f" THEN {i}"
        for i, (_key, _label, low, high) in enumerate(ageing[1:], start=1)
    )
    by_due = f"""CASE WHEN {d} < o.due_on THEN {NOT_YET_DUE} WHEN {d} = o.due_on THEN {DUE}
             ELSE {OVERDUE} + {_BUCKET} * CASE {buckets} ELSE 0 END END"""
    if state.running_totals:
        # the running totals: still open on the date (open_until, kept by the database) and not
        # paid off is neither closed nor paid, and the outcome is read only for the others
        status = f"""CASE WHEN o.open_until > {d} AND o.fully_paid_on IS NULL THEN {by_due}
             WHEN {_closed(d)} THEN {CLOSED} ELSE {PAID} END"""
    else:
        status = f"""CASE WHEN {_closed(d)} THEN {CLOSED} WHEN {d_paid} IS NOT NULL THEN {PAID} ELSE {by_due} END"""
    days_to_pay = f"{d_paid} - o.trigger_on"  # GREATEST(0, …) <= 30 is the same test
    payment = f"""CASE WHEN {d_paid} BETWEEN {_d(period_from)} AND {_d(period_end)} THEN
                 {_IN_PERIOD}
                 + {_BAND} * CASE WHEN {days_to_pay} <= 30 THEN 0 WHEN {days_to_pay} <= 60 THEN 1 ELSE 2 END
                 + {_LATE} * ({d_paid} > o.due_on)::int
             ELSE {_NOT_IN_PERIOD} END"""
    return f"""({status})
           + ({payment})
           + {_STOCK} * (o.arose_on < {_d(stock_cutoff)})::int + {_CLOSED_C} * ({_closed(_d(before))})::int
           + {_PAID_C} * COALESCE(o.fully_paid_on <= {_d(before)}, FALSE)::int"""


def _segment_of() -> str:
    """The index (0-based) of obligation ``o``'s R5 segment: one binary search of its (debtor, day)
    number in the sorted starts of every segment (``_starts``, a bound parameter)."""
    return (
        f"width_bucket(o.debtor_agency_id::bigint * {DAYS_PER_AGENCY} + (o.arose_on - DATE '{EPOCH.isoformat()}'),"
        " %s::bigint[]) - 1"
    )


def _decoded() -> str:
    """The packed number's parts, as the columns ``_figures`` tests (``g``: one row per number)."""
    return f"""(%s::integer[])[key / {_SEGMENT} + 1] AS debtor_agency_id, key / {_SEGMENT} AS k,
           (%s::boolean[])[key / {_SEGMENT} + 1] AS legacy,
           key & 7 AS st, (key / {_BUCKET}) & 7 AS bucket, (key & {_STOCK}) <> 0 AS stock,
           (key & {_IN_PERIOD}) <> 0 AS in_period, (key / {_BAND}) & 3 AS pay_band, (key & {_LATE}) <> 0 AS paid_late,
           n, principal, days_to_pay,
           CASE WHEN key & 7 IN ({NOT_YET_DUE}, {DUE}, {OVERDUE}) THEN principal - paid ELSE 0 END AS open_out,
           -- the stock base and the cleared ones as if no entry were dated before the cut-off;
           -- _correct_stock adds the difference the entries make
           CASE WHEN key & {_OWED_AT_CUTOFF} = {_STOCK} THEN principal ELSE 0 END AS base,
           CASE WHEN key & {_OWED_AT_CUTOFF} <> {_STOCK} THEN 0 WHEN key & 7 IN ({CLOSED}, {PAID}) THEN n
                ELSE zero_n END AS cleared_n"""


def _figures(ageing) -> tuple[tuple[str, str], ...]:
    """(Figures field, SQL aggregate over the groups ``g``): ``n`` obligations, and the sums of
    ``principal``, ``open_out``, ``base`` and ``days_to_pay`` of each group."""

    def count(cond: str | None = None) -> str:
        return "sum(n)" + (f" FILTER (WHERE {cond})" if cond else "")

    def total(column: str, cond: str | None = None) -> str:
        return f"sum({column})" + (f" FILTER (WHERE {cond})" if cond else "")

    overdue = f"st = {OVERDUE}"
    not_yet = f"st IN ({NOT_YET_DUE}, {DUE})"
    return (
        ("obligations", count()),
        ("principal", total("principal")),
        ("outstanding", total("open_out")),
        ("overdue_count", count(overdue)),
        ("overdue_amount", total("open_out", overdue)),
        (f"ageing_count:{ageing[0][0]}", count(not_yet)),
        (f"ageing_amount:{ageing[0][0]}", total("open_out", not_yet)),
        *[
            item
            for i, (key, *_rest) in enumerate(ageing[1:], start=1)
            for item in (
                (f"ageing_count:{key}", count(f"{overdue} AND bucket = {i}")),
                (f"ageing_amount:{key}", total("open_out", f"{overdue} AND bucket = {i}")),
            )
        ],
        ("legacy_count", count(f"{overdue} AND legacy")),
        ("legacy_amount", total("open_out", f"{overdue} AND legacy")),
        ("paid_count", count("in_period")),
        ("days_to_pay_total", total("days_to_pay", "in_period")),
        ("paid_within_30", count("in_period AND pay_band = 0")),
        ("paid_31_60", count("in_period AND pay_band = 1")),
        ("paid_over_60", count("in_period AND pay_band = 2")),
        ("paid_late_count", count("paid_late")),
        ("paid_amount", total("principal", "in_period")),
        ("paid_late_amount", total("principal", "paid_late")),
        ("stock_count", count("stock")),
        ("stock_base", total("base", "stock")),
        ("stock_outstanding", total("open_out", "stock")),
        ("stock_cleared_count", "sum(cleared_n)"),
        ("stock_arrears", total("open_out", f"stock AND {overdue}")),
        ("new_arrears", total("open_out", f"NOT stock AND {overdue}")),
    )


_WHOLE = frozenset({"days_to_pay_total", "stock_cleared_count"})  # whole numbers besides the counts


@dataclass
class TotalsRows:
    per_debtor: dict[int, dict]
    per_segment: dict[int, dict]
    total: dict


def _starts(segs: list[Segment]) -> list[int]:
    starts = [day_key(s.agency_id, s.start_on) for s in segs]
    if starts != sorted(starts):
        raise ValueError("segments must come by debtor, then by day (live.segments)")
    return starts


def obligation_totals(
    population: QuerySet,
    *,
    as_of: date,
    stock_cutoff: date,
    period_from: date,
    period_end: date,
    segs: list[Segment],
    ageing: tuple,
) -> TotalsRows:
    """The ``_figures`` of ``population`` (reports.obligation_population without its extras) per
    debtor agency, per segment (index into ``segs``) and in total; each a dict field → value.
    ``ageing`` is reports.AGEING, whose buckets the figures sum. ``segs`` must hold every debtor
    of the population, each from date.min on, as ``live.segments`` gives them."""
    figures_sql = _figures(ageing)
    try:
        inner_sql, inner_params = _inner(population)
    except EmptyResultSet:
        return TotalsRows({}, {}, {})
    before = stock_cutoff - timedelta(days=1)
    state = _state(as_of)
    # what was paid of the principal by the date: the running total, or principal − the state
    paid = "o.principal_paid" if state.running_totals else f"o.principal - {state.outstanding}"
    zero = "o.principal_paid = o.principal" if state.running_totals else f"{state.outstanding} = 0"
    code = _code(
        ageing,
        as_of=as_of,
        before=before,
        stock_cutoff=stock_cutoff,
        period_from=period_from,
        period_end=period_end,
        state=state,
    )
    aggregates = ",\n       ".join(
        # sum() of counts is numeric in PostgreSQL: whole figures come back as integers
        f"COALESCE({sql}, 0)::bigint" if sql.startswith("sum(n)") or name in _WHOLE else f"COALESCE({sql}, 0.00)"
        for name, sql in figures_sql
    )
    sql = f"""
SELECT GROUPING(debtor_agency_id, k), debtor_agency_id, k,
       {aggregates}
FROM (
    SELECT {_decoded()}
    FROM (
        SELECT ({_segment_of()})::bigint * {_SEGMENT} + {code} AS key,
               count(*) AS n, sum(o.principal) AS principal, sum({paid}) AS paid,
               sum(GREATEST(0, {state.paid_on} - o.trigger_on)) AS days_to_pay,
               count(*) FILTER (WHERE {zero}) AS zero_n  -- nothing outstanding as of the date
        FROM ({inner_sql}) o
        {state.joins}
        GROUP BY 1
    ) packed
) g
GROUP BY GROUPING SETS ((debtor_agency_id), (k), ())
"""  # noqa: S608 - our own constants and Django's compiled SQL; user input only in bound parameters
    params = [  # in the order they appear
        [s.agency_id for s in segs],
        [s.legacy for s in segs],
        _starts(segs),
        *inner_params,
    ]
    out = TotalsRows({}, {}, {})
    # Reading every obligation, PostgreSQL prefers the table to obligation_arose_totals, which
    # holds the same columns in a quarter of the pages: read from the index, 1.5 → 1.2 s at a
    # million obligations (issue 9, measured).
    with _analytic(enable_seqscan="off") as cursor:
        cursor.execute(sql, params)
        for grouping, debtor, k, *values in cursor.fetchall():
            figures = dict(zip((name for name, _sql in figures_sql), values, strict=True))
            if grouping == 1:
                out.per_debtor[debtor] = figures
            elif grouping == 2:
                out.per_segment[k] = figures
            else:
                out.total = figures
    _correct_stock(out, population, as_of=as_of, state=state, stock_cutoff=stock_cutoff, segs=segs)
    return out


def _correct_stock(
    out: TotalsRows, population: QuerySet, *, as_of: date, state: _State, stock_cutoff: date, segs: list[Segment]
) -> None:
    """The stock base and the cleared count of the obligations with an entry dated before the
    cut-off: the totals took each stock obligation neither closed nor paid off (``fully_paid_on``:
    paid off since that day) by the day before to owe its whole principal then; an entry on or
    before that day says what it owed (its stored state, issue 9). One statement over those
    obligations alone, where joining the state to every obligation made each of PostgreSQL's
    processes build the same hash of 240,000 entries (0.7 s each, measured); of those, 70 % were
    paid off by then and are left to the totals."""
    before = stock_cutoff - timedelta(days=1)
    inner_sql, inner_params = _inner(population)
    d = _d(as_of)
    nothing_open = f"({_closed(d)} OR {state.paid_on} IS NOT NULL OR {state.outstanding} = 0)"
    sql = f"""
SELECT {_segment_of()} AS k,
       sum(c.base - o.principal) AS base,
       -count(*) FILTER (WHERE c.base = 0 AND {nothing_open}) AS cleared
FROM ({inner_sql}) o
-- the last entry on or before the day (none later on that day or before it): an anti-join the
-- processes share, where DISTINCT ON is sorted again in each
JOIN (
    SELECT e.obligation_id,
           CASE WHEN e.after_fully_paid_on IS NOT NULL THEN 0 ELSE e.after_principal_outstanding END AS base
    FROM ledger_ledgerentry e
    WHERE e."on" <= {_d(before)} AND NOT EXISTS (
        SELECT 1 FROM ledger_ledgerentry l
        WHERE l.obligation_id = e.obligation_id AND l."on" <= {_d(before)} AND (l."on", l.id) > (e."on", e.id))
) c ON c.obligation_id = o.id
{state.joins}
WHERE o.arose_on < {_d(stock_cutoff)} AND NOT {_closed(_d(before))}
  AND (o.fully_paid_on IS NULL OR o.fully_paid_on > {_d(before)})  -- the totals know the others owed nothing
GROUP BY 1
"""  # noqa: S608 - our own constants and Django's compiled SQL; user input only in bound parameters
    with _analytic() as cursor:
        cursor.execute(sql, [_starts(segs), *inner_params])
        rows = cursor.fetchall()
    for k, base, cleared in rows:
        for figures in (out.per_segment[k], out.per_debtor[segs[k].agency_id], out.total):
            figures["stock_base"] += base
            figures["stock_cleared_count"] += cleared


def arrears_by_month(population: QuerySet, *, ends: list[date], stock_cutoff: date) -> dict[int, dict]:
    """Per month end (index into ``ends``, ascending): overdue count and outstanding, stock and new.

    An obligation is overdue at the month ends from the first after its due date (``lo``) to the
    last before its closing (``hi``), while its principal is unpaid then. Two statements give rows
    of (lo, hi, stock, count, amount), each counted at every month end from lo to hi:

    - the obligations with no entry after the first month end (most of them): their running
      totals hold at every month end, and the unpaid ones are summed by (lo, hi, stock);
    - the others (an entry in the last months): each stretch between two of their entries holds
      the state stored beside the first, from the month end on or after it to the one before the
      next entry; before the first entry, the whole principal.

    Summing by (lo, hi) instead of writing a row per month end and obligation, and grouping by
    one number in PostgreSQL's workers, took the month ends from 1.7–2.3 s to 1.0–1.2 s (issue 9, measured
    on the same machine)."""
    try:
        inner_sql, inner_params = _inner(population)
    except EmptyResultSet:
        return {}
    first, months = ends[0], len(ends)
    ends_sql = "'{" + ",".join(day.isoformat() for day in ends) + "}'::date[]"  # dates we format ourselves
    stock = f"(o.arose_on < {_d(stock_cutoff)})::int"
    # the last month end before the closing: the month ends on or before the day before it, less one
    hi = (
        f"CASE WHEN o.outcome IN ('{CLOSING[0]}', '{CLOSING[1]}') AND o.outcome_on IS NOT NULL "
        f"THEN width_bucket(o.outcome_on - 1, {ends_sql}) ELSE {months} END - 1"
    )
    lo = f"width_bucket(o.due_on, {ends_sql})"  # the month ends on or before the due date
    late = f'SELECT 1 FROM ledger_ledgerentry l WHERE l.obligation_id = {{id}} AND l."on" > {_d(first)}'  # noqa: S608
    settled_sql = f"""
SELECT ({lo} * 64 + ({hi}) + 1) * 2 + {stock} AS key, count(*), sum(o.principal), sum(o.principal_paid)
FROM ({inner_sql}) o
WHERE o.fully_paid_on IS NULL AND NOT EXISTS ({late.format(id="o.id")})
GROUP BY 1
"""  # noqa: S608 - our own constants and Django's compiled SQL; user input only in bound parameters
    moving_sql = f"""
WITH entries AS MATERIALIZED (
    -- the entries of the obligations with one after the first month end, each with the month ends
    -- from the first on or after it (from_j) to the last before the next entry (to_j)
    SELECT e.obligation_id, e.after_principal_outstanding AS outstanding, e.after_fully_paid_on AS paid_on,
           width_bucket(e."on" - 1, {ends_sql}) AS from_j,
           COALESCE(width_bucket(lead(e."on") OVER w - 1, {ends_sql}), {months}) - 1 AS to_j,
           row_number() OVER w = 1 AS is_first
    FROM ledger_ledgerentry e
    WHERE EXISTS ({late.format(id="e.obligation_id")})
    WINDOW w AS (PARTITION BY e.obligation_id ORDER BY e."on", e.id)
), late_o AS MATERIALIZED (
    -- the population's obligations among them, found on their own (in parallel): joined to the
    -- stretches directly, PostgreSQL hashed the whole population (0.7 s, issue 9)
    SELECT o.id, o.principal, o.arose_on, o.due_on, o.outcome, o.outcome_on
    FROM ({inner_sql}) o WHERE EXISTS ({late.format(id="o.id")})
), spans AS (
    SELECT obligation_id, outstanding, from_j, to_j FROM entries WHERE paid_on IS NULL AND from_j <= to_j
    UNION ALL
    -- before the first entry: the principal, unpaid
    SELECT obligation_id, NULL, 0, from_j - 1 FROM entries WHERE is_first AND from_j > 0
)
SELECT (GREATEST(sp.from_j, {lo}) * 64 + LEAST(sp.to_j, {hi}) + 1) * 2 + {stock} AS key,
       count(*), sum(COALESCE(sp.outstanding, o.principal)), 0
FROM spans sp
JOIN late_o o ON o.id = sp.obligation_id
WHERE GREATEST(sp.from_j, {lo}) <= LEAST(sp.to_j, {hi})
GROUP BY 1
"""  # noqa: S608 - our own constants and Django's compiled SQL; user input only in bound parameters
    out = {j: {"count": 0, "stock": ZERO, "new": ZERO} for j in range(months)}
    for sql in (settled_sql, moving_sql):
        # Grouped by an expression PostgreSQL has no statistics of, it guesses a group per ten
        # rows and, to save sending those from its workers, reads the obligations in one process;
        # sending rows made cheaper, it reads them in three (issue 9, measured).
        with _analytic(parallel_tuple_cost="0.01") as cursor:
            cursor.execute(sql, inner_params)
            rows = cursor.fetchall()
        for key, n, amount, paid in rows:
            is_stock, span = key % 2, key // 2
            low, high = span // 64, span % 64 - 1
            for j in range(max(low, 0), min(high, months - 1) + 1):
                point = out[j]
                point["count"] += n
                point["stock" if is_stock else "new"] += amount - paid
    return out
