"""Milestones: triggers that create the ledger obligation with R1's due date, live states as of a
date, the 60-day cap and a missing term on the contract, and R5's legacy-debt flag."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Milestone
from contracts.selectors import PageFacts, flags, milestone_state
from contracts.services import milestones as svc
from ledger.errors import Conflict, IllegalTransition, ValidationFailed
from ledger.models import EntryKind, Obligation
from ledger.services.obligations import payment_record
from tests.contracts import helpers as h
from tests.factories import TenureFactory

DELIVERED = date(2026, 2, 2)


def _trigger(world, milestone, event, on):
    return svc.milestone_record_trigger(actor=world.staff_a, milestone=milestone, event=event, on=on)


def _state(milestone, as_of):
    return milestone_state(Milestone.objects.select_related("obligation").get(pk=milestone.pk), as_of)


def _flags(contract, as_of):
    from contracts.selectors import contract_queryset

    contract = contract_queryset().get(pk=contract.pk)
    return flags(contract, PageFacts.load([contract], as_of))


@pytest.mark.django_db
def test_delivery_triggers_the_obligation_with_the_sme_due_date(world):
    # given an SME purchase signed 2026-01-05 with a 30-day term, and its payment milestone
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract)
    assert _state(milestone, date(2026, 3, 1)).status == "not_triggered"
    # when the delivery is recorded
    milestone = _trigger(world, milestone, "delivery", DELIVERED)
    # then the obligation exists, pointed to by the milestone, due 30 days after delivery
    ob = milestone.obligation
    assert (ob.source, ob.regime, ob.trigger, ob.trigger_on, ob.arose_on, ob.due_on) == (
        "milestone",
        "sme_procurement",
        "delivery",
        DELIVERED,
        DELIVERED,
        date(2026, 3, 4),
    )
    assert (ob.principal, ob.debtor_agency, ob.creditor, ob.signed_on, ob.agreed_term_days, ob.sme_declared) == (
        Decimal("200000.00"),
        world.agency_a,
        world.enterprise_1,
        h.SIGNED,
        30,
        True,
    )
    assert ob.title == "办公家具采购合同：货款"
    assert Obligation.objects.get(milestone=milestone) == ob
    event = contract.events.latest("id")
    assert (event.kind, event.reason_code, event.on) == ("milestone", "delivery", DELIVERED)


@pytest.mark.django_db
def test_a_term_over_60_days_is_capped_and_flagged(world):
    # given an SME purchase with a 90-day term
    contract = h.performing(world, payment_term_days=90)
    # then the contract shows the cap
    term = _flags(contract, date(2026, 2, 1))["payment_term"]
    assert (term["regime"], term["term_days_agreed"], term["term_days_applied"], term["capped"]) == (
        "sme_procurement",
        90,
        60,
        True,
    )
    assert "超过第九条第一款规定的最长60日，按60日计" in term["basis"]
    # and the obligation is due 60 days after delivery, flagged as capped
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", DELIVERED)
    assert (milestone.obligation.due_on, milestone.obligation.term_capped) == (date(2026, 4, 3), True)


@pytest.mark.django_db
def test_a_missing_term_is_noted_and_30_days_apply(world):
    contract = h.performing(world, payment_term_days=None)
    term = _flags(contract, date(2026, 2, 1))["payment_term"]
    assert (term["term_missing"], term["capped"], term["term_days_applied"]) == (True, False, 30)
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", DELIVERED)
    assert (milestone.obligation.due_on, milestone.obligation.term_missing) == (date(2026, 3, 4), True)


@pytest.mark.django_db
def test_a_non_sme_contract_uses_the_agreed_term_without_cap(world):
    contract = h.performing(world, sme_declared=False, payment_term_days=45)
    term = _flags(contract, date(2026, 2, 1))["payment_term"]
    assert (term["regime"], term["capped"], term["term_days_applied"]) == ("contract", False, 45)
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", DELIVERED)
    assert (milestone.obligation.regime, milestone.obligation.due_on) == ("contract", date(2026, 3, 19))


@pytest.mark.django_db
def test_a_goods_milestone_brings_an_investment_contract_under_the_regulation(world):
    # 招商引资 is not a purchase by type, but a milestone paying for goods/works/services is (art. 2)
    contract = h.performing(world, contract_type="investment_promotion")
    plain = _trigger(world, h.payment_milestone(world, contract, goods_works_services=False), "delivery", DELIVERED)
    goods = _trigger(
        world,
        h.payment_milestone(world, contract, title="代建工程款", amount=Decimal("50000.00")),
        "delivery",
        DELIVERED,
    )
    assert (plain.obligation.regime, goods.obligation.regime) == ("contract", "sme_procurement")


@pytest.mark.django_db
def test_acceptance_within_the_agreed_period_is_the_trigger(world):
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract, payment_basis="acceptance")
    milestone = _trigger(world, milestone, "delivery", DELIVERED)
    # delivery alone does not trigger a payment that depends on acceptance
    assert milestone.obligation is None
    assert _state(milestone, date(2026, 2, 5)).status == "not_triggered"
    milestone = _trigger(world, milestone, "acceptance", date(2026, 2, 10))
    assert (milestone.obligation.trigger, milestone.obligation.trigger_on, milestone.obligation.due_on) == (
        "acceptance",
        date(2026, 2, 10),
        date(2026, 3, 12),
    )


@pytest.mark.django_db
def test_late_acceptance_runs_from_the_end_of_the_agreed_period(world):
    # given 10 days to accept from delivery on 2026-02-02: the period ends 2026-02-12
    contract = h.performing(world)
    milestone = _trigger(world, h.payment_milestone(world, contract, payment_basis="acceptance"), "delivery", DELIVERED)
    # when acceptance comes on 2026-02-20
    milestone = _trigger(world, milestone, "acceptance", date(2026, 2, 20))
    # then the term runs from 2026-02-12; +30 days is Saturday 2026-03-14, moved to Monday
    ob = milestone.obligation
    assert (ob.trigger, ob.trigger_on, ob.due_on) == ("late_acceptance", date(2026, 2, 12), date(2026, 3, 16))


@pytest.mark.django_db
def test_no_acceptance_at_all_is_recorded_as_late_acceptance_once_the_period_ended(world):
    contract = h.performing(world)
    milestone = _trigger(world, h.payment_milestone(world, contract, payment_basis="acceptance"), "delivery", DELIVERED)
    # on the period's last day it is still running
    with pytest.raises(Conflict) as caught:
        _trigger(world, milestone, "late_acceptance", date(2026, 2, 12))
    assert caught.value.code == "acceptance_period_running"
    assert Milestone.objects.get(pk=milestone.pk).obligation is None
    # the day after, the payer's delay starts the term
    milestone = _trigger(world, milestone, "late_acceptance", date(2026, 2, 13))
    assert (milestone.obligation.trigger, milestone.obligation.trigger_on) == ("late_acceptance", date(2026, 2, 12))
    # a later acceptance is recorded but creates nothing more
    milestone = _trigger(world, milestone, "acceptance", date(2026, 2, 25))
    assert milestone.accepted_on == date(2026, 2, 25)
    assert Obligation.objects.count() == 1


@pytest.mark.django_db
def test_confirmed_settlement_is_the_trigger_of_progress_payments(world):
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract, payment_basis="settlement")
    milestone = _trigger(world, milestone, "settlement_confirmed", date(2026, 3, 2))
    assert (milestone.obligation.trigger, milestone.obligation.due_on) == ("settlement_confirmed", date(2026, 4, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("basis", "event", "code"),
    [
        ("delivery", "acceptance", "event_not_applicable"),
        ("settlement", "delivery", "event_not_applicable"),
        ("acceptance", "acceptance", "delivery_missing"),
        ("acceptance", "late_acceptance", "acceptance_period_unknown"),
        ("delivery", "bogus", "invalid_choice"),
    ],
)
def test_events_that_do_not_fit_are_refused_naming_the_field(world, basis, event, code):
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract, payment_basis=basis)
    with pytest.raises(ValidationFailed) as caught:
        _trigger(world, milestone, event, DELIVERED)
    assert (list(caught.value.fields), caught.value.code) == (["event"], code)
    assert Obligation.objects.count() == 0


@pytest.mark.django_db
def test_a_trigger_before_signing_or_twice_is_refused(world):
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract)
    with pytest.raises(ValidationFailed) as caught:
        _trigger(world, milestone, "delivery", date(2026, 1, 4))
    assert (caught.value.fields, caught.value.code) == (
        {"on": ["日期2026-01-04早于合同签订日期2026-01-05"]},
        "before_signing",
    )
    _trigger(world, milestone, "delivery", DELIVERED)
    with pytest.raises(Conflict) as caught:
        _trigger(world, milestone, "delivery", DELIVERED)
    assert caught.value.code == "already_recorded"
    assert Obligation.objects.count() == 1


@pytest.mark.django_db
def test_triggers_wait_for_signing(world):
    contract = h.new_contract(world)
    milestone = h.payment_milestone(world, contract)
    with pytest.raises(IllegalTransition) as caught:
        _trigger(world, milestone, "delivery", DELIVERED)
    assert caught.value.code == "contract_not_in_force"


@pytest.mark.django_db
def test_payment_milestone_needs_amount_and_basis_and_fits_the_contract_amount(world):
    contract = h.new_contract(world)
    with pytest.raises(ValidationFailed) as caught:
        h.payment_milestone(world, contract, amount=None)
    assert list(caught.value.fields) == ["amount"]
    with pytest.raises(ValidationFailed) as caught:
        h.payment_milestone(world, contract, payment_basis="")
    assert list(caught.value.fields) == ["payment_basis"]
    h.payment_milestone(world, contract, amount=Decimal("250000.00"))
    with pytest.raises(ValidationFailed) as caught:
        h.payment_milestone(world, contract, amount=Decimal("50000.01"))
    assert caught.value.code == "exceeds_contract_amount"
    assert Milestone.objects.filter(contract=contract).count() == 1


@pytest.mark.django_db
def test_payment_milestone_states_as_of_a_date(world):
    # given a 200,000.00 payment delivered 2026-02-02, due 2026-03-04; 80,000.00 paid 2026-02-20
    contract = h.performing(world)
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", DELIVERED)
    payment_record(
        actor=world.staff_a,
        obligation=milestone.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 2, 20),
        amount=Decimal("80000.00"),
    )
    # then, as of each date
    assert _state(milestone, date(2026, 2, 1)).status == "not_triggered"
    assert _state(milestone, date(2026, 2, 10)).status == "scheduled"
    partly = _state(milestone, date(2026, 2, 20))
    assert (partly.status, partly.principal_paid, partly.principal_outstanding) == (
        "partly_met",
        Decimal("80000.00"),
        Decimal("120000.00"),
    )
    # paying the rest before it is due meets it
    payment_record(
        actor=world.staff_a,
        obligation=milestone.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 3, 2),
        amount=Decimal("120000.00"),
    )
    met = _state(milestone, date(2026, 3, 10))
    assert (met.status, met.met_on, met.due_on) == ("met", date(2026, 3, 2), date(2026, 3, 4))


@pytest.mark.django_db
def test_unpaid_past_due_is_not_met(world):
    contract = h.performing(world)
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", DELIVERED)
    assert _state(milestone, date(2026, 3, 4)).status == "scheduled"
    assert _state(milestone, date(2026, 3, 5)).status == "not_met"


@pytest.mark.django_db
def test_other_milestones_are_met_partly_met_or_not_met_as_of_a_date(world):
    contract = h.performing(world)
    milestone = svc.milestone_create(
        actor=world.staff_a,
        contract=contract,
        side="enterprise",
        kind="delivery",
        title="交付家具",
        due_on=date(2026, 3, 1),
    )
    svc.milestone_record_met(
        actor=world.staff_a, milestone=milestone, on=date(2026, 2, 20), partly=True, note="交付六成"
    )
    assert _state(milestone, date(2026, 2, 19)).status == "scheduled"
    assert _state(milestone, date(2026, 2, 20)).status == "partly_met"
    svc.milestone_record_met(actor=world.staff_a, milestone=milestone, on=date(2026, 3, 10))
    assert _state(milestone, date(2026, 3, 5)).status == "partly_met"
    met = _state(milestone, date(2026, 3, 10))
    assert (met.status, met.met_on) == ("met", date(2026, 3, 10))
    stored = Milestone.objects.get(pk=milestone.pk)
    assert stored.progress_note == "2026-02-20部分完成：交付六成"
    other = svc.milestone_create(
        actor=world.staff_a,
        contract=contract,
        side="government",
        kind="approval",
        title="交付场地",
        due_on=date(2026, 2, 1),
    )
    assert _state(other, date(2026, 2, 2)).status == "not_met"


@pytest.mark.django_db
def test_a_payment_milestone_is_not_marked_met_by_hand(world):
    contract = h.performing(world)
    milestone = h.payment_milestone(world, contract)
    with pytest.raises(Conflict) as caught:
        svc.milestone_record_met(actor=world.staff_a, milestone=milestone, on=DELIVERED)
    assert caught.value.code == "payment_follows_ledger"


@pytest.mark.django_db
def test_legacy_debt_flag_after_a_handover(world):
    # given: 甲 led agency A until 2026-03-01, then 乙; the contract was signed under 甲
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    contract = h.performing(world)
    # delivered 2026-01-20: due 2026-02-19 during Spring Festival, moved to 2026-02-24; never paid
    milestone = _trigger(world, h.payment_milestone(world, contract), "delivery", date(2026, 1, 20))
    assert milestone.obligation.due_on == date(2026, 2, 24)
    # then: not flagged before the handover, nor in the new principal's first 29 days …
    assert _flags(contract, date(2026, 2, 28))["legacy_debt"]["flagged"] is False
    before = _flags(contract, date(2026, 3, 30))["legacy_debt"]
    assert (before["flagged"], before["handover_on"], before["principal_then"], before["principal_now"]) == (
        False,
        date(2026, 3, 1),
        "甲",
        "乙",
    )
    # … and flagged from the 30th day after the handover
    after = _flags(contract, date(2026, 3, 31))["legacy_debt"]
    assert (after["flagged"], after["days_since_handover"]) == (True, 30)
    # once paid off (40 days of 0.05 % = 4,000.00 interest first, art. 561, then the principal)
    payment_record(
        actor=world.staff_a,
        obligation=milestone.obligation,
        kind=EntryKind.PAYMENT,
        on=date(2026, 4, 5),
        amount=Decimal("204000.00"),
    )
    assert Obligation.objects.get(pk=milestone.obligation_id).fully_paid_on == date(2026, 4, 5)
    assert _flags(contract, date(2026, 4, 10))["legacy_debt"]["flagged"] is False
    assert _flags(contract, date(2026, 4, 4))["legacy_debt"]["flagged"] is True


@pytest.mark.django_db
def test_no_legacy_flag_without_a_handover(world):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1))
    contract = h.performing(world)
    _trigger(world, h.payment_milestone(world, contract), "delivery", date(2026, 1, 20))
    assert _flags(contract, date(2026, 6, 1))["legacy_debt"] == {
        "flagged": False,
        "handover_on": None,
        "days_since_handover": None,
        "principal_then": None,
        "principal_now": None,
    }


@pytest.mark.django_db
def test_no_legacy_flag_when_the_handover_came_before_signing(world):
    # given: 乙 took over on 2026-01-01, before the contract was signed (2026-01-05) under 乙
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 1, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 1, 1))
    contract = h.performing(world)
    # a payment due 2026-02-24 and never paid: overdue, but not an old debt of a former principal
    _trigger(world, h.payment_milestone(world, contract), "delivery", date(2026, 1, 20))
    assert _flags(contract, date(2026, 9, 1))["legacy_debt"] == {
        "flagged": False,
        "handover_on": None,
        "days_since_handover": None,
        "principal_then": None,
        "principal_now": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("side", "met_on", "as_of", "flagged"),
    [
        # a government milestone due 2026-04-10, after the handover of 2026-03-01:
        ("government", None, date(2026, 5, 9), False),  # due and unmet for 29 days
        ("government", None, date(2026, 5, 10), True),  # 30 days: flagged (SPEC R5)
        ("government", date(2026, 5, 20), date(2026, 5, 19), True),  # still unmet that day
        ("government", date(2026, 5, 20), date(2026, 5, 20), False),  # met: the flag drops
        ("enterprise", None, date(2026, 9, 1), False),  # the enterprise's own delay is not R5
    ],
)
def test_legacy_flag_counts_30_days_from_the_due_date_of_a_milestone_due_after_the_handover(
    world, side, met_on, as_of, flagged
):
    # given 甲 until 2026-03-01, then 乙; signed under 甲 on 2026-01-05
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    contract = h.performing(world)
    milestone = svc.milestone_create(
        actor=world.staff_a, contract=contract, side=side, kind="approval", title="交付场地", due_on=date(2026, 4, 10)
    )
    if met_on is not None:
        svc.milestone_record_met(actor=world.staff_a, milestone=milestone, on=met_on)
    # then
    legacy = _flags(contract, as_of)["legacy_debt"]
    assert (legacy["flagged"], legacy["handover_on"], legacy["principal_then"], legacy["principal_now"]) == (
        flagged,
        date(2026, 3, 1),
        "甲",
        "乙",
    )


@pytest.mark.django_db
def test_a_government_payment_milestone_shows_not_triggered_over_http_until_its_trigger(world, api):
    # given an acceptance-based payment, delivered but not yet accepted
    contract = h.performing(world)
    milestone = _trigger(world, h.payment_milestone(world, contract, payment_basis="acceptance"), "delivery", DELIVERED)
    url = reverse("contract-milestone-detail", kwargs={"pk": milestone.pk})
    before = api(world.enterprise_user_1).get(url, {"as_of": "2026-02-05"}).json()
    assert (before["obligation"], before["delivered_on"], before["state"]["status"], before["state"]["label"]) == (
        None,
        "2026-02-02",
        "not_triggered",
        "尚未触发",
    )
    # when acceptance is recorded, the obligation appears with R1's due date (accepted 2026-02-10 + 30 days)
    _trigger(world, milestone, "acceptance", date(2026, 2, 10))
    after = api(world.enterprise_user_1).get(url, {"as_of": "2026-02-11"}).json()
    ob = Milestone.objects.get(pk=milestone.pk).obligation
    assert (after["obligation"]["id"], after["obligation"]["due_on"], after["state"]["status"]) == (
        ob.pk,
        "2026-03-12",
        "scheduled",
    )
    # and the obligation was not created before the trigger: only one exists, from 2026-02-10
    assert list(Obligation.objects.values_list("trigger", "trigger_on")) == [("acceptance", date(2026, 2, 10))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sme", "agreed", "applied", "capped", "missing", "regime"),
    [
        (True, 60, 60, False, False, "sme_procurement"),  # the maximum itself is lawful
        (True, 61, 60, True, False, "sme_procurement"),  # 条例 (2025) art. 9: capped and flagged
        (True, None, 30, False, True, "sme_procurement"),  # lawful, 30 days apply, only noted
        (False, 90, 90, False, False, "contract"),  # not an SME: the agreed term stands
    ],
)
def test_the_contracts_payment_term_check_at_the_boundary(world, sme, agreed, applied, capped, missing, regime):
    contract = h.signed(world, sme_declared=sme, payment_term_days=agreed)
    term = _flags(contract, date(2026, 2, 1))["payment_term"]
    assert (term["regime"], term["term_days_agreed"], term["term_days_applied"], term["capped"]) == (
        regime,
        agreed,
        applied,
        capped,
    )
    assert term["term_missing"] is missing
