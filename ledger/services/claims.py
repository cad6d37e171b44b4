"""Writes for claims (诉求): filing with evidence, the 条例 (2025) art. 25 steps, and the decision.

Who does what (SPEC §1): the enterprise files, adds evidence and may withdraw; the supervisor
(区司法局) accepts, forwards, extends, verifies or rejects; the debtor agency only responds. A
debtor never grades itself: verification is the supervisor's alone. Every status move goes
through ``ledger.lifecycles.assign_status`` with ``CLAIM_TRANSITIONS``.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from ledger import clock
from ledger.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from ledger.lifecycles import assign_status
from ledger.models import (
    CLAIM_TRANSITIONS,
    Agency,
    Claim,
    ClaimEvidence,
    ClaimStatus,
    Enterprise,
    EvidenceKind,
    Role,
    User,
)
from ledger.models.claims import CLAIM_OPEN
from ledger.rules import claims as rules
from ledger.rules.calendar import calendar_version
from ledger.rules.errors import RuleError
from ledger.rules.money import parse_amount
from ledger.selectors.calendar import current_calendar
from ledger.selectors.scoping import owns_agency
from ledger.services.notifications import notify, recipients

SUBJECT_MAX = 300
TEXT_MAX = 5000
REF_MAX = 100


# --- input helpers ----------------------------------------------------------------------
def _rule_error(exc: RuleError, default_field: str) -> ValidationFailed:
    field = exc.field or default_field
    return ValidationFailed(f"{field}：{exc.detail}", code=exc.code, fields={field: [exc.detail]})


def amount_of(raw, field: str = "amount"):
    try:
        return parse_amount(raw, field=field, positive=True)
    except RuleError as exc:
        raise _rule_error(exc, field) from None


def text_of(value, field: str, what: str, *, required: bool, limit: int) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed.field(field, f"{what}须为文本")
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.field(field, f"须填写{what}", code="required")
    if len(value) > limit:
        raise ValidationFailed.field(field, f"{what}不得超过{limit}字", code="too_long")
    return value


def step_date(on: date | None, *, field: str = "on", after: date | None = None, after_what: str = "") -> date:
    """The date a step happened: default today (Asia/Shanghai), never in the future, never before
    the step it follows."""
    on = clock.today() if on is None else on
    if not isinstance(on, date):
        raise ValidationFailed.field(field, "日期格式应为 YYYY-MM-DD", code="invalid_date")
    if on > clock.today():
        raise ValidationFailed.field(field, f"日期{on.isoformat()}晚于今天，不能预先记录", code="future_date")
    if after is not None and on < after:
        raise ValidationFailed.field(
            field, f"日期{on.isoformat()}早于{after_what}{after.isoformat()}", code="date_out_of_order"
        )
    return on


def check_move(current: str, to: str, table, choices) -> None:
    """Refuse a move the table does not allow before any input is looked at (409)."""
    if to not in table.get(current, frozenset()):
        raise IllegalTransition(f"当前状态“{choices(current).label}”不能变为“{choices(to).label}”")


# --- evidence files ---------------------------------------------------------------------
_EXTENSIONS = {
    EvidenceKind.PDF: {".pdf"},
    EvidenceKind.JPG: {".jpg", ".jpeg"},
    EvidenceKind.PNG: {".png"},
    EvidenceKind.XLSX: {".xlsx"},
    EvidenceKind.DOCX: {".docx"},
}
_CONTENT_TYPES = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.JPG: "image/jpeg",
    EvidenceKind.PNG: "image/png",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_ALLOWED = "PDF、JPG、PNG、XLSX、DOCX"


@dataclass(frozen=True)
class InspectedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _sniff(data: bytes) -> str | None:
    """The file's type from its content signature, not from its name."""
    if data.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.JPG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
            return None  # not an OOXML document, or one carrying macros
        if "xl/workbook.xml" in names:
            return EvidenceKind.XLSX
        if "word/document.xml" in names:
            return EvidenceKind.DOCX
    return None


