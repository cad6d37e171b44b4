"""The obligations CSV computed by PostgreSQL (ledger/selectors/asof_sql.py) is byte for byte the
CSV the Python columns write (ledger/api/export_columns.py), on every regime, allocation,
reversal and outcome, as of dates before, on, between and after the entries (issue 9)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.api.export_columns import OBLIGATION_EXPORT
from ledger.exports import csv_chunks
from ledger.models import LedgerEntry, Obligation
from ledger.selectors import asof_sql
from ledger.selectors.live import with_legacy
from ledger.selectors.obligations import with_status
from tests.ledger.report_helpers import ob
from tests.ledger.state_book import AS_OF, DUE, book_of, entry

pytestmark = pytest.mark.postgres


def _rows(chunks) -> bytes:
    return b"".join(chunks)


def _both(as_of: date) -> tuple[bytes, bytes]:
    qs = with_legacy(with_status(Obligation.objects.order_by("id"), as_of), as_of)
    spec = OBLIGATION_EXPORT
    python = _rows(csv_chunks(spec.headers, spec.rows(qs, {"as_of": as_of})))
    sql = _rows(csv_chunks(spec.headers, asof_sql.obligation_export_rows(qs, as_of), text=True))
    return python, sql


@pytest.mark.parametrize("as_of", AS_OF, ids=str)
def test_sql_rows_are_the_python_rows_byte_for_byte(world, as_of):
    book_of(world)
    python, sql = _both(as_of)
    assert python.count(b"\r\n") == 12  # the header and 11 obligations
    assert sql == python


def _by_ref(data: bytes) -> dict[str, dict]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {row["编号"]: row for row in reader}


def test_the_sql_figures_are_the_rules_exact_figures(world):
    book = book_of(world)
    _, sql = _both(date(2026, 6, 5))
    rows = _by_ref(sql)
    # SPEC R3's example: 200,000.00 unpaid 30 days at 0.05 % a day
    unpaid = rows[book["sme_unpaid"].reference]
    assert (unpaid["状态（按统计日期）"], unpaid["逾期天数"]) == ("逾期", "30")
    assert (unpaid["应计逾期利息（元）"], unpaid["未付逾期利息（元）"]) == ("3000.00", "3000.00")
    # 50,000 paid on day 20: 2,000.00 of interest first, 48,000 to principal; then 152,000 × 10 days
    first = rows[book["sme_interest_first"].reference]
    assert (first["已付本金（元）"], first["未付本金（元）"]) == ("48000.00", "152000.00")
    assert (first["应计逾期利息（元）"], first["未付逾期利息（元）"]) == ("2760.00", "760.00")
    # the agreed rate below the LPR gives way to the LPR: 99,999.99 × 25 days × 3.45 % ÷ 365
    below = rows[book["sme_agreed_below_lpr"].reference]
    assert (below["状态（按统计日期）"], below["逾期天数"], below["应计逾期利息（元）"]) == (
        "本金已付清",
        "25",
        "236.30",
    )
    assert rows[book["contract_no_rate"].reference]["应计逾期利息（元）"] == "无法定逾期利息"
    assert rows[book["redemption"].reference]["未付本金（元）"] == "2000.00"
    assert rows[book["cancelled"].reference]["状态（按统计日期）"] == "已撤销"
    assert rows[book["written_off"].reference]["状态（按统计日期）"] == "逾期"  # written off only from 7-01
    assert rows[book["sme_unpaid"].reference]["新官不理旧账"] == "是"  # arose under 甲, 乙 since 6-01


def test_the_endpoint_uses_one_select_on_postgresql_in_the_lists_order(world, api):
    book = book_of(world)
    client = api(world.auditor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/obligations/export/", {"as_of": "2026-06-05", "ordering": "-principal,id"})
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    # the entries are not read by Python: the only query on them is the check that states are stored
    (only,) = _entry_reads(queries)
    assert only.endswith('WHERE "ledger_ledgerentry"."after_principal_outstanding" IS NULL LIMIT 1')
    refs = list(_by_ref(body))
    want = [o.reference for o in sorted(book.values(), key=lambda o: (-o.principal, o.pk))]
    assert refs == want


def _entry_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "ledger_ledgerentry"' in q["sql"]]


def test_an_entry_without_its_state_sends_the_export_back_to_python(world, api):
    book = book_of(world)
    assert asof_sql.available() is True
    LedgerEntry.objects.filter(obligation=book["contract_rate"]).update(after_principal_outstanding=None)
    assert asof_sql.available() is False
    python, _ = _both(date(2026, 6, 5))
    with CaptureQueriesContext(connection) as queries:
        response = api(world.auditor).get("/api/obligations/export/", {"as_of": "2026-06-05"})
        body = b"".join(response.streaming_content)
    assert body == python
    assert len(_entry_reads(queries)) == 2  # the check, then Python's prefetch of the entries


def test_the_payment_service_stores_the_state_after_each_entry(world):
    # 50,000 paid 20 days late on 200,000 at 0.05 % a day: 2,000 of interest first, then principal
    o = ob(
        world, principal="200000.00", arose_on=date(2026, 4, 6), due_on=DUE, regime="sme_procurement", sme_declared=True
    )
    entry(world, o, "payment", date(2026, 5, 26), "50000.00")
    stored = LedgerEntry.objects.get(obligation=o)
    after = (
        stored.after_principal_outstanding,
        stored.after_balance_days,
        stored.after_interest_paid,
        stored.after_interest_waived,
        stored.after_fully_paid_on,
    )
    assert after == (Decimal("152000.00"), Decimal("4000000.00"), Decimal("2000.00"), Decimal("0.00"), None)
    # and a history row records the entry, not its derived state
    assert stored.history.count() == 1
    assert not hasattr(stored.history.first(), "after_balance_days")


def test_a_queryset_that_can_hold_no_row_gives_no_row(world):
    book_of(world)
    as_of = date(2026, 6, 5)
    qs = with_legacy(with_status(Obligation.objects.filter(id__in=[]), as_of), as_of)
    assert list(asof_sql.obligation_export_rows(qs, as_of)) == []


@pytest.mark.parametrize("as_of", [date(2026, 4, 20), date(2026, 6, 10), date(2026, 11, 26)], ids=str)
def test_sql_typed_rows_are_the_python_rows_value_for_value(world, as_of):
    # what the XLSX writer receives: the same Decimals, dates, ints and texts either way
    book_of(world)
    qs = with_legacy(with_status(Obligation.objects.order_by("id"), as_of), as_of)
    python = list(OBLIGATION_EXPORT.rows(qs, {"as_of": as_of}))
    typed = list(asof_sql.obligation_export_typed_rows(qs, as_of))
    as_text = [["是" if v is True else "否" if v is False else v for v in row] for row in python]
    assert typed == as_text
    assert [type(v) for v in typed[0]] == [type(v) for v in as_text[0]]
    assert len(typed) == 11


def test_the_xlsx_endpoint_reads_the_databases_rows(world, api):
    book = book_of(world)
    with CaptureQueriesContext(connection) as queries:
        response = api(world.auditor).get("/api/obligations/export/", {"as_of": "2026-06-05", "format": "xlsx"})
        data = b"".join(response.streaming_content)
    assert response.status_code == 200
    (only,) = _entry_reads(queries)  # the stored-state check; the entries are not read in Python
    assert only.endswith("IS NULL LIMIT 1")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    first = rows[book["sme_interest_first"].reference]
    assert first[9] == 200000 and first[12] == datetime(2026, 5, 6)  # numbers and dates, not text
    assert (first[17], first[19], first[20], first[21]) == (30, 152000, 2760, 760)
    assert rows[book["contract_no_rate"].reference][20] == "无法定逾期利息"
