"""The obligations export's rows computed by PostgreSQL, as-of columns included (issue 9).

``OBLIGATION_EXPORT`` (ledger/api/export_columns.py) reads each obligation's entries and runs the
interest rule in Python: about 360 µs a row, an hour for a province. Here the same columns come
from one SELECT: the stored facts, the R5 flag the list already computes in SQL
(``with_legacy``), and the money state as of the date from the state stored after each entry
(``LedgerEntry.after_*``, kept by the payment service with ``rules.interest.entry_states``):

    state as of D = the state after the last entry on or before D
                    + outstanding × the days overdue after that entry, through D

(D is the money date, ``obligations.money_date``: the as-of date, or the write-off date of an
obligation written off by then, or the due date at the latest of one cancelled by then)

which is exactly how ``rules.interest.interest_state`` walks the entries (its accrual is linear
between entries). Interest = Σ(outstanding × days) × rate, rounded to 分 once, half up — the same
single rounding (``rules.interest.accrued_interest``); the daily rate is ``rules.interest._rate``'s
in SQL. Every value leaves as the text the Python columns write (``exports._cell_text``), so a
CSV is byte for byte the same whichever path wrote it: tests/ledger/test_export_sql_pg.py proves
it on every regime, allocation, reversal and outcome, as of dates before, between and after the
entries.

PostgreSQL only (LATERAL, ``date - date``); SQLite keeps the Python path. The path is also refused
while any entry lacks its stored state (written outside the payment service), so the export is
never computed from half-filled facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet

from ledger.exports import NO, YES
from ledger.models import LedgerEntry, Outcome, Regime, Source
from ledger.rules.interest import COURT_DELAY_DAILY_RATE, DAYS_PER_YEAR, SME_DEFAULT_DAILY_RATE
from ledger.selectors.obligations import NO_INTEREST_NOTE, Status


def available() -> bool:
    """The SQL path applies: PostgreSQL, and every entry carries its stored state."""
    if connection.vendor != "postgresql":
        return False
    return not LedgerEntry.objects.filter(after_principal_outstanding__isnull=True).exists()


def _lit(text: str) -> str:
    """A SQL string literal of one of our own constants (labels, notes). The query's only bound
    parameters are the list's own, so a ``%`` is doubled for the driver."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _labels(column: str, choices) -> str:
    """``CASE column WHEN code THEN label … ELSE column END`` (an unknown code is written as stored)."""
    whens = " ".join(f"WHEN {_lit(value)} THEN {_lit(label)}" for value, label in choices.choices)
    return f"CASE {column} {whens} ELSE {column} END"


def _bool(column: str) -> str:
    return f"CASE WHEN {column} THEN {_lit(YES)} WHEN NOT {column} THEN {_lit(NO)} END"


def obligation_export_rows(queryset: QuerySet, as_of: date) -> Iterator[tuple]:
    """The rows of ``OBLIGATION_EXPORT`` for ``queryset`` (scoped, filtered, ordered, with
    ``legacy_as_of``), as text, in the queryset's order.

    Read through ``COPY (…) TO STDOUT``, row by row as PostgreSQL sends them: memory stays bounded
    whatever the row count, the database computes while Python writes, and — unlike a cursor,
    which PostgreSQL never runs in parallel — the query may use parallel workers. COPY takes no
    bound parameters, so the list's own are quoted by the driver (psycopg's ``ClientCursor``)."""
    from psycopg import ClientCursor

    try:
        sql, params = obligation_export_sql(queryset, as_of)
    except EmptyResultSet:  # a scope or filter that can hold no row (id__in=[]) compiles to nothing
        return
    connection.ensure_connection()
    statement = ClientCursor(connection.connection).mogrify(sql, params)
    copy_sql = f"COPY ({statement}) TO STDOUT"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        yield from copy.rows()
    if connection.queries_logged:  # the driver's COPY bypasses Django's query log: record it there
        connection.queries_log.append({"sql": copy_sql, "time": f"{time.monotonic() - started:.3f}"})


def _money_or_note(text: str) -> Decimal | str:
    return text if text == NO_INTEREST_NOTE else Decimal(text)


# What OBLIGATION_EXPORT's Python columns give, column by column (None: the text itself): the
# XLSX writer needs numbers and dates, not their text.
_TYPES = (
    (None,) * 9  # 编号 … 签约时声明为中小企业 (是/否 is what the writer makes of a bool)
    + (Decimal, date.fromisoformat, date.fromisoformat, date.fromisoformat, Decimal)  # 本金 … 有争议金额
    + (None, date.fromisoformat, None, int, Decimal, Decimal, _money_or_note, _money_or_note, None)
)


def obligation_export_typed_rows(queryset: QuerySet, as_of: date) -> Iterator[list]:
    """``obligation_export_rows`` with the values the Python columns give (Decimal, date, int)."""
    for row in obligation_export_rows(queryset, as_of):
        yield [value if kind is None or value is None else kind(value) for kind, value in zip(_TYPES, row, strict=True)]


