"""The columns of each core list's export (Chinese headers, exact amounts, as-of figures)."""

from __future__ import annotations

from ledger.api.exporting import Col, ExportSpec, money
from ledger.models import (
    ClaimStatus,
    DecisionKind,
    DecisionStatus,
    DeliveryMode,
    Outcome,
    RecommendationKind,
    RecommendationStatus,
    Rectification,
    RedemptionStatus,
    Regime,
    Source,
)
from ledger.selectors import asof_sql
from ledger.selectors.live import with_legacy
from ledger.selectors.obligations import NO_INTEREST_NOTE, Status, obligation_state, status_of


def _labels(choices) -> dict:
    return dict(choices.choices)


# --- obligations: stored facts, then the live figures as of ?as_of= ------------------------------
def _state(o, ctx):
    cached = getattr(o, "_export_state", None)
    if cached is None:
        cached = obligation_state(o, ctx["as_of"])
        o._export_state = cached
    return cached


def _status(o, ctx):
    return Status.labels[status_of(o, _state(o, ctx), ctx["as_of"])]


def _interest(attr):
    def read(o, ctx):
        state = _state(o, ctx)
        if not state.bears_interest:
            return NO_INTEREST_NOTE  # SPEC R3: "no statutory interest", never 0.00
        return money(getattr(state, attr))

    return read


OBLIGATION_EXPORT = ExportSpec(
    title="给付义务",
    columns=[
        Col("编号", "reference"),
        Col("债务单位", "debtor_agency__name"),
        Col("债权企业", "creditor__name"),
        Col("债权企业统一社会信用代码", "creditor__uscc"),
        Col("行政区划代码", "region_code"),
        Col("来源", "source", labels=_labels(Source)),
        Col("事由", "title"),
        Col("适用规则", "regime", labels=_labels(Regime)),
        Col("签约时声明为中小企业", "sme_declared"),
        Col("本金（元）", "principal"),
        Col("发生日期", "arose_on"),
        Col("起算日期", "trigger_on"),
        Col("到期日", "due_on"),
        Col("有争议金额（元）", "disputed_amount"),
        Col("最终结果", "outcome", labels=_labels(Outcome)),
        Col("统计日期", fn=lambda o, ctx: ctx["as_of"]),
        Col("状态（按统计日期）", fn=_status),
        Col("逾期天数", fn=lambda o, ctx: _state(o, ctx).days_overdue),
        Col("已付本金（元）", fn=lambda o, ctx: money(_state(o, ctx).principal_paid)),
        Col("未付本金（元）", fn=lambda o, ctx: money(_state(o, ctx).principal_outstanding)),
        Col("应计逾期利息（元）", fn=_interest("interest_accrued")),
        Col("未付逾期利息（元）", fn=_interest("interest_unpaid")),
        Col("新官不理旧账", "legacy_as_of"),
    ],
    # R5 in SQL (proved equal to the rule by tests/ledger/test_live_sql.py).
    prepare=lambda qs, view: with_legacy(qs, view.as_of()),
    # On PostgreSQL the CSV's rows, as-of columns included, come from one SELECT (issue 9; proved
    # byte-equal to the columns above by tests/ledger/test_export_sql_pg.py).
    sql_text_rows=lambda qs, ctx: asof_sql.obligation_export_rows(qs, ctx["as_of"]) if asof_sql.available() else None,
    sql_typed_rows=(
        lambda qs, ctx: asof_sql.obligation_export_typed_rows(qs, ctx["as_of"]) if asof_sql.available() else None
    ),
)


REDEMPTION_EXPORT = ExportSpec(
    title="政策兑现",
    columns=[
        Col("编号", "reference"),
        Col("政策文号", "policy__doc_number"),
        Col("政策名称", "policy__title"),
        Col("兑现方式", "policy__delivery_mode", labels=_labels(DeliveryMode)),
        Col("兑现单位", "agency__name"),
        Col("企业", "enterprise__name"),
        Col("企业统一社会信用代码", "enterprise__uscc"),
        Col("行政区划代码", "region_code"),
        Col("兑现金额（元）", "amount"),
        Col("状态", "status", labels=_labels(RedemptionStatus)),
        Col("申请日期", "applied_on"),
        Col("认定符合条件日期", "eligible_on"),
        Col("受理日期", "accepted_on"),
        Col("告知日期", "notified_on"),
        Col("核准日期", "approved_on"),
        Col("不予兑现日期", "rejected_on"),
        Col("给付义务编号", "obligation__reference"),
        Col("兑现期限（到期日）", "obligation__due_on"),
        Col("本金付清日期", "obligation__fully_paid_on"),
    ],
)


CLAIM_EXPORT = ExportSpec(
    title="诉求",
    columns=[
        Col("编号", "reference"),
        Col("诉求企业", "enterprise__name"),
        Col("企业统一社会信用代码", "enterprise__uscc"),
        Col("被反映单位", "agency__name"),
        Col("行政区划代码", "region_code"),
        Col("主张金额（元）", "amount"),
        Col("事由", "subject"),
        Col("状态", "status", labels=_labels(ClaimStatus)),
        Col("登记日期", "filed_on"),
        Col("受理日期", "accepted_on"),
        Col("转办期限", "forward_due_on"),
        Col("转办日期", "forwarded_on"),
        Col("办理期限", "result_due_on"),
        Col("经批准延长至", "result_extended_to"),
        Col("单位答复日期", "responded_on"),
        Col("处理结果日期", "decided_on"),
        Col("核实形成的给付义务", "obligation__reference"),
    ],
)


RECOMMENDATION_EXPORT = ExportSpec(
    title="检察建议与司法建议",
    columns=[
        Col("文号", "doc_number"),
        Col("建议类型", "kind", labels=_labels(RecommendationKind)),
        Col("发出机关", "issuer"),
        Col("事由", "title"),
        Col("被建议单位", "recipient__name"),
        Col("行政区划代码", "region_code"),
        Col("送达日期", "served_on"),
        Col("紧急", "urgent"),
        Col("回复期限届满日", "deadline"),
        Col("回复日期", "replied_on"),
        Col("办理状态", "status", labels=_labels(RecommendationStatus)),
        Col("整改评定", "rectification", labels=_labels(Rectification)),
        Col("评定日期", "verdict_on"),
    ],
)


DECISION_EXPORT = ExportSpec(
    title="生效法律文书",
    columns=[
        Col("案号", "case_number"),
        Col("文书类型", "kind", labels=_labels(DecisionKind)),
        Col("作出机关", "issued_by"),
        Col("履行义务单位", "agency__name"),
        Col("行政区划代码", "region_code"),
        Col("事由", "title"),
        Col("生效日期", "effective_on"),
        Col("履行期限", "performance_deadline"),
        Col("金额（元）", "amount"),
        Col("权利人", "creditor__name"),
        Col("权利人统一社会信用代码", "creditor__uscc"),
        Col("履行状态", "status", labels=_labels(DecisionStatus)),
        Col("履行完毕日期", "performed_on"),
        Col("给付义务编号", "obligation__reference"),
    ],
)
