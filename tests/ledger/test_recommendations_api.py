"""The recommendations API (检察建议 / 公益诉讼诉前检察建议 / 司法建议): R6 deadlines through the API,
live states as of a date, replies, objections, verdicts, escalations, R7 rates — with bad input
refused (400, nothing written), illegal moves refused (409), and another agency's rows hidden (404)."""

from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import clock
from ledger.models import (
    RECOMMENDATION_TRANSITIONS,
    Escalation,
    ObjectionOutcome,
    Recommendation,
    RecommendationKind,
    RecommendationObjection,
    RecommendationReply,
    RecommendationStatus,
)
from ledger.rules import recommendations as rules
from ledger.rules.calendar import data_years
from ledger.rules.recommendations import ReplyState, reply_state
from ledger.selectors.oversight import reply_state_sql
from ledger.services import oversight as svc
from tests.owned_objects import recommendation_for

pytestmark = pytest.mark.django_db

URL = "/api/recommendations/"
beyond_data_2027 = pytest.mark.skipif(data_years()[1] >= 2027, reason="chinesecalendar now covers 2027")


# --- an independent reading of R6 with chinese_calendar ---------------------------------------
def _add_months(d: date, months: int) -> date:
    y, m0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m0 + 1, min(d.day, pycal.monthrange(y, m0 + 1)[1]))


def _official_end(raw: date) -> tuple[date, date | None]:
    """民法典 arts. 201–203 with chinese_calendar directly: roll past non-working days."""
    end = raw
    while not chinese_calendar.is_workday(end):
        end += timedelta(days=1)
    return end, (raw if end != raw else None)


def _body(world, **overrides):
    body = {
        "kind": "procuratorial",
        "issuer": "屯溪区人民检察院",
        "doc_number": "屯检建〔2026〕1号",
        "title": "规范行政执法程序",
        "recipient": world.agency_a.pk,
        "served_on": "2026-03-02",
    }
    body.update(overrides)
    return body


def _record(world, **overrides) -> Recommendation:
    fields = {
        "actor": world.supervisor,
        "kind": "procuratorial",
        "issuer": "屯溪区人民检察院",
        "doc_number": f"屯检建〔2026〕{Recommendation.objects.count() + 100}号",
        "title": "测试建议",
        "recipient": world.agency_a,
        "served_on": date(2026, 3, 2),
    }
    fields.update(overrides)
    return svc.recommendation_record(**fields)


# --- R6 through the API: table-driven, verified against chinese_calendar ------------------------
R6_OFFICIAL = [
    # (label, kind, served_on, urgent, stated, raw period end)
    (
        "month end Dec 31 → Feb 28, a make-up Saturday",
        "procuratorial",
        date(2025, 12, 31),
        False,
        {},
        date(2026, 2, 28),
    ),
    (
        "month end Aug 31 + 1 month → Sep 30",
        "judicial",
        date(2026, 8, 31),
        False,
        {"stated_months": 1},
        date(2026, 9, 30),
    ),
    ("month end Jun 30 + 2 months → Sun Aug 30", "judicial", date(2026, 6, 30), False, {}, date(2026, 8, 30)),
    ("leap year: Dec 31 → Feb 29 2024", "public_interest", date(2023, 12, 31), False, {}, date(2024, 2, 29)),
    (
        "leap day + 12 months → Feb 28 2025",
        "judicial",
        date(2024, 2, 29),
        False,
        {"stated_months": 12},
        date(2025, 2, 28),
    ),
    ("Spring Festival 2026 → Tue Feb 24", "public_interest", date(2025, 12, 16), False, {}, date(2026, 2, 16)),
    ("Spring Festival 2024 → make-up Sunday Feb 18", "procuratorial", date(2023, 12, 10), False, {}, date(2024, 2, 10)),
    ("urgent PIL 15 days into Spring Festival", "public_interest", date(2026, 2, 1), True, {}, date(2026, 2, 16)),
    ("National Day 2026 → Thu Oct 8", "judicial", date(2026, 8, 1), False, {}, date(2026, 10, 1)),
    ("National Day + Mid-Autumn 2025 → Oct 9", "procuratorial", date(2025, 8, 1), False, {}, date(2025, 10, 1)),
    ("urgent PIL 15 days into National Day", "public_interest", date(2026, 9, 16), True, {}, date(2026, 10, 1)),
    (
        "make-up Saturday Feb 14 2026 is a working day",
        "public_interest",
        date(2026, 1, 30),
        True,
        {},
        date(2026, 2, 14),
    ),
    (
        "make-up Sunday Sep 28 2025 is a working day",
        "judicial",
        date(2025, 9, 13),
        False,
        {"stated_days": 15},
        date(2025, 9, 28),
    ),
    ("stated 30 days on a make-up day", "judicial", date(2026, 1, 15), False, {"stated_days": 30}, date(2026, 2, 14)),
    (
        "urgent only shortens 公益诉讼: 检察建议 keeps 2 months",
        "procuratorial",
        date(2026, 4, 10),
        True,
        {},
        date(2026, 6, 10),
    ),
    ("ordinary weekend roll", "public_interest", date(2026, 11, 20), True, {}, date(2026, 12, 5)),
]