def inspect_upload(upload, *, field: str = "files") -> InspectedFile:
    """Check one uploaded file: size limit, an allowed type by content signature, a matching
    extension. Raises ValidationFailed (400) naming ``field``; nothing is stored here."""
    name = os.path.basename(str(getattr(upload, "name", "") or "")).strip()[:255]
    if not name:
        raise ValidationFailed.field(field, "文件缺少文件名", code="file_invalid")
    limit = settings.LEDGER_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationFailed.field(field, f"文件“{name}”大小{size}字节，超过上限{limit}字节", code="file_too_large")
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else bytes(upload.read())
    if not data:
        raise ValidationFailed.field(field, f"文件“{name}”为空", code="file_empty")
    if len(data) > limit:
        raise ValidationFailed.field(
            field, f"文件“{name}”大小{len(data)}字节，超过上限{limit}字节", code="file_too_large"
        )
    kind = _sniff(data)
    if kind is None:
        raise ValidationFailed.field(
            field, f"文件“{name}”的内容不是允许的类型（{_ALLOWED}，按文件内容识别）", code="file_type_not_allowed"
        )
    ext = os.path.splitext(name)[1].lower()
    if ext not in _EXTENSIONS[kind]:
        raise ValidationFailed.field(
            field,
            f"文件“{name}”的扩展名与内容不符（内容为{EvidenceKind(kind).label}）",
            code="file_extension_mismatch",
        )
    return InspectedFile(name, kind, _CONTENT_TYPES[kind], len(data), hashlib.sha256(data).hexdigest(), data)


def _store(claim: Claim, f: InspectedFile, actor: User) -> ClaimEvidence:
    # Content-addressed: the same bytes are stored once; a rolled-back request leaves at most an
    # unreferenced blob, never a wrong one.
    path = f"evidence/{f.sha256[:2]}/{f.sha256}{sorted(_EXTENSIONS[f.kind])[0]}"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(f.data))
    return ClaimEvidence.objects.create(
        claim=claim,
        file=path,
        original_name=f.name,
        kind=f.kind,
        content_type=f.content_type,
        size=f.size,
        sha256=f.sha256,
        uploaded_by=actor,
    )


# --- notifications ----------------------------------------------------------------------
def _tell_enterprise(claim: Claim, kind: str, title: str, body: str = "", link: str = "") -> None:
    notify(
        users=recipients(enterprise=claim.enterprise),
        kind=kind,
        title=title,
        body=body,
        link=link or "/status/",
        dedupe_key=f"{kind}:{claim.pk}",
    )


def _tell_agency(claim: Claim, kind: str, title: str, body: str = "") -> None:
    notify(
        users=recipients(agency=claim.agency),
        kind=kind,
        title=title,
        body=body,
        link=f"/api/claims/{claim.pk}/",
        dedupe_key=f"{kind}:{claim.pk}",
    )


def _lock(claim: Claim) -> Claim:
    try:
        return Claim.objects.select_for_update().select_related("agency", "enterprise").get(pk=claim.pk)
    except Claim.DoesNotExist:
        raise NotFound() from None


def _require_supervisor(actor: User) -> None:
    # The debtor never grades itself (SPEC §1): only the supervisor decides on a claim.
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied("诉求的受理、转办、延期和核实由督查部门（区司法局）办理")


