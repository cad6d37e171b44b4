"""Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite); see ledger/backup.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.backup import BackupFailed, backup


class Command(BaseCommand):
    help = "备份数据库到指定文件（PostgreSQL 用 pg_dump 自定义格式；SQLite 用在线备份），并写出行数和金额合计的校验文件"

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="备份文件路径（不会覆盖已有文件）")

    def handle(self, *args, output: Path, **options):
        try:
            prints = backup(output)
        except BackupFailed as exc:
            raise CommandError(exc.detail) from None
        rows = sum(t["rows"] for t in prints["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {output}：{len(prints['tables'])} 张表，{rows} 行；校验文件 {output}.json")
        )
