"""Shared builders for the obligation-ledger tests (obligations created through the service)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.models import LprRate, Obligation
from ledger.services.obligations import obligation_create


def lpr(effective_from=date(2025, 5, 20), one_year=Decimal("3.000")) -> LprRate:
    return LprRate.objects.get_or_create(
        effective_from=effective_from,
        defaults={"one_year": one_year, "basis": "中国人民银行授权全国银行间同业拆借中心公布"},
    )[0]


def sme_obligation(world, **overrides) -> Obligation:
    """SPEC R3's example: 200,000.00 due 2026-05-06 under the 条例 at 0.05 % a day.

    Delivery on 2026-04-06 + 30 days = Wednesday 2026-05-06, a working day.
    """
    fields = {
        "actor": world.staff_a,
        "debtor_agency": world.agency_a,
        "creditor": world.enterprise_1,
        "source": "milestone",
        "title": "办公设备采购（测试）",
        "principal": "200000.00",
        "arose_on": date(2026, 4, 6),
        "trigger": "delivery",
        "trigger_on": date(2026, 4, 6),
        "contract_type": "government_procurement",
        "sme_declared": True,
        "signed_on": date(2026, 3, 1),
    }
    fields.update(overrides)
    return obligation_create(**fields)


def contract_obligation(world, **overrides) -> Obligation:
    """A contract-regime obligation without an agreed rate: due 30 days (district default)."""
    fields = {
        "actor": world.staff_a,
        "debtor_agency": world.agency_a,
        "creditor": world.enterprise_1,
        "source": "milestone",
        "title": "招商引资奖励（测试）",
        "principal": "80000.00",
        "arose_on": date(2026, 3, 2),
        "trigger": "settlement_confirmed",
        "trigger_on": date(2026, 3, 2),
        "contract_type": "investment_promotion",
    }
    fields.update(overrides)
    return obligation_create(**fields)
