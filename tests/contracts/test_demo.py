"""Demo contracts: every state, amendments, the 60-day cap, a legacy-debt case; idempotent."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from contracts import demo
from contracts.models import Contract, ContractStatus
from contracts.ocds_validation import describe, errors
from contracts.selectors import PageFacts, contract_queryset, flags
from ledger import seeding
from ledger.demo import parties
from ledger.models import Obligation, User
from seeds.loader import load_agencies, load_lpr


def _load():
    load_agencies()
    load_lpr()
    parties.load()
    demo.load()


def _counts():
    models = list(apps.get_app_config("contracts").get_models()) + [Obligation, Obligation.history.model]
    return {m.__name__: m._default_manager.count() for m in models}


def _flags(number, as_of):
    contract = contract_queryset().get(number=number)
    return flags(contract, PageFacts.load([contract], as_of))


@pytest.mark.django_db
def test_demo_has_every_state_and_loads_twice_to_the_same_rows():
    _load()
    first = _counts()
    _load()
    assert _counts() == first
    demo_contracts = Contract.objects.filter(is_demo=True)
    assert set(demo_contracts.values_list("status", flat=True)) == set(ContractStatus.values)
    assert demo_contracts.count() == 10
    amended = Contract.objects.get(number="DEMO-HT-06")
    assert (amended.version, amended.amount, amended.payment_term_days) == (2, Decimal("1350000.00"), 30)
    assert amended.evidence.get().amendment.number == 1
    assert Contract.objects.get(number="DEMO-HT-03").disputed_since == date(2026, 10, 12)
    assert Contract.objects.get(number="DEMO-HT-08").termination_reason_code == "government_breach"
    assert Contract.objects.get(number="DEMO-HT-09").termination_reason_code == "not_concluded"


@pytest.mark.django_db
def test_demo_sme_contract_is_capped_at_60_days():
    _load()
    term = _flags("DEMO-HT-05", date(2026, 11, 1))["payment_term"]
    assert (term["term_days_agreed"], term["term_days_applied"], term["capped"]) == (90, 60, True)
    first = Contract.objects.get(number="DEMO-HT-05").milestones.get(title="第一批材料货款").obligation
    # delivered 2026-04-10 + 60 days = 2026-06-09
    assert (first.due_on, first.term_capped, first.principal_paid) == (date(2026, 6, 9), True, Decimal("150000.00"))
    late = Contract.objects.get(number="DEMO-HT-05").milestones.get(title__startswith="第二批").obligation
    # delivered 2026-08-03, 10 days to accept: the period ended 2026-08-13; +60 days = 2026-10-12
    assert (late.trigger, late.trigger_on, late.due_on) == ("late_acceptance", date(2026, 8, 13), date(2026, 10, 12))


@pytest.mark.django_db
def test_demo_legacy_debt_case_at_the_transport_bureau():
    _load()
    # signed 2023-03-15 under 张建国; due 2023-06-19; handover 2023-07-01 to an acting head
    assert _flags("DEMO-HT-10", date(2023, 7, 30))["legacy_debt"]["flagged"] is False
    flagged = _flags("DEMO-HT-10", date(2023, 7, 31))["legacy_debt"]
    assert flagged == {
        "flagged": True,
        "handover_on": date(2023, 7, 1),
        "days_since_handover": 30,
        "principal_then": "张建国（演示）",
        "principal_now": "李明（演示）（主持工作）",
    }
    assert _flags("DEMO-HT-10", date(2026, 11, 1))["legacy_debt"]["principal_now"] == "王强（演示）"


@pytest.mark.django_db
def test_every_demo_contract_exports_valid_ocds(api):
    _load()
    auditor = User.objects.get(username="demo-auditor")
    response = api(auditor).get(reverse("contract-ocds-bulk"), {"is_demo": "true", "as_of": "2026-11-20"})
    package = json.loads(response.content, parse_float=Decimal)
    assert describe(errors(package)) == []
    assert len({r["ocid"] for r in package["releases"]}) == 10


@pytest.mark.django_db
def test_demo_contracts_are_loaded_by_the_demo_hook_with_each_state_and_amendment_exact():
    # the demo command runs the registered hooks: contracts after parties (10) and obligations (20)
    assert (30, "contracts", demo.load) in seeding._DEMO_HOOKS
    _load()
    assert dict(Contract.objects.filter(is_demo=True).values_list("number", "status")) == {
        "DEMO-HT-01": "draft",
        "DEMO-HT-02": "legality_review",
        "DEMO-HT-03": "signed",
        "DEMO-HT-04": "filed",
        "DEMO-HT-05": "performing",
        "DEMO-HT-06": "performing",
        "DEMO-HT-07": "completed",
        "DEMO-HT-08": "terminated",
        "DEMO-HT-09": "terminated",
        "DEMO-HT-10": "performing",
    }
    amended = Contract.objects.get(number="DEMO-HT-06")
    assert [(a.number, a.rationale_code, a.signed_on, a.changes) for a in amended.amendments.all()] == [
        (1, "price_adjustment", date(2025, 8, 1), {"amount": {"old": "1200000.00", "new": "1350000.00"}}),
        (
            2,
            "time_extension",
            date(2025, 10, 15),
            {
                "payment_term_days": {"old": 45, "new": 30},
                "period_end": {"old": "2025-12-31", "new": "2026-03-31"},
            },
        ),
    ]
