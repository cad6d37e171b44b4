"""Redemptions (政策兑现) from an agency's 台账.

Natural key: the policy (文号, with its issuing agency when a 文号 is not unique), the redeeming
agency, the enterprise and the application date (for 免申即享 the date the enterprise was found
eligible) — or the ledger's own RD-… number when the sheet gives it. A changed row moves the
redemption along its lifecycle through the services (受理, 告知, 核准 — which creates its
obligation — or 不予兑现); a step already recorded with another date, or a different amount, is
refused: the services keep no way to rewrite a step once taken.
"""

from __future__ import annotations

from ledger import clock
from ledger.imports import values as v
from ledger.imports.context import ImportContext, Row, display
from ledger.imports.registry import Column, ImportKind, SheetSpec, agency_column, uscc_column
from ledger.models import DeliveryMode, Policy, Redemption
from ledger.services.redemptions import (
    redemption_accept,
    redemption_approve,
    redemption_create,
    redemption_notify,
    redemption_reject,
)

REDEMPTIONS = SheetSpec(
    key="redemptions",
    title="政策兑现",
    synonyms=("兑现", "兑现台账", "政策兑现台账", "兑现明细"),
    columns=(
        Column(
            "reference",
            "兑现编号",
            "code",
            synonyms=("系统编号",),
            max_length=24,
            example="",
            help="系统中的兑现编号（RD-…），已登记的兑现可填；新兑现不填",
        ),
        Column(
            "policy_doc",
            "政策文号",
            "code",
            required=True,
            synonyms=("文号", "政策依据文号", "依据文号", "政策文件文号"),
            max_length=100,
            example="屯政〔2026〕1号",
        ),
        Column(
            "policy_agency",
            "发文单位",
            synonyms=("政策发文单位", "制定单位"),
            max_length=100,
            example="",
            help="同一文号对应多个政策时填写",
        ),
        agency_column("兑现单位", "承办单位", "兑付单位", example="区交运局"),
        Column(
            "enterprise_name",
            "企业名称",
            synonyms=("企业", "申请企业", "兑现企业", "享受企业"),
            max_length=200,
            example="示例建设有限公司",
            help="仅作核对，以统一社会信用代码为准",
        ),
        uscc_column("enterprise_uscc"),
        Column(
            "amount",
            "兑现金额（元）",
            "money",
            required=True,
            synonyms=("金额", "兑现金额", "奖补金额", "补贴金额", "奖励金额", "扶持金额"),
            example="50000.00",
        ),
        Column(
            "applied_on",
            "申请日期",
            "date",
            required=True,
            synonyms=("申报日期", "认定日期", "认定符合条件日期"),
            example="2026-01-05",
            help="免申即享政策填认定符合条件的日期",
            service_field="on",
        ),
        Column("accepted_on", "受理日期", "date", example="2026-01-06"),
        Column("notified_on", "告知日期", "date", synonyms=("送达日期", "告知送达日期"), example=""),
        Column("approved_on", "核准日期", "date", synonyms=("审批日期", "批准日期", "核准审批日期"), example=""),
        Column("rejected_on", "不予兑现日期", "date", example=""),
        Column(
            "reject_reason",
            "不予兑现理由",
            synonyms=("不予兑现原因", "不予兑现说明"),
            max_length=5000,
            example="",
            service_field="reason",
        ),
    ),
)

_STEPS = (
    ("accepted_on", "受理日期", redemption_accept),
    ("notified_on", "告知日期", redemption_notify),
    ("approved_on", "核准日期", redemption_approve),
    ("rejected_on", "不予兑现日期", redemption_reject),
)


def _start_on(redemption: Redemption):
    return redemption.applied_on or redemption.eligible_on


