"""The `imports` API, the admin upload form and the import_ledger command."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ledger.imports.registry import kinds
from ledger.models import ImportJob, ImportStatus, Obligation
from tests.factories import UserFactory
from tests.ledger.imports.helpers import OBLIGATION_HEADERS, obligation_row, upload, xlsx
from tests.owned_objects import BUILDERS

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _good(world):
    return xlsx({"给付义务": [OBLIGATION_HEADERS, obligation_row(world.enterprise_1, "API-1")]})


def _bad(world):
    return xlsx({"给付义务": [OBLIGATION_HEADERS, obligation_row(world.enterprise_1, "API-1", arose="昨天")]})


def _post(client, data, *, kind="obligations", name="台账.xlsx", **extra):
    return client.post("/api/imports/", {"file": upload(data, name), "kind": kind, **extra}, format="multipart")


def test_staff_upload_imports_and_the_job_reads_back(world, api):
    client = api(world.staff_a)
    response = _post(client, _good(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["kind"], body["agency"], body["rows_created"]) == (
        "imported",
        "obligations",
        world.agency_a.pk,
        1,
    )
    assert body["summary"] == "共1行：已新增1条、已更新0条、无变化0条。"
    assert body["report"]["changes"][0]["action"] == "create"
    assert Obligation.objects.get().external_ref == "API-1"

    listing = client.get("/api/imports/").json()
    assert [row["id"] for row in listing["results"]] == [body["id"]]
    assert "report" not in listing["results"][0]
    detail = client.get(f"/api/imports/{body['id']}/").json()
    assert detail["file_sha256"] == body["file_sha256"]


def test_a_bad_file_answers_400_with_the_job_and_writes_nothing(world, api):
    response = _post(api(world.staff_a), _bad(world))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["detail"] == "发现1处问题，未导入任何数据。请按报告更正后重新上传。"
    assert body["fields"] == {
        "file": ["给付义务 第2行 F（发生日期） 日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日"]
    }
    assert body["job"]["status"] == "rejected"
    assert Obligation.objects.count() == 0
    # the job and its report are kept, and the report downloads as XLSX
    job = ImportJob.objects.get()
    response = api(world.staff_a).get(f"/api/imports/{job.pk}/report/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    assert book["问题清单"]["F2"].value == "日期格式无效，应为 2026-01-05、2026/1/5 或 2026年1月5日"


def test_dry_run_through_the_api(world, api):
    response = _post(api(world.staff_a), _good(world), dry_run="true")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["rows_created"]) == ("validated", 1)
    assert response.json()["summary"] == "共1行：将新增1条、将更新0条、无变化0条（试导入，未写入）。"
    assert Obligation.objects.count() == 0


def test_staff_cannot_import_for_another_agency(world, api):
    response = _post(api(world.staff_a), _good(world), agency=world.agency_b.pk)
    assert response.status_code == 400
    assert response.json()["fields"] == {"agency": ["只能为本单位导入台账"]}
    assert ImportJob.objects.count() == 0


def test_an_administrator_imports_for_any_agency(world, api):
    response = _post(api(world.administrator), _good(world), agency=world.agency_b.pk)
    assert response.status_code == 201
    assert Obligation.objects.get().debtor_agency == world.agency_b


@pytest.mark.parametrize("role", ["enterprise_user_1", "supervisor", "auditor", "credit_officer"])
def test_other_roles_may_not_import(world, api, role):
    response = _post(api(getattr(world, role)), _good(world))
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_unknown_kind_is_a_400_naming_the_field(world, api):
    response = _post(api(world.staff_a), _good(world), kind="nonsense")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["kind"]


def test_jobs_are_scoped_to_their_agency(world, api):
    _post(api(world.staff_a), _good(world))
    job = ImportJob.objects.get()
    assert api(world.staff_b).get(f"/api/imports/{job.pk}/").status_code == 404
    assert api(world.staff_b).get(f"/api/imports/{job.pk}/report/").status_code == 404
    assert api(world.staff_b).get("/api/imports/").json()["results"] == []
    assert api(world.enterprise_user_1).get("/api/imports/").json()["results"] == []
    assert [r["id"] for r in api(world.auditor).get("/api/imports/").json()["results"]] == [job.pk]


@pytest.mark.parametrize("kind", [k.key for k in kinds()])
def test_template_per_kind_has_chinese_headers_and_one_example_row(world, api, kind):
    response = api(world.staff_a).get(f"/api/imports/templates/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    spec = next(k for k in kinds() if k.key == kind)
    assert book.sheetnames == [s.title for s in spec.sheets] + ["填写说明"]
    for sheet in spec.sheets:
        ws = book[sheet.title]
        assert [c.value for c in ws[1]] == [c.label for c in sheet.columns]
        assert ws.max_row == 2  # one example row


def test_template_of_an_unknown_kind_is_404(world, api):
    assert api(world.staff_a).get("/api/imports/templates/nonsense/").status_code == 404


def test_admin_upload_form_imports_and_shows_the_job(world, client):
    client.force_login(world.staff_a)
    assert client.get(reverse("admin:ledger_importjob_add")).status_code == 302
    page = client.get(reverse("admin:ledger_importjob_upload"))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:ledger_importjob_upload"),
        {"file": upload(_good(world)), "kind": "obligations", "dry_run": ""},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ledger_importjob_change", args=[job.pk])
    assert (job.status, job.agency, Obligation.objects.count()) == (ImportStatus.IMPORTED, world.agency_a, 1)
    assert client.get(reverse("admin:ledger_importjob_change", args=[job.pk])).status_code == 200
    report = client.get(reverse("admin:ledger_importjob_report", args=[job.pk]))
    assert report["Content-Type"] == XLSX
    # another agency's staff see neither the job nor its report
    client.force_login(world.staff_b)
    assert client.get(reverse("admin:ledger_importjob_report", args=[job.pk])).status_code == 404


def test_admin_upload_form_refuses_another_agency_for_staff(world, client):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:ledger_importjob_upload"),
        {"file": upload(_good(world)), "kind": "obligations", "agency": world.agency_b.pk},
    )
    assert response.status_code == 200  # the form again, with the error
    assert ImportJob.objects.count() == 0


def test_management_command_imports_and_fails_with_the_report(world, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_bad(world))
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_ledger",
            str(path),
            kind="obligations",
            agency=world.agency_a.short_code,
            user=world.staff_a.username,
        )
    assert str(exc.value) == "台账有1处问题，未导入任何数据"
    assert "[错误] 给付义务 第2行 F（发生日期） “昨天”：日期格式无效" in capsys.readouterr().err
    assert Obligation.objects.count() == 0

    path.write_bytes(_good(world))
    call_command(
        "import_ledger",
        str(path),
        kind="obligations",
        agency=world.agency_a.short_code,
        dry_run=True,
        user=world.staff_a.username,
    )
    assert Obligation.objects.count() == 0
    report = tmp_path / "report.xlsx"
    call_command(
        "import_ledger",
        str(path),
        kind="obligations",
        agency=world.agency_a.short_code,
        user=world.staff_a.username,
        report=str(report),
    )
    assert Obligation.objects.get().principal == Decimal("128000.00")
    assert load_workbook(report).sheetnames == ["概况", "问题清单", "导入结果"]


def test_management_command_needs_a_user_when_there_is_not_exactly_one_administrator(world, tmp_path):
    UserFactory(role="administrator")
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_good(world))
    with pytest.raises(CommandError) as exc:
        call_command("import_ledger", str(path), kind="obligations", agency=world.agency_a.short_code)
    assert str(exc.value) == "请用 --user 指明以哪位用户的名义导入（每次写入都须记录操作人）"


def test_import_jobs_have_a_tenant_builder():
    assert ImportJob in BUILDERS
