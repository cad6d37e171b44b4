"""Binding decisions (生效判决 / 裁定 / 行政复议决定): recorded by supervisors, a money decision's
obligation in the court-decision regime, performance reported by the agency and confirmed by a
supervisor, live states as of a date, execution and performance rates — bad input 400 with nothing
written, illegal moves 409, another tenant's decision 404."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledger import clock
from ledger.models import DECISION_TRANSITIONS, Decision, DecisionStatus, Obligation
from ledger.services import oversight as svc
from tests.owned_objects import decision_for

pytestmark = pytest.mark.django_db

URL = "/api/decisions/"


def _body(world, **overrides):
    body = {
        "kind": "judgment",
        "case_number": "（2026）皖1002行初12号",
        "issued_by": "屯溪区人民法院",
        "agency": world.agency_a.pk,
        "title": "撤销行政处罚决定",
        "effective_on": "2026-03-02",
        "performance_deadline": "2026-04-01",
    }
    body.update(overrides)
    return body


def _record(world, **overrides) -> Decision:
    fields = {
        "actor": world.supervisor,
        "kind": "judgment",
        "case_number": f"（2026）皖1002行初{Decision.objects.count() + 100}号",
        "issued_by": "屯溪区人民法院",
        "agency": world.agency_a,
        "title": "测试判决",
        "effective_on": date(2026, 3, 2),
        "performance_deadline": date(2026, 4, 1),
    }
    fields.update(overrides)
    return svc.decision_record(**fields)


# --- recording ---------------------------------------------------------------------------------
def test_supervisor_records_a_decision(world, api):
    response = api(world.supervisor).post(URL, _body(world), format="json")
    assert response.status_code == 201, response.json()
    out = response.json()
    assert (out["kind"], out["kind_label"], out["status"], out["obligation"]) == (
        "judgment",
        "生效判决",
        "pending",
        None,
    )
    assert (out["agency_name"], out["region_code"]) == (world.agency_a.name, world.agency_a.region_code)
    assert Obligation.objects.count() == 0


def test_a_money_decision_creates_its_obligation_in_the_court_decision_regime(world, api):
    # when a supervisor records a judgment ordering agency A to pay enterprise 1
    body = _body(world, amount="380000.00", creditor=world.enterprise_1.pk, title="支付工程款")
    response = api(world.supervisor).post(URL, body, format="json")
    # then the obligation is created with the decision's own deadline as its due date
    assert response.status_code == 201, response.json()
    out = response.json()
    obligation = Obligation.objects.get(pk=out["obligation"])
    assert out["obligation_reference"] == obligation.reference
    assert (obligation.source, obligation.regime, obligation.trigger) == ("decision", "court_decision", "decision")
    assert (obligation.debtor_agency, obligation.creditor) == (world.agency_a, world.enterprise_1)
    assert (obligation.principal, obligation.arose_on, obligation.trigger_on, obligation.due_on) == (
        Decimal("380000.00"),
        date(2026, 3, 2),
        date(2026, 3, 2),
        date(2026, 4, 1),
    )
    assert obligation.title == "生效判决（2026）皖1002行初12号：支付工程款"
    assert out["amount"] == "380000.00"
    # and the creditor enterprise sees the decision; another enterprise does not
    assert api(world.enterprise_user_1).get(f"{URL}{out['id']}/").status_code == 200
    assert api(world.enterprise_user_2).get(f"{URL}{out['id']}/").status_code == 404


def test_an_amount_without_a_creditor_enterprise_creates_no_obligation(world):
    decision = _record(world, amount=Decimal("5000.00"))  # e.g. 行政赔偿 to a person
    assert (decision.amount, decision.obligation) == (Decimal("5000.00"), None)
    assert Obligation.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "verdict"}, "kind"),
        ({"performance_deadline": "2026-03-01"}, "performance_deadline"),  # before it took effect
        ({"effective_on": (clock.today() + timedelta(days=1)).isoformat()}, "effective_on"),
        ({"amount": 1000.5, "creditor": None}, "amount"),  # a float
        ({"amount": "10.001"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"case_number": ""}, "case_number"),
        ({"agency": 999999}, "agency"),
    ],
)
def test_record_refuses_bad_input_and_writes_nothing(world, api, overrides, field):
    body = _body(world, creditor=world.enterprise_1.pk, amount="1000.00")
    body.update(overrides)
    response = api(world.supervisor).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert (Decision.objects.count(), Obligation.objects.count(), Decision.history.count()) == (0, 0, 0)


def test_record_refuses_a_duplicate_case_number(world, api):
    client = api(world.supervisor)
    assert client.post(URL, _body(world), format="json").status_code == 201
    again = client.post(URL, _body(world), format="json")
    assert again.status_code == 400
    assert list(again.json()["fields"]) == ["case_number"]


@pytest.mark.parametrize("role", ["staff_a", "auditor", "credit_officer", "enterprise_user_1"])
def test_only_supervisors_record_decisions(world, api, role):
    assert api(getattr(world, role)).post(URL, _body(world), format="json").status_code == 403
    assert Decision.objects.count() == 0


# --- performance: the agency reports, a supervisor confirms -------------------------------------
def test_agency_reports_and_supervisor_confirms_performance(world, api):
    decision = _record(world)
    reported = api(world.staff_a).post(
        f"{URL}{decision.pk}/report-performance/",
        {"reported_on": "2026-03-30", "note": "已重新作出决定并送达"},
        format="json",
    )
    assert reported.status_code == 200, reported.json()
    assert (reported.json()["status"], reported.json()["reported_on"]) == ("reported", "2026-03-30")
    # reported is not performed: as of after the deadline it is still overdue until confirmed
    assert api(world.staff_a).get(f"{URL}{decision.pk}/", {"as_of": "2026-04-02"}).json()["state"] == (
        "overdue_unperformed"
    )
    confirmed = api(world.supervisor).post(f"{URL}{decision.pk}/confirm-performance/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    out = confirmed.json()
    assert (out["status"], out["performed_on"]) == ("performed", "2026-03-30")
    as_of = api(world.staff_a).get(f"{URL}{decision.pk}/", {"as_of": "2026-04-02"}).json()
    assert (as_of["state"], as_of["state_label"]) == ("performed_on_time", "按期履行")
    assert api(world.staff_a).get(f"{URL}{decision.pk}/", {"as_of": "2026-03-29"}).json()["state"] == "pending"


def test_supervisor_sends_a_report_back(world, api):
    decision = _record(world)
    svc.decision_report_performance(actor=world.staff_a, decision=decision, reported_on=date(2026, 3, 30), note="x")
    response = api(world.supervisor).post(
        f"{URL}{decision.pk}/reject-report/", {"reasons": "未提供送达回证"}, format="json"
    )
    assert response.status_code == 200, response.json()
    out = response.json()
    assert (out["status"], out["reported_on"], out["confirm_note"]) == ("pending", None, "退回履行报告：未提供送达回证")


def test_a_supervisor_records_late_performance_directly(world, api):
    decision = _record(world)
    response = api(world.supervisor).post(
        f"{URL}{decision.pk}/confirm-performance/", {"performed_on": "2026-04-20"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "performed_late"


def test_confirming_without_a_date_names_the_field(world, api):
    decision = _record(world)
    response = api(world.supervisor).post(f"{URL}{decision.pk}/confirm-performance/", {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["performed_on"]
    decision.refresh_from_db()
    assert decision.status == "pending"


def test_a_money_decision_is_performed_only_once_its_obligation_is_paid(world, api):
    from ledger.services.obligations import payment_record

    decision = _record(world, amount=Decimal("1000.00"), creditor=world.enterprise_1)
    client = api(world.supervisor)
    # while unpaid: 409
    unpaid = client.post(f"{URL}{decision.pk}/confirm-performance/", {"performed_on": "2026-03-20"}, format="json")
    assert unpaid.status_code == 409
    assert unpaid.json()["code"] == "decision_obligation_unpaid"
    # paid off on 2026-03-25: confirmation defaults to that date and may not precede it
    payment_record(
        actor=world.staff_a, obligation=decision.obligation, kind="payment", on=date(2026, 3, 25), amount="1000.00"
    )
    early = client.post(f"{URL}{decision.pk}/confirm-performance/", {"performed_on": "2026-03-20"}, format="json")
    assert early.status_code == 400
    assert list(early.json()["fields"]) == ["performed_on"]
    done = client.post(f"{URL}{decision.pk}/confirm-performance/", {}, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["performed_on"], done.json()["state"]) == ("2026-03-25", "performed_on_time")


def test_only_the_bound_agency_reports_and_only_supervisors_confirm(world, api):
    decision = _record(world)
    body = {"reported_on": "2026-03-30", "note": "x"}
    assert api(world.staff_b).post(f"{URL}{decision.pk}/report-performance/", body, format="json").status_code == 404
    assert api(world.supervisor).post(f"{URL}{decision.pk}/report-performance/", body, format="json").status_code == 403
    confirm = api(world.staff_a).post(
        f"{URL}{decision.pk}/confirm-performance/", {"performed_on": "2026-03-30"}, format="json"
    )
    assert confirm.status_code == 403
    decision.refresh_from_db()
    assert decision.status == "pending"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reported_on": "2026-03-01", "note": "x"}, "reported_on"),  # before it took effect
        ({"reported_on": (clock.today() + timedelta(days=1)).isoformat(), "note": "x"}, "reported_on"),
        ({"reported_on": "2026-03-30", "note": ""}, "note"),
    ],
)
def test_report_refuses_bad_input_and_writes_nothing(world, api, body, field):
    decision = _record(world)
    history = decision.history.count()
    response = api(world.staff_a).post(f"{URL}{decision.pk}/report-performance/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    decision.refresh_from_db()
    assert (decision.status, decision.reported_on, decision.history.count()) == ("pending", None, history)


# --- the transition matrix -------------------------------------------------------------------
ACTIONS = {
    "report-performance": ("staff_a", {"reported_on": "2026-03-20", "note": "x"}, DecisionStatus.REPORTED),
    "confirm-performance": ("supervisor", {"performed_on": "2026-03-21"}, DecisionStatus.PERFORMED),
    "reject-report": ("supervisor", {"reasons": "材料不全"}, DecisionStatus.PENDING),
}
ALLOWED = {
    ("pending", "report-performance"),
    ("pending", "confirm-performance"),
    ("reported", "confirm-performance"),
    ("reported", "reject-report"),
}


def test_allowed_moves_are_the_transition_table():
    from_table = {
        (src, name)
        for src, targets in DECISION_TRANSITIONS.items()
        for name, (_, _, to) in ACTIONS.items()
        if to in targets
    }
    assert from_table == ALLOWED


@pytest.mark.parametrize("status", [s.value for s in DecisionStatus])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(world, api, status, action):
    decision = _record(world)
    if status in ("reported", "performed"):
        svc.decision_report_performance(actor=world.staff_a, decision=decision, reported_on=date(2026, 3, 10), note="x")
    if status == "performed":
        svc.decision_confirm_performance(actor=world.supervisor, decision=decision)
    decision.refresh_from_db()
    assert decision.status == status
    history = decision.history.count()
    who, body, to = ACTIONS[action]
    response = api(getattr(world, who)).post(f"{URL}{decision.pk}/{action}/", body, format="json")
    decision.refresh_from_db()
    if (status, action) in ALLOWED:
        assert response.status_code == 200, response.json()
        assert decision.status == to
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "illegal_transition"
        assert (decision.status, decision.history.count()) == (status, history)


# --- live state filter and rates --------------------------------------------------------------
def test_list_filters_on_the_live_state(world, api):
    overdue = decision_for(world, performance_deadline=date(2026, 3, 20))
    decision_for(world, performance_deadline=date(2026, 4, 20))
    out = api(world.staff_a).get(URL, {"as_of": "2026-04-01", "state": "overdue_unperformed"}).json()
    assert [d["id"] for d in out["results"]] == [overdue.pk]
    assert api(world.staff_a).get(URL, {"state": "overdue"}).status_code == 400


def test_execution_and_performance_rates_per_agency(world, api):
    # given, deadlines in March 2026: agency A — two judgments (one performed on time, one late),
    # one review decision unperformed; agency B — one ruling performed on time
    decision_for(world, performance_deadline=date(2026, 3, 10), status="performed", performed_on=date(2026, 3, 9))
    decision_for(world, performance_deadline=date(2026, 3, 20), status="performed", performed_on=date(2026, 4, 5))
    decision_for(world, kind="review_decision", performance_deadline=date(2026, 3, 25))
    decision_for(
        world,
        agency=world.agency_b,
        kind="ruling",
        performance_deadline=date(2026, 3, 15),
        status="performed",
        performed_on=date(2026, 3, 15),
    )
    # and one due in April, outside the period
    decision_for(world, performance_deadline=date(2026, 4, 15))
    params = {"from": "2026-03-01", "to": "2026-03-31", "as_of": "2026-04-30"}
    # when
    out = api(world.auditor).get(f"{URL}performance-rate/", params).json()
    # then
    assert out["overall"]["execution"] == {
        "due": 3,
        "performed": 3,
        "performed_on_time": 2,
        "rate": "1.0000",
        "rate_display": "100.00%",
        "on_time_rate": "0.6667",
        "on_time_rate_display": "66.67%",
    }
    assert out["overall"]["performance"] == {
        "due": 1,
        "performed": 0,
        "performed_on_time": 0,
        "rate": "0.0000",
        "rate_display": "0.00%",
        "on_time_rate": "0.0000",
        "on_time_rate_display": "0.00%",
    }
    a, b = out["agencies"]
    assert (a["agency"], a["all"]["due"], a["all"]["performed"], a["all"]["rate"]) == (
        world.agency_a.pk,
        3,
        2,
        "0.6667",
    )
    assert (b["agency"], b["execution"]["rate_display"], b["performance"]["rate_display"]) == (
        world.agency_b.pk,
        "100.00%",
        "—",
    )
    # as of 2026-04-01 the late judgment was not yet performed
    early = api(world.auditor).get(f"{URL}performance-rate/", {**params, "as_of": "2026-04-01"}).json()
    assert (early["overall"]["execution"]["performed"], early["overall"]["execution"]["rate"]) == (2, "0.6667")
    # nothing due in the period: "—"
    empty = api(world.auditor).get(f"{URL}performance-rate/", {"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert empty["overall"]["all"]["rate_display"] == "—"
    assert empty["overall"]["all"]["rate"] is None
    # agency staff see their own agency
    mine = api(world.staff_b).get(f"{URL}performance-rate/", params).json()
    assert [row["agency"] for row in mine["agencies"]] == [world.agency_b.pk]
