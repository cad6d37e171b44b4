"""The foundation's API: the error envelope, roll-back, USCC echo, tenures, history, tokens, roles."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ledger import clock
from ledger.api import pagination
from ledger.models import AccessLog, Agency, ApiToken, Enterprise, LoginFailure, Obligation, PlanTask, Tenure, User
from tests.factories import TenureFactory, UserFactory
from tests.ledger.report_helpers import ob

pytestmark = pytest.mark.django_db(transaction=False)

VALID_USCC = "91110000600037341L"


# --- the error envelope and roll-back ------------------------------------------------------
@pytest.mark.urls("tests.ledger.rollback_urls")
def test_domain_error_after_a_write_rolls_the_whole_request_back(world, api):
    response = api(world.administrator).post("/write-then-fail/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "late_failure", "detail": "写入后发生领域错误"}
    assert not Agency.objects.filter(short_code="half-written").exists()


@pytest.mark.urls("tests.ledger.rollback_urls")
def test_unknown_error_is_a_bare_500_without_internals(world):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world.administrator)
    response = client.post("/write-then-crash/", {}, format="json")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": "服务器内部错误"}
    assert b"passwd" not in response.content
    assert not Agency.objects.filter(short_code="crash-written").exists()


def test_unauthenticated_request_gets_the_envelope(db):
    response = APIClient().get("/api/tenures/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_missing_object_is_404_in_the_envelope(world, api):
    response = api(world.auditor).get("/api/tenures/999999/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "未找到"}


# --- enterprises and the USCC --------------------------------------------------------------
def test_enterprise_uscc_is_normalised_and_echoed(world, api):
    # given lower case, full-width input
    raw = "９１１１００００６０００３７３４１ｌ"
    response = api(world.administrator).post(
        "/api/enterprises/",
        {
            "name": "北京测试有限公司",
            "uscc": raw,
            "region_code": "110000",
            "scales": [{"scale": "小型", "valid_from": "2024-01-01"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == VALID_USCC
    assert response.json()["scales"] == [{"scale": "小型", "valid_from": "2024-01-01"}]
    assert Enterprise.objects.get(uscc=VALID_USCC).name == "北京测试有限公司"


@pytest.mark.parametrize(
    ("uscc", "code_fragment"),
    [
        ("91110000600037341X", "第18位"),  # wrong check digit
        ("9111000060003734", "18位"),  # too short
        ("O1110000600037341L", "第1位"),  # forbidden letter O
    ],
)
def test_malformed_uscc_is_400_naming_the_field_and_writes_nothing(world, api, uscc, code_fragment):
    before = Enterprise.objects.count()
    response = api(world.administrator).post(
        "/api/enterprises/", {"name": "坏代码公司", "uscc": uscc, "region_code": "341002"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["uscc"]
    assert code_fragment in body["fields"]["uscc"][0]
    assert Enterprise.objects.count() == before


def test_wrong_types_are_400_naming_each_field(world, api):
    response = api(world.administrator).post(
        "/api/tenures/", {"agency": "abc", "person": "", "title": "局长", "start_on": "2024-13-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"agency", "person", "start_on"}
    assert Tenure.objects.count() == 0


def test_unknown_role_is_400(world, api):
    response = api(world.administrator).post(
        "/api/users/", {"username": "newbie", "password": "Very-long-pass-2026", "role": "king"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["role"]
    assert not User.objects.filter(username="newbie").exists()


def test_enterprise_user_must_be_bound_to_an_enterprise(world, api):
    response = api(world.administrator).post(
        "/api/users/", {"username": "ent", "password": "Very-long-pass-2026", "role": "enterprise"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["enterprise"]
    assert not User.objects.filter(username="ent").exists()


# --- tenures ------------------------------------------------------------------------------
def test_overlapping_tenure_is_refused_and_nothing_written(world, api):
    TenureFactory(agency=world.agency_a, person="甲", start_on="2020-01-01", end_on="2023-07-01")
    response = api(world.administrator).post(
        "/api/tenures/",
        {"agency": world.agency_a.pk, "person": "乙", "title": "局长", "start_on": "2023-06-30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "tenure_overlap"
    assert list(response.json()["fields"]) == ["start_on"]
    assert Tenure.objects.filter(agency=world.agency_a).count() == 1


def test_adjacent_tenure_is_allowed_half_open_interval(world, api):
    TenureFactory(agency=world.agency_a, person="甲", start_on="2020-01-01", end_on="2023-07-01")
    response = api(world.administrator).post(
        "/api/tenures/",
        {"agency": world.agency_a.pk, "person": "乙", "title": "局长", "acting": True, "start_on": "2023-07-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["acting"] is True
    assert response.json()["end_on"] is None


def test_agency_staff_cannot_record_tenures_even_their_own(world, api):
    response = api(world.staff_a).post(
        "/api/tenures/", {"agency": world.agency_a.pk, "person": "自己", "title": "局长", "start_on": "2024-01-01"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Tenure.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_exclusion_constraint_refuses_overlap_written_around_the_service(world):
    from django.db import IntegrityError, transaction

    Tenure.objects.create(agency=world.agency_a, person="甲", title="局长", start_on="2020-01-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenure.objects.create(agency=world.agency_a, person="乙", title="局长", start_on="2024-01-01")
    assert Tenure.objects.filter(agency=world.agency_a).count() == 1


# --- history ------------------------------------------------------------------------------
def test_history_shows_who_changed_which_field_from_what_to_what(world, api):
    client = api(world.administrator)
    created = client.post(
        "/api/tenures/", {"agency": world.agency_a.pk, "person": "甲", "title": "局长", "start_on": "2024-01-01"}
    ).json()
    assert client.patch(f"/api/tenures/{created['id']}/", {"title": "书记"}, format="json").status_code == 200
    history = client.get(f"/api/tenures/{created['id']}/history/").json()
    assert [h["type"] for h in history] == ["created", "changed"]
    assert history[1]["user"] == world.administrator.username
    assert history[1]["changes"] == [{"field": "title", "old": "局长", "new": "书记"}]


# --- sign-in, tokens, lockout ---------------------------------------------------------------
@pytest.fixture
def alice(db):
    return UserFactory(username="alice", role="auditor")


def test_token_sign_in_and_use(alice):
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "Test-password-2026"})
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/users/me/").json()["username"] == "alice"
    assert AccessLog.objects.filter(user=alice, action="login").count() == 1


def test_expired_token_is_refused(alice):
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "Test-password-2026"})
    token = response.json()["token"]
    ApiToken.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/users/me/")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "detail": "令牌已过期，请重新登录"}


@override_settings(LEDGER_LOCKOUT_FAILURES=3)
@pytest.mark.django_db(transaction=True)  # failures must persist past the error response
def test_lockout_after_repeated_failures_even_with_the_right_password(alice):
    client = APIClient()
    for _ in range(3):
        r = client.post("/api/auth/token/", {"username": "alice", "password": "wrong-password"})
        assert r.status_code == 400
        assert r.json()["code"] == "invalid_credentials"
    assert LoginFailure.objects.filter(username="alice").count() == 3
    r = client.post("/api/auth/token/", {"username": "alice", "password": "Test-password-2026"})
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"
    assert not ApiToken.objects.filter(user__username="alice").exists()


def test_weak_password_is_refused_with_reasons(world, api):
    response = api(world.administrator).post(
        "/api/users/", {"username": "weak", "password": "12345678", "role": "auditor"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert list(response.json()["fields"]) == ["password"]
    assert not User.objects.filter(username="weak").exists()


# --- roles --------------------------------------------------------------------------------
def test_supervisor_records_plan_progress_and_others_cannot(world, api):
    task = PlanTask.objects.create(plan="测试方案", number=1, title="任务一", body="内容")
    url = f"/api/plan-tasks/{task.pk}/progress/"
    payload = {"reported_on": "2026-11-20", "percent_done": 40, "summary": "已完成平台对接"}
    denied = api(world.staff_a).post(url, payload, format="json")
    assert denied.status_code == 403
    ok = api(world.supervisor).post(url, payload, format="json")
    assert ok.status_code == 201
    assert ok.json()["progress"] == [
        {
            "id": ok.json()["progress"][0]["id"],
            "reported_on": "2026-11-20",
            "percent_done": 40,
            "summary": "已完成平台对接",
            "recorded_by": world.supervisor.username,
        }
    ]
    too_much = api(world.supervisor).post(url, {**payload, "percent_done": 101}, format="json")
    assert too_much.status_code == 400
    assert list(too_much.json()["fields"]) == ["percent_done"]


def test_enterprise_user_sees_only_itself_in_enterprises(world, api):
    response = api(world.enterprise_user_1).get("/api/enterprises/")
    assert [row["id"] for row in response.json()["results"]] == [world.enterprise_1.pk]
    assert response.json()["count"] == 1


def test_agency_staff_of_a_successor_sees_tenures_of_the_merged_agency(world, api):
    world.agency_b.successor = world.agency_a
    world.agency_b.succeeded_on = "2024-03-01"
    world.agency_b.save()
    t = TenureFactory(agency=world.agency_b, person="旧主任")
    ids = [row["id"] for row in api(world.staff_a).get("/api/tenures/").json()["results"]]
    assert ids == [t.pk]
    assert api(world.staff_b).get(f"/api/tenures/{t.pk}/").status_code == 200


def test_unmatched_api_path_is_404_in_the_envelope(world, api):
    response = api(world.auditor).get("/api/agencies/1.5e-308/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "未找到"}


def test_a_code_entered_by_the_administrator_is_no_longer_a_demo_code(world, api):
    from ledger.rules.uscc import calc_check_digit

    # given an agency seeded with a demo code
    Agency.objects.filter(pk=world.agency_a.pk).update(uscc_is_demo=True)
    real = "11341002MB1234567" + calc_check_digit("11341002MB1234567")
    # when the administrator enters the real one
    response = api(world.administrator).patch(f"/api/agencies/{world.agency_a.pk}/", {"uscc": real}, format="json")
    # then it is stored as real; a later change of another field keeps it so
    assert response.status_code == 200, response.json()
    assert (response.json()["uscc"], response.json()["uscc_is_demo"]) == (real, False)
    api(world.administrator).patch(f"/api/agencies/{world.agency_a.pk}/", {"region_code": "341002"}, format="json")
    assert Agency.objects.get(pk=world.agency_a.pk).uscc_is_demo is False


def test_huge_ids_in_a_nested_path_are_a_404_not_a_500(world, api):
    # SQLite cannot bind integers beyond 64 bits; the path id is checked before any query
    url = "/api/obligations/1214550504060119569924096/payments/2755873/object/"
    response = api(world.enterprise_user_1).post(url, {}, format="multipart")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "未找到"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"page": "abc"}, "page", "页码须为正整数，实为“abc”"),
        ({"page": "0"}, "page", "页码须为正整数，实为“0”"),
        ({"page": "-1"}, "page", "页码须为正整数，实为“-1”"),
        ({"page_size": "abc"}, "page_size", "每页条数须为1至500的整数，实为“abc”"),
        ({"page_size": "0"}, "page_size", "每页条数须为1至500的整数，实为“0”"),
        ({"page_size": "501"}, "page_size", "每页条数须为1至500的整数，实为“501”"),
        ({"page_size": "2.5"}, "page_size", "每页条数须为1至500的整数，实为“2.5”"),
    ],
)
def test_a_page_or_page_size_out_of_range_is_400_naming_it(world, api, params, field, message):
    response = api(world.auditor).get("/api/agencies/", params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["fields"]) == (
        "invalid_page" if field == "page" else "invalid_page_size",
        {field: [message]},
    )


def test_pages_read_as_typed_and_a_page_past_the_last_is_404_in_chinese(world, api):
    client = api(world.auditor)
    total = Agency.objects.count()
    assert total >= 2
    first = client.get("/api/agencies/", {"page_size": "１", "page": "２"}).json()  # full-width digits
    assert (first["count"], len(first["results"])) == (total, 1)
    assert client.get("/api/agencies/", {"page_size": "500"}).status_code == 200
    past = client.get("/api/agencies/", {"page": str(total + 1), "page_size": "1"})
    assert past.status_code == 404
    assert past.json() == {"code": "not_found", "detail": f"第{total + 1}页没有记录"}


def test_a_small_result_is_sorted_after_filtering_in_the_same_order(world, api, monkeypatch):
    made = [ob(world, due_on=date(2026, 3, d)) for d in (9, 1, 5, 1)]
    client = api(world.auditor)

    def page(**params):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/api/obligations/", {"ordering": "-due_on,id", "page_size": 3, **params}).json()
        page_sql = next(q["sql"] for q in ctx.captured_queries if "LIMIT" in q["sql"] and "COUNT(" not in q["sql"])
        return [r["id"] for r in body["results"]], page_sql

    expected = [made[0].pk, made[2].pk, made[1].pk]  # 9 March, 5 March, then the first of two 1 Marches
    ids, sql = page()
    assert ids == expected
    column = connection.ops.quote_name("due_on")
    assert f"COALESCE({connection.ops.quote_name('ledger_obligation')}.{column}" in sql
    # a result larger than the threshold keeps the plain ordering, and the same rows in it
    monkeypatch.setattr(pagination, "SORT_AFTER_FILTERING", 3)
    ids, sql = page()
    assert (ids, "COALESCE" in sql) == (expected, False)
    # NULLs stay where the plain ordering puts them (the model's default ordering included)
    Obligation.objects.filter(pk=made[1].pk).update(fully_paid_on=date(2026, 4, 1))
    for order in (["-fully_paid_on", "id"], ["fully_paid_on", "-id"], []):
        plain = Obligation.objects.order_by(*order) if order else Obligation.objects.all()
        assert list(pagination.sort_after_filtering(plain).values_list("pk", flat=True)) == list(
            plain.values_list("pk", flat=True)
        )