@pytest.mark.parametrize(
    ("kind", "served_on", "urgent", "stated", "raw_end"),
    [pytest.param(*row[1:], id=row[0]) for row in R6_OFFICIAL],
)
def test_r6_deadline_through_the_api_matches_chinese_calendar(world, api, kind, served_on, urgent, stated, raw_end):
    # given the period as the law reads it (checked here, independently of the app)
    months = stated.get("stated_months")
    days = stated.get("stated_days")
    if days is None and months is None:
        if urgent and kind == "public_interest":
            days = 15
        else:
            months = 2
    assert raw_end == (served_on + timedelta(days=days) if days else _add_months(served_on, months))
    expected, rolled_from = _official_end(raw_end)
    # when a supervisor records it
    body = _body(world, kind=kind, served_on=served_on.isoformat(), urgent=urgent, **stated)
    response = api(world.supervisor).post(URL, body, format="json")
    # then the stored deadline is the official one, not provisional, with the calendar named
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["deadline"] == expected.isoformat()
    assert out["deadline_rolled_from"] == (rolled_from.isoformat() if rolled_from else None)
    assert out["deadline_provisional"] is False
    assert out["calendar_version"].startswith(f"chinesecalendar-{chinese_calendar.__version__};")
    assert Recommendation.objects.get(pk=out["id"]).deadline == expected


def test_r6_table_covers_the_dates_that_bite():
    # the table exercises the rolls it claims to (a guard against a table of easy dates)
    rolled = {label for label, *_rest, raw in R6_OFFICIAL if _official_end(raw)[1] is not None}
    assert "Spring Festival 2024 → make-up Sunday Feb 18" in rolled
    assert _official_end(date(2024, 2, 10))[0] == date(2024, 2, 18)
    assert chinese_calendar.is_workday(date(2024, 2, 18)) and date(2024, 2, 18).weekday() == 6
    assert _official_end(date(2026, 2, 16))[0] == date(2026, 2, 24)
    assert _official_end(date(2026, 10, 1))[0] == date(2026, 10, 8)
    assert _official_end(date(2025, 10, 1))[0] == date(2025, 10, 9)
    assert _official_end(date(2026, 2, 14)) == (date(2026, 2, 14), None)


@beyond_data_2027
@pytest.mark.parametrize(
    ("kind", "served_on", "urgent", "expected", "rolled_from"),
    [
        # 元旦 2027 (Fri) by the statutory fallback, weekend after: Mon Jan 4, provisional
        pytest.param("procuratorial", date(2026, 11, 1), False, date(2027, 1, 4), date(2027, 1, 1), id="new-year-2027"),
        pytest.param("public_interest", date(2026, 11, 20), False, date(2027, 1, 20), None, id="plain-2027-day"),
        pytest.param("judicial", date(2026, 11, 25), False, date(2027, 1, 25), None, id="monday-2027"),
    ],
)
def test_r6_deadline_beyond_the_calendar_data_is_provisional(
    world, api, kind, served_on, urgent, expected, rolled_from
):
    # given a deadline the package has no data for
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(expected)
    # when recorded
    body = _body(world, kind=kind, served_on=served_on.isoformat(), urgent=urgent)
    out = api(world.supervisor).post(URL, body, format="json").json()
    # then the fallback's date is stored, marked provisional, and said so in the basis
    assert out["deadline"] == expected.isoformat()
    assert out["deadline_provisional"] is True
    assert out["deadline_rolled_from"] == (rolled_from.isoformat() if rolled_from else None)
    assert "暂定" in out["deadline_basis"]


