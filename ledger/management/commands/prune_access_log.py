"""Delete access-log entries older than the retention period, never younger than 6 months.

网络安全法 (2016) art. 21(3) requires network logs to be kept for no less than six months; the
period comes from LEDGER_ACCESS_LOG_KEEP_DAYS (default 365) or --keep-days, and anything under
183 days is refused rather than obeyed.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ledger import clock
from ledger.models import AccessLog

MINIMUM_KEEP_DAYS = 183  # six months, counted generously


class Command(BaseCommand):
    help = "删除超过保存期限的访问日志（保存期限不少于6个月，网络安全法第二十一条）"

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, help="保存天数，默认取 LEDGER_ACCESS_LOG_KEEP_DAYS，不得少于183")
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数，不删除")

    def handle(self, *args, keep_days=None, dry_run=False, **options):
        keep = settings.LEDGER_ACCESS_LOG_KEEP_DAYS if keep_days is None else keep_days
        if keep < MINIMUM_KEEP_DAYS:
            raise CommandError(f"保存期限{keep}天少于6个月（{MINIMUM_KEEP_DAYS}天），网络安全法第二十一条不允许")
        cutoff = clock.now() - timedelta(days=keep)
        old = AccessLog.objects.filter(at__lt=cutoff)
        count = old.count()
        if not dry_run:
            old.delete()
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(self.style.SUCCESS(f"{verb}{count}条{cutoff:%Y-%m-%d %H:%M}之前的访问日志（保存{keep}天）"))
