"""Demo claims (诉求) and 确权 requests (issue #3 item 9).

- a claim verified into an obligation (条例 regime, overdue, bearing interest);
- a claim rejected with a reason (no contractual relationship, 条例 (2025) art. 25);
- a claim past its art. 25 clock: forwarded late and still without a written result;
- a 确权 request answered (confirmed, linked to the verified claim's obligation) and one pending.

Idempotent: a demo claim is found by its subject, a 确权 request by its subject, among demo rows;
a rerun writes nothing. Everything goes through the services with fixed past dates, so the
deadlines and notifications are exactly those of real data.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ledger.demo.parties import demo_enterprise
from ledger.models import Agency, Claim, Confirmation, User
from ledger.services import claims as svc
from ledger.services import confirmations as conf_svc

VERIFIED = "（演示）2026年度道路养护沥青材料款未付"
REJECTED = "（演示）景区宣传推广服务费未付"
PAST_CLOCK = "（演示）文旅节活动舞台搭建费未付"
CONFIRMED = "（演示）道路养护沥青材料款应收账款确权（用于应收账款质押融资）"
PENDING = "（演示）智慧景区票务系统建设款应收账款确权"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _claim(subject: str) -> Claim | None:
    return Claim.objects.filter(is_demo=True, subject=subject).first()


def _file(username: str, agency: str, amount: str, subject: str, description: str, on: date) -> Claim:
    return svc.claim_file(
        actor=_user(username),
        agency=Agency.objects.get(short_code=agency),
        amount=amount,
        subject=subject,
        description=description,
        on=on,
        is_demo=True,
    )


def _verified() -> Claim:
    claim = _claim(VERIFIED)
    if claim is not None:
        return claim
    supervisor, staff = _user("demo-supervisor"), _user("demo-staff")
    claim = _file(
        "demo-enterprise",
        "jyj",
        "186000.00",
        VERIFIED,
        "2026年6月1日交付道路养护用沥青材料，验收合格，至今未付款。附送货单、验收单。",
        date(2026, 7, 1),
    )
    claim = svc.claim_accept(actor=supervisor, claim=claim, on=date(2026, 7, 2))
    claim = svc.claim_forward(actor=supervisor, claim=claim, on=date(2026, 7, 8))
    claim = svc.claim_respond(
        actor=staff,
        claim=claim,
        text="经核对，材料已交付并验收，因内部付款流程尚未走完暂未支付。",
        on=date(2026, 7, 15),
    )
    return svc.claim_verify(
        actor=supervisor,
        claim=claim,
        on=date(2026, 7, 28),
        principal="186000.00",
        arose_on=date(2026, 6, 1),
        trigger="delivery",
        trigger_on=date(2026, 6, 1),
        underlying_regime="sme_procurement",
    )


def _rejected() -> Claim:
    claim = _claim(REJECTED)
    if claim is not None:
        return claim
    supervisor, staff = _user("demo-supervisor"), _user("demo-staff2")
    claim = _file(
        "demo-enterprise2", "wltj", "45000.00", REJECTED, "2026年春季为景区开展线上宣传推广。", date(2026, 8, 3)
    )
    claim = svc.claim_accept(actor=supervisor, claim=claim, on=date(2026, 8, 4))
    claim = svc.claim_forward(actor=supervisor, claim=claim, on=date(2026, 8, 10))
    claim = svc.claim_respond(
        actor=staff, claim=claim, text="本局未委托该企业开展宣传推广，双方无书面或口头合同。", on=date(2026, 8, 20)
    )
    return svc.claim_reject(
        actor=supervisor,
        claim=claim,
        reason="经核查，双方不存在合同关系，所述推广系企业自行开展（条例（2025）第二十五条：投诉人须与被投诉人存在合同关系）。",
        on=date(2026, 8, 28),
    )


def _past_clock() -> Claim:
    claim = _claim(PAST_CLOCK)
    if claim is not None:
        return claim
    supervisor = _user("demo-supervisor")
    claim = _file(
        "demo-enterprise",
        "wltj",
        "62800.00",
        PAST_CLOCK,
        "2026年8月为区文旅节搭建舞台及灯光，活动结束后未结算。",
        date(2026, 9, 14),
    )
    # accepted 09-15: forward by 09-29 (10 working days; Sun 09-20 works, 中秋 Fri 09-25 does not)
    claim = svc.claim_accept(actor=supervisor, claim=claim, on=date(2026, 9, 15))
    # forwarded late, on 10-12: a written result was due by 11-11 and has not come
    return svc.claim_forward(actor=supervisor, claim=claim, on=date(2026, 10, 12))


def _confirmations(verified: Claim) -> None:
    if not Confirmation.objects.filter(is_demo=True, subject=CONFIRMED).exists():
        c = conf_svc.confirmation_request(
            actor=_user("demo-enterprise"),
            agency=Agency.objects.get(short_code="jyj"),
            amount="186000.00",
            subject=CONFIRMED,
            purpose="向银行申请应收账款质押贷款",
            on=date(2026, 8, 5),
            is_demo=True,
        )
        conf_svc.confirmation_confirm(
            actor=_user("demo-staff"),
            confirmation=c,
            amount="186000.00",
            obligation=verified.obligation,
            on=date(2026, 8, 25),
        )
    if not Confirmation.objects.filter(is_demo=True, subject=PENDING).exists():
        conf_svc.confirmation_request(
            actor=_user("demo-enterprise2"),
            agency=Agency.objects.get(short_code="wltj"),
            amount="58000.00",
            subject=PENDING,
            on=date(2026, 11, 2),
            is_demo=True,
        )


@transaction.atomic
def load() -> None:
    demo_enterprise("e1")  # the parties loader ran first
    verified = _verified()
    _rejected()
    _past_clock()
    _confirmations(verified)
