"""Faults in the middle of an import (issue #10): the database connection dropped, or the process
killed, leaves nothing half-done, and the next run completes correctly. PostgreSQL only: the
import's one transaction is what makes this true, and only a server notices a dead client."""

import signal
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.db.models.signals import post_save

from ledger.models import ImportStatus, LedgerEntry, Obligation
from tests.ledger.imports.helpers import OBLIGATION_HEADERS, obligation_row, run, xlsx
from tests.pg_faults import drop_this_connection, kill_mid_write

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _file(world, n: int) -> bytes:
    rows = [OBLIGATION_HEADERS] + [obligation_row(world.enterprise_1, f"F-{i:04d}") for i in range(n)]
    payments = [["台账编号", "付款日期", "金额（元）"]] + [[f"F-{i:04d}", "2026-02-01", "1000"] for i in range(n)]
    return xlsx({"给付义务": rows, "付款记录": payments})


def _assert_complete(n: int) -> None:
    assert Obligation.objects.count() == n
    assert LedgerEntry.objects.count() == n
    assert sum(o.principal_paid for o in Obligation.objects.all()) == Decimal(1000 * n)


def test_a_dropped_connection_mid_import_writes_nothing_and_the_rerun_completes(world):
    data = _file(world, 12)
    saved = []

    def drop_on_the_fifth(sender, instance, created, **kwargs):
        saved.append(instance.pk)
        if len(saved) == 5:
            drop_this_connection()

    post_save.connect(drop_on_the_fifth, sender=Obligation)
    try:
        with pytest.raises(OperationalError):
            run(world.staff_a, "obligations", data)
    finally:
        post_save.disconnect(drop_on_the_fifth, sender=Obligation)
        connection.close()
    # then the five rows written before the drop are gone with their transaction
    assert len(saved) == 5
    assert Obligation.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    # and the same file imports completely
    job = run(world.staff_a, "obligations", data)
    assert (job.status, job.rows_created) == (ImportStatus.IMPORTED, 24)
    _assert_complete(12)


def test_the_import_process_killed_mid_write_leaves_nothing_and_the_rerun_completes(world, tmp_path):
    # given a file of 60 obligations, imported by the command in a separate process
    n = 60
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_file(world, n))
    # when it is killed while its transaction has written obligations and waits to write payments
    code = kill_mid_write(
        ["import_ledger", "--kind", "obligations", "--user", world.staff_a.username, str(path)],
        blocked_at="ledger_ledgerentry",
    )
    # then nothing of it is in the database
    assert code == -signal.SIGKILL
    assert Obligation.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    # and the next run imports the whole file
    job = run(world.staff_a, "obligations", path.read_bytes())
    assert (job.status, job.rows_created) == (ImportStatus.IMPORTED, 2 * n)
    _assert_complete(n)
