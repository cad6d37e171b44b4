"""GET /api/status/: an enterprise's own account as of a date, and its notifications (issue #3 item 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.models import Notification
from ledger.services import obligations as ob_svc
from tests.ledger.claim_helpers import AS_OF, account

pytestmark = pytest.mark.django_db

URL = "/api/status/"


def by_reference(rows):
    return {row["reference"]: row for row in rows}


def test_status_as_of_a_date_with_exact_figures(world, api):
    # given enterprise 1's account (and a debt of enterprise 2's)
    acc = account(world)
    # when enterprise 1 looks as of 2026-06-05
    r = api(world.enterprise_user_1).get(URL, {"as_of": AS_OF.isoformat()})
    # then
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["as_of"] == "2026-06-05"
    assert body["enterprise"] == {
        "id": world.enterprise_1.pk,
        "name": world.enterprise_1.name,
        "uscc": world.enterprise_1.uscc,
    }
    obligations = by_reference(body["obligations"])
    assert set(obligations) == {acc["sme"].reference, acc["contract"].reference}
    sme = obligations[acc["sme"].reference]
    # SPEC R3's worked example, by 民法典 art. 561
    assert {k: sme[k] for k in ("due_on", "amount", "paid", "principal_outstanding", "days_overdue")} == {
        "due_on": "2026-05-06",
        "amount": "200000.00",
        "paid": "49000.00",
        "principal_outstanding": "151000.00",
        "days_overdue": 30,
    }
    assert (sme["interest_accrued"], sme["interest_unpaid"], sme["bears_interest"]) == ("2510.00", "1510.00", True)
    assert (sme["status"], sme["status_label"], sme["regime"]) == ("overdue", "逾期", "sme_procurement")
    contract = obligations[acc["contract"].reference]
    assert (contract["due_on"], contract["principal_outstanding"], contract["days_overdue"]) == (
        "2026-06-01",
        "12345.67",
        4,
    )
    # no statutory interest: said in words, never 0.00
    assert (contract["interest_accrued"], contract["interest_unpaid"], contract["bears_interest"]) == (
        "无法定逾期利息",
        "无法定逾期利息",
        False,
    )
    # the redemption: accepted 2026-05-07, 15 working days → 2026-05-27 (Sat 05-09 is a make-up day); not paid
    (redemption,) = body["redemptions"]
    assert (redemption["reference"], redemption["status"], redemption["status_label"]) == (
        acc["redemption"].reference,
        "accepted",
        "已受理",
    )
    assert (redemption["due_on"], redemption["days_overdue"], redemption["amount"]) == ("2026-05-27", 9, "5000.00")
    assert (redemption["paid"], redemption["interest_unpaid"], redemption["obligation_reference"]) == (None, None, None)
    # the claim: forwarded 2026-06-05, a result due 30 days later
    (claim,) = body["claims"]
    assert (claim["status"], claim["due_on"], claim["status_label"]) == (
        "forwarded",
        "2026-07-06",
        "已转办（办理期限内）",
    )
    assert claim["clock"]["forward"]["state"] == "done_on_time"
    # the 确权 request: 30 days after 2026-05-20 end on 06-19, 端午, so it ends on Mon 2026-06-22
    (confirmation,) = body["confirmations"]
    assert (confirmation["status"], confirmation["due_on"], confirmation["clock"]["days_left"]) == (
        "pending",
        "2026-06-22",
        17,
    )
    # totals over obligations only
    assert body["totals"] == {
        "obligations": 2,
        "overdue": 2,
        "principal": "212345.67",
        "paid": "49000.00",
        "principal_outstanding": "163345.67",
        "overdue_outstanding": "163345.67",
        "interest_accrued": "2510.00",
        "interest_unpaid": "1510.00",
        "claims_open": 1,
        "claimed_open": "80000.00",
        "confirmations_pending": 1,
    }
    # the payment recorded in its favour was notified
    assert body["unread_notifications"] == Notification.objects.filter(user=world.enterprise_user_1).count()
    assert Notification.objects.filter(user=world.enterprise_user_1, kind="payment_recorded").count() == 1


def test_what_had_not_happened_yet_is_not_shown(world, api):
    acc = account(world)
    body = api(world.enterprise_user_1).get(URL, {"as_of": "2026-05-10"}).json()
    # the contract debt arose on 05-01; the claim and the 确权 request came later
    assert {r["reference"] for r in body["obligations"]} == {acc["sme"].reference, acc["contract"].reference}
    assert body["claims"] == [] and body["confirmations"] == []
    sme = by_reference(body["obligations"])[acc["sme"].reference]
    # before the payment of 05-16: 4 days overdue, 200,000 × 4 × 0.05 % = 400.00
    assert (sme["paid"], sme["principal_outstanding"], sme["interest_unpaid"], sme["days_overdue"]) == (
        "0.00",
        "200000.00",
        "400.00",
        4,
    )
    assert body["totals"]["principal_outstanding"] == "212345.67"


@pytest.mark.parametrize("role", ["staff_a", "supervisor", "auditor", "credit_officer", "administrator"])
def test_other_roles_get_403(world, api, role):
    r = api(getattr(world, role)).get(URL)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")


def test_anonymous_gets_401(api):
    assert api().get(URL).status_code == 401


def test_bad_as_of_is_400(world, api):
    r = api(world.enterprise_user_1).get(URL, {"as_of": "2026-13-01"})
    assert (r.status_code, list(r.json()["fields"])) == (400, ["as_of"])


def test_query_count_does_not_grow_with_rows(world, api, django_assert_max_num_queries):
    account(world)
    client = api(world.enterprise_user_1)
    with django_assert_max_num_queries(14) as ctx:
        client.get(URL, {"as_of": "2026-06-05"})
    first = len(ctx.captured_queries)
    for n in range(3):
        ob_svc.obligation_create(
            actor=world.staff_a,
            debtor_agency=world.agency_a,
            creditor=world.enterprise_1,
            source="other",
            title=f"追加{n}",
            principal="10.00",
            arose_on=AS_OF,
            trigger="delivery",
            trigger_on=AS_OF,
        )
    with django_assert_max_num_queries(first):
        client.get(URL, {"as_of": "2026-06-05"})


# --- notifications -----------------------------------------------------------------------------
def test_notifications_list_and_mark_read(world, api):
    account(world)
    client = api(world.enterprise_user_1)
    rows = client.get("/api/notifications/", {"unread": "true"}).json()["results"]
    kinds = sorted(r["kind"] for r in rows)
    assert kinds == ["claim_forwarded", "payment_recorded"]
    payment = next(r for r in rows if r["kind"] == "payment_recorded")
    sme_ref = payment["title"].split("（")[-1].rstrip("）")
    assert payment["title"] == f"{world.agency_a.name}记录付款50000.00元（{sme_ref}）"
    # mark one read
    r = client.post(f"/api/notifications/{payment['id']}/read/")
    assert (r.status_code, r.json()["read"]) == (200, True)
    first_read = r.json()["read_at"]
    # idempotent: the first read time stays
    assert client.post(f"/api/notifications/{payment['id']}/read/").json()["read_at"] == first_read
    assert [r["kind"] for r in client.get("/api/notifications/", {"unread": "true"}).json()["results"]] == [
        "claim_forwarded"
    ]
    # someone else's notification does not exist for them
    assert api(world.enterprise_user_2).post(f"/api/notifications/{payment['id']}/read/").status_code == 404
    assert api(world.staff_a).get(f"/api/notifications/{payment['id']}/").status_code == 404
    # read all
    assert client.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.filter(user=world.enterprise_user_1, read_at__isnull=True).count() == 0


# --- the /status/ pages (the browser test drives the same pages in Chromium) ---------------------
def test_status_page_lists_the_account_as_of_a_date(world, client):
    acc = account(world)
    client.force_login(world.enterprise_user_1)
    r = client.get("/status/", {"as_of": "2026-06-05"})
    assert r.status_code == 200
    html = r.content.decode()
    for ref in (acc["sme"].reference, acc["contract"].reference, acc["redemption"].reference, acc["claim"].reference):
        assert ref in html
    assert acc["others"].reference not in html
    assert '<td class="num" id="total-outstanding">163345.67</td>' in html
    assert "无法定逾期利息" in html
    assert 'href="/api/status/statement/?as_of=2026-06-05&amp;format=xlsx"' in html
    # the page and the API read the same selector
    assert r.context["st"].totals.principal_outstanding == Decimal("163345.67")


def test_obligation_page_and_tenancy(world, client):
    acc = account(world)
    client.force_login(world.enterprise_user_1)
    r = client.get(f"/status/obligations/{acc['sme'].pk}/", {"as_of": "2026-06-05"})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<td class="num" id="outstanding">151000.00</td>' in html
    assert '<td class="num" id="interest-unpaid">1510.00</td>' in html
    assert '<td class="num" id="days-overdue">30</td>' in html
    # another enterprise's obligation does not exist for it
    assert client.get(f"/status/obligations/{acc['others'].pk}/").status_code == 404


@pytest.mark.parametrize("role", ["staff_a", "supervisor"])
def test_status_pages_are_for_enterprises(world, client, role):
    client.force_login(getattr(world, role))
    assert client.get("/status/").status_code == 403


def test_status_page_needs_sign_in(client):
    r = client.get("/status/")
    assert (r.status_code, r["Location"]) == (302, "/accounts/login/?next=/status/")


def test_mark_all_read_from_the_page(world, client):
    account(world)
    client.force_login(world.enterprise_user_1)
    assert client.post("/status/notifications/read/").status_code == 302
    assert Notification.objects.filter(user=world.enterprise_user_1, read_at__isnull=True).count() == 0
