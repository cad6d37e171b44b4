"""Exports of filtered lists: same rows as the list, exact CSV / GB18030 / XLSX contents, sheet
rollover, the background job path, the export log and tenant scoping."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from ledger import models as m
from tests.ledger.report_helpers import ob, pay
from tests.owned_objects import decision_for, policy_for, recommendation_for

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"
HEADERS = [
    "编号",
    "债务单位",
    "债权企业",
    "债权企业统一社会信用代码",
    "行政区划代码",
    "来源",
    "事由",
    "适用规则",
    "签约时声明为中小企业",
    "本金（元）",
    "发生日期",
    "起算日期",
    "到期日",
    "有争议金额（元）",
    "最终结果",
    "统计日期",
    "状态（按统计日期）",
    "逾期天数",
    "已付本金（元）",
    "未付本金（元）",
    "应计逾期利息（元）",
    "未付逾期利息（元）",
    "新官不理旧账",
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _csv(response, encoding="utf-8-sig") -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode(encoding))))


def _three(world):
    a = ob(world, due_on=date(2026, 6, 20), principal="3000.00", title="办公桌椅采购")
    b = pay(world, ob(world, due_on=date(2026, 5, 30), principal="5000.00"), "1200.50", date(2026, 6, 1))
    c = ob(world, due_on=date(2026, 7, 20), principal="7000.00")
    return a, b, c


def test_csv_export_has_the_lists_rows_exact_amounts_and_the_as_of_columns(world, api):
    a, b, _c = _three(world)
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 1))
    client = api(world.auditor)
    params = {"overdue": "true", "agency": world.agency_a.pk, "as_of": AS_OF, "ordering": "due_on"}
    listed = client.get("/api/obligations/", params).json()
    # when the same filtered list is exported
    response = client.get("/api/obligations/export/", {**params, "format": "csv"})
    # then it streams a UTF-8 CSV with a BOM, Chinese headers and exactly the list's rows
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) - 1 == listed["count"] == 2
    assert [r[0] for r in rows[1:]] == [b.reference, a.reference]
    row_b = dict(zip(HEADERS, rows[1], strict=True))
    assert row_b["本金（元）"] == "5000.00"
    assert row_b["已付本金（元）"] == "1200.50"
    assert row_b["未付本金（元）"] == "3799.50"
    assert row_b["逾期天数"] == "31"
    assert row_b["状态（按统计日期）"] == "逾期"
    assert row_b["统计日期"] == AS_OF
    assert row_b["应计逾期利息（元）"] == "无法定逾期利息"
    assert row_b["适用规则"] == "合同约定"
    assert row_b["新官不理旧账"] == "否"
    assert row_b["债权企业统一社会信用代码"] == world.enterprise_1.uscc
    assert dict(zip(HEADERS, rows[2], strict=True))["事由"] == "办公桌椅采购"


def test_gb18030_on_request(world, api):
    _three(world)
    response = api(world.auditor).get("/api/obligations/export/", {"encoding": "gb18030", "as_of": AS_OF})
    assert response["Content-Type"] == "text/csv; charset=GB18030"
    body = b"".join(response.streaming_content)
    assert not body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("gb18030"))))
    assert rows[0] == HEADERS
    assert len(rows) == 4


def test_xlsx_export_continues_on_a_further_sheet_past_the_row_limit(world, api, settings):
    # given a sheet holds the header and 2 rows, and 5 rows to export
    settings.LEDGER_XLSX_SHEET_ROWS = 3
    for d in range(1, 6):
        ob(world, due_on=date(2026, 6, d), principal=f"{d}000.10")
    response = api(world.auditor).get(
        "/api/obligations/export/", {"format": "xlsx", "as_of": AS_OF, "ordering": "due_on"}
    )
    assert response.status_code == 200
    assert response["X-Export-Rows"] == "5"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # then nothing is cut: three sheets, the header repeated on each
    assert book.sheetnames == ["数据", "数据（续1）", "数据（续2）"]
    principals = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADERS
        principals += [r[HEADERS.index("本金（元）")] for r in rows[1:]]
    assert principals == [1000.1, 2000.1, 3000.1, 4000.1, 5000.1]
    assert book.worksheets[0].cell(row=2, column=HEADERS.index("本金（元）") + 1).number_format == "0.00"
    log = m.AccessLog.objects.get(action="export")
    assert log.detail["rows"] == 5
    assert log.detail["sheets"] == 3


def test_every_export_is_logged_with_who_what_filter_format_and_rows(world, api):
    _three(world)
    response = api(world.auditor).get("/api/obligations/export/", {"overdue": "true", "as_of": AS_OF})
    b"".join(response.streaming_content)
    log = m.AccessLog.objects.get(action="export")
    assert log.user == world.auditor
    assert log.target == "obligation"
    assert log.detail == {
        "filters": f"overdue=true&as_of={AS_OF}",
        "format": "csv",
        "encoding": "utf-8",
        "rows": 2,
        "complete": True,
    }


def test_agency_staff_export_only_their_agencys_rows(world, api):
    mine = ob(world, due_on=date(2026, 6, 1))
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 1))
    rows = _csv(api(world.staff_a).get("/api/obligations/export/", {"as_of": AS_OF}))
    assert [r[0] for r in rows[1:]] == [mine.reference]
    # the enterprise on the other side sees only what is owed to it
    ob(world, creditor=world.enterprise_2, due_on=date(2026, 6, 1))
    rows = _csv(api(world.enterprise_user_2).get("/api/obligations/export/", {"as_of": AS_OF}))
    assert len(rows) == 2


@pytest.mark.parametrize(("params", "field"), [({"format": "pdf"}, "format"), ({"encoding": "latin-1"}, "encoding")])
def test_bad_export_parameters_are_400s_and_log_nothing(world, api, params, field):
    response = api(world.auditor).get("/api/obligations/export/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not m.AccessLog.objects.filter(action="export").exists()


def test_a_bad_filter_on_an_export_is_the_lists_400(world, api):
    response = api(world.auditor).get("/api/obligations/export/", {"overdue": "maybe"})
    assert response.status_code == 400
    assert "overdue" in response.json()["fields"]


def test_large_export_runs_as_a_job_the_owner_downloads(world, api, settings, media):
    # given exports above 2 rows go to the background
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 2
    a, b, c = _three(world)
    client = api(world.auditor)
    response = client.get("/api/obligations/export/", {"format": "xlsx", "ordering": "id"})
    # then the API answers 202 with the job
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "pending"
    assert job["expected_rows"] == 3
    assert response["Location"] == job["url"] == f"/api/export-jobs/{job['id']}/"
    assert job["query"].startswith("ordering=id&as_of=")  # as_of fixed to the day it was asked
    # and the file is not ready yet
    assert client.get(f"/api/export-jobs/{job['id']}/download/").status_code == 409
    assert not m.AccessLog.objects.filter(action="export").exists()
    # when the scheduler runs the jobs
    call_command("run_export_jobs", stdout=io.StringIO())
    done = client.get(job["url"]).json()
    assert done["status"] == "done"
    assert done["row_count"] == 3
    assert done["download_url"] == f"/api/export-jobs/{job['id']}/download/"
    # then the owner downloads exactly the list's rows
    download = client.get(done["download_url"])
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert [r[0] for r in list(book.active.iter_rows(values_only=True))[1:]] == [a.reference, b.reference, c.reference]
    # nobody else can, even a supervisor
    assert api(world.supervisor).get(done["download_url"]).status_code == 404
    assert api(world.supervisor).get(job["url"]).status_code == 404
    # the export is logged and the owner notified
    log = m.AccessLog.objects.get(action="export")
    assert (log.user, log.detail["rows"], log.detail["job"]) == (world.auditor, 3, job["id"])
    assert m.Notification.objects.filter(user=world.auditor, kind="export_done").count() == 1
    # a second run has nothing to do
    call_command("run_export_jobs", stdout=io.StringIO())
    assert m.AccessLog.objects.filter(action="export").count() == 1


def test_a_background_csv_job_keeps_the_owners_scope(world, api, settings, media):
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 0
    mine = ob(world, due_on=date(2026, 6, 1))
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 1))
    client = api(world.staff_a)
    job = client.get("/api/obligations/export/", {"encoding": "gb18030"}).json()
    call_command("run_export_jobs", stdout=io.StringIO())
    download = client.get(f"/api/export-jobs/{job['id']}/download/")
    body = b"".join(download.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("gb18030"))))
    assert [r[0] for r in rows[1:]] == [mine.reference]
    assert api(world.staff_b).get(f"/api/export-jobs/{job['id']}/").status_code == 404


def test_the_other_lists_export_their_filtered_rows(world, api):
    client = api(world.auditor)
    late = recommendation_for(world, deadline=date(2026, 5, 6))
    recommendation_for(world, deadline=date(2026, 9, 6))
    decision_for(world, amount=Decimal("1234.56"))
    rows = _csv(client.get("/api/recommendations/export/", {"overdue": "true", "as_of": AS_OF}))
    assert rows[0][:2] == ["文号", "建议类型"]
    assert [r[0] for r in rows[1:]] == [late.doc_number]
    rows = _csv(client.get("/api/decisions/export/"))
    assert dict(zip(rows[0], rows[1], strict=True))["金额（元）"] == "1234.56"
    for url in ("/api/redemptions/export/", "/api/claims/export/", "/api/contracts/export/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(_csv(response)) == 1, url  # the header only: nothing to export


def test_export_of_legacy_debt_cases_marks_them(world, api):
    from tests.factories import TenureFactory

    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    case = ob(world, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4))
    ob(world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1))
    rows = _csv(api(world.auditor).get("/api/obligations/export/", {"legacy": "true", "as_of": AS_OF}))
    assert [(r[0], r[-1]) for r in rows[1:]] == [(case.reference, "是")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_produce_each_job_once(settings, tmp_path):
    import threading

    from django.db import connection

    from ledger.api.exporting import run_pending_export_jobs
    from tests.factories import World

    settings.MEDIA_ROOT = tmp_path
    world = World.build()
    for d in range(1, 4):
        ob(world, due_on=date(2026, 6, d))
    jobs = [
        m.ExportJob.objects.create(user=world.auditor, resource="obligation", query="", format="csv", expected_rows=3)
        for _ in range(3)
    ]
    barrier = threading.Barrier(2)
    ran: list[list] = []

    def runner():
        barrier.wait()
        try:
            ran.append(run_pending_export_jobs())
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # every job ran exactly once, whichever runner took it
    assert sorted(j.pk for batch in ran for j in batch) == sorted(j.pk for j in jobs)
    assert set(m.ExportJob.objects.values_list("status", "row_count")) == {("done", 3)}
    assert m.AccessLog.objects.filter(action="export").count() == 3


def test_credit_records_export_with_their_lists_filters(world, api):
    from credit.models import DishonestyRecord
    from tests.owned_objects import BUILDERS

    record = BUILDERS[DishonestyRecord](world)
    rows = _csv(api(world.credit_officer).get("/api/credit/records/export/", {"kind": record.kind}))
    assert rows[0][:2] == ["记录编号", "状态"]
    assert [r[0] for r in rows[1:]] == [record.number]
    assert _csv(api(world.credit_officer).get("/api/credit/records/export/", {"is_demo": "true"}))[1:] == []
    assert api(world.credit_officer).get("/api/credit/records/export/", {"is_demo": "maybe"}).status_code == 400


def test_claims_redemptions_and_contracts_export_their_filtered_rows_with_exact_amounts(world, api):
    from tests.owned_objects import claim_for, contract_for

    # given two claims, two redemptions and two contracts, one of each in agency B
    claim = claim_for(world, amount=Decimal("80000.05"))
    claim_for(world, agency=world.agency_b, enterprise=world.enterprise_2)
    policy = policy_for(
        world,
        doc_number="屯政〔2026〕5号",
        title="导出测试政策",
        delivery_mode=m.DeliveryMode.FREE_APPLY,
        redemption_working_days=10,
    )
    common = {"policy": policy, "region_code": "341002", "status": m.RedemptionStatus.ELIGIBLE}
    redemption = m.Redemption.objects.create(
        **common,
        agency=world.agency_a,
        enterprise=world.enterprise_1,
        amount=Decimal("12345678901.99"),
        eligible_on=date(2026, 3, 2),
    )
    m.Redemption.objects.create(
        **common,
        agency=world.agency_b,
        enterprise=world.enterprise_2,
        amount=Decimal("1.00"),
        eligible_on=date(2026, 3, 2),
    )
    contract = contract_for(world, amount=Decimal("100000.10"), sme_declared=True)
    contract_for(world, agency=world.agency_b, counterparty=world.enterprise_2)
    client = api(world.auditor)
    filters = {"agency": world.agency_a.pk, "as_of": AS_OF}
    # when each list is exported with agency A's filter
    claims = _csv(client.get("/api/claims/export/", filters))
    redemptions = _csv(client.get("/api/redemptions/export/", {**filters, "free_apply": "true"}))
    contracts = _csv(client.get("/api/contracts/export/", {**filters, "sme_declared": "true"}))
    # then exactly A's rows, under Chinese headers, with amounts to the fen
    assert len(claims) == len(redemptions) == len(contracts) == 2
    c = dict(zip(claims[0], claims[1], strict=True))
    assert (c["编号"], c["主张金额（元）"], c["被反映单位"], c["状态"]) == (
        claim.reference,
        "80000.05",
        world.agency_a.name,
        "已登记",
    )
    r = dict(zip(redemptions[0], redemptions[1], strict=True))
    assert (r["编号"], r["兑现金额（元）"], r["兑现方式"]) == (redemption.reference, "12345678901.99", "免申即享")
    k = dict(zip(contracts[0], contracts[1], strict=True))
    assert (k["合同名称"], k["合同金额（元）"], k["签约时声明为中小企业"]) == (contract.title, "100000.10", "是")
    # and each export was logged with its list, filters and row count
    logged = {
        (log.target, log.detail["rows"], log.detail["filters"]) for log in m.AccessLog.objects.filter(action="export")
    }
    assert logged == {
        ("claim", 1, f"agency={world.agency_a.pk}&as_of={AS_OF}"),
        ("redemption", 1, f"agency={world.agency_a.pk}&as_of={AS_OF}&free_apply=true"),
        ("contract", 1, f"agency={world.agency_a.pk}&as_of={AS_OF}&sme_declared=true"),
    }


def test_xlsx_exports_a_long_amount_exactly(world, api):
    # given an amount of 15 significant digits (the most a spreadsheet number holds exactly)
    ob(world, due_on=date(2026, 6, 1), principal="1234567890123.45")
    response = api(world.auditor).get("/api/obligations/export/", {"format": "xlsx", "as_of": AS_OF})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=HEADERS.index("本金（元）") + 1)
    assert Decimal(repr(cell.value)) == Decimal("1234567890123.45")
    assert cell.number_format == "0.00"
