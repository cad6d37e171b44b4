"""Demo recommendations and decisions: each kind in each live state, an urgent one, objections
(pending, upheld, rejected), verdicts, escalations, decisions performed and not, a money decision.

Dates are set relative to the day of the first load, so the states are as described on that day
(they drift afterwards, as real ones would). Rows are looked up by 文号 / 案号 and created through
the services only when missing: a rerun adds no rows and no history. Everything is marked demo.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from ledger import clock
from ledger.demo.parties import demo_enterprise
from ledger.models import Agency, Decision, Recommendation, User
from ledger.services import oversight as svc

PROCURATORATE = "黄山市屯溪区人民检察院（演示）"
COURT = "黄山市屯溪区人民法院（演示）"
REVIEW_BODY = "黄山市屯溪区人民政府（演示）"

PRO, PIL, JUD = "procuratorial", "public_interest", "judicial"
JC, FY, FY_ZF = PROCURATORATE, COURT, REVIEW_BODY

# (文号, kind, issuer, recipient, title, served days ago, urgent, stated days, replied days after
#  service (None = unreplied), verdict)
RECOMMENDATIONS = [
    # pending: served recently, deadline ahead
    ("屯检建〔演示〕1号", PRO, JC, "jyj", "规范道路运输行政处罚程序", 20, False, None, None, None),
    ("屯检行公建〔演示〕1号", PIL, JC, "wltj", "景区违建侵占林地", 25, False, None, None, None),
    ("屯法建〔演示〕1号", JUD, FY, "jyj", "完善政府采购合同付款审批", 15, False, None, None, None),
    # urgent 公益诉讼诉前检察建议: 15 days (两高解释 art. 21)
    ("屯检行公建〔演示〕2号", PIL, JC, "wltj", "古建筑消防隐患（紧急）", 5, True, None, None, None),
    # replied on time, with verdicts
    ("屯检建〔演示〕2号", PRO, JC, "jyj", "清理拖欠中小企业账款", 110, False, None, 40, "fully"),
    ("屯检行公建〔演示〕3号", PIL, JC, "wltj", "河道采砂监管", 120, False, None, 50, "partly"),
    ("屯法建〔演示〕2号", JUD, FY, "jyj", "行政协议履约风险防控", 100, False, 30, 25, None),
    # replied late
    ("屯检建〔演示〕3号", PRO, JC, "wltj", "文旅专项资金兑现滞后", 170, False, None, 90, "not"),
    ("屯检行公建〔演示〕4号", PIL, JC, "jyj", "渣土运输扬尘污染", 160, False, None, 85, None),
    ("屯法建〔演示〕3号", JUD, FY, "wltj", "招商引资承诺兑现", 150, False, None, 80, None),
    # overdue, never replied (escalated)
    ("屯检建〔演示〕4号", PRO, JC, "czj", "政府投资项目结算审计久拖不决", 90, False, None, None, None),
    ("屯检行公建〔演示〕5号", PIL, JC, "wltj", "非物质文化遗产保护经费", 95, False, None, None, None),
    ("屯法建〔演示〕4号", JUD, FY, "fgw", "政务失信整改", 85, False, None, None, None),
]

# (文号, kind, issuer, recipient, title, served days ago, objection filed days after service,
#  outcome (None = under review), ruled days after filing)
OBJECTIONS = [
    ("屯检建〔演示〕5号", PRO, JC, "jyj", "出租车经营权有偿使用费", 50, 5, "upheld", 7),
    ("屯法建〔演示〕5号", JUD, FY, "wltj", "体育场馆运营合同管理", 40, 4, "rejected", 6),
    ("屯检行公建〔演示〕6号", PIL, JC, "jyj", "公交场站占用耕地", 12, 3, None, None),
]

# (案号, kind, issued by, agency, title, effective days ago, days to perform, amount, creditor key,
#  how far it got: None / "reported" / "performed" / "late")
DECISIONS = [
    ("（演示）皖1002行初1号", "judgment", FY, "jyj", "撤销行政处罚决定并重新作出", 120, 30, None, None, "performed"),
    ("（演示）屯政复决1号", "review_decision", FY_ZF, "wltj", "责令限期作出行政许可决定", 10, 30, None, None, None),
    ("（演示）皖1002行初2号", "ruling", FY, "jyj", "依法履行协议约定的交地义务", 80, 30, None, None, None),
    (
        "（演示）屯政复决2号",
        "review_decision",
        FY_ZF,
        "wltj",
        "撤销不予兑现决定并重新处理",
        200,
        30,
        None,
        None,
        "late",
    ),
    ("（演示）屯政复决3号", "review_decision", FY_ZF, "jyj", "公开政府信息", 40, 30, None, None, "reported"),
    # a money judgment in favour of an enterprise: its obligation is in the court-decision regime
    ("（演示）皖1002民初3号", "judgment", FY, "jyj", "支付道路养护工程款", 60, 15, Decimal("380000.00"), "e1", None),
]


def _agency(code: str) -> Agency:
    return Agency.objects.get(short_code=code)


def _staff_of(agency: Agency) -> User:
    """A demo staff member of the agency, or a demo one made for it."""
    user = User.objects.filter(role="agency_staff", agency=agency, is_demo=True).order_by("id").first()
    if user is None:
        user = User.objects.create(
            username=f"demo-staff-{agency.short_code}",
            role="agency_staff",
            agency=agency,
            is_demo=True,
            is_staff=True,
            first_name=f"{agency.name}（演示）",
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _record(supervisor, today, doc, kind, issuer, code, title, served_ago, urgent=False, stated_days=None):
    existing = Recommendation.objects.filter(issuer=issuer, doc_number=doc).first()
    if existing is not None:
        return existing, False
    rec = svc.recommendation_record(
        actor=supervisor,
        kind=kind,
        issuer=issuer,
        doc_number=doc,
        title=title,
        recipient=_agency(code),
        served_on=today - timedelta(days=served_ago),
        urgent=urgent,
        stated_days=stated_days,
        is_demo=True,
    )
    return rec, True


def _at_most(day: date, today: date) -> date:
    return min(day, today)


@transaction.atomic
def load() -> None:
    today = clock.today()
    supervisor = User.objects.get(username="demo-supervisor")
    escalate_on: set[date] = set()

    for doc, kind, issuer, code, title, served_ago, urgent, stated, reply_after, verdict in RECOMMENDATIONS:
        rec, created = _record(supervisor, today, doc, kind, issuer, code, title, served_ago, urgent, stated)
        if not created:
            continue
        if reply_after is not None:
            replied_on = _at_most(rec.served_on + timedelta(days=reply_after), today)
            rec = svc.recommendation_reply(
                actor=_staff_of(rec.recipient),
                recommendation=rec,
                replied_on=replied_on,
                summary="已组织专题研究，逐项制定整改措施并落实（演示）",
                evidence="整改情况报告（演示）\n会议纪要（演示）",
            )
            if verdict is not None:
                svc.recommendation_give_verdict(
                    actor=supervisor,
                    recommendation=rec,
                    rectification=verdict,
                    verdict_on=_at_most(replied_on + timedelta(days=10), today),
                    note="" if verdict == "fully" else "整改措施尚未全部落实，继续跟踪（演示）",
                )
        if rec.deadline < today:
            escalate_on.add(rec.deadline + timedelta(days=1))

    for doc, kind, issuer, code, title, served_ago, filed_after, outcome, ruled_after in OBJECTIONS:
        rec, created = _record(supervisor, today, doc, kind, issuer, code, title, served_ago)
        if not created:
            continue
        filed_on = rec.served_on + timedelta(days=filed_after)
        svc.recommendation_object(
            actor=_staff_of(rec.recipient),
            recommendation=rec,
            filed_on=filed_on,
            grounds="建议所涉事项不属本单位法定职责（演示）",
        )
        if outcome is None:
            continue
        ruled_on = filed_on + timedelta(days=ruled_after)
        svc.recommendation_rule_objection(
            actor=supervisor,
            recommendation=rec,
            outcome=outcome,
            ruled_on=ruled_on,
            reasons="经复查，异议理由成立，建议内容已修订（演示）"
            if outcome == "upheld"
            else "经复查，异议理由不成立，原建议维持（演示）",
            revised_served_on=ruled_on + timedelta(days=2) if outcome == "upheld" else None,
        )

    # Escalations as the daily run would have made them, on the day after each deadline.
    for day in sorted(escalate_on):
        svc.escalations_create_due(as_of=day)

    for case, kind, issued_by, code, title, effective_ago, days, amount, creditor, progress in DECISIONS:
        agency = _agency(code)
        if Decision.objects.filter(case_number=case, agency=agency).exists():
            continue
        effective_on = today - timedelta(days=effective_ago)
        deadline = effective_on + timedelta(days=days)
        decision = svc.decision_record(
            actor=supervisor,
            kind=kind,
            case_number=case,
            issued_by=issued_by,
            agency=agency,
            title=title,
            effective_on=effective_on,
            performance_deadline=deadline,
            amount=amount,
            creditor=demo_enterprise(creditor) if creditor else None,
            is_demo=True,
        )
        if progress in ("performed", "reported"):
            decision = svc.decision_report_performance(
                actor=_staff_of(agency),
                decision=decision,
                reported_on=_at_most(deadline - timedelta(days=2), today),
                note="已按文书要求履行完毕（演示）",
            )
        if progress == "performed":
            svc.decision_confirm_performance(actor=supervisor, decision=decision, note="经核实已履行（演示）")
        elif progress == "late":
            svc.decision_confirm_performance(
                actor=supervisor,
                decision=decision,
                performed_on=_at_most(deadline + timedelta(days=20), today),
                note="逾期履行（演示）",
            )
