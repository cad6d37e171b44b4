"""Security a district expects (issue #10, point 4): CSRF on session writes, the access log of
views of enterprise data, and its retention of at least six months."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ledger import clock
from ledger.models import AccessLog
from tests.owned_objects import claim_for, obligation_for

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_session_write_without_the_csrf_token_is_refused_and_writes_nothing(world):
    obligation = obligation_for(world)
    client = _signed_in(world.staff_a)
    url = f"/api/obligations/{obligation.pk}/dispute/"
    body = {"disputed_amount": "100.00", "note": "企业对金额有异议"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    obligation.refresh_from_db()
    assert obligation.disputed_amount == 0
    # with the token from the cookie the same write goes through
    client.get("/accounts/login/")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.json()
    obligation.refresh_from_db()
    assert str(obligation.disputed_amount) == "100.00"


def test_reading_an_obligation_or_a_claim_is_logged_with_who_and_what(world, api):
    obligation = obligation_for(world)
    claim = claim_for(world)
    AccessLog.objects.all().delete()
    assert api(world.auditor).get(f"/api/obligations/{obligation.pk}/").status_code == 200
    assert api(world.enterprise_user_1).get(f"/api/claims/{claim.pk}/history/").status_code == 200
    # a list, and another tenant's 404, are not views of one record
    assert api(world.auditor).get("/api/obligations/").status_code == 200
    assert api(world.staff_b).get(f"/api/obligations/{obligation.pk}/").status_code == 404
    logged = list(AccessLog.objects.order_by("id").values_list("user__username", "action", "target", "detail"))
    assert logged == [
        (
            world.auditor.username,
            "view",
            f"ledger.obligation:{obligation.pk}",
            {"path": f"/api/obligations/{obligation.pk}/", "action": "retrieve"},
        ),
        (
            world.enterprise_user_1.username,
            "view",
            f"ledger.claim:{claim.pk}",
            {"path": f"/api/claims/{claim.pk}/history/", "action": "history"},
        ),
    ]


def _entry_aged(days: int) -> AccessLog:
    entry = AccessLog.objects.create(action="login", target=f"{days} days old")
    AccessLog.objects.filter(pk=entry.pk).update(at=clock.now() - timedelta(days=days))
    return entry


def test_pruning_keeps_six_months_at_least(settings):
    settings.LEDGER_ACCESS_LOG_KEEP_DAYS = 365
    for days in (0, 183, 364, 366, 800):
        _entry_aged(days)
    out = StringIO()
    call_command("prune_access_log", stdout=out)
    assert sorted(AccessLog.objects.values_list("target", flat=True)) == ["0 days old", "183 days old", "364 days old"]
    assert "已删除2条" in out.getvalue()
    with pytest.raises(CommandError, match="保存期限182天少于6个月（183天）"):
        call_command("prune_access_log", "--keep-days", "182")
    call_command("prune_access_log", "--keep-days", "183", "--dry-run", stdout=StringIO())
    assert AccessLog.objects.count() == 3
    call_command("prune_access_log", "--keep-days", "183", stdout=StringIO())
    assert sorted(AccessLog.objects.values_list("target", flat=True)) == ["0 days old"]


def test_a_session_ends_after_30_idle_minutes(world, settings):
    from django.contrib.sessions.models import Session

    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST) == (1800, True)
    client = _signed_in(world.enterprise_user_1)
    assert client.get("/status/").status_code == 200
    # each request pushes the expiry 30 minutes on; once 30 idle minutes pass it is gone
    session = Session.objects.get(session_key=client.session.session_key)
    assert timedelta(minutes=29) < session.expire_date - clock.now() <= timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(expire_date=clock.now() - timedelta(seconds=1))
    response = client.get("/status/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/status/")