def obligation_export_sql(queryset: QuerySet, as_of: date) -> tuple[str, list]:
    inner = queryset.prefetch_related(None).annotate(
        x_agency=F("debtor_agency__name"), x_creditor=F("creditor__name"), x_uscc=F("creditor__uscc")
    )
    inner = inner.values(
        "id", "reference", "x_agency", "x_creditor", "x_uscc", "region_code", "source", "title", "regime",
        "sme_declared", "principal", "arose_on", "trigger_on", "due_on", "disputed_amount", "outcome",
        "outcome_on", "agreed_annual_rate", "lpr_at_signing", "legacy_as_of",
    )  # fmt: skip
    inner_sql, inner_params = inner.query.sql_with_params()
    d = f"DATE {_lit(as_of.isoformat())}"
    closing = (Outcome.WRITTEN_OFF.value, Outcome.CANCELLED.value)
    # The closing outcomes' status labels are Status's own (the codes are shared with Outcome).
    closing_label = " ".join(f"WHEN {_lit(c)} THEN {_lit(Status.labels[c])}" for c in closing)
    status = (
        f"CASE WHEN o.outcome IN ({_lit(closing[0])}, {_lit(closing[1])}) AND o.outcome_on <= {d}"
        f" THEN CASE o.outcome {closing_label} END"
        f" WHEN v.fully_paid_on IS NOT NULL THEN {_lit(Status.labels[Status.PAID])}"
        f" WHEN {d} < o.due_on THEN {_lit(Status.labels[Status.NOT_YET_DUE])}"
        f" WHEN {d} = o.due_on THEN {_lit(Status.labels[Status.DUE])}"
        f" ELSE {_lit(Status.labels[Status.OVERDUE])} END"
    )
    # obligations.money_date: the money of an obligation closed by the date is reckoned to its
    # write-off, or — cancelled, never owed — to its due date at the latest.
    money_date = (
        f"CASE WHEN o.outcome = {_lit(Outcome.WRITTEN_OFF.value)} AND o.outcome_on <= {d} THEN o.outcome_on"
        f" WHEN o.outcome = {_lit(Outcome.CANCELLED.value)} AND o.outcome_on <= {d}"
        f" THEN LEAST(o.outcome_on, o.due_on) ELSE {d} END"
    )
    # rules.interest._rate: the daily rate as numerator ÷ divisor; a NULL numerator: no interest.
    sme, contract, court = (_lit(r.value) for r in (Regime.SME_PROCUREMENT, Regime.CONTRACT, Regime.COURT_DECISION))
    numerator = (
        f"CASE o.regime"
        f" WHEN {sme} THEN CASE WHEN o.agreed_annual_rate IS NULL THEN {SME_DEFAULT_DAILY_RATE}::numeric"
        f" WHEN o.agreed_annual_rate < o.lpr_at_signing THEN o.lpr_at_signing ELSE o.agreed_annual_rate END"
        f" WHEN {contract} THEN o.agreed_annual_rate"
        f" WHEN {court} THEN {COURT_DELAY_DAILY_RATE}::numeric END"
    )
    divisor = (
        f"CASE WHEN (o.regime = {sme} AND o.agreed_annual_rate IS NULL) OR o.regime = {court}"
        f" THEN 1 ELSE {100 * DAYS_PER_YEAR} END"
    )
    no_interest = _lit(NO_INTEREST_NOTE)
    # Interpolated: our own constants (through _lit) and Django's compiled SQL of the list; what the
    # user sent travels only in Django's bound parameters (inner_params).
    sql = f"""
SELECT o.reference, o.x_agency, o.x_creditor, o.x_uscc, o.region_code, {_labels("o.source", Source)}, o.title,
       {_labels("o.regime", Regime)}, {_bool("o.sme_declared")}, o.principal::text,
       to_char(o.arose_on, 'YYYY-MM-DD'), to_char(o.trigger_on, 'YYYY-MM-DD'), to_char(o.due_on, 'YYYY-MM-DD'),
       o.disputed_amount::text, {_labels("o.outcome", Outcome)}, {_lit(as_of.isoformat())}, {status},
       GREATEST(0, LEAST(m.d, COALESCE(v.fully_paid_on, m.d)) - o.due_on)::text,
       (o.principal - v.outstanding)::text, v.outstanding::text,
       CASE WHEN r.numerator IS NULL THEN {no_interest} ELSE i.accrued::text END,
       CASE WHEN r.numerator IS NULL THEN {no_interest}
            ELSE (i.accrued - round(v.interest_paid, 2) - round(v.interest_waived, 2))::text END,
       {_bool("o.legacy_as_of")}
FROM ({inner_sql}) o
CROSS JOIN LATERAL (SELECT {money_date} AS d) m
LEFT JOIN LATERAL (
    SELECT e."on", e.after_principal_outstanding, e.after_balance_days, e.after_interest_paid,
           e.after_interest_waived, e.after_fully_paid_on
    FROM ledger_ledgerentry e
    WHERE e.obligation_id = o.id AND e."on" <= m.d
    ORDER BY e."on" DESC, e.id DESC
    LIMIT 1
) s ON TRUE
CROSS JOIN LATERAL (
    SELECT COALESCE(s.after_principal_outstanding, o.principal) AS outstanding,
           s.after_fully_paid_on AS fully_paid_on,
           COALESCE(s.after_interest_paid, 0) AS interest_paid,
           COALESCE(s.after_interest_waived, 0) AS interest_waived,
           COALESCE(s.after_balance_days, 0)
             + COALESCE(s.after_principal_outstanding, o.principal) * GREATEST(0, m.d - GREATEST(o.due_on, s."on"))
             AS balance_days
) v
CROSS JOIN LATERAL (SELECT {numerator} AS numerator, {divisor} AS divisor) r
CROSS JOIN LATERAL (SELECT round(v.balance_days * r.numerator / r.divisor, 2) AS accrued) i
"""  # noqa: S608
    return sql, list(inner_params)
