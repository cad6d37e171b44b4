"""Real concurrency on PostgreSQL: two replies to one recommendation at once record one; two daily
reminder runs at once create one escalation and send each person one email."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection

from ledger.errors import IllegalTransition
from ledger.models import Escalation, Notification, RecommendationReply
from ledger.services import oversight as svc
from ledger.services.reminders import reminders_send
from tests.owned_objects import obligation_for, recommendation_for


def run_together(fn, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # reported by the assertions below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_replies_at_once_record_one(world):
    rec = recommendation_for(world)
    results, errors = run_together(
        lambda: svc.recommendation_reply(
            actor=world.staff_a, recommendation=rec, replied_on=date(2026, 4, 1), summary="已整改"
        )
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [IllegalTransition]
    assert RecommendationReply.objects.count() == 1
    rec.refresh_from_db()
    assert (rec.status, rec.replied_on) == ("replied", date(2026, 4, 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_everything_once(world):
    world.staff_b.email, world.supervisor.email = "b@example.gov.cn", "sfj@example.gov.cn"
    world.staff_b.save(update_fields=["email"])
    world.supervisor.save(update_fields=["email"])
    for due in (date(2026, 6, 10), date(2026, 6, 15), date(2026, 6, 18)):
        obligation_for(world, debtor_agency=world.agency_b, due_on=due)
    recommendation_for(world, recipient=world.agency_b, served_on=date(2026, 4, 12), deadline=date(2026, 6, 12))
    results, errors = run_together(lambda: reminders_send(on=date(2026, 6, 15)))
    assert errors == []
    assert Escalation.objects.count() == 1
    assert Notification.objects.filter(user=world.staff_b).count() == 4
    assert Notification.objects.filter(user=world.supervisor).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.gov.cn", "sfj@example.gov.cn"]
    assert sum(r.notifications for r in results) == 5
