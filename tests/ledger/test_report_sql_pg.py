"""The report figures summed by PostgreSQL (ledger/selectors/report_sql.py) are the Python pass's
figures (ledger/selectors/reports.py), agency by agency, tenure by tenure and month by month, to
the digit as they are shown: on every case the money rule distinguishes, a handover, a vacancy,
an acting head, the same head back again and a bureau merged into the agency (issue 9)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ledger.models import LedgerEntry
from ledger.selectors import report_sql
from ledger.selectors.reports import ReportParams, arrears_by_month, obligation_totals
from tests.factories import AgencyFactory, TenureFactory
from tests.ledger.report_helpers import ob, pay
from tests.ledger.state_book import book_of

pytestmark = pytest.mark.postgres


def _more(world) -> None:
    """Beyond the book (agency A: 甲 until 2026-06-01, then 乙): agency B with a vacancy, an
    acting head, then 丙 and 丙 again; a bureau merged into A on 2026-07-01 with its own head."""
    b = world.agency_b
    TenureFactory(agency=b, person="丙", start_on=date(2025, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=b, person="丁", start_on=date(2026, 4, 1), end_on=date(2026, 7, 1), acting=True)
    TenureFactory(agency=b, person="丙", start_on=date(2026, 7, 1))
    bureau = AgencyFactory(successor=world.agency_a, succeeded_on=date(2026, 7, 1))
    TenureFactory(agency=bureau, person="戊", start_on=date(2024, 1, 1), end_on=date(2026, 7, 1))
    for agency, arose, due, principal in (
        (b, date(2025, 6, 1), date(2025, 7, 1), "5000.00"),  # under 丙, stock
        (b, date(2026, 3, 10), date(2026, 4, 10), "700.00"),  # in the vacancy
        (b, date(2026, 4, 15), date(2026, 5, 15), "800.00"),  # under acting 丁
        (b, date(2026, 8, 1), date(2026, 9, 1), "900.00"),  # under 丙 again
        (bureau, date(2025, 12, 1), date(2026, 1, 1), "1200.00"),  # under 戊, then A's 乙
        (bureau, date(2026, 5, 1), date(2026, 6, 1), "1300.00"),
        (world.agency_a, date(2019, 3, 1), date(2019, 4, 1), "100.00"),  # before any tenure
    ):
        ob(world, agency=agency, arose_on=arose, due_on=due, principal=principal)
    late = ob(world, agency=b, arose_on=date(2025, 9, 1), due_on=date(2025, 10, 1), principal="600.00")
    pay(world, late, "200.00", date(2026, 2, 20))
    pay(world, late, "400.00", date(2026, 9, 30))


def _shown(figures) -> dict:
    """Every field as the reports print it (a Decimal's exponent included)."""
    return {
        f.name: {k: str(v) for k, v in value.items()} if isinstance(value, dict) else str(value)
        for f in dataclasses.fields(figures)
        for value in [getattr(figures, f.name)]
    }


def _row_reads(queries) -> list[str]:
    """The Python pass reads the obligations through a server-side cursor."""
    return [q["sql"] for q in queries if q["sql"].startswith("DECLARE") and '"ledger_obligation"' in q["sql"]]


def _python(monkeypatch, fn):
    with monkeypatch.context() as patch:
        patch.setattr(report_sql, "available", lambda: False)
        return fn()


PARAMS = [
    ReportParams(date(2026, 6, 5), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)),
    ReportParams(date(2026, 11, 26), date(2026, 6, 1), date(2026, 5, 1), date(2026, 9, 30)),
    ReportParams(date(2026, 7, 1), date(2026, 7, 1), date(2026, 7, 1), date(2026, 7, 1)),
    ReportParams(date(2026, 5, 6), date(2025, 1, 1), date(2025, 1, 1), date(2026, 12, 31)),
    ReportParams(date(2031, 2, 28), date(2027, 1, 1), date(2026, 1, 1), date(2031, 2, 28)),
    ReportParams(date(2019, 3, 15), date(2019, 1, 1), date(2019, 1, 1), date(2019, 12, 31)),
]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.as_of.isoformat())
def test_the_sql_totals_are_the_python_totals(world, monkeypatch, params):
    book_of(world)
    _more(world)
    assert report_sql.available()
    user = world.auditor
    python = _python(monkeypatch, lambda: obligation_totals(user=user, params=params))
    with CaptureQueriesContext(connection) as queries:
        sql = obligation_totals(user=user, params=params)
    assert _row_reads(queries) == []  # no obligation is read into Python
    assert python.total.obligations > 0
    assert _shown(sql.total) == _shown(python.total)
    assert sorted(sql.per_agency) == sorted(python.per_agency)
    assert {a: _shown(f) for a, f in sql.per_agency.items()} == {a: _shown(f) for a, f in python.per_agency.items()}
    assert sorted(sql.per_tenure) == sorted(python.per_tenure)
    assert {k: _shown(f) for k, f in sql.per_tenure.items()} == {k: _shown(f) for k, f in python.per_tenure.items()}
    assert sql.tenures == python.tenures


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.as_of.isoformat())
def test_the_sql_month_ends_are_the_python_month_ends(world, monkeypatch, params):
    book_of(world)
    _more(world)
    user = world.auditor
    python = _python(monkeypatch, lambda: arrears_by_month(user=user, params=params))
    sql = arrears_by_month(user=user, params=params)
    assert [(p.on, p.count, str(p.stock), str(p.new)) for p in sql] == [
        (p.on, p.count, str(p.stock), str(p.new)) for p in python
    ]


