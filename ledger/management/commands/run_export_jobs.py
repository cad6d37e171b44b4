"""Run the pending background exports (exports above LEDGER_EXPORT_SYNC_MAX_ROWS rows).

Cron (docs/operations.md): ``*/5 * * * * cd /srv/ledger && .venv/bin/python manage.py run_export_jobs``
Several runners may overlap: each job is claimed under a row lock (pending → running) once.
"""

from django.core.management.base import BaseCommand
from django.urls import get_resolver

from ledger.api.exporting import run_pending_export_jobs
from ledger.models import ExportJobStatus


class Command(BaseCommand):
    help = "生成排队中的导出文件（大批量导出的后台任务），完成后通知申请人下载"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="本次最多处理的任务数")

    def handle(self, *args, **options):
        get_resolver().url_patterns  # noqa: B018  (load the URL configuration: the exportable lists)
        jobs = run_pending_export_jobs(limit=options.get("limit"))
        done = [j for j in jobs if j.status == ExportJobStatus.DONE]
        failed = [j for j in jobs if j.status == ExportJobStatus.FAILED]
        for job in failed:
            self.stderr.write(f"导出任务 #{job.pk} 失败：{job.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"完成{len(done)}个导出任务（共{sum(j.row_count or 0 for j in done)}行），失败{len(failed)}个"
            )
        )
