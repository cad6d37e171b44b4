"""Demo data: records in every state and two consecutive demo batches, idempotent, never sent."""

import json
from datetime import date

import jsonschema
import pytest

from credit import demo, zwsx
from credit.models import DishonestyRecord, ExportBatch, ExportRow, RecordEvent, RecordStatus
from credit.services import exports
from ledger.demo import parties as demo_parties
from seeds.loader import load_agencies


@pytest.fixture
def demo_world(db):
    load_agencies()
    demo_parties.load()
    demo.load()


def n(i: int) -> str:
    return f"ZWSX-DEMO-{i:04d}"


def ops(batch):
    return [(r.record.number, r.operation) for r in batch.rows.select_related("record").order_by("line")]


@pytest.mark.django_db
def test_demo_records_in_every_state_and_two_consecutive_batches(demo_world):
    assert set(DishonestyRecord.objects.values_list("status", flat=True)) == set(RecordStatus.values)
    assert not DishonestyRecord.objects.filter(is_demo=False).exists()
    first, second = ExportBatch.objects.order_by("sequence")
    assert [(b.sequence, b.is_demo, b.as_of) for b in (first, second)] == [
        (1, True, date(2026, 6, 30)),
        (2, True, date(2026, 9, 30)),
    ]
    assert ops(first) == [(n(6), "新增"), (n(8), "新增"), (n(9), "新增"), (n(10), "新增"), (n(11), "新增")]
    assert [(row.record.number, row.result.accepted) for row in first.rows.select_related("record", "result")] == [
        (n(6), False),
        (n(8), True),
        (n(9), True),
        (n(10), True),
        (n(11), True),
    ]
    # the rejected row (corrected), a newly determined one, a correction, a repair, an expiry, a revocation
    assert ops(second) == [
        (n(6), "新增"),
        (n(8), "撤销"),
        (n(9), "撤销"),
        (n(10), "变更"),
        (n(11), "撤销"),
        (n(7), "新增"),
    ]
    manifest = json.loads(bytes(second.manifest_bytes))
    assert (manifest["demo"], manifest["note"]) == (True, "演示批次：仅含演示数据，不得报送信用平台")
    validator = jsonschema.Draft202012Validator(zwsx.load_schema())
    for batch in (first, second):
        assert list(validator.iter_errors(json.loads(bytes(batch.json_bytes)))) == []
    # the flagged one: 轻微, past its maximum (2026-08-06), unperformed
    from credit.selectors import flagged_records

    assert [r.number for r in flagged_records(date(2026, 9, 30))] == [n(10)]


@pytest.mark.django_db
def test_demo_load_is_idempotent(demo_world):
    counts = (
        DishonestyRecord.objects.count(),
        RecordEvent.objects.count(),
        ExportBatch.objects.count(),
        ExportRow.objects.count(),
        DishonestyRecord.history.count(),
    )
    demo.load()
    assert counts == (
        DishonestyRecord.objects.count(),
        RecordEvent.objects.count(),
        ExportBatch.objects.count(),
        ExportRow.objects.count(),
        DishonestyRecord.history.count(),
    )


@pytest.mark.django_db
def test_demo_records_never_leave_in_a_live_batch(demo_world):
    live = exports.export_batch_create(actor=None, as_of=date(2026, 10, 1))
    assert (live.is_demo, live.sequence, live.row_count) == (False, 1, 0)
