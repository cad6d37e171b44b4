"""The obligations API: creation, live figures as of a date, payments, refusal reasons, disputes,
closure and the creditor's confirmation — with bad input refused and nothing written."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.models import LedgerEntry, Obligation, RefusalReason
from ledger.selectors.obligations import LegacyFacts, figures, status_of, with_status
from ledger.services.obligations import obligation_close, payment_record
from tests.factories import TenureFactory
from tests.ledger.obligation_helpers import contract_obligation, lpr, sme_obligation

pytestmark = pytest.mark.django_db

URL = "/api/obligations/"


def _create_body(world, **overrides):
    body = {
        "debtor_agency": world.agency_a.pk,
        "creditor": world.enterprise_1.pk,
        "source": "milestone",
        "title": "办公设备采购",
        "principal": "200000.00",
        "arose_on": "2026-04-06",
        "trigger": "delivery",
        "trigger_on": "2026-04-06",
        "contract_type": "government_procurement",
        "sme_declared": True,
        "signed_on": "2026-03-01",
    }
    body.update(overrides)
    return body


# --- SPEC R3's worked example through the API --------------------------------------------------
def test_spec_worked_example_through_the_api(world, api):
    client = api(world.staff_a)
    # given the obligation, created by the debtor's staff
    created = client.post(URL, _create_body(world), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["regime"], body["due_on"], body["due_provisional"]) == ("sme_procurement", "2026-05-06", False)
    assert body["reference"].startswith("OB-") and len(body["reference"]) == 19
    assert body["term_missing"] is True
    # when 50,000.00 is paid on 2026-05-16 (民法典 art. 561: interest first)
    paid = client.post(
        f"{URL}{body['id']}/payments/", {"kind": "payment", "on": "2026-05-16", "amount": "50000.00"}, format="json"
    )
    assert paid.status_code == 201, paid.json()
    # then, as of 2026-06-05
    detail = client.get(f"{URL}{body['id']}/", {"as_of": "2026-06-05"}).json()
    assert detail["as_of"] == "2026-06-05"
    assert detail["status"] == "overdue"
    assert detail["days_overdue"] == 30
    assert detail["principal_paid"] == "49000.00"
    assert detail["principal_outstanding"] == "151000.00"
    assert detail["interest"] == {
        "accrued": "2510.00",
        "paid": "1000.00",
        "waived": "0.00",
        "unpaid": "1510.00",
        "daily_rate": "0.0005",
    }
    assert detail["interest_note"] is None


def test_figures_depend_on_as_of(world, api):
    obligation = sme_obligation(world)
    client = api(world.staff_a)
    before = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-05-05"}).json()
    on_the_day = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-05-06"}).json()
    assert (before["status"], before["days_overdue"], before["interest"]["accrued"]) == ("not_yet_due", 0, "0.00")
    assert (on_the_day["status"], on_the_day["days_overdue"]) == ("due", 0)


def test_contract_without_agreed_rate_shows_no_statutory_interest_never_zero(world, api):
    obligation = contract_obligation(world)
    detail = api(world.staff_a).get(f"{URL}{obligation.pk}/", {"as_of": "2026-06-05"}).json()
    assert obligation.due_on == date(2026, 4, 1)
    assert detail["regime"] == "contract"
    assert detail["default_term_used"] is True
    assert detail["interest"] is None
    assert detail["interest_note"] == "无法定逾期利息"
    assert detail["interest_basis"] == "合同未约定逾期利率，不计法定逾期利息"
    assert (detail["status"], detail["days_overdue"]) == ("overdue", 65)


def test_agreed_rate_below_lpr_at_signing_is_lifted_to_it(world, api):
    lpr(date(2025, 5, 20), Decimal("3.000"))
    body = _create_body(world, agreed_annual_rate="2.5000")
    created = api(world.staff_a).post(URL, body, format="json").json()
    assert created["lpr_at_signing"] == "3.000"
    detail = api(world.staff_a).get(f"{URL}{created['id']}/", {"as_of": "2026-05-16"}).json()
    # 200,000 × 3 % ÷ 365 × 10 days = 164.383… → 164.38
    assert detail["interest"]["accrued"] == "164.38"


def test_invalid_as_of_is_a_400(world, api):
    obligation = contract_obligation(world)
    response = api(world.staff_a).get(f"{URL}{obligation.pk}/", {"as_of": "2026-13-01"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"as_of": ["日期格式应为 YYYY-MM-DD"]}


# --- bad input on creation --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"principal": "-1.00"}, "principal"),
        ({"principal": "100.001"}, "principal"),
        ({"principal": 100.5}, "principal"),
        ({"trigger": "decision"}, "trigger"),
        ({"due_override": "2026-04-01", "due_override_basis": "某法律"}, "due_override"),
        ({"due_override": "2026-06-01"}, "due_override_basis"),
        ({"sme_declared": True, "signed_on": None}, "signed_on"),
        ({"allocation_rule": "principal_first"}, "allocation_basis"),
    ],
)
def test_bad_input_on_creation_is_a_400_naming_the_field_and_writes_nothing(world, api, overrides, field):
    response = api(world.staff_a).post(URL, _create_body(world, **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert Obligation.objects.count() == 0


def test_court_decision_deadline_before_arising_is_refused(world, api):
    body = _create_body(
        world,
        source="decision",
        trigger="decision",
        arose_on="2026-05-10",
        trigger_on="2026-05-01",
        decision_deadline="2026-05-05",
    )
    response = api(world.staff_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "due_before_arising"
    assert response.json()["fields"] == {"decision_deadline": ["到期日2026-05-05早于发生日期2026-05-10"]}
    assert Obligation.objects.count() == 0


def test_due_override_with_basis_is_stored_with_it(world, api):
    body = _create_body(world, due_override="2026-05-20", due_override_basis="《某法》第十条规定的45日期限")
    created = api(world.staff_a).post(URL, body, format="json").json()
    assert created["due_on"] == "2026-05-20"
    assert created["due_override_basis"] == "《某法》第十条规定的45日期限"
    assert created["due_basis"].startswith("依《某法》第十条规定的45日期限调整为2026-05-20（原计算：2026-05-06）")


def test_staff_cannot_create_for_another_agency(world, api):
    response = api(world.staff_b).post(URL, _create_body(world), format="json")
    assert response.status_code == 403
    assert Obligation.objects.count() == 0


@pytest.mark.parametrize("role", ["supervisor", "auditor", "enterprise_user_1"])
def test_other_roles_cannot_create(world, api, role):
    response = api(getattr(world, role)).post(URL, _create_body(world), format="json")
    assert response.status_code == 403
    assert Obligation.objects.count() == 0


def test_administrator_can_create(world, api):
    response = api(world.administrator).post(URL, _create_body(world), format="json")
    assert response.status_code == 201


# --- payments through the API -----------------------------------------------------------------
def test_overpayment_through_the_api_is_a_400_and_writes_nothing(world, api):
    obligation = contract_obligation(world)
    response = api(world.staff_a).post(
        f"{URL}{obligation.pk}/payments/", {"kind": "payment", "on": "2026-05-01", "amount": "80000.01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "overpayment"
    assert list(response.json()["fields"]) == ["amount"]
    assert LedgerEntry.objects.count() == 0
    obligation.refresh_from_db()
    assert obligation.principal_paid == Decimal("0.00")


@pytest.mark.parametrize(("amount", "code"), [("-5.00", "amount_not_positive"), ("5.001", "amount_too_precise")])
def test_negative_or_over_precise_payment_is_a_400(world, api, amount, code):
    obligation = contract_obligation(world)
    response = api(world.staff_a).post(
        f"{URL}{obligation.pk}/payments/", {"kind": "payment", "on": "2026-05-01", "amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["amount"]
    assert LedgerEntry.objects.count() == 0


def test_payments_list_and_reversal_through_the_api(world, api):
    obligation = contract_obligation(world)
    client = api(world.staff_a)
    entry = client.post(
        f"{URL}{obligation.pk}/payments/", {"kind": "payment", "on": "2026-05-01", "amount": "30000.00"}, format="json"
    ).json()
    reversal = client.post(
        f"{URL}{obligation.pk}/payments/",
        {"kind": "reversal", "on": "2026-05-01", "reverses": entry["id"], "basis": "金额录入错误"},
        format="json",
    )
    assert reversal.status_code == 201, reversal.json()
    rows = client.get(f"{URL}{obligation.pk}/payments/").json()
    assert [(r["kind"], r["amount"], r["reverses"], r["reversed_by"]) for r in rows] == [
        ("payment", "30000.00", None, reversal.json()["id"]),
        ("reversal", "30000.00", entry["id"], None),
    ]
    detail = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-06-05"}).json()
    assert detail["principal_outstanding"] == "80000.00"


def test_reversal_naming_another_obligations_entry_is_refused(world, api):
    first, second = contract_obligation(world), contract_obligation(world, title="另一笔")
    entry = payment_record(actor=world.staff_a, obligation=first, kind="payment", on=date(2026, 5, 1), amount="1.00")
    response = api(world.staff_a).post(
        f"{URL}{second.pk}/payments/",
        {"kind": "reversal", "on": "2026-05-01", "reverses": entry.pk, "basis": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reverses"]
    assert LedgerEntry.objects.count() == 1


def test_supervisor_reads_but_cannot_record_payments(world, api):
    obligation = contract_obligation(world)
    client = api(world.supervisor)
    assert client.get(f"{URL}{obligation.pk}/payments/").status_code == 200
    response = client.post(
        f"{URL}{obligation.pk}/payments/", {"kind": "payment", "on": "2026-05-01", "amount": "1.00"}, format="json"
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 0


# --- confirmation by the creditor -------------------------------------------------------------
def _entry(world, obligation=None):
    obligation = obligation or contract_obligation(world)
    return payment_record(
        actor=world.staff_a, obligation=obligation, kind="payment", on=date(2026, 5, 1), amount="1000.00"
    )


def test_creditor_confirms_a_payment(world, api):
    entry = _entry(world)
    response = api(world.enterprise_user_1).post(
        f"{URL}{entry.obligation_id}/payments/{entry.pk}/confirm/", {}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["confirmation"] == "confirmed"


def test_creditor_objects_with_a_reason(world, api):
    entry = _entry(world)
    url = f"{URL}{entry.obligation_id}/payments/{entry.pk}/object/"
    missing = api(world.enterprise_user_1).post(url, {}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["fields"]) == ["note"]
    response = api(world.enterprise_user_1).post(url, {"note": "款项未到账"}, format="json")
    assert response.status_code == 200
    assert (response.json()["confirmation"], response.json()["confirmation_note"]) == ("objected", "款项未到账")


def test_confirming_twice_is_a_409(world, api):
    entry = _entry(world)
    url = f"{URL}{entry.obligation_id}/payments/{entry.pk}/confirm/"
    api(world.enterprise_user_1).post(url, {}, format="json")
    response = api(world.enterprise_user_1).post(url, {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_an_enterprise_confirming_someone_elses_payment_gets_404_and_nothing_changes(world, api):
    entry = _entry(world)
    response = api(world.enterprise_user_2).post(
        f"{URL}{entry.obligation_id}/payments/{entry.pk}/confirm/", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    entry.refresh_from_db()
    assert entry.confirmation == "pending"


def test_an_entry_under_the_wrong_obligation_is_404(world, api):
    entry = _entry(world)
    other = contract_obligation(world, title="另一笔")
    response = api(world.enterprise_user_1).post(f"{URL}{other.pk}/payments/{entry.pk}/confirm/", {}, format="json")
    assert response.status_code == 404


def test_the_debtors_staff_cannot_confirm_for_the_creditor(world, api):
    entry = _entry(world)
    response = api(world.staff_a).post(f"{URL}{entry.obligation_id}/payments/{entry.pk}/confirm/", {}, format="json")
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.confirmation == "pending"


# --- refusal reasons (R4), disputes, closure ---------------------------------------------------
@pytest.mark.parametrize(
    ("given_on", "code", "label", "article"),
    [
        (
            "2025-05-31",
            "awaiting_completion_filing",
            "在合同未作约定的情况下以等待竣工验收批复为由拒绝或者迟延支付",
            "《保障中小企业款项支付条例》（2020）第十三条、第二十五条第（六）项",
        ),
        (
            "2025-06-01",
            "awaiting_completion_filing",
            "在合同未作约定的情况下以等待竣工验收备案为由拒绝或者迟延支付",
            "《保障中小企业款项支付条例》（2025）第十四条、第三十一条第（六）项",
        ),
        (
            "2026-05-20",
            "leadership_change",
            "以法定代表人或者主要负责人变更为由拒绝或者迟延支付",
            "《保障中小企业款项支付条例》（2025）第十四条、第三十一条第（六）项",
        ),
    ],
)
def test_refusal_reason_is_judged_by_the_law_of_its_day(world, api, given_on, code, label, article):
    obligation = sme_obligation(
        world, arose_on=date(2025, 1, 6), trigger_on=date(2025, 1, 6), signed_on=date(2024, 12, 1)
    )
    response = api(world.staff_a).post(
        f"{URL}{obligation.pk}/refusal-reasons/", {"code": code, "given_on": given_on, "text": "原文"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["is_violation"], body["label"], body["article"]) == (True, label, article)


def test_unknown_refusal_reason_is_a_400(world, api):
    obligation = contract_obligation(world)
    response = api(world.staff_a).post(
        f"{URL}{obligation.pk}/refusal-reasons/", {"code": "bad", "given_on": "2026-05-01", "text": "x"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["code"]
    assert RefusalReason.objects.count() == 0


def test_disputed_part_leaves_the_undisputed_part_due(world, api):
    obligation = contract_obligation(world)
    client = api(world.staff_a)
    response = client.post(
        f"{URL}{obligation.pk}/dispute/", {"disputed_amount": "30000.00", "note": "质量争议"}, format="json"
    )
    assert response.status_code == 200, response.json()
    detail = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-06-05"}).json()
    assert (detail["disputed_amount"], detail["dispute_note"]) == ("30000.00", "质量争议")
    assert (detail["disputed_outstanding"], detail["undisputed_outstanding"]) == ("30000.00", "50000.00")
    assert detail["status"] == "overdue"


def test_dispute_above_outstanding_is_refused(world, api):
    obligation = contract_obligation(world)
    response = api(world.staff_a).post(
        f"{URL}{obligation.pk}/dispute/", {"disputed_amount": "80000.01", "note": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "disputed_exceeds_outstanding"
    obligation.refresh_from_db()
    assert obligation.disputed_amount == Decimal("0.00")


def test_write_off_needs_a_basis_and_shows_from_its_date(world, api):
    obligation = contract_obligation(world)
    client = api(world.staff_a)
    missing = client.post(f"{URL}{obligation.pk}/close/", {"outcome": "written_off", "on": "2026-06-01"}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["fields"]) == ["basis"]
    done = client.post(
        f"{URL}{obligation.pk}/close/",
        {"outcome": "written_off", "on": "2026-06-01", "basis": "债权人注销，依法核销"},
        format="json",
    )
    assert done.status_code == 200
    before = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-05-31"}).json()
    after = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-06-01"}).json()
    assert (before["status"], after["status"]) == ("overdue", "written_off")
    again = client.post(
        f"{URL}{obligation.pk}/close/", {"outcome": "cancelled", "on": "2026-06-02", "basis": "x"}, format="json"
    )
    assert again.status_code == 409


# --- R5 legacy debt -----------------------------------------------------------------------------
def test_legacy_debt_after_a_handover(world, api):
    # given the debtor's head changed on 2026-05-01, after the obligation arose
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1), end_on=date(2026, 5, 1))
    TenureFactory(agency=world.agency_a, person="乙", start_on=date(2026, 5, 1))
    obligation = sme_obligation(world)
    assert obligation.tenure_at_arising.person == "甲"
    client = api(world.staff_a)
    # when it is read before and after it fell overdue
    not_due = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-05-06"}).json()
    overdue = client.get(f"{URL}{obligation.pk}/", {"as_of": "2026-06-05"}).json()
    # then it is a legacy-debt case only once overdue
    assert (not_due["legacy_debt"], not_due["legacy"]) == (False, None)
    assert overdue["legacy_debt"] is True
    legacy = overdue["legacy"]
    assert (legacy["handover_on"], legacy["days_since_handover"]) == ("2026-05-01", 35)
    assert (legacy["principal_then"]["person"], legacy["principal_now"]["person"]) == ("甲", "乙")
    # one obligation, arisen before the handover and unpaid past due: 0 % on time before, none after
    assert (legacy["on_time_ratio_before"], legacy["on_time_ratio_after"]) == ("0.0000", None)


# --- the list: figures, filters, query count ---------------------------------------------------
def test_list_filters_by_live_status_in_sql(world, api):
    overdue = contract_obligation(world)
    paid = contract_obligation(world, title="已付")
    payment_record(actor=world.staff_a, obligation=paid, kind="payment", on=date(2026, 3, 20), amount="80000.00")
    not_due = sme_obligation(world)
    client = api(world.auditor)
    ids = {
        s: [row["id"] for row in client.get(URL, {"as_of": "2026-04-10", "status": s}).json()["results"]]
        for s in ("overdue", "paid", "not_yet_due")
    }
    assert ids == {"overdue": [overdue.pk], "paid": [paid.pk], "not_yet_due": [not_due.pk]}


def test_list_query_count_does_not_grow_with_rows(world, api, django_assert_num_queries):
    TenureFactory(agency=world.agency_a, person="甲", start_on=date(2020, 1, 1))
    for i in range(6):
        o = sme_obligation(world, title=f"采购{i}")
        payment_record(actor=world.staff_a, obligation=o, kind="payment", on=date(2026, 5, 16), amount="1000.00")
        RefusalReason.objects.create(
            obligation=o, code="other_lawful", given_on=date(2026, 5, 1), text="x", recorded_by=world.staff_a
        )
    client = api(world.auditor)
    # savepoint and release (ATOMIC_REQUESTS), count, page (with each row's stored entry state:
    # no entry is read), refusal reasons with their recorders, successions, tenures — the same
    # for 6 rows as for 60
    with django_assert_num_queries(7):
        response = client.get(URL, {"as_of": "2026-06-05"})
    assert response.status_code == 200
    assert response.json()["count"] == 6
    # each 1,000.00 paid on 2026-05-16 went to the 1,000.00 interest accrued by then (art. 561)
    assert {row["principal_outstanding"] for row in response.json()["results"]} == {"200000.00"}


def test_enterprise_sees_only_its_own_obligations(world, api):
    mine = contract_obligation(world)
    contract_obligation(world, creditor=world.enterprise_2, title="别家的")
    rows = api(world.enterprise_user_1).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]


# --- the status rule in SQL and in Python agree --------------------------------------------------
@pytest.mark.parametrize("as_of", ["2026-03-01", "2026-04-01", "2026-04-02", "2026-05-15", "2026-05-16", "2026-07-01"])
def test_status_in_sql_agrees_with_python(world, as_of):
    as_of = date.fromisoformat(as_of)
    rows = [
        contract_obligation(world, title="unpaid"),
        contract_obligation(world, title="paid late"),
        contract_obligation(world, title="paid on time"),
        contract_obligation(world, title="part paid"),
        contract_obligation(world, title="written off"),
        contract_obligation(world, title="reversed"),
    ]
    pay = {"actor": world.staff_a, "kind": "payment"}
    payment_record(obligation=rows[1], on=date(2026, 5, 16), amount="80000.00", **pay)
    payment_record(obligation=rows[2], on=date(2026, 3, 30), amount="80000.00", **pay)
    payment_record(obligation=rows[3], on=date(2026, 3, 30), amount="100.00", **pay)
    obligation_close(actor=world.staff_a, obligation=rows[4], outcome="written_off", on=date(2026, 5, 16), basis="核销")
    e = payment_record(obligation=rows[5], on=date(2026, 3, 30), amount="80000.00", **pay)
    payment_record(
        actor=world.staff_a, obligation=rows[5], kind="reversal", on=date(2026, 3, 30), reverses=e, basis="退票"
    )
    facts = LegacyFacts.load({world.agency_a.pk})
    sql = dict(with_status(Obligation.objects.all(), as_of).values_list("pk", "status_as_of"))
    python = {o.pk: figures(Obligation.objects.get(pk=o.pk), as_of, facts)["status"] for o in rows}
    assert sql == python
    assert python[rows[2].pk] == ("paid" if as_of >= date(2026, 3, 30) else "not_yet_due")
    assert status_of  # the same rule the figures use
