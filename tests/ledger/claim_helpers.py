"""Files and claims in a given state, for the claim, 确权, status and statement tests."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import Claim, ClaimStatus
from ledger.services import claims as svc

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("对账").write_string(0, 0, "货款")
    wb.close()
    return buf.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(2026, 1, 5, 9, 0, 0))


def docx_bytes(*, macro: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # fixed entry times: writestr with a bare name stamps the current second, so two calls
        # a second apart would give different bytes
        z.writestr(_entry("[Content_Types].xml"), '<?xml version="1.0"?><Types/>')
        z.writestr(_entry("word/document.xml"), '<?xml version="1.0"?><document/>')
        if macro:
            z.writestr(_entry("word/vbaProject.bin"), b"\x00")
    return buf.getvalue()


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(_entry("readme.txt"), "not a document")
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


FILED_ON = date(2026, 6, 1)
ACCEPTED_ON = date(2026, 6, 2)
FORWARDED_ON = date(2026, 6, 5)
RESPONDED_ON = date(2026, 6, 10)
DECIDED_ON = date(2026, 6, 20)

VERIFY_FACTS = {
    "arose_on": date(2026, 5, 1),
    "trigger": "delivery",
    "trigger_on": date(2026, 5, 1),
    "underlying_regime": "contract",
}


def claim_in(w, status: str, *, amount: str = "80000.00") -> Claim:
    """A claim of enterprise 1 against agency A brought to ``status`` through the services."""
    claim = svc.claim_file(
        actor=w.enterprise_user_1, agency=w.agency_a, amount=amount, subject="办公家具货款未付", on=FILED_ON
    )
    if status == ClaimStatus.FILED:
        return claim
    if status == ClaimStatus.WITHDRAWN:
        return svc.claim_withdraw(actor=w.enterprise_user_1, claim=claim, on=ACCEPTED_ON)
    claim = svc.claim_accept(actor=w.supervisor, claim=claim, on=ACCEPTED_ON)
    if status == ClaimStatus.ACCEPTED:
        return claim
    claim = svc.claim_forward(actor=w.supervisor, claim=claim, on=FORWARDED_ON)
    if status == ClaimStatus.FORWARDED:
        return claim
    if status == ClaimStatus.REJECTED:
        return svc.claim_reject(actor=w.supervisor, claim=claim, reason="无合同关系", on=DECIDED_ON)
    claim = svc.claim_respond(actor=w.staff_a, claim=claim, text="已收到，正在核对", on=RESPONDED_ON)
    if status == ClaimStatus.RESPONDED:
        return claim
    assert status == ClaimStatus.VERIFIED
    return svc.claim_verify(actor=w.supervisor, claim=claim, on=DECIDED_ON, **VERIFY_FACTS)


# --- an enterprise's whole account, for the status, statement, lookup and browser tests ------------
AS_OF = date(2026, 6, 5)


def account(w):
    """Enterprise 1's account as of 2026-06-05 (and one obligation of enterprise 2's).

    - SPEC R3's worked example: 200,000.00 due 2026-05-06 under the 条例, 50,000.00 paid on
      2026-05-16; by 民法典 art. 561, principal outstanding 151,000.00, interest accrued 2,510.00,
      1,510.00 unpaid, 30 days overdue.
    - a contract debt without an agreed rate, 12,345.67 due 2026-06-01: "无法定逾期利息".
    - a redemption accepted 2026-05-07 under a 15-working-day policy, due 2026-05-27, not approved.
    - a claim forwarded on 2026-06-05 and a 确权 request of 2026-05-20 (due 2026-06-22, after 端午).
    """
    from ledger.services import confirmations as conf_svc
    from ledger.services import obligations as ob_svc
    from ledger.services import redemptions as rd_svc

    sme = ob_svc.obligation_create(
        actor=w.staff_a,
        debtor_agency=w.agency_a,
        creditor=w.enterprise_1,
        source="other",
        title="办公家具采购款",
        principal="200000.00",
        arose_on=date(2026, 4, 6),
        trigger="delivery",
        trigger_on=date(2026, 4, 6),
        contract_type="government_procurement",
        sme_declared=True,
        signed_on=date(2026, 3, 1),
    )
    ob_svc.payment_record(actor=w.staff_a, obligation=sme, kind="payment", on=date(2026, 5, 16), amount="50000.00")
    contract = ob_svc.obligation_create(
        actor=w.staff_a,
        debtor_agency=w.agency_a,
        creditor=w.enterprise_1,
        source="other",
        title="场地租赁补偿",
        principal="12345.67",
        arose_on=date(2026, 5, 1),
        trigger="delivery",
        trigger_on=date(2026, 5, 1),
        contract_type="other",
    )
    policy = rd_svc.policy_create(
        actor=w.staff_a,
        doc_number="屯政〔2026〕8号",
        title="稳岗补贴",
        issuing_agency=w.agency_a,
        valid_from=date(2026, 1, 1),
        delivery_mode="on_application",
        redemption_working_days=15,
    )
    redemption = rd_svc.redemption_create(
        actor=w.staff_a, policy=policy, enterprise=w.enterprise_1, amount="5000.00", on=date(2026, 5, 6)
    )
    redemption = rd_svc.redemption_accept(actor=w.staff_a, redemption=redemption, on=date(2026, 5, 7))
    claim = svc.claim_file(
        actor=w.enterprise_user_1, agency=w.agency_a, amount="80000.00", subject="办公家具货款未付", on=FILED_ON
    )
    claim = svc.claim_accept(actor=w.supervisor, claim=claim, on=ACCEPTED_ON)
    claim = svc.claim_forward(actor=w.supervisor, claim=claim, on=FORWARDED_ON)
    confirmation = conf_svc.confirmation_request(
        actor=w.enterprise_user_1, agency=w.agency_a, amount="30000.00", subject="家具货款确权", on=date(2026, 5, 20)
    )
    others = ob_svc.obligation_create(
        actor=w.staff_b,
        debtor_agency=w.agency_b,
        creditor=w.enterprise_2,
        source="other",
        title="他人的债务",
        principal="999.00",
        arose_on=date(2026, 4, 1),
        trigger="delivery",
        trigger_on=date(2026, 4, 1),
    )
    return {
        "sme": sme,
        "contract": contract,
        "redemption": redemption,
        "claim": claim,
        "confirmation": confirmation,
        "others": others,
    }
