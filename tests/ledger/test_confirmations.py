"""确权 requests: the enterprise asks, the agency answers within 30 days (条例 2025 art. 16 para 2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import clock
from ledger.errors import IllegalTransition
from ledger.models import (
    CONFIRMATION_REQUEST_TRANSITIONS,
    Confirmation,
    ConfirmationRequestStatus,
    Notification,
)
from ledger.rules import claims as rules
from ledger.selectors.calendar import current_calendar
from ledger.services import confirmations as svc
from tests.owned_objects import obligation_for

pytestmark = pytest.mark.django_db

LIST = "/api/confirmations/"
S = ConfirmationRequestStatus


def detail(c, suffix=""):
    return f"/api/confirmations/{c.pk}/{suffix}"


def requested(w, *, on=date(2026, 9, 1), amount="30000.00") -> Confirmation:
    return svc.confirmation_request(
        actor=w.enterprise_user_1, agency=w.agency_a, amount=amount, subject="2026年第二批办公设备货款", on=on
    )


def in_status(w, status) -> Confirmation:
    c = requested(w)
    if status == S.CONFIRMED:
        return svc.confirmation_confirm(actor=w.staff_a, confirmation=c, on=date(2026, 9, 10))
    if status == S.REFUSED:
        return svc.confirmation_refuse(actor=w.staff_a, confirmation=c, reason="无此笔业务", on=date(2026, 9, 10))
    if status == S.WITHDRAWN:
        return svc.confirmation_withdraw(actor=w.enterprise_user_1, confirmation=c, on=date(2026, 9, 10))
    return c


def test_enterprise_asks_and_the_thirty_days_are_computed(world, api):
    # when the enterprise asks today
    r = api(world.enterprise_user_1).post(
        LIST,
        {"agency": world.agency_a.pk, "amount": "30000.00", "subject": "办公设备货款", "purpose": "应收账款质押融资"},
    )
    # then it is pending, due 30 days after today (R2 counting), for its own enterprise
    assert r.status_code == 201, r.content
    body = r.json()
    today = clock.today()
    due = rules.confirmation_deadline(today, current_calendar())
    assert (body["status"], body["requested_on"], body["due_on"]) == (
        "pending",
        today.isoformat(),
        due.date.isoformat(),
    )
    assert body["reference"].startswith("QR-")
    assert (body["enterprise"], body["agency"], body["amount"]) == (
        world.enterprise_1.pk,
        world.agency_a.pk,
        "30000.00",
    )
    assert body["clock"]["article"] == "《保障中小企业款项支付条例》（2025）第十六条第二款"
    # and the agency's staff are told
    assert Notification.objects.filter(user=world.staff_a, kind="confirmation_requested").count() == 1


def test_the_request_is_due_thirty_days_later_rolled_past_national_day(world):
    c = requested(world, on=date(2026, 9, 1))
    # 30 days from 2026-09-01 end on 2026-10-01 (国庆) → first working day 2026-10-08
    assert c.due_on == date(2026, 10, 8)
    assert c.calendar_version.startswith("chinesecalendar-")


@pytest.mark.parametrize(
    ("as_of", "state", "days_left", "days_late"),
    [
        ("2026-09-20", "on_time", 18, 0),
        ("2026-10-05", "due_soon", 3, 0),
        ("2026-10-09", "overdue", None, 1),
    ],
)
def test_clock_as_of_a_date(world, api, as_of, state, days_left, days_late):
    c = requested(world)
    step = api(world.enterprise_user_1).get(detail(c), {"as_of": as_of}).json()["clock"]
    assert (step["state"], step["due_on"], step["days_left"], step["days_late"]) == (
        state,
        "2026-10-08",
        days_left,
        days_late,
    )


def test_agency_confirms_part_and_links_the_obligation(world, api):
    c = requested(world)
    obligation = obligation_for(world)
    r = api(world.staff_a).post(
        detail(c, "confirm/"), {"amount": "25000.00", "obligation": obligation.pk, "on": "2026-10-09"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["confirmed_amount"], body["obligation"], body["answered_on"]) == (
        "confirmed",
        "25000.00",
        obligation.pk,
        "2026-10-09",
    )
    # answered one day late
    assert (body["clock"]["state"], body["clock"]["days_late"]) == ("done_late", 1)
    n = Notification.objects.get(user=world.enterprise_user_1, kind="confirmation_confirmed")
    assert n.title == f"{world.agency_a.name}已确认应收账款25000.00元（{c.reference}）"


def test_confirm_defaults_to_the_amount_asked(world):
    c = svc.confirmation_confirm(actor=world.staff_a, confirmation=requested(world), on=date(2026, 9, 2))
    assert c.confirmed_amount == Decimal("30000.00")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "30000.01"}, "amount"),
        ({"amount": 100.5}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"on": "2026-08-31"}, "on"),  # before the request
        ({"obligation": 999999}, "obligation"),
    ],
)
def test_bad_confirmations_write_nothing(world, api, payload, field):
    c = requested(world)
    r = api(world.staff_a).post(detail(c, "confirm/"), payload, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"]
    fresh = Confirmation.objects.get()
    assert (fresh.status, fresh.confirmed_amount, fresh.answered_on) == (S.PENDING, None, None)
    assert fresh.history.count() == 1


def test_an_obligation_owed_to_someone_else_cannot_be_linked(world, api):
    c = requested(world)
    someone_elses = obligation_for(world, creditor=world.enterprise_2)
    r = api(world.staff_a).post(detail(c, "confirm/"), {"obligation": someone_elses.pk})
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (400, "not_matching", ["obligation"])
    assert Confirmation.objects.get().status == S.PENDING


def test_refusal_needs_a_reason(world, api):
    c = requested(world)
    r = api(world.staff_a).post(detail(c, "refuse/"), {"reason": ""})
    assert (r.status_code, list(r.json()["fields"])) == (400, ["reason"])
    r = api(world.staff_a).post(detail(c, "refuse/"), {"reason": "双方无此笔交易", "on": "2026-09-15"})
    assert (r.status_code, r.json()["status"], r.json()["refusal_reason"]) == (200, "refused", "双方无此笔交易")
    assert Notification.objects.get(user=world.enterprise_user_1, kind="confirmation_refused").body == "双方无此笔交易"


def test_only_the_requested_agency_answers(world, api):
    c = requested(world)
    # the enterprise cannot confirm its own receivable; the supervisor does not answer for the agency
    assert api(world.enterprise_user_1).post(detail(c, "confirm/"), {}).status_code == 403
    assert api(world.supervisor).post(detail(c, "confirm/"), {}).status_code == 403
    # another agency: it does not exist
    assert api(world.staff_b).post(detail(c, "confirm/"), {}).status_code == 404
    assert Confirmation.objects.get().status == S.PENDING


def test_an_enterprise_cannot_ask_for_another(world, api):
    r = api(world.enterprise_user_1).post(
        LIST, {"agency": world.agency_a.pk, "amount": "1.00", "subject": "x", "enterprise": world.enterprise_2.pk}
    )
    assert (r.status_code, list(r.json()["fields"])) == (400, ["enterprise"])
    assert Confirmation.objects.count() == 0


def test_agency_staff_cannot_ask(world, api):
    r = api(world.staff_a).post(LIST, {"agency": world.agency_a.pk, "amount": "1.00", "subject": "x"})
    assert r.status_code == 403
    assert Confirmation.objects.count() == 0


def test_answering_twice_is_409(world, api):
    c = in_status(world, S.REFUSED)
    r = api(world.staff_a).post(detail(c, "confirm/"), {})
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    assert Confirmation.objects.get().status == S.REFUSED


ACTIONS = {
    "confirm": (S.CONFIRMED, lambda w, c: svc.confirmation_confirm(actor=w.staff_a, confirmation=c)),
    "refuse": (S.REFUSED, lambda w, c: svc.confirmation_refuse(actor=w.staff_a, confirmation=c, reason="无")),
    "withdraw": (S.WITHDRAWN, lambda w, c: svc.confirmation_withdraw(actor=w.enterprise_user_1, confirmation=c)),
}


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(world, start, action):
    c = in_status(world, start)
    target, run = ACTIONS[action]
    history = c.history.count()
    if target in CONFIRMATION_REQUEST_TRANSITIONS[start]:
        assert run(world, c).status == target
        assert c.history.count() == history + 1
    else:
        with pytest.raises(IllegalTransition):
            run(world, c)
        assert Confirmation.objects.get(pk=c.pk).status == start
        assert c.history.count() == history


def test_list_query_count(world, api, django_assert_max_num_queries):
    for _ in range(3):
        requested(world)
    with django_assert_max_num_queries(6):
        r = api(world.enterprise_user_1).get(LIST)
    assert r.json()["count"] == 3
