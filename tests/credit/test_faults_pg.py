"""Faults in the middle of an export batch (issue #10): a dropped connection or a killed process
leaves no batch, no rows and no used sequence number, and the next batch is complete."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models.signals import post_save

from credit.models import ExportBatch, ExportRow, ExportSequence, RecordStatus
from credit.services import exports
from tests.credit.builders import authority, bring_to

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


def _nothing_sent():
    assert ExportBatch.objects.count() == 0
    assert ExportRow.objects.count() == 0
    # the sequence row is created and advanced inside the batch's transaction: no number was used
    assert list(ExportSequence.objects.filter(last_sequence__gt=0)) == []


def _next_batch_is_complete(records):
    batch = exports.export_batch_create(actor=None, as_of=AS_OF)
    assert (batch.sequence, batch.row_count) == (1, len(records))
    assert sorted(ExportRow.objects.values_list("record_id", flat=True)) == sorted(r.pk for r in records)


def test_a_dropped_connection_mid_batch_leaves_no_batch_and_no_used_number(world, windows):
    by = authority()
    records = [bring_to(world, RecordStatus.DETERMINED, by=by) for _ in range(6)]
    saved = []

    def drop_on_the_third(sender, instance, created, **kwargs):
        saved.append(instance.pk)
        if len(saved) == 3:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    post_save.connect(drop_on_the_third, sender=ExportRow)
    try:
        with pytest.raises(OperationalError):
            exports.export_batch_create(actor=world.credit_officer, as_of=AS_OF)
    finally:
        post_save.disconnect(drop_on_the_third, sender=ExportRow)
        connection.close()
    assert len(saved) == 3
    _nothing_sent()
    _next_batch_is_complete(records)


def _sessions(app_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name])
        return cursor.fetchone()[0]


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
        time.sleep(0.002)


def test_the_batch_process_killed_mid_batch_leaves_nothing_and_the_next_batch_is_complete(world, windows):
    by = authority()
    records = [bring_to(world, RecordStatus.DETERMINED, by=by) for _ in range(8)]
    db = settings.DATABASES["default"]
    app_name = f"ledger-batch-fault-{os.getpid()}"
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PGAPPNAME=app_name,
    )
    cmd = [sys.executable, "manage.py", "export_credit_batch", "--date", AS_OF.isoformat()]
    held = _TableHeld("credit_exportrow")  # the batch row is written, its rows wait: mid-batch
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed argv
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        # killed while its transaction holds the sequence and the batch row, waiting to write lines
        _wait_for(lambda: _blocked(app_name) or process.poll() is not None, "the batch to be mid-write")
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        held.release()
    _wait_for(lambda: _sessions(app_name) == 0, "PostgreSQL to end the dead session")
    assert process.returncode == -signal.SIGKILL
    _nothing_sent()
    _next_batch_is_complete(records)
