"""Faults in the middle of an export batch (issue #10): a dropped connection or a killed process
leaves no batch, no rows and no used sequence number, and the next batch is complete."""

import signal
from datetime import date

import pytest
from django.db import OperationalError, connection
from django.db.models.signals import post_save

from credit.models import ExportBatch, ExportRow, ExportSequence, RecordStatus
from credit.services import exports
from tests.credit.builders import authority, bring_to
from tests.pg_faults import drop_this_connection, kill_mid_write

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

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
            drop_this_connection()

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


def test_the_batch_process_killed_mid_batch_leaves_nothing_and_the_next_batch_is_complete(world, windows):
    by = authority()
    records = [bring_to(world, RecordStatus.DETERMINED, by=by) for _ in range(8)]
    # when it is killed while its transaction holds the sequence and the batch row, waiting to write lines
    code = kill_mid_write(["export_credit_batch", "--date", AS_OF.isoformat()], blocked_at="credit_exportrow")
    assert code == -signal.SIGKILL
    _nothing_sent()
    _next_batch_is_complete(records)
