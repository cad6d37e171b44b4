"""Faults in the middle of an import (issue #10): the database connection dropped, or the process
killed, leaves nothing half-done, and the next run completes correctly. PostgreSQL only: the
import's one transaction is what makes this true, and only a server notices a dead client."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models.signals import post_save

from ledger.models import ImportStatus, LedgerEntry, Obligation
from tests.ledger.imports.helpers import OBLIGATION_HEADERS, obligation_row, run, xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]


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
        if len(saved) == 5:  # the server ends this session, as a network cut or a restart would
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

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


def _gone(app_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name])
        return cursor.fetchone()[0] == 0


class _TableHeld:
    """Another session holds a SHARE lock on a table, so the process under test blocks, mid
    transaction, at its first write to it: the kill then lands in the middle, never after a commit."""

    def __init__(self, table: str):
        db = settings.DATABASES["default"]
        self.conn = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
        )
        self.conn.execute(f"LOCK TABLE {table} IN SHARE MODE")

    def release(self):
        self.conn.rollback()
        self.conn.close()


def _blocked(app_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'"
            " AND backend_xid IS NOT NULL",
            [app_name],
        )
        return cursor.fetchone()[0] == 1


def _wait_for(predicate, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def test_the_import_process_killed_mid_write_leaves_nothing_and_the_rerun_completes(world, tmp_path):
    # given a file of 60 obligations, imported by the command in a separate process
    n = 60
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_file(world, n))
    db = settings.DATABASES["default"]
    app_name = f"ledger-fault-{os.getpid()}"
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PGAPPNAME=app_name,
    )
    cmd = [sys.executable, "manage.py", "import_ledger", "--kind", "obligations", "--user", world.staff_a.username]
    held = _TableHeld("ledger_ledgerentry")  # its payments wait: obligations are written, not committed
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed argv
        [*cmd, str(path)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        # when it is killed while its transaction has written obligations and waits to write payments
        _wait_for(lambda: _blocked(app_name) or process.poll() is not None, "the import to be mid-write")
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        held.release()
    _wait_for(lambda: _gone(app_name), "PostgreSQL to end the dead session")
    # then nothing of it is in the database
    assert process.returncode == -signal.SIGKILL
    assert Obligation.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    # and the next run imports the whole file
    job = run(world.staff_a, "obligations", path.read_bytes())
    assert (job.status, job.rows_created) == (ImportStatus.IMPORTED, 2 * n)
    _assert_complete(n)

