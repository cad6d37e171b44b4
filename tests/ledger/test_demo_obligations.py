"""The obligation demo data: idempotent, and each case shows the rule it is there for."""

from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from ledger.demo import obligations as demo
from ledger.demo import parties as demo_parties
from ledger.models import LedgerEntry, Obligation, Redemption, RefusalReason
from ledger.selectors.obligations import LegacyFacts, figures

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)


def _counts():
    return {m.__name__: m._default_manager.count() for m in apps.get_app_config("ledger").get_models()}


@pytest.fixture
def loaded():
    call_command("load_seeds", stdout=StringIO())
    demo_parties.load()
    demo.load()


def _figures(title):
    o = Obligation.objects.get(is_demo=True, title=title)
    return o, figures(o, AS_OF, LegacyFacts.load([o.debtor_agency_id]), ratios=True)


def test_loading_twice_adds_no_rows_and_no_history(loaded):
    first = _counts()
    demo.load()
    assert _counts() == first
    assert Obligation.objects.filter(is_demo=True).count() == 8  # 5 + 3 from approved redemptions
    assert Redemption.objects.filter(is_demo=True).count() == 4


def test_overdue_sme_procurement_with_interest_and_a_part_payment(loaded):
    o, f = _figures(demo.OBLIGATIONS[0][4]["title"])
    assert (o.regime, o.due_on) == ("sme_procurement", date(2026, 5, 6))
    as_of_example = figures(o, date(2026, 6, 5), LegacyFacts.load([o.debtor_agency_id]))
    assert as_of_example["principal_outstanding"] == "151000.00"
    assert as_of_example["interest"]["accrued"] == "2510.00"
    assert as_of_example["interest"]["unpaid"] == "1510.00"
    assert (f["status"], f["legacy_debt"]) == ("overdue", False)
    assert LedgerEntry.objects.get(obligation=o).confirmation == "confirmed"


def test_contract_regime_without_agreed_rate(loaded):
    o, f = _figures(demo.OBLIGATIONS[1][4]["title"])
    assert (o.regime, o.due_on) == ("contract", date(2026, 7, 30))
    assert (f["interest"], f["interest_note"]) == (None, "无法定逾期利息")


def test_legacy_debt_after_a_handover_with_a_forbidden_excuse(loaded):
    o, f = _figures(demo.OBLIGATIONS[2][4]["title"])
    assert o.term_capped is True
    assert o.tenure_at_arising.person == "张建国（演示）"
    assert f["legacy_debt"] is True
    assert f["legacy"]["handover_on"] == date(2023, 7, 1)
    assert (f["legacy"]["principal_then"]["person"], f["legacy"]["principal_now"]["person"]) == (
        "张建国（演示）",
        "王强（演示）",
    )
    reason = RefusalReason.objects.get(obligation=o)
    assert (reason.code, reason.is_violation) == ("leadership_change", True)
    assert reason.article == "《保障中小企业款项支付条例》（2020）第十三条、第二十五条第（六）项"


def test_legacy_debt_across_an_agency_merger(loaded):
    o, f = _figures(demo.OBLIGATIONS[3][4]["title"])
    assert o.debtor_agency.short_code == "demo-lyw"
    assert o.tenure_at_arising.person == "赵敏（演示）"
    assert f["legacy_debt"] is True
    assert f["legacy"]["handover_on"] == date(2024, 3, 1)
    assert f["legacy"]["principal_now"]["person"] == "刘洋（演示）"
    assert f["interest"] is not None  # 条例: interest runs


def test_disputed_part(loaded):
    o, f = _figures(demo.OBLIGATIONS[4][4]["title"])
    # due 2026-08-10 (8/9 is a Sunday); 40,000.00 paid 8/20 settles 600.00 interest first
    assert o.due_on == date(2026, 8, 10)
    assert (f["principal_outstanding"], f["disputed_outstanding"]) == ("80600.00", "20000.00")
    assert f["undisputed_outstanding"] == "60600.00"


def test_free_apply_redemptions_paid_on_time_and_late(loaded):
    on_time, late = Redemption.objects.filter(is_demo=True, policy__delivery_mode="free_apply").order_by("id")
    assert (on_time.obligation.due_on, on_time.obligation.fully_paid_on) == (date(2026, 3, 5), date(2026, 3, 3))
    assert (late.obligation.due_on, late.obligation.fully_paid_on) == (date(2026, 4, 17), date(2026, 5, 8))
    assert Redemption.objects.get(is_demo=True, status="rejected").reject_reason.startswith("（演示）")
