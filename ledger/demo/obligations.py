"""Demo obligations, payments, policies and redemptions that exercise R1–R5.

Idempotent: each row has a natural key (an obligation's title among demo rows, a policy's 文号,
a redemption's policy and enterprise, an entry's kind/date/amount), and a rerun finds it instead
of writing it again. Everything goes through the services, so due dates, regimes, running totals
and tenures are computed exactly as for real data.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ledger.demo.parties import demo_enterprise
from ledger.models import (
    Agency,
    ConfirmationStatus,
    DeliveryMode,
    LedgerEntry,
    Obligation,
    Policy,
    Redemption,
    RefusalReason,
    User,
)
from ledger.services import obligations as ob
from ledger.services import redemptions as rd

# --- obligations ---------------------------------------------------------------------------
# (key, debtor, creditor, actor, fields). Titles are the natural key among demo rows.
OBLIGATIONS = [
    (
        # 条例 regime, no agreed rate → 0.05 % a day; the part payment is SPEC R3's example.
        "sme_overdue",
        "jyj",
        "e1",
        "demo-staff",
        {
            "title": "（演示）区交运局 办公设备采购合同 尾款",
            "source": "milestone",
            "principal": "200000.00",
            "arose_on": date(2026, 4, 6),
            "trigger": "delivery",
            "trigger_on": date(2026, 4, 6),
            "contract_type": "government_procurement",
            "sme_declared": True,
            "signed_on": date(2026, 3, 1),
        },
    ),
    (
        # A large creditor: contract regime, agreed 45-day term, no agreed rate → no statutory interest.
        "contract_no_rate",
        "jyj",
        "e4",
        "demo-staff",
        {
            "title": "（演示）区交运局 公交站台改造工程 进度款",
            "source": "milestone",
            "principal": "680000.00",
            "arose_on": date(2026, 6, 15),
            "trigger": "acceptance",
            "trigger_on": date(2026, 6, 15),
            "contract_type": "government_investment",
            "sme_declared": False,
            "signed_on": date(2025, 11, 20),
            "agreed_term_days": 45,
        },
    ),
    (
        # Arose under 张建国; handed over 2023-07-01 (an acting head, then 王强): a legacy-debt case.
        # The agreed 90-day term is capped at 60 (条例 2020 art. 8) and flagged.
        "legacy_handover",
        "jyj",
        "e2",
        "demo-staff",
        {
            "title": "（演示）区交运局 交通信息化平台运维服务费（2022年度）",
            "source": "milestone",
            "principal": "86000.00",
            "arose_on": date(2023, 3, 1),
            "trigger": "acceptance",
            "trigger_on": date(2023, 3, 1),
            "contract_type": "government_procurement",
            "sme_declared": True,
            "signed_on": date(2022, 1, 10),
            "agreed_term_days": 90,
        },
    ),
    (
        # Owed by 区旅游发展委员会, merged into 区文旅体局 on 2024-03-01: the debt passed on, the
        # principal changed with it — a legacy-debt case across the merger.
        "legacy_merger",
        "demo-lyw",
        "e3",
        "demo-staff2",
        {
            "title": "（演示）区旅游发展委员会 旅游宣传片制作服务费",
            "source": "milestone",
            "principal": "150000.00",
            "arose_on": date(2023, 10, 9),
            "trigger": "acceptance",
            "trigger_on": date(2023, 10, 9),
            "contract_type": "government_procurement",
            "sme_declared": True,
            "signed_on": date(2023, 6, 1),
        },
    ),
    (
        # Part of a settlement is disputed; the undisputed part stays due (条例 2025 art. 15).
        "disputed",
        "jyj",
        "e2",
        "demo-staff",
        {
            "title": "（演示）区交运局 农村公路养护服务（2026年第二季度）",
            "source": "milestone",
            "principal": "120000.00",
            "arose_on": date(2026, 7, 10),
            "trigger": "settlement_confirmed",
            "trigger_on": date(2026, 7, 10),
            "contract_type": "government_procurement",
            "sme_declared": True,
            "signed_on": date(2026, 1, 5),
        },
    ),
]

PAYMENTS = [
    # (obligation key, actor, kind, on, amount) — allocated by 民法典 art. 561 (interest first)
    ("sme_overdue", "demo-staff", "payment", date(2026, 5, 16), "50000.00"),
    ("legacy_merger", "demo-staff2", "payment", date(2024, 6, 20), "30000.00"),
    ("disputed", "demo-staff", "payment", date(2026, 8, 20), "40000.00"),
]

REFUSALS = [
    # (obligation key, actor, code, given_on, text) — judged by the 条例 text of that day
    (
        "legacy_handover",
        "demo-staff",
        "leadership_change",
        date(2023, 8, 10),
        "原分管领导已调离，新任领导到位后再研究支付事宜。",
    ),
    ("legacy_merger", "demo-staff2", "internal_procedure", date(2024, 4, 15), "机构改革后财务流程尚在重新审批中。"),
]

DISPUTES = [("disputed", "demo-staff", "20000.00", "养护质量验收有争议，涉及K3+200至K5+200路段，约定复验后结算。")]

# --- policies and redemptions --------------------------------------------------------------
POLICIES = [
    # (key, doc_number, title, issuing agency, delivery mode, working days)
    ("stable_jobs", "屯交运〔2026〕3号", "（演示）物流企业稳岗奖补", "jyj", DeliveryMode.FREE_APPLY, 10),
    ("ev_trucks", "屯交运〔2026〕5号", "（演示）新能源货车购置补贴", "jyj", DeliveryMode.ON_APPLICATION, 15),
]

REDEMPTIONS = [
    # (policy key, enterprise, amount, steps [(action, date, extra)], payment date or None)
    # 免申即享 notified on Friday 2026-02-13, across Spring Festival: due 2026-03-05, paid on time.
    (
        "stable_jobs",
        "e1",
        "30000.00",
        [("create", date(2026, 2, 12)), ("notify", date(2026, 2, 13)), ("approve", date(2026, 2, 24))],
        date(2026, 3, 3),
    ),
    # 免申即享 notified 2026-04-02, across Qingming: due 2026-04-17, paid late on 2026-05-08.
    (
        "stable_jobs",
        "e2",
        "12000.00",
        [("create", date(2026, 4, 1)), ("notify", date(2026, 4, 2)), ("approve", date(2026, 4, 3))],
        date(2026, 5, 8),
    ),
    # 依申请: accepted and approved, not yet paid.
    (
        "ev_trucks",
        "e3",
        "50000.00",
        [("create", date(2026, 9, 1)), ("accept", date(2026, 9, 3)), ("approve", date(2026, 9, 10))],
        None,
    ),
    # 依申请: rejected with a reason.
    (
        "ev_trucks",
        "e4",
        "80000.00",
        [("create", date(2026, 6, 1)), ("reject", date(2026, 6, 5))],
        None,
    ),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _agency(code: str) -> Agency:
    return Agency.objects.get(short_code=code)


def _obligations() -> dict[str, Obligation]:
    out = {}
    for key, debtor, creditor, actor, fields in OBLIGATIONS:
        existing = Obligation.objects.filter(is_demo=True, title=fields["title"]).first()
        out[key] = existing or ob.obligation_create(
            actor=_user(actor),
            debtor_agency=_agency(debtor),
            creditor=demo_enterprise(creditor),
            is_demo=True,
            **fields,
        )
    return out


def _payment(obligation: Obligation, actor: str, kind: str, on: date, amount: str) -> LedgerEntry:
    existing = LedgerEntry.objects.filter(obligation=obligation, kind=kind, on=on, amount=amount).first()
    return existing or ob.payment_record(actor=_user(actor), obligation=obligation, kind=kind, on=on, amount=amount)


def _redemptions(policies: dict[str, Policy]) -> None:
    staff = _user("demo-staff")
    for policy_key, ent_key, amount, steps, paid_on in REDEMPTIONS:
        policy, enterprise = policies[policy_key], demo_enterprise(ent_key)
        if Redemption.objects.filter(policy=policy, enterprise=enterprise, is_demo=True).exists():
            continue
        redemption = None
        for step, on in steps:
            if step == "create":
                redemption = rd.redemption_create(
                    actor=staff, policy=policy, enterprise=enterprise, amount=amount, on=on, is_demo=True
                )
            elif step == "reject":
                redemption = rd.redemption_reject(
                    actor=staff,
                    redemption=redemption,
                    on=on,
                    reason="（演示）申请企业不属于道路货物运输经营者，不符合政策适用对象。",
                )
            else:
                redemption = getattr(rd, f"redemption_{step}")(actor=staff, redemption=redemption, on=on)
        if paid_on is not None:
            _payment(redemption.obligation, "demo-staff", "payment", paid_on, amount)


@transaction.atomic
def load() -> None:
    obligations = _obligations()
    for key, actor, kind, on, amount in PAYMENTS:
        _payment(obligations[key], actor, kind, on, amount)
    for key, actor, code, given_on, text in REFUSALS:
        if not RefusalReason.objects.filter(obligation=obligations[key], code=code, given_on=given_on).exists():
            ob.refusal_reason_record(
                actor=_user(actor), obligation=obligations[key], code=code, given_on=given_on, text=text
            )
    for key, actor, amount, note in DISPUTES:
        o = Obligation.objects.get(pk=obligations[key].pk)
        if o.disputed_amount != amount and str(o.disputed_amount) != amount:
            ob.obligation_dispute(actor=_user(actor), obligation=o, disputed_amount=amount, note=note)
    # The creditor confirms the part payment of the 条例 obligation (对账确认).
    entry = LedgerEntry.objects.get(obligation=obligations["sme_overdue"], on=date(2026, 5, 16))
    if entry.confirmation == ConfirmationStatus.PENDING:
        ob.payment_confirm(
            actor=_user("demo-enterprise"), obligation=obligations["sme_overdue"], entry_id=entry.pk, objection=False
        )
    policies = {}
    for key, doc_number, title, agency, mode, days in POLICIES:
        issuing = _agency(agency)
        policies[key] = Policy.objects.filter(
            doc_number=doc_number, issuing_agency=issuing
        ).first() or rd.policy_create(
            actor=_user("demo-staff"),
            doc_number=doc_number,
            title=title,
            issuing_agency=issuing,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
            delivery_mode=mode,
            redemption_working_days=days,
            is_demo=True,
        )
    _redemptions(policies)
