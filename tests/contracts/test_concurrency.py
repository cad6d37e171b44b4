"""Real concurrency on PostgreSQL: the contract row lock serialises moves and amendments."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections

from contracts.models import Amendment, Contract, ContractEvent
from contracts.services import lifecycle
from contracts.services.amendments import amendment_create
from ledger.errors import IllegalTransition
from tests.contracts import helpers as h


def _race(*calls):
    """Run each call in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is the test's to judge
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_final_moves_one_wins(world):
    # given a performing contract
    contract = h.performing(world)
    # when it is completed and terminated at the same moment
    results = _race(
        lambda: lifecycle.contract_complete(actor=world.staff_a, contract=contract, on=date(2026, 6, 30)),
        lambda: lifecycle.contract_terminate(
            actor=world.staff_a, contract=contract, on=date(2026, 6, 30), reason_code="other", reason="并发"
        ),
    )
    # then exactly one move happened; the other is a 409
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], IllegalTransition), results
    final = Contract.objects.get(pk=contract.pk).status
    assert final in ("completed", "terminated")
    assert ContractEvent.objects.filter(contract=contract, from_status="performing").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_amendments_are_numbered_one_after_the_other(world):
    contract = h.performing(world)
    results = _race(
        *[
            (
                lambda amount=amount: amendment_create(
                    actor=world.staff_a,
                    contract=contract,
                    rationale_code="price_adjustment",
                    rationale="调整",
                    signed_on=date(2026, 2, 1),
                    changes={"amount": amount},
                )
            )
            for amount in ("310000.00", "320000.00", "330000.00")
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(Amendment.objects.filter(contract=contract).values_list("number", flat=True)) == [1, 2, 3]
    stored = Contract.objects.get(pk=contract.pk)
    assert stored.version == 3
    # each amendment's "old" is the previous one's "new": none was lost
    chain = [a.changes["amount"] for a in Amendment.objects.filter(contract=contract).order_by("number")]
    assert chain[0]["old"] == "300000.00"
    assert [c["old"] for c in chain[1:]] == [c["new"] for c in chain[:-1]]
    assert str(stored.amount) == chain[-1]["new"]
