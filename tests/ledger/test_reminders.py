"""The daily reminder run (manage.py send_reminders): each agency's staff get what falls due within
7 days, today, and what is overdue — in the app and by one digest email; supervisors get the
escalations; a rerun on the same day sends nothing twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from ledger import reminders
from ledger.models import Confirmation, Escalation, Notification, Role
from ledger.reminders import ReminderItem, register_reminder_source
from ledger.services import oversight as svc
from tests.factories import AgencyFactory, UserFactory
from tests.owned_objects import claim_for, decision_for, obligation_for, recommendation_for

pytestmark = pytest.mark.django_db

RUN = date(2026, 6, 15)  # a Monday


@pytest.fixture
def people(world):
    for user, email in (
        (world.staff_a, "a@example.gov.cn"),
        (world.staff_b, "b@example.gov.cn"),
        (world.supervisor, "sfj@example.gov.cn"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def scenario(world):
    w = world
    # agency A: obligations overdue, due today, due in 7 days, due in 8 days (not yet), paid, closed
    ob_overdue = obligation_for(w, due_on=date(2026, 6, 1))
    ob_today = obligation_for(w, due_on=RUN)
    ob_soon = obligation_for(w, due_on=date(2026, 6, 22))
    obligation_for(w, due_on=date(2026, 6, 23))
    obligation_for(w, due_on=date(2026, 6, 1), principal_paid=Decimal("1000.00"), fully_paid_on=date(2026, 6, 1))
    obligation_for(w, due_on=date(2026, 6, 1), outcome="cancelled", outcome_on=date(2026, 6, 2))
    # agency A: a recommendation reply due in 3 days, a replied one, an overdue decision
    rec_soon = recommendation_for(w, served_on=date(2026, 4, 18), deadline=date(2026, 6, 18))
    recommendation_for(
        w, served_on=date(2026, 4, 1), deadline=date(2026, 6, 1), replied_on=date(2026, 5, 20), status="replied"
    )
    dec = decision_for(w, effective_on=date(2026, 5, 1), performance_deadline=date(2026, 6, 10), creditor=None)
    decision_for(
        w,
        effective_on=date(2026, 5, 1),
        performance_deadline=date(2026, 6, 10),
        status="reported",
        reported_on=date(2026, 6, 9),
    )
    # agency A: a claim forwarded and unanswered, a 确权 request due today
    claim = claim_for(
        w,
        status="forwarded",
        accepted_on=date(2026, 5, 11),
        forwarded_on=date(2026, 5, 20),
        result_due_on=date(2026, 6, 19),
    )
    conf = Confirmation.objects.create(
        enterprise=w.enterprise_1,
        agency=w.agency_a,
        region_code="341002",
        amount=Decimal("30000.00"),
        subject="应收账款确权",
        requested_on=date(2026, 5, 16),
        requested_by=w.enterprise_user_1,
        due_on=RUN,
    )
    # agency B: a recommendation whose deadline passed on Friday 06-12, unreplied → escalation
    rec_b = recommendation_for(w, recipient=w.agency_b, served_on=date(2026, 4, 12), deadline=date(2026, 6, 12))
    return {
        "a": {
            ("obligation", ob_overdue.pk),
            ("obligation", ob_today.pk),
            ("obligation", ob_soon.pk),
            ("recommendation", rec_soon.pk),
            ("decision", dec.pk),
            ("claim", claim.pk),
            ("confirmation", conf.pk),
        },
        "b": {("recommendation", rec_b.pk)},
        "rec_b": rec_b,
    }


def _keys(user) -> set[tuple[str, int]]:
    out = set()
    for key in Notification.objects.filter(user=user).values_list("dedupe_key", flat=True):
        _, _, kind, pk = key.split(":")
        out.add((kind, int(pk)))
    return out


def test_daily_run_reminds_each_agency_and_the_supervisors(people, scenario):
    w = people
    # when
    call_command("send_reminders", date="2026-06-15")
    # then agency A's staff get exactly their items, in the app
    assert _keys(w.staff_a) == scenario["a"]
    assert _keys(w.staff_b) == scenario["b"]
    kinds = dict(Notification.objects.filter(user=w.staff_a).values_list("dedupe_key", "kind"))
    assert sorted(kinds.values()) == sorted(
        [
            "reminder_overdue",
            "reminder_today",
            "reminder_soon",
            "reminder_soon",
            "reminder_overdue",
            "reminder_soon",
            "reminder_today",
        ]
    )
    # one escalation was created for agency B's recommendation, and the supervisors got it
    esc = Escalation.objects.get()
    assert (esc.recommendation, esc.created_on, esc.due_by) == (scenario["rec_b"], RUN, date(2026, 6, 22))
    assert list(Notification.objects.filter(user=w.supervisor).values_list("kind", "dedupe_key")) == [
        ("escalation", f"reminder:2026-06-15:escalation:{esc.pk}")
    ]
    # by email: one digest per person
    assert len(mail.outbox) == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["a@example.gov.cn"].subject == "履约践诺台账提醒（2026-06-15）：已逾期2项，今日到期2项，7日内到期3项"
    assert by_to["b@example.gov.cn"].subject == "履约践诺台账提醒（2026-06-15）：已逾期1项"
    assert by_to["sfj@example.gov.cn"].subject == "履约践诺台账提醒（2026-06-15）：逾期未回复督办1项"
    assert "【已逾期】" in by_to["a@example.gov.cn"].body
    assert Notification.objects.filter(emailed=True).count() == 9
    # nobody else heard anything
    assert Notification.objects.exclude(user__in=[w.staff_a, w.staff_b, w.supervisor]).count() == 0


def test_a_rerun_on_the_same_day_sends_nothing_twice(people, scenario):
    call_command("send_reminders", date="2026-06-15")
    notifications, emails, escalations = Notification.objects.count(), len(mail.outbox), Escalation.objects.count()
    assert (notifications, emails, escalations) == (9, 3, 1)
    # when run again the same day
    call_command("send_reminders", date="2026-06-15")
    # then nothing new
    assert (Notification.objects.count(), len(mail.outbox), Escalation.objects.count()) == (9, 3, 1)
    # the next day the open items are reminded again, the escalation is not
    call_command("send_reminders", date="2026-06-16")
    assert Escalation.objects.count() == 1
    assert Notification.objects.filter(user=people.supervisor).count() == 1
    assert len(mail.outbox) == 5


def test_staff_without_email_get_in_app_only(world, scenario):
    call_command("send_reminders", date="2026-06-15")
    assert len(mail.outbox) == 0
    assert Notification.objects.filter(user=world.staff_a).count() == 7
    assert Notification.objects.filter(emailed=True).count() == 0


def test_staff_of_a_successor_agency_are_reminded(world):
    # given agency B merged into agency A: B's debts pass to A
    world.agency_b.successor = world.agency_a
    world.agency_b.succeeded_on = date(2026, 1, 1)
    world.agency_b.save()
    ob = obligation_for(world, debtor_agency=world.agency_b, due_on=RUN)
    call_command("send_reminders", date="2026-06-15")
    assert _keys(world.staff_a) == {("obligation", ob.pk)}


def test_an_inactive_user_hears_nothing(world):
    world.staff_a.is_active = False
    world.staff_a.save()
    obligation_for(world, due_on=RUN)
    call_command("send_reminders", date="2026-06-15")
    assert Notification.objects.count() == 0


def test_escalation_run_notifies_supervisors_without_email_in_app(world):
    # given a recommendation due Wed 2026-09-30 (before National Day)
    rec = recommendation_for(world, served_on=date(2026, 7, 30), deadline=date(2026, 9, 30))
    other = UserFactory(role=Role.SUPERVISOR)
    # when the run on 10-01 creates the escalation
    call_command("send_reminders", date="2026-10-01")
    # then both supervisors are told once
    esc = Escalation.objects.get(recommendation=rec)
    assert esc.due_by == date(2026, 10, 13)
    assert Notification.objects.filter(kind="escalation").count() == 2
    assert set(Notification.objects.filter(kind="escalation").values_list("user", flat=True)) == {
        world.supervisor.pk,
        other.pk,
    }


def test_a_higher_app_registers_its_own_source(world):
    # given a registered source (as contracts does for milestones, from its AppConfig.ready())
    agency = AgencyFactory()
    staff = UserFactory(role=Role.AGENCY_STAFF, agency=agency, email="m@example.gov.cn")

    def milestones(on, horizon):
        yield ReminderItem(kind="test_milestone", object_id=7, agency_id=agency.pk, due_on=on, title="交付节点")

    register_reminder_source(milestones, name="test-milestones")
    try:
        call_command("send_reminders", date="2026-06-15")
    finally:
        reminders._SOURCES.pop("test-milestones")
    assert list(Notification.objects.filter(user=staff).values_list("dedupe_key", "title")) == [
        ("reminder:2026-06-15:test_milestone:7", "今日到期：交付节点")
    ]
    assert len(mail.outbox) == 1


def test_the_core_sources_are_registered():
    names = set(reminders.reminder_sources())
    assert {
        "ledger.reminders.obligations_due",
        "ledger.reminders.recommendation_replies_due",
        "ledger.reminders.decisions_due",
        "ledger.reminders.claims_due",
        "ledger.reminders.confirmations_due",
    } <= names


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", date="2026-02-30")


def test_demo_escalation_service_matches_the_run(world):
    # the service the run uses is idempotent for any date
    recommendation_for(world, served_on=date(2026, 4, 12), deadline=date(2026, 6, 12))
    assert len(svc.escalations_create_due(as_of=RUN)) == 1
    assert svc.escalations_create_due(as_of=RUN) == []


def test_contracts_registers_government_milestones(world):
    # given a performing contract of agency A with a government milestone due in 2 days, one met,
    # and an enterprise-side one (the contracts app registers this source from its ready())
    from contracts.models import Milestone
    from tests.contracts.helpers import performing

    contract = performing(world)
    due = Milestone.objects.create(
        contract=contract, side="government", kind="approval", title="交付建设用地", due_on=date(2026, 6, 17)
    )
    Milestone.objects.create(
        contract=contract,
        side="government",
        kind="approval",
        title="办理规划许可",
        due_on=date(2026, 6, 10),
        met_on=date(2026, 6, 9),
    )
    Milestone.objects.create(contract=contract, side="enterprise", kind="delivery", title="供货", due_on=RUN)
    # when
    call_command("send_reminders", date="2026-06-15")
    # then staff of agency A are reminded of the unmet government milestone only
    assert "contracts.milestones" in reminders.reminder_sources()
    assert _keys(world.staff_a) == {("milestone", due.pk)}
    assert (
        Notification.objects.get(user=world.staff_a).title == f"7日内到期：合同《{contract.title}》节点：交付建设用地"
    )
