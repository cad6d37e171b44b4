"""Writes behind the enterprise's status view: marking its notifications read.

Notifications are created where the event happens (ledger.services.notifications.notify, called
by the claim, 确权 and payment services); a user may only mark their own ones read.
"""

from __future__ import annotations

from django.db import transaction

from ledger import clock
from ledger.errors import NotFound
from ledger.models import Notification, User


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Idempotent: a notification already read keeps the time it was first read."""
    if notification.user_id != actor.pk:
        raise NotFound()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())
    if updated:
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())