class RedemptionsKind(ImportKind):
    def begin(self, ctx: ImportContext) -> None:
        policies: dict[str, list[Policy]] = {}
        for policy in Policy.objects.select_related("issuing_agency"):
            policies.setdefault(v.code_key(policy.doc_number), []).append(policy)
        ctx.state["policies"] = policies

    def _policy(self, ctx: ImportContext, row: Row) -> Policy | None:
        doc = row.get("policy_doc")
        if doc is None:
            return None
        candidates = ctx.state["policies"].get(v.code_key(doc), [])
        issuer = row.get("policy_agency")
        if issuer:
            agency = ctx.find_agency(issuer)
            candidates = [p for p in candidates if agency is not None and p.issuing_agency_id == agency.pk]
        if not candidates:
            ctx.error(
                row,
                "policy_doc",
                f"没有文号为{doc}的政策" + (f"（发文单位{issuer}）" if issuer else "") + "，须先登记该政策",
            )
            return None
        if len(candidates) > 1:
            ctx.error(row, "policy_doc", "该文号对应多个单位发布的政策，请填写发文单位")
            return None
        return candidates[0]

    def _find(self, ctx: ImportContext, row: Row, policy: Policy, agency, enterprise) -> Redemption | None:
        ref = row.get("reference")
        if ref:
            return Redemption.objects.filter(reference=ref.upper(), agency=agency).first()
        start = row.get("applied_on")
        qs = Redemption.objects.filter(policy=policy, agency=agency, enterprise=enterprise)
        return (qs.filter(applied_on=start) | qs.filter(applied_on__isnull=True, eligible_on=start)).first()

    def _resolve(self, ctx: ImportContext, row: Row):
        policy = self._policy(ctx, row)
        agency = ctx.resolve_agency(row, default=policy.issuing_agency if policy else None)
        enterprise = ctx.resolve_enterprise(row, "enterprise_uscc", "enterprise_name")
        return policy, agency, enterprise

    def check_row(self, ctx: ImportContext, sheet: SheetSpec, row: Row) -> None:
        policy, agency, enterprise = self._resolve(ctx, row)
        if agency is not None:
            ctx.touch(agency)
        self._check_steps(ctx, row, policy)
        if None in (policy, agency, enterprise) or not row.ok:
            return
        ref = row.get("reference")
        if ref:
            ctx.claim_key("redemption_ref", ref.upper(), row, "reference")
        ctx.claim_key("redemption", (policy.pk, agency.pk, enterprise.pk, row.get("applied_on")), row, "applied_on")
        existing = self._find(ctx, row, policy, agency, enterprise)
        if existing is None:
            if ref:
                ctx.error(row, "reference", f"{agency.name}没有编号为{ref}的政策兑现")
            return
        self._refuse_rewrites(ctx, row, existing, policy, enterprise)

    def _check_steps(self, ctx: ImportContext, row: Row, policy: Policy | None) -> None:
        today = clock.today()
        last, last_label = row.get("applied_on"), "申请日期"
        for key, label, _fn in _STEPS:
            on = row.get(key)
            if on is None:
                continue
            if on > today:
                ctx.error(row, key, f"{label}{on.isoformat()}晚于今天")
            if last is not None and on < last:
                ctx.error(row, key, f"{label}{on.isoformat()}早于{last_label}{last.isoformat()}")
            last, last_label = on, label
        if row.get("approved_on") and row.get("rejected_on"):
            ctx.error(row, "rejected_on", "同一兑现不能既核准又不予兑现")
        if row.get("rejected_on") and not row.get("reject_reason"):
            ctx.error(row, "reject_reason" if row.has_column("reject_reason") else "rejected_on", "不予兑现须填写理由")
        if policy is None:
            return
        free = policy.delivery_mode == DeliveryMode.FREE_APPLY
        if free and row.get("accepted_on"):
            ctx.error(row, "accepted_on", "免申即享政策没有受理环节：请填写告知日期")
        if not free and row.get("notified_on"):
            ctx.error(row, "notified_on", "告知环节只适用于免申即享政策：请填写受理日期")
        if row.get("approved_on") and not row.get("notified_on" if free else "accepted_on"):
            ctx.error(row, "approved_on", "核准前须先" + ("告知（免申即享）" if free else "受理") + "：请填写相应日期")

    def _refuse_rewrites(self, ctx: ImportContext, row: Row, r: Redemption, policy, enterprise) -> bool:
        refused = False
        if r.policy_id != policy.pk or r.enterprise_id != enterprise.pk:
            ctx.error(row, "reference", f"编号{r.reference}的政策兑现属于其他政策或企业")
            return True
        if r.amount != row.get("amount"):
            ctx.error(
                row,
                "amount",
                f"政策兑现{r.reference}已登记金额为{r.amount}元，表中为{row.get('amount')}元：金额登记后不能通过导入修改",
            )
            refused = True
        if row.get("applied_on") != _start_on(r):
            ctx.error(row, "applied_on", f"政策兑现{r.reference}已登记的申请日期为{display(_start_on(r))}")
            refused = True
        for key, label, _fn in _STEPS:
            recorded, stated = getattr(r, key), row.get(key)
            if recorded is not None and stated is not None and recorded != stated:
                ctx.error(
                    row,
                    key,
                    f"政策兑现{r.reference}已登记{label}为{recorded.isoformat()}，表中为{stated.isoformat()}：已记录的环节不能改写",
                )
                refused = True
            elif recorded is not None and stated is None and row.has_column(key):
                ctx.warn(row, key, f"系统中已记录{label}为{recorded.isoformat()}，表中为空（以系统为准）")
        return refused

    def apply_row(self, ctx: ImportContext, sheet: SheetSpec, row: Row) -> None:
        policy, agency, enterprise = self._resolve(ctx, row)
        existing = self._find(ctx, row, policy, agency, enterprise)
        if existing is not None and self._refuse_rewrites(ctx, row, existing, policy, enterprise):
            return
        redemption = existing or redemption_create(
            actor=ctx.actor,
            policy=policy,
            enterprise=enterprise,
            amount=row.get("amount"),
            on=row.get("applied_on"),
            agency=agency,
        )
        changes = []
        for key, label, fn in _STEPS:
            on = row.get(key)
            if on is None or getattr(redemption, key) is not None:
                continue
            extra = {"reason": row.get("reject_reason")} if key == "rejected_on" else {}
            redemption = fn(actor=ctx.actor, redemption=redemption, on=on, **extra)
            changes.append(f"{label}：{on.isoformat()}")
        if existing is None:
            ctx.created(
                row, redemption.reference, "；".join([f"申请日期：{row.get('applied_on').isoformat()}", *changes])
            )
        elif changes:
            ctx.updated(row, redemption.reference, changes)
        else:
            ctx.unchanged(row, redemption.reference)


redemptions_kind = RedemptionsKind(
    key="redemptions",
    label="政策兑现",
    sheets=(REDEMPTIONS,),
    description="政策兑现台账：每行一家企业享受一项政策；政策须已登记",
)
