"""Candidates from the rules of SPEC R9: one rule each, as of a date, never twice."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract, ContractStatus, TerminationReason
from credit.models import CandidateRule, DishonestyRecord, RecordEvent
from credit.services.records import candidates_propose
from ledger import models as m
from tests.factories import AgencyFactory, TenureFactory
from tests.owned_objects import _policy, obligation_for

R = CandidateRule


def decision(
    w, *, agency=None, deadline=date(2026, 4, 1), performed_on=None, is_demo=False, case="（2026）皖1002行初1号"
):
    return m.Decision.objects.create(
        kind=m.DecisionKind.JUDGMENT,
        case_number=case,
        issued_by="屯溪区人民法院",
        agency=agency or w.agency_a,
        region_code="341002",
        title="支付工程款",
        effective_on=date(2026, 3, 1),
        performance_deadline=deadline,
        amount=Decimal("50000.00"),
        creditor=w.enterprise_1,
        status=m.DecisionStatus.PERFORMED if performed_on else m.DecisionStatus.PENDING,
        performed_on=performed_on,
        recorded_by=w.supervisor,
        is_demo=is_demo,
    )


def claim(w, *, decided_on=date(2026, 1, 10), obligation=None):
    return m.Claim.objects.create(
        enterprise=w.enterprise_1,
        agency=w.agency_a,
        region_code="341002",
        amount=Decimal("1000.00"),
        subject="拖欠货款",
        status=m.ClaimStatus.VERIFIED,
        filed_on=date(2026, 1, 2),
        filed_by=w.enterprise_user_1,
        decided_on=decided_on,
        decided_by=w.supervisor,
        obligation=obligation or obligation_for(w, source=m.Source.CLAIM),
    )


def contract(w, *, reason=TerminationReason.GOVERNMENT_BREACH, terminated_on=date(2026, 3, 15)):
    return Contract.objects.create(
        number="TX-2026-001",
        title="公交场站运营委托协议",
        contract_type="government_procurement",
        agency=w.agency_a,
        counterparty=w.enterprise_2,
        region_code="341002",
        amount=Decimal("1200000.00"),
        status=ContractStatus.TERMINATED,
        signed_on=date(2025, 12, 1),
        terminated_on=terminated_on,
        termination_reason_code=reason,
        termination_reason="区交运局单方停止履行",
    )


def redemption(w, *, obligation=None):
    return m.Redemption.objects.create(
        policy=_policy(w),
        agency=w.agency_a,
        enterprise=w.enterprise_1,
        region_code="341002",
        amount=Decimal("1000.00"),
        status=m.RedemptionStatus.APPROVED,
        accepted_on=date(2026, 1, 5),
        approved_on=date(2026, 1, 20),
        obligation=obligation or obligation_for(w, source=m.Source.REDEMPTION, regime=m.Regime.REDEMPTION),
    )


def legacy_obligation(w):
    """Arose under 甲 (until 2026-03-01), overdue since 2026-02-05 under 乙."""
    TenureFactory(agency=w.agency_b, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=w.agency_b, person="乙", start_on=date(2026, 3, 1))
    return obligation_for(w, debtor_agency=w.agency_b, title="维修尾款")


def proposed(as_of):
    result = candidates_propose(actor=None, as_of=as_of)
    return {r.rule: r for r in result.created}, result


@pytest.mark.django_db
def test_each_rule_proposes_its_candidate_once(world, windows):
    # given one source for each rule of R9
    d = decision(world)
    c = claim(world)
    k = contract(world)
    r = redemption(world)
    o = legacy_obligation(world)
    # when the rules run as of 2026-06-01
    created, result = proposed(date(2026, 6, 1))
    # then each gives one candidate, linked to its source
    assert set(created) == {
        R.DECISION_UNPERFORMED,
        R.CLAIM_ARREARS,
        R.CONTRACT_BREACH,
        R.REDEMPTION_UNPAID,
        R.LEGACY_DEBT,
    }
    assert result.by_rule == {rule: 1 for rule in created}
    assert created[R.DECISION_UNPERFORMED].source == d
    assert created[R.CLAIM_ARREARS].source == c
    assert created[R.CONTRACT_BREACH].source == k
    assert created[R.REDEMPTION_UNPAID].source == r
    assert created[R.LEGACY_DEBT].source == o
    kinds = {rule: rec.get_kind_display() for rule, rec in created.items()}
    assert kinds == {
        R.DECISION_UNPERFORMED: "拒不履行生效裁判",
        R.CLAIM_ARREARS: "拖欠账款",
        R.CONTRACT_BREACH: "违约毁约",
        R.REDEMPTION_UNPAID: "政策承诺未兑现",
        R.LEGACY_DEBT: "新官不理旧账",
    }
    breach = created[R.CONTRACT_BREACH]
    assert (breach.subject_agency, breach.subject_uscc, breach.amount) == (
        world.agency_a,
        world.agency_a.uscc,
        Decimal("1200000.00"),
    )
    assert (breach.counterparty_name, breach.counterparty_uscc) == (world.enterprise_2.name, world.enterprise_2.uscc)
    assert breach.source_label == "合同 TX-2026-001"
    assert created[R.CLAIM_ARREARS].amount == Decimal("1000.00")
    assert "甲" in created[R.LEGACY_DEBT].facts and "2026-03-01起更替为乙" in created[R.LEGACY_DEBT].facts
    assert all(rec.status == "candidate" and rec.proposed_on == date(2026, 6, 1) for rec in created.values())
    assert RecordEvent.objects.filter(action="propose", actor=None).count() == 5
    # and a rerun — the same day or later — proposes nothing twice
    again, result = proposed(date(2026, 6, 2))
    assert again == {}
    assert result.already_proposed == 5
    assert DishonestyRecord.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2026, 4, 1), 0), (date(2026, 4, 2), 1)],  # the deadline day itself is not yet past
)
def test_decision_unperformed_past_its_deadline(world, windows, as_of, expected):
    decision(world)
    decision(world, performed_on=date(2026, 3, 31), case="（2026）皖1002行初2号")
    created, _ = proposed(as_of)
    assert len(created) == expected


@pytest.mark.django_db
def test_a_decision_performed_after_the_as_of_date_still_counts_then(world, windows):
    d = decision(world, performed_on=date(2026, 5, 1))
    created, _ = proposed(date(2026, 4, 15))
    assert created[R.DECISION_UNPERFORMED].source == d


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "expected"), [(date(2026, 4, 10), 0), (date(2026, 4, 11), 1)])
def test_arrears_unpaid_90_days_after_verification(world, windows, as_of, expected):
    claim(world)  # verified 2026-01-10: 90 days run to 2026-04-10
    created, _ = proposed(as_of)
    assert len([r for r in created if r == R.CLAIM_ARREARS]) == expected


@pytest.mark.django_db
def test_paid_arrears_are_not_proposed(world, windows):
    claim(world, obligation=obligation_for(world, source=m.Source.CLAIM, fully_paid_on=date(2026, 4, 1)))
    created, _ = proposed(date(2026, 6, 1))
    assert R.CLAIM_ARREARS not in created


@pytest.mark.django_db
def test_only_a_termination_for_government_breach(world, windows):
    contract(world, reason=TerminationReason.ENTERPRISE_BREACH)
    assert proposed(date(2026, 6, 1))[0] == {}
    contract(world, terminated_on=date(2026, 6, 2))
    assert proposed(date(2026, 6, 1))[0] == {}
    assert set(proposed(date(2026, 6, 2))[0]) == {R.CONTRACT_BREACH}


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "expected"), [(date(2026, 5, 5), 0), (date(2026, 5, 6), 1)])
def test_redemption_unpaid_90_days_past_due(world, windows, as_of, expected):
    redemption(world)  # obligation due 2026-02-04: 90 days run to 2026-05-05
    created, _ = proposed(as_of)
    assert len([r for r in created if r == R.REDEMPTION_UNPAID]) == expected


@pytest.mark.django_db
def test_no_legacy_case_without_a_handover(world, windows):
    TenureFactory(agency=world.agency_b, person="甲", start_on=date(2020, 1, 1))
    obligation_for(world, debtor_agency=world.agency_b)
    assert R.LEGACY_DEBT not in proposed(date(2026, 6, 1))[0]


@pytest.mark.django_db
def test_a_merged_agency_s_record_is_against_its_successor_and_demo_stays_demo(world, windows):
    merged = AgencyFactory(successor=world.agency_b, succeeded_on=date(2026, 2, 1))
    decision(world, agency=merged, is_demo=True)
    record = proposed(date(2026, 6, 1))[0][R.DECISION_UNPERFORMED]
    assert (record.subject_agency, record.subject_name) == (world.agency_b, world.agency_b.name)
    assert merged.name in record.facts
    assert record.is_demo is True


@pytest.mark.django_db
def test_the_command_and_the_api_action(world, windows, api):
    decision(world)
    out = io.StringIO()
    call_command("propose_credit_candidates", "--date", "2026-06-01", stdout=out)
    assert "2026-06-01：新提出候选 1 条" in out.getvalue()
    contract(world)
    url = reverse("credit-record-propose")
    assert api(world.supervisor).post(url, {"date": "2026-06-01"}, format="json").status_code == 403
    r = api(world.credit_officer).post(url, {"date": "2026-06-01"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["already_proposed"]) == (1, 1)
    assert [rec["rule"] for rec in body["records"]] == [R.CONTRACT_BREACH]
    assert body["records"][0]["source_type"] == "contracts.contract"
    r = api(world.credit_officer).post(url, {"date": "2026-06-01"}, format="json")
    assert (r.json()["created"], r.json()["already_proposed"]) == (0, 2)
    assert DishonestyRecord.objects.count() == 2


@pytest.mark.django_db
def test_a_dismissed_candidate_is_not_proposed_again(world, windows):
    # given a candidate from an unperformed decision, dismissed by the credit officer with a reason
    from credit.services.records import record_dismiss

    decision(world)
    record = proposed(date(2026, 6, 1))[0][R.DECISION_UNPERFORMED]
    record_dismiss(actor=world.credit_officer, record=record, on=date(2026, 6, 2), reason="已达成执行和解")
    # when the rules run again while the decision is still unperformed
    created, result = proposed(date(2026, 7, 1))
    # then nothing new is proposed: the dismissal stands and is not undone by a scheduled run
    assert (created, result.already_proposed) == ({}, 1)
    assert list(DishonestyRecord.objects.values_list("status", flat=True)) == ["dismissed"]
