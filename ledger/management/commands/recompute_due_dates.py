"""Recompute provisional due dates and reply deadlines after the calendar changed (SPEC R2).

A due date (obligations) or reply deadline (recommendations, SPEC R6) computed beyond the
official calendar data is stored as provisional. When the
chinesecalendar package is updated or an administrator enters an override, this command — run
by an administrator or the scheduler — recomputes only those rows, writes each change to the
record's history with a reason, logs it, and records the run in the access log.
"""

import logging

from django.core.management.base import BaseCommand
from django.db import transaction

from ledger.models import AccessLog
from ledger.services.obligations import due_dates_recompute
from ledger.services.oversight import recommendation_deadlines_recompute

logger = logging.getLogger("ledger.recompute_due_dates")


class Command(BaseCommand):
    help = "日历变更后重算暂定到期日（给付义务）和暂定回复期限（司法建议、检察建议），变更写入历史记录"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将要变更的记录，不写入")

    @transaction.atomic
    def handle(self, *args, dry_run=False, **options):
        changes = due_dates_recompute(dry_run=dry_run)
        deadline_changes = recommendation_deadlines_recompute(dry_run=dry_run)
        prefix = "［试运行］" if dry_run else ""
        lines = [
            (f"{c.reference}: ", c.old_due_on, c.new_due_on, c.still_provisional, c.old_version, c.new_version)
            for c in changes
        ] + [
            (
                f"{c.doc_number}: 回复期限 ",
                c.old_deadline,
                c.new_deadline,
                c.still_provisional,
                c.old_version,
                c.new_version,
            )
            for c in deadline_changes
        ]
        for what, old, new, provisional, old_version, new_version in lines:
            line = (
                f"{prefix}{what}{old.isoformat()} → {new.isoformat()}"
                f"{'（仍为暂定）' if provisional else ''}；{old_version} → {new_version}"
            )
            logger.warning("recompute_due_dates %s", line)
            self.stdout.write(line)
        if not dry_run:
            AccessLog.objects.create(
                action="recompute_due_dates",
                target=f"{len(changes)} obligations",
                detail={
                    "changes": [
                        {"reference": c.reference, "old": c.old_due_on.isoformat(), "new": c.new_due_on.isoformat()}
                        for c in changes
                    ],
                    "recommendations": [
                        {
                            "doc_number": c.doc_number,
                            "old": c.old_deadline.isoformat(),
                            "new": c.new_deadline.isoformat(),
                        }
                        for c in deadline_changes
                    ],
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}重算完成：{len(changes)} 条暂定到期日、{len(deadline_changes)} 条暂定回复期限有变化"
            )
        )
