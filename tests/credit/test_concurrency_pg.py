"""Real concurrency on PostgreSQL: two batch requests at once never export a record twice or skip
one; two proposal runs at once never duplicate a candidate."""

import threading
import time
from datetime import date

import pytest
from django.db import connection

from credit.models import DishonestyRecord, ExportBatch, ExportRow, RecordStatus
from credit.services import exports
from credit.services.records import candidates_propose
from ledger import models as m
from tests.credit.builders import authority, bring_to
from tests.credit.test_candidates import decision


def run_together(fn, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # reported by the assertions below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_never_repeat_or_skip_a_record(world, windows, monkeypatch):
    by = authority()
    records = [bring_to(world, RecordStatus.DETERMINED, by=by) for _ in range(6)]
    real_render = exports._render

    def slow_render(*args, **kwargs):
        time.sleep(0.5)  # widen the window between reading the changes and writing the batch
        return real_render(*args, **kwargs)

    monkeypatch.setattr(exports, "_render", slow_render)
    results, errors = run_together(
        lambda: exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    )
    assert errors == []
    assert sorted(b.sequence for b in ExportBatch.objects.all()) == [1, 2]
    assert sorted(b.row_count for b in ExportBatch.objects.all()) == [0, 6]
    sent = list(ExportRow.objects.values_list("record_id", flat=True))
    assert sorted(sent) == sorted(r.pk for r in records)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_proposal_runs_at_once_never_duplicate(world, windows):
    for i in range(5):
        decision(world, case=f"（2026）皖1002行初{i + 10}号")
    results, errors = run_together(lambda: candidates_propose(actor=None, as_of=date(2026, 6, 1)))
    assert errors == []
    assert DishonestyRecord.objects.count() == 5
    assert sorted(len(r.created) for r in results) in ([0, 5], [1, 4], [2, 3])
    assert sum(len(r.created) for r in results) == 5
    assert m.Decision.objects.count() == 5
