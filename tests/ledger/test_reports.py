"""Reports as of a date: exact figures on hand-built sets (ageing, the UK payment-practice measures
computed by hand, stock clearance, tenures, policies, the yearly SME disclosure), the links behind
the figures, CSV/XLSX, roles, and published snapshots that never change."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from ledger import models as m
from ledger.reports.registry import ReportContext, section
from ledger.selectors.reports import ReportParams
from ledger.services import redemptions as rsvc
from tests.factories import AgencyFactory, TenureFactory
from tests.ledger.report_helpers import ob, pay
from tests.owned_objects import policy_for

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"


def report(client, kind, **params):
    response = client.get(f"/api/reports/{kind}/", params)
    assert response.status_code == 200, response.content[:400]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def row_of(body, name):
    return next(r for r in body["rows"] if r["agency"] == name)


# --- ageing ------------------------------------------------------------------------------------
def _ageing_set(world):
    """As of 2026-06-30, agency A (contract regime, no interest)."""
    ob(world, due_on=date(2026, 7, 10), principal="1000.00")  # not yet due
    ob(world, due_on=date(2026, 6, 30), principal="2000.00")  # due today: not yet due
    ob(world, due_on=date(2026, 6, 20), principal="3000.00")  # 10 days: 1–30
    ob(world, due_on=date(2026, 5, 31), principal="4000.00")  # 30 days: 1–30
    ob(world, due_on=date(2026, 5, 30), principal="5000.00")  # 31 days: 31–90
    ob(world, due_on=date(2026, 1, 1), principal="6000.00")  # 180 days: 91–180
    ob(world, due_on=date(2025, 12, 31), principal="7000.00")  # 181 days: 181–365
    ob(world, due_on=date(2025, 6, 30), principal="8000.00")  # 365 days: 181–365
    ob(world, due_on=date(2025, 6, 29), principal="9000.00")  # 366 days: over 365
    partly = ob(world, due_on=date(2026, 3, 1), principal="10000.00")  # 121 days: 91–180
    pay(world, partly, "4000.00", date(2026, 3, 15))
    pay(world, ob(world, due_on=date(2026, 4, 1), principal="500.00"), "500.00", date(2026, 4, 20))  # paid
    written_off = ob(world, due_on=date(2026, 2, 1), principal="600.00")
    written_off.outcome, written_off.outcome_on, written_off.outcome_basis = "written_off", date(2026, 5, 1), "依法核销"
    written_off.save()
    cancelled = ob(world, due_on=date(2026, 2, 1), principal="700.00")
    cancelled.outcome, cancelled.outcome_on, cancelled.outcome_basis = "cancelled", date(2026, 5, 1), "重复登记"
    cancelled.save()
    ob(world, agency=world.agency_b, due_on=date(2026, 6, 1), principal="100.00")  # B: 29 days


def test_ageing_buckets_by_agency_exact(world, api):
    _ageing_set(world)
    body = report(api(world.auditor), "agencies", as_of=AS_OF)
    a = row_of(body, world.agency_a.name)
    assert a["obligations"] == 12  # the cancelled one is not a debt
    assert a["principal"] == "56100.00"
    assert a["outstanding"] == "51000.00"
    assert (a["overdue_count"], a["overdue_amount"]) == (8, "48000.00")
    buckets = {
        k: (a[f"ageing_{k}_count"], a[f"ageing_{k}"])
        for k in ("not_yet_due", "d1_30", "d31_90", "d91_180", "d181_365", "over_365")
    }
    assert buckets == {
        "not_yet_due": (2, "3000.00"),
        "d1_30": (2, "7000.00"),
        "d31_90": (1, "5000.00"),
        "d91_180": (2, "12000.00"),
        "d181_365": (2, "15000.00"),
        "over_365": (1, "9000.00"),
    }
    b = row_of(body, world.agency_b.name)
    assert (b["ageing_d1_30_count"], b["ageing_d1_30"]) == (1, "100.00")
    total = body["total"]
    assert (total["agency"], total["overdue_count"], total["overdue_amount"]) == ("合计", 9, "48100.00")
    assert body["params"]["as_of"] == AS_OF


def test_each_figure_links_to_the_filtered_list_with_the_same_count(world, api):
    _ageing_set(world)
    client = api(world.auditor)
    a = row_of(report(client, "agencies", as_of=AS_OF), world.agency_a.name)
    for column, expected in [
        ("obligations", 12),
        ("overdue_count", 8),
        ("ageing_not_yet_due_count", 2),
        ("ageing_d1_30_count", 2),
        ("ageing_d91_180_count", 2),
        ("ageing_over_365_count", 1),
        ("legacy_count", 0),
    ]:
        listed = client.get(a["links"][column])
        assert listed.status_code == 200, (column, a["links"][column])
        assert listed.json()["count"] == expected == a[column], column


def test_report_as_csv_and_xlsx(world, api):
    _ageing_set(world)
    client = api(world.auditor)
    response = client.get("/api/reports/agencies/", {"as_of": AS_OF, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["单位", "给付义务（件）", "本金（元）", "未付本金（元）"]
    assert rows[-1][:4] == ["合计", "13", "56200.00", "51100.00"]
    response = client.get("/api/reports/agencies/", {"as_of": AS_OF, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[:4] == ("合计", 13, 56200, 51100)
    assert m.AccessLog.objects.filter(action="export", target="report:agencies").count() == 2


# --- the UK payment-practice measures ------------------------------------------------------------
def test_average_days_to_pay_and_share_paid_late_computed_by_hand(world, api):
    # paid off in the period (2026): 22 days on time, 73 days late, 40 days late
    p1 = ob(world, arose_on=date(2026, 1, 10), due_on=date(2026, 2, 9), principal="1000.00")
    pay(world, p1, "1000.00", date(2026, 2, 1))
    p2 = ob(world, arose_on=date(2026, 2, 1), due_on=date(2026, 3, 3), principal="2000.00")
    pay(world, p2, "2000.00", date(2026, 4, 15))
    p3 = ob(world, arose_on=date(2026, 3, 1), due_on=date(2026, 3, 31), principal="3000.00")
    pay(world, p3, "3000.00", date(2026, 4, 10))
    # paid before the period, and not paid off: neither counts
    pay(world, ob(world, arose_on=date(2025, 11, 1), due_on=date(2025, 12, 1)), "1000.00", date(2025, 12, 20))
    pay(world, ob(world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1)), "10.00", date(2026, 5, 2))
    body = report(api(world.auditor), "payment-practices", as_of=AS_OF)
    a = row_of(body, world.agency_a.name)
    assert a["paid_count"] == 3
    assert a["paid_amount"] == "6000.00"
    assert a["avg_days_to_pay"] == "45.0"  # (22 + 73 + 40) / 3
    assert (a["within_30"], a["days_31_60"], a["over_60"]) == ("33.33", "33.33", "33.33")
    assert (a["paid_late_count"], a["share_paid_late"], a["paid_late_amount"]) == (2, "66.67", "5000.00")
    # as of a day before the late payments, only the first is known
    early = row_of(report(api(world.auditor), "payment-practices", as_of="2026-03-31"), world.agency_a.name)
    assert (early["paid_count"], early["avg_days_to_pay"], early["share_paid_late"]) == (1, "22.0", "0.00")


def test_an_empty_denominator_is_shown_as_a_dash(world, api):
    ob(world, due_on=date(2026, 7, 1))
    a = row_of(report(api(world.auditor), "payment-practices", as_of=AS_OF), world.agency_a.name)
    assert (a["paid_count"], a["avg_days_to_pay"], a["share_paid_late"]) == (0, None, "—")


# --- stock and new, clearance, month by month -----------------------------------------------------------
def _stock_set(world):
    s1 = ob(world, arose_on=date(2025, 10, 1), due_on=date(2025, 10, 31), principal="10000.00")
    pay(world, s1, "4000.00", date(2025, 12, 15))
    pay(world, s1, "3000.00", date(2026, 2, 1))
    s2 = ob(world, arose_on=date(2025, 11, 1), due_on=date(2026, 2, 1), principal="5000.00")
    pay(world, s2, "5000.00", date(2026, 3, 1))
    s3 = ob(world, arose_on=date(2025, 12, 1), due_on=date(2025, 12, 31), principal="2000.00")
    pay(world, s3, "2000.00", date(2025, 12, 20))
    ob(world, arose_on=date(2026, 2, 1), due_on=date(2026, 3, 3), principal="7000.00")  # new, overdue
    ob(world, arose_on=date(2026, 6, 1), due_on=date(2026, 7, 1), principal="1000.00")  # new, not due


def test_stock_clearance_and_new_arrears(world, api):
    _stock_set(world)
    client = api(world.auditor)
    body = report(client, "stock", as_of=AS_OF, stock_cutoff="2026-01-01")
    a = row_of(body, world.agency_a.name)
    assert a["stock_count"] == 3
    assert a["stock_base"] == "11000.00"  # 6,000 + 5,000 + 0 outstanding on 2025-12-31
    assert a["stock_outstanding"] == "3000.00"
    assert a["stock_cleared"] == "8000.00"
    assert a["clearance_rate"] == "72.73"
    assert a["stock_cleared_count"] == 1
    assert (a["stock_arrears"], a["new_arrears"]) == ("3000.00", "7000.00")
    assert client.get(a["links"]["stock_arrears"]).json()["count"] == 1
    assert client.get(a["links"]["new_arrears"]).json()["count"] == 1


def test_outstanding_arrears_month_by_month(world, api):
    _stock_set(world)
    body = report(api(world.auditor), "arrears-monthly", as_of=AS_OF, stock_cutoff="2026-01-01")
    months = {r["month"]: (r["stock"], r["new"], r["count"]) for r in body["rows"]}
    assert list(months)[0] == "2025-07" and list(months)[-1] == "2026-06"
    assert months["2025-10"] == ("0.00", "0.00", 0)  # s1 due on the 31st: not yet overdue that day
    assert months["2025-11"] == ("10000.00", "0.00", 1)
    assert months["2026-01"] == ("6000.00", "0.00", 1)
    assert months["2025-12"] == ("6000.00", "0.00", 1)
    assert months["2026-02"] == ("8000.00", "0.00", 2)  # s2 due 02-01, paid 03-01: overdue on 02-28
    assert months["2026-03"] == ("3000.00", "7000.00", 2)
    assert months["2026-06"] == ("3000.00", "7000.00", 2)


def test_days_overdue_from_the_first_day_of_the_calendar_is_no_error(world, api):
    ob(world, due_on=date(2026, 6, 1))
    response = api(world.auditor).get("/api/obligations/", {"as_of": "0001-01-02", "days_overdue_min": "5"})
    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize(
    ("params", "field"), [({"as_of": "0001-01-02"}, "as_of"), ({"period_to": "9999-12-31"}, "period_to")]
)
def test_report_dates_outside_the_countable_range_are_refused(world, api, params, field):
    response = api(world.auditor).get("/api/reports/arrears-monthly/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_stock_cutoff_after_as_of_is_refused(world, api):
    response = api(world.auditor).get("/api/reports/stock/", {"as_of": AS_OF, "stock_cutoff": "2026-07-01"})
    assert response.status_code == 400
    assert "stock_cutoff" in response.json()["fields"]


# --- per principal tenure, with legacy-debt cases -----------------------------------------------------
def test_per_principal_tenure_with_the_debts_left_behind(world, api):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    ob(world, arose_on=date(2021, 6, 1), due_on=date(2021, 7, 1), principal="400.00")  # stock, over 365 days
    ob(world, arose_on=date(2026, 1, 5), due_on=date(2026, 2, 4), principal="30000.00")  # 146 days
    ob(world, arose_on=date(2026, 4, 1), due_on=date(2026, 5, 1), principal="2000.00")  # 60 days
    # paid under 乙: 20 days after its trigger, on time; and 45 days after, 15 days late
    pay(
        world,
        ob(world, arose_on=date(2026, 3, 10), due_on=date(2026, 4, 9), principal="10.00"),
        "10.00",
        date(2026, 3, 30),
    )
    pay(
        world,
        ob(world, arose_on=date(2026, 3, 20), due_on=date(2026, 4, 19), principal="20.00"),
        "20.00",
        date(2026, 5, 4),
    )
    client = api(world.auditor)
    body = report(client, "tenures", as_of=AS_OF, stock_cutoff="2022-01-01")
    by_person = {r["person"]: r for r in body["rows"]}
    jia, yi = by_person["甲"], by_person["乙"]
    assert (jia["obligations"], jia["legacy_count"], jia["legacy_amount"]) == (2, 2, "30400.00")
    assert (jia["overdue_count"], jia["overdue_amount"]) == (2, "30400.00")
    assert (jia["ageing_d91_180"], jia["ageing_over_365"], jia["ageing_d31_90"]) == ("30000.00", "400.00", "0.00")
    assert (jia["stock_arrears"], jia["new_arrears"]) == ("400.00", "30000.00")
    assert (jia["paid_count"], jia["avg_days_to_pay"], jia["share_paid_late"]) == (0, None, "—")
    assert (yi["obligations"], yi["legacy_count"], yi["principal"], yi["outstanding"]) == (3, 0, "2030.00", "2000.00")
    assert (yi["ageing_d31_90"], yi["ageing_d91_180"], yi["stock_arrears"], yi["new_arrears"]) == (
        "2000.00",
        "0.00",
        "0.00",
        "2000.00",
    )
    assert (yi["paid_count"], yi["avg_days_to_pay"], yi["share_paid_late"]) == (2, "32.5", "50.00")
    assert by_person["甲"]["end_on"] == "2026-03-01"
    assert client.get(by_person["甲"]["links"]["legacy_count"]).json()["count"] == 2
    agencies = report(client, "agencies", as_of=AS_OF)
    a = row_of(agencies, world.agency_a.name)
    assert (a["legacy_count"], a["legacy_amount"]) == (2, "30400.00")


def test_per_principal_tenure_reply_decision_and_redemption_rates_by_deadline(world, api):
    """Each item counts for the head in office (following successor agencies) on its deadline."""
    from tests.owned_objects import decision_for, recommendation_for

    # given 甲 until 2026-03-01 (exclusive), then 乙; and a bureau merged into the agency on 2026-02-01
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 3, 1))
    merged = AgencyFactory(successor=world.agency_a, succeeded_on=date(2026, 2, 1))

    def rec(deadline, replied_on=None, recipient=None):
        recommendation_for(
            world,
            recipient=recipient or world.agency_a,
            served_on=date(2025, 11, 1),
            deadline=deadline,
            replied_on=replied_on,
            status="replied" if replied_on else "served",
        )

    # recommendations due under 甲: on time, on time, replied late (after the handover)
    rec(date(2026, 1, 20), date(2026, 1, 15))
    rec(date(2026, 2, 10), date(2026, 2, 9))
    rec(date(2026, 2, 28), date(2026, 3, 5))
    # due under 乙: on its first day (served under 甲) on time; on time; unreplied; and one to the
    # merged bureau, due after the merger, unreplied
    rec(date(2026, 3, 1), date(2026, 3, 1))
    rec(date(2026, 4, 10), date(2026, 4, 1))
    rec(date(2026, 5, 6))
    rec(date(2026, 4, 20), recipient=merged)
    # not counted: due before the period, or after the as-of date
    rec(date(2025, 12, 20), date(2025, 12, 1))
    rec(date(2026, 8, 1))
    # decisions: a judgment due under 甲 performed late under 乙; a review decision due under 乙
    # performed on time; a judgment due under 乙 unperformed
    effective = {"effective_on": date(2026, 1, 5)}
    decision_for(
        world, **effective, performance_deadline=date(2026, 2, 15), performed_on=date(2026, 3, 10), status="performed"
    )
    decision_for(
        world,
        **effective,
        kind="review_decision",
        performance_deadline=date(2026, 4, 1),
        performed_on=date(2026, 3, 25),
        status="performed",
    )
    decision_for(world, **effective, performance_deadline=date(2026, 5, 1))
    # redemptions (10 working days): accepted under 甲 and due under 乙, paid on the day; paid late;
    # unpaid past due; not yet due — 甲 has none due (an empty denominator)
    policy = _policy(world, "屯政〔2026〕9号", m.DeliveryMode.ON_APPLICATION)
    obligations = []
    for start in (date(2026, 2, 24), date(2026, 4, 1), date(2026, 6, 1), date(2026, 6, 25)):
        r = rsvc.redemption_create(
            actor=world.staff_a, policy=policy, enterprise=world.enterprise_1, amount="100.00", on=start
        )
        r = rsvc.redemption_accept(actor=world.staff_a, redemption=r, on=start)
        obligations.append(rsvc.redemption_approve(actor=world.staff_a, redemption=r, on=start).obligation)
    assert [o.due_on for o in obligations] == [date(2026, 3, 9), date(2026, 4, 16), date(2026, 6, 15), date(2026, 7, 9)]
    pay(world, obligations[0], "100.00", date(2026, 3, 9))
    pay(world, obligations[1], "100.00", date(2026, 4, 21))

    client = api(world.auditor)
    params = {"as_of": AS_OF, "period_from": "2026-01-01", "period_to": "2026-12-31"}
    body = report(client, "tenures", **params)
    by_person = {r["person"]: r for r in body["rows"]}
    assert set(by_person) == {"甲", "乙"}  # nothing counted falls to a vacancy
    jia, yi = by_person["甲"], by_person["乙"]
    rates = (
        "reply_due",
        "reply_on_time",
        "reply_rate",
        "decision_due",
        "decision_performed",
        "decision_rate",
        "decision_on_time",
        "decision_on_time_rate",
        "redemption_decided",
        "redemption_on_time",
        "redemption_on_time_rate",
    )
    assert [jia[k] for k in rates] == [3, 2, "66.67", 1, 1, "100.00", 0, "0.00", 0, 0, "—"]
    assert [yi[k] for k in rates] == [4, 2, "50.00", 2, 1, "50.00", 1, "50.00", 3, 1, "33.33"]
    # the obligations themselves still count by the day they arose (the first under 甲)
    assert (jia["obligations"], yi["obligations"]) == (1, 3)
    # the figures lead to the lists behind them
    assert client.get(jia["links"]["reply_due"]).json()["count"] == 3
    assert client.get(yi["links"]["reply_due"]).json()["count"] == 4
    assert client.get(jia["links"]["decision_due"]).json()["count"] == 1
    assert client.get(yi["links"]["decision_due"]).json()["count"] == 2

    # as CSV and XLSX, with Chinese headers and the dash for the empty denominator
    titles = ["按期办复率（%）", "生效文书履行率（%）", "按期履行率（%）", "按时兑现率（%）"]
    response = client.get("/api/reports/tenures/", {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert set(titles) <= set(header)
    csv_jia = dict(zip(header, next(r for r in rows if r[1] == "甲"), strict=True))
    csv_yi = dict(zip(header, next(r for r in rows if r[1] == "乙"), strict=True))
    assert [csv_jia[t] for t in titles] == ["66.67", "100.00", "0.00", "—"]
    assert [csv_yi[t] for t in titles] == ["50.00", "50.00", "50.00", "33.33"]
    assert (csv_jia["期限届满的建议（件）"], csv_jia["按期回复（件）"]) == ("3", "2")
    response = client.get("/api/reports/tenures/", {**params, "format": "xlsx"})
    sheet = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(sheet[0]) == header
    xlsx_jia = dict(zip(sheet[0], next(r for r in sheet if r[1] == "甲"), strict=True))
    assert xlsx_jia["按时兑现率（%）"] == "—"
    assert xlsx_jia["履行期限届满的生效文书（件）"] == 1
    assert Decimal(str(xlsx_jia["按期办复率（%）"])) == Decimal("66.67")


# --- policies: on time and 免申即享 ----------------------------------------------------------------------
def _policy(world, doc, mode):
    return policy_for(world, doc_number=doc, title=f"政策{doc}", delivery_mode=mode, redemption_working_days=10)


def test_redemption_on_time_rate_and_free_apply_share_per_policy(world, api):
    free = _policy(world, "屯政〔2026〕1号", m.DeliveryMode.FREE_APPLY)
    onapp = _policy(world, "屯政〔2026〕2号", m.DeliveryMode.ON_APPLICATION)
    actor = world.staff_a
    done = []
    for policy, start in ((free, date(2026, 3, 2)), (free, date(2026, 3, 9)), (onapp, date(2026, 3, 2))):
        r = rsvc.redemption_create(
            actor=actor, policy=policy, enterprise=world.enterprise_1, amount="1000.00", on=start
        )
        if policy == free:
            r = rsvc.redemption_notify(actor=actor, redemption=r, on=start)
        else:
            r = rsvc.redemption_accept(actor=actor, redemption=r, on=start)
        done.append(rsvc.redemption_approve(actor=actor, redemption=r, on=start))
    first, second, third = (r.obligation for r in done)
    pay(world, first, "1000.00", first.due_on)  # on time
    pay(world, third, "1000.00", date.fromordinal(third.due_on.toordinal() + 5))  # late
    body = report(api(world.auditor), "policies", as_of=AS_OF)
    rows = {r["doc_number"]: r for r in body["rows"]}
    f = rows["屯政〔2026〕1号"]
    assert (f["redemptions"], f["free_apply"], f["free_apply_share"]) == (2, 2, "100.00")
    assert (f["decided"], f["on_time"], f["on_time_rate"], f["overdue"]) == (2, 1, "50.00", 1)
    o = rows["屯政〔2026〕2号"]
    assert (o["free_apply_share"], o["decided"], o["on_time_rate"]) == ("0.00", 1, "0.00")
    t = body["total"]
    assert (t["redemptions"], t["free_apply_share"], t["on_time_rate"], t["amount"]) == (3, "66.67", "33.33", "3000.00")


def test_a_policys_figures_lead_to_lists_of_the_redemptions_they_count(world, api):
    # given a 免申即享 redemption found eligible before the as-of date, one after, and an application
    free = _policy(world, "屯政〔2026〕4号", m.DeliveryMode.FREE_APPLY)
    common = {"policy": free, "agency": world.agency_a, "enterprise": world.enterprise_1, "region_code": "341002"}
    m.Redemption.objects.create(
        **common, amount=Decimal("10.00"), status=m.RedemptionStatus.ELIGIBLE, eligible_on=date(2026, 3, 2)
    )
    m.Redemption.objects.create(
        **common, amount=Decimal("20.00"), status=m.RedemptionStatus.ELIGIBLE, eligible_on=date(2026, 7, 15)
    )
    m.Redemption.objects.create(
        **common, amount=Decimal("40.00"), status=m.RedemptionStatus.APPLIED, applied_on=date(2026, 6, 30)
    )
    client = api(world.auditor)
    # when reported as of 2026-06-30
    row = report(client, "policies", as_of=AS_OF)["rows"][0]
    # then the one found eligible later is not counted, and each figure's list shows the same rows
    assert (row["redemptions"], row["free_apply"], row["free_apply_share"], row["amount"]) == (2, 1, "50.00", "50.00")
    assert client.get(row["links"]["redemptions"]).json()["count"] == 2
    assert client.get(row["links"]["free_apply"]).json()["count"] == 1
    later = client.get("/api/redemptions/", {"arose_from": "2026-07-01"}).json()["results"]
    assert [r["amount"] for r in later] == ["20.00"]
    assert client.get("/api/redemptions/", {"arose_to": "2026-02-30"}).status_code == 400


# --- on-time reply rate and decision performance rate -----------------------------------------------------
def test_reply_rate_and_decision_rate_sections(world, api):
    from tests.owned_objects import decision_for, recommendation_for

    recommendation_for(world, deadline=date(2026, 5, 6), replied_on=date(2026, 5, 6), status="replied")
    recommendation_for(world, deadline=date(2026, 5, 6))
    recommendation_for(world, recipient=world.agency_b, deadline=date(2026, 9, 6))
    decision_for(world, performance_deadline=date(2026, 4, 1), performed_on=date(2026, 3, 20), status="performed")
    decision_for(world, kind="review_decision", performance_deadline=date(2026, 4, 1))
    client = api(world.auditor)
    replies = report(client, "reply-rate", as_of=AS_OF)
    a = row_of(replies, world.agency_a.name)
    assert (a["due"], a["on_time"], a["rate"]) == (2, 1, "50.00")
    assert row_of(replies, world.agency_b.name)["rate"] == "—"
    assert replies["total"]["rate"] == "50.00"
    decisions = report(client, "decision-rate", as_of=AS_OF)
    a = row_of(decisions, world.agency_a.name)
    assert (a["court_due"], a["court_performed"], a["execution_rate"]) == (1, 1, "100.00")
    assert (a["review_due"], a["review_performed"], a["performance_rate"]) == (1, 0, "0.00")


# --- 条例 (2025) art. 18 / art. 22 ---------------------------------------------------------------------------
def test_yearly_sme_disclosure_counts_contracts_with_payments_overdue_on_31_december(world, api):
    from contracts import models as cm
    from tests.owned_objects import contract_for

    sme = {"regime": m.Regime.SME_PROCUREMENT, "sme_declared": True}
    contract = contract_for(world)
    a1 = ob(world, due_on=date(2025, 10, 31), principal="30000.00", source="milestone", **sme)
    a2 = ob(world, due_on=date(2025, 11, 30), principal="20000.00", source="milestone", **sme)
    pay(world, a2, "5000.00", date(2025, 12, 10))  # 100.00 interest first (民法典 art. 561): 15,100.00 left
    for o in (a1, a2):
        cm.Milestone.objects.create(
            contract=contract,
            side="government",
            kind="payment",
            title="付款",
            amount=o.principal,
            payment_basis="delivery",
            obligation=o,
        )
    a3 = ob(world, due_on=date(2025, 12, 1), principal="10000.00", **sme)
    pay(world, a3, "10000.00", date(2026, 1, 15))  # paid after 31 December: still overdue that day
    pay(world, ob(world, due_on=date(2025, 12, 1), principal="999.00", **sme), "999.00", date(2025, 11, 20))  # on time
    ob(world, due_on=date(2025, 10, 1), principal="9999.00")  # not an SME payment
    ob(world, due_on=date(2026, 1, 10), principal="777.00", **sme)  # not yet due on 31 December
    ob(world, agency=world.agency_b, due_on=date(2025, 6, 30), principal="8000.00", **sme)
    client = api(world.supervisor)
    body = report(client, "sme-disclosure", year="2025")
    a = row_of(body, world.agency_a.name)
    assert (a["contracts"], a["obligations"], a["overdue_amount"]) == (2, 3, "55100.00")
    assert a["agency_uscc"] == world.agency_a.uscc
    b = row_of(body, world.agency_b.name)
    assert (b["contracts"], b["obligations"], b["overdue_amount"]) == (1, 1, "8000.00")
    assert (body["total"]["contracts"], body["total"]["overdue_amount"]) == (3, "63100.00")
    assert "第十八条" in body["notes"][0] and "2026年3月31日前" in body["notes"][0]
    assert client.get(a["links"]["obligations"]).json()["count"] == 3


@pytest.mark.parametrize(
    ("year", "article"),
    [
        # published by 31 March of the next year: the 2025 text applies from 2025-06-01
        (2020, "《保障中小企业款项支付条例》（2020年）第十六条"),
        (2024, "《保障中小企业款项支付条例》（2020年）第十六条"),
        (2025, "《保障中小企业款项支付条例》（2025年修订）第十八条、第二十二条"),
    ],
)
def test_the_disclosure_cites_the_text_in_force_when_it_is_published(world, api, year, article):
    from ledger.selectors.reports import publication_article

    assert publication_article(year) == article
    body = report(api(world.auditor), "sme-disclosure", year=str(year))
    assert body["notes"][0].startswith(f"依据{article}：机关、事业单位应于{year + 1}年3月31日前")
    assert body["rows"] == []
    assert (body["total"]["contracts"], body["total"]["overdue_amount"]) == (0, "0.00")
    assert body["title"] == f"{year}年度逾期尚未支付中小企业款项的合同数量和金额"


@pytest.mark.parametrize("year", ["2026", "1999", "last"])
def test_disclosure_of_a_year_not_ended_or_invalid_is_refused(world, api, year):
    response = api(world.supervisor).get("/api/reports/sme-disclosure/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


# --- roles and scoping -----------------------------------------------------------------------------------------
def test_enterprises_have_no_reports_and_staff_see_their_own_agency(world, api):
    _ageing_set(world)
    assert api(world.enterprise_user_1).get("/api/reports/agencies/").status_code == 403
    body = report(api(world.staff_a), "agencies", as_of=AS_OF)
    assert [r["agency"] for r in body["rows"]] == [world.agency_a.name]
    assert api(world.auditor).get("/api/reports/nothing/").status_code == 404
    index = api(world.auditor).get("/api/reports/").json()
    keys = {s["key"] for s in index["sections"]}
    assert {"agencies", "payment-practices", "stock", "tenures", "policies", "sme-disclosure", "contracts"} <= keys


def test_the_registry_serves_the_contracts_section(world, api):
    from tests.owned_objects import contract_for

    contract_for(world, amount=Decimal("120000.00"), sme_declared=True)
    a = row_of(report(api(world.auditor), "contracts", as_of=AS_OF), world.agency_a.name)
    assert (a["contracts"], a["amount"], a["sme_declared"], a["overdue_contracts"]) == (1, "120000.00", 1, 0)


# --- published snapshots ---------------------------------------------------------------------------------------
def test_a_published_report_is_shown_again_byte_for_byte_after_a_back_dated_correction(world, api):
    overdue = ob(world, due_on=date(2026, 6, 1), principal="5000.00")
    client = api(world.supervisor)
    # when the report is published as of 06-30
    published = client.post(f"/api/reports/agencies/publish/?as_of={AS_OF}")
    assert published.status_code == 201, published.content[:300]
    document = json.loads(published.content)
    assert document["as_of"] == AS_OF
    assert document["published_by"] == world.supervisor.username
    assert row_of(document["report"], world.agency_a.name)["overdue_amount"] == "5000.00"
    url = published["Location"]
    # and later a payment is recorded back-dated to 06-15
    pay(world, overdue, "2000.00", date(2026, 6, 15))
    live = report(client, "agencies", as_of=AS_OF)
    assert row_of(live, world.agency_a.name)["overdue_amount"] == "3000.00"
    # then the snapshot shows what was published, byte for byte
    again = client.get(url)
    assert again.status_code == 200
    assert again.content == published.content
    assert again["X-Content-SHA256"] == published["X-Content-SHA256"]
    # and it can be neither changed nor deleted
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(url, {}, format="json").status_code == 405
    # the list shows its as-of date and creation time
    listed = client.get("/api/report-snapshots/").json()["results"]
    assert [(s["kind"], s["as_of"]) for s in listed] == [("agencies", AS_OF)]
    assert listed[0]["created_at"]
    # as a spreadsheet, the published numbers too
    sheet = client.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[1][0] == world.agency_a.name
    assert rows[1][5] == "5000.00"


def test_who_may_publish_and_read_snapshots(world, api):
    assert api(world.staff_a).post("/api/reports/agencies/publish/").status_code == 403
    assert api(world.credit_officer).post("/api/reports/agencies/publish/").status_code == 403
    published = api(world.auditor).post("/api/reports/sme-disclosure/publish/", {"year": "2025"}, format="json")
    assert published.status_code == 201
    snapshot = m.ReportSnapshot.objects.get()
    assert (snapshot.kind, snapshot.as_of) == ("sme-disclosure", date(2025, 12, 31))
    assert api(world.staff_a).get(f"/api/report-snapshots/{snapshot.pk}/").status_code == 404
    assert api(world.credit_officer).get(f"/api/report-snapshots/{snapshot.pk}/").status_code == 200
    assert m.ReportSnapshot.objects.count() == 1


def test_a_section_function_reads_through_the_registry(world):
    ob(world, due_on=date(2026, 6, 1), principal="10.00")
    params = ReportParams(
        as_of=date(2026, 6, 30),
        stock_cutoff=date(2026, 1, 1),
        period_from=date(2026, 1, 1),
        period_to=date(2026, 12, 31),
    )
    result = section("agencies").fn(ReportContext(user=world.auditor, params=params))
    assert result.total["overdue_amount"] == Decimal("10.00")


def test_not_even_a_superuser_changes_or_deletes_a_snapshot_in_the_admin(world, api, client):
    ob(world, due_on=date(2026, 6, 1), principal="5000.00")
    published = api(world.supervisor).post(f"/api/reports/agencies/publish/?as_of={AS_OF}")
    snapshot = m.ReportSnapshot.objects.get()
    root = m.User.objects.create_superuser("root-h6", password="Root-password-2026", role="administrator")  # noqa: S106
    client.force_login(root)
    url = f"/admin/ledger/reportsnapshot/{snapshot.pk}/"
    # the superuser may read it
    assert client.get(f"{url}change/").status_code == 200
    # but neither edit, add nor delete it
    assert client.post(f"{url}change/", {"kind": "agencies", "title": "改过的", "document": "{}"}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/ledger/reportsnapshot/add/").status_code == 403
    snapshot.refresh_from_db()
    assert (snapshot.title, snapshot.document.encode("utf-8")) == (
        "按单位：给付义务、逾期账龄与新官不理旧账",
        published.content,
    )
