"""Restore the database from a backup_db file and verify counts and money sums; see ledger/backup.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.backup import BackupFailed, restore


class Command(BaseCommand):
    help = "用 backup_db 的备份文件替换当前数据库，并按校验文件核对每张表的行数和金额合计（须加 --yes 确认）"

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="backup_db 写出的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认用备份替换当前数据库的全部数据")

    def handle(self, *args, input: Path, yes: bool = False, **options):
        if not yes:
            raise CommandError("恢复会替换当前数据库的全部数据：确认无误后加 --yes 重新执行")
        try:
            prints = restore(input)
        except BackupFailed as exc:
            raise CommandError(exc.detail) from None
        rows = sum(t["rows"] for t in prints["tables"].values())
        self.stdout.write(self.style.SUCCESS(f"已从 {input} 恢复并核对一致：{len(prints['tables'])} 张表，{rows} 行"))
