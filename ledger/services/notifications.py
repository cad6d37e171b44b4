"""Notifications: in-app, and by email through Django's email backend where asked."""

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from ledger.models import Agency, Enterprise, Notification, Role, User


def recipients(
    *, agency: Agency | None = None, enterprise: Enterprise | None = None, roles: Iterable[str] = ()
) -> list[User]:
    """Active users of an agency (its staff), of an enterprise, or of global roles."""
    qs = User.objects.filter(is_active=True)
    if agency is not None:
        return list(qs.filter(role=Role.AGENCY_STAFF, agency=agency))
    if enterprise is not None:
        return list(qs.filter(role=Role.ENTERPRISE, enterprise=enterprise))
    return list(qs.filter(role__in=list(roles)))


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    email: bool = False,
) -> list[Notification]:
    """Create one notification per user; with a dedupe_key, a user never gets the same one twice."""
    created = []
    for user in users:
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    user=user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
                )
        except IntegrityError:  # a concurrent run created it first
            continue
        if email and user.email:
            send_mail(title, f"{body}\n\n{link}".strip(), None, [user.email], fail_silently=False)
            n.emailed = True
            n.save(update_fields=["emailed"])
        created.append(n)
    return created