# --- the steps --------------------------------------------------------------------------
@transaction.atomic
def claim_file(
    *,
    actor: User,
    agency: Agency,
    amount,
    subject: str,
    description: str = "",
    contract_ref: str = "",
    enterprise: Enterprise | None = None,
    files=(),
    on: date | None = None,
    is_demo: bool = False,
) -> Claim:
    """An enterprise registers "agency X owes us Y for Z", with evidence files."""
    if actor.role != Role.ENTERPRISE or actor.enterprise_id is None:
        raise PermissionDenied("只有企业用户可以登记诉求")
    if enterprise is not None and enterprise.pk != actor.enterprise_id:
        raise ValidationFailed.field("enterprise", "只能以本企业名义登记诉求", code="not_own_enterprise")
    if not isinstance(agency, Agency):
        raise ValidationFailed.field("agency", "须指明被诉单位", code="required")
    amount = amount_of(amount)
    subject = text_of(subject, "subject", "事由", required=True, limit=SUBJECT_MAX)
    description = text_of(description, "description", "情况说明", required=False, limit=TEXT_MAX)
    contract_ref = text_of(contract_ref, "contract_ref", "合同或文件编号", required=False, limit=REF_MAX)
    on = step_date(on, field="filed_on")
    inspected = [inspect_upload(f) for f in files or ()]  # every file is checked before anything is written
    claim = Claim.objects.create(
        enterprise_id=actor.enterprise_id,
        agency=agency,
        region_code=agency.region_code,
        amount=amount,
        subject=subject,
        description=description,
        contract_ref=contract_ref,
        status=ClaimStatus.FILED,
        filed_on=on,
        filed_by=actor,
        is_demo=is_demo,
    )
    for f in inspected:
        _store(claim, f, actor)
    notify(
        users=recipients(roles=[Role.SUPERVISOR]),
        kind="claim_filed",
        title=f"新登记诉求 {claim.reference}",
        body=f"{claim.enterprise.name}反映{agency.name}欠款{amount}元：{subject}",
        link=f"/api/claims/{claim.pk}/",
        dedupe_key=f"claim_filed:{claim.pk}",
    )
    return claim


@transaction.atomic
def claim_evidence_add(*, actor: User, claim: Claim, upload) -> ClaimEvidence:
    """More evidence, from the enterprise or (with its response) the debtor agency, while open."""
    claim = _lock(claim)
    is_owner = actor.role == Role.ENTERPRISE and actor.enterprise_id == claim.enterprise_id
    is_debtor = actor.role == Role.AGENCY_STAFF and owns_agency(actor, claim.agency_id)
    if not (is_owner or is_debtor):
        raise PermissionDenied("只有诉求企业或被诉单位可以上传证据")
    if claim.status not in CLAIM_OPEN:
        raise IllegalTransition(f"诉求已“{claim.get_status_display()}”，不能再上传证据", code="claim_closed")
    return _store(claim, inspect_upload(upload, field="file"), actor)


@transaction.atomic
def claim_accept(*, actor: User, claim: Claim, on: date | None = None) -> Claim:
    """Formal acceptance (正式受理): art. 25's 10 working days to forward start the next day."""
    _require_supervisor(actor)
    claim = _lock(claim)
    check_move(claim.status, ClaimStatus.ACCEPTED, CLAIM_TRANSITIONS, ClaimStatus)
    on = step_date(on, after=claim.filed_on, after_what="登记日期")
    cal = current_calendar()
    try:
        due = rules.forward_deadline(on, cal)
    except RuleError as exc:
        raise _rule_error(exc, "on") from None
    return assign_status(
        claim,
        ClaimStatus.ACCEPTED,
        table=CLAIM_TRANSITIONS,
        accepted_on=on,
        forward_due_on=due.date if due else None,
        clock_provisional=bool(due and due.provisional),
        calendar_version=calendar_version(cal),
    )


