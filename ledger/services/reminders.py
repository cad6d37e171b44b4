"""The daily reminder run: escalations first, then each agency's staff, then the supervisors.

Every notification carries ``dedupe_key = f"reminder:{date}:{kind}:{id}"``, unique per user, so a
rerun on the same day creates nothing and emails nothing twice. Each user gets one digest email
of the notifications created for them in this run, sent inside the same transaction: if sending
fails, that user's notifications roll back and the next run tries again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.mail import send_mail
from django.db import transaction

from ledger import reminders
from ledger.models import Escalation, Notification, Role, User
from ledger.reminders import BUCKET_LABELS, OVERDUE, SOON, TODAY, ReminderItem
from ledger.selectors.calendar import current_calendar
from ledger.selectors.scoping import agency_ids_for
from ledger.services.notifications import notify
from ledger.services.oversight import escalations_create_due

ESCALATION = "escalation"


@dataclass
class RunReport:
    on: date
    escalations_created: int = 0
    notifications: int = 0
    emails: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _staff_by_agency() -> dict[int, list[User]]:
    """Active staff of each agency, including staff of its successors (debts and duties pass on)."""
    out: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(role=Role.AGENCY_STAFF, is_active=True, agency__isnull=False).order_by("id"):
        for agency_id in agency_ids_for(user):
            out[agency_id].append(user)
    return out


_ORDER = (OVERDUE, TODAY, SOON, ESCALATION)
_LABELS = {**BUCKET_LABELS, ESCALATION: "逾期未回复督办"}


def _digest(on: date, created: list[tuple[str, Notification]]) -> tuple[str, str]:
    counts = {b: sum(1 for bucket, _ in created if bucket == b) for b in _ORDER}
    summary = "，".join(f"{_LABELS[b]}{counts[b]}项" for b in _ORDER if counts[b])
    subject = f"履约践诺台账提醒（{on.isoformat()}）：{summary}"
    lines = []
    for bucket in _ORDER:
        group = [n for b, n in created if b == bucket]
        if not group:
            continue
        lines.append(f"【{_LABELS[bucket]}】")
        lines.extend(f"- {n.body}  {n.link}".rstrip() for n in group)
        lines.append("")
    return subject, "\n".join(lines).strip()


def _send(user: User, on: date, created: list[tuple[str, Notification]], report: RunReport) -> None:
    report.notifications += len(created)
    if not created or not user.email:
        return
    subject, body = _digest(on, created)
    send_mail(subject, body, None, [user.email], fail_silently=False)
    Notification.objects.filter(pk__in=[n.pk for _, n in created]).update(emailed=True)
    report.emails += 1


def _item_notice(item: ReminderItem, on: date) -> dict:
    bucket = item.bucket(on)
    if bucket == OVERDUE:
        when = f"已于{item.due_on.isoformat()}到期，逾期{(on - item.due_on).days}日"
    elif bucket == TODAY:
        when = "今日到期"
    else:
        when = f"{item.due_on.isoformat()}到期（还有{(item.due_on - on).days}日）"
    return {
        "kind": f"reminder_{bucket}",
        "title": f"{BUCKET_LABELS[bucket]}：{item.title}"[:200],
        "body": f"{item.title}：{when}",
        "link": item.link,
        "dedupe_key": f"reminder:{on.isoformat()}:{item.kind}:{item.object_id}",
    }


def reminders_send(*, on: date) -> RunReport:
    """One daily run as of ``on``; idempotent for the same date."""
    report = RunReport(on=on)
    with transaction.atomic():
        report.escalations_created = len(escalations_create_due(as_of=on, cal=current_calendar()))

    staff = _staff_by_agency()
    per_user: dict[int, tuple[User, list[ReminderItem]]] = {}
    for item in reminders.collect(on):
        report.by_kind[item.kind] += 1
        for user in staff.get(item.agency_id, []):
            per_user.setdefault(user.pk, (user, []))[1].append(item)

    for user, items in per_user.values():
        with transaction.atomic():
            created = []
            for item in items:
                for n in notify(users=[user], **_item_notice(item, on)):
                    created.append((item.bucket(on), n))
            _send(user, on, created, report)

    # Supervisors get the escalations recorded on this day (SPEC R6).
    escalations = list(
        Escalation.objects.filter(created_on=on).select_related("recommendation__recipient", "to_agency").order_by("id")
    )
    if escalations:
        for user in User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("id"):
            with transaction.atomic():
                created = []
                for esc in escalations:
                    rec = esc.recommendation
                    to = esc.to_agency.name if esc.to_agency else "同级党委、人大或政府（无上级单位）"
                    title = f"逾期未回复，报送上级督办：{rec.doc_number}"
                    body = (
                        f"{rec.recipient.name}"
                        f"未在{esc.deadline.isoformat()}前书面回复{rec.get_kind_display()}{rec.doc_number}"
                        f"（{rec.issuer}：{rec.title}），报送{to}；应于{esc.due_by.isoformat()}前报送"
                    )
                    for n in notify(
                        users=[user],
                        kind="escalation",
                        title=title[:200],
                        body=body,
                        link=f"/api/recommendations/{rec.pk}/",
                        dedupe_key=f"reminder:{on.isoformat()}:escalation:{esc.pk}",
                    ):
                        created.append((ESCALATION, n))
                _send(user, on, created, report)
    return report
