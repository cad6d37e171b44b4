"""The contracts API: thin views over the services, the error envelope, scoping, a pinned query count."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractEvent, Milestone
from ledger.models import Obligation
from tests.contracts import helpers as h
from tests.factories import TenureFactory

LIST = reverse("contract-list")


def _payload(world, **overrides):
    body = {
        "title": "道路养护服务合同",
        "contract_type": "government_procurement",
        "counterparty": world.enterprise_1.pk,
        "amount": "480000.00",
        "payment_term_days": 30,
        "acceptance_period_days": 10,
        "sme_declared": True,
        "agreed_late_rate": "3.6500",
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_staff_create_a_draft_for_their_own_agency(world, api):
    response = api(world.staff_a).post(LIST, _payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    contract = Contract.objects.get(pk=body["id"])
    assert (contract.agency, contract.status, contract.amount, contract.agreed_late_rate, contract.region_code) == (
        world.agency_a,
        "draft",
        Decimal("480000.00"),
        Decimal("3.6500"),
        "341002",
    )
    assert body["amount"] == "480000.00"
    assert body["ocid"] == f"ocds-demo00-{contract.pk}"
    assert body["status_label"] == "草拟"
    assert body["agency"] == {"id": world.agency_a.pk, "name": world.agency_a.name, "uscc": world.agency_a.uscc}
    assert body["flags"]["payment_term"]["regime"] == "sme_procurement"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 1.5}, "amount"),
        ({"amount": "100.001"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"contract_type": "lease"}, "contract_type"),
        ({"payment_term_days": 0}, "payment_term_days"),
        ({"agreed_late_rate": 3.65}, "agreed_late_rate"),
        ({"agreed_late_rate": "150"}, "agreed_late_rate"),
        ({"title": ""}, "title"),
        ({"counterparty": 999999}, "counterparty"),
        ({"period_start": "2026-06-01", "period_end": "2026-05-01"}, "period_end"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world, api, overrides, field):
    response = api(world.staff_a).post(LIST, _payload(world, **overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" or body["code"].startswith(("amount", "invalid"))
    assert list(body["fields"]) == [field]
    assert Contract.objects.count() == 0


@pytest.mark.django_db
def test_staff_cannot_create_for_another_agency(world, api):
    response = api(world.staff_a).post(LIST, _payload(world, agency=world.agency_b.pk), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["agency"]
    assert Contract.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["enterprise_user_1", "supervisor", "auditor", "administrator"])
def test_only_agency_staff_create_contracts(world, api, user):
    response = api(getattr(world, user)).post(LIST, _payload(world, agency=world.agency_a.pk), format="json")
    assert response.status_code == 403
    assert Contract.objects.count() == 0


@pytest.mark.django_db
def test_the_lifecycle_through_http(world, api):
    client = api(world.staff_a)
    contract_id = client.post(LIST, _payload(world), format="json").json()["id"]

    def post(action, body, user=world.staff_a):
        return api(user).post(reverse(f"contract-{action}", kwargs={"pk": contract_id}), body, format="json")

    assert post("submit-review", {"on": "2026-01-02"}).status_code == 200
    # signing before a passed review: 409
    refused = post("sign", {"signed_on": "2026-01-05"})
    assert (refused.status_code, refused.json()["code"]) == (409, "legality_review_required")
    review = post(
        "review",
        {"reviewer": "区司法局", "opinion": "同意", "result": "passed", "reviewed_on": "2026-01-03"},
        user=world.supervisor,
    )
    assert review.status_code == 201
    assert review.json()["reviews"] == [
        {
            "id": review.json()["reviews"][0]["id"],
            "round": 1,
            "reviewer": "区司法局",
            "opinion": "同意",
            "result": "passed",
            "reviewed_on": "2026-01-03",
            "created_at": review.json()["reviews"][0]["created_at"],
        }
    ]
    signed = post("sign", {"signed_on": "2026-01-05"})
    assert (signed.status_code, signed.json()["status"], signed.json()["signed_on"]) == (200, "signed", "2026-01-05")
    # an illegal move over HTTP: 409 in the envelope, nothing written
    illegal = post("complete", {"on": "2026-01-06"})
    assert illegal.status_code == 409
    assert illegal.json() == {"code": "illegal_transition", "detail": "合同当前状态“已签订”不能变为“履行完毕”"}
    assert Contract.objects.get(pk=contract_id).status == "signed"
    assert post("file", {"filed_on": "2026-01-08"}).json()["status"] == "filed"
    assert post("start-performance", {"on": "2026-01-10"}).json()["status"] == "performing"
    terminated = post("terminate", {"on": "2026-03-01", "reason_code": "government_breach", "reason": "未付款"})
    assert (terminated.json()["status"], terminated.json()["termination_reason_code"]) == (
        "terminated",
        "government_breach",
    )
    events = api(world.auditor).get(reverse("contract-events", kwargs={"pk": contract_id})).json()
    assert [(e["kind"], e["to_status"], e["on"], e["actor"]) for e in events] == [
        ("transition", "legality_review", "2026-01-02", world.staff_a.username),
        ("review", "", "2026-01-03", world.supervisor.username),
        ("transition", "signed", "2026-01-05", world.staff_a.username),
        ("transition", "filed", "2026-01-08", world.staff_a.username),
        ("transition", "performing", "2026-01-10", world.staff_a.username),
        ("transition", "terminated", "2026-03-01", world.staff_a.username),
    ]


@pytest.mark.django_db
def test_a_transition_with_bad_input_is_a_400_and_writes_nothing(world, api):
    contract = h.performing(world)
    url = reverse("contract-terminate", kwargs={"pk": contract.pk})
    response = api(world.staff_a).post(url, {"on": "2026-03-01", "reason_code": "bogus", "reason": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason_code"]
    response = api(world.staff_a).post(url, {"on": "not a date", "reason_code": "other", "reason": "x"}, format="json")
    assert list(response.json()["fields"]) == ["on"]
    assert Contract.objects.get(pk=contract.pk).status == "performing"
    assert ContractEvent.objects.filter(contract=contract, to_status="terminated").count() == 0


@pytest.mark.django_db
def test_patch_edits_a_draft_only(world, api):
    contract = h.new_contract(world)
    url = reverse("contract-detail", kwargs={"pk": contract.pk})
    response = api(world.staff_a).patch(url, {"amount": "310000.00"}, format="json")
    assert (response.status_code, response.json()["amount"]) == (200, "310000.00")
    response = api(world.staff_a).patch(url, {"status": "signed"}, format="json")
    assert Contract.objects.get(pk=contract.pk).status == "draft"  # status is not an input
    h.in_review(world, contract)
    response = api(world.staff_a).patch(url, {"amount": "320000.00"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "contract_not_editable")
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("310000.00")


@pytest.mark.django_db
def test_another_agencys_contract_is_a_404_and_never_listed(world, api):
    contract = h.new_contract(world)
    detail = reverse("contract-detail", kwargs={"pk": contract.pk})
    assert api(world.staff_b).get(detail).status_code == 404
    assert api(world.enterprise_user_2).get(detail).status_code == 404
    assert api(world.staff_b).get(LIST).json()["results"] == []
    assert [r["id"] for r in api(world.enterprise_user_1).get(LIST).json()["results"]] == [contract.pk]
    assert [r["id"] for r in api(world.auditor).get(LIST).json()["results"]] == [contract.pk]


@pytest.mark.django_db
def test_milestones_and_triggers_through_http(world, api):
    contract = h.performing(world)
    url = reverse("contract-milestones", kwargs={"pk": contract.pk})
    created = api(world.staff_a).post(
        url,
        {
            "side": "government",
            "kind": "payment",
            "title": "货款",
            "amount": "200000.00",
            "goods_works_services": True,
            "payment_basis": "delivery",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["state"]["status"] == "not_triggered"
    milestone_id = created.json()["id"]
    trigger = reverse("contract-milestone-trigger", kwargs={"pk": milestone_id})
    bad = api(world.staff_a).post(trigger, {"event": "delivery", "on": "2026-01-01"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["on"])
    assert Obligation.objects.count() == 0
    done = api(world.staff_a).post(
        trigger + "?as_of=2026-02-03", {"event": "delivery", "on": "2026-02-02"}, format="json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["obligation"]["due_on"] == "2026-03-04"
    assert body["obligation"]["regime"] == "sme_procurement"
    assert body["state"] == {
        "as_of": "2026-02-03",
        "status": "scheduled",
        "label": "未到期",
        "due_on": "2026-03-04",
        "met_on": None,
        "principal_paid": "0.00",
        "principal_outstanding": "200000.00",
    }
    listed = api(world.enterprise_user_1).get(url, {"as_of": "2026-03-05"}).json()
    assert [m["state"]["status"] for m in listed] == ["not_met"]
    assert Milestone.objects.get(pk=milestone_id).obligation.reference == body["obligation"]["reference"]


@pytest.mark.django_db
def test_amendments_through_http(world, api):
    contract = h.performing(world)
    url = reverse("contract-amendments", kwargs={"pk": contract.pk})
    body = {"rationale_code": "price_adjustment", "rationale": "增加数量", "signed_on": "2026-02-01"}
    response = api(world.staff_a).post(url, {**body, "changes": {"amount": "330000.00"}}, format="json")
    assert response.status_code == 201
    assert response.json()["changes"] == {"amount": {"old": "300000.00", "new": "330000.00"}}
    refused = api(world.staff_a).post(
        url, {**body, "signed_on": "2026-01-01", "changes": {"amount": "340000.00"}}, format="json"
    )
    assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (
        400,
        "before_signing",
        ["signed_on"],
    )
    assert [a["number"] for a in api(world.auditor).get(url).json()] == [1]


@pytest.mark.django_db
def test_list_flags_are_computed_as_of_the_date_asked(world, api):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    contract = h.performing(world, payment_term_days=90)
    from contracts.services.milestones import milestone_record_trigger

    milestone_record_trigger(
        actor=world.staff_a, milestone=h.payment_milestone(world, contract), event="delivery", on=date(2026, 1, 20)
    )
    early = api(world.auditor).get(LIST, {"as_of": "2026-04-01"}).json()["results"][0]["flags"]
    late = api(world.auditor).get(LIST, {"as_of": "2026-05-20"}).json()["results"][0]["flags"]
    # due 60 days (capped) after 2026-01-20 = 2026-03-21, a Saturday → Monday 2026-03-23
    assert early["payment_term"]["capped"] is True
    assert (early["legacy_debt"]["flagged"], late["legacy_debt"]["flagged"]) == (False, True)
    assert late["legacy_debt"]["handover_on"] == "2026-03-01"
    filtered = api(world.auditor).get(LIST, {"status": "performing", "sme_declared": "true"}).json()
    assert [r["id"] for r in filtered["results"]] == [contract.pk]
    assert api(world.auditor).get(LIST, {"status": "draft"}).json()["results"] == []


def _many_contracts(world, n):
    for i in range(n):
        contract = h.performing(world, title=f"合同{i}")
        h.payment_milestone(world, contract)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 4])
def test_contract_list_query_count_is_pinned(world, api, django_assert_num_queries, n):
    # given n contracts with milestones, and tenures to follow
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1))
    _many_contracts(world, n)
    client = api(world.staff_a)
    # then listing them takes the same queries whatever n: the request's savepoint and its release
    # (ATOMIC_REQUESTS, 2), agencies merged into the user's (1), count (1), page (1), milestones with
    # their obligations (1), calendar overrides (1), successions (1), tenures (1)
    with django_assert_num_queries(9):
        response = client.get(LIST, {"as_of": "2026-06-01"})
    assert response.status_code == 200
    assert response.json()["count"] == n
