"""Evidence files on contracts, amendments and milestones.

Each file is checked before anything is written: not empty, at most
``settings.LEDGER_MAX_UPLOAD_BYTES``, and of an accepted type *by its content signature* (the
first bytes), whatever name or content type the client claims; the claim must agree with the
content. Stored content-addressed under its SHA-256 (the same bytes are kept once). A file
saved by a request that later fails stays orphaned under its hash; it is harmless and is
reused by the next upload of the same bytes.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from contracts.models import Amendment, Contract, EventKind, Evidence, Milestone, evidence_path
from contracts.services.common import check_writer, lock, record_event, text
from ledger import clock
from ledger.errors import ValidationFailed
from ledger.models import User

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {PDF: {".pdf"}, PNG: {".png"}, JPEG: {".jpg", ".jpeg"}, DOCX: {".docx"}, XLSX: {".xlsx"}}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word（docx）", XLSX: "Excel（xlsx）"}
_GENERIC_CLAIMS = {"", "application/octet-stream", "binary/octet-stream"}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    sha256: str


def _zip_kind(upload) -> str | None:
    """docx / xlsx are ZIP packages (OOXML): told apart by their main part. Names only are read."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(upload) -> str | None:
    """The content type by signature: PDF ``%PDF-``, PNG, JPEG ``FF D8 FF``, ZIP-based docx/xlsx."""
    upload.seek(0)
    head = upload.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def check_file(upload, *, field: str = "file") -> Checked:
    """Size, signature and the client's claims; a clear 400 naming ``file`` otherwise."""
    if upload is None:
        raise ValidationFailed.field(field, "须上传文件", code="required")
    limit = settings.LEDGER_MAX_UPLOAD_BYTES
    size = upload.size
    if not size:
        raise ValidationFailed.field(field, "文件为空", code="empty_file")
    if size > limit:
        raise ValidationFailed.field(field, f"文件大小{size}字节，超过上限{limit}字节", code="file_too_large")
    detected = sniff(upload)
    if detected is None:
        accepted = "、".join(LABELS.values())
        raise ValidationFailed.field(field, f"文件内容不是可接受的类型（{accepted}）", code="unsupported_file_type")
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EXTENSIONS[detected]:
        raise ValidationFailed.field(
            field,
            f"文件扩展名“{suffix or '（无）'}”与文件内容（{LABELS[detected]}）不符",
            code="extension_mismatch",
        )
    claimed = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if claimed not in _GENERIC_CLAIMS and claimed != detected:
        raise ValidationFailed.field(
            field, f"声明的文件类型“{claimed}”与文件内容（{LABELS[detected]}）不符", code="content_type_mismatch"
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(_CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return Checked(content_type=detected, size=size, sha256=digest.hexdigest())


@transaction.atomic
def evidence_add(
    *,
    actor: User,
    contract: Contract,
    upload,
    title: str,
    amendment: Amendment | None = None,
    milestone: Milestone | None = None,
) -> Evidence:
    """Attach a checked file to a contract, or to one of its amendments or milestones."""
    check_writer(actor, contract)
    contract = lock(contract)
    if amendment is not None and milestone is not None:
        raise ValidationFailed.field("milestone", "证据材料只能附于一次变更或一个节点之一", code="one_owner")
    if amendment is not None and amendment.contract_id != contract.pk:
        raise ValidationFailed.field("amendment", "该变更不属于本合同", code="not_found")
    if milestone is not None and milestone.contract_id != contract.pk:
        raise ValidationFailed.field("milestone", "该履行节点不属于本合同", code="not_found")
    title = text(title, "title", required=True, what="标题", max_length=200)
    checked = check_file(upload)
    evidence = Evidence(
        contract=contract,
        amendment=amendment,
        milestone=milestone,
        title=title,
        original_name=PurePath(upload.name or "file").name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    path = evidence_path(evidence, upload.name)
    if not default_storage.exists(path):
        upload.seek(0)
        path = default_storage.save(path, upload)
    evidence.file.name = path
    evidence.save()
    owner = f"第{amendment.number}次变更" if amendment else (f"节点“{milestone.title}”" if milestone else "合同")
    record_event(
        contract,
        actor=actor,
        kind=EventKind.EVIDENCE,
        on=clock.today(),
        reason=f"上传{owner}证据材料“{title}”（SHA-256 {checked.sha256[:12]}…）",
    )
    return evidence