def test_recorded_recommendation_reads_back_with_its_basis_and_live_state(world, api):
    # given a 检察建议 served Mon 2026-03-02: two months end on Sat 05-02, inside the Labour Day break
    created = api(world.supervisor).post(URL, _body(world), format="json")
    assert created.status_code == 201, created.json()
    rec_id = created.json()["id"]
    # when the recipient's staff read it on two dates
    client = api(world.staff_a)
    before = client.get(f"{URL}{rec_id}/", {"as_of": "2026-05-06"}).json()
    after = client.get(f"{URL}{rec_id}/", {"as_of": "2026-05-07"}).json()
    # then
    assert before["deadline"] == "2026-05-06"
    assert before["deadline_rolled_from"] == "2026-05-02"
    assert before["deadline_basis"] == (
        "建议书未载明期限，自收到之日起两个月内书面回复（《人民检察院检察建议工作规定》（2019））；"
        "期间最后一日2026-05-02为休息日，顺延至2026-05-06（民法典第二百零三条）"
    )
    assert (before["state"], before["state_label"], before["status"]) == ("pending", "办理中", "served")
    assert (after["state"], after["state_label"]) == ("overdue_unreplied", "逾期未回复")
    assert after["escalation_status"] == {
        "status": "to_escalate",
        "status_label": "待报送上级（5个工作日内）",
        "due_by": "2026-05-12",  # May 7, 8, 9 (make-up Saturday), 11, 12
        "escalation": None,
    }
    assert before["region_code"] == world.agency_a.region_code


# --- bad input: 400 naming the field, nothing written ---------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "advice"}, "kind"),
        ({"stated_days": 0}, "stated_days"),
        ({"stated_months": -1}, "stated_months"),
        ({"stated_days": 10, "stated_months": 1}, "stated_days"),
        ({"served_on": "2026-02-30"}, "served_on"),
        ({"served_on": (clock.today() + timedelta(days=400)).isoformat()}, "served_on"),
        ({"recipient": 999999}, "recipient"),
        ({"doc_number": ""}, "doc_number"),
        ({"issuer": "   "}, "issuer"),
    ],
)
def test_record_refuses_bad_input_naming_the_field(world, api, overrides, field):
    # when
    response = api(world.supervisor).post(URL, _body(world, **overrides), format="json")
    # then
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Recommendation.objects.count() == 0
    assert Recommendation.history.count() == 0


def test_record_refuses_a_duplicate_doc_number(world, api):
    client = api(world.supervisor)
    assert client.post(URL, _body(world), format="json").status_code == 201
    response = client.post(URL, _body(world, recipient=world.agency_b.pk), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["doc_number"]
    assert Recommendation.objects.count() == 1


@pytest.mark.parametrize("role", ["staff_a", "auditor", "administrator", "enterprise_user_1"])
def test_only_supervisors_record_recommendations(world, api, role):
    response = api(getattr(world, role)).post(URL, _body(world), format="json")
    assert response.status_code == 403
    assert Recommendation.objects.count() == 0


# --- reply ------------------------------------------------------------------------------------
def test_recipient_replies_on_time_and_late(world, api):
    # given two recommendations served 2026-03-02 (deadline 2026-05-06)
    on_time, late = _record(world), _record(world)
    client = api(world.staff_a)
    # when the recipient replies on the deadline day and one day after it
    r1 = client.post(
        f"{URL}{on_time.pk}/reply/",
        {"replied_on": "2026-05-06", "summary": "已整改", "evidence": "整改报告"},
        format="json",
    )
    r2 = client.post(f"{URL}{late.pk}/reply/", {"replied_on": "2026-05-07", "summary": "已整改"}, format="json")
    # then
    assert r1.status_code == 201, r1.json()
    assert (r1.json()["status"], r1.json()["state"]) == ("replied", "replied_on_time")
    assert r1.json()["reply"] == {
        "replied_on": "2026-05-06",
        "summary": "已整改",
        "evidence": "整改报告",
        "replied_by": world.staff_a.username,
    }
    assert r2.json()["state"] == "replied_late"
    # a reply dated after as_of is not known as of then
    assert client.get(f"{URL}{late.pk}/", {"as_of": "2026-05-06"}).json()["state"] == "pending"
    assert client.get(f"{URL}{late.pk}/", {"as_of": "2026-05-07"}).json()["state"] == "replied_late"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"replied_on": "2026-03-01", "summary": "已整改"}, "replied_on"),  # before service
        ({"replied_on": (clock.today() + timedelta(days=1)).isoformat(), "summary": "已整改"}, "replied_on"),
        ({"replied_on": "2026-04-01", "summary": ""}, "summary"),
        ({"summary": "已整改"}, "replied_on"),
    ],
)
def test_reply_refuses_bad_input_and_writes_nothing(world, api, body, field):
    # given
    rec = _record(world)
    history = rec.history.count()
    # when
    response = api(world.staff_a).post(f"{URL}{rec.pk}/reply/", body, format="json")
    # then
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    rec.refresh_from_db()
    assert (rec.status, rec.replied_on) == ("served", None)
    assert RecommendationReply.objects.count() == 0
    assert rec.history.count() == history


