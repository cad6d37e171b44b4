"""Amendments (变更): rationale, signed date, what changed; ordering in time; every version kept."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Amendment, Contract
from contracts.ocds import versions
from contracts.services.amendments import amendment_create
from ledger.errors import IllegalTransition, ValidationFailed
from tests.contracts import helpers as h


def _amend(world, contract, signed_on, changes, code="price_adjustment"):
    return amendment_create(
        actor=world.staff_a,
        contract=contract,
        rationale_code=code,
        rationale="增加工程量",
        signed_on=signed_on,
        changes=changes,
    )


@pytest.mark.django_db
def test_an_amendment_records_old_and_new_and_applies_to_the_contract(world):
    # given a performing contract of 300,000.00 with a 30-day term
    contract = h.performing(world)
    # when it is amended
    amendment = _amend(
        world, contract, date(2026, 2, 1), {"amount": "350000.00", "payment_term_days": 45, "period_end": "2026-12-31"}
    )
    # then
    assert (amendment.number, amendment.rationale_code, amendment.signed_on) == (
        1,
        "price_adjustment",
        date(2026, 2, 1),
    )
    assert amendment.changes == {
        "amount": {"old": "300000.00", "new": "350000.00"},
        "payment_term_days": {"old": 30, "new": 45},
        "period_end": {"old": None, "new": "2026-12-31"},
    }
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.amount, stored.payment_term_days, stored.period_end, stored.version) == (
        Decimal("350000.00"),
        45,
        date(2026, 12, 31),
        1,
    )
    event = stored.events.latest("id")
    assert (event.kind, event.on, event.reason_code, event.reason) == (
        "amendment",
        date(2026, 2, 1),
        "price_adjustment",
        "第1次变更：增加工程量",
    )


@pytest.mark.django_db
def test_every_version_is_kept(world):
    contract = h.performing(world)
    _amend(world, contract, date(2026, 2, 1), {"amount": "350000.00"})
    _amend(world, contract, date(2026, 2, 1), {"amount": "360000.00", "title": "办公家具采购合同（二次变更）"})
    contract = Contract.objects.get(pk=contract.pk)
    # rebuilt from the amendments …
    assert [(v["amount"], v["title"]) for v in versions(contract)] == [
        (Decimal("300000.00"), "办公家具采购合同"),
        (Decimal("350000.00"), "办公家具采购合同"),
        (Decimal("360000.00"), "办公家具采购合同（二次变更）"),
    ]
    # … and in the row's history
    amounts = [r.amount for r in contract.history.order_by("history_date", "history_id")]
    assert amounts[-3:] == [Decimal("300000.00"), Decimal("350000.00"), Decimal("360000.00")]


@pytest.mark.django_db
def test_an_amendment_dated_before_signing_is_refused(world):
    contract = h.performing(world)
    with pytest.raises(ValidationFailed) as caught:
        _amend(world, contract, date(2026, 1, 4), {"amount": "350000.00"})
    assert (caught.value.code, list(caught.value.fields)) == ("before_signing", ["signed_on"])
    assert Amendment.objects.count() == 0
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("300000.00")


@pytest.mark.django_db
def test_an_amendment_dated_before_the_previous_one_is_refused(world):
    contract = h.performing(world)
    _amend(world, contract, date(2026, 3, 1), {"amount": "350000.00"})
    with pytest.raises(ValidationFailed) as caught:
        _amend(world, contract, date(2026, 2, 28), {"amount": "360000.00"})
    assert caught.value.code == "before_previous_amendment"
    assert caught.value.fields == {"signed_on": ["变更签订日期2026-02-28早于上一次变更（第1次，2026-03-01）"]}
    assert Amendment.objects.count() == 1
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("350000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({}, "changes", "required"),
        ({"sme_declared": False}, "changes.sme_declared", "not_amendable"),
        ({"counterparty": 3}, "changes.counterparty", "not_amendable"),
        ({"amount": "300000.00"}, "changes.amount", "unchanged"),
        ({"amount": "1.001"}, "changes.amount", "amount_too_precise"),
        ({"amount": 1.5}, "changes.amount", "amount_float"),
        ({"payment_term_days": 0}, "changes.payment_term_days", "invalid"),
        ({"period_end": "2026-13-01"}, "changes.period_end", "invalid_date"),
        ({"agreed_late_rate": "120"}, "changes.agreed_late_rate", "invalid_rate"),
        ({"period_start": "2026-06-01", "period_end": "2026-05-01"}, "changes.period_end", "invalid_range"),
    ],
)
def test_bad_changes_are_refused_naming_the_field(world, changes, field, code):
    contract = h.performing(world)
    with pytest.raises(ValidationFailed) as caught:
        _amend(world, contract, date(2026, 2, 1), changes)
    assert (list(caught.value.fields), caught.value.code) == ([field], code)
    assert Amendment.objects.count() == 0
    assert Contract.objects.get(pk=contract.pk).version == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "legality_review", "completed", "terminated"])
def test_only_a_contract_in_force_is_amended(world, status):
    contract = h.in_state(world, status)
    with pytest.raises(IllegalTransition) as caught:
        _amend(world, contract, date(2026, 7, 1), {"amount": "350000.00"})
    assert caught.value.code == "not_amendable"


@pytest.mark.django_db
def test_an_amendment_on_the_signing_day_or_the_previous_amendments_day_is_accepted(world):
    # given a contract signed 2026-01-05
    contract = h.performing(world)
    # when amended on the signing day, then again the same day
    first = _amend(world, contract, h.SIGNED, {"amount": "310000.00"})
    second = _amend(world, contract, h.SIGNED, {"amount": "320000.00"})
    # then both stand, numbered in order
    assert [(a.number, a.signed_on) for a in (first, second)] == [(1, h.SIGNED), (2, h.SIGNED)]
    assert Contract.objects.get(pk=contract.pk).version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "rationale", "field", "error"),
    [
        ("bogus", "增加工程量", "rationale_code", "invalid_choice"),
        ("price_adjustment", "  ", "rationale", "required"),
    ],
)
def test_an_amendment_needs_a_rationale_code_and_text(world, code, rationale, field, error):
    contract = h.performing(world)
    with pytest.raises(ValidationFailed) as caught:
        amendment_create(
            actor=world.staff_a,
            contract=contract,
            rationale_code=code,
            rationale=rationale,
            signed_on=date(2026, 2, 1),
            changes={"amount": "350000.00"},
        )
    assert (list(caught.value.fields), caught.value.code) == ([field], error)
    assert Amendment.objects.count() == 0
    assert Contract.objects.get(pk=contract.pk).version == 0


@pytest.mark.django_db
def test_a_future_amendment_is_refused(world):
    contract = h.performing(world)
    with pytest.raises(ValidationFailed) as caught:
        _amend(world, contract, date(2099, 1, 1), {"amount": "350000.00"})
    assert (list(caught.value.fields), caught.value.code) == (["signed_on"], "future_date")
    assert Amendment.objects.count() == 0


@pytest.mark.django_db
def test_every_version_is_in_the_contracts_history_over_http(world, api):
    # given a contract amended twice, through the API
    contract = h.performing(world)
    url = reverse("contract-amendments", kwargs={"pk": contract.pk})
    for signed_on, changes in (
        ("2026-02-01", {"amount": "350000.00", "payment_term_days": 45}),
        ("2026-03-01", {"amount": "360000.00", "period_end": "2026-12-31"}),
    ):
        body = {
            "rationale_code": "price_adjustment",
            "rationale": "增加数量",
            "signed_on": signed_on,
            "changes": changes,
        }
        assert api(world.staff_a).post(url, body, format="json").status_code == 201
    # when the amendments and the contract's history are read
    amendments = api(world.auditor).get(url).json()
    history = api(world.auditor).get(reverse("contract-history", kwargs={"pk": contract.pk})).json()
    # then each amendment is kept with what it changed …
    assert [(a["number"], a["signed_on"], a["changes"]) for a in amendments] == [
        (
            1,
            "2026-02-01",
            {"amount": {"old": "300000.00", "new": "350000.00"}, "payment_term_days": {"old": 30, "new": 45}},
        ),
        (
            2,
            "2026-03-01",
            {"amount": {"old": "350000.00", "new": "360000.00"}, "period_end": {"old": None, "new": "2026-12-31"}},
        ),
    ]
    # … and every version of the contract row is in its history, field by field
    amended = [
        sorted((c["field"], c["old"], c["new"]) for c in entry["changes"] if c["field"] != "updated_at")
        for entry in history
        if any(c["field"] == "version" for c in entry["changes"]) and entry["type"] == "changed"
    ]
    assert amended == [
        [
            ("amount", "300000.00", "350000.00"),
            ("payment_term_days", "30", "45"),
            ("version", "0", "1"),
        ],
        [
            ("amount", "350000.00", "360000.00"),
            ("period_end", None, "2026-12-31"),
            ("version", "1", "2"),
        ],
    ]
