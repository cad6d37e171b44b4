from django.core.management.base import BaseCommand

from seeds.loader import load_all


class Command(BaseCommand):
    help = "载入种子数据：本区机关单位、单位集合、行动方案任务、LPR 表等（可重复执行）"

    def handle(self, *args, **options):
        counts = load_all()
        self.stdout.write(self.style.SUCCESS(f"种子数据已载入：{counts}"))
