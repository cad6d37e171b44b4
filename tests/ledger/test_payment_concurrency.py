"""Concurrent payments on one obligation never overshoot its principal (SPEC R3; style.md Money).

Real threads, each with its own PostgreSQL connection, race ``payment_record``: the row lock
(select_for_update) applies them one after another, so the later ones see what the earlier ones
paid and are refused as overpayments; the CheckConstraint principal_paid <= principal is the
last line.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from ledger.errors import ValidationFailed
from ledger.models import LedgerEntry, Obligation, Outcome
from ledger.services.obligations import payment_record
from tests.ledger.obligation_helpers import contract_obligation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(world, obligation, amounts):
    barrier = threading.Barrier(len(amounts))
    results: list[str] = []
    lock = threading.Lock()

    def pay(amount):
        try:
            barrier.wait()
            payment_record(
                actor=world.staff_a, obligation=obligation, kind="payment", on=date(2026, 5, 1), amount=amount
            )
            outcome = "ok"
        except ValidationFailed as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001  (shown in the assertion, never swallowed)
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=pay, args=(a,)) for a in amounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_racing_payments_never_overshoot_the_principal(world):
    # given 80,000.00 owed under the contract regime (no interest)
    obligation = contract_obligation(world)
    # when ten payments of 15,000.00 race each other
    results = _race(world, obligation, ["15000.00"] * 10)
    # then exactly five fit (75,000.00) and the other five are refused
    assert results == ["ok"] * 5 + ["overpayment"] * 5
    obligation = Obligation.objects.get(pk=obligation.pk)
    assert obligation.principal_paid == Decimal("75000.00")
    assert obligation.fully_paid_on is None
    assert LedgerEntry.objects.filter(obligation=obligation).count() == 5
    assert sum(e.amount for e in LedgerEntry.objects.filter(obligation=obligation)) == Decimal("75000.00")


def test_racing_payments_that_exactly_pay_off_settle_once(world):
    obligation = contract_obligation(world)
    results = _race(world, obligation, ["20000.00"] * 6)
    assert results == ["ok"] * 4 + ["overpayment"] * 2
    obligation = Obligation.objects.get(pk=obligation.pk)
    assert (obligation.principal_paid, obligation.fully_paid_on) == (Decimal("80000.00"), date(2026, 5, 1))
    assert (obligation.outcome, obligation.outcome_on) == (Outcome.PAID, date(2026, 5, 1))
    assert obligation.history.filter(outcome=Outcome.PAID).count() == 1
