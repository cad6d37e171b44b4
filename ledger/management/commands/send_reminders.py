"""Daily: escalate overdue unreplied recommendations, then remind each agency's staff and the supervisors.

Cron (docs/operations.md): ``15 7 * * * cd /srv/ledger && .venv/bin/python manage.py send_reminders``
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ledger import clock
from ledger.services.reminders import reminders_send


class Command(BaseCommand):
    help = "发送到期提醒（7日内到期、今日到期、已逾期），并生成逾期未回复建议的督办记录；同一天重复执行不会重复发送"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期（YYYY-MM-DD）运行，默认今日（北京时间）")

    def handle(self, *args, **options):
        raw = options.get("date")
        try:
            on = date.fromisoformat(raw) if raw else clock.today()
        except ValueError:
            raise CommandError(f"--date 应为 YYYY-MM-DD，实为“{raw}”") from None
        report = reminders_send(on=on)
        kinds = "，".join(f"{k} {n}" for k, n in sorted(report.by_kind.items())) or "无"
        self.stdout.write(
            self.style.SUCCESS(
                f"{on.isoformat()}：新建督办{report.escalations_created}条；到期事项（{kinds}）；"
                f"新通知{report.notifications}条；邮件{report.emails}封"
            )
        )
