"""Import an agency's spreadsheet ledger (台账) from the command line.

    manage.py import_ledger --kind obligations --agency jyj [--dry-run] [--user NAME] [--report OUT.xlsx] FILE

Exits 0 when every row was valid (imported, or checked in a dry run) and non-zero with the report
on standard error when any row was not — nothing is written then.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.errors import DomainError
from ledger.imports.registry import kinds
from ledger.imports.report import SEVERITY, report_xlsx, summary_line
from ledger.imports.services import import_run
from ledger.models import Agency, ImportStatus, Role, User


class Command(BaseCommand):
    help = "导入机关单位的台账（.xlsx 或 .csv）：先逐行检查，有错误则不写入并输出问题清单"

    def add_arguments(self, parser):
        parser.add_argument("path", help="台账文件（.xlsx 或 .csv）")
        parser.add_argument("--kind", required=True, help="导入类别：" + "、".join(k.key for k in kinds()))
        parser.add_argument("--agency", help="单位简码（short_code）；不填则按各行所填单位（仅管理员）")
        parser.add_argument("--dry-run", action="store_true", help="试导入：只检查并列出将新增或更新的记录")
        parser.add_argument("--user", help="以该用户名义导入（默认：唯一的在职管理员）")
        parser.add_argument("--report", help="把导入报告另存为 XLSX 文件")

    def handle(self, *args, path, kind, agency=None, dry_run=False, user=None, report=None, **options):
        actor = self._actor(user)
        target = None
        if agency:
            target = Agency.objects.filter(short_code=agency).first()
            if target is None:
                raise CommandError(f"没有简码为“{agency}”的单位")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with open(file, "rb") as f:
                job = import_run(actor=actor, kind=kind, upload=f, file_name=file.name, dry_run=dry_run, agency=target)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        if report:
            Path(report).write_bytes(report_xlsx(job))
        for item in job.report.get("notes", []):
            self.stdout.write(_line(item))
        self.stdout.write(f"导入记录 #{job.pk}：{job.get_status_display()}。{summary_line(job)}")
        if job.status != ImportStatus.REJECTED:
            for change in job.report.get("changes", [])[:50]:
                self.stdout.write(f"  {change['sheet']} 第{change['row']}行 {change['record']} {change['detail']}")
            self.stdout.write(self.style.SUCCESS("完成"))
            return
        for item in job.report.get("problems", []):
            self.stderr.write(_line(item))
        more = job.report.get("problems_not_listed", 0)
        if more:
            self.stderr.write(f"……另有{more}处问题未列出")
        raise CommandError(f"台账有{job.problem_count}处问题，未导入任何数据")

    def _actor(self, username: str | None) -> User:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有在职用户“{username}”")
            return actor
        admins = list(User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError("请用 --user 指明以哪位用户的名义导入（每次写入都须记录操作人）")
        return admins[0]


def _line(item: dict) -> str:
    where = " ".join(
        part
        for part in (
            item["sheet"],
            f"第{item['row']}行" if item["row"] is not None else "",
            item["column"],
            f"“{item['value']}”" if item["value"] else "",
        )
        if part
    )
    return f"[{SEVERITY.get(item['severity'], item['severity'])}] {where}：{item['reason']}"