@transaction.atomic
def claim_forward(*, actor: User, claim: Claim, on: date | None = None) -> Claim:
    """Forwarded to the debtor agency, which receives the materials: 30 days to a written result."""
    _require_supervisor(actor)
    claim = _lock(claim)
    check_move(claim.status, ClaimStatus.FORWARDED, CLAIM_TRANSITIONS, ClaimStatus)
    on = step_date(on, after=claim.accepted_on, after_what="受理日期")
    cal = current_calendar()
    try:
        due, cap = rules.result_deadline(on, cal), rules.result_cap(on, cal)
    except RuleError as exc:
        raise _rule_error(exc, "on") from None
    claim = assign_status(
        claim,
        ClaimStatus.FORWARDED,
        table=CLAIM_TRANSITIONS,
        forwarded_on=on,
        result_due_on=due.date if due else None,
        result_cap_on=cap.date if cap else None,
        clock_provisional=claim.clock_provisional or bool(due and due.provisional),
        calendar_version=calendar_version(cal),
    )
    _tell_agency(claim, "claim_forwarded", f"转办诉求 {claim.reference}，请核查答复", claim.subject)
    _tell_enterprise(claim, "claim_forwarded", f"您的诉求 {claim.reference} 已转办{claim.agency.name}")
    return claim


@transaction.atomic
def claim_respond(*, actor: User, claim: Claim, text: str, on: date | None = None) -> Claim:
    """The debtor agency's response — a response only; the decision is the supervisor's."""
    claim = _lock(claim)
    if not (actor.role == Role.AGENCY_STAFF and owns_agency(actor, claim.agency_id)):
        raise PermissionDenied("只有被诉单位的工作人员可以答复诉求")
    check_move(claim.status, ClaimStatus.RESPONDED, CLAIM_TRANSITIONS, ClaimStatus)
    text = text_of(text, "text", "答复内容", required=True, limit=TEXT_MAX)
    on = step_date(on, after=claim.forwarded_on, after_what="转办日期")
    claim = assign_status(
        claim, ClaimStatus.RESPONDED, table=CLAIM_TRANSITIONS, responded_on=on, response_text=text, responded_by=actor
    )
    _tell_enterprise(claim, "claim_responded", f"{claim.agency.name}已答复您的诉求 {claim.reference}", text[:200])
    return claim


@transaction.atomic
def claim_extend(*, actor: User, claim: Claim, extended_to: date, basis: str, on: date | None = None) -> Claim:
    """An approved extension of the result term, to at most 90 days from receipt (art. 25)."""
    _require_supervisor(actor)
    claim = _lock(claim)
    if claim.status not in (ClaimStatus.FORWARDED, ClaimStatus.RESPONDED):
        raise IllegalTransition(f"诉求“{claim.get_status_display()}”，不能延长办理期限", code="illegal_transition")
    if not isinstance(extended_to, date):
        raise ValidationFailed.field("extended_to", "日期格式应为 YYYY-MM-DD", code="invalid_date")
    basis = text_of(basis, "basis", "延期批准依据（批准文件或审批记录）", required=True, limit=SUBJECT_MAX)
    on = step_date(on, after=claim.forwarded_on, after_what="转办日期")
    if claim.result_due_on is None:
        raise ValidationFailed.field(
            "extended_to", "2025年6月1日前转办的诉求不适用条例（2025）第二十五条的办理期限，无需延期", code="no_term"
        )
    try:
        rules.check_extension(
            received_on=claim.forwarded_on,
            current_due=claim.result_last_day,
            extended_to=extended_to,
            approved_on=on,
            cal=current_calendar(),
        )
    except RuleError as exc:
        raise _rule_error(exc, "extended_to") from None
    claim.result_extended_to = extended_to
    claim.extension_basis = basis
    claim.extension_approved_on = on
    claim.extension_approved_by = actor
    claim.save(
        update_fields=["result_extended_to", "extension_basis", "extension_approved_on", "extension_approved_by"]
    )
    return claim


def _decision_date(claim: Claim, on: date | None) -> date:
    after, what = (claim.responded_on, "答复日期") if claim.responded_on else (claim.forwarded_on, "转办日期")
    return step_date(on, after=after, after_what=what)


