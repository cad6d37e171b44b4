"""The logged command that recomputes provisional due dates when the calendar changes (SPEC R2)."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from ledger.models import AccessLog, CalendarOverride, LedgerEntry, Obligation
from tests.ledger.obligation_helpers import sme_obligation

pytestmark = pytest.mark.django_db


def _beyond_the_data(world):
    # Delivery on 2027-01-04 + 30 days = Wednesday 2027-02-03: beyond chinesecalendar's 2026 data,
    # so computed by the fallback and stored as provisional.
    return sme_obligation(
        world, title="2027年交付", arose_on=date(2027, 1, 4), trigger_on=date(2027, 1, 4), signed_on=date(2026, 12, 1)
    )


def test_recompute_moves_provisional_dates_and_writes_history(world):
    # given a provisional due date and one computed from the official data
    provisional = _beyond_the_data(world)
    official = sme_obligation(world, title="2026年交付")
    assert (provisional.due_on, provisional.due_provisional) == (date(2027, 2, 3), True)
    assert (official.due_on, official.due_provisional) == (date(2026, 5, 6), False)
    old_version = provisional.calendar_version
    # when the administrator declares both due days rest days and the command runs
    CalendarOverride.objects.create(day=date(2027, 2, 3), is_workday=False, basis="国务院办公厅2027年放假安排")
    CalendarOverride.objects.create(day=date(2026, 5, 6), is_workday=False, basis="测试")
    out = StringIO()
    call_command("recompute_due_dates", stdout=out)
    # then only the provisional one moved, to the next day, with the reason in its history
    provisional.refresh_from_db()
    official.refresh_from_db()
    assert (provisional.due_on, provisional.due_provisional) == (date(2027, 2, 4), True)
    assert provisional.calendar_version != old_version
    assert provisional.calendar_version.startswith("chinesecalendar-1.11.0;overrides-")
    assert official.due_on == date(2026, 5, 6)
    latest = provisional.history.order_by("-history_id").first()
    assert latest.history_change_reason == "日历变更后重算暂定到期日：2027-02-03 → 2027-02-04"
    assert (latest.prev_record.due_on, latest.due_on) == (date(2027, 2, 3), date(2027, 2, 4))
    assert f"{provisional.reference}: 2027-02-03 → 2027-02-04（仍为暂定）" in out.getvalue()
    log = AccessLog.objects.get(action="recompute_due_dates")
    assert log.detail == {
        "changes": [{"reference": provisional.reference, "old": "2027-02-03", "new": "2027-02-04"}],
        "recommendations": [],
    }
    # and a second run finds nothing more to do
    call_command("recompute_due_dates", stdout=StringIO())
    assert provisional.history.count() == 2


def test_dry_run_lists_but_writes_nothing(world):
    provisional = _beyond_the_data(world)
    CalendarOverride.objects.create(day=date(2027, 2, 3), is_workday=False, basis="测试")
    out = StringIO()
    call_command("recompute_due_dates", "--dry-run", stdout=out)
    assert f"［试运行］{provisional.reference}: 2027-02-03 → 2027-02-04" in out.getvalue()
    assert Obligation.objects.get(pk=provisional.pk).due_on == date(2027, 2, 3)
    assert provisional.history.count() == 1
    assert not AccessLog.objects.filter(action="recompute_due_dates").exists()


def test_an_override_with_a_legal_basis_is_never_recomputed(world):
    o = _beyond_the_data(world)
    Obligation.objects.filter(pk=o.pk).update(due_override_basis="某法律规定")
    CalendarOverride.objects.create(day=date(2027, 2, 3), is_workday=False, basis="测试")
    call_command("recompute_due_dates", stdout=StringIO())
    assert Obligation.objects.get(pk=o.pk).due_on == date(2027, 2, 3)


def test_the_command_also_recomputes_provisional_reply_deadlines(world):
    from ledger.models import Recommendation
    from ledger.services.oversight import recommendation_record

    # given a 公益诉讼检察建议 served 2026-11-20: two months end 2027-01-20, beyond the data
    rec = recommendation_record(
        actor=world.supervisor,
        kind="public_interest",
        issuer="屯溪区人民检察院",
        doc_number="屯检公建〔2026〕9号",
        title="测试建议",
        recipient=world.agency_a,
        served_on=date(2026, 11, 20),
    )
    assert (rec.deadline, rec.deadline_provisional) == (date(2027, 1, 20), True)
    # when that day becomes a rest day and the one command runs
    CalendarOverride.objects.create(day=date(2027, 1, 20), is_workday=False, basis="测试：国务院通知")
    out = StringIO()
    call_command("recompute_due_dates", stdout=out)
    # then the reply deadline rolled to the next day, logged with the obligations' changes
    rec = Recommendation.objects.get(pk=rec.pk)
    assert (rec.deadline, rec.deadline_provisional) == (date(2027, 1, 21), True)
    assert "屯检公建〔2026〕9号: 回复期限 2027-01-20 → 2027-01-21（仍为暂定）" in out.getvalue()
    assert "重算完成：0 条暂定到期日、1 条暂定回复期限有变化" in out.getvalue()
    log = AccessLog.objects.get(action="recompute_due_dates")
    assert log.detail == {
        "changes": [],
        "recommendations": [{"doc_number": "屯检公建〔2026〕9号", "old": "2027-01-20", "new": "2027-01-21"}],
    }


def test_a_moved_due_date_moves_the_running_totals_and_the_entries_stored_states(world):
    # given a provisional due date of 2027-02-03 and 50,000.00 paid on 2027-02-10 (written here
    # directly: the service refuses dates after today), with the states stored for that due date —
    # 7 days of 0.05 % on 200,000 = 700.00 of interest first, 49,300.00 to principal
    obligation = _beyond_the_data(world)
    entry = LedgerEntry.objects.create(
        obligation=obligation,
        kind="payment",
        on=date(2027, 2, 10),
        amount=Decimal("50000.00"),
        recorded_by=world.staff_a,
        after_principal_outstanding=Decimal("150700.00"),
        after_balance_days=Decimal("1400000.00"),
        after_interest_paid=Decimal("700.00"),
        after_interest_waived=Decimal("0.00"),
    )
    Obligation.objects.filter(pk=obligation.pk).update(principal_paid=Decimal("49300.00"))
    # when the due day becomes a rest day and the command moves it to 2027-02-04
    CalendarOverride.objects.create(day=date(2027, 2, 3), is_workday=False, basis="国务院办公厅2027年放假安排")
    call_command("recompute_due_dates", stdout=StringIO())
    # then 6 days of interest: 600.00 first, 49,400.00 to principal — in the totals and the entry
    obligation.refresh_from_db()
    entry.refresh_from_db()
    assert (obligation.due_on, obligation.principal_paid, obligation.fully_paid_on) == (
        date(2027, 2, 4),
        Decimal("49400.00"),
        None,
    )
    assert (entry.after_principal_outstanding, entry.after_balance_days, entry.after_interest_paid) == (
        Decimal("150600.00"),
        Decimal("1200000.00"),
        Decimal("600.00"),
    )
    assert obligation.history.count() == 2  # created, then the one recompute
