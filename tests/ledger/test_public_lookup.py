"""GET /api/status/lookup/: USCC and reference together, throttled, a wrong pair = a missing one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from ledger.models import AccessLog
from tests.ledger.claim_helpers import account

pytestmark = pytest.mark.django_db

URL = "/api/status/lookup/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_the_right_pair_shows_the_status_figures_only(world, api):
    acc = account(world)
    r = api().get(
        URL, {"uscc": world.enterprise_1.uscc.lower(), "reference": acc["sme"].reference.lower(), "as_of": "2026-06-05"}
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "as_of": "2026-06-05",
        "reference": acc["sme"].reference,
        "debtor_agency": world.agency_a.name,
        "due_on": "2026-05-06",
        "status": "overdue",
        "status_label": "逾期",
        "principal": "200000.00",
        "principal_paid": "49000.00",
        "principal_outstanding": "151000.00",
        "interest_accrued": "2510.00",
        "interest_unpaid": "1510.00",
        "days_overdue": 30,
    }
    # nothing about the enterprise, its people, or the payments themselves
    log = AccessLog.objects.get(action="public_lookup")
    assert (log.user, log.target, log.detail["status"]) == (None, acc["sme"].reference, 200)


def test_no_statutory_interest_is_said_in_words(world, api):
    acc = account(world)
    body = (
        api()
        .get(URL, {"uscc": world.enterprise_1.uscc, "reference": acc["contract"].reference, "as_of": "2026-06-05"})
        .json()
    )
    assert (body["interest_accrued"], body["interest_unpaid"]) == ("无法定逾期利息", "无法定逾期利息")


def test_a_wrong_pair_answers_exactly_like_a_missing_reference(world, api):
    acc = account(world)
    # the reference of enterprise 1's debt with enterprise 2's (valid) USCC
    wrong = api().get(URL, {"uscc": world.enterprise_2.uscc, "reference": acc["sme"].reference})
    missing = api().get(URL, {"uscc": world.enterprise_1.uscc, "reference": "OB-23456789ABCDEFGH"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.content == missing.content
    assert wrong.json() == {"code": "not_found", "detail": "未找到：统一社会信用代码与编号不匹配或不存在"}
    # both attempts are logged
    assert sorted(log.detail["status"] for log in AccessLog.objects.filter(action="public_lookup")) == [404, 404]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"reference": "OB-X"}, "uscc"),
        ({"uscc": "91341002MA2TEST001"}, "reference"),
        ({"uscc": "not-a-uscc", "reference": "OB-X"}, "uscc"),
    ],
)
def test_incomplete_or_malformed_input_is_400_and_logged(world, api, params, field):
    r = api().get(URL, params)
    assert (r.status_code, list(r.json()["fields"])) == (400, [field])
    assert AccessLog.objects.get(action="public_lookup").detail["status"] == 400


def test_no_sign_in_is_needed_and_a_session_is_ignored(world, api):
    acc = account(world)
    r = api(world.enterprise_user_2).get(URL, {"uscc": world.enterprise_1.uscc, "reference": acc["sme"].reference})
    assert r.status_code == 200
    assert AccessLog.objects.get(action="public_lookup").user is None


# The lookup commits its own log (non-atomic view); a throttled answer goes through DRF's
# set_rollback(), which would poison the test's wrapping transaction: use a real one.
@pytest.mark.django_db(transaction=True)
def test_lookups_are_throttled(world, api):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_lookup"]
    allowed = int(rate.split("/")[0])
    client = api()
    params = {"uscc": world.enterprise_1.uscc, "reference": "OB-NONE"}
    codes = [client.get(URL, params).status_code for _ in range(allowed)]
    assert codes == [404] * allowed
    r = client.get(URL, params)
    assert (r.status_code, r.json()["code"]) == (429, "throttled")
    assert "Retry-After" in r
    # a throttled request is not a lookup: only the answered ones are logged
    assert AccessLog.objects.filter(action="public_lookup").count() == allowed
