"""Who may do what with credit data (SPEC §1): credit officers write; others read records only as
scoped; batches are the credit officers' alone; the window table is the administrator's."""

from datetime import date

import pytest
from django.urls import reverse

from credit.models import DishonestyRecord, ExportBatch, RecordStatus
from credit.services import exports
from credit.services.records import candidates_propose
from tests.credit.builders import authority, bring_to, candidate
from tests.credit.test_candidates import claim, decision

S = RecordStatus
RECORD_ACTIONS = [
    "verify",
    "order-rectification",
    "rectified",
    "determine",
    "performance",
    "commitment",
    "repair",
    "expire",
    "revoke",
    "dismiss",
    "correct",
]


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_who_reads_records(world, windows, api):
    mine = candidate(world)
    other = candidate(world, agency=world.agency_b)
    url = reverse("credit-record-list")
    for user in (world.supervisor, world.auditor, world.credit_officer, world.administrator):
        assert sorted(ids(api(user).get(url))) == sorted([mine.pk, other.pk])
    assert ids(api(world.staff_a).get(url)) == [mine.pk]
    assert ids(api(world.staff_b).get(url)) == [other.pk]
    assert ids(api(world.enterprise_user_1).get(url)) == []
    assert api(world.enterprise_user_1).get(reverse("credit-record-detail", args=[mine.pk])).status_code == 404
    assert api(world.staff_b).get(reverse("credit-record-detail", args=[mine.pk])).status_code == 404
    assert api(world.staff_a).get(reverse("credit-record-detail", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("action", RECORD_ACTIONS)
def test_only_credit_officers_act_on_records(world, windows, api, action):
    record = candidate(world)
    url = reverse("credit-record-detail", args=[record.pk]) + f"{action}/"
    payload = {"reason": "试图办理", "on": "2026-04-02"}
    for user in (world.supervisor, world.auditor, world.administrator, world.staff_a):
        response = api(user).post(url, payload, format="json")
        assert response.status_code == 403, (user.role, response.content)
    for user in (world.staff_b, world.enterprise_user_1):
        assert api(user).post(url, payload, format="json").status_code == 404
    record.refresh_from_db()
    assert record.status == S.CANDIDATE
    assert record.events.count() == 1


@pytest.mark.django_db
def test_only_credit_officers_create_records_and_propose(world, windows, api):
    payload = {
        "subject_agency": world.agency_a.pk,
        "kind": "court_decision",
        "facts": "被列为失信被执行人",
        "source_label": "最高人民法院失信被执行人名单",
        "reason": "名单比对发现",
    }
    url = reverse("credit-record-list")
    for user in (world.supervisor, world.auditor, world.administrator, world.staff_a, world.enterprise_user_1):
        assert api(user).post(url, payload, format="json").status_code == 403
        assert api(user).post(reverse("credit-record-propose"), {}, format="json").status_code == 403
    assert DishonestyRecord.objects.count() == 0
    created = api(world.credit_officer).post(url, {**payload, "proposed_on": "2026-05-01"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["rule"], body["subject_uscc"], body["proposed_on"]) == (
        "candidate",
        "manual",
        world.agency_a.uscc,
        "2026-05-01",
    )


@pytest.mark.django_db
def test_batches_are_for_credit_officers_only(world, windows, api):
    bring_to(world, S.DETERMINED)
    batch = exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    detail = reverse("credit-export-detail", args=[batch.pk])
    others = (world.supervisor, world.auditor, world.administrator, world.staff_a, world.enterprise_user_1)
    for user in others:
        client = api(user)
        assert ids(client.get(reverse("credit-export-list"))) == []
        assert client.get(detail).status_code == 404
        for kind in ("csv", "xlsx", "json", "manifest"):
            assert client.get(detail + f"files/{kind}/").status_code == 404
        r = client.post(detail + "receipt/", {"received_on": "2026-07-01"}, format="json")
        assert r.status_code == 404
        assert client.post(reverse("credit-export-list"), {"as_of": "2026-06-30"}, format="json").status_code == 403
    assert ExportBatch.objects.count() == 1
    assert ids(api(world.credit_officer).get(reverse("credit-export-list"))) == [batch.pk]


@pytest.mark.django_db
def test_the_window_table_is_the_administrators(world, windows, api):
    url = reverse("credit-publicity-window-list")
    payload = {
        "severity": "一般",
        "published": True,
        "min_months": 3,
        "max_months": 12,
        "effective_from": "2030-01-01",
        "basis": "（测试）新的规定",
    }
    assert len(ids(api(world.enterprise_user_1).get(url))) == 3  # reference data, read by all
    for user in (world.credit_officer, world.supervisor, world.staff_a):
        assert api(user).post(url, payload, format="json").status_code == 403
    r = api(world.administrator).post(url, payload, format="json")
    assert r.status_code == 201, r.content
    bad = api(world.administrator).post(
        url, {**payload, "min_months": 13, "effective_from": "2031-01-01"}, format="json"
    )
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["min_months"])


@pytest.mark.django_db
def test_list_query_counts_are_pinned(world, windows, api, django_assert_num_queries):
    by = authority()
    for _ in range(3):
        bring_to(world, S.DETERMINED, by=by)
    exports.export_batch_create(actor=world.credit_officer, as_of=date(2026, 6, 30))
    for i in range(2):  # candidates with sources: decisions and claims
        decision(world, case=f"（2026）皖1002行初{i + 20}号")
        claim(world)
    candidates_propose(actor=None, as_of=date(2026, 6, 1))
    client = api(world.credit_officer)
    # records: the request's savepoint and release, count, page, one query per kind of source
    # (decisions; claims with their obligations), events and export rows — never one per record
    with django_assert_num_queries(8):
        assert len(ids(client.get(reverse("credit-record-list")))) == 7
    # batches: savepoint and release, count, page (with the operation counts annotated)
    with django_assert_num_queries(4):
        assert len(ids(client.get(reverse("credit-export-list")))) == 1
