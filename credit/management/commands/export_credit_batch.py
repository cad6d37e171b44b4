from django.core.management.base import BaseCommand, CommandError

from credit.services.exports import export_batch_create
from ledger import clock
from ledger.errors import DomainError
from ledger.models import Role, User


class Command(BaseCommand):
    help = "生成下一批 zwsx-1 政务失信记录导出批次（自上一批次以来的新增、变更、撤销）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="批次日期（YYYY-MM-DD），默认今天（Asia/Shanghai）")
        parser.add_argument("--user", help="记为创建人的信用管理员用户名（定时任务可不填）")
        parser.add_argument("--demo", action="store_true", help="生成演示批次（仅含演示记录，不得报送）")
        parser.add_argument("--out", help="把四个文件另存到此目录")

    def handle(self, *args, **options):
        as_of = clock.parse_as_of(options.get("date"))
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], role=Role.CREDIT_OFFICER, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有名为“{options['user']}”的在用信用管理员")
        try:
            batch = export_batch_create(actor=actor, as_of=as_of, demo=options["demo"])
        except DomainError as exc:
            lines = [exc.detail] + [f"  {field}：{'；'.join(msgs)}" for field, msgs in exc.fields.items()]
            raise CommandError("\n".join(lines)) from None
        if options.get("out"):
            from pathlib import Path

            from credit.zwsx import file_name

            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            for kind in ("csv", "xlsx", "json", "manifest"):
                (out / file_name(kind, sequence=batch.sequence, demo=batch.is_demo)).write_bytes(
                    bytes(getattr(batch, f"{kind}_bytes"))
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成{'演示' if batch.is_demo else ''}第{batch.sequence}批（{batch.as_of.isoformat()}），"
                f"{batch.row_count}行；manifest SHA-256 {batch.manifest_sha256}"
            )
        )
