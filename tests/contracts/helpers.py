"""Builders for the contract tests: contracts taken through the services to any state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contracts.models import Contract, ContractStatus, Milestone
from contracts.services import lifecycle, milestones
from ledger.models import LprRate

SUBMITTED = date(2026, 1, 2)
REVIEWED = date(2026, 1, 3)
SIGNED = date(2026, 1, 5)
FILED = date(2026, 1, 8)
PERFORMING = date(2026, 1, 10)
COMPLETED = date(2026, 6, 30)


def lpr(effective_from=date(2025, 5, 20), one_year=Decimal("3.000")) -> LprRate:
    return LprRate.objects.get_or_create(
        effective_from=effective_from, defaults={"one_year": one_year, "basis": "全国银行间同业拆借中心公布"}
    )[0]


def new_contract(world, **overrides) -> Contract:
    fields = {
        "actor": world.staff_a,
        "agency": world.agency_a,
        "counterparty": world.enterprise_1,
        "title": "办公家具采购合同",
        "contract_type": "government_procurement",
        "amount": Decimal("300000.00"),
        "payment_term_days": 30,
        "acceptance_period_days": 10,
        "sme_declared": True,
    }
    fields.update(overrides)
    return lifecycle.contract_create(**fields)


def in_review(world, contract=None, **overrides) -> Contract:
    contract = contract or new_contract(world, **overrides)
    return lifecycle.contract_submit_for_review(actor=world.staff_a, contract=contract, on=SUBMITTED)


def reviewed(world, contract=None, result="passed", **overrides) -> Contract:
    contract = in_review(world, contract, **overrides)
    lifecycle.contract_review_record(
        actor=world.staff_a,
        contract=contract,
        reviewer="法制科",
        opinion="同意签订" if result == "passed" else "条款违法，退回修改",
        result=result,
        reviewed_on=REVIEWED,
    )
    return Contract.objects.get(pk=contract.pk)


def signed(world, **overrides) -> Contract:
    contract = reviewed(world, **overrides)
    return lifecycle.contract_sign(actor=world.staff_a, contract=contract, signed_on=SIGNED)


def filed(world, **overrides) -> Contract:
    return lifecycle.contract_file(actor=world.staff_a, contract=signed(world, **overrides), filed_on=FILED)


def performing(world, **overrides) -> Contract:
    return lifecycle.contract_start_performance(actor=world.staff_a, contract=filed(world, **overrides), on=PERFORMING)


def in_state(world, status: str, **overrides) -> Contract:
    """A contract in ``status``, reached through the services; in legality review it has a
    passed review, so signing is possible."""
    if status == ContractStatus.DRAFT:
        return new_contract(world, **overrides)
    if status == ContractStatus.LEGALITY_REVIEW:
        return reviewed(world, **overrides)
    if status == ContractStatus.SIGNED:
        return signed(world, **overrides)
    if status == ContractStatus.FILED:
        return filed(world, **overrides)
    if status == ContractStatus.PERFORMING:
        return performing(world, **overrides)
    if status == ContractStatus.COMPLETED:
        return lifecycle.contract_complete(actor=world.staff_a, contract=performing(world, **overrides), on=COMPLETED)
    return lifecycle.contract_terminate(
        actor=world.staff_a,
        contract=performing(world, **overrides),
        on=COMPLETED,
        reason_code="mutual_agreement",
        reason="双方协商一致解除",
    )


def payment_milestone(world, contract, **overrides) -> Milestone:
    fields = {
        "actor": world.staff_a,
        "contract": contract,
        "side": "government",
        "kind": "payment",
        "title": "货款",
        "amount": Decimal("200000.00"),
        "goods_works_services": True,
        "payment_basis": "delivery",
    }
    fields.update(overrides)
    return milestones.milestone_create(**fields)
