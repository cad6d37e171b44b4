"""Importing contracts (政府合同协议) with milestones: the kind the contracts app registers."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.imports import contracts_kind
from contracts.models import Contract, ContractEvent, ContractStatus, LegalityReview, Milestone
from ledger.api.base import history_of
from ledger.imports.registry import EXAMPLE_USCC
from ledger.imports.templates import template_xlsx
from ledger.models import ImportStatus, Obligation
from tests.factories import AgencyFactory, EnterpriseFactory
from tests.ledger.imports.helpers import problems, run, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["合同编号", "合同名称", "合同类型", "统一社会信用代码", "合同金额（元）", "约定付款期限（日）"]
MILESTONE_HEADERS = ["合同编号", "履行方", "节点类型", "节点名称", "付款金额（元）", "付款起算条件", "交付日期"]


def written() -> tuple:
    return (
        Contract.objects.count(),
        Milestone.objects.count(),
        ContractEvent.objects.count(),
        LegalityReview.objects.count(),
        Obligation.objects.count(),
        Contract.history.count(),
    )


def _draft(world, number="HT-1", amount="300,000"):
    return [number, "办公家具采购合同", "政府采购", world.enterprise_1.uscc, amount, 30]


def test_the_template_imports_a_performing_contract_whose_milestone_creates_its_obligation(world):
    # given the contracts template as downloaded, example rows left in
    agency = AgencyFactory(name="区交运局")
    enterprise = EnterpriseFactory(uscc=EXAMPLE_USCC, name="示例建设有限公司")
    staff = world.staff_a
    staff.agency = agency
    staff.save()

    job = run(staff, "contracts", template_xlsx(contracts_kind))

    assert job.status == ImportStatus.IMPORTED, job.report["problems"]
    contract = Contract.objects.get()
    assert (contract.number, contract.status, contract.counterparty, contract.amount) == (
        "JY-HT-2026-001",
        ContractStatus.PERFORMING,
        enterprise,
        Decimal("360000.00"),
    )
    assert (contract.signed_on, contract.filed_on, contract.performing_on) == (
        date(2026, 1, 8),
        date(2026, 1, 10),
        date(2026, 1, 12),
    )
    assert LegalityReview.objects.get().reviewer == "区司法局"
    milestone = Milestone.objects.get()
    assert (milestone.delivered_on, milestone.accepted_on) == (date(2026, 3, 20), date(2026, 3, 25))
    # accepted within the agreed 10 days: the 30-day term runs from acceptance (条例 (2025) art. 10)
    assert milestone.obligation.trigger_on == date(2026, 3, 25)
    assert milestone.obligation.principal == Decimal("120000.00")
    assert milestone.obligation.regime == "sme_procurement"

    # and the same file again creates nothing
    before = written()
    again = run(staff, "contracts", template_xlsx(contracts_kind))
    assert (again.status, again.rows_created, again.rows_updated, again.rows_unchanged) == (
        ImportStatus.IMPORTED,
        0,
        0,
        2,
    )
    assert written() == before


def test_a_changed_draft_is_updated_through_the_service_and_shows_in_history(world):
    run(world.staff_a, "contracts", xlsx({"合同": [HEADERS, _draft(world)]}))
    contract = Contract.objects.get()
    job = run(world.staff_a, "contracts", xlsx({"合同": [HEADERS, _draft(world, amount="320000")]}))
    assert (job.status, job.rows_updated) == (ImportStatus.IMPORTED, 1)
    assert job.report["changes"][0]["detail"] == "合同金额（元）：300000.00 → 320000.00"
    contract.refresh_from_db()
    assert contract.amount == Decimal("320000.00")
    assert {"field": "amount", "old": "300000.00", "new": "320000.00"} in history_of(contract)[-1]["changes"]


def test_a_later_lifecycle_date_moves_the_contract_on_but_a_signed_contract_is_not_rewritten(world):
    headers = [*HEADERS, "合法性审查机构", "审查意见", "审查通过日期", "签订日期", "备案日期"]
    signed = [*_draft(world), "法制科", "同意", "2026-01-03", "2026-01-05", ""]
    run(world.staff_a, "contracts", xlsx({"合同": [headers, signed]}))
    assert Contract.objects.get().status == ContractStatus.SIGNED

    filed = [*signed[:-1], "2026-01-08"]
    job = run(world.staff_a, "contracts", xlsx({"合同": [headers, filed]}))
    assert job.report["changes"][0]["detail"] == "备案：2026-01-08"
    assert Contract.objects.get().status == ContractStatus.FILED

    before = written()
    changed = [*filed]
    changed[4] = "310000"
    job = run(world.staff_a, "contracts", xlsx({"合同": [headers, changed]}))
    assert problems(job) == [
        (
            2,
            "E（合同金额（元））",
            "合同HT-1处于“已备案”状态，其“合同金额（元）”为300000.00，表中为310000.00：签订后只能通过变更（amendments）修改",
        )
    ]
    assert written() == before


def test_bad_contract_rows_write_nothing(world):
    headers = [*HEADERS, "签订日期"]
    rows = [headers, [*_draft(world), ""], [*_draft(world, "HT-2"), "2026-01-05"], [*_draft(world, "ht-1"), ""]]
    milestones = [MILESTONE_HEADERS, ["HT-9", "政府方", "付款", "首期款", "100000", "交付", ""]]
    before = written()
    job = run(world.staff_a, "contracts", xlsx({"合同": rows, "履行节点": milestones}))
    assert problems(job) == [
        (3, "G（签订日期）", "未经合法性审查通过的合同不得签订：须填写审查通过日期"),
        (4, "A（合同编号）", "与第2行重复（同一合同编号）"),
        (2, "A（合同编号）", f"找不到合同编号为HT-9的合同（{world.agency_a.name}）：须先导入该合同"),
    ]
    assert written() == before


def test_milestones_of_a_draft_and_a_trigger_refused_by_the_service(world):
    # a trigger date on a draft contract: the service refuses (facts need a contract in force)
    milestones = [MILESTONE_HEADERS, ["HT-1", "政府方", "付款", "首期款", "100000", "交付", "2026-02-01"]]
    before = written()
    job = run(world.staff_a, "contracts", xlsx({"合同": [HEADERS, _draft(world)], "履行节点": milestones}))
    assert problems(job) == [(2, "", "合同处于“草拟”状态，不能记录履行情况")]
    assert written() == before
    # without the date the milestone is planned on the draft
    milestones[1][-1] = ""
    job = run(world.staff_a, "contracts", xlsx({"合同": [HEADERS, _draft(world)], "履行节点": milestones}))
    assert job.status == ImportStatus.IMPORTED
    assert Milestone.objects.get().amount == Decimal("100000.00")


def test_administrators_do_not_register_contracts(world):
    job = run(world.administrator, "contracts", xlsx({"合同": [HEADERS, _draft(world)]}), agency=world.agency_a)
    assert problems(job) == [(None, "", "合同由本单位的机关工作人员导入（管理员不代为登记合同）")]
    assert Contract.objects.count() == 0
