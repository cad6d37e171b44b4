"""SPEC R8 on the way out: no list export writes an invalid USCC.

Stored codes are validated on entry, so a bad one can only come from the database directly; the
tests put one in with a queryset ``.update()``. The export is then refused before a byte is written
(409 ``export_invalid_uscc`` naming the codes and the records carrying them), the refusal stays in
the export log, and a background job ends failed with the same message.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import models as m
from ledger.api.exporting import export_resources
from tests.ledger.report_helpers import ob
from tests.owned_objects import claim_for, contract_for

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"
VALID = "91341002MA2N00001W"
BAD_CHECK = "91341002MA2N000010"  # check digit should be W
LOWER = "91341002ma2n00001w"  # valid once normalised, but stored (and so written) as is
PREFIX = "导出被拒绝，未生成任何文件："
SUFFIX = "。请先更正这些代码再导出。"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _set_uscc(enterprise, code):
    m.Enterprise.objects.filter(pk=enterprise.pk).update(uscc=code)  # past the entry checks


def _refused_log():
    return m.AccessLog.objects.get(action="export")


def test_csv_export_with_an_invalid_uscc_is_refused_naming_the_code_and_its_records(world, api):
    # given two obligations owed to an enterprise whose stored code has a wrong check digit
    a = ob(world, due_on=date(2026, 6, 20))
    b = ob(world, due_on=date(2026, 5, 30))
    ob(world, creditor=world.enterprise_2, due_on=date(2026, 6, 1))  # a valid code: not named
    _set_uscc(world.enterprise_1, BAD_CHECK)
    client = api(world.auditor)
    # when the list is exported as CSV
    response = client.get("/api/obligations/export/", {"ordering": "due_on", "as_of": AS_OF, "format": "csv"})
    # then nothing is streamed: a 409 in SPEC §4's envelope names the code, its fault and the records
    detail = (
        f"{PREFIX}1个统一社会信用代码未通过校验（SPEC R8）——"
        f"统一社会信用代码“{BAD_CHECK}”校验码错误：第18位为“0”，按 GB 32100 计算应为“W”"
        f"（债权企业统一社会信用代码；给付义务编号：{b.reference}、{a.reference}，共2条）{SUFFIX}"
    )
    assert response.status_code == 409
    assert not response.streaming
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    assert response.json() == {"code": "export_invalid_uscc", "detail": detail}
    # and the export log says who tried, what, and that it was refused with nothing written
    log = _refused_log()
    assert (log.user, log.target) == (world.auditor, "obligation")
    assert log.detail == {
        "filters": f"ordering=due_on&as_of={AS_OF}",
        "format": "csv",
        "encoding": "utf-8",
        "rows": 0,
        "complete": False,
        "refused": "export_invalid_uscc",
        "reason": detail,
        "invalid_uscc": [BAD_CHECK],
    }
    # once the code is corrected, the same export streams
    _set_uscc(world.enterprise_1, VALID)
    response = client.get("/api/obligations/export/", {"ordering": "due_on", "as_of": AS_OF, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == [VALID, world.enterprise_2.uscc, VALID]


def test_a_filter_that_leaves_the_bad_code_out_exports(world, api):
    ob(world, due_on=date(2026, 6, 1))
    ob(world, agency=world.agency_b, creditor=world.enterprise_2, due_on=date(2026, 6, 1))
    _set_uscc(world.enterprise_2, BAD_CHECK)
    client = api(world.auditor)
    # only the filtered rows' codes count: agency A's rows carry enterprise 1's valid code
    ok = client.get("/api/obligations/export/", {"agency": world.agency_a.pk, "as_of": AS_OF})
    assert ok.status_code == 200
    assert len(b"".join(ok.streaming_content).decode("utf-8-sig").splitlines()) == 2
    assert client.get("/api/obligations/export/", {"as_of": AS_OF}).status_code == 409


def test_xlsx_export_is_refused_for_every_invalid_code_and_writes_no_workbook(world, api):
    # given claims of both enterprises: one code with a wrong check digit, one stored in lower case
    first = claim_for(world, amount=Decimal("100.00"))
    second = claim_for(world, enterprise=world.enterprise_2, amount=Decimal("200.00"))
    _set_uscc(world.enterprise_1, BAD_CHECK)
    _set_uscc(world.enterprise_2, LOWER)
    # when the claims are exported as XLSX
    response = api(world.auditor).get("/api/claims/export/", {"format": "xlsx", "ordering": "id"})
    # then both codes are named (in code order), each with the claim carrying it, and no file is sent
    assert response.status_code == 409
    assert response.json() == {
        "code": "export_invalid_uscc",
        "detail": (
            f"{PREFIX}2个统一社会信用代码未通过校验（SPEC R8）——"
            f"统一社会信用代码“{BAD_CHECK}”校验码错误：第18位为“0”，按 GB 32100 计算应为“W”"
            f"（企业统一社会信用代码；诉求编号：{first.reference}，共1条）；"
            f"统一社会信用代码“{LOWER}”未以规范形式存储（规范形式为“{VALID}”）"
            f"（企业统一社会信用代码；诉求编号：{second.reference}，共1条）{SUFFIX}"
        ),
    }
    assert "X-Export-Rows" not in response
    log = _refused_log()
    assert (log.target, log.detail["format"], log.detail["rows"], log.detail["invalid_uscc"]) == (
        "claim",
        "xlsx",
        0,
        [BAD_CHECK, LOWER],
    )
    assert "encoding" not in log.detail


def test_contracts_export_names_five_records_and_counts_the_rest(world, api):
    contracts = [contract_for(world, number=f"HT-2026-{i:03d}") for i in range(1, 8)]
    _set_uscc(world.enterprise_1, BAD_CHECK)
    response = api(world.auditor).get("/api/contracts/export/", {"ordering": "id"})
    assert response.status_code == 409
    named = "、".join(c.number for c in contracts[:5])
    assert response.json()["detail"] == (
        f"{PREFIX}1个统一社会信用代码未通过校验（SPEC R8）——"
        f"统一社会信用代码“{BAD_CHECK}”校验码错误：第18位为“0”，按 GB 32100 计算应为“W”"
        f"（相对方统一社会信用代码；政府合同协议合同编号：{named}等共7条）{SUFFIX}"
    )


def test_credit_records_export_checks_the_subjects_and_counterpartys_codes(world, api):
    from credit.models import DishonestyRecord
    from tests.owned_objects import BUILDERS

    record = BUILDERS[DishonestyRecord](world)
    DishonestyRecord.objects.filter(pk=record.pk).update(counterparty_uscc=BAD_CHECK)
    response = api(world.credit_officer).get("/api/credit/records/export/", {"format": "csv"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"{PREFIX}1个统一社会信用代码未通过校验（SPEC R8）——"
        f"统一社会信用代码“{BAD_CHECK}”校验码错误：第18位为“0”，按 GB 32100 计算应为“W”"
        f"（相对方统一社会信用代码；政务失信记录记录编号：{record.number}，共1条）{SUFFIX}"
    )
    # an empty code (a party without one) writes no USCC and is no fault
    DishonestyRecord.objects.filter(pk=record.pk).update(counterparty_uscc="")
    assert api(world.credit_officer).get("/api/credit/records/export/").status_code == 200


@pytest.mark.parametrize("empty", ["none", "in_nothing"])
def test_the_r8_check_of_a_queryset_that_can_hold_no_row_reads_nothing(world, empty):
    # a scope or filter PostgreSQL/SQLite never sees (qs.none(), id__in=[]) compiles to no SQL at
    # all; the check must pass it by, not fail (schemathesis found a 500 on the credit export)
    from ledger.api.export_columns import OBLIGATION_EXPORT

    ob(world, due_on=date(2026, 5, 1))
    qs = m.Obligation.objects.none() if empty == "none" else m.Obligation.objects.filter(id__in=[])
    with CaptureQueriesContext(connection) as queries:
        assert OBLIGATION_EXPORT.refuse_invalid_usccs(qs) is None
    assert queries.captured_queries == []


def test_an_export_that_would_run_as_a_job_is_refused_at_once(world, api, settings):
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 0
    ob(world, due_on=date(2026, 6, 1))
    _set_uscc(world.enterprise_1, BAD_CHECK)
    response = api(world.auditor).get("/api/obligations/export/", {"format": "xlsx"})
    assert (response.status_code, response.json()["code"]) == (409, "export_invalid_uscc")
    assert not m.ExportJob.objects.exists()


def test_a_background_job_whose_rows_turned_invalid_ends_failed_with_the_refusal(world, api, settings, media):
    # given a job queued while every code was valid
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 1
    a = ob(world, due_on=date(2026, 6, 1))
    b = ob(world, due_on=date(2026, 6, 2))
    client = api(world.auditor)
    job = client.get("/api/obligations/export/", {"format": "csv", "ordering": "id", "as_of": AS_OF}).json()
    assert job["status"] == "pending"
    # and a code broken in the database before the scheduler runs it
    _set_uscc(world.enterprise_1, BAD_CHECK)
    call_command("run_export_jobs", stdout=io.StringIO())
    # then the job fails with the refusal's own message, writes no file and cannot be downloaded
    detail = (
        f"{PREFIX}1个统一社会信用代码未通过校验（SPEC R8）——"
        f"统一社会信用代码“{BAD_CHECK}”校验码错误：第18位为“0”，按 GB 32100 计算应为“W”"
        f"（债权企业统一社会信用代码；给付义务编号：{a.reference}、{b.reference}，共2条）{SUFFIX}"
    )
    done = client.get(job["url"]).json()
    assert (done["status"], done["error"], done["row_count"], done["download_url"]) == (
        "failed",
        detail,
        None,
        None,
    )
    stored = m.ExportJob.objects.get(pk=job["id"])
    assert not stored.file
    assert list(media.rglob("*")) == []
    download = client.get(f"/api/export-jobs/{job['id']}/download/")
    assert (download.status_code, download.json()["code"]) == (409, "export_not_ready")
    # the export log keeps the refusal, against the job; nobody is told an export is ready
    log = _refused_log()
    assert log.detail == {
        "filters": f"ordering=id&as_of={AS_OF}",
        "format": "csv",
        "encoding": "utf-8",
        "rows": 0,
        "complete": False,
        "refused": "export_invalid_uscc",
        "reason": detail,
        "invalid_uscc": [BAD_CHECK],
        "job": job["id"],
    }
    assert not m.Notification.objects.filter(kind="export_done").exists()


def test_a_valid_export_costs_one_distinct_query_for_its_codes(world):
    ob(world, due_on=date(2026, 6, 1))
    ob(world, due_on=date(2026, 6, 2))
    spec = export_resources()["obligation"].export_columns
    with CaptureQueriesContext(connection) as ctx:
        spec.refuse_invalid_usccs(m.Obligation.objects.order_by("id"))
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "DISTINCT" in sql
    assert "ORDER BY" not in sql


def test_every_exported_uscc_column_is_checked():
    # a column headed 统一社会信用代码 must be one R8 checks: a new list cannot slip one past it
    for name, cls in export_resources().items():
        spec = cls.export_columns
        headed = [c.header for c in spec.columns if "统一社会信用代码" in c.header]
        assert headed == [c.header for c in spec.uscc_columns], name
    checked = {name: [c.path for c in cls.export_columns.uscc_columns] for name, cls in export_resources().items()}
    assert checked["obligation"] == ["creditor__uscc"]
    assert checked["contract"] == ["counterparty__uscc"]
    assert checked["credit-record"] == ["subject_uscc", "counterparty_uscc"]
    assert checked["recommendation"] == []


def test_xlsx_export_with_valid_codes_is_untouched(world, api):
    ob(world, due_on=date(2026, 6, 1))
    response = api(world.auditor).get("/api/obligations/export/", {"format": "xlsx", "as_of": AS_OF})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert list(book.active.iter_rows(values_only=True))[1][3] == world.enterprise_1.uscc
    assert _refused_log().detail["rows"] == 1