@transaction.atomic
def claim_verify(*, actor: User, claim: Claim, on: date | None = None, **obligation_facts) -> Claim:
    """The supervisor verifies the claim into an obligation (source 'claim').

    ``obligation_facts`` are passed to ``obligation_create``: ``principal`` (default the amount
    claimed, never more), ``arose_on``, ``trigger``, ``trigger_on``, ``underlying_regime`` (the
    regime of the debt, SPEC R1 "claim"), and the contract facts it needs.
    """
    from ledger.services.obligations import obligation_create  # the obligation area's service

    _require_supervisor(actor)
    claim = _lock(claim)
    check_move(claim.status, ClaimStatus.VERIFIED, CLAIM_TRANSITIONS, ClaimStatus)
    on = _decision_date(claim, on)
    principal = amount_of(obligation_facts.pop("principal", None) or claim.amount, "principal")
    if principal > claim.amount:
        raise ValidationFailed.field(
            "principal", f"核实金额{principal}元超过企业主张的{claim.amount}元", code="exceeds_claim"
        )
    for required in ("arose_on", "trigger", "trigger_on", "underlying_regime"):
        if obligation_facts.get(required) in (None, ""):
            raise ValidationFailed.field(required, "核实为给付义务须填写此项", code="required")
    if obligation_facts["arose_on"] > on:
        raise ValidationFailed.field("arose_on", "债务发生日期晚于核实日期", code="date_out_of_order")
    title = obligation_facts.pop("title", None) or claim.subject
    obligation = obligation_create(
        actor=actor,
        debtor_agency=claim.agency,
        creditor=claim.enterprise,
        source="claim",
        title=title,
        principal=principal,
        is_demo=claim.is_demo,
        **obligation_facts,
    )
    claim = assign_status(
        claim, ClaimStatus.VERIFIED, table=CLAIM_TRANSITIONS, decided_on=on, decided_by=actor, obligation=obligation
    )
    _tell_enterprise(
        claim,
        "claim_verified",
        f"您的诉求 {claim.reference} 已核实属实",
        f"已登记为给付义务 {obligation.reference}，本金{obligation.principal}元，到期日{obligation.due_on.isoformat()}",
        link=f"/status/obligations/{obligation.pk}/",
    )
    _tell_agency(claim, "claim_verified", f"诉求 {claim.reference} 经核实属实，已登记为给付义务 {obligation.reference}")
    return claim


@transaction.atomic
def claim_reject(*, actor: User, claim: Claim, reason: str, on: date | None = None) -> Claim:
    """Rejected with a reason: before acceptance (不予受理) or after the agency had the materials."""
    _require_supervisor(actor)
    claim = _lock(claim)
    check_move(claim.status, ClaimStatus.REJECTED, CLAIM_TRANSITIONS, ClaimStatus)
    reason = text_of(reason, "reason", "不予支持的理由", required=True, limit=TEXT_MAX)
    on = (
        step_date(on, after=claim.filed_on, after_what="登记日期")
        if claim.status == ClaimStatus.FILED
        else (_decision_date(claim, on))
    )
    claim = assign_status(
        claim, ClaimStatus.REJECTED, table=CLAIM_TRANSITIONS, decided_on=on, decided_by=actor, rejection_reason=reason
    )
    _tell_enterprise(claim, "claim_rejected", f"您的诉求 {claim.reference} 不予支持", reason[:200])
    return claim


@transaction.atomic
def claim_withdraw(*, actor: User, claim: Claim, on: date | None = None) -> Claim:
    claim = _lock(claim)
    if actor.role != Role.ENTERPRISE or actor.enterprise_id != claim.enterprise_id:
        raise PermissionDenied("只有诉求企业可以撤回诉求")
    check_move(claim.status, ClaimStatus.WITHDRAWN, CLAIM_TRANSITIONS, ClaimStatus)
    on = step_date(on, after=claim.filed_on, after_what="登记日期")
    return assign_status(claim, ClaimStatus.WITHDRAWN, table=CLAIM_TRANSITIONS, withdrawn_on=on)
