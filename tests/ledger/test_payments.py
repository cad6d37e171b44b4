"""Payments (SPEC R3): allocation, running totals, reversals, overpayment, confirmation."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from ledger.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from ledger.models import AccessLog, ConfirmationStatus, LedgerEntry, Obligation, Outcome
from ledger.selectors.obligations import obligation_state
from ledger.services.obligations import obligation_close, payment_confirm, payment_record
from tests.ledger.obligation_helpers import contract_obligation, sme_obligation

pytestmark = pytest.mark.django_db


def _pay(world, obligation, amount, on, **kw):
    return payment_record(actor=world.staff_a, obligation=obligation, kind="payment", on=on, amount=amount, **kw)


def test_spec_example_by_article_561_interest_first(world):
    # given SPEC R3's obligation: 200,000.00 due 2026-05-06, 0.05 % a day
    obligation = sme_obligation(world)
    assert obligation.due_on == date(2026, 5, 6)
    # when 50,000.00 is paid on 2026-05-16
    entry = _pay(world, obligation, "50000.00", date(2026, 5, 16))
    # then 1,000.00 interest to that day is paid first, and as of 2026-06-05:
    state = obligation_state(Obligation.objects.get(pk=obligation.pk), date(2026, 6, 5))
    assert entry.allocation == "default"
    assert state.principal_outstanding == Decimal("151000.00")
    assert state.interest_accrued == Decimal("2510.00")
    assert state.interest_paid == Decimal("1000.00")
    assert state.interest_unpaid == Decimal("1510.00")
    obligation.refresh_from_db()
    assert obligation.principal_paid == Decimal("49000.00")
    assert obligation.fully_paid_on is None


def test_spec_example_with_a_recorded_principal_first_designation(world):
    obligation = sme_obligation(world)
    # when the payer designates principal first, with the designation on record
    _pay(world, obligation, "50000.00", date(2026, 5, 16), allocation="principal_first", basis="付款通知书指定冲抵本金")
    state = obligation_state(Obligation.objects.get(pk=obligation.pk), date(2026, 6, 5))
    assert state.principal_outstanding == Decimal("150000.00")
    assert state.interest_accrued == Decimal("2500.00")
    assert state.interest_unpaid == Decimal("2500.00")


def test_obligation_allocation_rule_applies_when_the_payment_names_none(world):
    obligation = sme_obligation(world, allocation_rule="principal_first", allocation_basis="合同第8条约定先本后息")
    entry = _pay(world, obligation, "50000.00", date(2026, 5, 16))
    assert (entry.allocation, entry.basis) == ("principal_first", "合同第8条约定先本后息")
    obligation.refresh_from_db()
    assert obligation.principal_paid == Decimal("50000.00")


def test_a_designation_without_a_basis_is_refused_and_nothing_written(world):
    obligation = sme_obligation(world)
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, "50000.00", date(2026, 5, 16), allocation="principal_first")
    assert exc.value.fields == {"basis": ["须填写抵充顺序的约定或指定依据"]}
    assert LedgerEntry.objects.count() == 0


def test_payment_above_outstanding_is_refused_and_nothing_written(world):
    # given 200,000.00 principal and 1,000.00 interest due on 2026-05-16
    obligation = sme_obligation(world)
    # when 201,000.01 is paid that day
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, "201000.01", date(2026, 5, 16))
    # then it is refused as an overpayment and nothing changed
    assert exc.value.code == "overpayment"
    assert list(exc.value.fields) == ["amount"]
    assert LedgerEntry.objects.count() == 0
    obligation.refresh_from_db()
    assert obligation.principal_paid == Decimal("0.00")


def test_paying_principal_and_interest_exactly_settles_the_obligation(world):
    obligation = sme_obligation(world)
    _pay(world, obligation, "201000.00", date(2026, 5, 16))
    obligation.refresh_from_db()
    assert obligation.principal_paid == Decimal("200000.00")
    assert obligation.fully_paid_on == date(2026, 5, 16)
    assert (obligation.outcome, obligation.outcome_on) == (Outcome.PAID, date(2026, 5, 16))


def test_principal_paid_with_interest_outstanding_is_not_settled(world):
    obligation = sme_obligation(world)
    _pay(world, obligation, "200000.00", date(2026, 5, 16), allocation="principal_first", basis="指定先本")
    obligation.refresh_from_db()
    assert obligation.fully_paid_on == date(2026, 5, 16)
    assert obligation.outcome == Outcome.OPEN
    # then the interest is paid and the obligation settles
    payment_record(
        actor=world.staff_a, obligation=obligation, kind="interest_payment", on=date(2026, 5, 20), amount="1000.00"
    )
    obligation.refresh_from_db()
    assert (obligation.outcome, obligation.outcome_on) == (Outcome.PAID, date(2026, 5, 20))


def test_a_reversal_removes_the_payment_and_reopens_the_obligation(world):
    obligation = sme_obligation(world)
    entry = _pay(world, obligation, "201000.00", date(2026, 5, 16))
    reversal = payment_record(
        actor=world.staff_a,
        obligation=obligation,
        kind="reversal",
        on=date(2026, 5, 16),
        reverses=entry,
        basis="银行退票",
    )
    assert (reversal.amount, reversal.reverses_id) == (Decimal("201000.00"), entry.pk)
    obligation.refresh_from_db()
    assert (obligation.principal_paid, obligation.fully_paid_on) == (Decimal("0.00"), None)
    assert (obligation.outcome, obligation.outcome_on) == (Outcome.OPEN, None)
    state = obligation_state(obligation, date(2026, 6, 5))
    assert state.interest_accrued == Decimal("3000.00")  # 200,000 × 0.05 % × 30 days


def test_a_reversal_must_repeat_the_date_and_cannot_be_repeated(world):
    obligation = sme_obligation(world)
    entry = _pay(world, obligation, "1000.00", date(2026, 5, 16))
    with pytest.raises(ValidationFailed) as exc:
        payment_record(
            actor=world.staff_a,
            obligation=obligation,
            kind="reversal",
            on=date(2026, 5, 17),
            reverses=entry,
            basis="错",
        )
    assert exc.value.code == "reversal_mismatch"
    payment_record(
        actor=world.staff_a, obligation=obligation, kind="reversal", on=date(2026, 5, 16), reverses=entry, basis="错"
    )
    with pytest.raises(ValidationFailed) as exc:
        payment_record(
            actor=world.staff_a,
            obligation=obligation,
            kind="reversal",
            on=date(2026, 5, 16),
            reverses=entry,
            basis="错",
        )
    assert exc.value.code == "reversal_duplicate"
    assert LedgerEntry.objects.count() == 2


def test_a_backdated_payment_that_makes_a_later_one_an_overpayment_is_refused(world):
    obligation = contract_obligation(world)  # 80,000.00, no interest
    _pay(world, obligation, "80000.00", date(2026, 5, 1))
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, "0.01", date(2026, 4, 1))
    assert exc.value.code == "overpayment"
    assert LedgerEntry.objects.count() == 1


def test_interest_cannot_be_paid_or_waived_without_statutory_interest(world):
    obligation = contract_obligation(world)
    with pytest.raises(ValidationFailed) as exc:
        payment_record(
            actor=world.staff_a,
            obligation=obligation,
            kind="interest_waiver",
            on=date(2026, 5, 1),
            amount="1.00",
            basis="企业书面同意",
        )
    assert exc.value.code == "interest_not_borne"
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1.00", "amount_not_positive"),
        ("0.001", "amount_too_precise"),
        ("0", "amount_not_positive"),
        ("abc", "amount_invalid"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(world, amount, code):
    obligation = contract_obligation(world)
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, amount, date(2026, 5, 1))
    assert exc.value.code == code
    assert list(exc.value.fields) == ["amount"]
    assert LedgerEntry.objects.count() == 0


def test_no_payment_before_the_obligation_arose_or_in_the_future(world):
    obligation = contract_obligation(world)
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, "1.00", date(2026, 3, 1))
    assert exc.value.code == "before_arising"
    with pytest.raises(ValidationFailed) as exc:
        _pay(world, obligation, "1.00", date(2999, 1, 1))
    assert exc.value.code == "future_date"


def test_closed_obligation_takes_no_payment(world):
    obligation = contract_obligation(world)
    obligation_close(
        actor=world.staff_a, obligation=obligation, outcome="written_off", on=date(2026, 6, 1), basis="法院裁定终结"
    )
    with pytest.raises(Conflict) as exc:
        _pay(world, obligation, "1.00", date(2026, 6, 2))
    assert exc.value.code == "obligation_closed"


def test_cancelling_an_obligation_with_payments_is_refused(world):
    obligation = contract_obligation(world)
    _pay(world, obligation, "1.00", date(2026, 5, 1))
    with pytest.raises(Conflict) as exc:
        obligation_close(
            actor=world.staff_a, obligation=obligation, outcome="cancelled", on=date(2026, 6, 1), basis="误录"
        )
    assert exc.value.code == "has_payments"
    obligation.refresh_from_db()
    assert obligation.outcome == Outcome.OPEN


def test_closing_twice_is_an_illegal_transition(world):
    obligation = contract_obligation(world)
    obligation_close(actor=world.staff_a, obligation=obligation, outcome="cancelled", on=date(2026, 6, 1), basis="误录")
    with pytest.raises(IllegalTransition):
        obligation_close(
            actor=world.staff_a, obligation=obligation, outcome="written_off", on=date(2026, 6, 1), basis="核销"
        )


def test_creditor_confirms_then_cannot_object(world):
    obligation = contract_obligation(world)
    entry = _pay(world, obligation, "1000.00", date(2026, 5, 1))
    confirmed = payment_confirm(
        actor=world.enterprise_user_1, obligation=obligation, entry_id=entry.pk, objection=False
    )
    assert confirmed.confirmation == ConfirmationStatus.CONFIRMED
    with pytest.raises(IllegalTransition):
        payment_confirm(
            actor=world.enterprise_user_1, obligation=obligation, entry_id=entry.pk, objection=True, note="未到账"
        )


def test_objection_can_be_withdrawn_by_confirming(world):
    obligation = contract_obligation(world)
    entry = _pay(world, obligation, "1000.00", date(2026, 5, 1))
    objected = payment_confirm(
        actor=world.enterprise_user_1, obligation=obligation, entry_id=entry.pk, objection=True, note="未到账"
    )
    assert (objected.confirmation, objected.confirmation_note) == (ConfirmationStatus.OBJECTED, "未到账")
    confirmed = payment_confirm(
        actor=world.enterprise_user_1, obligation=obligation, entry_id=entry.pk, objection=False
    )
    assert confirmed.confirmation == ConfirmationStatus.CONFIRMED


def test_another_enterprise_cannot_confirm(world):
    obligation = contract_obligation(world)
    entry = _pay(world, obligation, "1000.00", date(2026, 5, 1))
    with pytest.raises(NotFound):
        payment_confirm(actor=world.enterprise_user_2, obligation=obligation, entry_id=entry.pk, objection=False)
    entry.refresh_from_db()
    assert entry.confirmation == ConfirmationStatus.PENDING


def test_the_largest_admitted_amount_survives_the_database_to_the_fen(world):
    # 13 integer digits + 2 decimals = 15 significant digits: exact even where SQLite keeps doubles
    obligation = contract_obligation(world, principal="9999999999999.99")
    _pay(world, obligation, "9999999999999.98", date(2026, 3, 10))
    obligation.refresh_from_db()
    assert obligation.principal == Decimal("9999999999999.99")
    assert obligation.principal_paid == Decimal("9999999999999.98")
    state = obligation_state(obligation, date(2026, 3, 10))
    assert state.principal_outstanding == Decimal("0.01")


def test_an_amount_beyond_13_integer_digits_is_refused_not_rounded(world):
    with pytest.raises(ValidationFailed) as caught:
        contract_obligation(world, principal="12345678901234.56")
    assert caught.value.fields == {"principal": ["金额整数部分超过13位（以元计）"]}
    assert Obligation.objects.count() == 0


def test_refresh_entry_states_fills_what_was_written_outside_the_service(world):
    # given a payment whose stored state was lost (as if written by a SQL script)
    obligation = sme_obligation(world)
    entry = _pay(world, obligation, "50000.00", date(2026, 5, 26))
    LedgerEntry.objects.filter(pk=entry.pk).update(
        after_principal_outstanding=None, after_balance_days=None, after_interest_paid=None
    )
    out = io.StringIO()
    call_command("refresh_entry_states", stdout=out)
    # then the state is the rule's: 2,000.00 of interest first (20 days at 0.05 %), the rest principal
    entry.refresh_from_db()
    assert (entry.after_principal_outstanding, entry.after_balance_days, entry.after_interest_paid) == (
        Decimal("152000.00"),
        Decimal("4000000.00"),
        Decimal("2000.00"),
    )
    assert out.getvalue() == "已补算1项给付义务的付款与利息记录状态\n"
    # and a second run has nothing to do; both runs are logged
    call_command("refresh_entry_states", stdout=io.StringIO())
    logs = AccessLog.objects.filter(action="refresh_entry_states").order_by("id")
    assert [log.detail for log in logs] == [{"obligations": 1}, {"obligations": 0}]


# --- closing stops the clock (selectors.obligations.money_date) -------------------------------------
def _money(obligation, as_of):
    """The state walked over the entries and the state read from the stored entry states."""
    from ledger.selectors.obligations import with_stored_state

    walked = obligation_state(Obligation.objects.get(pk=obligation.pk), as_of)
    stored = obligation_state(with_stored_state(Obligation.objects.filter(pk=obligation.pk), as_of).get(), as_of)
    assert walked == stored
    return walked


def test_a_write_off_stops_interest_and_the_days_overdue_on_its_date(world):
    # SPEC R3's 200,000.00 due 2026-05-06 at 0.05 % a day; 50,000 paid 5-16 (1,000 interest first)
    obligation = sme_obligation(world)
    _pay(world, obligation, "50000.00", date(2026, 5, 16))
    obligation_close(
        actor=world.staff_a, obligation=obligation, outcome="written_off", on=date(2026, 6, 5), basis="法院裁定终结"
    )
    for as_of in (date(2026, 6, 5), date(2026, 11, 26), date(2031, 2, 28)):
        state = _money(obligation, as_of)
        # to 6-05 only: 30 days overdue; 1,000 + 20 days × 151,000 × 0.0005 = 2,510.00 accrued
        assert (state.days_overdue, state.principal_outstanding) == (30, Decimal("151000.00"))
        assert (state.interest_accrued, state.interest_unpaid) == (Decimal("2510.00"), Decimal("1510.00"))
    # the day before the write-off it was an open debt still running
    assert _money(obligation, date(2026, 6, 4)).days_overdue == 29


def test_a_cancelled_obligation_owed_nothing_even_after_its_due_date(world):
    obligation = sme_obligation(world)
    obligation_close(actor=world.staff_a, obligation=obligation, outcome="cancelled", on=date(2026, 6, 5), basis="误录")
    state = _money(obligation, date(2026, 11, 26))
    assert (state.days_overdue, state.interest_accrued, state.principal_outstanding) == (
        0,
        Decimal("0.00"),
        Decimal("200000.00"),
    )
    # as of a day before the cancellation it was overdue, with its interest
    before = _money(obligation, date(2026, 6, 4))
    assert (before.days_overdue, before.interest_accrued) == (29, Decimal("2900.00"))


def test_closing_before_the_last_recorded_money_is_refused_and_changes_nothing(world):
    obligation = contract_obligation(world)
    _pay(world, obligation, "1.00", date(2026, 5, 1))
    with pytest.raises(ValidationFailed) as exc:
        obligation_close(
            actor=world.staff_a, obligation=obligation, outcome="written_off", on=date(2026, 4, 30), basis="核销"
        )
    assert (exc.value.code, exc.value.fields) == (
        "before_last_entry",
        {"on": ["日期早于最后一笔款项记录的日期（2026-05-01）"]},
    )
    obligation.refresh_from_db()
    assert (obligation.outcome, obligation.outcome_on) == (Outcome.OPEN, None)


def test_cancelling_after_an_interest_waiver_is_refused(world):
    obligation = sme_obligation(world)
    payment_record(
        actor=world.staff_a, obligation=obligation, kind="interest_waiver", on=date(2026, 6, 1), amount="10.00",
        basis="企业书面同意减免",
    )  # fmt: skip
    with pytest.raises(Conflict) as exc:
        obligation_close(
            actor=world.staff_a, obligation=obligation, outcome="cancelled", on=date(2026, 6, 2), basis="误录"
        )
    assert exc.value.code == "has_payments"
    obligation.refresh_from_db()
    assert obligation.outcome == Outcome.OPEN
