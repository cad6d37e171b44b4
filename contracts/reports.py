"""The contracts app's contributions to the core's reports and exports (registered from
ContractsConfig.ready(); the core never imports this app).

- the report section ``contracts``: per agency, the contracts signed by the as-of date, their
  amount, SME-declared ones, those with a government payment overdue, and those R5 flags;
- an obligation grouper: an obligation created by a payment milestone belongs to its contract,
  so the yearly disclosure (条例 (2025) art. 18) counts contracts, not payments;
- the export columns of ``/api/contracts/export/``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch

from contracts.models import CONTRACT_TYPE_CHOICES, Contract, ContractEvent, ContractStatus, Milestone
from contracts.selectors import legacy_flag
from ledger.api.exporting import Col, ExportSpec
from ledger.models import Agency, LedgerEntry
from ledger.reports.registry import (
    Column,
    ReportContext,
    Section,
    register_obligation_grouper,
    register_report_section,
)
from ledger.reports.sections import link
from ledger.selectors.live import AgencyGraph
from ledger.selectors.obligations import LegacyFacts, Status, obligation_state, status_of
from ledger.selectors.scoping import visible_to

ZERO = Decimal("0.00")

COLUMNS = [
    Column("agency", "单位"),
    Column("contracts", "已签订合同（个）", "int"),
    Column("amount", "合同金额（元）", "money"),
    Column("sme_declared", "签约时声明为中小企业（个）", "int"),
    Column("overdue_contracts", "有逾期未付款项的合同（个）", "int"),
    Column("overdue_amount", "逾期未付（元）", "money"),
    Column("legacy_flagged", "新官不理旧账标记（个）", "int"),
]


def _row(agency: Agency | None, acc: dict, ctx: ReportContext) -> dict:
    base = {"agency_exact": agency.pk if agency else None, "as_of": ctx.params.as_of}
    return {
        "agency": agency.name if agency else "合计",
        **acc,
        **({"agency_id": agency.pk} if agency else {}),
        "links": {
            "contracts": link("contract", **base, signed_to=ctx.params.as_of),
            "overdue_contracts": link("contract", **base, overdue="true"),
            "sme_declared": link("contract", **base, signed_to=ctx.params.as_of, sme_declared="true"),
        },
    }


def contracts_section(ctx: ReportContext) -> Section:
    as_of = ctx.params.as_of
    graph = AgencyGraph.load()
    milestones = Milestone.objects.select_related("obligation").prefetch_related(
        Prefetch("obligation__entries", LedgerEntry.objects.order_by("on", "id"))
    )
    qs = (
        visible_to(ctx.user, Contract.objects.all())
        .filter(signed_on__lte=as_of)
        .prefetch_related(
            Prefetch("milestones", milestones.order_by("due_on", "id")),
            Prefetch("events", ContractEvent.objects.order_by("on", "at", "id")),
        )
        .order_by("id")
    )
    facts = LegacyFacts.load(set(qs.values_list("agency_id", flat=True)))

    def new():
        return {k: 0 for k in ("contracts", "sme_declared", "overdue_contracts", "legacy_flagged")} | {
            "amount": ZERO,
            "overdue_amount": ZERO,
        }

    per_agency: dict[int, dict] = defaultdict(new)
    total = new()
    for contract in qs.iterator(chunk_size=500):
        overdue = ZERO
        for m in contract.milestones.all():
            o = m.obligation
            if o is None or o.arose_on > as_of:
                continue
            state = obligation_state(o, as_of)
            if status_of(o, state, as_of) == Status.OVERDUE:
                overdue += state.principal_outstanding
        flagged = legacy_flag(contract, facts, as_of)["flagged"]
        for acc in (per_agency[graph.answerable(contract.agency_id, as_of)], total):
            acc["contracts"] += 1
            acc["amount"] += contract.amount
            acc["sme_declared"] += contract.sme_declared
            acc["overdue_contracts"] += overdue > 0
            acc["overdue_amount"] += overdue
            acc["legacy_flagged"] += flagged
    agencies = Agency.objects.in_bulk(list(per_agency))
    rows = [_row(agencies[a], acc, ctx) for a, acc in sorted(per_agency.items())]
    return Section(
        "contracts",
        "政府合同协议：签订、逾期付款与新官不理旧账标记（按单位）",
        COLUMNS,
        rows,
        _row(None, total, ctx),
        notes=[
            "统计日期前签订的合同；逾期未付为政府方付款节点形成的给付义务按统计日期逾期未付的本金。",
            "新官不理旧账标记：签订后主要负责人更替，政府方节点到期未履行满30日（SPEC R5）。",
        ],
    )


def contract_of_obligations(ids: list[int]) -> dict[int, str]:
    """{obligation id: "contract:<id>"} for obligations created by a contract's payment milestone."""
    pairs = Milestone.objects.filter(obligation_id__in=ids).values_list("obligation_id", "contract_id")
    return {ob: f"contract:{contract}" for ob, contract in pairs}


CONTRACT_EXPORT = ExportSpec(
    title="政府合同协议",
    columns=[
        Col("合同编号", "number"),
        Col("合同名称", "title"),
        Col("合同类型", "contract_type", labels=dict(CONTRACT_TYPE_CHOICES)),
        Col("单位", "agency__name"),
        Col("相对方", "counterparty__name"),
        Col("相对方统一社会信用代码", "counterparty__uscc"),
        Col("行政区划代码", "region_code"),
        Col("合同金额（元）", "amount"),
        Col("约定付款期限（日）", "payment_term_days"),
        Col("签约时声明为中小企业", "sme_declared"),
        Col("状态", "status", labels=dict(ContractStatus.choices)),
        Col("签订日期", "signed_on"),
        Col("备案日期", "filed_on"),
        Col("履行完毕日期", "completed_on"),
        Col("终止日期", "terminated_on"),
        Col("争议发生日期", "disputed_since"),
    ],
)


def register() -> None:
    register_report_section("contracts", "政府合同协议（按单位）", contracts_section)
    register_obligation_grouper(contract_of_obligations)
