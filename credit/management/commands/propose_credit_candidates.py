from django.core.management.base import BaseCommand

from credit.services.records import candidates_propose, notify_flagged
from ledger import clock


class Command(BaseCommand):
    help = (
        "按 SPEC R9 的规则提出政务失信候选记录（同一规则同一来源只提出一次，可重复执行），"
        "并提醒信用管理员处理最长公示期届满但义务未履行的记录"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期适用规则（YYYY-MM-DD），默认今天（Asia/Shanghai）")

    def handle(self, *args, **options):
        as_of = clock.parse_as_of(options.get("date"))
        result = candidates_propose(actor=None, as_of=as_of)
        flagged = notify_flagged(as_of=as_of)
        by_rule = "，".join(f"{rule}={n}" for rule, n in result.by_rule.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{as_of.isoformat()}：新提出候选 {len(result.created)} 条（{by_rule}），"
                f"已提出过 {result.already_proposed} 条；届满未履行提醒 {flagged} 条"
            )
        )
