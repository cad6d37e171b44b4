"""Export batches in zwsx-1 (SPEC §5): exact rows, changes since the previous batch, immutable
files, the bad-row report that writes nothing, and the JSON Schema."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from decimal import Decimal

import jsonschema
import openpyxl
import pytest
from django.urls import reverse

from credit.models import DishonestyRecord, ExportBatch, ExportRow, ExportSequence, RecordStatus
from credit.services import exports
from credit.services import records as svc
from ledger.errors import ValidationFailed
from tests.credit.builders import BASIS, authority, bring_to, determine, ready_for_repair
from tests.factories import AgencyFactory

S = RecordStatus
HEADER = (
    "记录编号,操作类型,失信主体名称,失信主体统一社会信用代码,主体类别,失信类型,失信行为描述,认定依据,认定单位,"
    "认定单位统一社会信用代码,认定日期,失信等级,涉及金额（万元）,相对方名称,相对方统一社会信用代码,公示起始日期,"
    "公示截止日期,信用修复状态,数据来源单位,数据来源单位统一社会信用代码,备注"
)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def ops(batch: ExportBatch) -> list[tuple[str, str]]:
    return [(r.record.number, r.operation) for r in batch.rows.select_related("record").order_by("line")]


@pytest.mark.django_db
def test_a_batch_holds_exact_rows_in_the_spec_column_order(world, windows):
    # given a record determined 2026-06-15 (一般) for 12,345.67 yuan
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by, amount=Decimal("12345.67"))
    # when the first batch is created as of 2026-06-30
    batch = exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    # then its CSV has the exact header line of SPEC §5 and exactly this row
    text = bytes(batch.csv_bytes)[3:].decode("utf-8")
    assert text.split("\r\n")[0] == HEADER
    expected = {
        "记录编号": record.number,
        "操作类型": "新增",
        "失信主体名称": world.agency_a.name,
        "失信主体统一社会信用代码": world.agency_a.uscc,
        "主体类别": "机关",
        "失信类型": "拖欠账款",
        "失信行为描述": "拖欠工程款，经催告仍未支付",
        "认定依据": BASIS,
        "认定单位": by.name,
        "认定单位统一社会信用代码": by.uscc,
        "认定日期": "2026-06-15",
        "失信等级": "一般",
        "涉及金额（万元）": "1.234567",
        "相对方名称": world.enterprise_1.name,
        "相对方统一社会信用代码": world.enterprise_1.uscc,
        "公示起始日期": "2026-06-15",
        "公示截止日期": "2027-06-15",
        "信用修复状态": "未修复",
        "数据来源单位": by.name,
        "数据来源单位统一社会信用代码": by.uscc,
        "备注": "",
    }
    assert csv_rows(bytes(batch.csv_bytes)) == [expected]
    assert text.count("\r\n") == 2
    # and the XLSX and JSON carry the same rows
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(batch.xlsx_bytes))).active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert ",".join(values[0]) == HEADER
    assert [dict(zip(values[0], row, strict=True)) for row in values[1:]] == [expected]
    document = json.loads(bytes(batch.json_bytes))
    assert document["rows"] == [expected]
    assert (document["format"], document["batch_sequence"], document["as_of"], document["demo"]) == (
        "zwsx-1",
        1,
        "2026-06-30",
        False,
    )
    assert (batch.sequence, batch.row_count) == (1, 1)


@pytest.mark.django_db
def test_a_batch_holds_exactly_the_changes_since_the_previous_one(world, windows):
    officer = world.credit_officer
    by = authority()
    a = bring_to(world, S.DETERMINED, by=by, on=date(2026, 6, 15))
    b = bring_to(world, S.DETERMINED, by=by, on=date(2026, 5, 10))
    minor = determine(
        world, bring_to(world, S.RECTIFICATION_ORDERED), by=by, on=date(2026, 5, 8), severity="轻微", publish=True
    )
    revoked = bring_to(world, S.DETERMINED, by=by, on=date(2026, 5, 20))
    unpublished = determine(world, bring_to(world, S.RECTIFICATION_ORDERED), by=by, severity="轻微")
    demo = bring_to(world, S.DETERMINED, by=by, is_demo=True)
    early = bring_to(world, S.RECTIFICATION_ORDERED)
    svc.record_performance_record(actor=officer, record=minor, performed_on=date(2026, 6, 1), note="已付")
    # batch 1 (as of 2026-06-30): every published live record is new
    first = exports.export_batch_create(actor=officer, as_of=date(2026, 6, 30))
    assert ops(first) == [(a.number, "新增"), (b.number, "新增"), (minor.number, "新增"), (revoked.number, "新增")]
    # then: a is corrected, b repaired, the minor record passes its maximum (performed),
    # another is revoked, a new one is determined
    svc.record_correct(actor=officer, record=a, on=date(2026, 7, 1), reason="补充", changes={"remarks": "已补充说明"})
    ready_for_repair(world, b)
    svc.record_repair(actor=officer, record=b, on=date(2026, 8, 11), reason="修复", on_behalf_of=by)
    svc.record_revoke(actor=officer, record=revoked, on=date(2026, 8, 1), reason="认定有误")
    new = determine(world, early, by=by, on=date(2026, 7, 1))
    # batch 2 (as of 2026-08-31): exactly those changes
    second = exports.export_batch_create(actor=officer, as_of=date(2026, 8, 31))
    assert ops(second) == [
        (a.number, "变更"),
        (b.number, "撤销"),
        (minor.number, "撤销"),
        (revoked.number, "撤销"),
        (new.number, "新增"),
    ]
    rows = {r["记录编号"]: r for r in csv_rows(bytes(second.csv_bytes))}
    assert rows[a.number]["备注"] == "已补充说明"
    assert (rows[b.number]["信用修复状态"], rows[b.number]["备注"]) == ("已修复", "信用修复（2026-08-11）")
    assert (rows[minor.number]["信用修复状态"], rows[minor.number]["备注"]) == (
        "未修复",
        "最长公示期届满（2026-08-08），停止公示",
    )
    assert rows[revoked.number]["备注"] == "撤销认定（2026-08-01）：认定有误"
    # never: an unpublished 轻微 record, a demo record, a record not determined
    sent = set(ExportRow.objects.values_list("record_id", flat=True))
    assert {unpublished.pk, demo.pk, early.pk} & sent == {new.pk}
    # batch 3 on the same day: nothing changed, an empty batch with the next number
    third = exports.export_batch_create(actor=officer, as_of=date(2026, 8, 31))
    assert (third.sequence, third.row_count, ops(third)) == (3, 0, [])
    assert bytes(third.csv_bytes)[3:].decode("utf-8") == HEADER + "\r\n"


@pytest.mark.django_db
def test_expiry_counts_as_of_the_batch_date(world, windows):
    record = determine(
        world,
        bring_to(world, S.RECTIFICATION_ORDERED),
        by=authority(),
        on=date(2026, 5, 8),
        severity="轻微",
        publish=True,
    )
    svc.record_performance_record(actor=world.credit_officer, record=record, performed_on=date(2026, 6, 1), note="已付")
    exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    # the maximum is 2026-08-08: still published that day, withdrawn as of the day after
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 8, 8))) == []
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 8, 9))) == [
        (record.number, "撤销")
    ]


@pytest.mark.django_db
def test_unperformed_at_the_maximum_stays_published_until_the_officer_decides(world, windows):
    record = determine(
        world,
        bring_to(world, S.RECTIFICATION_ORDERED),
        by=authority(),
        on=date(2026, 5, 8),
        severity="轻微",
        publish=True,
    )
    exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 8, 9))) == []
    svc.record_expire(actor=world.credit_officer, record=record, on=date(2026, 8, 10), reason="经研究停止公示")
    assert ops(exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 8, 10))) == [
        (record.number, "撤销")
    ]


@pytest.mark.django_db
def test_batch_dates_run_forward_and_not_into_the_future(world, windows):
    exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as exc:
        exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 29))
    assert (exc.value.code, list(exc.value.fields)) == ("out_of_order", ["as_of"])
    with pytest.raises(ValidationFailed) as exc:
        exports.export_batch_create(actor=world.credit_officer, as_of=date(2099, 1, 1))
    assert (exc.value.code, list(exc.value.fields)) == ("future_date", ["as_of"])
    assert ExportBatch.objects.count() == 1


@pytest.mark.django_db
def test_downloads_are_byte_identical_and_match_the_manifest(world, windows, api):
    bring_to(world, S.DETERMINED)
    client = api(world.credit_officer)
    created = client.post(reverse("credit-export-list"), {"as_of": "2026-06-30"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["sequence"], body["row_count"], body["operations"]) == (1, 1, {"新增": 1, "变更": 0, "撤销": 0})
    files = {f["kind"]: f for f in body["files"]}
    downloaded = {}
    for kind in ("csv", "xlsx", "json", "manifest"):
        first = client.get(files[kind]["url"])
        second = client.get(files[kind]["url"])
        assert first.status_code == second.status_code == 200
        assert first.content == second.content
        assert hashlib.sha256(first.content).hexdigest() == files[kind]["sha256"] == first["X-Content-SHA256"]
        assert first["Content-Disposition"] == f'attachment; filename="{files[kind]["name"]}"'
        downloaded[kind] = first.content
    manifest = json.loads(downloaded["manifest"])
    assert manifest["format_version"] == "zwsx-1"
    assert (manifest["batch_sequence"], manifest["row_count"], manifest["as_of"]) == (1, 1, "2026-06-30")
    assert {f["kind"]: f["sha256"] for f in manifest["files"]} == {
        kind: hashlib.sha256(downloaded[kind]).hexdigest() for kind in ("csv", "xlsx", "json")
    }
    assert downloaded["csv"].startswith(b"\xef\xbb\xbf")
    # a later change to the record never touches the created batch
    record = DishonestyRecord.objects.get()
    svc.record_correct(
        actor=world.credit_officer, record=record, on=date(2026, 7, 1), reason="更正", changes={"remarks": "x"}
    )
    assert client.get(files["csv"]["url"]).content == downloaded["csv"]


@pytest.mark.django_db
def test_one_bad_row_stops_the_batch_writes_nothing_and_takes_no_number(world, windows, api):
    # given a good record and records whose data would not pass (R8, required fields)
    by = authority()
    good = bring_to(world, S.DETERMINED, by=by)
    no_code = AgencyFactory(uscc=None, legal_personality=False, kind="其他")
    bad = bring_to(world, S.DETERMINED, by=by, agency=no_code)
    broken = bring_to(world, S.DETERMINED, by=by)
    DishonestyRecord.objects.filter(pk=broken.pk).update(
        counterparty_uscc=world.enterprise_2.uscc[:17] + ("0" if world.enterprise_2.uscc[17] != "0" else "1"),
        authority_uscc=by.uscc.lower(),
        facts="",
    )
    client = api(world.credit_officer)
    # when a batch is requested
    response = client.post(reverse("credit-export-list"), {"as_of": "2026-06-30"}, format="json")
    # then 400 naming each record and column, and nothing written
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credit_batch_invalid"
    assert sorted(body["fields"]) == sorted(
        [
            f"{bad.number}.失信主体统一社会信用代码",
            f"{broken.number}.失信行为描述",
            f"{broken.number}.认定单位统一社会信用代码",
            f"{broken.number}.相对方统一社会信用代码",
        ]
    )
    assert body["fields"][f"{bad.number}.失信主体统一社会信用代码"] == ["必填项为空"]
    assert "校验码错误" in body["fields"][f"{broken.number}.相对方统一社会信用代码"][0]
    assert "未规范化" in body["fields"][f"{broken.number}.认定单位统一社会信用代码"][0]
    assert good.number not in body["detail"]
    assert ExportBatch.objects.count() == ExportRow.objects.count() == 0
    assert ExportSequence.objects.count() == ExportSequence.history.count() == 0  # no number taken
    # once corrected, the batch is created and is number 1
    fix = reverse("credit-record-correct", args=[bad.pk])
    r = client.post(fix, {"reason": "补录代码", "subject_uscc": by.uscc.lower()}, format="json")
    assert r.status_code == 200 and r.json()["subject_uscc"] == by.uscc  # normalised and echoed
    r = client.post(
        reverse("credit-record-correct", args=[broken.pk]),
        {
            "reason": "更正",
            "facts": "拖欠工程款",
            "counterparty_uscc": world.enterprise_2.uscc,
            "counterparty_name": world.enterprise_2.name,
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    with pytest.raises(ValidationFailed) as exc:  # one named field is still wrong
        exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    assert list(exc.value.fields) == [f"{broken.number}.认定单位统一社会信用代码"]
    # every field a report can name is correctable through the app, the authority's code included
    r = client.post(
        reverse("credit-record-correct", args=[broken.pk]),
        {"reason": "代码规范化", "authority_uscc": by.uscc.lower()},
        format="json",
    )
    assert (r.status_code, r.json()["authority_uscc"]) == (200, by.uscc)
    response = client.post(reverse("credit-export-list"), {"as_of": "2026-06-30"}, format="json")
    assert response.status_code == 201
    assert (response.json()["sequence"], response.json()["row_count"]) == (1, 3)


@pytest.mark.django_db
def test_the_json_file_validates_against_the_served_schema(world, windows, api):
    by = authority()
    bring_to(world, S.DETERMINED, by=by)
    bring_to(world, S.DETERMINED, by=by, amount=None, counterparty=None)
    batch = exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    schema_response = api(world.auditor).get("/api/credit/exports/schema/")
    assert schema_response.status_code == 200
    schema = schema_response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    document = json.loads(bytes(batch.json_bytes))
    assert list(validator.iter_errors(document)) == []
    assert document["rows"][1]["涉及金额（万元）"] == "" and document["rows"][1]["相对方名称"] == ""
    # the schema has teeth: a rounded amount, a bad date, a missing column, an unknown operation
    for column, value in (("涉及金额（万元）", "25.00"), ("认定日期", "2026/06/15"), ("操作类型", "删除")):
        broken = json.loads(bytes(batch.json_bytes))
        broken["rows"][0][column] = value
        assert not validator.is_valid(broken), column
    broken = json.loads(bytes(batch.json_bytes))
    del broken["rows"][0]["备注"]
    assert not validator.is_valid(broken)


@pytest.mark.django_db
def test_the_export_command(world, windows, tmp_path):
    from django.core.management import CommandError, call_command

    bring_to(world, S.DETERMINED)
    out = io.StringIO()
    call_command("export_credit_batch", "--date", "2026-06-30", "--out", str(tmp_path), stdout=out)
    batch = ExportBatch.objects.get()
    assert f"已生成第1批（2026-06-30），1行；manifest SHA-256 {batch.manifest_sha256}" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "zwsx-1-000001.csv",
        "zwsx-1-000001.json",
        "zwsx-1-000001.manifest.json",
        "zwsx-1-000001.xlsx",
    ]
    assert (tmp_path / "zwsx-1-000001.csv").read_bytes() == bytes(batch.csv_bytes)
    DishonestyRecord.objects.update(subject_uscc="")
    svc_record = DishonestyRecord.objects.get()
    svc.record_correct(
        actor=world.credit_officer, record=svc_record, on=date(2026, 7, 1), reason="r", changes={"remarks": "x"}
    )
    with pytest.raises(CommandError) as exc:
        call_command("export_credit_batch", "--date", "2026-07-01")
    assert f"{svc_record.number}.失信主体统一社会信用代码：必填项为空" in str(exc.value)
    assert ExportBatch.objects.count() == 1


@pytest.mark.django_db
def test_a_record_closed_before_it_was_ever_sent_never_leaves(world, windows):
    # given a record determined and revoked between two batches, and one determined after a batch date
    officer = world.credit_officer
    by = authority()
    exports.export_batch_create(actor=officer, as_of=date(2026, 6, 1))
    revoked = bring_to(world, S.DETERMINED, by=by, on=date(2026, 6, 15))
    svc.record_revoke(actor=officer, record=revoked, on=date(2026, 6, 20), reason="认定有误")
    later = bring_to(world, S.DETERMINED, by=by, on=date(2026, 7, 10))
    # when the next batch is dated before the later determination
    second = exports.export_batch_create(actor=officer, as_of=date(2026, 7, 9))
    # then neither leaves: the platform never had the revoked one, the later one was not yet determined
    assert (second.sequence, ops(second)) == (2, [])
    # and the later one leaves in the batch dated on or after its determination
    assert ops(exports.export_batch_create(actor=officer, as_of=date(2026, 7, 10))) == [(later.number, "新增")]
    assert not ExportRow.objects.filter(record=revoked).exists()


@pytest.mark.django_db
def test_demo_codes_never_leave_in_a_live_batch(world, windows):
    # given the district's agencies, whose codes the seeds minted as demo codes (no real one known)
    from seeds.loader import demo_agency_uscc

    marked = AgencyFactory(uscc=demo_agency_uscc(90, "机关"), uscc_is_demo=True)
    by = AgencyFactory(uscc=demo_agency_uscc(91, "机关"), uscc_is_demo=False)  # flag lost: the code still tells
    flagged_only = AgencyFactory(uscc_is_demo=True)  # a code marked demo by the administrator
    good = bring_to(world, S.DETERMINED)
    subject = bring_to(world, S.DETERMINED, agency=marked)
    authority_code = bring_to(world, S.DETERMINED, by=by)
    flagged = bring_to(world, S.DETERMINED, agency=flagged_only)
    # when a live batch is requested
    with pytest.raises(ValidationFailed) as exc:
        exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    # then it stops, naming each record and column, and writes nothing
    assert exc.value.code == "credit_batch_invalid"
    assert exc.value.fields == {
        f"{subject.number}.失信主体统一社会信用代码": [
            f"统一社会信用代码“{marked.uscc}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
        ],
        f"{authority_code.number}.认定单位统一社会信用代码": [
            f"统一社会信用代码“{by.uscc}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
        ],
        f"{authority_code.number}.数据来源单位统一社会信用代码": [
            f"统一社会信用代码“{by.uscc}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
        ],
        f"{flagged.number}.失信主体统一社会信用代码": [
            f"统一社会信用代码“{flagged_only.uscc}”是演示代码，不得报送信用平台；请录入真实代码后更正本记录"
        ],
    }
    assert good.number not in exc.value.detail
    assert ExportBatch.objects.count() == ExportRow.objects.count() == ExportSequence.objects.count() == 0
    # a demo batch of demo records may carry demo codes: it is never sent
    demo = bring_to(world, S.DETERMINED, agency=marked, is_demo=True)
    demo_batch = exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30), demo=True)
    assert (demo_batch.is_demo, demo_batch.sequence, ops(demo_batch)) == (True, 1, [(demo.number, "新增")])


@pytest.mark.django_db
def test_the_export_command_user_and_demo_options(world, windows):
    from django.core.management import CommandError, call_command

    bring_to(world, S.DETERMINED)
    demo = bring_to(world, S.DETERMINED, is_demo=True)
    # a user who is not a credit officer is refused, and nothing is written
    with pytest.raises(CommandError) as exc:
        call_command("export_credit_batch", "--date", "2026-06-30", "--user", world.supervisor.username)
    assert str(exc.value) == f"没有名为“{world.supervisor.username}”的在用信用管理员"
    assert ExportBatch.objects.count() == 0
    # a credit officer is recorded as the creator
    out = io.StringIO()
    call_command("export_credit_batch", "--date", "2026-06-30", "--user", world.credit_officer.username, stdout=out)
    live = ExportBatch.objects.get()
    assert (live.is_demo, live.sequence, live.row_count, live.created_by) == (False, 1, 1, world.credit_officer)
    # --demo: a demo batch of demo records only, numbered from its own sequence
    out = io.StringIO()
    call_command("export_credit_batch", "--date", "2026-06-30", "--demo", stdout=out)
    demo_batch = ExportBatch.objects.get(is_demo=True)
    assert f"已生成演示第1批（2026-06-30），1行；manifest SHA-256 {demo_batch.manifest_sha256}" in out.getvalue()
    assert ops(demo_batch) == [(demo.number, "新增")]
    assert json.loads(bytes(demo_batch.manifest_bytes))["note"] == "演示批次：仅含演示数据，不得报送信用平台"
