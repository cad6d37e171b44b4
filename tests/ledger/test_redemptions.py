"""Policies and redemptions: the lifecycle matrix, approval creating the obligation, the API."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.errors import IllegalTransition
from ledger.lifecycles import REDEMPTION_TRANSITIONS
from ledger.models import (
    DeliveryMode,
    Notification,
    Obligation,
    Policy,
    Redemption,
    RedemptionStatus,
)
from ledger.services import redemptions as svc
from ledger.services.obligations import payment_record

pytestmark = pytest.mark.django_db

R = RedemptionStatus


def _policy(world, mode=DeliveryMode.ON_APPLICATION, days=15, **kw) -> Policy:
    return svc.policy_create(
        actor=world.staff_a,
        doc_number=kw.pop("doc_number", f"屯政〔2026〕{mode}号"),
        title=kw.pop("title", "稳岗奖补"),
        issuing_agency=world.agency_a,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        delivery_mode=mode,
        redemption_working_days=days,
        **kw,
    )


# Each status as the lifecycle leaves it: the dates its steps recorded.
_DATES = {
    R.APPLIED: {"applied_on": date(2026, 3, 2)},
    R.ACCEPTED: {"applied_on": date(2026, 3, 2), "accepted_on": date(2026, 3, 2)},
    R.ELIGIBLE: {"eligible_on": date(2026, 3, 2)},
    R.NOTIFIED: {"eligible_on": date(2026, 3, 2), "notified_on": date(2026, 3, 2)},
    R.APPROVED: {"applied_on": date(2026, 3, 2), "accepted_on": date(2026, 3, 2), "approved_on": date(2026, 3, 3)},
    R.REJECTED: {"applied_on": date(2026, 3, 2), "rejected_on": date(2026, 3, 3), "reject_reason": "不符合条件"},
}
_ACTIONS = {
    "accept": (svc.redemption_accept, R.ACCEPTED, {}),
    "notify": (svc.redemption_notify, R.NOTIFIED, {}),
    "approve": (svc.redemption_approve, R.APPROVED, {}),
    "reject": (svc.redemption_reject, R.REJECTED, {"reason": "材料不全"}),
}


def _redemption_in(world, status) -> Redemption:
    policy = _policy(world)
    return Redemption.objects.create(
        policy=policy,
        agency=world.agency_a,
        enterprise=world.enterprise_1,
        region_code="341002",
        amount=Decimal("5000.00"),
        status=status,
        **_DATES[status],
    )


@pytest.mark.parametrize("action", list(_ACTIONS))
@pytest.mark.parametrize("status", list(R.values))
def test_transition_matrix(world, status, action):
    # given a redemption in each status
    redemption = _redemption_in(world, status)
    fn, target, extra = _ACTIONS[action]
    allowed = target in REDEMPTION_TRANSITIONS[status]
    # when each action is tried
    if allowed:
        result = fn(actor=world.staff_a, redemption=redemption, on=date(2026, 3, 4), **extra)
        # then the table's moves succeed …
        assert result.status == target
        assert Redemption.objects.get(pk=redemption.pk).status == target
        assert (result.obligation is not None) == (target == R.APPROVED)
    else:
        # … and every other move is a 409 that changes nothing
        with pytest.raises(IllegalTransition):
            fn(actor=world.staff_a, redemption=redemption, on=date(2026, 3, 4), **extra)
        assert Redemption.objects.get(pk=redemption.pk).status == status
        assert Obligation.objects.count() == 0


def test_the_table_is_the_documented_lifecycle():
    assert {s: sorted(t) for s, t in REDEMPTION_TRANSITIONS.items()} == {
        "applied": ["accepted", "rejected"],
        "accepted": ["approved", "rejected"],
        "eligible": ["notified", "rejected"],
        "notified": ["approved", "rejected"],
        "approved": [],
        "rejected": [],
    }


def test_approval_creates_the_obligation_due_from_acceptance(world):
    # given an application accepted on Monday 2026-03-02 under a 15-working-day policy
    policy = _policy(world, days=15)
    r = svc.redemption_create(
        actor=world.staff_a, policy=policy, enterprise=world.enterprise_1, amount="5000.00", on=date(2026, 3, 2)
    )
    assert r.status == R.APPLIED
    svc.redemption_accept(actor=world.staff_a, redemption=r, on=date(2026, 3, 2))
    # when it is approved later
    r = svc.redemption_approve(actor=world.staff_a, redemption=r, on=date(2026, 3, 20))
    # then the obligation runs from acceptance, not approval
    o = r.obligation
    assert (o.source, o.regime, o.trigger, o.trigger_on) == (
        "redemption",
        "redemption",
        "redemption_accepted",
        date(2026, 3, 2),
    )
    assert (o.principal, o.due_on, o.due_provisional) == (Decimal("5000.00"), date(2026, 3, 23), False)
    assert o.due_basis == "政策规定兑现时限15个工作日，自受理之日起算（不含当日，节假日及调休按国务院安排）"
    assert (o.debtor_agency_id, o.creditor_id) == (world.agency_a.pk, world.enterprise_1.pk)


def test_free_apply_runs_from_notification_across_spring_festival(world):
    # given a 免申即享 policy of 10 working days, the enterprise notified on Friday 2026-02-13
    policy = _policy(world, mode=DeliveryMode.FREE_APPLY, days=10)
    r = svc.redemption_create(
        actor=world.staff_a, policy=policy, enterprise=world.enterprise_1, amount="8000.00", on=date(2026, 2, 12)
    )
    assert r.status == R.ELIGIBLE
    r = svc.redemption_notify(actor=world.staff_a, redemption=r, on=date(2026, 2, 13))
    # then the enterprise's users were told
    assert Notification.objects.filter(user=world.enterprise_user_1, kind="redemption_notified").count() == 1
    r = svc.redemption_approve(actor=world.staff_a, redemption=r, on=date(2026, 2, 14))
    # Sat 2/14 is a make-up working day; 2/15–2/23 Spring Festival; → the 10th working day is 3/5
    assert (r.obligation.trigger, r.obligation.due_on) == ("redemption_notified", date(2026, 3, 5))


def test_steps_cannot_go_back_in_time_or_outside_the_policy(world):
    policy = _policy(world)
    from ledger.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        svc.redemption_create(
            actor=world.staff_a, policy=policy, enterprise=world.enterprise_1, amount="1.00", on=date(2025, 12, 31)
        )
    assert exc.value.code == "outside_policy_validity"
    r = svc.redemption_create(
        actor=world.staff_a, policy=policy, enterprise=world.enterprise_1, amount="1.00", on=date(2026, 3, 2)
    )
    with pytest.raises(ValidationFailed) as exc:
        svc.redemption_accept(actor=world.staff_a, redemption=r, on=date(2026, 3, 1))
    assert exc.value.code == "before_previous"
    assert Redemption.objects.get(pk=r.pk).status == R.APPLIED


# --- API ------------------------------------------------------------------------------------
def test_policy_api_public_read_own_agency_write(world, api):
    body = {
        "doc_number": "屯政〔2026〕9号",
        "title": "首次升规奖励",
        "issuing_agency": world.agency_a.pk,
        "valid_from": "2026-01-01",
        "delivery_mode": "free_apply",
        "redemption_working_days": 10,
    }
    assert api(world.staff_b).post("/api/policies/", body, format="json").status_code == 403
    assert api(world.enterprise_user_1).post("/api/policies/", body, format="json").status_code == 403
    assert Policy.objects.count() == 0
    created = api(world.staff_a).post("/api/policies/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["region_code"] == world.agency_a.region_code
    duplicate = api(world.staff_a).post("/api/policies/", body, format="json")
    assert duplicate.status_code == 400
    assert list(duplicate.json()["fields"]) == ["doc_number"]
    listed = api(world.enterprise_user_2).get("/api/policies/").json()["results"]
    assert [p["doc_number"] for p in listed] == ["屯政〔2026〕9号"]
    pid = created.json()["id"]
    assert api(world.staff_b).patch(f"/api/policies/{pid}/", {"title": "改"}, format="json").status_code == 403
    bad = api(world.staff_a).patch(f"/api/policies/{pid}/", {"valid_to": "2025-01-01"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["valid_to"]
    ok = api(world.staff_a).patch(f"/api/policies/{pid}/", {"title": "首次升规企业奖励"}, format="json")
    assert ok.json()["title"] == "首次升规企业奖励"


def test_redemption_api_lifecycle_and_paid_read_from_the_obligation(world, api):
    policy = _policy(world)
    client = api(world.staff_a)
    created = client.post(
        "/api/redemptions/",
        {"policy": policy.pk, "enterprise": world.enterprise_1.pk, "amount": "5000.00", "on": "2026-03-02"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    assert created.json()["reference"].startswith("RD-")
    assert client.post(f"/api/redemptions/{rid}/accept/", {"on": "2026-03-02"}, format="json").status_code == 200
    approved = client.post(f"/api/redemptions/{rid}/approve/", {"on": "2026-03-10"}, format="json")
    assert approved.status_code == 200, approved.json()
    ob = approved.json()["obligation"]
    assert (ob["due_on"], ob["paid"], ob["closed"]) == ("2026-03-23", False, False)
    # when the obligation is paid late, the redemption reads it
    obligation = Obligation.objects.get(pk=ob["id"])
    payment_record(actor=world.staff_a, obligation=obligation, kind="payment", on=date(2026, 3, 25), amount="5000.00")
    before = client.get(f"/api/redemptions/{rid}/", {"as_of": "2026-03-24"}).json()["obligation"]
    after = client.get(f"/api/redemptions/{rid}/", {"as_of": "2026-03-25"}).json()["obligation"]
    assert (before["status"], before["paid"], before["days_overdue"]) == ("overdue", False, 1)
    assert (after["status"], after["paid"], after["paid_on"], after["paid_on_time"]) == (
        "paid",
        True,
        "2026-03-25",
        False,
    )


def test_redemption_api_illegal_transition_is_409_and_changes_nothing(world, api):
    r = _redemption_in(world, R.APPLIED)
    response = api(world.staff_a).post(f"/api/redemptions/{r.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    r.refresh_from_db()
    assert (r.status, r.approved_on, r.obligation_id) == (R.APPLIED, None, None)
    assert Obligation.objects.count() == 0


def test_reject_needs_a_reason(world, api):
    r = _redemption_in(world, R.APPLIED)
    response = api(world.staff_a).post(f"/api/redemptions/{r.pk}/reject/", {"on": "2026-03-04"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    ok = api(world.staff_a).post(
        f"/api/redemptions/{r.pk}/reject/", {"on": "2026-03-04", "reason": "不符合申报条件"}, format="json"
    )
    assert (ok.json()["status"], ok.json()["reject_reason"]) == ("rejected", "不符合申报条件")


def test_redemption_actions_are_for_the_agency_only(world, api):
    r = _redemption_in(world, R.APPLIED)
    assert api(world.staff_b).post(f"/api/redemptions/{r.pk}/accept/", {}, format="json").status_code == 404
    assert api(world.enterprise_user_2).get(f"/api/redemptions/{r.pk}/").status_code == 404
    assert api(world.enterprise_user_1).get(f"/api/redemptions/{r.pk}/").status_code == 200
    assert api(world.enterprise_user_1).post(f"/api/redemptions/{r.pk}/accept/", {}, format="json").status_code == 403
    r.refresh_from_db()
    assert r.status == R.APPLIED


def test_redemption_with_bad_amount_is_a_400(world, api):
    policy = _policy(world)
    for amount in ("-1.00", "1.001"):
        response = api(world.staff_a).post(
            "/api/redemptions/",
            {"policy": policy.pk, "enterprise": world.enterprise_1.pk, "amount": amount},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["amount"]
    assert Redemption.objects.count() == 0


def test_redemption_and_policy_lists_have_a_fixed_query_count(world, api, django_assert_num_queries):
    policy = _policy(world)
    for ent in (world.enterprise_1, world.enterprise_2):
        r = svc.redemption_create(
            actor=world.staff_a, policy=policy, enterprise=ent, amount="100.00", on=date(2026, 3, 2)
        )
        svc.redemption_accept(actor=world.staff_a, redemption=r, on=date(2026, 3, 2))
        r = svc.redemption_approve(actor=world.staff_a, redemption=r, on=date(2026, 3, 3))
        payment_record(
            actor=world.staff_a, obligation=r.obligation, kind="payment", on=date(2026, 3, 4), amount="100.00"
        )
    client = api(world.auditor)
    # savepoint and release (ATOMIC_REQUESTS), count, page with policy/enterprise/obligation, entries
    with django_assert_num_queries(5):
        rows = client.get("/api/redemptions/", {"as_of": "2026-03-31"}).json()["results"]
    assert [r["obligation"]["paid_on"] for r in rows] == ["2026-03-04", "2026-03-04"]
    # savepoint and release, count, page with the issuing agency
    with django_assert_num_queries(4):
        assert client.get("/api/policies/").json()["count"] == 1
