"""The statement (对账单) as of a date, as XLSX and PDF (issue #3 item 7)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ledger.models import AccessLog
from ledger.selectors.status import ZERO, EnterpriseStatus, Money, Row, Totals
from ledger.services import obligations as ob_svc
from ledger.statements import statement_xlsx
from tests.ledger.claim_helpers import AS_OF, account
from tests.ledger.statement_reading import cid_fonts, money, pdf_text, xlsx_rows

pytestmark = pytest.mark.django_db

URL = "/api/status/statement/"


def get(api, user, fmt, as_of=AS_OF):
    return api(user).get(URL, {"as_of": as_of.isoformat(), "format": fmt})


def test_xlsx_statement_has_chinese_headers_and_exact_amounts(world, api):
    acc = account(world)
    r = get(api, world.enterprise_user_1, "xlsx")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["Content-Disposition"] == f'attachment; filename="statement-{world.enterprise_1.uscc}-2026-06-05.xlsx"'
    rows = xlsx_rows(r.content, "给付义务")
    assert rows[0] == [
        "编号",
        "债务单位",
        "事由",
        "适用规则",
        "到期日",
        "本金（元）",
        "已付本金（元）",
        "尚欠本金（元）",
        "逾期利息（元）",
        "未付利息（元）",
        "逾期天数",
        "状态",
    ]
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {acc["sme"].reference, acc["contract"].reference}
    sme = by_ref[acc["sme"].reference]
    assert sme[1:5] == [world.agency_a.name, "办公家具采购款", "保障中小企业款项支付条例", "2026-05-06"]
    assert [money(v) for v in sme[5:10]] == [
        Decimal("200000.00"),
        Decimal("49000.00"),
        Decimal("151000.00"),
        Decimal("2510.00"),
        Decimal("1510.00"),
    ]
    assert sme[10:] == [30, "逾期"]
    contract = by_ref[acc["contract"].reference]
    assert money(contract[7]) == Decimal("12345.67")
    # no statutory interest: in words, never 0.00
    assert contract[8:10] == ["无法定逾期利息", "无法定逾期利息"]
    summary = {row[0]: row[1] for row in xlsx_rows(r.content, "汇总") if row[0]}
    assert summary["统一社会信用代码"] == world.enterprise_1.uscc
    assert summary["截至日期"] == "2026-06-05"
    assert money(summary["尚欠本金合计（元）"]) == Decimal("163345.67")
    assert money(summary["未付利息合计（元）"]) == Decimal("1510.00")
    assert [row[0] for row in xlsx_rows(r.content, "政策兑现")[1:]] == [acc["redemption"].reference]
    assert [row[0] for row in xlsx_rows(r.content, "诉求")[1:]] == [acc["claim"].reference]
    assert [row[0] for row in xlsx_rows(r.content, "确权请求")[1:]] == [acc["confirmation"].reference]
    # the export is logged with the hash of what was sent
    log = AccessLog.objects.get(action="statement_export")
    assert (log.user, log.detail) == (
        world.enterprise_user_1,
        {"as_of": "2026-06-05", "format": "xlsx", "sha256": hashlib.sha256(r.content).hexdigest()},
    )


def test_xlsx_keeps_every_cent_of_large_amounts(world, api):
    # given a 15-significant-digit principal (what a double holds exactly, and SQLite too)
    ob_svc.obligation_create(
        actor=world.staff_a,
        debtor_agency=world.agency_a,
        creditor=world.enterprise_1,
        source="other",
        title="大额",
        principal="1234567890123.45",
        arose_on=date(2026, 5, 1),
        trigger="delivery",
        trigger_on=date(2026, 5, 1),
    )
    # then the cell is a number that reads back to the exact amount
    (row,) = xlsx_rows(get(api, world.enterprise_user_1, "xlsx").content, "给付义务")[1:]
    assert isinstance(row[5], float)
    assert money(row[5]) == Decimal("1234567890123.45")


def test_xlsx_writes_amounts_a_number_cannot_hold_as_text(world):
    # 17 significant digits (the column's maximum) would be rounded by a spreadsheet number
    enterprise = SimpleNamespace(name="测试企业", uscc=world.enterprise_1.uscc)
    big = Decimal("123456789012345.67")
    row = Row(
        kind="obligation",
        id=1,
        reference="OB-TEST",
        agency="测试局",
        title="大额",
        status="not_yet_due",
        status_label="未到期",
        due_on=date(2026, 7, 1),
        due_provisional=False,
        amount=big,
        money=Money(paid=ZERO, principal_outstanding=big, days_overdue=0),
    )
    status = EnterpriseStatus(AS_OF, enterprise, [], [row], [], [], Totals(principal=big, principal_outstanding=big))
    data = statement_xlsx(status, generated_at=datetime(2026, 6, 5, 1, 0, tzinfo=UTC))
    (cells,) = xlsx_rows(data, "给付义务")[1:]
    assert (cells[5], cells[7]) == ("123456789012345.67", "123456789012345.67")
    assert cells[8:10] == ["无法定逾期利息", "无法定逾期利息"]
    totals = {r[0]: r[1] for r in xlsx_rows(data, "汇总") if r[0]}
    assert totals["本金合计（元）"] == "123456789012345.67"


def test_pdf_statement_renders_chinese_with_the_builtin_cid_font(world, api):
    acc = account(world)
    r = get(api, world.enterprise_user_1, "pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert cid_fonts(r.content)  # STSong-Light, no embedded font file
    assert b"/FontFile" not in r.content
    text = pdf_text(r.content)
    assert f"{world.enterprise_1.name} 对账单（截至2026-06-05）" in text
    assert world.enterprise_1.uscc in text
    for expected in (
        acc["sme"].reference,
        acc["contract"].reference,
        acc["redemption"].reference,
        acc["claim"].reference,
        acc["confirmation"].reference,
        "151,000.00",
        "1,510.00",
        "无法定逾期利息",
        "163,345.67",
        "给付义务（2）",
    ):
        assert expected in text, expected
    assert acc["others"].reference not in text


@pytest.mark.parametrize("fmt", ["", "csv", "PDF"])
def test_unknown_format_is_400_in_json(world, api, fmt):
    r = get(api, world.enterprise_user_1, fmt)
    assert (r.status_code, r["Content-Type"], list(r.json()["fields"])) == (400, "application/json", ["format"])
    assert AccessLog.objects.filter(action="statement_export").count() == 0


@pytest.mark.parametrize("role", ["staff_a", "supervisor", "auditor"])
def test_only_enterprises_download_statements(world, api, role):
    r = get(api, getattr(world, role), "pdf")
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
