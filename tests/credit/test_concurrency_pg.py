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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_after_a_previous_batch(world, windows, monkeypatch):
    # given batch 1 with three records, then a correction of one and three new determinations
    from credit.services import records as svc

    by = authority()
    sent = [bring_to(world, RecordStatus.DETERMINED, by=by) for _ in range(3)]
    exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    svc.record_correct(
        actor=world.credit_officer, record=sent[0], on=date(2026, 7, 1), reason="更正", changes={"remarks": "补充"}
    )
    new = [bring_to(world, RecordStatus.DETERMINED, by=by, on=date(2026, 7, 10)) for _ in range(3)]
    real_render = exports._render

    def slow_render(*args, **kwargs):
        time.sleep(0.5)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(exports, "_render", slow_render)
    # when two batches are requested at once
    results, errors = run_together(
        lambda: exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 7, 31))
    )
    # then one holds exactly the four changes, the other nothing, with the next two numbers
    assert errors == []
    later = ExportBatch.objects.filter(sequence__gt=1).order_by("sequence")
    assert [b.sequence for b in later] == [2, 3]
    assert sorted(b.row_count for b in later) == [0, 4]
    rows = sorted(ExportRow.objects.filter(batch__in=later).values_list("record_id", "operation"))
    assert rows == sorted([(sent[0].pk, "变更")] + [(r.pk, "新增") for r in new])
