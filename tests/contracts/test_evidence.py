"""Evidence files: SHA-256, size and content type checked by signature; a clear 400 otherwise."""

import hashlib
import io
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractEvent, Evidence
from contracts.services.amendments import amendment_create
from contracts.services.evidence import evidence_add
from ledger.errors import ValidationFailed
from tests.contracts import helpers as h

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _ooxml(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return buffer.getvalue()


DOCX = _ooxml("word/document.xml")
XLSX = _ooxml("xl/workbook.xml")


def _upload(api, user, contract, name, content, content_type="application/octet-stream", **extra):
    url = reverse("contract-evidence", kwargs={"pk": contract.pk})
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), "title": "签约文本", **extra}
    return api(user).post(url, data, format="multipart")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "claimed", "stored_type"),
    [
        ("合同.pdf", PDF, "application/pdf", "application/pdf"),
        ("scan.PNG", PNG, "image/png", "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg", "image/jpeg"),
        (
            "补充协议.docx",
            DOCX,
            "application/octet-stream",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("清单.xlsx", XLSX, "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_files_are_stored_with_hash_size_and_type(world, api, name, content, claimed, stored_type):
    # given a contract of agency A
    contract = h.new_contract(world)
    # when its staff uploads a file
    response = _upload(api, world.staff_a, contract, name, content, claimed)
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    digest = hashlib.sha256(content).hexdigest()
    assert (body["sha256"], body["size"], body["content_type"], body["original_name"]) == (
        digest,
        len(content),
        stored_type,
        name,
    )
    evidence = Evidence.objects.get(pk=body["id"])
    assert evidence.file.name.startswith(f"evidence/contracts/{digest[:2]}/{digest}.")
    with default_storage.open(evidence.file.name, "rb") as stored:
        assert stored.read() == content


@pytest.mark.django_db
def test_download_returns_the_same_bytes(world, api):
    contract = h.new_contract(world)
    evidence_id = _upload(api, world.staff_a, contract, "合同.pdf", PDF, "application/pdf").json()["id"]
    response = api(world.enterprise_user_1).get(reverse("contract-evidence-download", kwargs={"pk": evidence_id}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "claimed", "code"),
    [
        ("notes.pdf", b"just some text", "application/pdf", "unsupported_file_type"),
        ("archive.zip", _ooxml("other/part.xml"), "application/zip", "unsupported_file_type"),
        ("bad.docx", b"PK\x03\x04 not really a zip", "application/octet-stream", "unsupported_file_type"),
        ("image.pdf", PNG, "application/octet-stream", "extension_mismatch"),
        ("noext", PDF, "application/pdf", "extension_mismatch"),
        ("合同.pdf", PDF, "image/png", "content_type_mismatch"),
        ("empty.pdf", b"", "application/pdf", "empty_file"),
    ],
)
def test_bad_files_are_a_clear_400_and_nothing_is_written(world, api, name, content, claimed, code):
    contract = h.new_contract(world)
    response = _upload(api, world.staff_a, contract, name, content, claimed)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == (code, ["file"])
    assert Evidence.objects.count() == 0
    assert ContractEvent.objects.filter(contract=contract, kind="evidence").count() == 0
    assert not default_storage.exists(f"evidence/contracts/{hashlib.sha256(content).hexdigest()[:2]}")


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(world, api, settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 16
    contract = h.new_contract(world)
    response = _upload(api, world.staff_a, contract, "合同.pdf", PDF, "application/pdf")
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert response.json()["fields"] == {"file": [f"文件大小{len(PDF)}字节，超过上限16字节"]}
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_evidence_on_a_milestone_or_amendment_of_this_contract_only(world, api):
    contract = h.performing(world)
    other = h.performing(world, title="另一合同")
    milestone = h.payment_milestone(world, other)
    response = _upload(api, world.staff_a, contract, "a.pdf", PDF, milestone=milestone.pk)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["milestone"]
    own = h.payment_milestone(world, contract)
    response = _upload(api, world.staff_a, contract, "a.pdf", PDF, milestone=own.pk)
    assert response.status_code == 201
    assert Evidence.objects.get().milestone == own


@pytest.mark.django_db
def test_the_same_bytes_are_stored_once(world, api):
    contract = h.new_contract(world)
    first = _upload(api, world.staff_a, contract, "a.pdf", PDF).json()
    second = _upload(api, world.staff_a, contract, "b.pdf", PDF).json()
    names = list(Evidence.objects.order_by("id").values_list("file", flat=True))
    assert first["sha256"] == second["sha256"]
    assert names[0] == names[1]


@pytest.mark.django_db
def test_only_the_agencys_staff_upload(world, api):
    contract = h.new_contract(world)
    assert _upload(api, world.enterprise_user_1, contract, "a.pdf", PDF).status_code == 403
    assert _upload(api, world.staff_b, contract, "a.pdf", PDF).status_code == 404
    assert Evidence.objects.count() == 0


def _amendment(world, contract):
    return amendment_create(
        actor=world.staff_a,
        contract=contract,
        rationale_code="price_adjustment",
        rationale="增加数量",
        signed_on=date(2026, 2, 1),
        changes={"amount": "330000.00"},
    )


@pytest.mark.django_db
def test_evidence_on_an_amendment_is_stored_and_logged(world, api):
    # given an amendment of the contract
    contract = h.performing(world)
    amendment = _amendment(world, contract)
    # when the signed supplementary agreement is uploaded on it
    response = _upload(api, world.staff_a, contract, "补充协议.pdf", PDF, "application/pdf", amendment=amendment.pk)
    # then it is attached to that amendment, with its hash, size and type
    assert response.status_code == 201, response.json()
    body = response.json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (body["amendment"], body["milestone"], body["sha256"], body["size"], body["content_type"]) == (
        amendment.pk,
        None,
        digest,
        len(PDF),
        "application/pdf",
    )
    assert list(amendment.evidence.values_list("pk", flat=True)) == [body["id"]]
    event = ContractEvent.objects.filter(contract=contract, kind="evidence").get()
    assert (event.actor, event.reason) == (world.staff_a, f"上传第1次变更证据材料“签约文本”（SHA-256 {digest[:12]}…）")


@pytest.mark.django_db
def test_evidence_on_another_contracts_amendment_or_on_two_owners_is_refused(world, api):
    contract = h.performing(world)
    other = h.performing(world, title="另一合同")
    foreign = _amendment(world, other)
    response = _upload(api, world.staff_a, contract, "a.pdf", PDF, amendment=foreign.pk)
    assert (response.status_code, response.json()["code"], list(response.json()["fields"])) == (
        400,
        "not_found",
        ["amendment"],
    )
    own = _amendment(world, contract)
    milestone = h.payment_milestone(world, contract)
    response = _upload(api, world.staff_a, contract, "a.pdf", PDF, amendment=own.pk, milestone=milestone.pk)
    assert (response.status_code, response.json()["code"], list(response.json()["fields"])) == (
        400,
        "one_owner",
        ["milestone"],
    )
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_another_agencys_milestone_is_a_400_naming_it(world, api):
    # agency B's milestone is not visible to agency A's staff: the reference is invalid
    contract = h.new_contract(world)
    theirs = h.new_contract(world, actor=world.staff_b, agency=world.agency_b, title="乙单位合同")
    milestone = h.payment_milestone(world, theirs, actor=world.staff_b)
    response = _upload(api, world.staff_a, contract, "a.pdf", PDF, milestone=milestone.pk)
    assert (response.status_code, list(response.json()["fields"])) == (400, ["milestone"])
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_no_file_or_no_title_is_a_clear_400(world, api):
    contract = h.new_contract(world)
    url = reverse("contract-evidence", kwargs={"pk": contract.pk})
    response = api(world.staff_a).post(url, {"title": "签约文本"}, format="multipart")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["file"])
    response = api(world.staff_a).post(url, {"title": "签约文本", "file": "not a file"}, format="multipart")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["file"])
    response = api(world.staff_a).post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}, format="multipart"
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["title"])
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_the_service_refuses_a_missing_file_and_checks_it_before_writing(world):
    contract = h.new_contract(world)
    with pytest.raises(ValidationFailed) as caught:
        evidence_add(actor=world.staff_a, contract=contract, upload=None, title="签约文本")
    assert (caught.value.fields, caught.value.code) == ({"file": ["须上传文件"]}, "required")
    # the signature decides, not the name: a PDF named .pdf whose bytes are text is refused
    with pytest.raises(ValidationFailed) as caught:
        evidence_add(
            actor=world.staff_a, contract=contract, upload=ContentFile(b"hello", name="a.pdf"), title="签约文本"
        )
    assert caught.value.fields == {"file": ["文件内容不是可接受的类型（PDF、PNG、JPEG、Word（docx）、Excel（xlsx））"]}
    assert Evidence.objects.count() == 0
    assert ContractEvent.objects.filter(contract=contract).count() == 0
