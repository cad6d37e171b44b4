"""Demo contracts (marked demo): every lifecycle state, amendments, an SME contract whose 90-day
payment term is capped at 60, a disputed contract, a termination for government breach, and a
新官不理旧账 case at 区交运局 (handovers 2023-07-01 and 2023-09-01, ledger/demo/parties.py).

Built through the services, so every step has its event and history. Idempotent: a contract
whose demo number exists is left alone, so a rerun adds no rows and no history.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from contracts.models import Contract
from contracts.services import amendments, evidence, lifecycle, milestones
from ledger.demo.parties import demo_enterprise
from ledger.models import Agency, EntryKind, User
from ledger.services.obligations import payment_record

REVIEWER = "区司法局合法性审查科（演示）"
# A one-page PDF, enough for the signature check (%PDF-).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _y(value: str) -> Decimal:
    return Decimal(value)


def _new(number: str, agency: Agency, actor: User, **fields) -> Contract | None:
    if Contract.objects.filter(agency=agency, number=number).exists():
        return None
    return lifecycle.contract_create(actor=actor, agency=agency, number=number, is_demo=True, **fields)


def _to_signed(c: Contract, actor: User, submitted: date, reviewed: date, signed: date) -> Contract:
    c = lifecycle.contract_submit_for_review(actor=actor, contract=c, on=submitted)
    lifecycle.contract_review_record(
        actor=actor,
        contract=c,
        reviewer=REVIEWER,
        opinion="合同主体适格，条款符合法律法规规定，同意签订。",
        result="passed",
        reviewed_on=reviewed,
    )
    return lifecycle.contract_sign(actor=actor, contract=c, signed_on=signed)


def _to_performing(c: Contract, actor: User, filed: date, started: date) -> Contract:
    c = lifecycle.contract_file(actor=actor, contract=c, filed_on=filed)
    return lifecycle.contract_start_performance(actor=actor, contract=c, on=started)


def _pay(actor: User, milestone, on: date, amount: str) -> None:
    payment_record(actor=actor, obligation=milestone.obligation, kind=EntryKind.PAYMENT, on=on, amount=_y(amount))


@transaction.atomic
def load() -> None:
    jyj = Agency.objects.get(short_code="jyj")  # 区交运局
    wltj = Agency.objects.get(short_code="wltj")  # 区文旅体局
    staff_jyj = User.objects.get(username="demo-staff")
    staff_wltj = User.objects.get(username="demo-staff2")
    e1, e2, e3, e4 = (demo_enterprise(k) for k in ("e1", "e2", "e3", "e4"))

    # 1. 草拟
    _new(
        "DEMO-HT-01",
        jyj,
        staff_jyj,
        title="交通标志标线维护服务合同（演示）",
        contract_type="government_procurement",
        counterparty=e2,
        amount=_y("380000.00"),
        payment_term_days=30,
        acceptance_period_days=10,
        sme_declared=True,
    )

    # 2. 合法性审查中
    c = _new(
        "DEMO-HT-02",
        jyj,
        staff_jyj,
        title="城区道路排水改造工程施工合同（演示）",
        contract_type="government_investment",
        counterparty=e3,
        amount=_y("2600000.00"),
        payment_term_days=30,
        acceptance_period_days=15,
        sme_declared=True,
    )
    if c:
        lifecycle.contract_submit_for_review(actor=staff_jyj, contract=c, on=date(2026, 10, 20))

    # 3. 已签订, and disputed (a side flag: the lifecycle position stays "signed").
    c = _new(
        "DEMO-HT-03",
        wltj,
        staff_wltj,
        title="文旅宣传片制作服务合同（演示）",
        contract_type="government_procurement",
        counterparty=e2,
        amount=_y("180000.00"),
        payment_term_days=30,
        acceptance_period_days=7,
        sme_declared=True,
    )
    if c:
        c = _to_signed(c, staff_wltj, date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 15))
        lifecycle.contract_dispute_open(
            actor=staff_wltj, contract=c, on=date(2026, 10, 12), reason="双方对脚本修改次数是否计入合同价款存在争议"
        )

    # 4. 已备案: a large enterprise, not an SME — the contract regime (agreed term).
    c = _new(
        "DEMO-HT-04",
        wltj,
        staff_wltj,
        title="景区停车场特许经营协议（演示）",
        contract_type="concession",
        counterparty=e4,
        amount=_y("5000000.00"),
        payment_term_days=45,
    )
    if c:
        c = _to_signed(c, staff_wltj, date(2026, 5, 10), date(2026, 5, 20), date(2026, 6, 1))
        lifecycle.contract_file(actor=staff_wltj, contract=c, filed_on=date(2026, 6, 10))

    # 5. 履行中, SME purchase with a 90-day term: capped at 60 days and flagged (条例 2025 art. 9).
    c = _new(
        "DEMO-HT-05",
        jyj,
        staff_jyj,
        title="公交站台改造材料采购合同（演示）",
        contract_type="government_procurement",
        counterparty=e1,
        amount=_y("600000.00"),
        payment_term_days=90,
        acceptance_period_days=10,
        sme_declared=True,
    )
    if c:
        c = _to_signed(c, staff_jyj, date(2026, 2, 16), date(2026, 2, 25), date(2026, 3, 2))
        c = _to_performing(c, staff_jyj, date(2026, 3, 10), date(2026, 3, 15))
        first = milestones.milestone_create(
            actor=staff_jyj,
            contract=c,
            side="government",
            kind="payment",
            title="第一批材料货款",
            amount=_y("400000.00"),
            goods_works_services=True,
            payment_basis="delivery",
            due_on=date(2026, 6, 9),
        )
        second = milestones.milestone_create(
            actor=staff_jyj,
            contract=c,
            side="government",
            kind="payment",
            title="第二批材料货款（验收后支付）",
            amount=_y("200000.00"),
            goods_works_services=True,
            payment_basis="acceptance",
        )
        delivery = milestones.milestone_create(
            actor=staff_jyj,
            contract=c,
            side="enterprise",
            kind="delivery",
            title="交付第一批站台材料",
            due_on=date(2026, 4, 15),
        )
        milestones.milestone_record_met(actor=staff_jyj, milestone=delivery, on=date(2026, 4, 10))
        first = milestones.milestone_record_trigger(
            actor=staff_jyj, milestone=first, event="delivery", on=date(2026, 4, 10)
        )
        _pay(staff_jyj, first, date(2026, 6, 1), "150000.00")
        milestones.milestone_record_trigger(actor=staff_jyj, milestone=second, event="delivery", on=date(2026, 8, 3))
        # Not accepted within the agreed 10 days: the term runs from the period's end (art. 10 para 2).
        milestones.milestone_record_trigger(
            actor=staff_jyj, milestone=second, event="late_acceptance", on=date(2026, 9, 1)
        )

    # 6. 履行中 with two amendments (price, then period and payment term); settlement-based payment.
    c = _new(
        "DEMO-HT-06",
        wltj,
        staff_wltj,
        title="区体育馆维修改造工程施工合同（演示）",
        contract_type="government_investment",
        counterparty=e3,
        amount=_y("1200000.00"),
        period_start=date(2025, 6, 1),
        period_end=date(2025, 12, 31),
        payment_term_days=45,
        acceptance_period_days=20,
        sme_declared=True,
    )
    if c:
        c = _to_signed(c, staff_wltj, date(2025, 5, 5), date(2025, 5, 12), date(2025, 5, 20))
        c = _to_performing(c, staff_wltj, date(2025, 5, 28), date(2025, 6, 1))
        first = amendments.amendment_create(
            actor=staff_wltj,
            contract=c,
            rationale_code="price_adjustment",
            rationale="增加看台防水工程量，经双方协商调整合同价款",
            signed_on=date(2025, 8, 1),
            changes={"amount": "1350000.00"},
        )
        evidence.evidence_add(
            actor=staff_wltj,
            contract=c,
            upload=ContentFile(DEMO_PDF, name="补充协议一.pdf"),
            title="补充协议（一）扫描件",
            amendment=first,
        )
        amendments.amendment_create(
            actor=staff_wltj,
            contract=c,
            rationale_code="time_extension",
            rationale="受汛期影响顺延工期，并将付款期限调整为30日",
            signed_on=date(2025, 10, 15),
            changes={"period_end": "2026-03-31", "payment_term_days": 30},
        )
        progress = milestones.milestone_create(
            actor=staff_wltj,
            contract=c,
            side="government",
            kind="payment",
            title="进度款（第一期结算）",
            amount=_y("600000.00"),
            goods_works_services=True,
            payment_basis="settlement",
        )
        progress = milestones.milestone_record_trigger(
            actor=staff_wltj, milestone=progress, event="settlement_confirmed", on=date(2025, 12, 20)
        )
        _pay(staff_wltj, progress, date(2026, 1, 15), "600000.00")
        milestones.milestone_create(
            actor=staff_wltj,
            contract=c,
            side="government",
            kind="payment",
            title="竣工结算尾款",
            amount=_y("750000.00"),
            goods_works_services=True,
            payment_basis="acceptance",
        )

    # 7. 履行完毕: every government payment paid.
    c = _new(
        "DEMO-HT-07",
        jyj,
        staff_jyj,
        title="交通运输执法记录仪采购合同（演示）",
        contract_type="government_procurement",
        counterparty=e2,
        amount=_y("96000.00"),
        payment_term_days=30,
        acceptance_period_days=5,
        sme_declared=True,
    )
    if c:
        c = _to_signed(c, staff_jyj, date(2025, 2, 17), date(2025, 2, 24), date(2025, 3, 3))
        c = _to_performing(c, staff_jyj, date(2025, 3, 7), date(2025, 3, 10))
        pay = milestones.milestone_create(
            actor=staff_jyj,
            contract=c,
            side="government",
            kind="payment",
            title="设备款",
            amount=_y("96000.00"),
            goods_works_services=True,
            payment_basis="acceptance",
        )
        milestones.milestone_record_trigger(actor=staff_jyj, milestone=pay, event="delivery", on=date(2025, 4, 1))
        pay = milestones.milestone_record_trigger(
            actor=staff_jyj, milestone=pay, event="acceptance", on=date(2025, 4, 3)
        )
        _pay(staff_jyj, pay, date(2025, 4, 28), "96000.00")
        lifecycle.contract_complete(
            actor=staff_jyj, contract=c, on=date(2025, 6, 30), reason="设备已交付验收，款项已付清"
        )

    # 8. 已终止 for government breach (a dishonesty candidate for the credit app, SPEC R9).
    c = _new(
        "DEMO-HT-08",
        wltj,
        staff_wltj,
        title="文旅综合体招商引资协议（演示）",
        contract_type="investment_promotion",
        counterparty=e1,
        amount=_y("3000000.00"),
    )
    if c:
        c = _to_signed(c, staff_wltj, date(2024, 5, 6), date(2024, 5, 20), date(2024, 6, 1))
        c = _to_performing(c, staff_wltj, date(2024, 6, 7), date(2024, 6, 15))
        lifecycle.contract_terminate(
            actor=staff_wltj,
            contract=c,
            on=date(2025, 2, 15),
            reason_code="government_breach",
            reason="约定的用地未按期交付，企业依约解除协议",
        )

    # 9. 已终止 before signing: the review failed and the agency abandoned it.
    c = _new(
        "DEMO-HT-09",
        jyj,
        staff_jyj,
        title="货运场站租赁协议（演示）",
        contract_type="other",
        counterparty=e3,
        amount=_y("240000.00"),
    )
    if c:
        c = lifecycle.contract_submit_for_review(actor=staff_jyj, contract=c, on=date(2026, 4, 1))
        lifecycle.contract_review_record(
            actor=staff_jyj,
            contract=c,
            reviewer=REVIEWER,
            opinion="租赁标的权属不清，不予通过。",
            result="failed",
            reviewed_on=date(2026, 4, 8),
        )
        lifecycle.contract_terminate(
            actor=staff_jyj,
            contract=c,
            on=date(2026, 4, 20),
            reason_code="not_concluded",
            reason="合法性审查未通过，放弃签订",
        )

    # 10. 新官不理旧账: signed under 张建国 (to 2023-06-30); the works were delivered on 2023-05-20,
    # due 30 days later, and are still unpaid under the acting head from 2023-07-01 and 王强
    # from 2023-09-01 — flagged once unmet for 30 days after the handover (SPEC R5).
    c = _new(
        "DEMO-HT-10",
        jyj,
        staff_jyj,
        title="农村公路养护工程施工合同（2023年，演示）",
        contract_type="government_investment",
        counterparty=e1,
        amount=_y("850000.00"),
        payment_term_days=30,
        acceptance_period_days=15,
        sme_declared=True,
    )
    if c:
        c = _to_signed(c, staff_jyj, date(2023, 2, 20), date(2023, 3, 1), date(2023, 3, 15))
        c = _to_performing(c, staff_jyj, date(2023, 3, 24), date(2023, 4, 1))
        works = milestones.milestone_create(
            actor=staff_jyj,
            contract=c,
            side="government",
            kind="payment",
            title="养护工程款",
            amount=_y("850000.00"),
            goods_works_services=True,
            payment_basis="delivery",
        )
        milestones.milestone_record_trigger(actor=staff_jyj, milestone=works, event="delivery", on=date(2023, 5, 20))