def test_another_agency_cannot_see_or_reply(world, api):
    # given agency A's recommendation
    rec = _record(world)
    client = api(world.staff_b)
    # then for agency B's staff it does not exist
    assert client.get(f"{URL}{rec.pk}/").status_code == 404
    response = client.post(f"{URL}{rec.pk}/reply/", {"replied_on": "2026-04-01", "summary": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(URL).json()["count"] == 0
    assert api(world.enterprise_user_1).get(URL).json()["count"] == 0
    rec.refresh_from_db()
    assert rec.status == "served"


def test_a_supervisor_cannot_reply_for_the_agency(world, api):
    rec = _record(world)
    response = api(world.supervisor).post(
        f"{URL}{rec.pk}/reply/", {"replied_on": "2026-04-01", "summary": "x"}, format="json"
    )
    assert response.status_code == 403
    assert RecommendationReply.objects.count() == 0


# --- verdict: supervisors only; a recipient never grades itself ---------------------------------
def test_supervisor_gives_the_rectification_verdict(world, api):
    rec = _record(world)
    svc.recommendation_reply(actor=world.staff_a, recommendation=rec, replied_on=date(2026, 4, 20), summary="已整改")
    response = api(world.supervisor).post(
        f"{URL}{rec.pk}/verdict/",
        {"rectification": "partly", "verdict_on": "2026-05-10", "note": "仍有两项未落实"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    out = response.json()
    assert (out["status"], out["rectification"], out["rectification_label"]) == ("assessed", "partly", "部分整改")
    assert (out["verdict_on"], out["verdict_note"]) == ("2026-05-10", "仍有两项未落实")


def test_recipient_cannot_mark_its_own_recommendation_rectified(world, api):
    rec = _record(world)
    svc.recommendation_reply(actor=world.staff_a, recommendation=rec, replied_on=date(2026, 4, 20), summary="已整改")
    response = api(world.staff_a).post(
        f"{URL}{rec.pk}/verdict/", {"rectification": "fully", "verdict_on": "2026-05-10"}, format="json"
    )
    assert response.status_code == 403
    rec.refresh_from_db()
    assert (rec.status, rec.rectification) == ("replied", "")


def test_verdict_other_than_fully_needs_reasons(world, api):
    rec = _record(world)
    svc.recommendation_reply(actor=world.staff_a, recommendation=rec, replied_on=date(2026, 4, 20), summary="已整改")
    response = api(world.supervisor).post(
        f"{URL}{rec.pk}/verdict/", {"rectification": "not", "verdict_on": "2026-05-10"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["note"]
    rec.refresh_from_db()
    assert rec.status == "replied"


# --- objections ---------------------------------------------------------------------------------
def _objected(world) -> Recommendation:
    rec = _record(world)  # served 2026-03-02, deadline 2026-05-06
    svc.recommendation_object(
        actor=world.staff_a, recommendation=rec, filed_on=date(2026, 3, 10), grounds="不属本单位职责"
    )
    return rec


def test_objection_upheld_revises_with_a_new_served_date_and_keeps_the_old_one(world, api):
    # given an objection filed by the recipient
    rec = _objected(world)
    # when the supervisor records that it was upheld and the revised text served on 2026-03-23
    response = api(world.supervisor).post(
        f"{URL}{rec.pk}/objection-ruling/",
        {"outcome": "upheld", "ruled_on": "2026-03-20", "reasons": "异议成立", "revised_served_on": "2026-03-23"},
        format="json",
    )
    # then the deadline is recomputed from the new date: Sat 05-23 rolls to Mon 05-25
    assert response.status_code == 200, response.json()
    out = response.json()
    expected, rolled_from = _official_end(date(2026, 5, 23))
    assert (expected, rolled_from) == (date(2026, 5, 25), date(2026, 5, 23))
    assert (out["status"], out["served_on"], out["deadline"], out["revision"]) == (
        "served",
        "2026-03-23",
        "2026-05-25",
        1,
    )
    # and the old served date and deadline are kept, on the objection and in history
    [objection] = out["objections"]
    assert objection["outcome"] == "upheld"
    assert (objection["served_before"], objection["deadline_before"]) == ("2026-03-02", "2026-05-06")
    assert (objection["revised_served_on"], objection["revised_deadline"]) == ("2026-03-23", "2026-05-25")
    served_changes = [
        c
        for entry in api(world.auditor).get(f"{URL}{rec.pk}/history/").json()
        for c in entry["changes"]
        if c["field"] == "served_on"
    ]
    assert served_changes[-1] == {"field": "served_on", "old": "2026-03-02", "new": "2026-03-23"}
    # as of the old deadline's next day it is still pending
    assert api(world.staff_a).get(f"{URL}{rec.pk}/", {"as_of": "2026-05-07"}).json()["state"] == "pending"


def test_objection_rejected_leaves_the_deadline(world, api):
    rec = _objected(world)
    response = api(world.supervisor).post(
        f"{URL}{rec.pk}/objection-ruling/",
        {"outcome": "rejected", "ruled_on": "2026-03-20", "reasons": "理由不成立"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    out = response.json()
    assert (out["status"], out["served_on"], out["deadline"], out["revision"]) == (
        "served",
        "2026-03-02",
        "2026-05-06",
        0,
    )
    assert out["objections"][0]["outcome"] == "rejected"
    assert out["objections"][0]["revised_deadline"] is None
    # the same text cannot be objected to again
    again = api(world.staff_a).post(
        f"{URL}{rec.pk}/object/", {"filed_on": "2026-03-25", "grounds": "再次异议"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "objection_already_ruled"
    assert RecommendationObjection.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "upheld", "ruled_on": "2026-03-20", "reasons": "成立"}, "revised_served_on"),
        (
            {"outcome": "upheld", "ruled_on": "2026-03-20", "reasons": "成立", "revised_served_on": "2026-03-19"},
            "revised_served_on",
        ),
        (
            {"outcome": "upheld", "ruled_on": "2026-03-05", "reasons": "成立", "revised_served_on": "2026-03-23"},
            "ruled_on",
        ),
        (
            {"outcome": "rejected", "ruled_on": "2026-03-20", "reasons": "不成立", "revised_served_on": "2026-03-23"},
            "revised_served_on",
        ),
        ({"outcome": "withdrawn", "ruled_on": "2026-03-20", "reasons": "x"}, "outcome"),
        ({"outcome": "rejected", "ruled_on": "2026-03-20", "reasons": ""}, "reasons"),
    ],
)
def test_objection_ruling_refuses_bad_input_and_writes_nothing(world, api, body, field):
    rec = _objected(world)
    response = api(world.supervisor).post(f"{URL}{rec.pk}/objection-ruling/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    rec.refresh_from_db()
    assert (rec.status, rec.served_on, rec.deadline, rec.revision) == (
        "objected",
        date(2026, 3, 2),
        date(2026, 5, 6),
        0,
    )
    assert RecommendationObjection.objects.get().outcome == ObjectionOutcome.PENDING


# --- the transition matrix ------------------------------------------------------------------
ACTIONS = {
    # action: (who, body, status it moves to)
    "reply": ("staff_a", {"replied_on": "2026-04-20", "summary": "已整改"}, RecommendationStatus.REPLIED),
    "object": ("staff_a", {"filed_on": "2026-04-20", "grounds": "异议"}, RecommendationStatus.OBJECTED),
    "objection-ruling": (
        "supervisor",
        {"outcome": "rejected", "ruled_on": "2026-04-21", "reasons": "不成立"},
        RecommendationStatus.SERVED,
    ),
    "verdict": ("supervisor", {"rectification": "fully", "verdict_on": "2026-04-22"}, RecommendationStatus.ASSESSED),
}
ALLOWED = {
    ("served", "reply"),
    ("served", "object"),
    ("objected", "objection-ruling"),
    ("replied", "verdict"),
}


def _in_status(world, status: str) -> Recommendation:
    rec = _record(world)
    if status == "objected":
        svc.recommendation_object(actor=world.staff_a, recommendation=rec, filed_on=date(2026, 3, 5), grounds="x")
    if status in ("replied", "assessed"):
        svc.recommendation_reply(actor=world.staff_a, recommendation=rec, replied_on=date(2026, 3, 5), summary="x")
    if status == "assessed":
        svc.recommendation_give_verdict(
            actor=world.supervisor, recommendation=rec, rectification="fully", verdict_on=date(2026, 3, 6)
        )
    rec.refresh_from_db()
    assert rec.status == status
    return rec


def test_allowed_moves_are_the_transition_table():
    from_table = {
        (src, name)
        for src, targets in RECOMMENDATION_TRANSITIONS.items()
        for name, (_, _, to) in ACTIONS.items()
        if to in targets
    }
    assert from_table == ALLOWED


@pytest.mark.parametrize("status", [s.value for s in RecommendationStatus])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(world, api, status, action):
    # given a recommendation in `status`
    rec = _in_status(world, status)
    who, body, to = ACTIONS[action]
    history = rec.history.count()
    # when the action is attempted by the role entitled to it
    response = api(getattr(world, who)).post(f"{URL}{rec.pk}/{action}/", body, format="json")
    rec.refresh_from_db()
    # then it moves exactly when the table allows it, else 409 and nothing changes
    if (status, action) in ALLOWED:
        assert response.status_code in (200, 201), response.json()
        assert rec.status == to
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] in ("illegal_transition", "objection_already_ruled")
        assert rec.status == status
        assert rec.history.count() == history


# --- live state: Python and SQL agree ----------------------------------------------------------
STATE_TABLE = [
    # (deadline, replied_on, as_of)
    (date(2026, 3, 16), None, date(2026, 3, 1)),
    (date(2026, 3, 16), None, date(2026, 3, 16)),
    (date(2026, 3, 16), None, date(2026, 3, 17)),
    (date(2026, 3, 16), date(2026, 3, 16), date(2026, 4, 1)),
    (date(2026, 3, 16), date(2026, 3, 2), date(2026, 3, 2)),
    (date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 17)),
    (date(2026, 3, 16), date(2026, 5, 1), date(2026, 6, 1)),
    (date(2026, 3, 16), date(2026, 3, 10), date(2026, 3, 5)),
    (date(2026, 3, 16), date(2026, 3, 20), date(2026, 3, 18)),
]


def test_live_state_in_sql_agrees_with_the_rule(world):
    # given one recommendation per row
    rows = []
    for deadline, replied_on, as_of in STATE_TABLE:
        status = RecommendationStatus.REPLIED if replied_on else RecommendationStatus.SERVED
        rec = recommendation_for(world, deadline=deadline, replied_on=replied_on, status=status)
        rows.append((rec.pk, deadline, replied_on, as_of))
    # then for each as-of date the SQL expression and the rule give the same state for every row
    for as_of in {r[3] for r in rows}:
        sql = dict(Recommendation.objects.annotate(s=reply_state_sql(as_of)).values_list("pk", "s"))
        for pk, deadline, replied_on, _ in rows:
            assert sql[pk] == reply_state(deadline=deadline, replied_on=replied_on, as_of=as_of).value


def test_list_filters_on_the_live_state(world, api):
    overdue = recommendation_for(world, deadline=date(2026, 3, 16))
    recommendation_for(world, deadline=date(2026, 4, 16))
    response = api(world.staff_a).get(URL, {"as_of": "2026-04-01", "state": "overdue_unreplied"})
    assert [r["id"] for r in response.json()["results"]] == [overdue.pk]
    bad = api(world.staff_a).get(URL, {"state": "late"})
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["state"]
    assert api(world.staff_a).get(URL, {"as_of": "2026-13-01"}).json()["fields"] == {
        "as_of": ["日期格式应为 YYYY-MM-DD"]
    }


def test_list_query_count_does_not_grow_with_rows(world, api):
    client = api(world.supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"as_of": "2026-06-01"}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        rec = _objected(world)
        svc.recommendation_rule_objection(
            actor=world.supervisor,
            recommendation=rec,
            outcome="rejected",
            ruled_on=date(2026, 3, 12),
            reasons="不成立",
        )
    small = queries()
    for _ in range(4):
        rec = _record(world)
        svc.recommendation_reply(actor=world.staff_a, recommendation=rec, replied_on=date(2026, 3, 5), summary="x")
    svc.escalations_create_due(as_of=date(2026, 6, 1))
    assert queries() == small


# --- escalation ------------------------------------------------------------------------------------
def test_escalation_records_are_created_within_five_working_days_and_only_once(world, api):
    # given a recommendation to agency A, whose superior is agency B, due Wed 2026-09-30 and unreplied
    world.agency_a.parent = world.agency_b
    world.agency_a.save()
    rec = _record(world, served_on=date(2026, 7, 30))
    assert rec.deadline == date(2026, 9, 30)
    # when the daily run goes on the first day after the deadline (a National Day holiday), and again
    first = svc.escalations_create_due(as_of=date(2026, 10, 1))
    again = svc.escalations_create_due(as_of=date(2026, 10, 1))
    later = svc.escalations_create_due(as_of=date(2026, 10, 9))
    # then one escalation, to the superior, within 5 working days of the deadline
    assert (len(first), len(again), len(later)) == (1, 0, 0)
    esc = Escalation.objects.get()
    assert (esc.to_agency, esc.deadline, esc.created_on, esc.due_by) == (
        world.agency_b,
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2026, 10, 13),  # Oct 8, 9, 10 (make-up Saturday), 12, 13
    )
    workdays = chinese_calendar.get_workdays(date(2026, 10, 1), esc.created_on)
    assert len(workdays) <= rules.ESCALATION_WORKING_DAYS
    assert len(chinese_calendar.get_workdays(date(2026, 10, 1), esc.due_by)) == rules.ESCALATION_WORKING_DAYS
    # and the API shows it
    out = api(world.staff_a).get(f"{URL}{rec.pk}/", {"as_of": "2026-10-02"}).json()
    assert out["escalation_status"]["status"] == "escalated"
    assert out["escalation_status"]["escalation"]["to_agency_name"] == world.agency_b.name
    assert out["escalation_status"]["escalation"]["on_time"] is True
    # before it was created: to escalate by 10-13
    before = api(world.staff_a).get(f"{URL}{rec.pk}/", {"as_of": "2026-09-30"}).json()
    assert before["escalation_status"]["status"] == "none"


def test_escalation_is_late_without_a_record_after_five_working_days(world, api):
    rec = _record(world, served_on=date(2026, 7, 30))
    out = api(world.supervisor).get(f"{URL}{rec.pk}/", {"as_of": "2026-10-14"}).json()
    assert (out["escalation_status"]["status"], out["escalation_status"]["due_by"]) == (
        "escalation_late",
        "2026-10-13",
    )


def test_no_escalation_for_replied_objected_or_not_yet_due(world):
    replied = _record(world, served_on=date(2026, 7, 30))
    svc.recommendation_reply(actor=world.staff_a, recommendation=replied, replied_on=date(2026, 9, 1), summary="x")
    objected = _record(world, served_on=date(2026, 7, 30))
    svc.recommendation_object(actor=world.staff_a, recommendation=objected, filed_on=date(2026, 8, 1), grounds="x")
    _record(world, served_on=date(2026, 8, 3))  # deadline 2026-10-08
    assert svc.escalations_create_due(as_of=date(2026, 10, 8)) == []
    assert Escalation.objects.count() == 0


def test_an_overdue_recommendation_under_objection_review_is_on_hold(world, api):
    rec = _record(world, served_on=date(2026, 7, 30))  # deadline 2026-09-30
    svc.recommendation_object(actor=world.staff_a, recommendation=rec, filed_on=date(2026, 9, 25), grounds="x")
    out = api(world.supervisor).get(f"{URL}{rec.pk}/", {"as_of": "2026-10-14"}).json()
    assert (out["state"], out["escalation_status"]["status"]) == ("overdue_unreplied", "on_hold")
    assert svc.escalations_create_due(as_of=date(2026, 10, 14)) == []
    # rejected: the deadline stands and the next run escalates it, late
    svc.recommendation_rule_objection(
        actor=world.supervisor, recommendation=rec, outcome="rejected", ruled_on=date(2026, 10, 14), reasons="x"
    )
    [esc] = svc.escalations_create_due(as_of=date(2026, 10, 15))
    assert (esc.deadline, esc.due_by, esc.created_on) == (date(2026, 9, 30), date(2026, 10, 13), date(2026, 10, 15))
    assert esc.note == "被建议单位无上级单位，报同级党委、人大或政府；超过应报送日期2026-10-13方报送"
    assert (
        api(world.supervisor)
        .get(f"{URL}{rec.pk}/", {"as_of": "2026-10-15"})
        .json()["escalation_status"]["escalation"]["on_time"]
        is False
    )


def test_an_upheld_objection_after_escalation_can_be_escalated_again(world):
    rec = _record(world, served_on=date(2026, 3, 2))  # deadline 2026-05-06
    assert len(svc.escalations_create_due(as_of=date(2026, 5, 7))) == 1
    svc.recommendation_object(actor=world.staff_a, recommendation=rec, filed_on=date(2026, 5, 8), grounds="x")
    svc.recommendation_rule_objection(
        actor=world.supervisor,
        recommendation=rec,
        outcome="upheld",
        ruled_on=date(2026, 5, 10),
        reasons="成立",
        revised_served_on=date(2026, 5, 11),
    )
    rec.refresh_from_db()
    assert rec.deadline == date(2026, 7, 13)  # Sat 07-11 → Mon 07-13
    assert svc.escalations_create_due(as_of=date(2026, 7, 13)) == []
    assert [e.revision for e in svc.escalations_create_due(as_of=date(2026, 7, 14))] == [1]


# --- R7 on-time reply rate --------------------------------------------------------------------
def test_reply_rate_per_agency_and_overall(world, api):
    # given agency A: deadlines 05-06 (on time), 05-06 (late), 05-06 (unreplied); agency B: one on time
    a1, a2, _a3 = _record(world), _record(world), _record(world)
    b1 = _record(world, recipient=world.agency_b)
    svc.recommendation_reply(actor=world.staff_a, recommendation=a1, replied_on=date(2026, 5, 6), summary="x")
    svc.recommendation_reply(actor=world.staff_a, recommendation=a2, replied_on=date(2026, 5, 8), summary="x")
    svc.recommendation_reply(actor=world.staff_b, recommendation=b1, replied_on=date(2026, 4, 1), summary="x")
    # and one for agency B due later (2026-07-13), not in the period
    _record(world, recipient=world.agency_b, served_on=date(2026, 5, 11))
    params = {"from": "2026-05-01", "to": "2026-05-31", "as_of": "2026-06-30"}
    # when
    out = api(world.auditor).get(f"{URL}reply-rate/", params).json()
    # then
    assert (out["period_from"], out["period_to"], out["as_of"]) == ("2026-05-01", "2026-05-31", "2026-06-30")
    assert out["overall"] == {
        "agency": None,
        "agency_name": "全部",
        "due": 4,
        "on_time": 2,
        "rate": "0.5000",
        "rate_display": "50.00%",
    }
    assert out["agencies"] == [
        {
            "agency": world.agency_a.pk,
            "agency_name": world.agency_a.name,
            "due": 3,
            "on_time": 1,
            "rate": "0.3333",
            "rate_display": "33.33%",
        },
        {
            "agency": world.agency_b.pk,
            "agency_name": world.agency_b.name,
            "due": 1,
            "on_time": 1,
            "rate": "1.0000",
            "rate_display": "100.00%",
        },
    ]
    # the deadline not yet passed as of 05-05 is not counted: an empty denominator shows "—"
    early = api(world.auditor).get(f"{URL}reply-rate/", {**params, "as_of": "2026-05-05"}).json()
    assert (early["overall"]["due"], early["overall"]["rate"], early["overall"]["rate_display"]) == (0, None, "—")
    assert [row["rate_display"] for row in early["agencies"]] == ["—", "—"]
    # agency staff see their own agency only
    mine = api(world.staff_a).get(f"{URL}reply-rate/", params).json()
    assert [row["agency"] for row in mine["agencies"]] == [world.agency_a.pk]
    assert mine["overall"]["rate"] == "0.3333"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-06-01", "to": "2026-05-01"}, "from"), ({"to": "2026/05/01"}, "to"), ({"as_of": "x"}, "as_of")],
)
def test_reply_rate_refuses_bad_parameters(world, api, params, field):
    response = api(world.auditor).get(f"{URL}reply-rate/", params)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_kinds_match_the_rule_enum():
    assert set(RecommendationKind.values) == {k.value for k in rules.RecommendationKind}
    assert {s.value for s in ReplyState} == {"pending", "replied_on_time", "replied_late", "overdue_unreplied"}


@beyond_data_2027
def test_provisional_deadlines_are_recomputed_when_the_calendar_changes(world, api):
    from ledger.models import CalendarOverride

    # given a deadline beyond the data: 2027-01-20, provisional
    rec = _record(world, kind="public_interest", served_on=date(2026, 11, 20))
    assert (rec.deadline, rec.deadline_provisional) == (date(2027, 1, 20), True)
    # when an administrator enters that day as a rest day and the recompute runs (dry run first)
    CalendarOverride.objects.create(day=date(2027, 1, 20), is_workday=False, basis="测试：国务院通知")
    preview = svc.recommendation_deadlines_recompute(dry_run=True)
    rec.refresh_from_db()
    assert rec.deadline == date(2027, 1, 20)
    changes = svc.recommendation_deadlines_recompute()
    # then the deadline rolls to the next day, still provisional, and history says why
    assert [(c.old_deadline, c.new_deadline, c.still_provisional) for c in changes] == [
        (date(2027, 1, 20), date(2027, 1, 21), True)
    ]
    assert [c.new_deadline for c in preview] == [date(2027, 1, 21)]
    rec.refresh_from_db()
    assert (rec.deadline, rec.deadline_rolled_from) == (date(2027, 1, 21), date(2027, 1, 20))
    assert rec.history.first().history_change_reason == "日历更新后重算暂定回复期限"
    # a second run changes nothing
    assert svc.recommendation_deadlines_recompute() == []
