"""Credit repair (令第36号; SPEC R9, R10): only the determining authority repairs (谁认定谁修复),
only after the minimum period, with the obligation performed and a recorded credit commitment."""

from datetime import date

import pytest
from django.urls import reverse

from credit.models import DishonestyRecord, RecordEvent, RecordStatus
from credit.services import records as svc
from ledger.errors import PermissionDenied, ValidationFailed
from tests.credit.builders import authority, bring_to, ready_for_repair

S = RecordStatus
MIN_END = date(2026, 9, 15)  # 一般, determined 2026-06-15


def _repair(world, record, by, on):
    return svc.record_repair(actor=world.credit_officer, record=record, on=on, reason="准予修复", on_behalf_of=by)


def _unchanged(record):
    fresh = DishonestyRecord.objects.get(pk=record.pk)
    assert (fresh.status, fresh.closed_on) == (S.DETERMINED, None)
    assert not RecordEvent.objects.filter(record=record, action="repair").exists()


@pytest.mark.django_db
def test_repair_with_every_condition_met(world, windows):
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by)
    ready_for_repair(world, record)
    record = _repair(world, record, by, date(2026, 9, 16))
    assert (record.status, record.closed_on) == (S.REPAIRED, date(2026, 9, 16))
    event = record.events.latest("id")
    assert event.detail == {"on_behalf_of": by.pk, "on_behalf_of_name": by.name}


@pytest.mark.django_db
def test_only_the_determining_authority_repairs(world, windows):
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by)
    ready_for_repair(world, record)
    with pytest.raises(PermissionDenied) as exc:
        _repair(world, record, world.agency_b, date(2026, 9, 16))
    assert exc.value.status == 403
    assert exc.value.code == "not_determining_authority"
    assert list(exc.value.fields) == ["on_behalf_of"]
    _unchanged(record)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "performed", "committed", "reasons"),
    [
        (MIN_END, True, True, ["最短公示期尚未届满（2026-09-15届满）"]),
        (date(2026, 9, 16), False, True, ["失信行为尚未纠正、法定义务尚未履行完毕"]),
        (date(2026, 9, 16), True, False, ["尚未作出公开信用承诺"]),
        (
            date(2026, 7, 1),
            False,
            False,
            ["最短公示期尚未届满（2026-09-15届满）", "失信行为尚未纠正、法定义务尚未履行完毕", "尚未作出公开信用承诺"],
        ),
    ],
)
def test_repair_conditions(world, windows, on, performed, committed, reasons):
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by)
    if performed:
        svc.record_performance_record(
            actor=world.credit_officer, record=record, performed_on=date(2026, 7, 1), note="已付"
        )
    if committed:
        svc.record_commitment_record(
            actor=world.credit_officer, record=record, committed_on=date(2026, 7, 2), text="承诺"
        )
    with pytest.raises(ValidationFailed) as exc:
        _repair(world, record, by, on)
    assert exc.value.code == "repair_conditions_unmet"
    assert exc.value.fields == {"on": reasons}
    _unchanged(record)


@pytest.mark.django_db
def test_performance_and_commitment_dated_after_the_repair_do_not_count(world, windows):
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by)
    ready_for_repair(world, record, performed_on=date(2026, 10, 1), committed_on=date(2026, 10, 2))
    with pytest.raises(ValidationFailed) as exc:
        _repair(world, record, by, date(2026, 9, 20))
    assert exc.value.fields == {"on": ["失信行为尚未纠正、法定义务尚未履行完毕", "尚未作出公开信用承诺"]}
    assert _repair(world, record, by, date(2026, 10, 2)).status == S.REPAIRED


@pytest.mark.django_db
def test_a_commitment_needs_text_and_cannot_predate_the_determination(world, windows):
    record = bring_to(world, S.DETERMINED)
    with pytest.raises(ValidationFailed) as exc:
        svc.record_commitment_record(
            actor=world.credit_officer, record=record, committed_on=date(2026, 6, 1), text="承诺"
        )
    assert list(exc.value.fields) == ["committed_on"]
    with pytest.raises(ValidationFailed) as exc:
        svc.record_commitment_record(actor=world.credit_officer, record=record, committed_on=date(2026, 7, 1), text=" ")
    assert list(exc.value.fields) == ["text"]
    record.refresh_from_db()
    assert (record.commitment_on, record.commitment_text) == (None, "")


@pytest.mark.django_db
def test_repair_through_the_api(world, windows, api):
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by)
    client = api(world.credit_officer)
    base = reverse("credit-record-detail", args=[record.pk])
    r = client.post(base + "performance/", {"performed_on": "2026-07-01", "note": "已付清"}, format="json")
    assert r.status_code == 200, r.content
    r = client.post(base + "commitment/", {"committed_on": "2026-07-02", "text": "承诺依法履约"}, format="json")
    assert r.status_code == 200
    shown = client.get(base, {"as_of": "2026-09-15"}).json()["publication"]
    assert shown["repair_blockers"] == ["最短公示期尚未届满（2026-09-15届满）"]
    assert client.get(base, {"as_of": "2026-09-16"}).json()["publication"]["repair_blockers"] == []
    wrong = client.post(
        base + "repair/", {"on": "2026-09-16", "reason": "修复", "on_behalf_of": world.agency_b.pk}, format="json"
    )
    assert wrong.status_code == 403
    assert wrong.json()["fields"] == {"on_behalf_of": [f"应为认定单位“{by.name}”"]}
    early = client.post(base + "repair/", {"on": "2026-09-15", "reason": "修复", "on_behalf_of": by.pk}, format="json")
    assert early.status_code == 400
    assert early.json()["fields"] == {"on": ["最短公示期尚未届满（2026-09-15届满）"]}
    ok = client.post(base + "repair/", {"on": "2026-09-16", "reason": "修复", "on_behalf_of": by.pk}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["closed_on"]) == ("repaired", "2026-09-16")


@pytest.mark.django_db
def test_performance_is_read_from_the_source_where_it_tells(world, windows):
    # given a candidate proposed from an unperformed court decision, then determined (一般, 2026-06-15)
    from credit.services.records import candidates_propose
    from ledger.services.oversight import decision_confirm_performance
    from tests.credit.test_candidates import decision

    source = decision(world)  # deadline 2026-04-01
    (proposed,) = candidates_propose(actor=None, as_of=date(2026, 4, 2)).created
    by = authority()
    record = bring_to(world, S.DETERMINED, by=by, record=proposed)
    svc.record_commitment_record(actor=world.credit_officer, record=record, committed_on=date(2026, 7, 2), text="承诺")
    with pytest.raises(ValidationFailed) as exc:
        _repair(world, record, by, date(2026, 9, 16))
    assert exc.value.fields == {"on": ["失信行为尚未纠正、法定义务尚未履行完毕"]}
    # when the supervisor confirms the decision performed on 2026-07-01 (a fact of the source)
    decision_confirm_performance(actor=world.supervisor, decision=source, performed_on=date(2026, 7, 1))
    record = DishonestyRecord.objects.get(pk=record.pk)
    # then repair needs no performance entered by hand
    assert (record.performed_on, _repair(world, record, by, date(2026, 9, 16)).status) == (None, S.REPAIRED)