def test_the_sql_figures_are_the_exact_figures(world):
    book = book_of(world)
    _more(world)
    params = ReportParams(date(2026, 6, 5), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    totals = obligation_totals(user=world.auditor, params=params)
    a = totals.per_agency[world.agency_a.pk]
    # A's book: its 11 obligations less the one cancelled on 5-01, plus the 2019 one; the bureau's
    # two are the bureau's own on 6-05 (merged into A only from 7-01)
    assert a.obligations == 11
    # overdue on 6-05 at A: the unpaid SME 200,000.00; 152,000.00 after an interest-first part
    # payment; 100,000.00 of 123,456.78 after a principal-first one; contract_rate's 50,112.00;
    # contract_no_rate's 80,000.00; the redemption's 2,000.00; written_off's 1,000.00 (written
    # off only from 7-01); the 2019 debt's 100.00. Not the court debt (paid off that very day),
    # the one below the LPR (5-31) nor the one paid early.
    assert (a.overdue_count, a.overdue_amount) == (8, Decimal("585212.00"))
    # all arose under 甲 (or, the 2019 one, before anyone held office) and 乙 is in office since
    # 6-01: every one of them is a 新官不理旧账 case
    assert (a.legacy_count, a.legacy_amount) == (8, Decimal("585212.00"))
    bureau = next(k for k in totals.per_agency if k not in (world.agency_a.pk, world.agency_b.pk))
    assert (totals.per_agency[bureau].obligations, totals.per_agency[bureau].overdue_amount) == (
        2,
        Decimal("2500.00"),
    )
    assert book["cancelled"].pk  # the cancelled one is not counted at all


def test_an_entry_without_its_state_sends_the_report_back_to_python(world, monkeypatch):
    book_of(world)
    LedgerEntry.objects.filter(pk=LedgerEntry.objects.order_by("id").first().pk).update(
        after_principal_outstanding=None
    )
    assert not report_sql.available()
    params = PARAMS[0]
    with CaptureQueriesContext(connection) as queries:
        obligation_totals(user=world.auditor, params=params)
    assert len(_row_reads(queries)) == 1  # the Python pass


def test_the_statements_settings_last_no_longer_than_the_statement(world):
    """With ATOMIC_REQUESTS a request is one transaction: the totals' and month ends' planner
    settings (JIT off, more work_mem, no sequential scan, cheaper parallel rows) must not stay on
    for the queries after them."""
    book_of(world)
    params = PARAMS[1]
    shown = (
        "SELECT current_setting('jit'), current_setting('work_mem'), current_setting('enable_seqscan'), "
        "current_setting('parallel_tuple_cost')"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(shown)
        before = cursor.fetchone()
        obligation_totals(user=world.auditor, params=params)
        arrears_by_month(user=world.auditor, params=params)
        cursor.execute(shown)
        assert cursor.fetchone() == before
    assert before[2:] == ("on", "0.1")
