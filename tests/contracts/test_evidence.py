"""Evidence files: SHA-256, size and content type checked by signature; a clear 400 otherwise."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractEvent, Evidence
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
