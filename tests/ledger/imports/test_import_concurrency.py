"""Concurrent imports of one file on PostgreSQL never duplicate (style.md: real concurrency).

Real threads, each with its own connection, import the same file at once. Pass 2 locks the
agency row (FOR NO KEY UPDATE) before it looks the natural keys up, so the imports apply one
after the other and the later ones find every row already there; the unique constraint on
(debtor agency, 台账编号) is the last line.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ledger.models import ImportJob, ImportStatus, LedgerEntry, Obligation
from tests.ledger.imports.helpers import OBLIGATION_HEADERS, obligation_row, run, xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _file(world) -> bytes:
    rows = [OBLIGATION_HEADERS] + [obligation_row(world.enterprise_1, f"C-{i}") for i in range(20)]
    payments = [["台账编号", "付款日期", "金额（元）"]] + [[f"C-{i}", "2026-02-01", "1000"] for i in range(20)]
    return xlsx({"给付义务": rows, "付款记录": payments})


def _race(world, data, threads: int, *, in_request: bool):
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait()
            if in_request:  # as under ATOMIC_REQUESTS: the import's transaction is a savepoint
                with transaction.atomic():
                    job = run(world.staff_a, "obligations", data)
            else:
                job = run(world.staff_a, "obligations", data)
            outcome = f"{job.status}:{job.rows_created}"
        except Exception as exc:  # noqa: BLE001  (shown in the assertion, never swallowed)
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sorted(outcomes)


@pytest.mark.parametrize("in_request", [False, True], ids=["command", "request"])
def test_concurrent_imports_of_one_file_never_duplicate(world, in_request):
    # given one file of 20 obligations, each with one payment
    data = _file(world)
    # when four imports of it race
    outcomes = _race(world, data, 4, in_request=in_request)
    # then one created the 40 rows and the others found them all
    assert outcomes == [f"{ImportStatus.IMPORTED}:0"] * 3 + [f"{ImportStatus.IMPORTED}:40"]
    assert Obligation.objects.count() == 20
    assert LedgerEntry.objects.count() == 20
    assert sum(o.principal_paid for o in Obligation.objects.all()) == Decimal("20000.00")
    assert ImportJob.objects.count() == 4
