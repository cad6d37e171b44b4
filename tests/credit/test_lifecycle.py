"""The record lifecycle (SPEC R9): the whole transition matrix, and what every step records."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from credit.models import RECORD_TRANSITIONS, DishonestyRecord, RecordEvent, RecordStatus
from credit.services import records as svc
from ledger.errors import IllegalTransition, PermissionDenied, ValidationFailed
from tests.credit.builders import BASIS, DETERMINED_ON, authority, bring_to, candidate, ready_for_repair
from tests.factories import AgencyFactory

S = RecordStatus
LATER = date(2029, 6, 1)  # after every date a path uses: past any deadline, minimum and maximum


def _move(world, record, to, by):
    officer = world.credit_officer
    common = {"actor": officer, "record": record, "on": LATER, "reason": "矩阵测试"}
    if to == S.VERIFIED:
        return svc.record_verify(**common)
    if to == S.RECTIFICATION_ORDERED:
        return svc.record_order_rectification(**common, deadline=LATER + timedelta(days=30))
    if to == S.RECTIFIED:
        return svc.record_mark_rectified(**common)
    if to == S.DETERMINED:
        return svc.record_determine(**common, severity="一般", determining_authority=by, basis="测试依据")
    if to == S.REPAIRED:
        return svc.record_repair(**common, on_behalf_of=by)
    if to == S.EXPIRED:
        return svc.record_expire(**common)
    if to == S.REVOKED:
        return svc.record_revoke(**common)
    if to == S.DISMISSED:
        return svc.record_dismiss(**common)
    raise AssertionError(to)


MATRIX = [
    pytest.param(src, dst, dst in RECORD_TRANSITIONS[src], id=f"{src}->{dst}")
    for src in S.values
    for dst in S.values
    if dst != S.CANDIDATE  # a record is only ever created as a candidate
]


def test_the_table_is_the_lifecycle_of_spec_r9():
    # SPEC R9: candidate → verified → rectification ordered → rectified (closed, no record) |
    # determined → repaired | expired | revoked; dismissed at any step before determination.
    assert dict(RECORD_TRANSITIONS) == {
        S.CANDIDATE: {S.VERIFIED, S.DISMISSED},
        S.VERIFIED: {S.RECTIFICATION_ORDERED, S.DISMISSED},
        S.RECTIFICATION_ORDERED: {S.RECTIFIED, S.DETERMINED, S.DISMISSED},
        S.RECTIFIED: set(),
        S.DETERMINED: {S.REPAIRED, S.EXPIRED, S.REVOKED},
        S.REPAIRED: set(),
        S.EXPIRED: set(),
        S.REVOKED: set(),
        S.DISMISSED: set(),
    }


def test_nothing_moves_back_to_candidate_and_every_state_is_in_the_table():
    assert set(RECORD_TRANSITIONS) == set(S.values)
    assert all(S.CANDIDATE not in targets for targets in RECORD_TRANSITIONS.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst", "allowed"), MATRIX)
def test_transition_matrix(world, windows, src, dst, allowed):
    # given a record in src, reached by the lawful path
    by = authority()
    record = bring_to(world, src, by=by)
    if src == S.DETERMINED:
        ready_for_repair(world, record)  # so that only the table decides a repair
    events_before = RecordEvent.objects.filter(record=record).count()
    # when a credit officer moves it to dst
    if allowed:
        moved = _move(world, record, dst, by)
        # then it moved, and the step is recorded with actor, date and reason
        assert DishonestyRecord.objects.get(pk=record.pk).status == dst == moved.status
        event = RecordEvent.objects.filter(record=record).latest("id")
        assert (event.from_status, event.to_status, event.on, event.reason) == (src, dst, LATER, "矩阵测试")
        assert event.actor == world.credit_officer
    else:
        with pytest.raises(IllegalTransition) as exc:
            _move(world, record, dst, by)
        # then 409, and nothing changed
        assert exc.value.status == 409
        assert DishonestyRecord.objects.get(pk=record.pk).status == src
        assert RecordEvent.objects.filter(record=record).count() == events_before


@pytest.mark.django_db
def test_a_step_without_a_reason_is_refused_and_writes_nothing(world, windows):
    record = candidate(world)
    with pytest.raises(ValidationFailed) as exc:
        svc.record_verify(actor=world.credit_officer, record=record, on=date(2026, 4, 2), reason="  ")
    assert exc.value.fields == {"reason": ["每一步办理都须写明理由"]}
    record.refresh_from_db()
    assert record.status == S.CANDIDATE
    assert RecordEvent.objects.filter(record=record).count() == 1  # the proposal only


@pytest.mark.django_db
def test_a_step_dated_before_the_previous_one_is_refused(world, windows):
    record = bring_to(world, S.VERIFIED)  # verified 2026-04-03
    with pytest.raises(ValidationFailed) as exc:
        svc.record_order_rectification(
            actor=world.credit_officer, record=record, on=date(2026, 4, 2), deadline=date(2026, 5, 2), reason="整改"
        )
    assert list(exc.value.fields) == ["on"]
    record.refresh_from_db()
    assert record.status == S.VERIFIED


@pytest.mark.django_db
def test_determination_waits_for_the_rectification_deadline(world, windows):
    record = bring_to(world, S.RECTIFICATION_ORDERED)  # deadline 2026-05-07
    with pytest.raises(ValidationFailed) as exc:
        svc.record_determine(
            actor=world.credit_officer,
            record=record,
            on=date(2026, 5, 7),
            reason="未整改",
            severity="一般",
            determining_authority=authority(),
            basis="依据",
        )
    assert exc.value.code == "rectification_pending"
    record.refresh_from_db()
    assert (record.status, record.determined_on) == (S.RECTIFICATION_ORDERED, None)


@pytest.mark.django_db
def test_only_credit_officers_act_even_through_the_services(world, windows):
    record = candidate(world)
    for user in (world.supervisor, world.administrator, world.staff_a, world.auditor):
        with pytest.raises(PermissionDenied):
            svc.record_verify(actor=user, record=record, on=date(2026, 4, 2), reason="核实")
    record.refresh_from_db()
    assert record.status == S.CANDIDATE


@pytest.mark.django_db
def test_every_step_is_in_the_history_with_its_user(world, windows):
    record = bring_to(world, S.DETERMINED)
    statuses = [h.status for h in record.history.order_by("history_date", "history_id")]
    assert statuses == [S.CANDIDATE, S.VERIFIED, S.RECTIFICATION_ORDERED, S.DETERMINED]
    assert {h.history_user_id for h in record.history.all()} == {world.credit_officer.pk}
    assert list(record.events.values_list("action", "on")) == [
        ("propose", date(2026, 4, 1)),
        ("verify", date(2026, 4, 3)),
        ("order_rectification", date(2026, 4, 7)),
        ("determine", DETERMINED_ON),
    ]


@pytest.mark.django_db
def test_a_correction_is_not_a_step_and_does_not_hold_back_later_steps(world, windows):
    record = bring_to(world, S.VERIFIED)  # verified 2026-04-03
    svc.record_correct(
        actor=world.credit_officer, record=record, on=date(2026, 11, 1), reason="更正", changes={"remarks": "补充"}
    )
    record = svc.record_order_rectification(
        actor=world.credit_officer, record=record, on=date(2026, 4, 7), deadline=date(2026, 5, 7), reason="整改"
    )
    assert record.status == S.RECTIFICATION_ORDERED
    correction = record.events.get(action="correct")
    assert (correction.from_status, correction.to_status) == (S.VERIFIED, S.VERIFIED)
    assert correction.detail == {"remarks": {"old": "", "new": "补充"}}


@pytest.mark.django_db
def test_the_record_shows_its_subject_category_and_its_source(world, windows, api):
    # given a record against an organ (USCC category 11) and one against a unit without a code
    record = bring_to(world, S.DETERMINED)
    unit = AgencyFactory(uscc=None, legal_personality=False, kind="其他")
    no_code = candidate(world, agency=unit)
    client = api(world.credit_officer)
    # when they are read through the API
    body = client.get(reverse("credit-record-detail", args=[record.pk])).json()
    other = client.get(reverse("credit-record-detail", args=[no_code.pk])).json()
    # then the subject is shown with name, code and category (主体类别, as zwsx-1 exports it)
    assert (body["subject_name"], body["subject_uscc"], body["subject_category"]) == (
        world.agency_a.name,
        world.agency_a.uscc,
        "机关",
    )
    assert (other["subject_uscc"], other["subject_category"]) == ("", "其他")
    assert (body["kind"], body["kind_label"], body["severity"], body["amount"]) == (
        "arrears",
        "拖欠账款",
        "一般",
        "250000.00",
    )
    assert (body["determined_on"], body["determining_authority"], body["basis"]) == (
        "2026-06-15",
        record.determining_authority_id,
        BASIS,
    )
    assert (body["counterparty"], body["counterparty_name"]) == (world.enterprise_1.pk, world.enterprise_1.name)
    assert (body["rule"], body["source_type"], body["source_id"], body["source_label"]) == (
        "manual",
        None,
        None,
        "测试线索",
    )
