"""Contracts (政府合同协议) with their milestones, from an agency's 合同台账 — an import kind the
contracts app registers with the ledger's import registry (ContractsConfig.ready()).

Natural keys: a contract is its agency's 合同编号; a milestone is its contract, side, kind and
name. Everything goes through the contract services: a new row is a draft (``contract_create``);
the lifecycle dates in the sheet — submitted for and passed 合法性审查, signed, filed, performing —
are each recorded by their own action, so a contract is never signed without a passed review
(the service's guard); a changed row edits a draft (``contract_update``) and is refused once the
contract is frozen (after signing only an amendment changes it). A milestone's trigger dates
(交付, 验收合格, 结算确认) go through ``milestone_record_trigger``, which creates the obligation.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.models import (
    Contract,
    ContractStatus,
    Milestone,
    MilestoneKind,
    MilestoneSide,
    PaymentBasis,
    ReviewResult,
)
from contracts.services.common import may_write_for
from contracts.services.lifecycle import (
    contract_create,
    contract_file,
    contract_review_record,
    contract_sign,
    contract_start_performance,
    contract_submit_for_review,
    contract_update,
)
from contracts.services.milestones import TriggerEvent, milestone_create, milestone_record_met, milestone_record_trigger
from ledger.imports import values as v
from ledger.imports.context import ImportContext, Row, display
from ledger.imports.registry import Column, ImportKind, SheetSpec, agency_column, register_kind, uscc_column
from ledger.rules.regimes import ContractType

_TYPE_ALIASES = {"政府投资": ContractType.GOVERNMENT_INVESTMENT, "工程": ContractType.GOVERNMENT_INVESTMENT}

CONTRACTS = SheetSpec(
    key="contracts",
    title="合同",
    synonyms=("合同台账", "政府合同", "合同清单", "合同协议"),
    columns=(
        Column(
            "number",
            "合同编号",
            "code",
            required=True,
            synonyms=("编号", "合同号", "协议编号"),
            max_length=60,
            example="JY-HT-2026-001",
            help="本单位的合同编号，同一单位内不得重复；再次导入时据此识别同一份合同",
        ),
        Column(
            "title",
            "合同名称",
            required=True,
            synonyms=("项目名称", "合同标题", "协议名称"),
            example="道路养护服务采购合同",
        ),
        Column(
            "contract_type",
            "合同类型",
            "choice",
            required=True,
            options=ContractType.labels,
            aliases=_TYPE_ALIASES,
            example="政府采购",
        ),
        agency_column("政府方", "甲方", "采购人", "委托方", example="区交运局"),
        Column(
            "counterparty_name",
            "相对方",
            synonyms=("乙方", "相对方名称", "企业名称", "供应商", "中标单位"),
            max_length=200,
            example="示例建设有限公司",
            help="仅作核对，以统一社会信用代码为准",
        ),
        uscc_column("counterparty_uscc"),
        Column(
            "amount",
            "合同金额（元）",
            "money",
            required=True,
            synonyms=("金额", "合同金额", "合同价款", "合同价"),
            example=Decimal("360000.00"),
        ),
        Column("period_start", "履行期限起", "date", synonyms=("履行开始日期", "合同期限起"), example="2026-01-01"),
        Column("period_end", "履行期限止", "date", synonyms=("履行结束日期", "合同期限止"), example="2026-12-31"),
        Column(
            "payment_term_days",
            "约定付款期限（日）",
            "int",
            synonyms=("约定付款期限", "付款期限"),
            example=30,
        ),
        Column(
            "acceptance_period_days",
            "约定验收期限（日）",
            "int",
            synonyms=("约定验收期限", "验收期限"),
            example=10,
        ),
        Column(
            "sme_declared",
            "签约时声明为中小企业",
            "bool",
            synonyms=("中小企业", "是否中小企业", "中小企业声明"),
            example="是",
        ),
        Column(
            "agreed_late_rate",
            "约定逾期利率（年，%）",
            "rate",
            synonyms=("约定逾期利率", "逾期利率"),
            example="",
        ),
        Column("description", "合同摘要", synonyms=("主要内容", "摘要"), max_length=5000, example=""),
        Column("submitted_on", "提交审查日期", "date", synonyms=("送审日期",), example="2026-01-03"),
        Column(
            "reviewer",
            "合法性审查机构",
            synonyms=("审查机构", "审查单位", "合法性审查单位"),
            max_length=100,
            example="区司法局",
        ),
        Column("review_opinion", "审查意见", synonyms=("合法性审查意见",), max_length=5000, example="同意签订"),
        Column(
            "reviewed_on",
            "审查通过日期",
            "date",
            synonyms=("审查日期", "合法性审查日期", "合法性审查通过日期"),
            example="2026-01-05",
            service_field="reviewed_on",
        ),
        Column(
            "signed_on",
            "签订日期",
            "date",
            synonyms=("签约日期", "合同签订日期"),
            example="2026-01-08",
            service_field="signed_on",
        ),
        Column("filed_on", "备案日期", "date", example="2026-01-10", service_field="filed_on"),
        Column("performing_on", "开始履行日期", "date", example="2026-01-12"),
    ),
)

_SIDES = dict(MilestoneSide.choices)
_SIDE_ALIASES = {"政府": "government", "甲方": "government", "企业": "enterprise", "乙方": "enterprise"}
_KINDS = dict(MilestoneKind.choices)
_KIND_ALIASES = {"交付": "delivery", "审批": "approval", "交地": "approval", "投融资": "financing"}
_BASES = dict(PaymentBasis.choices)
_BASIS_ALIASES = {"交付": "delivery", "验收": "acceptance", "验收合格": "acceptance", "结算": "settlement"}

MILESTONES = SheetSpec(
    key="milestones",
    title="履行节点",
    synonyms=("节点", "合同节点", "付款节点", "履约节点"),
    required=False,
    columns=(
        Column(
            "number",
            "合同编号",
            "code",
            required=True,
            synonyms=("编号", "合同号", "协议编号"),
            max_length=60,
            example="JY-HT-2026-001",
        ),
        agency_column("政府方", "甲方", "采购人", "委托方", example="区交运局"),
        Column(
            "side",
            "履行方",
            "choice",
            required=True,
            options=_SIDES,
            aliases=_SIDE_ALIASES,
            example="政府方",
        ),
        Column(
            "kind",
            "节点类型",
            "choice",
            required=True,
            synonyms=("类型",),
            options=_KINDS,
            aliases=_KIND_ALIASES,
            example="付款",
        ),
        Column("title", "节点名称", required=True, synonyms=("节点", "事项"), max_length=200, example="首期款"),
        Column("due_on", "约定完成日期", "date", synonyms=("约定日期", "计划完成日期"), example="2026-03-31"),
        Column("amount", "付款金额（元）", "money", synonyms=("金额", "付款金额"), example=Decimal("120000.00")),
        Column(
            "goods_works_services",
            "货物工程服务",
            "bool",
            synonyms=("是否货物工程服务", "为货物工程服务付款"),
            example="是",
        ),
        Column(
            "payment_basis",
            "付款起算条件",
            "choice",
            synonyms=("起算条件",),
            options=_BASES,
            aliases=_BASIS_ALIASES,
            example="以验收合格为付款条件",
        ),
        Column("description", "说明", synonyms=("备注",), max_length=5000, example=""),
        Column("delivered_on", "交付日期", "date", example="2026-03-20"),
        Column("accepted_on", "验收合格日期", "date", synonyms=("验收日期",), example="2026-03-25"),
        Column("settlement_confirmed_on", "结算确认日期", "date", example=""),
        Column("met_on", "完成日期", "date", synonyms=("实际完成日期",), example=""),
    ),
)

_EDITABLE = (
    "title",
    "contract_type",
    "amount",
    "period_start",
    "period_end",
    "payment_term_days",
    "acceptance_period_days",
    "sme_declared",
    "agreed_late_rate",
    "description",
)
_MILESTONE_FACTS = ("due_on", "amount", "goods_works_services", "payment_basis", "description")
_TRIGGERS = (
    ("delivered_on", TriggerEvent.DELIVERY, "交付日期"),
    ("accepted_on", TriggerEvent.ACCEPTANCE, "验收合格日期"),
    ("settlement_confirmed_on", TriggerEvent.SETTLEMENT_CONFIRMED, "结算确认日期"),
)


def _value(row: Row, key: str):
    value = row.get(key)
    if key in ("description", "payment_basis"):
        return value or ""
    if key in ("sme_declared", "goods_works_services"):
        return bool(value)
    return value


def _find_contract(agency_id: int, number: str) -> Contract | None:
    key = v.code_key(number)
    for contract in Contract.objects.filter(agency_id=agency_id, number__iexact=number.strip()):
        if v.code_key(contract.number) == key:
            return contract
    return None


class ContractsKind(ImportKind):
    def allowed(self, ctx: ImportContext) -> str | None:
        if not may_write_for(ctx.actor, ctx.agency.pk if ctx.agency else None):
            return "合同由本单位的机关工作人员导入（管理员不代为登记合同）"
        return None

    # --- contracts -----------------------------------------------------------------------
    def _resolve(self, ctx: ImportContext, row: Row):
        agency = ctx.resolve_agency(row)
        counterparty = ctx.resolve_enterprise(row, "counterparty_uscc", "counterparty_name")
        return agency, counterparty

    def _check_contract(self, ctx: ImportContext, row: Row) -> None:
        agency, counterparty = self._resolve(ctx, row)
        number = row.get("number")
        if agency is None or number is None:
            return
        ctx.touch(agency)
        ctx.claim_key("contract", (agency.pk, v.code_key(number)), row, "number")
        reviewed = row.get("reviewed_on")
        if reviewed is not None and not (row.get("reviewer") and row.get("review_opinion")):
            ctx.error(row, "reviewed_on", "填写审查通过日期时须同时填写合法性审查机构和审查意见")
        for key, needs, label in (
            ("signed_on", "reviewed_on", "未经合法性审查通过的合同不得签订：须填写审查通过日期"),
            ("filed_on", "signed_on", "备案前须先签订：须填写签订日期"),
            ("performing_on", "filed_on", "开始履行前须先备案：须填写备案日期"),
        ):
            if row.get(key) is not None and row.get(needs) is None:
                ctx.error(row, key, label)
        if not row.ok or counterparty is None:
            return
        existing = _find_contract(agency.pk, number)
        if existing is not None:
            self._refusals(ctx, row, existing, counterparty)

    def _changes(self, row: Row, contract: Contract) -> dict:
        return {
            key: _value(row, key)
            for key in _EDITABLE
            if row.has_column(key) and getattr(contract, key) != _value(row, key)
        }

    def _refusals(self, ctx: ImportContext, row: Row, contract: Contract, counterparty) -> bool:
        refused = False
        if contract.counterparty_id != counterparty.pk:
            ctx.error(row, "counterparty_uscc", f"合同{contract.number}已登记的相对方为{contract.counterparty.name}")
            refused = True
        changes = self._changes(row, contract)
        if changes and contract.status != ContractStatus.DRAFT:
            for key, new in changes.items():
                label = row.table.spec.column(key).label
                ctx.error(
                    row,
                    key,
                    f"合同{contract.number}处于“{contract.get_status_display()}”状态，其“{label}”为"
                    f"{display(getattr(contract, key))}，表中为{display(new)}：签订后只能通过变更（amendments）修改",
                )
            refused = True
        for key, label in (("signed_on", "签订日期"), ("filed_on", "备案日期"), ("performing_on", "开始履行日期")):
            recorded, stated = getattr(contract, key), row.get(key)
            if recorded is not None and stated is not None and recorded != stated:
                said = f"合同{contract.number}已登记{label}为{recorded.isoformat()}，表中为{stated.isoformat()}"
                ctx.error(row, key, said)
                refused = True
        return refused

    def _apply_contract(self, ctx: ImportContext, row: Row) -> None:
        agency, counterparty = self._resolve(ctx, row)
        number = row.get("number")
        contract = _find_contract(agency.pk, number)
        changes: list[str] = []
        if contract is None:
            contract = contract_create(
                actor=ctx.actor,
                agency=agency,
                counterparty=counterparty,
                number=number,
                **{key: _value(row, key) for key in _EDITABLE},
            )
            created = True
        else:
            created = False
            if self._refusals(ctx, row, contract, counterparty):
                return
            edits = self._changes(row, contract)
            if edits:
                old = {key: getattr(contract, key) for key in edits}
                contract = contract_update(actor=ctx.actor, contract=contract, **edits)
                changes += [
                    f"{row.table.spec.column(k).label}：{display(old[k])} → {display(new)}" for k, new in edits.items()
                ]
        changes += self._steps(ctx, row, contract)
        ctx.state.setdefault("contracts", {})[(agency.pk, v.code_key(number))] = contract.pk
        if created:
            ctx.created(row, f"合同{contract.number}", "；".join(changes) or "草拟")
        elif changes:
            ctx.updated(row, f"合同{contract.number}", changes)
        else:
            ctx.unchanged(row, f"合同{contract.number}")

    def _steps(self, ctx: ImportContext, row: Row, contract: Contract) -> list[str]:
        done: list[str] = []
        reviewed = row.get("reviewed_on")
        if reviewed is not None and not contract.reviews.filter(result=ReviewResult.PASSED).exists():
            if contract.status == ContractStatus.DRAFT:
                on = row.get("submitted_on") or reviewed
                contract = contract_submit_for_review(actor=ctx.actor, contract=contract, on=on, reason="台账导入")
                done.append(f"提交合法性审查：{on.isoformat()}")
            contract_review_record(
                actor=ctx.actor,
                contract=contract,
                reviewer=row.get("reviewer"),
                opinion=row.get("review_opinion"),
                result=ReviewResult.PASSED,
                reviewed_on=reviewed,
            )
            done.append(f"合法性审查通过：{reviewed.isoformat()}")
        contract.refresh_from_db()
        if row.get("signed_on") and contract.signed_on is None:
            contract = contract_sign(actor=ctx.actor, contract=contract, signed_on=row.get("signed_on"))
            done.append(f"签订：{contract.signed_on.isoformat()}")
        if row.get("filed_on") and contract.filed_on is None:
            contract = contract_file(actor=ctx.actor, contract=contract, filed_on=row.get("filed_on"))
            done.append(f"备案：{contract.filed_on.isoformat()}")
        if row.get("performing_on") and contract.performing_on is None:
            contract = contract_start_performance(actor=ctx.actor, contract=contract, on=row.get("performing_on"))
            done.append(f"开始履行：{contract.performing_on.isoformat()}")
        return done

    # --- milestones ----------------------------------------------------------------------
    def _milestone_contract(self, ctx: ImportContext, row: Row) -> tuple[object, Contract | None, bool]:
        agency = ctx.resolve_agency(row)
        number = row.get("number")
        if agency is None or number is None:
            return agency, None, False
        pk = ctx.state.get("contracts", {}).get((agency.pk, v.code_key(number)))
        if pk is not None:
            return agency, Contract.objects.get(pk=pk), True
        in_file = ctx.has_key("contract", (agency.pk, v.code_key(number)))
        return agency, _find_contract(agency.pk, number), in_file

    def _find_milestone(self, contract: Contract, row: Row) -> Milestone | None:
        return contract.milestones.filter(side=row.get("side"), kind=row.get("kind"), title=row.get("title")).first()

    def _check_milestone(self, ctx: ImportContext, row: Row) -> None:
        agency, contract, in_file = self._milestone_contract(ctx, row)
        if agency is None or row.get("number") is None:
            return
        ctx.touch(agency)
        if contract is None and not in_file:
            ctx.error(row, "number", f"找不到合同编号为{row.get('number')}的合同（{agency.name}）：须先导入该合同")
            return
        government_payment = row.get("side") == MilestoneSide.GOVERNMENT and row.get("kind") == MilestoneKind.PAYMENT
        if government_payment and (row.get("amount") is None or not row.get("payment_basis")):
            ctx.error(
                row,
                "amount" if row.get("amount") is None else "payment_basis",
                "政府方付款节点须填写付款金额和付款起算条件",
            )
        if row.get("title") and row.get("side") and row.get("kind"):
            ctx.claim_key(
                "milestone",
                (agency.pk, v.code_key(row.get("number")), row.get("side"), row.get("kind"), row.get("title")),
                row,
                "title",
            )
        if contract is not None and row.ok:
            existing = self._find_milestone(contract, row)
            if existing is not None:
                self._milestone_refusals(ctx, row, existing)

    def _milestone_refusals(self, ctx: ImportContext, row: Row, milestone: Milestone) -> bool:
        refused = False
        for key in _MILESTONE_FACTS:
            if row.has_column(key) and getattr(milestone, key) != _value(row, key):
                label = row.table.spec.column(key).label
                ctx.error(
                    row,
                    key,
                    f"节点“{milestone.title}”已登记的“{label}”为{display(getattr(milestone, key))}，"
                    f"表中为{display(_value(row, key))}：已登记的节点不能通过导入修改",
                )
                refused = True
        for key, _event, label in (*_TRIGGERS, ("met_on", None, "完成日期")):
            recorded, stated = getattr(milestone, key), row.get(key)
            if recorded is not None and stated is not None and recorded != stated:
                ctx.error(
                    row,
                    key,
                    f"节点“{milestone.title}”已记录{label}为{recorded.isoformat()}，表中为{stated.isoformat()}",
                )
                refused = True
        return refused

    def _apply_milestone(self, ctx: ImportContext, row: Row) -> None:
        _agency, contract, _in_file = self._milestone_contract(ctx, row)
        milestone = self._find_milestone(contract, row)
        created = milestone is None
        if created:
            milestone = milestone_create(
                actor=ctx.actor,
                contract=contract,
                side=row.get("side"),
                kind=row.get("kind"),
                title=row.get("title"),
                description=row.get("description", ""),
                due_on=row.get("due_on"),
                amount=row.get("amount"),
                goods_works_services=bool(row.get("goods_works_services")),
                payment_basis=row.get("payment_basis", ""),
            )
        elif self._milestone_refusals(ctx, row, milestone):
            return
        facts: list[str] = []
        triggered_before = milestone.obligation_id is not None
        for key, event, label in _TRIGGERS:
            on = row.get(key)
            if on is not None and getattr(milestone, key) is None:
                milestone = milestone_record_trigger(actor=ctx.actor, milestone=milestone, event=event, on=on)
                facts.append(f"{label}：{on.isoformat()}")
        if row.get("met_on") and milestone.met_on is None:
            milestone = milestone_record_met(actor=ctx.actor, milestone=milestone, on=row.get("met_on"))
            facts.append(f"完成日期：{milestone.met_on.isoformat()}")
        if milestone.obligation_id is not None and not triggered_before:
            facts.append(
                f"生成给付义务{milestone.obligation.reference}，到期日{milestone.obligation.due_on.isoformat()}"
            )
        record = f"合同{contract.number}：{milestone.title}"
        if created:
            ctx.created(row, record, "；".join(facts))
        elif facts:
            ctx.updated(row, record, facts)
        else:
            ctx.unchanged(row, record)

    # --- dispatch ------------------------------------------------------------------------
    def check_row(self, ctx, sheet, row):
        if sheet.key == "contracts":
            self._check_contract(ctx, row)
        else:
            self._check_milestone(ctx, row)

    def apply_row(self, ctx, sheet, row):
        if sheet.key == "contracts":
            self._apply_contract(ctx, row)
        else:
            self._apply_milestone(ctx, row)


contracts_kind = ContractsKind(
    key="contracts",
    label="政府合同（含履行节点）",
    sheets=(CONTRACTS, MILESTONES),
    description="工作表“合同”，可另附工作表“履行节点”；CSV 文件只含合同（节点请用 milestones 类别）",
)
milestones_kind = ContractsKind(
    key="milestones",
    label="合同履行节点",
    sheets=(MILESTONES,),
    description="已登记合同的履行节点及其交付、验收、结算和完成日期",
)

# Imported from ContractsConfig.ready(): the kinds join the ledger's registry.
register_kind(contracts_kind)
register_kind(milestones_kind)
