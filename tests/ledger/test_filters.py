"""Filters on the lists auditors use: every filter, the 400s naming the parameter, ordering,
pagination counts, the other lists, saved filters, and pinned query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from ledger import models as m
from ledger.selectors import live
from ledger.services.obligations import refusal_reason_record
from tests.factories import AgencyFactory, EnterpriseFactory, TenureFactory
from tests.ledger.report_helpers import ob, pay
from tests.owned_objects import claim_for, decision_for, policy_for, recommendation_for

pytestmark = pytest.mark.django_db

URL = "/api/obligations/"
AS_OF = "2026-06-30"


def refs(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {row["reference"] for row in response.json()["results"]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


# --- invalid values: a 400 naming the parameter, never an empty or unfiltered list --------------
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"overdue": "maybe"}, "overdue"),
        ({"legacy": "yes please"}, "legacy"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"agency": "999999"}, "agency"),
        ({"agency": "abc"}, "agency"),
        ({"region_code": "34A0"}, "region_code"),
        ({"uscc": "91341002MA2TEST00X"}, "uscc"),
        ({"days_overdue_min": "-1"}, "days_overdue_min"),
        ({"days_overdue_max": "ten"}, "days_overdue_max"),
        ({"days_overdue_min": "99999999999"}, "days_overdue_min"),
        ({"agency": "1" + "0" * 30}, "agency"),
        ({"amount_min": "abc"}, "amount_min"),
        ({"due_from": "30/06/2026"}, "due_from"),
        ({"status": "late"}, "status"),
        ({"regime": "nonsense"}, "regime"),
        ({"stock": "true", "stock_cutoff": "2026-02-30"}, "stock_cutoff"),
        ({"sme_declared": "perhaps"}, "sme_declared"),
        ({"ordering": "-nonexistent"}, "ordering"),
        ({"amount_min": "-1"}, "amount_min"),
        ({"amount_max": "100.005"}, "amount_max"),
        ({"amount_max": "1e30"}, "amount_max"),
        ({"amount_min": "NaN"}, "amount_min"),
        ({"source": "gift"}, "source"),
        ({"outcome": "forgiven"}, "outcome"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_parameter(world, api, params, field):
    ob(world, due_on=date(2026, 6, 1))
    response = api(world.auditor).get(URL, params)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] in {"invalid", "invalid_filter", "invalid_date", "invalid_ordering"}
    assert field in body["fields"], body


def test_the_same_400_on_the_other_lists(world, api):
    client = api(world.auditor)
    for url in ("/api/redemptions/", "/api/claims/", "/api/recommendations/", "/api/decisions/", "/api/contracts/"):
        response = client.get(url, {"overdue": "sometimes"})
        assert response.status_code == 400, url
        assert "overdue" in response.json()["fields"], url


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/contracts/", {"disputed": "yes please"}, "disputed"),
        ("/api/contracts/", {"amount_min": "abc"}, "amount_min"),
        ("/api/contracts/", {"days_overdue_max": "-3"}, "days_overdue_max"),
        ("/api/contracts/", {"due_to": "2026-02-30"}, "due_to"),
        ("/api/contracts/", {"regime": "nonsense"}, "regime"),
        ("/api/redemptions/", {"sme_declared": "maybe"}, "sme_declared"),
        ("/api/claims/", {"regime": "nonsense"}, "regime"),
        ("/api/decisions/", {"outcome": "forgiven"}, "outcome"),
        ("/api/decisions/", {"amount_max": "12.345"}, "amount_max"),
        ("/api/recommendations/", {"region_code": "34A0"}, "region_code"),
        ("/api/recommendations/", {"stock": "perhaps"}, "stock"),
    ],
)
def test_every_list_refuses_a_bad_value_of_each_of_its_filters_by_name(world, api, url, params, field):
    response = api(world.auditor).get(url, params)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid_filter"
    assert list(response.json()["fields"]) == [field]


# --- agency with sub-agencies and merged agencies ------------------------------------------------
def test_agency_includes_sub_agencies_and_merged_ones_agency_exact_not_the_sub_agencies(world, api):
    # given a bureau, its sub-unit, an office merged into it, and an unrelated agency
    bureau = world.agency_a
    sub = AgencyFactory(parent=bureau)
    merged = AgencyFactory(successor=bureau, succeeded_on=date(2025, 1, 1))
    merged_into_sub = AgencyFactory(successor=sub, succeeded_on=date(2025, 1, 1))
    rows = {a: ob(world, agency=a, due_on=date(2026, 6, 1)) for a in (bureau, sub, merged, merged_into_sub)}
    other = ob(world, agency=world.agency_b, due_on=date(2026, 6, 1))
    client = api(world.auditor)
    # when filtered by the bureau
    tree = refs(client.get(URL, {"agency": bureau.pk, "as_of": AS_OF}))
    exact = refs(client.get(URL, {"agency_exact": bureau.pk, "as_of": AS_OF}))
    before_merger = refs(client.get(URL, {"agency_exact": bureau.pk, "as_of": "2024-12-31"}))
    # then
    assert tree == {o.reference for o in rows.values()}
    assert exact == {rows[bureau].reference, rows[merged].reference}
    assert before_merger == {rows[bureau].reference}
    assert other.reference not in tree


def test_region_code_is_a_prefix(world, api):
    here = ob(world, due_on=date(2026, 6, 1))
    town = AgencyFactory(region_code="341002101")
    there = AgencyFactory(region_code="341003")
    in_town = ob(world, agency=town, due_on=date(2026, 6, 1))
    elsewhere = ob(world, agency=there, due_on=date(2026, 6, 1))
    client = api(world.auditor)
    assert refs(client.get(URL, {"region_code": "341002"})) == {here.reference, in_town.reference}
    assert refs(client.get(URL, {"region_code": "3410"})) == {here.reference, in_town.reference, elsewhere.reference}


def test_uscc_is_validated_normalised_and_exact(world, api):
    mine = ob(world, due_on=date(2026, 6, 1))
    ob(world, creditor=world.enterprise_2, due_on=date(2026, 6, 1))
    lower = world.enterprise_1.uscc.lower()
    assert refs(api(world.auditor).get(URL, {"uscc": lower})) == {mine.reference}


# --- live states as of a date --------------------------------------------------------------------
def test_overdue_and_days_overdue_as_of_a_date(world, api):
    d10 = ob(world, due_on=date(2026, 6, 20))  # 10 days overdue on 06-30
    d30 = ob(world, due_on=date(2026, 5, 31))  # 30
    d31 = ob(world, due_on=date(2026, 5, 30))  # 31
    today_due = ob(world, due_on=date(2026, 6, 30))  # due, not overdue
    paid = pay(world, ob(world, due_on=date(2026, 5, 1)), "1000.00", date(2026, 5, 20))
    client = api(world.auditor)
    assert refs(client.get(URL, {"overdue": "true", "as_of": AS_OF})) == {d10.reference, d30.reference, d31.reference}
    assert refs(client.get(URL, {"overdue": "false", "as_of": AS_OF})) == {today_due.reference, paid.reference}
    in_range = client.get(URL, {"days_overdue_min": "10", "days_overdue_max": "30", "as_of": AS_OF})
    assert refs(in_range) == {d10.reference, d30.reference}
    assert refs(client.get(URL, {"days_overdue_min": "31", "as_of": AS_OF})) == {d31.reference}
    # as of other days the same records answer differently
    assert refs(client.get(URL, {"overdue": "true", "as_of": "2026-05-31"})) == {d31.reference}
    assert refs(client.get(URL, {"overdue": "true", "as_of": "2026-05-10"})) == {paid.reference}


def test_due_range_amount_range_and_sme(world, api):
    small = ob(world, due_on=date(2026, 3, 1), principal="100.00")
    large = ob(world, due_on=date(2026, 4, 1), principal="100000.00", sme_declared=True)
    ob(world, due_on=date(2026, 5, 1), principal="500.00")
    client = api(world.auditor)
    assert refs(client.get(URL, {"due_from": "2026-03-01", "due_to": "2026-04-01"})) == {
        small.reference,
        large.reference,
    }
    assert refs(client.get(URL, {"amount_min": "100.00", "amount_max": "499.99"})) == {small.reference}
    assert refs(client.get(URL, {"sme_declared": "true"})) == {large.reference}


def test_legacy_debt_cases_as_of_a_date(world, api):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    old = ob(world, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4))
    under_yi = ob(world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1))
    client = api(world.auditor)
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF})) == {old.reference}
    # before the handover the same debt was not a case
    assert refs(client.get(URL, {"legacy": "true", "as_of": "2026-02-20"})) == set()
    # 甲 back in office on 2026-05-01 (the same person, not acting: no change for the debt that
    # arose under 甲; a change for the one that arose under 乙); the tenures edited in place, as a
    # bulk correction would: the answers follow at once
    m.Tenure.objects.filter(agency=world.agency_a, person="乙").update(end_on=date(2026, 5, 1))
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2026, 5, 1))
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF})) == {under_yi.reference}
    assert refs(client.get(URL, {"legacy": "true", "as_of": "2026-04-20"})) == {old.reference}


def test_legacy_within_an_agency_filter_keeps_to_that_agency(world, api):
    # both agencies changed head on 2026-03-01; the legacy filter beside an agency filter asks R5
    # only for that agency's debtors, with the same answers
    for agency in (world.agency_a, world.agency_b):
        TenureFactory(agency=agency, person=f"甲{agency.pk}", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
        TenureFactory(agency=agency, person=f"乙{agency.pk}", start_on=date(2026, 3, 1))
    old_a = ob(world, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4))
    new_a = ob(world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1))
    old_b = ob(world, agency=world.agency_b, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4))
    client = api(world.auditor)
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF})) == {old_a.reference, old_b.reference}
    a, b = world.agency_a.pk, world.agency_b.pk
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF, "agency": a})) == {old_a.reference}
    assert refs(client.get(URL, {"legacy": "false", "as_of": AS_OF, "agency": a})) == {new_a.reference}
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF, "agency_exact": b})) == {old_b.reference}
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF, "debtor_agency": b})) == {old_b.reference}
    # two agency filters that leave no agency leave no case
    assert refs(client.get(URL, {"legacy": "true", "as_of": AS_OF, "agency": a, "debtor_agency": b})) == set()


def test_violations(world, api):
    refused = ob(world, due_on=date(2026, 5, 1))
    lawful = ob(world, due_on=date(2026, 5, 1))
    refusal_reason_record(
        actor=world.staff_a, obligation=refused, code="leadership_change", given_on=date(2026, 5, 10), text="领导更换"
    )
    refusal_reason_record(
        actor=world.staff_a, obligation=lawful, code="other_lawful", given_on=date(2026, 5, 10), text="对方未开票"
    )
    client = api(world.auditor)
    assert refs(client.get(URL, {"violation": "true"})) == {refused.reference}
    assert refs(client.get(URL, {"violation": "false"})) == {lawful.reference}


def test_stock_against_new(world, api):
    stock = ob(world, arose_on=date(2021, 12, 31), due_on=date(2022, 1, 30))
    new = ob(world, arose_on=date(2022, 1, 1), due_on=date(2022, 1, 31))
    client = api(world.auditor)
    # the default cut-off is settings.LEDGER_STOCK_CUTOFF (2022-01-01)
    assert refs(client.get(URL, {"stock": "true"})) == {stock.reference}
    assert refs(client.get(URL, {"stock": "false"})) == {new.reference}
    assert refs(client.get(URL, {"stock": "true", "stock_cutoff": "2022-01-02"})) == {stock.reference, new.reference}


def test_ordering_and_pagination_with_the_total_count(world, api):
    rows = [ob(world, due_on=date(2026, 1, d), principal=f"{d}00.00") for d in (5, 3, 9, 1)]
    client = api(world.auditor)
    response = client.get(URL, {"ordering": "-principal", "page_size": 2})
    body = response.json()
    assert body["count"] == 4
    assert [r["principal"] for r in body["results"]] == ["900.00", "500.00"]
    page2 = client.get(URL, {"ordering": "-principal", "page_size": 2, "page": 2}).json()
    assert [r["principal"] for r in page2["results"]] == ["300.00", "100.00"]
    assert {r["reference"] for r in body["results"] + page2["results"]} == {o.reference for o in rows}


def test_staff_filters_only_within_their_own_agency(world, api):
    mine = ob(world, due_on=date(2026, 6, 1))
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 1))
    # asking for agency B gives nothing of B's: the list is scoped before it is filtered
    assert refs(api(world.staff_a).get(URL, {"agency": world.agency_b.pk})) == set()
    assert refs(api(world.staff_a).get(URL, {"overdue": "true", "as_of": AS_OF})) == {mine.reference}


def test_obligation_list_with_every_live_filter_keeps_its_query_count(world, api, django_assert_num_queries):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1))
    for i in range(6):
        o = ob(world, arose_on=date(2021, 6, 1), due_on=date(2021, 7, 1 + i))
        pay(world, o, "100.00", date(2021, 8, 1))
    client = api(world.auditor)
    params = {
        "as_of": AS_OF,
        "agency": world.agency_a.pk,
        "overdue": "true",
        "days_overdue_min": "1",
        "legacy": "false",
        "violation": "false",
        "stock": "true",
        "ordering": "-due_on",
    }
    # savepoint/release, the agency, the agency graph (parents and successions, shared by the
    # agency filter and the R5 SQL), count, page (with each row's stored entry state), refusal
    # reasons, then the list's own successions and tenures — the same for 6 rows as for 60. On
    # PostgreSQL R5 is a WHERE predicate over the debtors' segments: the digest of the facts they
    # come from, and — the first time those facts are seen — the successions and tenures.
    pg = connection.vendor == "postgresql"
    live._REMEMBERED.clear()
    with django_assert_num_queries(12 if pg else 9):
        response = client.get(URL, params)
    assert response.json()["count"] == 6
    assert {r["principal_outstanding"] for r in response.json()["results"]} == {"900.00"}
    # a row whose entry state was never stored has its entries read: one query more, same figures
    # (on PostgreSQL the segments are remembered: only their digest is read)
    m.LedgerEntry.objects.filter(obligation__reference=response.json()["results"][0]["reference"]).update(
        after_principal_outstanding=None
    )
    with django_assert_num_queries(11 if pg else 10):
        again = client.get(URL, params)
    assert again.json()["results"] == response.json()["results"]


# --- the other lists ---------------------------------------------------------------------------------
def test_redemption_filters(world, api):
    policy = policy_for(
        world,
        doc_number="屯政〔2026〕9号",
        title="免申即享测试政策",
        delivery_mode=m.DeliveryMode.FREE_APPLY,
        redemption_working_days=10,
    )
    overdue_ob = ob(world, due_on=date(2026, 5, 1), source=m.Source.REDEMPTION)
    free = m.Redemption.objects.create(
        policy=policy,
        agency=world.agency_a,
        enterprise=world.enterprise_1,
        region_code="341002",
        amount=Decimal("1000.00"),
        status=m.RedemptionStatus.APPROVED,
        eligible_on=date(2021, 3, 1),
        notified_on=date(2026, 3, 2),
        approved_on=date(2026, 3, 10),
        obligation=overdue_ob,
    )
    applied = m.Redemption.objects.create(
        policy=policy,
        agency=world.agency_b,
        enterprise=world.enterprise_2,
        region_code="341002",
        amount=Decimal("50.00"),
        status=m.RedemptionStatus.APPLIED,
        applied_on=date(2026, 3, 2),
    )
    client = api(world.auditor)
    url = "/api/redemptions/"
    assert ids(client.get(url, {"free_apply": "true"})) == {free.pk}
    assert ids(client.get(url, {"free_apply": "false"})) == {applied.pk}
    assert ids(client.get(url, {"overdue": "true", "as_of": AS_OF})) == {free.pk}
    assert ids(client.get(url, {"agency": world.agency_b.pk})) == {applied.pk}
    assert ids(client.get(url, {"uscc": world.enterprise_2.uscc})) == {applied.pk}
    assert ids(client.get(url, {"amount_max": "100"})) == {applied.pk}
    assert ids(client.get(url, {"stock": "true"})) == {free.pk}  # eligible in 2021, before the cut-off


def test_claim_filters(world, api):
    late = claim_for(
        world, status=m.ClaimStatus.ACCEPTED, accepted_on=date(2026, 5, 4), forward_due_on=date(2026, 5, 18)
    )
    fresh = claim_for(world, agency=world.agency_b, enterprise=world.enterprise_2, amount=Decimal("10.00"))
    client = api(world.auditor)
    url = "/api/claims/"
    assert ids(client.get(url, {"overdue": "true", "as_of": AS_OF})) == {late.pk}
    assert ids(client.get(url, {"status": ["filed", "withdrawn"]})) == {fresh.pk}
    assert ids(client.get(url, {"agency_exact": world.agency_b.pk})) == {fresh.pk}
    assert ids(client.get(url, {"amount_min": "1000"})) == {late.pk}


def test_recommendation_and_decision_filters(world, api):
    unreplied = recommendation_for(world, deadline=date(2026, 5, 6))
    pending = recommendation_for(world, recipient=world.agency_b, served_on=date(2026, 6, 1), deadline=date(2026, 8, 3))
    unperformed = decision_for(world, performance_deadline=date(2026, 4, 1), amount=Decimal("5000.00"))
    in_time = decision_for(world, performance_deadline=date(2026, 9, 1), creditor=world.enterprise_2)
    client = api(world.auditor)
    assert ids(client.get("/api/recommendations/", {"overdue": "true", "as_of": AS_OF})) == {unreplied.pk}
    assert ids(client.get("/api/recommendations/", {"agency": world.agency_b.pk})) == {pending.pk}
    days = {"days_overdue_min": "50", "days_overdue_max": "60", "as_of": AS_OF}
    assert ids(client.get("/api/recommendations/", days)) == {unreplied.pk}  # 55 days
    assert ids(client.get("/api/decisions/", {"overdue": "true", "as_of": AS_OF})) == {unperformed.pk}
    assert ids(client.get("/api/decisions/", {"uscc": world.enterprise_2.uscc})) == {in_time.pk}
    assert ids(client.get("/api/decisions/", {"due_from": "2026-08-01"})) == {in_time.pk}


def test_redemption_claim_and_decision_filters_read_their_obligation(world, api):
    # given an SME procurement debt verified from a claim, refused for a violating reason and left
    # behind by the previous head; a court decision's debt, paid; and a redemption's, written off
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    sme_debt = ob(
        world,
        arose_on=date(2026, 1, 5),
        due_on=date(2026, 2, 4),
        source=m.Source.CLAIM,
        regime=m.Regime.SME_PROCUREMENT,
        sme_declared=True,
    )
    refusal_reason_record(
        actor=world.staff_a, obligation=sme_debt, code="leadership_change", given_on=date(2026, 2, 10), text="领导更换"
    )
    verified = claim_for(world, status=m.ClaimStatus.VERIFIED, obligation=sme_debt)
    unverified = claim_for(world, enterprise=world.enterprise_2)
    court_debt = pay(
        world,
        ob(
            world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1), source=m.Source.DECISION, regime="court_decision"
        ),
        "1000.00",
        date(2026, 4, 20),
    )
    paid_decision = decision_for(world, obligation=court_debt, performed_on=date(2026, 4, 20), status="performed")
    open_decision = decision_for(world, amount=Decimal("5000.00"))
    grant = ob(
        world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1), source=m.Source.REDEMPTION, regime="redemption"
    )
    grant.outcome, grant.outcome_on, grant.outcome_basis = m.Outcome.WRITTEN_OFF, date(2026, 6, 1), "依法核销"
    grant.save()
    policy = policy_for(world, doc_number="屯政〔2026〕7号", redemption_working_days=10)
    common = {"policy": policy, "agency": world.agency_a, "enterprise": world.enterprise_1, "region_code": "341002"}
    written_off = m.Redemption.objects.create(
        **common,
        amount=Decimal("1000.00"),
        status=m.RedemptionStatus.APPROVED,
        applied_on=date(2026, 3, 2),
        accepted_on=date(2026, 3, 3),
        approved_on=date(2026, 4, 1),
        obligation=grant,
    )
    m.Redemption.objects.create(
        **common, amount=Decimal("20.00"), status=m.RedemptionStatus.APPLIED, applied_on=date(2026, 3, 2)
    )
    client = api(world.auditor)
    # then the claims list answers by its debt's regime, SME status, legacy case and violation
    claims = "/api/claims/"
    assert ids(client.get(claims, {"regime": "sme_procurement"})) == {verified.pk}
    assert ids(client.get(claims, {"sme_declared": "true"})) == {verified.pk}
    assert ids(client.get(claims, {"legacy": "true", "as_of": AS_OF})) == {verified.pk}
    assert ids(client.get(claims, {"legacy": "false", "as_of": AS_OF})) == {unverified.pk}
    assert ids(client.get(claims, {"violation": "true"})) == {verified.pk}
    assert ids(client.get(claims, {"obligation_overdue": "true", "as_of": AS_OF})) == {verified.pk}
    assert ids(client.get(claims, {"days_overdue_min": "146", "days_overdue_max": "146", "as_of": AS_OF})) == {
        verified.pk
    }
    assert ids(client.get(claims, {"days_overdue_min": "147", "as_of": AS_OF})) == set()
    # the decisions list by its debt's outcome and regime
    decisions = "/api/decisions/"
    assert ids(client.get(decisions, {"outcome": "paid", "as_of": AS_OF})) == {paid_decision.pk}
    assert ids(client.get(decisions, {"regime": ["court_decision", "contract"]})) == {paid_decision.pk}
    assert ids(client.get(decisions, {"amount_min": "4999.99", "amount_max": "5000.00"})) == {open_decision.pk}
    assert ids(client.get(decisions, {"region_code": "341002", "stock": "false"})) == {
        paid_decision.pk,
        open_decision.pk,
    }
    # the redemptions list by its debt's outcome, and its region
    redemptions = "/api/redemptions/"
    assert ids(client.get(redemptions, {"outcome": "written_off"})) == {written_off.pk}
    assert ids(client.get(redemptions, {"regime": "redemption", "region_code": "341002"})) == {written_off.pk}
    assert ids(client.get(redemptions, {"sme_declared": "true"})) == set()
    assert ids(client.get(redemptions, {"due_from": "2026-05-01", "due_to": "2026-05-01"})) == {written_off.pk}


def test_contract_filters_over_its_government_payments(world, api):
    from contracts import models as cm
    from tests.owned_objects import contract_for

    # given two contracts: A's payment 31 days overdue on 2026-06-30 and one paid; B's, 10 days
    late = contract_for(world, sme_declared=True)
    fresh = contract_for(world, agency=world.agency_b, counterparty=world.enterprise_2, amount=Decimal("5000.00"))
    unpaid = ob(world, due_on=date(2026, 5, 30), principal="3000.00", source="milestone", regime="sme_procurement")
    settled = pay(
        world, ob(world, due_on=date(2026, 6, 25), principal="10.00", source="milestone"), "10.00", date(2026, 6, 1)
    )
    recent = ob(world, agency=world.agency_b, creditor=world.enterprise_2, due_on=date(2026, 6, 20), source="milestone")
    for contract, debt in ((late, unpaid), (late, settled), (fresh, recent)):
        cm.Milestone.objects.create(
            contract=contract,
            side="government",
            kind="payment",
            title="付款",
            amount=debt.principal,
            payment_basis="delivery",
            obligation=debt,
        )
    fresh.disputed_since = date(2026, 6, 1)
    fresh.save()
    client = api(world.auditor)
    url = "/api/contracts/"
    # then days overdue: one payment must meet both bounds
    assert ids(client.get(url, {"days_overdue_min": "31", "as_of": AS_OF})) == {late.pk}
    assert ids(client.get(url, {"days_overdue_min": "5", "days_overdue_max": "10", "as_of": AS_OF})) == {fresh.pk}
    assert ids(client.get(url, {"days_overdue_min": "11", "days_overdue_max": "30", "as_of": AS_OF})) == set()
    # A's paid milestone falls due on 06-25 but does not make A overdue
    assert ids(client.get(url, {"due_from": "2026-06-21", "due_to": "2026-06-30"})) == {late.pk}
    assert ids(client.get(url, {"due_from": "2026-06-01", "due_to": "2026-06-24"})) == {fresh.pk}
    assert ids(client.get(url, {"due_to": "2026-05-30"})) == {late.pk}
    assert ids(client.get(url, {"regime": "sme_procurement"})) == {late.pk}
    assert ids(client.get(url, {"sme_declared": "true"})) == {late.pk}
    assert ids(client.get(url, {"disputed": "true"})) == {fresh.pk}
    assert ids(client.get(url, {"disputed": "false"})) == {late.pk}
    assert ids(client.get(url, {"amount_max": "5000.00"})) == {fresh.pk}
    assert ids(client.get(url, {"region_code": "341002", "ordering": "-amount"})) == {late.pk, fresh.pk}
    assert [r["id"] for r in client.get(url, {"ordering": "amount"}).json()["results"]] == [fresh.pk, late.pk]


def test_contract_filters(world, api):
    from tests.owned_objects import contract_for

    mine = contract_for(world)
    other = contract_for(world, agency=world.agency_b, counterparty=EnterpriseFactory(), signed_on=date(2021, 5, 1))
    client = api(world.auditor)
    assert ids(client.get("/api/contracts/", {"agency": world.agency_a.pk})) == {mine.pk}
    assert ids(client.get("/api/contracts/", {"uscc": world.enterprise_1.uscc})) == {mine.pk}
    assert ids(client.get("/api/contracts/", {"stock": "true"})) == {other.pk}


# --- saved filters --------------------------------------------------------------------------------
def test_saved_filters_are_checked_by_the_lists_filters_and_are_their_owners_alone(world, api):
    client = api(world.auditor)
    # when an auditor saves a filter for the obligations list
    created = client.post(
        "/api/saved-filters/",
        {"name": "逾期90天以上", "resource": "obligation", "query": "overdue=true&days_overdue_min=91"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == "/api/obligations/?overdue=true&days_overdue_min=91"
    assert body["export_url"] == "/api/obligations/export/?overdue=true&days_overdue_min=91"
    # then it is theirs: listed for them, absent for others
    assert [r["name"] for r in client.get("/api/saved-filters/").json()["results"]] == ["逾期90天以上"]
    assert api(world.supervisor).get("/api/saved-filters/").json()["count"] == 0
    assert api(world.supervisor).get(f"/api/saved-filters/{body['id']}/").status_code == 404
    # a query the list would refuse is refused, naming it, and nothing is written
    bad = client.post(
        "/api/saved-filters/", {"name": "坏的", "resource": "obligation", "query": "overdue=maybe"}, format="json"
    )
    assert bad.status_code == 400
    assert "query.overdue" in bad.json()["fields"]
    unknown = client.post("/api/saved-filters/", {"name": "x", "resource": "nothing", "query": ""}, format="json")
    assert unknown.status_code == 400
    assert "resource" in unknown.json()["fields"]
    assert m.SavedFilter.objects.count() == 1
    # renamed, then deleted by its owner
    renamed = client.patch(f"/api/saved-filters/{body['id']}/", {"name": "逾期三个月以上"}, format="json")
    assert renamed.json()["name"] == "逾期三个月以上"
    assert client.delete(f"/api/saved-filters/{body['id']}/").status_code == 204
    assert m.SavedFilter.objects.count() == 0


def _rows_for(world, n: int, start: int):
    from tests.owned_objects import contract_for

    policy = m.Policy.objects.get_or_create(
        doc_number="屯政〔2026〕88号",
        issuing_agency=world.agency_a,
        defaults={
            "title": "计数政策",
            "valid_from": date(2026, 1, 1),
            "delivery_mode": m.DeliveryMode.ON_APPLICATION,
            "redemption_working_days": 10,
            "region_code": "341002",
        },
    )[0]
    for i in range(start, start + n):
        o = ob(world, due_on=date(2026, 5, 1 + i))
        m.Redemption.objects.create(
            policy=policy,
            agency=world.agency_a,
            enterprise=world.enterprise_1,
            region_code="341002",
            amount=Decimal("10.00"),
            status=m.RedemptionStatus.APPROVED,
            applied_on=date(2026, 3, 1),
            accepted_on=date(2026, 3, 2),
            approved_on=date(2026, 3, 3),
            obligation=o,
        )
        claim_for(world, status=m.ClaimStatus.ACCEPTED, accepted_on=date(2026, 5, 4), forward_due_on=date(2026, 5, 18))
        recommendation_for(world, deadline=date(2026, 5, 6))
        decision_for(world, performance_deadline=date(2026, 4, 1))
        contract_for(world, title=f"合同{i}")


LIST_QUERIES = {
    # savepoint/release, the agency and the agency graph (agency filter), count, page, the list's
    # own prefetches — the same whatever the number of rows
    "/api/redemptions/": 7,
    "/api/claims/": 7,
    "/api/recommendations/": 9,
    "/api/decisions/": 6,
    "/api/contracts/": 10,
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_filtered_lists_keep_their_query_count_whatever_the_rows(world, api, url, django_assert_num_queries):
    client = api(world.auditor)
    params = {"agency": world.agency_a.pk, "overdue": "true", "as_of": AS_OF, "stock": "false"}
    if url == "/api/contracts/":
        params["overdue"] = "false"
    _rows_for(world, 2, 0)
    with django_assert_num_queries(LIST_QUERIES[url]):
        small = client.get(url, params)
    _rows_for(world, 4, 2)
    with django_assert_num_queries(LIST_QUERIES[url]):
        large = client.get(url, params)
    assert (small.json()["count"], large.json()["count"]) == (2, 6)


def test_export_keeps_its_query_count_whatever_the_rows(world, api, django_assert_num_queries):
    client = api(world.auditor)
    params = {"agency": world.agency_a.pk, "overdue": "true", "as_of": AS_OF}
    for i in range(3):
        ob(world, due_on=date(2026, 5, 1 + i))

    def export():
        response = client.get("/api/obligations/export/", params)
        return b"".join(response.streaming_content).count(b"\n")

    # savepoint/release, the agency, the agency graph (the filter's, then the R5 column's), the
    # distinct USCCs checked before anything leaves (R8), count, the log, then streaming: the rows
    # with their entries and refusal reasons (one chunk of 2,000), the log's final row count.
    # PostgreSQL streams the rows, as-of columns included, from one COPY after checking every entry
    # carries its stored state (ledger/selectors/asof_sql.py): 2 queries for those 3.
    expected = 11 if connection.vendor == "postgresql" else 12
    with django_assert_num_queries(expected):
        assert export() == 4
    for i in range(3, 9):
        ob(world, due_on=date(2026, 5, 1 + i))
    with django_assert_num_queries(expected):
        assert export() == 10


@pytest.mark.parametrize(
    ("url", "column"),
    [
        ("/api/redemptions/", "amount"),
        ("/api/claims/", "amount"),
        ("/api/recommendations/", "deadline"),
        ("/api/decisions/", "performance_deadline"),
        ("/api/contracts/", "amount"),
    ],
)
def test_the_other_lists_order_on_their_main_columns_and_count_the_whole_list(world, api, url, column):
    from tests.owned_objects import contract_for

    for i in (2, 3, 1):
        if url == "/api/redemptions/":
            policy = m.Policy.objects.get_or_create(
                doc_number="屯政〔2026〕6号",
                issuing_agency=world.agency_a,
                defaults={
                    "title": "排序政策",
                    "valid_from": date(2026, 1, 1),
                    "delivery_mode": m.DeliveryMode.ON_APPLICATION,
                    "redemption_working_days": 10,
                    "region_code": "341002",
                },
            )[0]
            m.Redemption.objects.create(
                policy=policy,
                agency=world.agency_a,
                enterprise=world.enterprise_1,
                region_code="341002",
                amount=Decimal(f"{i}00.00"),
                status=m.RedemptionStatus.APPLIED,
                applied_on=date(2026, 3, 2),
            )
        elif url == "/api/claims/":
            claim_for(world, amount=Decimal(f"{i}00.00"))
        elif url == "/api/recommendations/":
            recommendation_for(world, deadline=date(2026, 5, i))
        elif url == "/api/decisions/":
            decision_for(world, performance_deadline=date(2026, 4, i))
        else:
            contract_for(world, amount=Decimal(f"{i}00.00"), title=f"合同{i}")
    client = api(world.auditor)
    # when ordered descending, two to a page
    first = client.get(url, {"ordering": f"-{column}", "page_size": 2}).json()
    second = client.get(url, {"ordering": f"-{column}", "page_size": 2, "page": 2}).json()
    # then the whole list is counted and the pages follow the order
    values = [r[column] for r in first["results"] + second["results"]]
    assert (first["count"], second["count"]) == (3, 3)
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 3
    assert first["next"] is not None and second["next"] is None
    refused = client.get(url, {"ordering": "secret_column"})
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["ordering"]
